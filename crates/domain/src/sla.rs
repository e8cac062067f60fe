//! Service levels in business hours: when a site is open (per weekday, with
//! holidays), when work received at a moment is due after so many business
//! minutes, and how many business minutes lie between two moments. Pure:
//! the caller gives the time zone and the moments.

use std::collections::BTreeSet;

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

/// Opening hours per weekday and the days closed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BusinessHours {
    /// Monday first; `None` closed all day.
    pub open: [Option<(Time, Time)>; 7],
    pub holidays: BTreeSet<Date>,
}

/// Why business hours could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("business hours '{text}': {why} (write e.g. 'Mon-Fri 08:00-17:00; Sat 09:00-12:00')")]
pub struct HoursError {
    pub text: String,
    pub why: String,
}

const DAYS: [(&str, &str); 7] = [
    ("mon", "mo"),
    ("tue", "di"),
    ("wed", "mi"),
    ("thu", "do"),
    ("fri", "fr"),
    ("sat", "sa"),
    ("sun", "so"),
];

fn day_index(name: &str) -> Option<usize> {
    let n = name.trim().to_lowercase();
    DAYS.iter()
        .position(|(en, de)| n == *en || n == *de || (n.len() >= 3 && en.starts_with(&n[..3])))
}

fn weekday_index(w: Weekday) -> usize {
    usize::from(w.to_monday_zero_offset().unsigned_abs())
}

impl BusinessHours {
    /// `Mon-Fri 08:00-17:00; Sat 09:00-12:00` (German day names too), and
    /// the holidays as ISO dates.
    pub fn parse(text: &str, holidays: &[String]) -> Result<BusinessHours, HoursError> {
        let err = |why: String| HoursError {
            text: text.to_owned(),
            why,
        };
        let mut hours = BusinessHours::default();
        for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (days, times) = part
                .split_once(char::is_whitespace)
                .ok_or_else(|| err(format!("'{part}' names no hours")))?;
            let (from, to) = times
                .trim()
                .split_once('-')
                .ok_or_else(|| err(format!("'{times}' is not FROM-TO")))?;
            let time = |t: &str| {
                t.trim()
                    .parse::<Time>()
                    .map_err(|_| err(format!("'{}' is not a time of day", t.trim())))
            };
            let (from, to) = (time(from)?, time(to)?);
            if to <= from {
                return Err(err(format!("{to} is not after {from}")));
            }
            let (first, last) = match days.split_once('-') {
                Some((a, b)) => (a, b),
                None => (days, days),
            };
            let first = day_index(first).ok_or_else(|| err(format!("'{first}' is not a weekday")))?;
            let last = day_index(last).ok_or_else(|| err(format!("'{last}' is not a weekday")))?;
            if last < first {
                return Err(err(format!("'{days}' runs backwards")));
            }
            for d in first..=last {
                hours.open[d] = Some((from, to));
            }
        }
        if hours.open.iter().all(Option::is_none) {
            return Err(err("no day is open".into()));
        }
        for h in holidays {
            hours.holidays.insert(
                h.trim()
                    .parse::<Date>()
                    .map_err(|_| err(format!("holiday '{h}' is not a date (YYYY-MM-DD)")))?,
            );
        }
        Ok(hours)
    }

    /// The open span of `day`, if it is open.
    fn span(&self, day: Date) -> Option<(Time, Time)> {
        if self.holidays.contains(&day) {
            return None;
        }
        self.open[weekday_index(day.weekday())]
    }

    /// When work received at `start` is due after `minutes` of business time.
    pub fn due_after(&self, start: Timestamp, minutes: i64, zone: &TimeZone) -> Timestamp {
        let mut left = SignedDuration::from_mins(minutes.max(0));
        let mut at = start.to_zoned(zone.clone());
        // Ten years of days at most: a calendar with no open day never loops.
        for _ in 0..3660 {
            let day = at.date();
            if let Some((open, close)) = self.span(day) {
                let (Ok(opens), Ok(closes)) = (
                    day.to_datetime(open).to_zoned(zone.clone()),
                    day.to_datetime(close).to_zoned(zone.clone()),
                ) else {
                    break;
                };
                let from = if at.timestamp() > opens.timestamp() {
                    at.clone()
                } else {
                    opens
                };
                if from.timestamp() < closes.timestamp() {
                    let available = closes.timestamp().duration_since(from.timestamp());
                    if left <= available {
                        return from.timestamp() + left;
                    }
                    left -= available;
                }
            }
            let Ok(next) = day
                .tomorrow()
                .and_then(|d| d.to_datetime(Time::midnight()).to_zoned(zone.clone()))
            else {
                break;
            };
            at = next;
        }
        start + SignedDuration::from_mins(minutes.max(0))
    }

    /// Business time between `a` and `b` (zero when `b` is not after `a`).
    pub fn between(&self, a: Timestamp, b: Timestamp, zone: &TimeZone) -> SignedDuration {
        if b <= a {
            return SignedDuration::ZERO;
        }
        let mut total = SignedDuration::ZERO;
        let mut day = a.to_zoned(zone.clone()).date();
        let last = b.to_zoned(zone.clone()).date();
        while day <= last {
            if let Some((open, close)) = self.span(day)
                && let (Ok(opens), Ok(closes)) = (
                    day.to_datetime(open).to_zoned(zone.clone()),
                    day.to_datetime(close).to_zoned(zone.clone()),
                )
            {
                let from = opens.timestamp().max(a);
                let to = closes.timestamp().min(b);
                if to > from {
                    total += to.duration_since(from);
                }
            }
            match day.tomorrow() {
                Ok(next) => day = next,
                Err(_) => break,
            }
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn berlin() -> TimeZone {
        TimeZone::get("Europe/Berlin").unwrap()
    }

    fn at(text: &str) -> Timestamp {
        jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M", text)
            .unwrap()
            .to_zoned(berlin())
            .unwrap()
            .timestamp()
    }

    fn office() -> BusinessHours {
        BusinessHours::parse("Mo-Fr 08:00-17:00; Sa 09:00-12:00", &["2026-12-24".into()]).unwrap()
    }

    #[test]
    fn due_times_skip_nights_weekends_and_holidays() {
        let h = office();
        // Friday 15:00 + 4 business hours: 2 h Friday, Saturday 09:00-11:00.
        assert_eq!(
            h.due_after(at("2026-11-27 15:00"), 240, &berlin()),
            at("2026-11-28 11:00")
        );
        // Saturday 11:30 + 4 h: 30 min Saturday, Monday 08:00 + 3.5 h.
        assert_eq!(
            h.due_after(at("2026-11-28 11:30"), 240, &berlin()),
            at("2026-11-30 11:30")
        );
        // Received at night: the clock starts at opening.
        assert_eq!(
            h.due_after(at("2026-12-01 03:10"), 60, &berlin()),
            at("2026-12-01 09:00")
        );
        // Over Christmas Eve (a holiday, a Thursday) to the 25th.
        assert_eq!(
            h.due_after(at("2026-12-23 16:00"), 120, &berlin()),
            at("2026-12-25 09:00")
        );
        // Over the change to summer time (29 March 2026): business hours are local hours.
        assert_eq!(
            h.due_after(at("2026-03-27 16:00"), 180, &berlin()),
            at("2026-03-28 11:00")
        );
    }

    #[test]
    fn business_time_between_two_moments() {
        let h = office();
        assert_eq!(
            h.between(at("2026-11-27 15:00"), at("2026-11-30 09:00"), &berlin()),
            SignedDuration::from_hours(6),
            "2 h Friday, 3 h Saturday, 1 h Monday"
        );
        assert_eq!(
            h.between(at("2026-11-30 09:00"), at("2026-11-27 15:00"), &berlin()),
            SignedDuration::ZERO
        );
    }

    #[test]
    fn hours_are_read_with_their_mistakes_named() {
        assert!(BusinessHours::parse("Mon-Fri 08:00-17:00", &[]).is_ok());
        for bad in [
            "",
            "Mon-Fri",
            "Mon-Fri 17:00-08:00",
            "Xyz 08:00-17:00",
            "Fri-Mon 08:00-17:00",
        ] {
            assert!(BusinessHours::parse(bad, &[]).is_err(), "{bad}");
        }
        let e = BusinessHours::parse("Mon-Fri 08:00-17:00", &["24.12.2026".into()]).unwrap_err();
        assert!(e.to_string().contains("holiday '24.12.2026'"), "{e}");
    }

    #[test]
    fn processing_time_in_business_hours_leaves_out_nights_and_weekends() {
        let h = office();
        let order = |received: &str, confirmed: &str| crate::kpi::OrderFact {
            received_at: at(received),
            confirmed_at: at(confirmed),
            straight_through: false,
            entry_error: false,
            customer_no: None,
            channel: "imap".into(),
            clerk: Some("anna".into()),
            format: "pdf".into(),
        };
        let orders = [
            // Friday evening to Monday morning.
            order("2026-11-27 16:30", "2026-11-30 08:30"),
            // Over midnight on a weekday: 30 min Tuesday evening, 30 min Wednesday morning.
            order("2026-12-01 16:30", "2026-12-02 08:30"),
            // Within one day.
            order("2026-12-03 09:00", "2026-12-03 10:00"),
        ];
        let s = crate::kpi::processing_time_by(&orders, |a, b| h.between(a, b, &berlin())).unwrap();
        // 30 min Friday + 3 h Saturday + 30 min Monday = 4 h; 1 h; 1 h.
        assert_eq!(s.median, SignedDuration::from_hours(1));
        assert_eq!(s.p90, SignedDuration::from_hours(4));
        let wall = crate::kpi::processing_time(&orders).unwrap();
        assert_eq!(
            wall.p90,
            SignedDuration::from_hours(64),
            "wall-clock counts the weekend"
        );
    }
}
