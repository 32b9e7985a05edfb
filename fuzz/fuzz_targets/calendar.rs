//! The reporting calendar TOML: read and checked, then a valid calendar lays out the periods of
//! every campaign year a page accepts (2000–2100, `params::YEAR`) whose days it names, and of
//! 2021, with deadlines moved to working days.
#![no_main]

use jianguan_domain::calendar::ReportingCalendar;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(calendar) = ReportingCalendar::from_toml(text) else {
        return;
    };
    let mut years: Vec<i16> = calendar
        .holidays
        .iter()
        .chain(&calendar.workdays)
        .map(|d| d.year())
        .filter(|y| (2000..=2100).contains(y))
        .collect();
    years.push(2021);
    years.sort_unstable();
    years.dedup();
    for year in years.into_iter().take(4) {
        let _ = calendar.periods(year, 1);
    }
});
