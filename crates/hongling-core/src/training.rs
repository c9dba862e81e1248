//! 红领学院: the "at least once a year" rule. Every certified worker trains at least
//! once a calendar year; the compliance view lists, by township, who has not yet.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use uuid::Uuid;

/// Who has not trained in `year`: `holders` are the certified workers with their
/// township; `attended` the (worker, session date) of every attendance marked present
/// or late. The result maps each township to its untrained workers, sorted.
pub fn untrained_by_township(
    holders: &[(Uuid, Uuid)],
    attended: &[(Uuid, NaiveDate)],
    year: i32,
) -> BTreeMap<Uuid, Vec<Uuid>> {
    let trained: BTreeSet<Uuid> = attended
        .iter()
        .filter(|(_, d)| d.year() == year)
        .map(|(w, _)| *w)
        .collect();
    let mut out: BTreeMap<Uuid, Vec<Uuid>> = BTreeMap::new();
    for (worker, township) in holders {
        if !trained.contains(worker) {
            out.entry(*township).or_default().push(*worker);
        }
    }
    for list in out.values_mut() {
        list.sort();
        list.dedup();
    }
    out
}

/// The share of holders trained in `year`, in whole percent (rounded down), or `None`
/// when there is no holder.
pub fn coverage_percent(holders: usize, untrained: usize) -> Option<u32> {
    (holders > 0).then(|| ((holders - untrained.min(holders)) * 100 / holders) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn who_has_not_trained_this_year_by_township() {
        let (gujing, huatuo) = (id(100), id(200));
        let holders = [
            (id(1), gujing),
            (id(2), gujing),
            (id(3), huatuo),
            (id(4), huatuo),
        ];
        let attended = [
            (id(1), NaiveDate::from_ymd_opt(2026, 3, 5).unwrap()),
            // Last year does not count this year.
            (id(2), NaiveDate::from_ymd_opt(2025, 12, 30).unwrap()),
            (id(3), NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()),
            (id(3), NaiveDate::from_ymd_opt(2026, 11, 2).unwrap()),
        ];
        let gaps = untrained_by_township(&holders, &attended, 2026);
        assert_eq!(gaps[&gujing], [id(2)]);
        assert_eq!(gaps[&huatuo], [id(4)]);
        assert_eq!(coverage_percent(4, 2), Some(50));
        assert_eq!(coverage_percent(3, 1), Some(66));
        assert_eq!(coverage_percent(0, 0), None);
        assert!(untrained_by_township(&holders[..1], &attended, 2026).is_empty());
    }
}
