//! Numbered crash points in the writes that matter (filing, ledger import, scoring, publishing,
//! account changes, the audit append), for the test that kills the process at each one and
//! restarts (`crates/jianguan/tests/it/crash.rs`). They are the `fail` crate's failpoints, compiled
//! only with the feature `crash-points`, which only that test's build turns on (a dev-dependency
//! of the binary crate): a release build has none. Armed by the `fail` crate's `FAILPOINTS`
//! environment variable, e.g. `FAILPOINTS=crash.02.filing.before_commit=return`; when one is
//! reached the process aborts at once, like a power cut for everything not yet committed.

/// Every crash point, in the order a write reaches them.
pub const POINTS: &[&str] = &[
    "crash.01.filing.after_report_insert",
    "crash.02.filing.before_commit",
    "crash.03.filing.after_commit",
    "crash.04.import.midway",
    "crash.05.import.before_commit",
    "crash.06.import.after_commit",
    "crash.07.scoring.before_commit",
    "crash.08.publish.before_commit",
    "crash.09.publish.after_commit",
    "crash.10.account.before_commit",
    "crash.11.password.before_commit",
    "crash.12.audit.after_append",
];

/// Reads `FAILPOINTS` once at start (a no-op without the feature `crash-points`).
pub fn arm_from_env() {
    #[cfg(feature = "crash-points")]
    std::mem::forget(fail::FailScenario::setup());
}

/// Whether this build has the crash points compiled in.
pub fn compiled() -> bool {
    cfg!(feature = "crash-points")
}

/// A crash point: with the feature on and the point armed, the process aborts here.
macro_rules! crash_point {
    ($name:literal) => {
        #[cfg(feature = "crash-points")]
        {
            debug_assert!($crate::crash::POINTS.contains(&$name));
            if fail::eval($name, |_| ()).is_some() {
                eprintln!("crash point {} reached: aborting", $name);
                std::process::abort();
            }
        }
    };
}
pub(crate) use crash_point;
