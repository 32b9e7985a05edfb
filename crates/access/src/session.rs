//! Time limits on sessions and accounts, and locking an account after repeated failed logins.
//!
//! All times are integer milliseconds since the Unix epoch, passed in by the caller: the rules
//! stay pure, storage keeps the timestamps it already has, and tests need no clock.

use serde::{Deserialize, Serialize};

use crate::roles::Role;

/// One minute in milliseconds.
pub const MINUTE_MS: i64 = 60_000;
/// One hour in milliseconds.
pub const HOUR_MS: i64 = 60 * MINUTE_MS;
/// One day in milliseconds.
pub const DAY_MS: i64 = 24 * HOUR_MS;

/// Whether an account must pass a second factor (TOTP) to log in: required for the three
/// administrators, whose accounts reach every other account, the policies or the audit trail.
/// Optional for everyone else.
pub fn second_factor_required(roles: &[Role]) -> bool {
    roles.iter().any(|r| r.is_administrator())
}

/// How long a session lasts: ended after `idle_ms` without a request, and `absolute_ms` after
/// login whatever the activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionPolicy {
    /// Longest gap between two requests.
    pub idle_ms: i64,
    /// Longest session from login.
    pub absolute_ms: i64,
}

/// Why a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum Expiry {
    /// Too long without a request.
    #[error("长时间未操作，登录已失效，请重新登录")]
    Idle,
    /// Too long since login.
    #[error("登录时间已达上限，请重新登录")]
    Absolute,
}

impl SessionPolicy {
    /// For campaign users: 30 minutes idle, 8 hours in all (a working day).
    pub const STANDARD: SessionPolicy = SessionPolicy {
        idle_ms: 30 * MINUTE_MS,
        absolute_ms: 8 * HOUR_MS,
    };

    /// For administrators, whose stolen session would do the most harm: 15 minutes idle, 4 hours
    /// in all.
    pub const ADMINISTRATOR: SessionPolicy = SessionPolicy {
        idle_ms: 15 * MINUTE_MS,
        absolute_ms: 4 * HOUR_MS,
    };

    /// The policy for an account holding `roles`: the administrator one if any role is an
    /// administrator's.
    pub fn for_roles(roles: &[Role]) -> SessionPolicy {
        if roles.iter().any(|r| r.is_administrator()) {
            SessionPolicy::ADMINISTRATOR
        } else {
            SessionPolicy::STANDARD
        }
    }

    /// Whether a session created at `created_ms` and last used at `last_seen_ms` has ended by
    /// `now_ms`, and why. A session ends at the limit itself, not a millisecond after. When both
    /// limits have passed the absolute one is named, being the one no activity could have
    /// avoided.
    pub fn expired(&self, created_ms: i64, last_seen_ms: i64, now_ms: i64) -> Option<Expiry> {
        if now_ms - created_ms >= self.absolute_ms {
            Some(Expiry::Absolute)
        } else if now_ms - last_seen_ms >= self.idle_ms {
            Some(Expiry::Idle)
        } else {
            None
        }
    }
}

/// Rules that disable accounts over time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountPolicy {
    /// An account not logged into for this long is disabled: accounts of people who have moved
    /// on are the ones nobody notices being used.
    pub dormant_after_ms: i64,
}

/// Why an account may not log in although the password is right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum AccountBlock {
    /// Not used for too long.
    #[error("账户已超过 {days} 天未使用，已停用，请联系系统管理员")]
    Dormant {
        /// The dormancy limit in days.
        days: i64,
    },
    /// Past its expiry date.
    #[error("账户已过有效期，请联系系统管理员")]
    Expired,
}

impl AccountPolicy {
    /// 90 days.
    pub const STANDARD: AccountPolicy = AccountPolicy {
        dormant_after_ms: 90 * DAY_MS,
    };

    /// Whether an account may still log in at `now_ms`.
    ///
    /// Dormancy counts from the last login, or from creation for an account never used (an
    /// account created and forgotten is disabled too). `expires_at_ms` is the first instant the
    /// account is no longer valid: for an expiry *date*, the caller passes the start of the
    /// following day in the city's time zone.
    pub fn check(
        &self,
        created_ms: i64,
        last_login_ms: Option<i64>,
        expires_at_ms: Option<i64>,
        now_ms: i64,
    ) -> Result<(), AccountBlock> {
        if expires_at_ms.is_some_and(|expires| now_ms >= expires) {
            return Err(AccountBlock::Expired);
        }
        let last_used = last_login_ms.map_or(created_ms, |login| login.max(created_ms));
        if now_ms - last_used >= self.dormant_after_ms {
            return Err(AccountBlock::Dormant {
                days: self.dormant_after_ms / DAY_MS,
            });
        }
        Ok(())
    }
}

/// When to lock an account against password guessing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockoutPolicy {
    /// Consecutive failed logins that lock the account.
    pub max_failures: u32,
    /// How long the lock lasts.
    pub lock_for_ms: i64,
}

/// An account's record of failed logins, as storage keeps it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockoutState {
    /// Consecutive failures since the last success or the last lock ended.
    pub failures: u32,
    /// When the current lock ends, if the account has been locked.
    pub locked_until_ms: Option<i64>,
}

/// A refused login attempt on a locked account. The message is shown to the user as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("登录失败次数过多，账户已锁定，请 {minutes_left} 分钟后再试")]
pub struct Locked {
    /// Whole minutes until the lock ends, rounded up.
    pub minutes_left: i64,
}

impl LockoutPolicy {
    /// Five failures lock the account for 30 minutes.
    pub const STANDARD: LockoutPolicy = LockoutPolicy {
        max_failures: 5,
        lock_for_ms: 30 * MINUTE_MS,
    };

    /// Whether the account is locked at `now_ms`. The lock ends at `locked_until_ms` itself.
    pub fn is_locked(&self, state: LockoutState, now_ms: i64) -> bool {
        state.locked_until_ms.is_some_and(|until| now_ms < until)
    }

    /// [`LockoutPolicy::is_locked`] as a `Result` carrying the message to show.
    pub fn check(&self, state: LockoutState, now_ms: i64) -> Result<(), Locked> {
        match state.locked_until_ms {
            Some(until) if now_ms < until => Err(Locked {
                minutes_left: (until - now_ms + MINUTE_MS - 1) / MINUTE_MS,
            }),
            _ => Ok(()),
        }
    }

    /// The state after a failed login at `now_ms`.
    ///
    /// A failure while locked changes nothing: the password is not even checked then, and
    /// extending the lock would let anyone keep a colleague locked out for good by guessing. A
    /// failure after a lock has ended starts a fresh count, so the account gets five more tries
    /// rather than being locked again at the first mistake.
    pub fn after_failure(&self, state: LockoutState, now_ms: i64) -> LockoutState {
        if self.is_locked(state, now_ms) {
            return state;
        }
        let failures = if state.locked_until_ms.is_some() {
            1
        } else {
            state.failures.saturating_add(1)
        };
        if failures >= self.max_failures {
            LockoutState {
                failures,
                locked_until_ms: Some(now_ms + self.lock_for_ms),
            }
        } else {
            LockoutState {
                failures,
                locked_until_ms: None,
            }
        }
    }

    /// The state after a successful login: the count starts again.
    pub fn after_success(&self, _state: LockoutState) -> LockoutState {
        LockoutState::default()
    }
}

/// The security administrator's settings for logins (stored as the setting `security`, TOML).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SecuritySettings {
    /// 口令定期更换: a password older than this many days must be changed at the next request
    /// (0: never expires).
    pub max_password_age_days: u32,
    /// Sessions one account may hold at once; a new login ends the oldest beyond it (at least 1).
    pub max_sessions: u32,
    /// Whether every account, not only the administrators', must use a second factor.
    pub second_factor_for_all: bool,
}

impl Default for SecuritySettings {
    fn default() -> Self {
        SecuritySettings::STANDARD
    }
}

impl SecuritySettings {
    /// 90 days, 3 sessions, a second factor required of administrators only.
    pub const STANDARD: SecuritySettings = SecuritySettings {
        max_password_age_days: 90,
        max_sessions: 3,
        second_factor_for_all: false,
    };

    /// Whether a password set at `changed_at_ms` has expired by `now_ms` (at the limit itself).
    pub fn password_expired(&self, changed_at_ms: i64, now_ms: i64) -> bool {
        self.max_password_age_days > 0
            && now_ms - changed_at_ms >= i64::from(self.max_password_age_days) * DAY_MS
    }

    /// Whether an account holding `roles` must pass a second factor: administrators always,
    /// everyone when the setting says so.
    pub fn second_factor_required(&self, roles: &[Role]) -> bool {
        self.second_factor_for_all || second_factor_required(roles)
    }

    /// The sessions an account keeps (never fewer than one: the one being created).
    pub fn sessions_kept(&self) -> u32 {
        self.max_sessions.max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_700_000_000_000;

    #[test]
    fn administrators_get_the_short_session_and_need_a_second_factor() {
        assert_eq!(
            SessionPolicy::for_roles(&[Role::DistrictStaff]),
            SessionPolicy::STANDARD
        );
        assert_eq!(SessionPolicy::for_roles(&[]), SessionPolicy::STANDARD);
        for admin in [Role::SystemAdmin, Role::SecurityAdmin, Role::AuditAdmin] {
            assert_eq!(
                SessionPolicy::for_roles(&[admin]),
                SessionPolicy::ADMINISTRATOR
            );
            assert!(second_factor_required(&[admin]));
        }
        assert!(!second_factor_required(&[Role::HqLeader, Role::HqOffice]));
        assert_eq!(SessionPolicy::STANDARD.idle_ms, 30 * 60 * 1000);
        assert_eq!(SessionPolicy::STANDARD.absolute_ms, 8 * 3600 * 1000);
        assert_eq!(SessionPolicy::ADMINISTRATOR.idle_ms, 15 * 60 * 1000);
        assert_eq!(SessionPolicy::ADMINISTRATOR.absolute_ms, 4 * 3600 * 1000);
    }

    #[test]
    fn a_session_idle_for_30_minutes_has_ended() {
        let p = SessionPolicy::STANDARD;
        let seen = T0 + HOUR_MS;
        assert_eq!(p.expired(T0, seen, seen + 30 * MINUTE_MS - 1), None);
        assert_eq!(
            p.expired(T0, seen, seen + 30 * MINUTE_MS),
            Some(Expiry::Idle)
        );
    }

    #[test]
    fn an_active_session_ends_8_hours_after_login() {
        let p = SessionPolicy::STANDARD;
        let end = T0 + 8 * HOUR_MS;
        assert_eq!(p.expired(T0, end - MINUTE_MS, end - 1), None);
        assert_eq!(p.expired(T0, end - MINUTE_MS, end), Some(Expiry::Absolute));
    }

    #[test]
    fn an_administrator_session_ends_after_15_idle_minutes_or_4_hours() {
        let p = SessionPolicy::ADMINISTRATOR;
        assert_eq!(p.expired(T0, T0, T0 + 15 * MINUTE_MS), Some(Expiry::Idle));
        assert_eq!(
            p.expired(T0, T0 + 4 * HOUR_MS - 1, T0 + 4 * HOUR_MS),
            Some(Expiry::Absolute)
        );
        assert_eq!(p.expired(T0, T0, T0 + 15 * MINUTE_MS - 1), None);
    }

    #[test]
    fn when_both_limits_pass_the_absolute_one_is_named() {
        let p = SessionPolicy::STANDARD;
        assert_eq!(p.expired(T0, T0, T0 + 9 * HOUR_MS), Some(Expiry::Absolute));
    }

    #[test]
    fn expiry_messages_read_in_chinese() {
        assert_eq!(
            Expiry::Idle.to_string(),
            "长时间未操作，登录已失效，请重新登录"
        );
    }

    #[test]
    fn an_account_unused_for_90_days_is_dormant() {
        let p = AccountPolicy::STANDARD;
        let login = T0 + DAY_MS;
        assert_eq!(
            p.check(T0, Some(login), None, login + 90 * DAY_MS - 1),
            Ok(())
        );
        assert_eq!(
            p.check(T0, Some(login), None, login + 90 * DAY_MS),
            Err(AccountBlock::Dormant { days: 90 })
        );
        assert_eq!(
            AccountBlock::Dormant { days: 90 }.to_string(),
            "账户已超过 90 天未使用，已停用，请联系系统管理员"
        );
    }

    #[test]
    fn an_account_never_used_is_dormant_90_days_after_creation() {
        let p = AccountPolicy::STANDARD;
        assert_eq!(p.check(T0, None, None, T0 + 89 * DAY_MS), Ok(()));
        assert_eq!(
            p.check(T0, None, None, T0 + 90 * DAY_MS),
            Err(AccountBlock::Dormant { days: 90 })
        );
    }

    #[test]
    fn an_account_is_refused_from_its_expiry_instant() {
        let p = AccountPolicy::STANDARD;
        let expires = T0 + 10 * DAY_MS;
        assert_eq!(p.check(T0, Some(T0), Some(expires), expires - 1), Ok(()));
        assert_eq!(
            p.check(T0, Some(T0), Some(expires), expires),
            Err(AccountBlock::Expired)
        );
    }

    fn fail_times(p: &LockoutPolicy, mut state: LockoutState, n: u32, at: i64) -> LockoutState {
        for _ in 0..n {
            state = p.after_failure(state, at);
        }
        state
    }

    #[test]
    fn four_failures_do_not_lock_and_the_fifth_locks_for_30_minutes() {
        let p = LockoutPolicy::STANDARD;
        let four = fail_times(&p, LockoutState::default(), 4, T0);
        assert_eq!(four.failures, 4);
        assert!(!p.is_locked(four, T0));
        let five = p.after_failure(four, T0);
        assert!(p.is_locked(five, T0));
        assert!(p.is_locked(five, T0 + 30 * MINUTE_MS - 1));
        assert!(!p.is_locked(five, T0 + 30 * MINUTE_MS));
    }

    #[test]
    fn failures_while_locked_do_not_extend_the_lock() {
        let p = LockoutPolicy::STANDARD;
        let locked = fail_times(&p, LockoutState::default(), 5, T0);
        let later = fail_times(&p, locked, 10, T0 + 20 * MINUTE_MS);
        assert_eq!(later, locked);
    }

    #[test]
    fn after_a_lock_ends_the_count_starts_again() {
        let p = LockoutPolicy::STANDARD;
        let locked = fail_times(&p, LockoutState::default(), 5, T0);
        let after = p.after_failure(locked, T0 + 30 * MINUTE_MS);
        assert_eq!(
            after,
            LockoutState {
                failures: 1,
                locked_until_ms: None
            }
        );
        let again = fail_times(&p, after, 4, T0 + 31 * MINUTE_MS);
        assert!(p.is_locked(again, T0 + 31 * MINUTE_MS));
    }

    #[test]
    fn a_success_clears_the_failures() {
        let p = LockoutPolicy::STANDARD;
        let four = fail_times(&p, LockoutState::default(), 4, T0);
        let ok = p.after_success(four);
        assert_eq!(ok, LockoutState::default());
        assert!(!p.is_locked(p.after_failure(ok, T0), T0));
    }

    #[test]
    fn the_lock_message_rounds_minutes_up() {
        let p = LockoutPolicy::STANDARD;
        let locked = fail_times(&p, LockoutState::default(), 5, T0);
        assert_eq!(p.check(locked, T0), Err(Locked { minutes_left: 30 }));
        assert_eq!(
            p.check(locked, T0 + 29 * MINUTE_MS + 1),
            Err(Locked { minutes_left: 1 })
        );
        assert_eq!(p.check(locked, T0 + 30 * MINUTE_MS), Ok(()));
        assert_eq!(
            Locked { minutes_left: 30 }.to_string(),
            "登录失败次数过多，账户已锁定，请 30 分钟后再试"
        );
    }

    #[test]
    fn a_password_expires_at_its_maximum_age() {
        let s = SecuritySettings::STANDARD;
        assert!(!s.password_expired(T0, T0 + 90 * DAY_MS - 1));
        assert!(s.password_expired(T0, T0 + 90 * DAY_MS));
        let never = SecuritySettings {
            max_password_age_days: 0,
            ..s
        };
        assert!(!never.password_expired(T0, T0 + 10_000 * DAY_MS));
    }

    #[test]
    fn the_setting_can_require_a_second_factor_of_everyone() {
        let s = SecuritySettings::STANDARD;
        assert!(!s.second_factor_required(&[Role::DistrictStaff]));
        assert!(s.second_factor_required(&[Role::AuditAdmin]));
        let all = SecuritySettings {
            second_factor_for_all: true,
            ..s
        };
        assert!(all.second_factor_required(&[Role::DistrictStaff]));
        assert_eq!(
            SecuritySettings {
                max_sessions: 0,
                ..s
            }
            .sessions_kept(),
            1
        );
        let parsed: SecuritySettings = serde_json::from_str(r#"{"max_sessions":5}"#).unwrap();
        assert_eq!(parsed.max_sessions, 5);
        assert_eq!(parsed.max_password_age_days, 90);
    }
}
