//! The programme's calendar: business dates and the times people read are China's
//! (Asia/Shanghai, UTC+8 all year, no daylight saving), whatever the machine's zone.

/// Today's date in China (Asia/Shanghai, UTC+8 all year): the calendar of business
/// dates such as notice days, issue dates and report months.
pub fn china_today(now: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
    china_time(now).date()
}

/// The week `day` falls in, Monday to Sunday (the working week an office plans by).
pub fn week_of(day: chrono::NaiveDate) -> std::ops::RangeInclusive<chrono::NaiveDate> {
    use chrono::Datelike;
    let monday = day - chrono::Duration::days(i64::from(day.weekday().num_days_from_monday()));
    monday..=monday + chrono::Duration::days(6)
}

/// The wall-clock time in China of an instant, for what people read (logs, exports).
pub fn china_time(at: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDateTime {
    at.naive_utc() + chrono::Duration::hours(8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_week_runs_from_monday_to_sunday() {
        let d = |m, day| chrono::NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        // 2026-12-03 is a Thursday; the week crosses no month here, 2026-11-30 is Monday.
        assert_eq!(week_of(d(12, 3)), d(11, 30)..=d(12, 6));
        assert_eq!(week_of(d(11, 30)), d(11, 30)..=d(12, 6));
        assert_eq!(week_of(d(12, 6)), d(11, 30)..=d(12, 6));
        assert_eq!(week_of(d(12, 7)), d(12, 7)..=d(12, 13));
    }
}
