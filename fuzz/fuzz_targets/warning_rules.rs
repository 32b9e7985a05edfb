//! The warning rules TOML (`jianguan rules set`, the settings page): read and validated; valid
//! rules then drive the daily job over the demo city, as `app::cadence` runs it — evaluate a day
//! in June, record its changes, evaluate a day in October against that history — and the
//! office's 督办/约谈 proposals.
#![no_main]

use std::sync::OnceLock;

use jianguan_domain::Date;
use jianguan_domain::acts;
use jianguan_domain::model::Portfolio;
use jianguan_domain::warnings::{WarningBook, WarningRules, evaluate};
use libfuzzer_sys::fuzz_target;

fn city() -> &'static Portfolio {
    static CITY: OnceLock<Portfolio> = OnceLock::new();
    CITY.get_or_init(jianguan_demo::demo_city)
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(rules) = WarningRules::from_toml(text) else {
        return;
    };
    let city = city();
    let june = Date::constant(2021, 6, 30);
    let first = evaluate(city, &rules, &WarningBook::default(), june);
    let events = WarningBook::default().changes(city, &first, june, rules.version);
    let book = WarningBook::new(events);
    let october = Date::constant(2021, 10, 31);
    let second = evaluate(city, &rules, &book, october);
    let _ = book.changes(city, &second, october, rules.version);
    let _ = acts::propose(city, &rules.proposals, &book, &[], &[], october);
});
