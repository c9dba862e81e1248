//! 导师帮带: mentors of the 红领导师团 take 3 to 5 mentees each. Pairs have a start and
//! an end; the range is checked on a given day, and a mentor outside it gets a warning
//! (not a refusal: a pair may end before its replacement starts).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Fewest mentees a mentor should have.
pub const MIN_MENTEES: usize = 3;
/// Most mentees a mentor should have.
pub const MAX_MENTEES: usize = 5;

/// A mentor–mentee pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pair {
    pub mentor_id: Uuid,
    pub mentee_id: Uuid,
    pub start: NaiveDate,
    /// The last day, when it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<NaiveDate>,
}

impl Pair {
    pub fn active_on(&self, day: NaiveDate) -> bool {
        self.start <= day && self.end.is_none_or(|e| day <= e)
    }
}

/// How many mentees `mentor` has on `day`.
pub fn mentees_on(pairs: &[Pair], mentor: Uuid, day: NaiveDate) -> usize {
    pairs
        .iter()
        .filter(|p| p.mentor_id == mentor && p.active_on(day))
        .count()
}

/// The warning for a mentor with `count` mentees, if outside the range.
pub fn range_warning(count: usize) -> Option<String> {
    if count < MIN_MENTEES {
        Some(format!("导师带徒 {count} 人，少于 {MIN_MENTEES} 人"))
    } else if count > MAX_MENTEES {
        Some(format!("导师带徒 {count} 人，多于 {MAX_MENTEES} 人"))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    #[test]
    fn the_mentee_range_is_counted_on_a_day_and_warned_outside_three_to_five() {
        let mentor = Uuid::from_u128(1);
        let pair = |n: u128, start, end| Pair {
            mentor_id: mentor,
            mentee_id: Uuid::from_u128(10 + n),
            start,
            end,
        };
        let pairs = vec![
            pair(1, d(1, 1), None),
            pair(2, d(1, 1), Some(d(6, 30))),
            pair(3, d(3, 1), None),
            pair(4, d(7, 1), None),
        ];
        assert_eq!(mentees_on(&pairs, mentor, d(2, 1)), 2);
        assert_eq!(
            mentees_on(&pairs, mentor, d(6, 30)),
            3,
            "the end day counts"
        );
        assert_eq!(mentees_on(&pairs, mentor, d(7, 1)), 3, "one left, one came");
        assert_eq!(mentees_on(&pairs, Uuid::from_u128(2), d(7, 1)), 0);
        assert_eq!(
            range_warning(2).as_deref(),
            Some("导师带徒 2 人，少于 3 人")
        );
        assert_eq!(range_warning(3), None);
        assert_eq!(range_warning(5), None);
        assert_eq!(
            range_warning(6).as_deref(),
            Some("导师带徒 6 人，多于 5 人")
        );
    }
}
