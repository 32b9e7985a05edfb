//! Request rate limits: a token bucket per client address, for login attempts and for the API.
//! Kept in each node's memory — a limit per node, which behind several nodes multiplies; account
//! lockout (in the database) is what holds across nodes.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// A bucket size and refill rate.
#[derive(Debug, Clone, Copy)]
pub struct Rate {
    /// Requests allowed in a burst.
    pub burst: f64,
    /// Requests regained per second.
    pub per_second: f64,
}

/// Login attempts: 10 at once, then one every 6 seconds, per client address.
pub const LOGIN: Rate = Rate {
    burst: 10.0,
    per_second: 1.0 / 6.0,
};

/// API calls: 600 at once, then 20 a second, per client address.
pub const API: Rate = Rate {
    burst: 600.0,
    per_second: 20.0,
};

/// A bucket: tokens left and when it was last touched.
type Bucket = (f64, Instant);

/// Token buckets keyed by (limit name, client).
#[derive(Debug, Default)]
pub struct RateLimiter {
    buckets: Mutex<HashMap<(&'static str, String), Bucket>>,
}

impl RateLimiter {
    /// Takes one token for `key` under `rate`; false when the bucket is empty.
    pub fn allow(&self, name: &'static str, key: &str, rate: Rate) -> bool {
        self.allow_at(name, key, rate, Instant::now())
    }

    fn allow_at(&self, name: &'static str, key: &str, rate: Rate, now: Instant) -> bool {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        // Forget idle clients now and then, so the map does not grow without bound.
        if buckets.len() > 100_000 {
            buckets.retain(|_, (_, seen)| now.duration_since(*seen).as_secs() < 3_600);
        }
        let (tokens, seen) = buckets
            .entry((name, key.to_string()))
            .or_insert((rate.burst, now));
        let refill = now.duration_since(*seen).as_secs_f64() * rate.per_second;
        *tokens = (*tokens + refill).min(rate.burst);
        *seen = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_burst_is_allowed_then_refused_until_tokens_refill() {
        let limiter = RateLimiter::default();
        let rate = Rate {
            burst: 3.0,
            per_second: 1.0,
        };
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.allow_at("x", "1.2.3.4", rate, t0));
        }
        assert!(!limiter.allow_at("x", "1.2.3.4", rate, t0));
        assert!(limiter.allow_at("x", "5.6.7.8", rate, t0), "per client");
        assert!(limiter.allow_at("x", "1.2.3.4", rate, t0 + Duration::from_secs(1)));
        assert!(!limiter.allow_at("x", "1.2.3.4", rate, t0 + Duration::from_secs(1)));
    }
}
