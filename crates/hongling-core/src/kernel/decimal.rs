//! Amounts people type with a decimal point — marks, money, training hours — kept as
//! whole numbers of their smallest unit (hundredths of a mark, fen, tenths of an hour).
//!
//! Why one parser: the three were written separately (one in the core, two in pages)
//! and differed at the edges (a sign, a trailing point, overflow). Floating point is never
//! used: 0.1 + 0.2 must be 0.3 on a stipend roster.

/// Parses a non-negative decimal with at most `places` decimals ("8.5", "36", "7.25",
/// "3.") into units of 10^-`places`. `None` for an empty text, a sign, more decimals
/// than `places`, anything but digits and one point, or a value that does not fit.
pub fn parse_fixed(s: &str, places: u32) -> Option<u64> {
    let s = s.trim();
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty()
        || frac.len() > places as usize
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let scale = 10u64.checked_pow(places)?;
    let frac = if places == 0 {
        0
    } else {
        format!("{frac:0<width$}", width = places as usize)
            .parse::<u64>()
            .ok()?
    };
    whole
        .parse::<u64>()
        .ok()?
        .checked_mul(scale)?
        .checked_add(frac)
}

/// Units of 10^-`places` with all their decimals (`850`, 2 → `8.50`).
pub fn fixed_text(v: u64, places: u32) -> String {
    let scale = 10u64.pow(places);
    if places == 0 {
        return v.to_string();
    }
    format!(
        "{}.{:0width$}",
        v / scale,
        v % scale,
        width = places as usize
    )
}

/// Units of 10^-`places` without trailing zeros or point (`35`, 1 → `3.5`; `30` → `3`).
pub fn fixed_text_short(v: u64, places: u32) -> String {
    let full = fixed_text(v, places);
    if places == 0 {
        return full;
    }
    full.trim_end_matches('0').trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_decimals_become_whole_units() {
        assert_eq!(parse_fixed("8.5", 2), Some(850));
        assert_eq!(parse_fixed(" 36 ", 2), Some(3600));
        assert_eq!(parse_fixed("7.25", 2), Some(725));
        assert_eq!(parse_fixed("3.", 1), Some(30));
        assert_eq!(parse_fixed("0.1", 1), Some(1));
        assert_eq!(parse_fixed("1200", 2), Some(120_000));
        assert_eq!(parse_fixed("7", 0), Some(7));
    }

    #[test]
    fn anything_else_is_refused() {
        for bad in [
            "", ".5", "-1", "+3", "7.255", "1,5", "1.2.3", "abc", "1e3", "３",
        ] {
            assert_eq!(parse_fixed(bad, 2), None, "{bad:?}");
        }
        assert_eq!(parse_fixed("3.5", 0), None);
        assert_eq!(parse_fixed("18446744073709551615", 2), None);
    }

    #[test]
    fn units_are_written_back_as_people_read_them() {
        assert_eq!(fixed_text(850, 2), "8.50");
        assert_eq!(fixed_text(12_345, 2), "123.45");
        assert_eq!(fixed_text(5, 2), "0.05");
        assert_eq!(fixed_text_short(35, 1), "3.5");
        assert_eq!(fixed_text_short(30, 1), "3");
        assert_eq!(fixed_text_short(0, 1), "0");
        for v in [0, 1, 9, 10, 99, 100, 12_345] {
            assert_eq!(parse_fixed(&fixed_text(v, 2), 2), Some(v));
            assert_eq!(parse_fixed(&fixed_text_short(v, 1), 1), Some(v));
        }
    }
}
