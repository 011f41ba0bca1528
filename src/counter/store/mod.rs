//! Where the counts live: the [`Store`] trait and its SQLite and Redis implementations.
//!
//! The HTTP layer decides whether a hit counts; a store only files it. A hit is filed under
//! its unit and, when it names one, its page, for today, this week, this month and the
//! total (see [`super::period`]), and it marks its visitor fingerprint as seen for "online
//! now". A store answers only once the hit is durable, so an acknowledged hit is never lost.
//! It also keeps the daily salt, so that every instance sharing the store uses the same one.

mod recent_ids;
mod redis_store;
mod sqlite_store;

use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::privacy::{Fingerprint, Salt};

pub(crate) use redis_store::RedisStore;
pub(crate) use sqlite_store::SqliteStore;

/// One hit that passed every check and is to be counted.
#[derive(Debug, Clone)]
pub(crate) struct Hit {
    pub(crate) unit: String,
    /// The page, or `None` for a hit on the unit alone.
    pub(crate) path: Option<String>,
    pub(crate) visitor: Fingerprint,
    /// A client-chosen id that makes retries of the same hit count once.
    pub(crate) id: Option<String>,
    pub(crate) at: DateTime<Utc>,
}

/// What became of a hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Recorded {
    Counted,
    /// A hit with the same id was already counted.
    Duplicate,
}

/// The figures of the *Thống kê truy cập* block for one unit or page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Counts {
    pub(crate) online: u64,
    pub(crate) today: u64,
    pub(crate) yesterday: u64,
    pub(crate) week: u64,
    pub(crate) month: u64,
    pub(crate) total: u64,
}

impl Counts {
    /// Fills today, yesterday, week, month and total from values read in the order of
    /// [`super::period::Periods::stats_keys`].
    fn from_periods(online: u64, values: [u64; 5]) -> Counts {
        let [today, yesterday, week, month, total] = values;
        Counts {
            online,
            today,
            yesterday,
            week,
            month,
            total,
        }
    }
}

/// A place to keep counts. Every method fails (rather than waits) when the store cannot be
/// reached, so that the service can answer 503 at once.
pub(crate) trait Store: Send + Sync + 'static {
    /// Files a hit; returns only once it is durable.
    fn record(&self, hit: Hit) -> impl Future<Output = anyhow::Result<Recorded>> + Send;

    /// The counts of a unit, or of one of its pages, as of `now`. "Online" is always the
    /// unit's: distinct visitors seen within the online window before `now`.
    fn counts(
        &self,
        unit: &str,
        path: Option<&str>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = anyhow::Result<Counts>> + Send;

    /// The salt of a Vietnamese day, created on first use; older salts are deleted.
    fn salt(&self, day: NaiveDate) -> impl Future<Output = anyhow::Result<Salt>> + Send;

    /// Checks that the store answers.
    fn health(&self) -> impl Future<Output = anyhow::Result<()>> + Send;

    /// Every unit that has been counted at least once.
    fn units(&self) -> impl Future<Output = anyhow::Result<Vec<String>>> + Send;

    /// A short description for log lines, e.g. "SQLite database `counter.sqlite`".
    fn describe(&self) -> String;
}

/// Unix time in milliseconds.
fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

/// The window as whole milliseconds.
fn window_millis(window: Duration) -> i64 {
    i64::try_from(window.as_millis()).unwrap_or(i64::MAX)
}
