//! The programme's calendar: business dates and the times people read are China's
//! (Asia/Shanghai, UTC+8 all year, no daylight saving), whatever the machine's zone.

/// Today's date in China (Asia/Shanghai, UTC+8 all year): the calendar of business
/// dates such as notice days, issue dates and report months.
pub fn china_today(now: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
    china_time(now).date()
}

/// The wall-clock time in China of an instant, for what people read (logs, exports).
pub fn china_time(at: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDateTime {
    at.naive_utc() + chrono::Duration::hours(8)
}
