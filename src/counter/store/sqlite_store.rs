//! Counts in one SQLite file (WAL journal), written by a single writer thread with group
//! commit.
//!
//! Every hit goes through a channel to the writer thread. The thread takes all hits that are
//! waiting, files them in one transaction, commits, and only then answers each of them; so
//! a hit is acknowledged only once it is in the database, and under load one commit serves
//! many hits. With `synchronous=NORMAL` in WAL mode a commit survives the process
//! being killed (it is in the operating system's cache); `--fsync` switches to `FULL` so it
//! also survives a power cut, at some cost in throughput. Reads use a second connection and
//! never wait for the writer, and a third one checkpoints the WAL in the background.
//!
//! Each hit adds to one row per scope (the unit, and the page) for its Vietnamese day;
//! weeks, months and the total are sums of those rows when read. So a commit touches few
//! pages, whatever the number of periods shown.
//!
//! Resent hits are recognised by their id (see [`super::recent_ids`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context};
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use tokio::sync::oneshot;

use super::recent_ids::{RecentIds, HIT_ID_TTL_MS};
use super::{millis, window_millis, Counts, Hit, Recorded, Store};
use crate::counter::period::{day_text, vietnam_day, DayRanges};
use crate::counter::privacy::{new_salt, Salt};

/// The most hits filed in one transaction.
const MAX_BATCH: usize = 2048;
/// How often "online" rows older than the window and expired hit ids are deleted.
const PRUNE_EVERY: Duration = Duration::from_secs(30);
/// How often the checkpoint thread copies the WAL back into the database file, and the
/// writer looks at the size of the WAL.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(100);
/// WAL size at which the writer checkpoints by itself, should the checkpoint thread never
/// catch up (only under sustained full load, when the WAL cannot be restarted otherwise).
const WAL_LIMIT_BYTES: u64 = 64 << 20;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS counts (
    unit TEXT NOT NULL,
    path TEXT NOT NULL,      -- '' for the unit as a whole
    day TEXT NOT NULL,       -- Vietnamese day, YYYY-MM-DD
    n INTEGER NOT NULL,
    PRIMARY KEY (unit, path, day)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS online (
    unit TEXT NOT NULL,
    visitor BLOB NOT NULL,   -- salted digest, never an address
    seen INTEGER NOT NULL,   -- unix milliseconds
    PRIMARY KEY (unit, visitor)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS hit_ids (
    at INTEGER NOT NULL,     -- unix milliseconds
    digest INTEGER NOT NULL  -- first 8 bytes of SHA-256 of the client-chosen id
);
CREATE TABLE IF NOT EXISTS salt (
    day TEXT PRIMARY KEY,
    salt BLOB NOT NULL
);
";

enum Job {
    Hit(Hit, oneshot::Sender<anyhow::Result<Recorded>>),
    Salt(NaiveDate, oneshot::Sender<anyhow::Result<Salt>>),
}

/// The SQLite store.
pub(crate) struct SqliteStore {
    path: PathBuf,
    jobs: mpsc::Sender<Job>,
    reader: Arc<Mutex<Connection>>,
    window: Duration,
    writer_alive: Arc<AtomicBool>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and starts its writer thread.
    pub(crate) fn open(path: &Path, window: Duration, fsync: bool) -> anyhow::Result<SqliteStore> {
        let writer = open_connection(path, fsync)?;
        // A separate thread checkpoints (see `checkpoint_loop`), so commits never wait
        // for the copy and the flushes that a checkpoint does.
        writer.pragma_update(None, "wal_autocheckpoint", 0)?;
        writer
            .execute_batch(SCHEMA)
            .with_context(|| format!("failed to create the tables in `{}`", path.display()))?;
        let reader = open_connection(path, fsync)?;
        let checkpointer = open_connection(path, fsync)?;
        let (jobs, rx) = mpsc::channel();
        let writer_alive = Arc::new(AtomicBool::new(true));
        let alive = Arc::clone(&writer_alive);
        std::thread::Builder::new()
            .name("counter-checkpoint".into())
            .spawn(move || checkpoint_loop(&checkpointer, &alive))
            .context("failed to start the database checkpoint thread")?;
        let alive = Arc::clone(&writer_alive);
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        let wal = PathBuf::from(wal);
        let thread_path = path.to_path_buf();
        let ids = RecentIds::load(&writer)
            .with_context(|| format!("failed to read the hit ids in `{}`", path.display()))?;
        std::thread::Builder::new()
            .name("counter-writer".into())
            .spawn(move || {
                Writer {
                    conn: writer,
                    window_ms: window_millis(window),
                    last_prune: Instant::now(),
                    last_checkpoint: Instant::now(),
                    wal,
                    ids,
                }
                .run(rx);
                alive.store(false, Ordering::SeqCst);
                log::debug!("writer of `{}` stopped", thread_path.display());
            })
            .context("failed to start the database writer thread")?;
        Ok(SqliteStore {
            path: path.to_path_buf(),
            jobs,
            reader: Arc::new(Mutex::new(reader)),
            window,
            writer_alive,
        })
    }

    async fn send<T>(
        &self,
        make: impl FnOnce(oneshot::Sender<anyhow::Result<T>>) -> Job,
    ) -> anyhow::Result<T> {
        let (tx, rx) = oneshot::channel();
        self.jobs
            .send(make(tx))
            .map_err(|_| anyhow!("the database writer has stopped"))?;
        rx.await
            .map_err(|_| anyhow!("the database writer stopped before answering"))?
    }

    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> anyhow::Result<T> {
        let reader = Arc::clone(&self.reader);
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let conn = reader.lock().unwrap_or_else(|e| e.into_inner());
            f(&conn).with_context(|| format!("failed to read `{}`", path.display()))
        })
        .await
        .context("the database reader panicked")?
    }
}

/// Copies committed pages from the WAL into the database file, and flushes it, in the
/// background; when the writer is idle after a complete checkpoint the WAL starts over.
fn checkpoint_loop(conn: &Connection, writer_alive: &AtomicBool) {
    while writer_alive.load(Ordering::SeqCst) {
        std::thread::sleep(CHECKPOINT_EVERY);
        if let Err(err) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            log::warn!("background checkpoint of the counter database failed: {err}");
        }
    }
}

fn open_connection(path: &Path, fsync: bool) -> anyhow::Result<Connection> {
    let conn = Connection::open(path)
        .with_context(|| format!("failed to open the counter database `{}`", path.display()))?;
    conn.busy_timeout(Duration::from_secs(5))?;
    let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        anyhow::bail!(
            "`{}` cannot use the WAL journal (got `{mode}`); put it on a local disk",
            path.display()
        );
    }
    conn.pragma_update(None, "synchronous", if fsync { "FULL" } else { "NORMAL" })?;
    Ok(conn)
}

impl Store for SqliteStore {
    async fn record(&self, hit: Hit) -> anyhow::Result<Recorded> {
        self.send(|tx| Job::Hit(hit, tx)).await
    }

    async fn counts(
        &self,
        unit: &str,
        path: Option<&str>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Counts> {
        let unit = unit.to_string();
        let path = path.unwrap_or("").to_string();
        let since = millis(now) - window_millis(self.window);
        self.read(move |conn| {
            let days = DayRanges::at(now);
            let sums: [i64; 5] = conn
                .prepare_cached(
                    "SELECT \
                       coalesce(sum(n) FILTER (WHERE day = ?3), 0), \
                       coalesce(sum(n) FILTER (WHERE day = ?4), 0), \
                       coalesce(sum(n) FILTER (WHERE day BETWEEN ?5 AND ?6), 0), \
                       coalesce(sum(n) FILTER (WHERE day BETWEEN ?7 AND ?8), 0), \
                       coalesce(sum(n), 0) \
                     FROM counts WHERE unit = ?1 AND path = ?2",
                )?
                .query_row(
                    params![
                        unit,
                        path,
                        days.today,
                        days.yesterday,
                        days.week.0,
                        days.week.1,
                        days.month.0,
                        days.month.1
                    ],
                    |row| {
                        Ok([
                            row.get(0)?,
                            row.get(1)?,
                            row.get(2)?,
                            row.get(3)?,
                            row.get(4)?,
                        ])
                    },
                )?;
            let values = sums.map(|n| u64::try_from(n).unwrap_or(0));
            let online: i64 = conn
                .prepare_cached("SELECT count(*) FROM online WHERE unit = ?1 AND seen >= ?2")?
                .query_row(params![unit, since], |row| row.get(0))?;
            Ok(Counts::from_periods(
                u64::try_from(online).unwrap_or(0),
                values,
            ))
        })
        .await
    }

    async fn salt(&self, day: NaiveDate) -> anyhow::Result<Salt> {
        self.send(|tx| Job::Salt(day, tx)).await
    }

    async fn health(&self) -> anyhow::Result<()> {
        if !self.writer_alive.load(Ordering::SeqCst) {
            anyhow::bail!("the database writer has stopped");
        }
        self.read(|conn| conn.query_row("SELECT count(*) FROM salt", [], |_| Ok(())))
            .await
    }

    async fn units(&self) -> anyhow::Result<Vec<String>> {
        self.read(|conn| {
            let mut stmt =
                conn.prepare("SELECT DISTINCT unit FROM counts WHERE path = '' ORDER BY unit")?;
            let units = stmt.query_map([], |row| row.get(0))?;
            units.collect()
        })
        .await
    }

    fn describe(&self) -> String {
        format!("SQLite database `{}`", self.path.display())
    }
}

/// The writer thread's state.
struct Writer {
    conn: Connection,
    window_ms: i64,
    last_prune: Instant,
    last_checkpoint: Instant,
    wal: PathBuf,
    ids: RecentIds,
}

impl Writer {
    fn run(mut self, rx: mpsc::Receiver<Job>) {
        while let Ok(first) = rx.recv() {
            let mut hits = Vec::new();
            let mut next = Some(first);
            while let Some(job) = next {
                match job {
                    Job::Hit(hit, reply) => hits.push((hit, reply)),
                    Job::Salt(day, reply) => {
                        let _ = reply.send(self.salt(day));
                    }
                }
                next = if hits.len() < MAX_BATCH {
                    rx.try_recv().ok()
                } else {
                    None
                };
            }
            if !hits.is_empty() {
                self.commit(hits);
            }
        }
    }

    /// Files a batch of hits in one transaction, then answers each of them.
    fn commit(&mut self, batch: Vec<(Hit, oneshot::Sender<anyhow::Result<Recorded>>)>) {
        let (hits, replies): (Vec<Hit>, Vec<_>) = batch.into_iter().unzip();
        let mut new_ids = Vec::new();
        let result = self.file(&hits, &mut new_ids);
        if result.is_err() {
            // The transaction was rolled back: forget the ids it would have filed.
            for (_, digest, _) in &new_ids {
                self.ids.set.remove(digest);
            }
        } else {
            self.ids.order.extend(new_ids);
        }
        match result {
            Ok(outcomes) => {
                for (reply, outcome) in replies.into_iter().zip(outcomes) {
                    let _ = reply.send(Ok(outcome));
                }
                // Under sustained full load the checkpoint thread never finds the WAL idle,
                // so it cannot restart it; then the writer checkpoints once the WAL is large
                // (most pages are already copied), after answering.
                if self.last_checkpoint.elapsed() >= CHECKPOINT_EVERY {
                    self.last_checkpoint = Instant::now();
                    let size = std::fs::metadata(&self.wal).map_or(0, |m| m.len());
                    if size > WAL_LIMIT_BYTES {
                        if let Err(err) =
                            self.conn
                                .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
                        {
                            log::warn!("checkpoint of the counter database failed: {err}");
                        }
                    }
                }
            }
            Err(err) => {
                log::error!("failed to save {} hit(s): {err:#}", hits.len());
                for reply in replies {
                    let _ = reply.send(Err(anyhow!("failed to save the hit: {err:#}")));
                }
            }
        }
    }

    /// Files hits in one transaction; `new_ids` receives the ids it files.
    fn file(
        &mut self,
        hits: &[Hit],
        new_ids: &mut Vec<(i64, i64, i64)>,
    ) -> anyhow::Result<Vec<Recorded>> {
        let prune = self.last_prune.elapsed() >= PRUNE_EVERY;
        let window_ms = self.window_ms;
        let expired_ids = if prune {
            self.ids.expire(millis(Utc::now()) - HIT_ID_TTL_MS)
        } else {
            None
        };
        let ids = &mut self.ids.set;
        let tx = self.conn.transaction()?;
        let mut outcomes = Vec::with_capacity(hits.len());
        {
            let mut add: HashMap<(&str, &str, String), i64> = HashMap::new();
            let mut seen: HashMap<(&str, &[u8]), i64> = HashMap::new();
            let mut insert_id =
                tx.prepare_cached("INSERT INTO hit_ids (at, digest) VALUES (?1, ?2)")?;
            for hit in hits {
                let at = millis(hit.at);
                if let Some(id) = &hit.id {
                    let digest = RecentIds::digest(id);
                    if ids.contains(&digest) {
                        outcomes.push(Recorded::Duplicate);
                        continue;
                    }
                    insert_id.execute(params![at, digest])?;
                    ids.insert(digest);
                    new_ids.push((at, digest, tx.last_insert_rowid()));
                }
                outcomes.push(Recorded::Counted);
                // Only the day is written; weeks, months and the total are sums of days.
                let day = day_text(vietnam_day(hit.at));
                let scopes = std::iter::once("").chain(hit.path.as_deref());
                for path in scopes {
                    *add.entry((&hit.unit, path, day.clone())).or_default() += 1;
                }
                let last = seen.entry((&hit.unit, &hit.visitor[..])).or_default();
                *last = (*last).max(at);
            }
            let mut upsert = tx.prepare_cached(
                "INSERT INTO counts (unit, path, day, n) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (unit, path, day) DO UPDATE SET n = n + excluded.n",
            )?;
            for ((unit, path, day), n) in &add {
                upsert.execute(params![unit, path, day, n])?;
            }
            let mut mark = tx.prepare_cached(
                "INSERT INTO online (unit, visitor, seen) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (unit, visitor) DO UPDATE SET seen = max(seen, excluded.seen)",
            )?;
            for ((unit, visitor), at) in &seen {
                mark.execute(params![unit, visitor, at])?;
            }
            if prune {
                let now = millis(Utc::now());
                tx.execute("DELETE FROM online WHERE seen < ?1", [now - window_ms])?;
                if let Some(rowid) = expired_ids {
                    tx.execute("DELETE FROM hit_ids WHERE rowid <= ?1", [rowid])?;
                }
            }
        }
        tx.commit().context("failed to commit")?;
        if prune {
            self.last_prune = Instant::now();
        }
        Ok(outcomes)
    }

    fn salt(&mut self, day: NaiveDate) -> anyhow::Result<Salt> {
        let key = day.format("%Y-%m-%d").to_string();
        let existing: Option<Vec<u8>> = self
            .conn
            .query_row("SELECT salt FROM salt WHERE day = ?1", [&key], |row| {
                row.get(0)
            })
            .optional()?;
        if let Some(salt) = existing.and_then(|bytes| Salt::try_from(bytes).ok()) {
            return Ok(salt);
        }
        let salt = new_salt()?;
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT OR REPLACE INTO salt (day, salt) VALUES (?1, ?2)",
            params![key, &salt[..]],
        )?;
        // Yesterday's salt is forgotten, so yesterday's digests can no longer be recomputed.
        tx.execute("DELETE FROM salt WHERE day < ?1", [&key])?;
        tx.commit()?;
        Ok(salt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// The store in `dir`: a five-minute online window, commits not synced to disk.
    fn open(dir: &tempfile::TempDir) -> SqliteStore {
        SqliteStore::open(
            &dir.path().join("c.sqlite"),
            Duration::from_secs(300),
            false,
        )
        .unwrap()
    }

    fn hit(unit: &str, path: Option<&str>, visitor: u8, at: DateTime<Utc>) -> Hit {
        Hit {
            unit: unit.into(),
            path: path.map(Into::into),
            visitor: [visitor; 16],
            id: None,
            at,
        }
    }

    #[tokio::test]
    async fn hits_are_counted_by_vietnam_day_week_and_month() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(&dir);
        // Sunday 22 November 2026, 12:00 in Vietnam.
        let sunday = Utc.with_ymd_and_hms(2026, 11, 22, 5, 0, 0).unwrap();
        // 23:30 UTC the same date is already Monday 23 November, 06:30 in Vietnam.
        let monday = Utc.with_ymd_and_hms(2026, 11, 22, 23, 30, 0).unwrap();
        store
            .record(hit("/", Some("/a/"), 1, sunday))
            .await
            .unwrap();
        store
            .record(hit("/", Some("/a/"), 2, sunday))
            .await
            .unwrap();
        store.record(hit("/", None, 3, monday)).await.unwrap();

        let unit = store.counts("/", None, monday).await.unwrap();
        assert_eq!(
            unit,
            Counts {
                online: 1,
                today: 1,
                yesterday: 2,
                week: 1,
                month: 3,
                total: 3
            }
        );
        let page = store.counts("/", Some("/a/"), monday).await.unwrap();
        assert_eq!((page.today, page.yesterday, page.total), (0, 2, 2));
        assert_eq!(store.units().await.unwrap(), vec!["/".to_string()]);
    }

    #[tokio::test]
    async fn a_hit_id_counts_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(&dir);
        let mut h = hit("/", None, 1, Utc::now());
        h.id = Some("abc123".into());
        assert_eq!(store.record(h.clone()).await.unwrap(), Recorded::Counted);
        assert_eq!(store.record(h.clone()).await.unwrap(), Recorded::Duplicate);
        drop(store);
        let store = open(&dir);
        assert_eq!(
            store.record(h).await.unwrap(),
            Recorded::Duplicate,
            "ids are remembered across restarts"
        );
        assert_eq!(store.counts("/", None, Utc::now()).await.unwrap().total, 1);
    }

    #[tokio::test]
    async fn the_salt_is_kept_for_the_day_and_rotates() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(&dir);
        let d1 = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let d2 = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let s1 = store.salt(d1).await.unwrap();
        assert_eq!(store.salt(d1).await.unwrap(), s1);
        assert_ne!(store.salt(d2).await.unwrap(), s1);
        let rows: i64 = store
            .read(|c| c.query_row("SELECT count(*) FROM salt", [], |r| r.get(0)))
            .await
            .unwrap();
        assert_eq!(rows, 1, "the old salt must be deleted");
    }
}
