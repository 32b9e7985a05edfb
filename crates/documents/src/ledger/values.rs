//! Cell values → domain values: text, names for matching, amounts, whole numbers, coordinates and
//! dates in every form ledgers use. Each parser says, on failure, what it expected (in Chinese,
//! for the error report).

use calamine::Data;
use jianguan_domain::model::Money;
use jiff::civil::Date;
use unicode_normalization::UnicodeNormalization;

use crate::xlsx::needs_neutralising;

/// What a value should have been, shown in the error report.
pub type Expected = String;

/// `s` in NFKC (full-width letters, digits, brackets and the ideographic space become
/// half-width) without any whitespace: the form names and headers are compared in.
pub fn key(s: &str) -> String {
    s.nfkc().filter(|c| !c.is_whitespace()).collect()
}

/// Trims whitespace, including the ideographic space (U+3000) and no-break space.
fn trim(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}' || c == '\u{feff}')
}

/// The cell as text, trimmed; `None` when blank. Numbers are written without a fraction when
/// whole; a date cell as `YYYY-MM-DD`. A leading `'` added by [`crate::xlsx::neutralise`] is
/// removed.
pub fn text(cell: &Data) -> Result<Option<String>, Expected> {
    let s = match cell {
        Data::Empty => return Ok(None),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => {
            let t = trim(s);
            let t = match t.strip_prefix('\'') {
                Some(rest) if needs_neutralising(rest) => rest,
                _ => t,
            };
            t.to_owned()
        }
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => if *b { "是" } else { "否" }.to_owned(),
        Data::DateTime(dt) => match date(cell) {
            Ok(Some(d)) => d.to_string(),
            _ => dt.as_f64().to_string(),
        },
        Data::Error(e) => return Err(format!("单元格是错误值 {e}，应为文字")),
    };
    Ok((!s.is_empty()).then_some(s))
}

fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

/// The cell as a number, from a number cell or text (NFKC, thousands separators and a trailing
/// unit word removed). Returns the number and the unit word found, if any.
fn number(cell: &Data, units: &[&str]) -> Result<Option<(f64, Option<String>)>, Expected> {
    match cell {
        Data::Empty => Ok(None),
        Data::Int(i) => Ok(Some((*i as f64, None))),
        Data::Float(f) => Ok(Some((*f, None))),
        Data::String(s) => {
            let k: String = key(s).replace([',', '，'], "");
            if k.is_empty() {
                return Ok(None);
            }
            let mut unit = None;
            let mut body = k.as_str();
            for u in units {
                if let Some(b) = body.strip_suffix(u) {
                    body = b;
                    unit = Some((*u).to_owned());
                    break;
                }
            }
            match body.parse::<f64>() {
                Ok(n) if n.is_finite() => Ok(Some((n, unit))),
                _ => Err("应为数字".into()),
            }
        }
        Data::Bool(_) => Err("应为数字，不是是/否".into()),
        Data::DateTime(_) | Data::DateTimeIso(_) | Data::DurationIso(_) => {
            Err("应为数字，不是日期".into())
        }
        Data::Error(e) => Err(format!("单元格是错误值 {e}，应为数字")),
    }
}

/// Yuan per unit word: 元, 万元, 亿元.
pub fn unit_factor(unit: &str) -> Option<i64> {
    match unit {
        "元" => Some(1),
        "万元" | "万" => Some(10_000),
        "亿元" | "亿" => Some(100_000_000),
        _ => None,
    }
}

/// An amount, in `factor` yuan per unit unless the cell names its own unit (`500万元`), as
/// whole yuan. Negative amounts are refused.
pub fn money(cell: &Data, factor: i64) -> Result<Option<Money>, Expected> {
    let unit_name = match factor {
        1 => "元",
        100_000_000 => "亿元",
        _ => "万元",
    };
    let Some((n, unit)) = number(cell, &["万元", "亿元", "元", "万", "亿"])
        .map_err(|e| format!("{e}（金额，单位{unit_name}）"))?
    else {
        return Ok(None);
    };
    let factor = unit.as_deref().and_then(unit_factor).unwrap_or(factor);
    let yuan = n * factor as f64;
    if n < 0.0 {
        return Err(format!("金额不能为负（单位{unit_name}）"));
    }
    if yuan > 1e15 {
        return Err(format!("金额过大（单位{unit_name}）"));
    }
    Ok(Some(Money(yuan.round() as i64)))
}

/// A whole number ≥ 0 (households, spaces, square metres …), a unit word after it allowed.
pub fn count(cell: &Data) -> Result<Option<i64>, Expected> {
    let units = [
        "平方米",
        "㎡",
        "m2",
        "户",
        "个",
        "座",
        "米",
        "m",
        "处",
        "条",
    ];
    let Some((n, _)) = number(cell, &units).map_err(|e| format!("{e}（非负整数）"))? else {
        return Ok(None);
    };
    if n < 0.0 || n.fract() != 0.0 || n > 1e12 {
        return Err("应为非负整数".into());
    }
    Ok(Some(n as i64))
}

/// A coordinate in degrees within `-limit..=limit`.
pub fn degrees(cell: &Data, limit: f64) -> Result<Option<f64>, Expected> {
    let Some((n, _)) = number(cell, &["°"]).map_err(|e| format!("{e}（经纬度，度）"))?
    else {
        return Ok(None);
    };
    if !(-limit..=limit).contains(&n) {
        return Err(format!("应在 -{limit} 至 {limit} 度之间"));
    }
    Ok(Some(n))
}

const DATE_FORMS: &str =
    "应为日期，如 2021-05-31、2021/5/31、2021年5月31日、2021年5月、2021.5 或 Excel 日期";

/// The last day of `month` in `year`.
fn month_end(year: i16, month: i8) -> Option<Date> {
    Date::new(year, month, 1).ok().map(|d| d.last_of_month())
}

/// The date of an Excel (1900 system) serial; the time of day is dropped.
pub fn from_serial(serial: f64) -> Option<Date> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let days = serial.trunc() as i64;
    // Serials up to 60 count from 1899-12-31 (Excel's phantom 29 February 1900 is serial 60).
    let (epoch, days) = if days < 61 {
        (Date::constant(1899, 12, 31), days)
    } else {
        (Date::constant(1899, 12, 30), days)
    };
    epoch.checked_add(jiff::Span::new().days(days)).ok()
}

fn plausible(d: Date) -> Result<Date, Expected> {
    if (1990..=2100).contains(&d.year()) {
        Ok(d)
    } else {
        Err(format!("日期 {d} 不在 1990—2100 年之间"))
    }
}

/// A date from a date cell, an Excel serial, `yyyymmdd`, `yyyy.m` (number) or text in the forms
/// of the module note. A month-only date is the month's last day.
pub fn date(cell: &Data) -> Result<Option<Date>, Expected> {
    match cell {
        Data::Empty => Ok(None),
        Data::DateTime(dt) => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            let date = Date::new(y as i16, m as i8, d as i8).map_err(|_| DATE_FORMS.to_owned())?;
            plausible(date).map(Some)
        }
        Data::Int(i) => number_date(*i as f64).map(Some),
        Data::Float(f) => number_date(*f).map(Some),
        Data::String(s) | Data::DateTimeIso(s) => {
            let n: String = s.nfkc().collect();
            let n = trim(&n);
            // A time after the date (2021-05-31 00:00:00, 2021-05-31T08:00) is dropped.
            let n = if n.contains(':') {
                n.split(|c: char| c.is_whitespace() || c == 'T')
                    .next()
                    .unwrap_or(n)
            } else {
                n
            };
            let k = key(n);
            if k.is_empty() {
                return Ok(None);
            }
            text_date(&k).map(Some)
        }
        Data::Bool(_) | Data::DurationIso(_) => Err(DATE_FORMS.into()),
        Data::Error(e) => Err(format!("单元格是错误值 {e}，{DATE_FORMS}")),
    }
}

fn number_date(n: f64) -> Result<Date, Expected> {
    if !n.is_finite() || n < 1.0 {
        return Err(DATE_FORMS.into());
    }
    if n.fract() == 0.0 && (19_000_101.0..=21_001_231.0).contains(&n) {
        return ymd_digits(&format!("{}", n as i64));
    }
    if (1900.0..2101.0).contains(&n) {
        let year = n.trunc() as i16;
        let hundredths = ((n - n.trunc()) * 100.0).round() as i64;
        let month = match hundredths {
            0 => return Err(format!("只有年份，缺少月份；{DATE_FORMS}")),
            10 => {
                return Err(format!(
                    "数字 {n} 可能是 {year}年1月 或 {year}年10月，请写作文字「{year}年10月」或日期"
                ));
            }
            h if h % 10 == 0 => h / 10,
            h if h <= 12 => h,
            _ => return Err(DATE_FORMS.into()),
        };
        return month_end(year, month as i8)
            .ok_or_else(|| DATE_FORMS.to_owned())
            .and_then(plausible);
    }
    from_serial(n)
        .ok_or_else(|| DATE_FORMS.to_owned())
        .and_then(plausible)
}

fn ymd_digits(s: &str) -> Result<Date, Expected> {
    let n = |r: std::ops::Range<usize>| s[r].parse::<i16>().map_err(|_| DATE_FORMS.to_owned());
    let (y, m) = (n(0..4)?, n(4..6)?);
    let date = if s.len() == 8 {
        Date::new(y, m as i8, n(6..8)? as i8).map_err(|_| format!("{s} 不是有效日期"))?
    } else {
        month_end(y, m as i8).ok_or_else(|| format!("{s} 不是有效月份"))?
    };
    plausible(date)
}

fn text_date(k: &str) -> Result<Date, Expected> {
    if k.chars().all(|c| c.is_ascii_digit()) {
        return match k.len() {
            8 | 6 => ymd_digits(k),
            _ => match k.parse::<f64>() {
                // A serial typed as text.
                Ok(n) if k.len() <= 5 => number_date(n),
                _ => Err(DATE_FORMS.into()),
            },
        };
    }
    if !k
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '-' | '/' | '.' | '年' | '月' | '日' | '号'))
    {
        return Err(DATE_FORMS.into());
    }
    let parts: Vec<&str> = k
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .collect();
    let num = |p: &str| p.parse::<i16>().map_err(|_| DATE_FORMS.to_owned());
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 && m.len() <= 2 && d.len() <= 2 => {
            let (y, m, d) = (num(y)?, num(m)?, num(d)?);
            let date = Date::new(y, m as i8, d as i8).map_err(|_| format!("{k} 不是有效日期"))?;
            plausible(date)
        }
        [y, m] if y.len() == 4 && m.len() <= 2 => {
            let (y, m) = (num(y)?, num(m)?);
            month_end(y, m as i8)
                .ok_or_else(|| format!("{k} 不是有效月份"))
                .and_then(plausible)
        }
        [_] => Err(format!("只有年份，缺少月份；{DATE_FORMS}")),
        _ => Err(DATE_FORMS.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Data {
        Data::String(v.into())
    }

    fn d(y: i16, m: i8, day: i8) -> Option<Date> {
        Some(Date::constant(y, m, day))
    }

    #[test]
    fn every_date_form_reads() {
        for form in [
            "2021-05-31",
            "2021/5/31",
            "2021.5.31",
            "2021年5月31日",
            "２０２１年５月３１日",
            "20210531",
            "2021-05-31 00:00:00",
            "2021年5月",
            "2021-05",
            "2021.5",
            "2021/05",
            "44347",
        ] {
            assert_eq!(date(&s(form)), Ok(d(2021, 5, 31)), "{form}");
        }
        assert_eq!(date(&Data::Float(44347.0)), Ok(d(2021, 5, 31)));
        assert_eq!(date(&Data::Int(20210531)), Ok(d(2021, 5, 31)));
        assert_eq!(date(&Data::Float(2021.5)), Ok(d(2021, 5, 31)));
        assert_eq!(date(&Data::Float(2021.12)), Ok(d(2021, 12, 31)));
        assert_eq!(date(&s("2021年2月")), Ok(d(2021, 2, 28)));
        assert_eq!(date(&s("")), Ok(None));
    }

    #[test]
    fn bad_dates_say_what_was_expected() {
        assert!(date(&Data::Float(2021.1)).unwrap_err().contains("10月"));
        assert!(date(&s("2021")).unwrap_err().contains("缺少月份"));
        assert!(date(&s("2021-02-30")).is_err());
        assert!(date(&s("下月底")).is_err());
        assert!(date(&s("1850-01-01")).is_err());
        assert!(date(&Data::Bool(true)).is_err());
    }

    #[test]
    fn amounts_take_the_unit_of_the_header_or_the_cell() {
        assert_eq!(money(&Data::Float(1.5), 10_000), Ok(Some(Money(15_000))));
        assert_eq!(
            money(&Data::Float(1.5), 100_000_000),
            Ok(Some(Money(150_000_000)))
        );
        assert_eq!(money(&s("１，２００"), 10_000), Ok(Some(Money(12_000_000))));
        assert_eq!(money(&s("0.5亿元"), 10_000), Ok(Some(Money(50_000_000))));
        assert_eq!(
            money(&s("300万元"), 100_000_000),
            Ok(Some(Money(3_000_000)))
        );
        assert!(money(&s("三百万"), 10_000).is_err());
        assert!(money(&Data::Float(-1.0), 10_000).is_err());
    }

    #[test]
    fn text_drops_the_neutralising_quote_only_where_it_was_added() {
        assert_eq!(text(&s("'=1+1")), Ok(Some("=1+1".into())));
        assert_eq!(text(&s("'abc")), Ok(Some("'abc".into())));
        assert_eq!(text(&s("\u{3000}映湖区 ")), Ok(Some("映湖区".into())));
        assert_eq!(text(&Data::Float(2021001.0)), Ok(Some("2021001".into())));
    }

    #[test]
    fn keys_fold_full_width_forms() {
        assert_eq!(key("总投资（万元）"), "总投资(万元)");
        assert_eq!(key("项目 名称\u{3000}"), "项目名称");
    }
}
