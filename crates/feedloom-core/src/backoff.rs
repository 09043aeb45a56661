//! Capped exponential backoff with jitter, shared by the source scheduler and the sink
//! drivers, and Retry-After parsing (seconds or an HTTP date).

use std::time::Duration;

use chrono::{DateTime, Utc};

/// Capped exponential backoff: `initial * 2^(attempt-1)`, at most `max`, then spread by
/// `jitter` (a fraction: 0.2 = the delay is drawn from ±20% of the nominal value).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Backoff {
    pub initial: Duration,
    pub max: Duration,
    pub jitter: f64,
}

impl Backoff {
    pub const fn new(initial: Duration, max: Duration) -> Self {
        Backoff {
            initial,
            max,
            jitter: 0.0,
        }
    }

    pub fn with_jitter(mut self, jitter: f64) -> Self {
        self.jitter = jitter.clamp(0.0, 1.0);
        self
    }

    /// The nominal (un-jittered) delay before retry number `attempt` (1 = first retry).
    pub fn nominal(&self, attempt: u32) -> Duration {
        let shift = attempt.saturating_sub(1).min(30);
        let d = self.initial.saturating_mul(1u32 << shift);
        d.min(self.max)
    }

    /// The delay before retry number `attempt`, jittered, never above `max`, and never
    /// shorter than what the server asked for in `retry_after`.
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let nominal = self.nominal(attempt);
        let d = spread(nominal, self.jitter).min(self.max);
        match retry_after {
            Some(ra) => d.max(ra),
            None => d,
        }
    }
}

/// `d` spread uniformly over `[d*(1-jitter), d*(1+jitter)]`.
pub fn spread(d: Duration, jitter: f64) -> Duration {
    if jitter <= 0.0 || d.is_zero() {
        return d;
    }
    let f = 1.0 + jitter * (2.0 * random_unit() - 1.0);
    d.mul_f64(f.max(0.0))
}

/// A random number in [0, 1) from a per-thread xorshift seeded from the clock and thread.
/// Jitter needs spread, not cryptographic quality.
pub fn random_unit() -> f64 {
    use std::cell::Cell;
    thread_local! {
        static STATE: Cell<u64> = Cell::new({
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0x9E37_79B9_7F4A_7C15);
            let addr = &t as *const u64 as u64;
            (t ^ addr.rotate_left(32)) | 1
        });
    }
    STATE.with(|s| {
        let mut x = s.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.set(x);
        (x >> 11) as f64 / (1u64 << 53) as f64
    })
}

/// Parse a `Retry-After` header value: delay-seconds or an HTTP date. A date in the past
/// means "now" (zero). Garbage gives `None`.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = DateTime::parse_from_rfc2822(v)
        .ok()
        .map(|d| d.with_timezone(&Utc))
        .or_else(|| {
            // RFC 850 and asctime forms are obsolete but still legal.
            chrono::NaiveDateTime::parse_from_str(v, "%A, %d-%b-%y %H:%M:%S GMT")
                .or_else(|_| chrono::NaiveDateTime::parse_from_str(v, "%a %b %e %H:%M:%S %Y"))
                .ok()
                .map(|n| n.and_utc())
        })?;
    Some((when - now).to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_and_caps() {
        let b = Backoff::new(Duration::from_secs(1), Duration::from_secs(10));
        let got: Vec<u64> = (1..=6).map(|a| b.delay(a, None).as_secs()).collect();
        assert_eq!(got, [1, 2, 4, 8, 10, 10]);
        assert_eq!(b.delay(40, None), Duration::from_secs(10));
    }

    #[test]
    fn retry_after_wins_when_longer() {
        let b = Backoff::new(Duration::from_secs(1), Duration::from_secs(10));
        assert_eq!(
            b.delay(1, Some(Duration::from_secs(120))),
            Duration::from_secs(120)
        );
        assert_eq!(
            b.delay(3, Some(Duration::from_secs(1))),
            Duration::from_secs(4)
        );
    }

    #[test]
    fn jitter_stays_in_band() {
        let b = Backoff::new(Duration::from_secs(100), Duration::from_secs(1000)).with_jitter(0.2);
        for _ in 0..1000 {
            let d = b.delay(1, None).as_secs_f64();
            assert!((80.0..=120.0).contains(&d), "{d}");
        }
    }

    #[test]
    fn parses_retry_after_forms() {
        let now = DateTime::parse_from_rfc3339("2015-10-21T07:28:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:29:00 GMT", now),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
