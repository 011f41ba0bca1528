//! The hit ids of the last two days, kept by the SQLite writer to count a resent hit once.
//!
//! A page may send the same hit again when it did not get the answer (the service may have
//! stopped just after counting it). The writer checks each id against a set in memory and
//! appends new ones to the `hit_ids` table in time order, so the check needs no index and
//! the writes stay sequential; at start-up the table is read back into the set, and ids
//! older than two days are dropped from both.

use std::collections::{HashSet, VecDeque};

use chrono::Utc;
use rusqlite::Connection;
use sha2::{Digest, Sha256};

use super::millis;

/// How long a hit id is remembered for de-duplication.
pub(super) const HIT_ID_TTL_MS: i64 = 2 * 24 * 3600 * 1000;

/// The hit ids of the last two days, in memory and in the `hit_ids` table.
#[derive(Default)]
pub(super) struct RecentIds {
    pub(super) set: HashSet<i64>,
    /// (time, digest, rowid) in the order they were filed.
    pub(super) order: VecDeque<(i64, i64, i64)>,
}

impl RecentIds {
    pub(super) fn load(conn: &Connection) -> rusqlite::Result<RecentIds> {
        let since = millis(Utc::now()) - HIT_ID_TTL_MS;
        let mut ids = RecentIds::default();
        let mut stmt =
            conn.prepare("SELECT at, digest, rowid FROM hit_ids WHERE at >= ?1 ORDER BY rowid")?;
        let rows = stmt.query_map([since], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
        for row in rows {
            let (at, digest, rowid) = row?;
            ids.set.insert(digest);
            ids.order.push_back((at, digest, rowid));
        }
        Ok(ids)
    }

    pub(super) fn digest(id: &str) -> i64 {
        let full = Sha256::digest(id.as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&full[..8]);
        i64::from_be_bytes(first)
    }

    /// Forgets ids older than `before`; returns the last rowid to delete, if any.
    pub(super) fn expire(&mut self, before: i64) -> Option<i64> {
        let mut last = None;
        while let Some(&(at, digest, rowid)) = self.order.front() {
            if at >= before {
                break;
            }
            self.order.pop_front();
            self.set.remove(&digest);
            last = Some(rowid);
        }
        last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_ids_are_forgotten_in_order() {
        let mut ids = RecentIds::default();
        for (at, id, rowid) in [(10, "a", 1), (20, "b", 2), (30, "c", 3)] {
            let digest = RecentIds::digest(id);
            ids.set.insert(digest);
            ids.order.push_back((at, digest, rowid));
        }
        assert_eq!(ids.expire(5), None);
        assert_eq!(ids.expire(25), Some(2));
        assert!(!ids.set.contains(&RecentIds::digest("a")));
        assert!(ids.set.contains(&RecentIds::digest("c")));
        assert_eq!(ids.order.len(), 1);
    }
}
