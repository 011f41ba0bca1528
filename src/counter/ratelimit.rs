//! A per-client token bucket, kept in memory and keyed by the salted client fingerprint.
//!
//! Each client may make `limit` requests at once and then `limit` per minute, refilled
//! smoothly. The buckets live only in this process (a rate limit need not survive a
//! restart), and idle full buckets are dropped from time to time so memory stays bounded.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use super::privacy::Fingerprint;

/// How many checks pass between two sweeps of idle buckets.
const SWEEP_EVERY: u64 = 4096;

/// Token buckets for all clients.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    per_minute: f64,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    buckets: HashMap<Fingerprint, Bucket>,
    checks: u64,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl RateLimiter {
    /// A limiter allowing `per_minute` requests per minute per client (0 means no limit).
    pub(crate) fn new(per_minute: u32) -> RateLimiter {
        RateLimiter {
            per_minute: f64::from(per_minute),
            inner: Mutex::new(Inner::default()),
        }
    }

    /// Takes one token for `client`; false when its bucket is empty.
    pub(crate) fn allow(&self, client: &Fingerprint) -> bool {
        self.allow_at(client, Instant::now())
    }

    fn allow_at(&self, client: &Fingerprint, now: Instant) -> bool {
        if self.per_minute <= 0.0 {
            return true;
        }
        let capacity = self.per_minute;
        let per_second = self.per_minute / 60.0;
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.checks += 1;
        if inner.checks.is_multiple_of(SWEEP_EVERY) {
            inner.buckets.retain(|_, b| {
                b.tokens + now.duration_since(b.updated).as_secs_f64() * per_second < capacity
            });
        }
        let bucket = inner.buckets.entry(*client).or_insert(Bucket {
            tokens: capacity,
            updated: now,
        });
        let elapsed = now.duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_second).min(capacity);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
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
    fn bucket_empties_then_refills() {
        let limiter = RateLimiter::new(3);
        let a = [1u8; 16];
        let b = [2u8; 16];
        let t0 = Instant::now();
        assert!(limiter.allow_at(&a, t0));
        assert!(limiter.allow_at(&a, t0));
        assert!(limiter.allow_at(&a, t0));
        assert!(!limiter.allow_at(&a, t0));
        assert!(limiter.allow_at(&b, t0), "clients have separate buckets");
        // Three per minute: one token back after twenty seconds.
        assert!(limiter.allow_at(&a, t0 + Duration::from_secs(21)));
        assert!(!limiter.allow_at(&a, t0 + Duration::from_secs(21)));
    }

    #[test]
    fn zero_means_unlimited() {
        let limiter = RateLimiter::new(0);
        assert!((0..1000).all(|_| limiter.allow(&[0u8; 16])));
    }
}
