//! The scoring scheme TOML (`jianguan scheme set`, the scheme editor): read and checked against
//! the default indicator dictionary, as `jianguan scheme set` and the editor do.
#![no_main]

use jianguan_domain::assessment::Scheme;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = Scheme::from_toml(text);
});
