//! Every date rule of the language lives here: calendar days, weeks, months with
//! end-of-month clamping, business days under the Belgian public holidays, business hours,
//! and wall-clock hours in the contract's time zone. No other module does date arithmetic.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{
    Datelike, Days, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike, Weekday,
};
use chrono_tz::Tz;

use crate::ast::{Duration, Unit};

/// The first and last years the tool accepts. Belgian holidays are computed by rule
/// for every year in this range; dates outside it are rejected with a diagnostic.
pub const FIRST_YEAR: i32 = 1900;
pub const LAST_YEAR: i32 = 2199;

/// A point in time as a contract or scenario states it: a whole day, or a local date-time
/// in the contract's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Moment {
    Date(NaiveDate),
    DateTime(NaiveDateTime),
}

impl Moment {
    pub fn date(self) -> NaiveDate {
        match self {
            Moment::Date(d) => d,
            Moment::DateTime(dt) => dt.date(),
        }
    }

    /// The instant used for ordering: a whole day sorts at its start.
    pub fn sort_key(self) -> NaiveDateTime {
        match self {
            Moment::Date(d) => d.and_time(NaiveTime::MIN),
            Moment::DateTime(dt) => dt,
        }
    }

    /// Whether something done at `self` is done by the deadline `deadline`.
    /// A whole-day deadline includes the whole day; a whole-day act meets a date-time
    /// deadline when it happens on or before the deadline's day (its hour is unknown).
    pub fn is_by(self, deadline: Moment) -> bool {
        match (self, deadline) {
            (Moment::DateTime(at), Moment::DateTime(due)) => at <= due,
            (at, due) => at.date() <= due.date(),
        }
    }
}

/// The evaluation instant, placed in the contract's time zone. A date alone (`as of
/// 2025-03-15`) is the end of that day: every act dated that day has happened, a deadline on
/// that day has not yet passed and one at a time of that day has. A date-time (`as of
/// 2025-03-15T10:00`) is that instant: an act has happened when it is at or before it (an act
/// dated by its day only, on that day, has), and a deadline has passed when it is before it
/// (a whole-day deadline passes when its day has ended).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AsOf {
    EndOfDay(NaiveDate),
    At(NaiveDateTime),
}

impl AsOf {
    pub fn date(self) -> NaiveDate {
        match self {
            AsOf::EndOfDay(d) => d,
            AsOf::At(t) => t.date(),
        }
    }

    /// As a moment: the day, or the instant (what lateness as of now is measured to).
    pub fn moment(self) -> Moment {
        match self {
            AsOf::EndOfDay(d) => Moment::Date(d),
            AsOf::At(t) => Moment::DateTime(t),
        }
    }

    /// Whether an act at `at` has happened by this instant.
    pub fn has_happened(self, at: Moment) -> bool {
        match (self, at) {
            (AsOf::At(now), Moment::DateTime(t)) => t <= now,
            (as_of, at) => at.date() <= as_of.date(),
        }
    }

    /// Whether a deadline has passed at this instant.
    pub fn has_passed(self, due: Moment) -> bool {
        match (self, due) {
            (AsOf::EndOfDay(d), Moment::DateTime(t)) => t.date() <= d,
            (AsOf::At(now), Moment::DateTime(t)) => t < now,
            (as_of, Moment::Date(d)) => d < as_of.date(),
        }
    }
}

impl From<NaiveDate> for AsOf {
    fn from(day: NaiveDate) -> AsOf {
        AsOf::EndOfDay(day)
    }
}

impl fmt::Display for AsOf {
    /// `2025-03-15`, or `2025-03-15T10:00` (seconds when given).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.moment().fmt(f)
    }
}

/// An evaluation date or instant as written (`--as-of`, a scenario's `as of`): a day, or a
/// date-time in the contract's local time or at a stated UTC offset (seconds east of UTC).
/// The scenario checker places it in the contract's time zone as an [`AsOf`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WrittenAsOf {
    pub at: Moment,
    pub offset: Option<i32>,
}

impl From<NaiveDate> for WrittenAsOf {
    fn from(day: NaiveDate) -> WrittenAsOf {
        WrittenAsOf {
            at: Moment::Date(day),
            offset: None,
        }
    }
}

impl fmt::Display for WrittenAsOf {
    /// As written: `2025-03-15`, `2025-03-15T10:00`, `2025-03-15T10:00+01:00`, `…Z`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.at.fmt(f)?;
        match self.offset {
            None => Ok(()),
            Some(0) => f.write_str("Z"),
            Some(seconds) => {
                let sign = if seconds < 0 { '-' } else { '+' };
                let minutes = seconds.unsigned_abs() / 60;
                write!(f, "{sign}{:02}:{:02}", minutes / 60, minutes % 60)
            }
        }
    }
}

impl From<NaiveDateTime> for WrittenAsOf {
    fn from(local: NaiveDateTime) -> WrittenAsOf {
        WrittenAsOf {
            at: Moment::DateTime(local),
            offset: None,
        }
    }
}

impl fmt::Display for Moment {
    /// `2025-03-31` or `2025-03-31T14:00`, written directly: chrono's `format` parses its
    /// pattern on every call, and reports write many dates.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Moment::Date(d) => write_date(f, *d),
            Moment::DateTime(dt) => {
                write_date(f, dt.date())?;
                write!(f, "T{:02}:{:02}", dt.hour(), dt.minute())?;
                // Seconds only where a scenario gave them.
                match dt.second() {
                    0 => Ok(()),
                    s => write!(f, ":{s:02}"),
                }
            }
        }
    }
}

/// `YYYY-MM-DD` (years are within `FIRST_YEAR`..=`LAST_YEAR`, four digits).
fn write_date(f: &mut fmt::Formatter<'_>, d: NaiveDate) -> fmt::Result {
    write!(f, "{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

/// A stretch of time with stated ends, over the instants events sort at
/// ([`Moment::sort_key`]): a whole-day event sorts at the start of its day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: NaiveDateTime,
    pub from_included: bool,
    pub to: NaiveDateTime,
    pub to_included: bool,
}

impl Window {
    /// Whether an event sorting at `key` falls in the window.
    pub fn contains(&self, key: NaiveDateTime) -> bool {
        let after_start = if self.from_included {
            key >= self.from
        } else {
            key > self.from
        };
        let before_end = if self.to_included {
            key <= self.to
        } else {
            key < self.to
        };
        after_start && before_end
    }
}

impl fmt::Display for Window {
    /// Whole days as `first … last` (both included); otherwise with its bracket kinds.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let midnight = |t: NaiveDateTime| t.time() == NaiveTime::MIN;
        let day_end = |t: NaiveDateTime| t.time() == last_second();
        if self.from_included && !self.to_included && midnight(self.from) && midnight(self.to) {
            if let Some(last) = self.to.date().pred_opt() {
                return write!(f, "{} … {}", self.from.date(), last);
            }
        }
        if !self.from_included && self.to_included && day_end(self.from) && day_end(self.to) {
            if let Some(first) = self.from.date().succ_opt() {
                return write!(f, "{first} … {}", self.to.date());
            }
        }
        let open = if self.from_included { '[' } else { '(' };
        let close = if self.to_included { ']' } else { ')' };
        let show = |t: NaiveDateTime| {
            if midnight(t) {
                t.format("%Y-%m-%d").to_string()
            } else {
                t.format("%Y-%m-%dT%H:%M").to_string()
            }
        };
        write!(f, "{open}{}, {}{close}", show(self.from), show(self.to))
    }
}

/// Whether a length is one of the calendar periods [`period_number`] numbers.
pub fn is_calendar_period(length: &Duration) -> bool {
    // One list of periods: whether any date has a period number.
    period_number(NaiveDate::MIN, length).is_some()
}

/// The calendar period a date falls in, numbered so that consecutive periods have
/// consecutive numbers: `1 day`, `1 week` (Monday to Sunday), `1 month`, `3 months` (calendar
/// quarters), `6 months` (halves), `1 year`. `None` for any other length.
pub fn period_number(date: NaiveDate, length: &Duration) -> Option<i64> {
    if length.business {
        return None;
    }
    let months = i64::from(date.year()) * 12 + i64::from(date.month0());
    match (length.unit, length.count) {
        (Unit::Days, 1) => Some(i64::from(date.num_days_from_ce())),
        (Unit::Weeks, 1) => Some(i64::from(date.num_days_from_ce() - 1).div_euclid(7)),
        (Unit::Months, n @ (1 | 3 | 6 | 12)) => Some(months.div_euclid(i64::from(n))),
        (Unit::Years, 1) => Some(i64::from(date.year())),
        _ => None,
    }
}

/// The last second of a day: every event of that day sorts at or before it.
fn last_second() -> NaiveTime {
    NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN)
}

/// Why a date computation could not be done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CalendarError {
    /// The result falls outside [`FIRST_YEAR`]..=[`LAST_YEAR`].
    OutOfRange,
    /// A local time that does not exist in the time zone (skipped by a clock change).
    NonexistentLocalTime(NaiveDateTime),
}

impl fmt::Display for CalendarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CalendarError::OutOfRange => {
                write!(
                    f,
                    "the date falls outside the supported years {FIRST_YEAR}–{LAST_YEAR}"
                )
            }
            CalendarError::NonexistentLocalTime(t) => {
                write!(
                    f,
                    "the local time {} does not exist: the clocks skip it when they move \
                     forward (summer time)",
                    t.format("%Y-%m-%dT%H:%M")
                )
            }
        }
    }
}

/// The result of moving a moment by a duration, and whether a month end clamped it
/// (Jan 31 + 1 month = Feb 28), so derivations can say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shifted {
    pub moment: Moment,
    pub clamped: bool,
}

/// The working calendar of a contract: weekends, public holidays of its jurisdiction,
/// its own closing days, its time zone and business hours.
#[derive(Debug, Clone)]
pub struct Calendar {
    pub name: String,
    pub holidays: Holidays,
    pub closed: BTreeSet<NaiveDate>,
    pub tz: Tz,
    /// Business hours: opening and closing local time on a business day.
    pub opens: NaiveTime,
    pub closes: NaiveTime,
}

/// Whose public holidays count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holidays {
    /// The ten Belgian legal public holidays.
    Belgium,
    /// Weekends only.
    None,
    /// The holidays a contract or a library declares (`calendar france { holiday … }`).
    Declared(Vec<HolidayRule>),
}

/// One declared public holiday: when it falls, and where it moves when it falls on a listed
/// weekday (`moves to previous saturday if sunday`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidayRule {
    pub name: String,
    pub date: crate::ast::HolidayDate,
    /// Substitution rules; the first whose weekdays hold the day applies.
    pub moves: Vec<Move>,
}

/// A substitution rule: on one of `when`, the holiday is kept on the nearest `to` after the
/// day (`forward`) or before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    pub forward: bool,
    pub to: Weekday,
    pub when: Vec<Weekday>,
}

impl HolidayRule {
    /// The day the holiday is kept in a year's reckoning: the rule's day of `year`, moved by
    /// the first substitution rule that applies. A moved day may fall in the next or the
    /// previous year (`holidays_of` asks the neighbouring years too).
    pub fn day_in(&self, year: i32) -> Option<NaiveDate> {
        self.day_with_easter(year, easter(year))
    }

    /// [`HolidayRule::day_in`], with the year's Easter Sunday computed once for every rule.
    fn day_with_easter(&self, year: i32, easter: Option<NaiveDate>) -> Option<NaiveDate> {
        let day = match self.date {
            // 29 February only in leap years.
            crate::ast::HolidayDate::Fixed { month, day } => {
                NaiveDate::from_ymd_opt(year, month, day)
            }
            crate::ast::HolidayDate::Easter(offset) => {
                let easter = easter?;
                if offset >= 0 {
                    easter.checked_add_days(Days::new(offset.unsigned_abs()))
                } else {
                    easter.checked_sub_days(Days::new(offset.unsigned_abs()))
                }
            }
        }?;
        let weekday = day.weekday();
        let Some(rule) = self.moves.iter().find(|m| m.when.contains(&weekday)) else {
            return Some(day);
        };
        // The nearest `to` strictly after (before) the day: 1 to 7 days away.
        let from = i64::from(weekday.num_days_from_monday());
        let to = i64::from(rule.to.num_days_from_monday());
        let ahead = (to - from).rem_euclid(7);
        let distance = if rule.forward {
            if ahead == 0 {
                7
            } else {
                ahead
            }
        } else {
            let back = (from - to).rem_euclid(7);
            if back == 0 {
                7
            } else {
                back
            }
        };
        let days = Days::new(distance.unsigned_abs());
        if rule.forward {
            day.checked_add_days(days)
        } else {
            day.checked_sub_days(days)
        }
    }
}

impl Holidays {
    pub fn by_name(name: &str) -> Option<Holidays> {
        match name {
            "belgium" => Some(Holidays::Belgium),
            "weekdays" => Some(Holidays::None),
            _ => None,
        }
    }

    pub const NAMES: [&'static str; 2] = ["belgium", "weekdays"];
}

impl Default for Calendar {
    fn default() -> Calendar {
        Calendar {
            name: String::from("belgium"),
            holidays: Holidays::Belgium,
            closed: BTreeSet::new(),
            tz: chrono_tz::Europe::Brussels,
            opens: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or(NaiveTime::MIN),
            closes: NaiveTime::from_hms_opt(18, 0, 0).unwrap_or(NaiveTime::MIN),
        }
    }
}

/// Whether a year is one the tool accepts.
pub fn in_range(date: NaiveDate) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&date.year())
}

fn checked(date: Option<NaiveDate>) -> Result<NaiveDate, CalendarError> {
    match date {
        Some(d) if in_range(d) => Ok(d),
        _ => Err(CalendarError::OutOfRange),
    }
}

/// Easter Sunday of a Gregorian year (the anonymous Gregorian computus).
pub fn easter(year: i32) -> Option<NaiveDate> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

/// The ten Belgian legal public holidays of a year, in date order.
pub fn belgian_holidays(year: i32) -> Vec<(NaiveDate, &'static str)> {
    let fixed = |m: u32, d: u32| NaiveDate::from_ymd_opt(year, m, d);
    let easter_plus = |n: u64| easter(year).and_then(|e| e.checked_add_days(Days::new(n)));
    let mut days: Vec<(NaiveDate, &'static str)> = [
        (fixed(1, 1), "New Year's Day"),
        (easter_plus(1), "Easter Monday"),
        (fixed(5, 1), "Labour Day"),
        (easter_plus(39), "Ascension Day"),
        (easter_plus(50), "Whit Monday"),
        (fixed(7, 21), "National Day"),
        (fixed(8, 15), "Assumption Day"),
        (fixed(11, 1), "All Saints' Day"),
        (fixed(11, 11), "Armistice Day"),
        (fixed(12, 25), "Christmas Day"),
    ]
    .into_iter()
    .filter_map(|(d, name)| d.map(|d| (d, name)))
    .collect();
    days.sort();
    days
}

impl Calendar {
    /// The local time in this calendar's zone of a time written with a UTC offset
    /// (`2019-01-11T16:34:00-05:00` is 22:34 in Brussels); `None` for an offset out of range.
    pub fn local_from_offset(&self, written: NaiveDateTime, offset: i32) -> Option<NaiveDateTime> {
        let zone = chrono::FixedOffset::east_opt(offset)?;
        let instant = zone.from_local_datetime(&written).single()?;
        Some(instant.with_timezone(&self.tz).naive_local())
    }

    /// The business days after `from` up to and including `to` (negative when `to` is before
    /// `from`): weekdays by arithmetic, less the holidays and closing days on weekdays, one
    /// step per year and closing day whatever the distance.
    pub fn business_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if to < from {
            return -self.business_days_between(to, from);
        }
        let weekdays_through = |d: NaiveDate| {
            // Weekdays from a fixed Monday up to and including d.
            let days = i64::from(d.num_days_from_ce());
            let weeks = days.div_euclid(7);
            let rest = days.rem_euclid(7); // 0 = Sunday … 6 = Saturday for day 1 = Monday
            weeks * 5 + rest.min(5)
        };
        let mut n = weekdays_through(to) - weekdays_through(from);
        let weekday = |d: &NaiveDate| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
        let mut off: BTreeSet<NaiveDate> = self
            .closed
            .range((
                std::ops::Bound::Excluded(from),
                std::ops::Bound::Included(to),
            ))
            .copied()
            .filter(weekday)
            .collect();
        for year in from.year()..=to.year() {
            off.extend(
                self.holidays_of(year)
                    .into_iter()
                    .filter(|d| *d > from && *d <= to && weekday(d)),
            );
        }
        n -= i64::try_from(off.len()).unwrap_or(i64::MAX);
        n
    }

    /// The public holidays of a year (not the closing days), in date order.
    pub fn holidays_of(&self, year: i32) -> Vec<NaiveDate> {
        let mut days: Vec<NaiveDate> = match &self.holidays {
            Holidays::None => Vec::new(),
            Holidays::Belgium => belgian_holidays(year).into_iter().map(|(d, _)| d).collect(),
            Holidays::Declared(rules) => {
                // A substituted holiday may move across New Year (1 January on a Sunday kept
                // on the Saturday before): the neighbouring years' rules are asked too.
                let moves = rules.iter().any(|r| !r.moves.is_empty());
                let years = if moves {
                    year.saturating_sub(1)..=year.saturating_add(1)
                } else {
                    year..=year
                };
                years
                    .flat_map(|y| {
                        let easter = easter(y);
                        rules
                            .iter()
                            .filter_map(move |rule| rule.day_with_easter(y, easter))
                    })
                    .filter(|d| d.year() == year)
                    .collect()
            }
        };
        days.sort();
        days.dedup();
        days
    }

    /// Whether the date is a public holiday or a closing day of this calendar.
    pub fn is_holiday(&self, date: NaiveDate) -> bool {
        if self.closed.contains(&date) {
            return true;
        }
        match &self.holidays {
            Holidays::None => false,
            Holidays::Belgium => belgian_holidays(date.year())
                .iter()
                .any(|(d, _)| *d == date),
            Holidays::Declared(_) => self.holidays_of(date.year()).contains(&date),
        }
    }

    /// Monday to Friday, not a holiday.
    pub fn is_business_day(&self, date: NaiveDate) -> bool {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !self.is_holiday(date)
    }

    /// When a local time does not exist in the calendar's time zone (the clocks skip it
    /// when they move forward), the skipped span: the first skipped minute and the time
    /// the clocks show instead (02:00 and 03:00 in Brussels on the last Sunday of March).
    pub fn skipped(&self, local: NaiveDateTime) -> Option<(NaiveDateTime, NaiveDateTime)> {
        if self.tz.from_local_datetime(&local).earliest().is_some() {
            return None;
        }
        // The last minute before the gap (no time zone skips a whole day).
        let mut before = local;
        for _ in 0..(24 * 60) {
            before = before.checked_sub_signed(chrono::Duration::minutes(1))?;
            if let Some(instant) = self.tz.from_local_datetime(&before).latest() {
                let first_skipped = before.checked_add_signed(chrono::Duration::minutes(1))?;
                let after = instant
                    .checked_add_signed(chrono::Duration::minutes(1))?
                    .with_timezone(&self.tz)
                    .naive_local();
                return Some((first_skipped, after));
            }
        }
        None
    }

    /// Moves `from` by `duration`, forward (`sign` = 1) or backward (-1).
    pub fn shift(
        &self,
        from: Moment,
        duration: &Duration,
        forward: bool,
    ) -> Result<Shifted, CalendarError> {
        let n = duration.count;
        let unclamped = |moment| {
            Ok(Shifted {
                moment,
                clamped: false,
            })
        };
        match (duration.unit, duration.business) {
            (Unit::Days, false) => {
                unclamped(map_date(from, |d| add_days(d, i64::from(n), forward))?)
            }
            (Unit::Weeks, _) => {
                unclamped(map_date(from, |d| add_days(d, i64::from(n) * 7, forward))?)
            }
            (Unit::Days, true) => {
                unclamped(map_date(from, |d| self.add_business_days(d, n, forward))?)
            }
            (Unit::Months, _) => self.shift_months(from, n, forward),
            (Unit::Years, _) => self.shift_months(from, n.saturating_mul(12), forward),
            (Unit::Hours, false) => {
                unclamped(self.add_elapsed_minutes(from, i64::from(n) * 60, forward)?)
            }
            (Unit::Minutes, false) => {
                unclamped(self.add_elapsed_minutes(from, i64::from(n), forward)?)
            }
            (Unit::Hours, true) => {
                unclamped(self.add_business_minutes(from, i64::from(n) * 60, forward)?)
            }
            (Unit::Minutes, true) => {
                unclamped(self.add_business_minutes(from, i64::from(n), forward)?)
            }
        }
    }

    /// `length before anchor`: from anchor − length, up to but not including the anchor (for
    /// a date, the day before it). `length after anchor`: from just after the anchor (for a
    /// date, the next day) up to and including anchor + length (for a date, that whole day).
    pub fn window(
        &self,
        anchor: Moment,
        length: &Duration,
        before: bool,
    ) -> Result<Window, CalendarError> {
        // Calendar lengths count whole days, whatever the anchor's time of day: "the six
        // months before a claim at 10:00" are the six months of days before the claim's day.
        let anchor = match (length.unit, anchor) {
            (Unit::Hours | Unit::Minutes, _) => anchor,
            (_, at) => Moment::Date(at.date()),
        };
        let other = self.shift(anchor, length, !before)?.moment;
        let day_end = |d: NaiveDate| d.and_time(last_second());
        Ok(match (before, anchor) {
            (true, _) => Window {
                from: other.sort_key(),
                from_included: true,
                to: anchor.sort_key(),
                to_included: false,
            },
            (false, Moment::Date(d)) => Window {
                from: day_end(d),
                from_included: false,
                to: day_end(other.date()),
                to_included: true,
            },
            (false, Moment::DateTime(at)) => Window {
                from: at,
                from_included: false,
                to: other.sort_key(),
                to_included: true,
            },
        })
    }

    fn shift_months(&self, from: Moment, n: u32, forward: bool) -> Result<Shifted, CalendarError> {
        let date = from.date();
        let moved = add_months(date, n, forward)?;
        let clamped = moved.day() != date.day();
        let moment = match from {
            Moment::Date(_) => Moment::Date(moved),
            Moment::DateTime(dt) => Moment::DateTime(moved.and_time(dt.time())),
        };
        Ok(Shifted { moment, clamped })
    }

    /// The first business day on or after `date`: a deadline that falls on a weekend or a
    /// public holiday moves to the next working day (Belgian Civil Code, Book 1, art. 1.7).
    pub fn roll_forward(&self, date: NaiveDate) -> Result<NaiveDate, CalendarError> {
        let mut day = date;
        while !self.is_business_day(day) {
            day = add_days(day, 1, true)?;
        }
        Ok(day)
    }

    /// `n` business days after (or before) `date`; the day itself does not count.
    pub fn add_business_days(
        &self,
        date: NaiveDate,
        n: u32,
        forward: bool,
    ) -> Result<NaiveDate, CalendarError> {
        let mut day = date;
        let mut left = n;
        while left > 0 {
            day = add_days(day, 1, forward)?;
            if self.is_business_day(day) {
                left -= 1;
            }
        }
        Ok(day)
    }

    /// Elapsed wall-clock time in the contract's time zone: 48 hours after 14:00 the day
    /// before a clock change is 13:00 or 15:00 local time, as a clock on the wall shows.
    fn add_elapsed_minutes(
        &self,
        from: Moment,
        minutes: i64,
        forward: bool,
    ) -> Result<Moment, CalendarError> {
        let local = from.sort_key();
        let instant = self
            .tz
            .from_local_datetime(&local)
            .earliest()
            .ok_or(CalendarError::NonexistentLocalTime(local))?;
        let delta = chrono::Duration::minutes(minutes);
        let moved = if forward {
            instant.checked_add_signed(delta)
        } else {
            instant.checked_sub_signed(delta)
        }
        .ok_or(CalendarError::OutOfRange)?;
        let naive = moved.with_timezone(&self.tz).naive_local();
        checked(Some(naive.date()))?;
        Ok(Moment::DateTime(naive))
    }

    /// Minutes counted only inside business hours on business days (an SLA clock).
    fn add_business_minutes(
        &self,
        from: Moment,
        minutes: i64,
        forward: bool,
    ) -> Result<Moment, CalendarError> {
        let mut at = from.sort_key();
        let mut left = minutes;
        // Walk day by day; each step consumes the business minutes of one day.
        loop {
            let date = at.date();
            let open = date.and_time(self.opens);
            let close = date.and_time(self.closes);
            if self.is_business_day(date) {
                if forward {
                    let start = at.max(open);
                    if start < close {
                        let available = (close - start).num_minutes();
                        if left <= available {
                            return Ok(Moment::DateTime(start + chrono::Duration::minutes(left)));
                        }
                        left -= available;
                    }
                } else {
                    let end = at.min(close);
                    if end > open {
                        let available = (end - open).num_minutes();
                        if left <= available {
                            return Ok(Moment::DateTime(end - chrono::Duration::minutes(left)));
                        }
                        left -= available;
                    }
                }
            }
            let next = add_days(date, 1, forward)?;
            at = if forward {
                next.and_time(NaiveTime::MIN)
            } else {
                next.and_time(self.closes)
            };
        }
    }
}

fn map_date(
    from: Moment,
    f: impl FnOnce(NaiveDate) -> Result<NaiveDate, CalendarError>,
) -> Result<Moment, CalendarError> {
    Ok(match from {
        Moment::Date(d) => Moment::Date(f(d)?),
        Moment::DateTime(dt) => Moment::DateTime(f(dt.date())?.and_time(dt.time())),
    })
}

/// `date` ± `n` calendar days.
pub fn add_days(date: NaiveDate, n: i64, forward: bool) -> Result<NaiveDate, CalendarError> {
    let days = Days::new(n.unsigned_abs());
    let forward = forward == (n >= 0);
    checked(if forward {
        date.checked_add_days(days)
    } else {
        date.checked_sub_days(days)
    })
}

/// `date` ± `n` calendar months, clamped to the month's last day when the day does not exist.
pub fn add_months(date: NaiveDate, n: u32, forward: bool) -> Result<NaiveDate, CalendarError> {
    let months = Months::new(n);
    checked(if forward {
        date.checked_add_months(months)
    } else {
        date.checked_sub_months(months)
    })
}

/// The last day of the month `date` falls in.
pub fn end_of_month(date: NaiveDate) -> Result<NaiveDate, CalendarError> {
    let first = date.with_day(1).ok_or(CalendarError::OutOfRange)?;
    let next = add_months(first, 1, true)?;
    add_days(next, 1, false)
}

/// Calendar days from `from` (exclusive) to `to` (inclusive); 0 when `to` is not after `from`.
pub fn days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days().max(0)
}

/// Months started between `from` (exclusive) and `to` (inclusive): the smallest `n` with
/// `from + n months >= to`. A month already started counts as a full month.
pub fn started_months(from: NaiveDate, to: NaiveDate) -> Result<u32, CalendarError> {
    if to <= from {
        return Ok(0);
    }
    let complete = complete_months(from, to)?;
    if add_months(from, complete, true)? >= to {
        Ok(complete)
    } else {
        Ok(complete + 1)
    }
}

/// Whole months between `from` and `to`: the largest `n` with `from + n months <= to`.
pub fn complete_months(from: NaiveDate, to: NaiveDate) -> Result<u32, CalendarError> {
    if to <= from {
        return Ok(0);
    }
    let estimate = (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32;
    let mut n = u32::try_from(estimate.max(0)).map_err(|_| CalendarError::OutOfRange)?;
    while n > 0 && add_months(from, n, true)? > to {
        n -= 1;
    }
    // A month past the supported years is past `to`, which is within them.
    while add_months(from, n + 1, true).is_ok_and(|next| next <= to) {
        n += 1;
    }
    Ok(n)
}

/// Whole weeks of delay (floor of days / 7).
pub fn complete_weeks(from: NaiveDate, to: NaiveDate) -> i64 {
    days_between(from, to) / 7
}

/// Minutes between two moments (negative when `to` is before `from`).
impl Calendar {
    /// The minutes that elapse from one moment to another, as a clock measures them: across
    /// the change to summer time, 01:00 to 04:00 local is two hours, not three. A local time
    /// repeated by the change back (02:30 on the last Sunday of October in Brussels) is read
    /// as its first occurrence; a skipped one (which scenarios refuse) as the naive difference.
    /// The minutes of a delay from `from` to `to` (0 if it does not run forward), where a
    /// whole day stands for its end ([`delay_end`]): a whole-day deadline passes at the end of
    /// its day, and an act known only by its day counts that day, as `days(delay)` does. What
    /// `hours(delay)`, `minutes(delay)`, "N hours late" and `minutes_late` read.
    pub fn delay_minutes(&self, from: Moment, to: Moment) -> i64 {
        let end = |m: Moment| delay_end(m).unwrap_or_else(|_| m.sort_key());
        (self.seconds_between(end(from), end(to)) / 60).max(0)
    }

    pub fn minutes_between(&self, from: Moment, to: Moment) -> i64 {
        let instant = |m: Moment| self.tz.from_local_datetime(&m.sort_key()).earliest();
        match (instant(from), instant(to)) {
            (Some(a), Some(b)) => (b - a).num_minutes(),
            _ => (to.sort_key() - from.sort_key()).num_minutes(),
        }
    }
}

/// The unit a part-period count of a delay is in: `started_days`, `complete_days`,
/// `started_hours`, `complete_hours`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeriodUnit {
    Days,
    Hours,
}

/// A delay counted in whole periods and what is left over, for derivations:
/// "1 day 9 hours from 2025-03-11T00:00 to 2025-03-12T09:00".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartPeriods {
    /// Periods completed.
    pub complete: i64,
    /// Periods begun: `complete`, or one more when part of a period is left over.
    pub started: i64,
    /// Where the delay starts and ends, as local times.
    pub from: NaiveDateTime,
    pub to: NaiveDateTime,
    /// Seconds left over after the complete periods (0 for a whole number of periods).
    pub rest_seconds: i64,
}

/// Where a delay's end stands for part-period counts: a date-time is itself; a whole day
/// stands for the end of that day (midnight starting the next): a whole-day deadline passes
/// at the end of its day, and a whole-day act or evaluation date counts its day as a day of
/// delay, as `days(delay)` does.
pub fn delay_end(m: Moment) -> Result<NaiveDateTime, CalendarError> {
    match m {
        Moment::DateTime(dt) => Ok(dt),
        Moment::Date(d) => Ok(add_days(d, 1, true)?.and_time(NaiveTime::MIN)),
    }
}

impl Calendar {
    /// Seconds elapsed between two local times, as a clock measures them (across a clock
    /// change too); a repeated local time is its first occurrence, a skipped one is read
    /// naively, as [`Calendar::minutes_between`] does.
    pub fn seconds_between(&self, from: NaiveDateTime, to: NaiveDateTime) -> i64 {
        let instant = |t: &NaiveDateTime| self.tz.from_local_datetime(t).earliest();
        match (instant(&from), instant(&to)) {
            (Some(a), Some(b)) => (b - a).num_seconds(),
            _ => (to - from).num_seconds(),
        }
    }

    /// A delay from `from` to `to` counted in days or hours, complete and started
    /// ([`delay_end`] places whole-day ends at the end of their day). A day is a calendar
    /// day of the contract's clock: from 2025-03-29T12:00 to 2025-03-30T12:00 is one day,
    /// though the clocks moved forward that night (23 hours); the largest `n` with
    /// `from + n days <= to`. An hour is 3,600 seconds of elapsed time: that same delay is
    /// 23 hours. A delay that does not run forward counts 0 of both.
    pub fn part_periods(
        &self,
        from: Moment,
        to: Moment,
        unit: PeriodUnit,
    ) -> Result<PartPeriods, CalendarError> {
        let (a, b) = (delay_end(from)?, delay_end(to)?);
        let none = PartPeriods {
            complete: 0,
            started: 0,
            from: a,
            to: b,
            rest_seconds: 0,
        };
        if b <= a {
            return Ok(none);
        }
        let (complete, rest_seconds) = match unit {
            PeriodUnit::Days => {
                // from + n days keeps from's time of day: n is the difference of the days,
                // one less when to's time of day is earlier than from's.
                let days = (b.date() - a.date()).num_days() - i64::from(b.time() < a.time());
                let whole = a
                    .date()
                    .checked_add_days(Days::new(days.unsigned_abs()))
                    .ok_or(CalendarError::OutOfRange)?
                    .and_time(a.time());
                let rest = if whole == b {
                    0
                } else {
                    // Part of a day is left: at least a second, even where the clock
                    // change makes the elapsed time between the two read as none.
                    self.seconds_between(whole, b).max(1)
                };
                (days, rest)
            }
            PeriodUnit::Hours => {
                let seconds = self.seconds_between(a, b).max(0);
                (seconds / 3600, seconds % 3600)
            }
        };
        Ok(PartPeriods {
            complete,
            started: complete + i64::from(rest_seconds != 0),
            rest_seconds,
            ..none
        })
    }
}

// Unit tests only: their inputs are fixed literals, so an `expect` here fails a test and
// is never reached from user input.
#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    #[test]
    fn business_days_between_counts_as_a_walk_does() {
        let mut calendar = Calendar::default();
        calendar.closed.insert(d("2025-12-24"));
        let start = d("2024-12-20");
        for a in 0..40u64 {
            for b in (0..420u64).step_by(13) {
                let from = start + Days::new(a);
                let to = start + Days::new(b);
                let walked = if to >= from {
                    let mut n = 0i64;
                    let mut day = from;
                    while day < to {
                        day = day.succ_opt().expect("a next day");
                        if calendar.is_business_day(day) {
                            n += 1;
                        }
                    }
                    n
                } else {
                    -calendar.business_days_between(to, from)
                };
                assert_eq!(
                    calendar.business_days_between(from, to),
                    walked,
                    "{from} {to}"
                );
            }
        }
    }

    #[test]
    fn moments_are_written_as_chrono_writes_them() {
        let d = d("2025-03-07");
        assert_eq!(
            Moment::Date(d).to_string(),
            d.format("%Y-%m-%d").to_string()
        );
        let dt = d.and_hms_opt(9, 5, 0).expect("a time");
        assert_eq!(Moment::DateTime(dt).to_string(), "2025-03-07T09:05");
        let first = NaiveDate::from_ymd_opt(FIRST_YEAR, 1, 1).expect("first day");
        assert_eq!(Moment::Date(first).to_string(), "1900-01-01");
    }

    #[test]
    fn easter_sundays() {
        assert_eq!(easter(2024), Some(d("2024-03-31")));
        assert_eq!(easter(2025), Some(d("2025-04-20")));
        assert_eq!(easter(2026), Some(d("2026-04-05")));
    }

    #[test]
    fn started_and_complete_months() {
        assert_eq!(started_months(d("2025-01-24"), d("2025-03-30")), Ok(3));
        assert_eq!(started_months(d("2025-01-15"), d("2025-04-10")), Ok(3));
        assert_eq!(started_months(d("2025-01-15"), d("2025-02-15")), Ok(1));
        assert_eq!(started_months(d("2025-01-15"), d("2025-02-16")), Ok(2));
        assert_eq!(complete_months(d("2025-01-31"), d("2025-02-28")), Ok(1));
        assert_eq!(end_of_month(d("2024-02-10")), Ok(d("2024-02-29")));
    }
}
