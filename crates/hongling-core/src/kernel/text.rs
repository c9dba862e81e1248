//! Finding and ordering people by name the way Chinese users expect: by pinyin, and by
//! pinyin initials (typing `zhm` finds 张红梅).

use pinyin::ToPinyin;

/// The name in plain pinyin without spaces (`zhanghongmei`); characters without pinyin
/// are kept as they are, lower-cased.
pub fn pinyin_of(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        match c.to_pinyin() {
            Some(p) => out.push_str(p.plain()),
            None => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// The initials of the name's pinyin (`zhm`).
pub fn initials_of(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        match c.to_pinyin() {
            Some(p) => out.push_str(p.first_letter()),
            None => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// A name's pinyin and initials, worked out once: a list of thousands of people then
/// filters on each keystroke, and sorts, without reading the pinyin table again.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct NameKey {
    pub pinyin: String,
    pub initials: String,
}

impl NameKey {
    pub fn of(name: &str) -> NameKey {
        NameKey {
            pinyin: pinyin_of(name),
            initials: initials_of(name),
        }
    }

    /// Whether `query` finds `name` (whose key this is): part of the name itself, of
    /// its pinyin, or of its initials. An empty query finds everything.
    pub fn matches(&self, name: &str, query: &str) -> bool {
        let q = query.trim();
        if q.is_empty() || name.contains(q) {
            return true;
        }
        let q = q.to_lowercase();
        q.is_ascii() && (self.pinyin.contains(&q) || self.initials.contains(&q))
    }
}

/// Whether `query` finds `name` ([`NameKey::matches`]).
pub fn matches_name(name: &str, query: &str) -> bool {
    let q = query.trim();
    q.is_empty() || name.contains(q) || NameKey::of(name).matches(name, query)
}

/// The order of names in lists: by pinyin, then by the characters.
pub fn name_order(a: &str, b: &str) -> std::cmp::Ordering {
    pinyin_of(a).cmp(&pinyin_of(b)).then_with(|| a.cmp(b))
}

/// Sorts `items` in [`name_order`] of `name`, working out each pinyin once (a sort by
/// `name_order` works it out at every comparison).
pub fn sort_by_name<T>(items: &mut [T], name: impl Fn(&T) -> &str) {
    items.sort_by_cached_key(|t| {
        let n = name(t);
        (pinyin_of(n), n.to_owned())
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_found_by_initials_or_pinyin_and_sorted_by_pinyin() {
        assert_eq!(initials_of("张红梅"), "zhm");
        assert_eq!(pinyin_of("张红梅"), "zhanghongmei");
        assert!(matches_name("张红梅", "zhm"));
        assert!(matches_name("张红梅", "ZHM"));
        assert!(matches_name("张红梅", "hongmei"));
        assert!(matches_name("张红梅", "红梅"));
        assert!(!matches_name("张红梅", "lj"));
        let mut names = vec!["张红梅", "陈立新", "孙海燕", "黄丽娟", "吴晓丽"];
        names.sort_by(|a, b| name_order(a, b));
        assert_eq!(names, ["陈立新", "黄丽娟", "孙海燕", "吴晓丽", "张红梅"]);
        let mut again = vec!["张红梅", "陈立新", "孙海燕", "黄丽娟", "吴晓丽"];
        sort_by_name(&mut again, |n| n);
        assert_eq!(again, names);
        let key = NameKey::of("张红梅");
        assert!(key.matches("张红梅", " ZHM "));
        assert!(key.matches("张红梅", "红"));
        assert!(!key.matches("张红梅", "lj"));
    }
}
