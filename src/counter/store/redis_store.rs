//! Counts in Redis, shared by several service instances behind a load balancer.
//!
//! A hit is filed by one Lua script, which Redis runs atomically: it checks the hit id,
//! increments the period fields of the unit's and the page's hashes, and marks the visitor
//! in the unit's "online" sorted set. So two instances never see half a hit, and they agree
//! on every figure. The daily salt is set with `SET NX`, so the first instance to need it
//! picks it and the others read the same one.
//!
//! The connection manager reconnects by itself; while Redis is away every call fails within
//! about a second, and the service answers 503 instead of waiting.
//!
//! How durable a count is depends on the Redis server's own settings: use `appendonly yes`
//! (with `appendfsync everysec` or `always`) where counts must survive a Redis restart.

use std::time::Duration;

use anyhow::{anyhow, Context};
use chrono::{DateTime, NaiveDate, Utc};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::Script;

use super::{millis, window_millis, Counts, Hit, Recorded, Store};
use crate::counter::period::Periods;
use crate::counter::privacy::{hex, new_salt, Salt};

/// How long any single Redis call may take before it fails.
const TIMEOUT: Duration = Duration::from_millis(1000);
/// How long hit ids and salts are kept, in seconds.
const KEEP_SECS: u64 = 2 * 24 * 3600;

const HIT_SCRIPT: &str = r"
-- KEYS: unit hash, page hash or '', online set, hit-id key or '', set of units
-- ARGV: day, week, month, visitor, now (ms), window (ms), unit, id ttl (s)
if KEYS[4] ~= '' then
  if not redis.call('SET', KEYS[4], '1', 'NX', 'EX', ARGV[8]) then return 0 end
end
for i = 1, 2 do
  if KEYS[i] ~= '' then
    redis.call('HINCRBY', KEYS[i], ARGV[1], 1)
    redis.call('HINCRBY', KEYS[i], ARGV[2], 1)
    redis.call('HINCRBY', KEYS[i], ARGV[3], 1)
    redis.call('HINCRBY', KEYS[i], 'total', 1)
  end
end
local now = tonumber(ARGV[5])
local window = tonumber(ARGV[6])
redis.call('ZADD', KEYS[3], now, ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - window)
redis.call('PEXPIRE', KEYS[3], window * 2)
redis.call('SADD', KEYS[5], ARGV[7])
return 1
";

const UNITS_KEY: &str = "cong:units";

/// The Redis store.
pub(crate) struct RedisStore {
    url: String,
    conn: ConnectionManager,
    window: Duration,
    hit: Script,
}

impl RedisStore {
    /// Connects to Redis at `url`.
    pub(crate) async fn connect(url: &str, window: Duration) -> anyhow::Result<RedisStore> {
        let client = redis::Client::open(url).with_context(|| {
            format!("`{url}` is not a valid Redis URL (e.g. redis://127.0.0.1:6379/)")
        })?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(TIMEOUT)
            .set_response_timeout(TIMEOUT)
            .set_number_of_retries(1)
            .set_factor(50)
            .set_max_delay(500);
        let conn = ConnectionManager::new_with_config(client, config)
            .await
            .with_context(|| {
                format!("cannot reach Redis at `{url}`; check that redis-server is running there")
            })?;
        Ok(RedisStore {
            url: url.to_string(),
            conn,
            window,
            hit: Script::new(HIT_SCRIPT),
        })
    }
}

fn counts_key(unit: &str, path: &str) -> String {
    format!("cong:counts:{unit}\n{path}")
}

fn online_key(unit: &str) -> String {
    format!("cong:online:{unit}")
}

impl Store for RedisStore {
    async fn record(&self, hit: Hit) -> anyhow::Result<Recorded> {
        let periods = Periods::at(hit.at);
        let page_key = hit
            .path
            .as_deref()
            .map(|path| counts_key(&hit.unit, path))
            .unwrap_or_default();
        let id_key = hit
            .id
            .as_deref()
            .map(|id| format!("cong:hit:{id}"))
            .unwrap_or_default();
        let mut conn = self.conn.clone();
        let counted: i64 = self
            .hit
            .key(counts_key(&hit.unit, ""))
            .key(page_key)
            .key(online_key(&hit.unit))
            .key(id_key)
            .key(UNITS_KEY)
            .arg(&periods.today)
            .arg(&periods.week)
            .arg(&periods.month)
            .arg(hex(&hit.visitor))
            .arg(millis(hit.at))
            .arg(window_millis(self.window))
            .arg(&hit.unit)
            .arg(KEEP_SECS)
            .invoke_async(&mut conn)
            .await
            .with_context(|| format!("Redis at `{}` did not save the hit", self.url))?;
        Ok(if counted == 1 {
            Recorded::Counted
        } else {
            Recorded::Duplicate
        })
    }

    async fn counts(
        &self,
        unit: &str,
        path: Option<&str>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Counts> {
        let periods = Periods::at(now);
        let since = millis(now) - window_millis(self.window);
        let mut conn = self.conn.clone();
        let (values, online): (Vec<Option<u64>>, u64) = redis::pipe()
            .cmd("HMGET")
            .arg(counts_key(unit, path.unwrap_or("")))
            .arg(&periods.stats_keys()[..])
            .cmd("ZCOUNT")
            .arg(online_key(unit))
            .arg(since)
            .arg("+inf")
            .query_async(&mut conn)
            .await
            .with_context(|| format!("Redis at `{}` did not answer", self.url))?;
        let mut out = [0u64; 5];
        for (slot, value) in out.iter_mut().zip(values) {
            *slot = value.unwrap_or(0);
        }
        Ok(Counts::from_periods(online, out))
    }

    async fn salt(&self, day: NaiveDate) -> anyhow::Result<Salt> {
        let key = format!("cong:salt:{}", day.format("%Y-%m-%d"));
        let previous = day
            .pred_opt()
            .map(|d| format!("cong:salt:{}", d.format("%Y-%m-%d")))
            .unwrap_or_default();
        let candidate = new_salt()?;
        let mut conn = self.conn.clone();
        let (stored,): (Vec<u8>,) = redis::pipe()
            .atomic()
            .cmd("SET")
            .arg(&key)
            .arg(&candidate[..])
            .arg("NX")
            .arg("EX")
            .arg(KEEP_SECS)
            .ignore()
            // Yesterday's salt is forgotten, so yesterday's digests can no longer be recomputed.
            .cmd("DEL")
            .arg(&previous)
            .ignore()
            .cmd("GET")
            .arg(&key)
            .query_async(&mut conn)
            .await
            .with_context(|| format!("Redis at `{}` did not give the daily salt", self.url))?;
        Salt::try_from(stored)
            .map_err(|_| anyhow!("the salt stored in Redis at `{key}` is damaged"))
    }

    async fn health(&self) -> anyhow::Result<()> {
        let mut conn = self.conn.clone();
        let _: String = redis::cmd("PING")
            .query_async(&mut conn)
            .await
            .with_context(|| format!("Redis at `{}` did not answer PING", self.url))?;
        Ok(())
    }

    async fn units(&self) -> anyhow::Result<Vec<String>> {
        let mut conn = self.conn.clone();
        let mut units: Vec<String> = redis::cmd("SMEMBERS")
            .arg(UNITS_KEY)
            .query_async(&mut conn)
            .await
            .with_context(|| format!("Redis at `{}` did not list the units", self.url))?;
        units.sort();
        Ok(units)
    }

    fn describe(&self) -> String {
        format!("Redis at `{}`", self.url)
    }
}
