//! The form and query extractors (`crates/web/src/params.rs`): arbitrary bytes as an
//! urlencoded body and as a query string, through every `FromParams` type.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a current-thread runtime")
    })
}

fuzz_target!(|data: &[u8]| {
    runtime().block_on(jianguan_web::fuzz::read_every_form(data));
});
