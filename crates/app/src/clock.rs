//! The one clock. Use cases never read the wall clock themselves: they are given a [`Clock`]
//! (or the instant and day it gives), so tests fix the day and every write is dated by one
//! source.

use std::time::{SystemTime, UNIX_EPOCH};

use jianguan_domain::Date;

/// Where today and now come from: the system clock, or a fixed day for tests and replays.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    today: fn() -> Date,
    now_ms: fn() -> i64,
}

impl Clock {
    /// The system clock: now from the operating system, today in China Standard Time.
    pub const fn system() -> Clock {
        Clock {
            today: today_in_china,
            now_ms: system_now_ms,
        }
    }

    /// A clock whose day is fixed by `today` (instants still come from the system, so sessions
    /// and audit records stay ordered).
    pub const fn with_today(today: fn() -> Date) -> Clock {
        Clock {
            today,
            now_ms: system_now_ms,
        }
    }

    /// Today in the campaign's time zone.
    pub fn today(&self) -> Date {
        (self.today)()
    }

    /// Milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> i64 {
        (self.now_ms)()
    }
}

impl Default for Clock {
    fn default() -> Clock {
        Clock::system()
    }
}

/// Today in the campaign's time zone (China Standard Time, a fixed +08:00).
pub fn today_in_china() -> Date {
    let offset = jiff::tz::TimeZone::fixed(jiff::tz::offset(8));
    offset.to_datetime(jiff::Timestamp::now()).date()
}

/// Milliseconds since the Unix epoch by the system clock.
pub fn system_now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// The instant a day begins in China Standard Time, in epoch milliseconds.
pub fn start_of_day_ms(day: Date) -> Option<i64> {
    jiff::tz::offset(8)
        .to_timestamp(day.to_datetime(jiff::civil::Time::midnight()))
        .ok()
        .map(|t| t.as_millisecond())
}
