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

/// Whether `query` finds `name`: part of the name itself, of its pinyin, or of its
/// initials. An empty query finds everything.
pub fn matches_name(name: &str, query: &str) -> bool {
    let q = query.trim().to_lowercase();
    q.is_empty()
        || name.contains(query.trim())
        || (q.is_ascii() && (pinyin_of(name).contains(&q) || initials_of(name).contains(&q)))
}

/// The order of names in lists: by pinyin, then by the characters.
pub fn name_order(a: &str, b: &str) -> std::cmp::Ordering {
    pinyin_of(a).cmp(&pinyin_of(b)).then_with(|| a.cmp(b))
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
    }
}
