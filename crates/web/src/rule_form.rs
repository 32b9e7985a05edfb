//! Forms over settings that are also TOML files (the warning rules, the scoring scheme): the
//! office's fields, each with its value as typed and its problem beside it, rendered by
//! `templates/rule_form.html`. The page modules say which fields there are and turn the values
//! into the domain value; the domain's own checks decide what is valid, and a refusal names the
//! field (a dotted path such as `overdue.1.days`), which this module places beside it.

use std::collections::{BTreeMap, HashMap};

/// How a field is typed.
pub(crate) enum Input {
    /// A number (`step` as the browser's hint: "1" for whole numbers, "any" otherwise).
    Number {
        /// The input's `step`.
        step: &'static str,
    },
    /// A choice: (value, label, selected).
    Select(Vec<(String, String, bool)>),
    /// A box ticked or not.
    Check {
        /// Whether it is ticked.
        checked: bool,
    },
    /// A value carried along unseen (a trigger's kind).
    Hidden,
}

/// One field.
pub(crate) struct Field {
    /// Its name in the form, a dotted path.
    pub(crate) name: String,
    /// Its Chinese label.
    pub(crate) label: String,
    /// What follows the box (天, %, 分 …).
    pub(crate) suffix: &'static str,
    /// The value, as typed.
    pub(crate) value: String,
    /// How it is typed.
    pub(crate) input: Input,
    /// What is wrong with it.
    pub(crate) error: Option<String>,
}

impl Field {
    fn new(name: String, label: impl Into<String>, suffix: &'static str, input: Input) -> Field {
        Field {
            name,
            label: label.into(),
            suffix,
            value: String::new(),
            input,
            error: None,
        }
    }

    /// A whole number.
    pub(crate) fn int(name: String, label: impl Into<String>, suffix: &'static str) -> Field {
        Field::new(name, label, suffix, Input::Number { step: "1" })
    }

    /// A number with decimals.
    pub(crate) fn num(name: String, label: impl Into<String>, suffix: &'static str) -> Field {
        Field::new(name, label, suffix, Input::Number { step: "any" })
    }

    /// A choice among `(value, label)`.
    pub(crate) fn select(
        name: String,
        label: impl Into<String>,
        options: impl IntoIterator<Item = (String, String)>,
    ) -> Field {
        let options = options.into_iter().map(|(v, l)| (v, l, false)).collect();
        Field::new(name, label, "", Input::Select(options))
    }

    /// A box to tick.
    pub(crate) fn check(name: String, label: impl Into<String>) -> Field {
        Field::new(name, label, "", Input::Check { checked: false })
    }

    /// A value carried along unseen.
    pub(crate) fn hidden(name: String) -> Field {
        Field::new(name, "", "", Input::Hidden)
    }

    /// The element id (the error summary links to it).
    pub(crate) fn id(&self) -> String {
        format!("f-{}", self.name)
    }

    /// The input kind for the template: "number", "select", "check" or "hidden".
    pub(crate) fn kind(&self) -> &'static str {
        match self.input {
            Input::Number { .. } => "number",
            Input::Select(_) => "select",
            Input::Check { .. } => "check",
            Input::Hidden => "hidden",
        }
    }

    /// The number input's step.
    pub(crate) fn step(&self) -> &'static str {
        match self.input {
            Input::Number { step } => step,
            _ => "any",
        }
    }

    /// The choices, for a select.
    pub(crate) fn options(&self) -> &[(String, String, bool)] {
        match &self.input {
            Input::Select(o) => o,
            _ => &[],
        }
    }

    /// Whether a box is ticked.
    pub(crate) fn checked(&self) -> bool {
        matches!(self.input, Input::Check { checked: true })
    }
}

/// A group of fields under a legend; `key` is the table its fields belong to, so a problem with
/// the whole table (weights not adding up) shows at the legend.
pub(crate) struct Fieldset {
    /// The table's path (`system.0`, `repeat`).
    pub(crate) key: String,
    /// The legend.
    pub(crate) legend: String,
    /// A line under the legend.
    pub(crate) note: String,
    /// A problem with the table as a whole.
    pub(crate) error: Option<String>,
    /// Its fields.
    pub(crate) fields: Vec<Field>,
    /// `data-sum` for the page's script: the fields whose name ends so should add up to 100.
    pub(crate) sum: &'static str,
}

impl Fieldset {
    /// An empty set.
    pub(crate) fn new(key: impl Into<String>, legend: impl Into<String>) -> Fieldset {
        Fieldset {
            key: key.into(),
            legend: legend.into(),
            note: String::new(),
            error: None,
            fields: Vec::new(),
            sum: "",
        }
    }

    /// With a note under the legend.
    pub(crate) fn note(mut self, note: impl Into<String>) -> Fieldset {
        self.note = note.into();
        self
    }

    /// With a field.
    pub(crate) fn field(mut self, field: Field) -> Fieldset {
        self.fields.push(field);
        self
    }
}

/// The values of a form, as typed, and the problems found so far, by field.
#[derive(Default)]
pub(crate) struct FormValues {
    values: HashMap<String, String>,
    /// Problems by field path, in the order found.
    errors: BTreeMap<String, String>,
    order: Vec<String>,
}

impl FormValues {
    /// The values of a posted form.
    pub(crate) fn posted(values: HashMap<String, String>) -> FormValues {
        FormValues {
            values: values
                .into_iter()
                .map(|(k, v)| (k, v.trim().to_string()))
                .collect(),
            ..FormValues::default()
        }
    }

    /// Sets a value (a form filled from the setting in force).
    pub(crate) fn set(&mut self, name: impl Into<String>, value: impl ToString) {
        self.values.insert(name.into(), value.to_string());
    }

    /// The value of `name`, as typed ("" when absent).
    pub(crate) fn get(&self, name: &str) -> &str {
        self.values.get(name).map_or("", String::as_str)
    }

    /// Whether the form has a field `name`.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    /// Records a problem with `name` (the first one found stays).
    pub(crate) fn refuse(&mut self, name: impl Into<String>, message: impl Into<String>) {
        let name = name.into();
        if !self.errors.contains_key(&name) {
            self.order.push(name.clone());
            self.errors.insert(name, message.into());
        }
    }

    /// Whether any problem was found.
    pub(crate) fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// A whole number `name`, or a problem recorded ("请填写整数").
    pub(crate) fn int(&mut self, name: &str, label: &str) -> Option<i64> {
        let raw = self.get(name).to_string();
        match raw.parse::<i64>() {
            Ok(v) => Some(v),
            Err(_) if raw.is_empty() => {
                self.refuse(name, crate::i18n::lang().tn("请填写{n}", label));
                None
            }
            Err(_) => {
                self.refuse(
                    name,
                    crate::i18n::lang().tn2("{n}须为整数，填写的是「{m}」", label, &raw),
                );
                None
            }
        }
    }

    /// A count `name` (a whole number ≥ 0).
    pub(crate) fn count(&mut self, name: &str, label: &str) -> Option<usize> {
        let v = self.int(name, label)?;
        match usize::try_from(v) {
            Ok(v) => Some(v),
            Err(_) => {
                self.refuse(name, crate::i18n::lang().tn("{n}不能为负数", label));
                None
            }
        }
    }

    /// A number `name`, or a problem recorded ("请填写数字").
    pub(crate) fn num(&mut self, name: &str, label: &str) -> Option<f64> {
        let raw = self.get(name).to_string();
        match raw.parse::<f64>() {
            Ok(v) if v.is_finite() => Some(v),
            _ if raw.is_empty() => {
                self.refuse(name, crate::i18n::lang().tn("请填写{n}", label));
                None
            }
            _ => {
                self.refuse(
                    name,
                    crate::i18n::lang().tn2("{n}须为数字，填写的是「{m}」", label, &raw),
                );
                None
            }
        }
    }

    /// The problems for the summary at the top: (field id, message).
    pub(crate) fn summary(&self) -> Vec<(String, String)> {
        self.order
            .iter()
            .map(|k| (format!("f-{k}"), self.errors[k].clone()))
            .collect()
    }

    /// Puts the values and problems into `sets`: each field gets its value and its problem; a
    /// problem naming no field goes to the set whose table it names (or the first set).
    pub(crate) fn fill(&self, sets: &mut [Fieldset]) {
        let mut placed = std::collections::HashSet::new();
        for set in sets.iter_mut() {
            for f in &mut set.fields {
                f.value = self.get(&f.name).to_string();
                match &mut f.input {
                    Input::Select(options) => {
                        for (v, _, selected) in options.iter_mut() {
                            *selected = *v == f.value;
                        }
                    }
                    Input::Check { checked } => *checked = f.value == "on",
                    Input::Number { .. } | Input::Hidden => {}
                }
                if let Some(e) = self.errors.get(&f.name) {
                    f.error = Some(e.clone());
                    placed.insert(f.name.clone());
                }
            }
        }
        for name in &self.order {
            if placed.contains(name) {
                continue;
            }
            let set = sets
                .iter()
                .rposition(|s| *name == s.key || name.starts_with(&format!("{}.", s.key)))
                .unwrap_or(0);
            if let Some(set) = sets.get_mut(set)
                && set.error.is_none()
            {
                set.error = Some(self.errors[name].clone());
            }
        }
    }
}

/// A number as a form shows it: at most six decimals, no trailing zeros (0.35 × 100 is "35").
pub(crate) fn plain(x: f64) -> String {
    let rounded = (x * 1e6).round() / 1e6;
    let text = format!("{rounded:.6}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_plainly() {
        assert_eq!(plain(0.35 * 100.0), "35");
        assert_eq!(plain(0.5), "0.5");
        assert_eq!(plain(-2.0), "-2");
    }

    #[test]
    fn a_bad_number_is_named_and_kept() {
        let mut form = FormValues::posted(HashMap::from([("a".to_string(), " 1x ".to_string())]));
        assert_eq!(form.int("a", "天数"), None);
        assert_eq!(form.get("a"), "1x");
        let mut sets = vec![Fieldset::new("", "").field(Field::int("a".into(), "天数", "天"))];
        form.fill(&mut sets);
        assert_eq!(sets[0].fields[0].value, "1x");
        assert!(
            sets[0].fields[0]
                .error
                .as_deref()
                .unwrap()
                .contains("须为整数")
        );
    }
}
