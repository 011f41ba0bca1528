//! Calendar periods of the counters, always reckoned in Vietnam time (Asia/Ho_Chi_Minh).
//!
//! A hit is filed under the Vietnamese day, ISO week (Monday first) and month it falls in,
//! whatever the server's own time zone. Each period has a short text key (`d2026-11-23`,
//! `w2026-W48`, `m2026-11`, `total`) that the Redis store uses as a hash field, and a range
//! of days ([`DayRanges`]) over which the SQLite store sums its daily rows; this module is
//! the one place where "today" and "this week" are decided.

use chrono::{DateTime, Datelike, Duration, NaiveDate, SecondsFormat, Utc};
use chrono_tz::Asia::Ho_Chi_Minh;

/// The key of the all-time counter.
pub(crate) const TOTAL: &str = "total";

/// The period keys a hit at one instant is counted under, and the keys a stats request at
/// that instant reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Periods {
    pub(crate) today: String,
    pub(crate) yesterday: String,
    pub(crate) week: String,
    pub(crate) month: String,
}

impl Periods {
    /// The periods containing `now`, in Vietnam time.
    pub(crate) fn at(now: DateTime<Utc>) -> Periods {
        let day = vietnam_day(now);
        let week = day.iso_week();
        Periods {
            today: day_key(day),
            yesterday: day_key(day - Duration::days(1)),
            week: format!("w{}-W{:02}", week.year(), week.week()),
            month: format!("m{}-{:02}", day.year(), day.month()),
        }
    }

    /// The keys a stats answer reads: today, yesterday, week, month, total (in that order).
    pub(crate) fn stats_keys(&self) -> [&str; 5] {
        [&self.today, &self.yesterday, &self.week, &self.month, TOTAL]
    }
}

/// The days (as `YYYY-MM-DD`, which sort in date order) that make up each period around
/// one instant: a period is the inclusive range `[first, last]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DayRanges {
    pub(crate) today: String,
    pub(crate) yesterday: String,
    pub(crate) week: (String, String),
    pub(crate) month: (String, String),
}

impl DayRanges {
    /// The day ranges around `now`, in Vietnam time.
    pub(crate) fn at(now: DateTime<Utc>) -> DayRanges {
        let day = vietnam_day(now);
        let monday = day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
        let first = day.with_day(1).unwrap_or(day);
        let next_month = if day.month() == 12 {
            NaiveDate::from_ymd_opt(day.year() + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(day.year(), day.month() + 1, 1)
        };
        let last = next_month.map_or(day, |d| d - Duration::days(1));
        DayRanges {
            today: day_text(day),
            yesterday: day_text(day - Duration::days(1)),
            week: (day_text(monday), day_text(monday + Duration::days(6))),
            month: (day_text(first), day_text(last)),
        }
    }
}

/// A day as `YYYY-MM-DD`.
pub(crate) fn day_text(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// The calendar day in Vietnam at `now`.
pub(crate) fn vietnam_day(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&Ho_Chi_Minh).date_naive()
}

/// `now` written in Vietnam time with its offset, e.g. `2026-11-23T10:00:00+07:00`.
pub(crate) fn vietnam_timestamp(now: DateTime<Utc>) -> String {
    now.with_timezone(&Ho_Chi_Minh)
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

fn day_key(day: NaiveDate) -> String {
    format!("d{}", day_text(day))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    #[test]
    fn late_evening_utc_is_the_next_day_in_vietnam() {
        // 23:30 UTC on 22 November is 06:30 on 23 November in Vietnam.
        let p = Periods::at(utc(2026, 11, 22, 23, 30));
        assert_eq!(p.today, "d2026-11-23");
        assert_eq!(p.yesterday, "d2026-11-22");
        // 16:59 UTC is still 23:59 the same day; 17:00 UTC is the next day.
        assert_eq!(Periods::at(utc(2026, 11, 22, 16, 59)).today, "d2026-11-22");
        assert_eq!(Periods::at(utc(2026, 11, 22, 17, 0)).today, "d2026-11-23");
    }

    #[test]
    fn weeks_start_on_monday_and_follow_iso_numbering() {
        // Sunday 22 November 2026 (Vietnam) ends ISO week 47; Monday 23 starts week 48.
        assert_eq!(Periods::at(utc(2026, 11, 22, 12, 0)).week, "w2026-W47");
        assert_eq!(Periods::at(utc(2026, 11, 22, 17, 0)).week, "w2026-W48");
        // 1 January 2027 is a Friday and belongs to ISO week 53 of 2026.
        assert_eq!(Periods::at(utc(2027, 1, 1, 3, 0)).week, "w2026-W53");
    }

    #[test]
    fn months_and_years_turn_at_vietnam_midnight() {
        let p = Periods::at(utc(2026, 12, 31, 17, 0));
        assert_eq!(p.today, "d2027-01-01");
        assert_eq!(p.yesterday, "d2026-12-31");
        assert_eq!(p.month, "m2027-01");
        assert_eq!(Periods::at(utc(2026, 12, 31, 16, 59)).month, "m2026-12");
    }

    #[test]
    fn day_ranges_cover_the_vietnam_week_and_month() {
        // 23:30 UTC on Sunday 22 November is Monday 23 November in Vietnam.
        let r = DayRanges::at(utc(2026, 11, 22, 23, 30));
        assert_eq!(r.today, "2026-11-23");
        assert_eq!(r.yesterday, "2026-11-22");
        assert_eq!(r.week, ("2026-11-23".into(), "2026-11-29".into()));
        assert_eq!(r.month, ("2026-11-01".into(), "2026-11-30".into()));
        let r = DayRanges::at(utc(2026, 12, 31, 17, 0));
        assert_eq!(r.week, ("2026-12-28".into(), "2027-01-03".into()));
        assert_eq!(r.month, ("2027-01-01".into(), "2027-01-31".into()));
    }

    #[test]
    fn timestamps_carry_the_vietnam_offset() {
        assert_eq!(
            vietnam_timestamp(utc(2026, 11, 23, 3, 0)),
            "2026-11-23T10:00:00+07:00"
        );
    }
}
