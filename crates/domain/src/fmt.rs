//! How numbers and dates are written for people: one place, so a figure reads the same on every
//! page and in every document (UI.md "Numbers and dates").

use crate::Date;
use crate::model::Money;

/// A rate in a table, card or list: always two decimals (`99.00%`, `90.52%`, `90.70%`), so the
/// figures of one column read alike and line up; `—` when there is nothing to measure. Prose
/// quotes rates as the office does, with [`prose_rate`].
pub fn rate(value: Option<f64>) -> String {
    match value {
        None => "—".to_string(),
        Some(v) => format!("{:.2}%", v * 100.0),
    }
}

/// How many decimals a rate carries in prose (the office's choice; tables keep two).
///
/// The speech writes "节点完成率也达99%": by default prose rates are whole percentages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ProsePrecision {
    /// Decimals of the percentage, 0 (the default) to 2.
    pub decimals: u8,
}

impl ProsePrecision {
    /// The most decimals prose carries (as tables do).
    pub const MAX_DECIMALS: u8 = 2;

    /// A precision of `decimals`; `None` above [`ProsePrecision::MAX_DECIMALS`].
    pub fn new(decimals: u8) -> Option<ProsePrecision> {
        (decimals <= Self::MAX_DECIMALS).then_some(ProsePrecision { decimals })
    }
}

/// A headline rate in a sentence, at the office's `precision`: `99%` for 0.9882 at the
/// default, `98.82%` at two decimals, never a trailing `.0`; `—` when there is nothing to
/// measure.
///
/// Rounding never claims a bound the value has not reached: a rate short of 100% is not
/// written `100%` (0.9996 reads `99.96%` at the default), a rate above 0 is not written `0%`;
/// such a value takes as many more decimals (up to two, then four) as it needs.
pub fn prose_rate(value: Option<f64>, precision: ProsePrecision) -> String {
    let Some(v) = value else {
        return "—".to_string();
    };
    let percent = v * 100.0;
    let mut decimals = usize::from(precision.decimals.min(ProsePrecision::MAX_DECIMALS));
    loop {
        let text = format!("{percent:.decimals$}");
        let rounded: f64 = text.parse().unwrap_or(percent);
        let false_bound =
            (rounded >= 100.0 && percent < 100.0) || (rounded <= 0.0 && percent > 0.0);
        if !false_bound || decimals >= 4 {
            let text = if text.contains('.') {
                text.trim_end_matches('0').trim_end_matches('.').to_string()
            } else {
                text
            };
            return format!("{text}%");
        }
        decimals += if decimals < 2 { 1 } else { 2 };
    }
}

/// A percentage the office entered (e.g. a sanitation rate of 92.9), in prose with one
/// decimal, as entered: `92.9%`; `98%` when the decimal is 0.
pub fn entered_percent(percent: f64) -> String {
    let text = format!("{percent:.1}");
    let text = text.strip_suffix(".0").unwrap_or(&text);
    format!("{text}%")
}

/// An integer with thousands separators.
pub fn count(n: impl Into<i128>) -> String {
    let n: i128 = n.into();
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// Money in 万元 with two decimals and thousands separators, for tables.
pub fn wan(money: Money) -> String {
    let cents = (money.0 as i128 * 100 + 5_000) / 10_000;
    format!("{}.{:02}", count(cents / 100), (cents % 100).abs())
}

/// Money in 亿元 with two decimals, for headlines.
pub fn yi(money: Money) -> String {
    format!("{:.2}", money.yi())
}

/// A date in prose: 2021年5月31日.
pub fn date_cn(date: Date) -> String {
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}

/// A change of a rate in percentage points, signed: `+0.52个百分点`; `持平` when it did not
/// move; `—` when either side is missing.
pub fn points(before: Option<f64>, after: Option<f64>) -> String {
    match (before, after) {
        (Some(b), Some(a)) => {
            let d = (a - b) * 100.0;
            if d.abs() < 0.005 {
                "持平".to_string()
            } else {
                format!("{d:+.2}个百分点")
            }
        }
        _ => "—".to_string(),
    }
}

/// A change of a count, signed: `+3`, `-2`, `0`.
pub fn delta(before: u64, after: u64) -> String {
    let d = i128::from(after) - i128::from(before);
    if d > 0 {
        format!("+{}", count(d))
    } else {
        count(d)
    }
}

/// The names the software itself acts under, which no person's account may take (a page
/// could not tell them apart in [`actor`]).
pub const SOFTWARE_ACTORS: [&str; 3] = ["system", "demo", "cli"];

/// Who did something, for people: the names the software acts under (`system` for the
/// scheduled jobs, `demo` for the demo city's history, `cli` or `cli alice@host` for the command
/// line) read as 系统, 示例数据 and 命令行; a person's user name is shown as it is.
pub fn actor(name: &str) -> String {
    match name {
        "system" => "系统".to_string(),
        "demo" => "示例数据".to_string(),
        "cli" => "命令行".to_string(),
        _ => match name.strip_prefix("cli ") {
            Some(who) => format!("命令行（{who}）"),
            None => name.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_software_acts_under_chinese_names_and_people_under_their_own() {
        assert_eq!(actor("system"), "系统");
        assert_eq!(actor("demo"), "示例数据");
        assert_eq!(actor("cli"), "命令行");
        assert_eq!(actor("cli root@host"), "命令行（root@host）");
        assert_eq!(actor("office"), "office");
        assert_eq!(actor("client"), "client");
    }

    #[test]
    fn rates_read_as_the_office_quotes_them() {
        assert_eq!(rate(Some(1222.0 / 1350.0)), "90.52%");
        assert_eq!(rate(Some(0.99)), "99.00%");
        assert_eq!(rate(Some(0.907)), "90.70%");
        assert_eq!(rate(Some(1.0)), "100.00%");
        assert_eq!(rate(None), "—");
    }

    #[test]
    fn prose_rates_are_written_at_the_offices_precision() {
        let whole = ProsePrecision::default();
        let two = ProsePrecision::new(2).expect("two decimals");
        // The speech: 节点完成率也达99%.
        assert_eq!(prose_rate(Some(0.9882), whole), "99%");
        assert_eq!(prose_rate(Some(1222.0 / 1350.0), whole), "91%");
        assert_eq!(prose_rate(Some(1222.0 / 1350.0), two), "90.52%");
        assert_eq!(
            prose_rate(Some(0.9), ProsePrecision::new(1).expect("one")),
            "90%"
        );
        assert_eq!(prose_rate(Some(0.9882), two), rate(Some(0.9882)));
        assert_eq!(prose_rate(Some(1.0), whole), "100%");
        assert_eq!(prose_rate(Some(0.0), whole), "0%");
        // No rounding up to everything, or down to nothing.
        assert_eq!(prose_rate(Some(0.998), whole), "99.8%");
        assert_eq!(prose_rate(Some(0.9996), whole), "99.96%");
        assert_eq!(prose_rate(Some(0.99999), whole), "99.999%");
        assert_eq!(prose_rate(Some(0.003), whole), "0.3%");
        assert_eq!(prose_rate(None, whole), "—");
        assert!(ProsePrecision::new(3).is_none());
    }

    #[test]
    fn entered_percentages_keep_their_decimal() {
        assert_eq!(entered_percent(92.9), "92.9%");
        assert_eq!(entered_percent(98.46), "98.5%");
        assert_eq!(entered_percent(98.0), "98%");
    }

    #[test]
    fn amounts_carry_separators_and_units_scale() {
        assert_eq!(count(1362u64), "1,362");
        assert_eq!(count(-1234567i64), "-1,234,567");
        assert_eq!(count(12u64), "12");
        assert_eq!(wan(Money(313_000_000)), "31,300.00");
        assert_eq!(wan(Money(12_345)), "1.23");
        assert_eq!(yi(Money(313_000_000)), "3.13");
        assert_eq!(date_cn(jiff::civil::date(2021, 5, 31)), "2021年5月31日");
    }

    #[test]
    fn changes_read_with_their_sign() {
        assert_eq!(points(Some(0.90), Some(0.9052)), "+0.52个百分点");
        assert_eq!(points(Some(0.95), Some(0.94)), "-1.00个百分点");
        assert_eq!(points(Some(0.95), Some(0.95)), "持平");
        assert_eq!(points(None, Some(0.95)), "—");
        assert_eq!(delta(3, 1_250), "+1,247");
        assert_eq!(delta(5, 2), "-3");
        assert_eq!(delta(2, 2), "0");
    }
}
