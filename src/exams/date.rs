//! Calendar dates (days since 1970-01-01, like Arrow's `Date32`) and reporting periods.

use serde::Deserialize;
use std::fmt;
use std::str::FromStr;

/// A calendar date, stored as days since 1970-01-01 (the Arrow `Date32` representation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i32);

/// A date that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a date: write YYYY-MM-DD")]
pub struct DateError(pub String);

// Howard Hinnant's civil-date algorithms (proleptic Gregorian calendar).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 {
                29
            } else {
                28
            }
        }
    }
}

impl Date {
    /// The date `days` days after 1970-01-01 (negative before).
    pub const fn from_days(days: i32) -> Date {
        Date(days)
    }

    /// Days since 1970-01-01.
    pub const fn days(self) -> i32 {
        self.0
    }

    /// The date for a year, month (1-12) and day (1-31); `None` if there is no such date (or the
    /// year is outside 1..=9999).
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1..=9999).contains(&year) || !(1..=12).contains(&month) {
            return None;
        }
        if day == 0 || day > days_in_month(year as i64, month) {
            return None;
        }
        i32::try_from(days_from_civil(year as i64, month, day))
            .ok()
            .map(Date)
    }

    /// Year, month (1-12) and day (1-31).
    pub fn ymd(self) -> (i32, u32, u32) {
        let (y, m, d) = civil_from_days(self.0 as i64);
        (y as i32, m, d)
    }
}

impl FromStr for Date {
    type Err = DateError;
    /// Reads `YYYY-MM-DD` (surrounding spaces allowed).
    fn from_str(s: &str) -> Result<Date, DateError> {
        let t = s.trim();
        let b = t.as_bytes();
        let err = || DateError(s.to_string());
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(err());
        }
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            let part = t.get(r)?;
            if !part.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            part.parse().ok()
        };
        let (y, m, d) = match (num(0..4), num(5..7), num(8..10)) {
            (Some(y), Some(m), Some(d)) => (y, m, d),
            _ => return Err(err()),
        };
        Date::from_ymd(y as i32, m, d).ok_or_else(err)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A reporting period for training counts and minimums.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// Calendar month (`2024-03`).
    Month,
    /// Calendar quarter (`2024-Q1`).
    Quarter,
    /// Calendar half-year (`2024-H1`).
    HalfYear,
    /// Calendar year (`2024`).
    Year,
}

impl Period {
    fn months(self) -> i64 {
        match self {
            Period::Month => 1,
            Period::Quarter => 3,
            Period::HalfYear => 6,
            Period::Year => 12,
        }
    }

    /// The period containing `date`.
    pub fn of(self, date: Date) -> PeriodId {
        let (y, m, _) = date.ymd();
        let month_index = y as i64 * 12 + (m as i64 - 1);
        PeriodId {
            period: self,
            index: month_index.div_euclid(self.months()),
        }
    }

    /// The name used in data files and messages: `month`, `quarter`, `half_year`, `year`.
    pub fn name(self) -> &'static str {
        match self {
            Period::Month => "month",
            Period::Quarter => "quarter",
            Period::HalfYear => "half_year",
            Period::Year => "year",
        }
    }
}

impl FromStr for Period {
    type Err = String;
    fn from_str(s: &str) -> Result<Period, String> {
        match s.trim() {
            "month" => Ok(Period::Month),
            "quarter" => Ok(Period::Quarter),
            "half_year" => Ok(Period::HalfYear),
            "year" => Ok(Period::Year),
            other => Err(format!(
                "unknown period {other:?}: use month, quarter, half_year or year"
            )),
        }
    }
}

/// One period: a kind of period and which one (counted from year 0). Ordered by time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PeriodId {
    /// The kind of period.
    pub period: Period,
    /// Which period (months since year 0 divided by the period's length in months).
    pub index: i64,
}

impl PeriodId {
    /// The first day of the period.
    pub fn start(self) -> Date {
        let month_index = self.index * self.period.months();
        let y = month_index.div_euclid(12);
        let m = month_index.rem_euclid(12) as u32 + 1;
        Date(days_from_civil(y, m, 1).clamp(i32::MIN as i64, i32::MAX as i64) as i32)
    }

    /// The last day of the period.
    pub fn end(self) -> Date {
        let next = PeriodId {
            period: self.period,
            index: self.index + 1,
        };
        Date(next.start().0.saturating_sub(1))
    }

    /// The next period.
    pub fn next(self) -> PeriodId {
        PeriodId {
            period: self.period,
            index: self.index + 1,
        }
    }

    /// A label: `2024-03`, `2024-Q1`, `2024-H2`, `2024`.
    pub fn label(self) -> String {
        let months = self.period.months();
        let month_index = self.index * months;
        let y = month_index.div_euclid(12);
        let within = month_index.rem_euclid(12) / months + 1;
        match self.period {
            Period::Month => format!("{y:04}-{within:02}"),
            Period::Quarter => format!("{y:04}-Q{within}"),
            Period::HalfYear => format!("{y:04}-H{within}"),
            Period::Year => format!("{y:04}"),
        }
    }
}

impl fmt::Display for PeriodId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for days in -800_000..800_000 {
            let d = Date::from_days(days);
            let (y, m, dd) = d.ymd();
            if (1..=9999).contains(&y) {
                assert_eq!(Date::from_ymd(y, m, dd), Some(d));
            }
        }
        assert_eq!(Date::from_ymd(1970, 1, 1), Some(Date::from_days(0)));
        assert_eq!(
            "2024-02-29".parse::<Date>().unwrap().to_string(),
            "2024-02-29"
        );
        assert!("2023-02-29".parse::<Date>().is_err());
        assert!("2023-2-28".parse::<Date>().is_err());
        assert!("2023-02-28x".parse::<Date>().is_err());
        assert!("+023-02-28".parse::<Date>().is_err());
    }

    #[test]
    fn periods() {
        let d: Date = "2024-08-15".parse().unwrap();
        assert_eq!(Period::Month.of(d).label(), "2024-08");
        assert_eq!(Period::Quarter.of(d).label(), "2024-Q3");
        assert_eq!(Period::HalfYear.of(d).label(), "2024-H2");
        assert_eq!(Period::Year.of(d).label(), "2024");
        let h = Period::HalfYear.of(d);
        assert_eq!(h.start().to_string(), "2024-07-01");
        assert_eq!(h.end().to_string(), "2024-12-31");
        assert_eq!(h.next().label(), "2025-H1");
        assert_eq!(
            Period::Quarter
                .of("2024-03-31".parse().unwrap())
                .end()
                .to_string(),
            "2024-03-31"
        );
    }
}
