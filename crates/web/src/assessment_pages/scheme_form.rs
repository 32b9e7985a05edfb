//! The scoring scheme's form: the numbers the office changes (weights in percent, targets and
//! bounds, deduction and bonus amounts and caps, tier bounds, list sizes, the objection window)
//! over the scheme in force, whose structure (systems, indicators, methods) stays as it is.
//! The edited scheme is written as TOML ([`Scheme::to_toml`]) and read back by
//! [`Scheme::from_toml`], the same checks a typed file passes; a refusal's line names the field
//! it is shown beside. The preview's rank movements are read off the domain's
//! [`MonthScores::with_trend`].

use jianguan_domain::assessment::{Method, MonthScores, Scheme, TierRange};

use crate::rule_form::{Field, Fieldset, FormValues, plain};

/// The scheme's numbers as the form's values (weights in percent).
pub(super) fn scheme_values(scheme: &Scheme) -> FormValues {
    let mut v = FormValues::default();
    v.set("objection_window_days", scheme.objection_window_days);
    for (i, s) in scheme.systems.iter().enumerate() {
        v.set(format!("system.{i}.weight"), plain(s.weight * 100.0));
        for (j, ind) in s.indicators.iter().enumerate() {
            let key = format!("system.{i}.indicator.{j}");
            v.set(format!("{key}.weight"), plain(ind.weight * 100.0));
            for (name, value) in method_params(&ind.method) {
                v.set(format!("{key}.{name}"), plain(value));
            }
        }
    }
    for (table, list) in [
        ("deduction", &scheme.deductions),
        ("bonus", &scheme.bonuses),
    ] {
        for (i, a) in list.iter().enumerate() {
            v.set(format!("{table}.{i}.points"), plain(a.points));
            v.set(format!("{table}.{i}.cap"), plain(a.cap));
        }
    }
    for (i, t) in scheme.tiers.tiers.iter().enumerate() {
        match t.range {
            TierRange::Score { min, max } => {
                if let Some(min) = min {
                    v.set(format!("tiers.{i}.min"), plain(min));
                }
                if let Some(max) = max {
                    v.set(format!("tiers.{i}.max"), plain(max));
                }
            }
            TierRange::Rank { first, last } => {
                v.set(format!("tiers.{i}.first"), first);
                if let Some(last) = last {
                    v.set(format!("tiers.{i}.last"), last);
                }
            }
        }
    }
    v.set("lists.reward_top", scheme.lists.reward_top);
    v.set(
        "lists.accountability_bottom",
        scheme.lists.accountability_bottom,
    );
    v
}

/// A method's parameters by their file names.
fn method_params(method: &Method) -> Vec<(&'static str, f64)> {
    match *method {
        Method::RatioToTarget { target } => vec![("target", target)],
        Method::Linear { worst, best } => vec![("worst", worst), ("best", best)],
        Method::Rank { step } => vec![("step", step)],
    }
}

/// What a method's parameter is called on the form.
fn param_label(name: &str) -> &'static str {
    let lang = crate::i18n::lang();
    match name {
        "target" => lang.t("目标值"),
        "worst" => lang.t("得 0 分的值"),
        "best" => lang.t("得满分的值"),
        _ => lang.t("每名次减分"),
    }
}

/// The form's fields for `scheme`'s structure.
pub(super) fn scheme_fieldsets(scheme: &Scheme) -> Vec<Fieldset> {
    let lang = crate::i18n::lang();
    let mut sets = Vec::new();
    let mut systems = Fieldset::new("systems", lang.t("考核体系权重"))
        .note(lang.t("各体系权重（%）合计须为 100。"))
        .field(Field::int(
            "objection_window_days".into(),
            lang.t("结果发布后可申诉天数"),
            lang.t("天"),
        ));
    systems.sum = "weight";
    for (i, s) in scheme.systems.iter().enumerate() {
        systems = systems.field(Field::num(
            format!("system.{i}.weight"),
            lang.tn("{n}：权重", &s.name),
            "%",
        ));
    }
    sets.push(systems);
    for (i, s) in scheme.systems.iter().enumerate() {
        let mut set = Fieldset::new(format!("system.{i}"), lang.tn("{n}：指标", &s.name))
            .note(lang.t("指标权重（%）合计须为 100；计分方法与指标的增删请用下方 TOML。"));
        set.sum = "weight";
        for (j, ind) in s.indicators.iter().enumerate() {
            let key = format!("system.{i}.indicator.{j}");
            set = set.field(Field::num(
                format!("{key}.weight"),
                lang.tn("{n}：权重", &ind.name),
                "%",
            ));
            for (name, _) in method_params(&ind.method) {
                let unit = if name == "step" { lang.t("分") } else { "" };
                set = set.field(Field::num(
                    format!("{key}.{name}"),
                    lang.tn2("{n}（{m}）：", &ind.name, lang.t(ind.method.label()))
                        + param_label(name),
                    unit,
                ));
            }
        }
        sets.push(set);
    }
    for (table, legend, list) in [
        ("deduction", lang.t("扣分项"), &scheme.deductions),
        ("bonus", lang.t("加分项"), &scheme.bonuses),
    ] {
        let mut set = Fieldset::new(table, legend);
        for (i, a) in list.iter().enumerate() {
            set = set
                .field(Field::num(
                    format!("{table}.{i}.points"),
                    lang.tn2("{n}：每{m}分值", &a.name, &a.unit),
                    lang.t("分"),
                ))
                .field(Field::num(
                    format!("{table}.{i}.cap"),
                    lang.tn("{n}：最多", &a.name),
                    lang.t("分"),
                ));
        }
        sets.push(set);
    }
    let mut tiers = Fieldset::new("tiers", lang.t("等次"))
        .note(lang.t("从好到差，首尾相接：上一等次的下限即下一等次的上限。"));
    for (i, t) in scheme.tiers.tiers.iter().enumerate() {
        match t.range {
            TierRange::Score { min, max } => {
                if min.is_some() {
                    tiers = tiers.field(Field::num(
                        format!("tiers.{i}.min"),
                        lang.tn("「{n}」总分 ≥", &t.name),
                        lang.t("分"),
                    ));
                }
                if max.is_some() {
                    tiers = tiers.field(Field::num(
                        format!("tiers.{i}.max"),
                        lang.tn("「{n}」总分 <", &t.name),
                        lang.t("分"),
                    ));
                }
            }
            TierRange::Rank { last, .. } => {
                tiers = tiers.field(Field::int(
                    format!("tiers.{i}.first"),
                    lang.tn("「{n}」自第几名", &t.name),
                    lang.t("名"),
                ));
                if last.is_some() {
                    tiers = tiers.field(Field::int(
                        format!("tiers.{i}.last"),
                        lang.tn("「{n}」至第几名", &t.name),
                        lang.t("名"),
                    ));
                }
            }
        }
    }
    sets.push(tiers);
    sets.push(
        Fieldset::new("lists", lang.t("奖优罚劣名单"))
            .field(Field::int(
                "lists.reward_top".into(),
                lang.t("表扬：总分前"),
                lang.t("名"),
            ))
            .field(Field::int(
                "lists.accountability_bottom".into(),
                lang.t("问责：总分后"),
                lang.t("名"),
            )),
    );
    sets
}

/// A whole number ≥ 0 that fits a `u32`.
fn whole(form: &mut FormValues, name: &str, label: &str) -> Option<u32> {
    let v = form.int(name, label)?;
    let out = u32::try_from(v).ok();
    if out.is_none() {
        form.refuse(
            name,
            crate::i18n::lang().tn("{n}须为不小于 0 的整数", label),
        );
    }
    out
}

/// The scheme the form describes over `base`, as version `version`, and its TOML text; `None`
/// with the problems recorded in `form` (a malformed number, or the scheme's own checks,
/// placed beside the field its line sets).
pub(super) fn scheme_from_form(
    form: &mut FormValues,
    base: &Scheme,
    version: u32,
) -> Option<(Scheme, String)> {
    let lang = crate::i18n::lang();
    let mut scheme = base.clone();
    scheme.version = version;
    if let Some(d) = whole(form, "objection_window_days", lang.t("可申诉天数")) {
        scheme.objection_window_days = d;
    }
    for (i, s) in scheme.systems.iter_mut().enumerate() {
        if let Some(w) = form.num(
            &format!("system.{i}.weight"),
            &lang.tn("{n}的权重", &s.name),
        ) {
            s.weight = w / 100.0;
        }
        for (j, ind) in s.indicators.iter_mut().enumerate() {
            let key = format!("system.{i}.indicator.{j}");
            if let Some(w) = form.num(
                &format!("{key}.weight"),
                &lang.tn("「{n}」的权重", &ind.name),
            ) {
                ind.weight = w / 100.0;
            }
            let mut read = |name: &str, old: f64| {
                form.num(
                    &format!("{key}.{name}"),
                    &lang.tn2("「{n}」的{m}", &ind.name, param_label(name)),
                )
                .unwrap_or(old)
            };
            ind.method = match ind.method {
                Method::RatioToTarget { target } => Method::RatioToTarget {
                    target: read("target", target),
                },
                Method::Linear { worst, best } => Method::Linear {
                    worst: read("worst", worst),
                    best: read("best", best),
                },
                Method::Rank { step } => Method::Rank {
                    step: read("step", step),
                },
            };
        }
    }
    for (table, list) in [
        ("deduction", &mut scheme.deductions),
        ("bonus", &mut scheme.bonuses),
    ] {
        for (i, a) in list.iter_mut().enumerate() {
            if let Some(p) = form.num(
                &format!("{table}.{i}.points"),
                &lang.tn("{n}的分值", &a.name),
            ) {
                a.points = p;
            }
            if let Some(c) = form.num(&format!("{table}.{i}.cap"), &lang.tn("{n}的封顶", &a.name))
            {
                a.cap = c;
            }
        }
    }
    for (i, t) in scheme.tiers.tiers.iter_mut().enumerate() {
        let label = lang.tn("「{n}」的界限", &t.name);
        t.range = match t.range {
            TierRange::Score { min, max } => TierRange::Score {
                min: min.map(|m| form.num(&format!("tiers.{i}.min"), &label).unwrap_or(m)),
                max: max.map(|m| form.num(&format!("tiers.{i}.max"), &label).unwrap_or(m)),
            },
            TierRange::Rank { first, last } => TierRange::Rank {
                first: whole(form, &format!("tiers.{i}.first"), &label).unwrap_or(first),
                last: last.map(|l| whole(form, &format!("tiers.{i}.last"), &label).unwrap_or(l)),
            },
        };
    }
    if let Some(n) = whole(form, "lists.reward_top", lang.t("表扬名额")) {
        scheme.lists.reward_top = n;
    }
    if let Some(n) = whole(form, "lists.accountability_bottom", lang.t("问责名额")) {
        scheme.lists.accountability_bottom = n;
    }
    if form.has_errors() {
        return None;
    }
    let written = scheme.to_toml();
    match Scheme::from_toml(&written.text) {
        Ok(checked) => Some((checked, written.text)),
        Err(e) => {
            let field = e
                .line
                .and_then(|l| written.field_at(l))
                .unwrap_or("systems")
                .to_string();
            form.refuse(field, e.message);
            None
        }
    }
}

/// One unit in the ranks preview.
pub(super) struct RankMove {
    /// The unit.
    pub(super) name: String,
    /// Its rank and total under the scheme in force.
    pub(super) now: String,
    /// Under the edited scheme.
    pub(super) edited: String,
    /// ↑2, ↓1 or —.
    pub(super) movement: String,
    /// "up", "down" or "".
    pub(super) class: &'static str,
}

/// Each unit's rank under the scheme in force (`now`) and the edited one, in the edited order.
pub(super) fn rank_moves(now: &MonthScores, edited: MonthScores) -> Vec<RankMove> {
    let rank = |r: Option<u32>, total: f64| match r {
        Some(r) => crate::i18n::lang().tn2("第 {n} 名（{m} 分）", r, format!("{total:.2}")),
        None => crate::i18n::lang().tn("未排名（{n} 分）", format!("{total:.2}")),
    };
    edited
        .with_trend(now)
        .subjects
        .iter()
        .map(|s| {
            let change = s.trend.as_ref().and_then(|t| t.rank_change).unwrap_or(0);
            let before = now.subject(s.subject.id);
            RankMove {
                name: s.subject.name.clone(),
                now: before.map_or_else(|| "—".into(), |b| rank(b.rank, b.total)),
                edited: rank(s.rank, s.total),
                movement: match change {
                    0 => "—".into(),
                    c if c > 0 => format!("↑{c}"),
                    c => format!("↓{}", -c),
                },
                class: match change {
                    0 => "",
                    c if c > 0 => "up",
                    _ => "down",
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jianguan_domain::assessment::DEFAULT_SCHEME_TOML;

    fn scheme() -> Scheme {
        Scheme::from_toml(DEFAULT_SCHEME_TOML).unwrap()
    }

    #[test]
    fn the_form_filled_from_a_scheme_builds_the_same_scheme() {
        let base = scheme();
        let mut form = scheme_values(&base);
        let (again, _) = scheme_from_form(&mut form, &base, base.version).unwrap();
        assert_eq!(again, base);
    }

    #[test]
    fn weights_not_adding_up_are_refused_at_their_system() {
        let base = scheme();
        let mut form = scheme_values(&base);
        form.set("system.0.indicator.0.weight", "50");
        assert!(scheme_from_form(&mut form, &base, 2).is_none());
        let mut sets = scheme_fieldsets(&base);
        form.fill(&mut sets);
        let set = sets.iter().find(|s| s.key == "system.0").unwrap();
        assert!(
            set.error.as_deref().unwrap().contains("权重之和"),
            "{:?}",
            set.error
        );
        assert_eq!(set.fields[0].value, "50");
    }

    #[test]
    fn a_negative_cap_is_refused_beside_its_field() {
        let base = scheme();
        let mut form = scheme_values(&base);
        form.set("bonus.0.cap", "-1");
        assert!(scheme_from_form(&mut form, &base, 2).is_none());
        let mut sets = scheme_fieldsets(&base);
        form.fill(&mut sets);
        let f = sets
            .iter()
            .flat_map(|s| &s.fields)
            .find(|f| f.name == "bonus.0.cap")
            .unwrap();
        assert!(
            f.error.as_deref().unwrap().contains("不能为负"),
            "{:?}",
            f.error
        );
    }
}
