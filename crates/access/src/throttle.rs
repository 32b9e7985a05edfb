//! Login throttling per (account, source address), in place of a lock any stranger could set off.
//!
//! A lock on the account itself (five failures from anywhere) lets anybody who knows a user name
//! keep its owner out. Here every count belongs to one user name *and* one source address:
//!
//! - the first [`ThrottlePolicy::free_failures`] failures cost nothing;
//! - each further failure makes the next attempt from that source wait `2^n` seconds
//!   (n = failures past the free ones), capped at [`ThrottlePolicy::max_delay_ms`];
//! - at [`ThrottlePolicy::lock_after`] failures the source is locked out of that account for
//!   [`ThrottlePolicy::lock_for_ms`] (the 等保 lockout after repeated failures, kept per source).
//!
//! The same rules apply to names that match no account, so the answers never tell which names
//! exist. All times are milliseconds since the Unix epoch, passed in by the caller.

use serde::{Deserialize, Serialize};

use crate::session::MINUTE_MS;

/// How failures from one source against one user name slow and then stop further attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThrottlePolicy {
    /// Failures that cost no waiting.
    pub free_failures: u32,
    /// The longest wait between attempts before the lock.
    pub max_delay_ms: i64,
    /// Failures that lock the source out of the account.
    pub lock_after: u32,
    /// How long that lock lasts.
    pub lock_for_ms: i64,
    /// A count untouched for this long starts again from zero.
    pub forget_after_ms: i64,
}

/// One (user name, source) pair's failures, as storage keeps them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThrottleState {
    /// Consecutive failures.
    pub failures: u32,
    /// When the last failure happened.
    pub last_failure_ms: i64,
    /// When the lock ends, once the source has been locked out.
    pub locked_until_ms: Option<i64>,
}

/// Why an attempt is not even checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Too soon after the last failure: allowed again from `until_ms`.
    Wait {
        /// The first instant another attempt is considered.
        until_ms: i64,
    },
    /// Locked out until `until_ms`.
    Locked {
        /// When the lock ends.
        until_ms: i64,
    },
}

impl ThrottlePolicy {
    /// Three free failures, then 2 s, 4 s, 8 s … (at most 5 minutes) between attempts; the tenth
    /// failure locks that source out of that account for 30 minutes; a day without failures
    /// forgets them.
    pub const STANDARD: ThrottlePolicy = ThrottlePolicy {
        free_failures: 3,
        max_delay_ms: 5 * MINUTE_MS,
        lock_after: 10,
        lock_for_ms: 30 * MINUTE_MS,
        forget_after_ms: 24 * 60 * MINUTE_MS,
    };

    /// The wait after `failures` consecutive failures: none for the free ones, then `2^n`
    /// seconds for the n-th failure past them, capped.
    pub fn delay_ms(&self, failures: u32) -> i64 {
        if failures <= self.free_failures {
            return 0;
        }
        let n = (failures - self.free_failures).min(40);
        (1000i64 << n).min(self.max_delay_ms)
    }

    /// The state as it counts at `now_ms`: a stale count, or one whose lock has ended, is
    /// forgotten.
    pub fn current(&self, state: ThrottleState, now_ms: i64) -> ThrottleState {
        let lock_over = state.locked_until_ms.is_some_and(|until| now_ms >= until);
        let stale = state.failures > 0 && now_ms - state.last_failure_ms >= self.forget_after_ms;
        if lock_over || stale {
            ThrottleState::default()
        } else {
            state
        }
    }

    /// Whether an attempt at `now_ms` may be checked at all. The lock and the wait end at their
    /// instant itself.
    pub fn check(&self, state: ThrottleState, now_ms: i64) -> Result<(), Refusal> {
        let state = self.current(state, now_ms);
        if let Some(until_ms) = state.locked_until_ms {
            return Err(Refusal::Locked { until_ms });
        }
        let until_ms = state.last_failure_ms + self.delay_ms(state.failures);
        if state.failures > self.free_failures && now_ms < until_ms {
            return Err(Refusal::Wait { until_ms });
        }
        Ok(())
    }

    /// The state after a failed (checked) attempt at `now_ms`. A refused attempt is not a
    /// failure: it changes nothing, so hammering a locked pair does not extend its lock.
    pub fn after_failure(&self, state: ThrottleState, now_ms: i64) -> ThrottleState {
        if self.check(state, now_ms).is_err() {
            return state;
        }
        let failures = self.current(state, now_ms).failures.saturating_add(1);
        ThrottleState {
            failures,
            last_failure_ms: now_ms,
            locked_until_ms: (failures >= self.lock_after).then_some(now_ms + self.lock_for_ms),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_700_000_000_000;
    const P: ThrottlePolicy = ThrottlePolicy::STANDARD;

    fn fail(n: u32, mut at: i64) -> (ThrottleState, i64) {
        let mut s = ThrottleState::default();
        for _ in 0..n {
            at = match P.check(s, at) {
                Ok(()) => at,
                Err(Refusal::Wait { until_ms }) => until_ms,
                Err(Refusal::Locked { .. }) => panic!("locked early"),
            };
            s = P.after_failure(s, at);
        }
        (s, at)
    }

    #[test]
    fn three_failures_are_free_and_the_fourth_makes_the_next_attempt_wait_two_seconds() {
        let (three, at) = fail(3, T0);
        assert_eq!(P.check(three, at), Ok(()));
        let four = P.after_failure(three, at);
        assert_eq!(
            P.check(four, at + 1999),
            Err(Refusal::Wait {
                until_ms: at + 2000
            })
        );
        assert_eq!(P.check(four, at + 2000), Ok(()));
    }

    #[test]
    fn the_delay_doubles_and_is_capped() {
        assert_eq!(P.delay_ms(0), 0);
        assert_eq!(P.delay_ms(3), 0);
        assert_eq!(P.delay_ms(4), 2_000);
        assert_eq!(P.delay_ms(5), 4_000);
        assert_eq!(P.delay_ms(9), 64_000);
        assert_eq!(P.delay_ms(12), 5 * MINUTE_MS);
        assert_eq!(P.delay_ms(u32::MAX), 5 * MINUTE_MS);
    }

    #[test]
    fn a_refused_attempt_changes_nothing() {
        let (four, at) = fail(4, T0);
        assert_eq!(P.after_failure(four, at + 1), four);
    }

    #[test]
    fn the_tenth_failure_locks_that_source_for_30_minutes() {
        let (nine, at) = fail(9, T0);
        assert!(nine.locked_until_ms.is_none());
        let (ten, at10) = fail(10, T0);
        assert!(at10 > at);
        assert_eq!(ten.locked_until_ms, Some(at10 + 30 * MINUTE_MS));
        assert_eq!(
            P.check(ten, at10 + 30 * MINUTE_MS - 1),
            Err(Refusal::Locked {
                until_ms: at10 + 30 * MINUTE_MS
            })
        );
        // Guessing while locked does not extend the lock.
        assert_eq!(P.after_failure(ten, at10 + MINUTE_MS), ten);
        // From the lock's end the count starts again: three free failures.
        assert_eq!(P.check(ten, at10 + 30 * MINUTE_MS), Ok(()));
        let after = P.after_failure(ten, at10 + 30 * MINUTE_MS);
        assert_eq!(after.failures, 1);
        assert!(after.locked_until_ms.is_none());
    }

    #[test]
    fn a_day_without_failures_forgets_them() {
        let (five, at) = fail(5, T0);
        let day = 24 * 60 * MINUTE_MS;
        assert_eq!(P.current(five, at + day - 1), five);
        assert_eq!(P.current(five, at + day), ThrottleState::default());
        assert_eq!(P.after_failure(five, at + day).failures, 1);
    }
}
