//! How long any text in an op may be, and how many items any list: checked once, for
//! every op, before `apply` looks at anything else.
//!
//! Why here and by field name: an op arrives from a tablet that may not run our code, and
//! a 1.5 MB "name" would be stored, pulled by every device and printed on certificates.
//! Walking the op as the JSON it travels as covers every op, those to come included,
//! without a check to forget in each; a field nobody listed gets the default limits.

use crate::kernel::{RejectCode, Rejection};

/// Names, titles and other one-line text: characters at most.
pub const SHORT_CHARS: usize = 100;
/// Reasons, comments, notes and other free text: characters at most.
pub const LONG_CHARS: usize = 2_000;
/// Items in a list nobody gave a limit of its own.
pub const DEFAULT_ITEMS: usize = 1_000;

/// One-line fields: at most [`SHORT_CHARS`], no control characters.
const SHORT: &[&str] = &[
    "name",
    "title",
    "display_name",
    "grade_name",
    "username",
    "venue",
    "trainer",
    "place",
    "organization",
    "industry",
    "party_org",
    "management_post",
    "code",
    "tag",
    "number",
    "key_id",
    "id_card",
];

/// Lists with a limit of their own (items).
const LISTS: &[(&str, usize)] = &[
    ("mentee_ids", 5),
    ("photos", 20),
    ("tasks", 50),
    ("reasons", 20),
    ("judges", 50),
    ("rubric", 50),
    ("grants", 100),
    ("grades", 20),
];

/// Checks every string and list of `op` (as its JSON) against the limits.
pub fn check(op: &crate::Op) -> Result<(), Rejection> {
    let value = serde_json::to_value(op)
        .map_err(|_| Rejection::new(RejectCode::InvalidData, "无法读取该操作"))?;
    walk(&value, None)
}

fn too_long(field: &str, max: usize) -> Rejection {
    Rejection::field(
        RejectCode::InvalidData,
        field,
        format!("内容过长：最多 {max} 个字"),
    )
}

fn walk(value: &serde_json::Value, field: Option<&str>) -> Result<(), Rejection> {
    use serde_json::Value;
    let name = field.unwrap_or("");
    match value {
        Value::String(text) => {
            let short = SHORT.contains(&name);
            let max = if short { SHORT_CHARS } else { LONG_CHARS };
            if text.chars().count() > max {
                return Err(too_long(name, max));
            }
            let allowed = |c: char| !short && matches!(c, '\n' | '\r' | '\t');
            if text.chars().any(|c| c.is_control() && !allowed(c)) {
                return Err(Rejection::field(
                    RejectCode::InvalidData,
                    name,
                    "内容含有不可见的控制字符",
                ));
            }
            Ok(())
        }
        Value::Array(items) => {
            let max = LISTS
                .iter()
                .find(|(n, _)| *n == name)
                .map_or(DEFAULT_ITEMS, |(_, m)| *m);
            if items.len() > max {
                return Err(Rejection::field(
                    RejectCode::InvalidData,
                    name,
                    format!("条目过多：最多 {max} 条"),
                ));
            }
            // A list of text takes the limits of its field (`tasks`, `reasons`).
            items.iter().try_for_each(|item| walk(item, field))
        }
        Value::Object(fields) => fields
            .iter()
            .try_for_each(|(key, item)| walk(item, Some(key))),
        Value::Null | Value::Bool(_) | Value::Number(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::people::worker::WorkerCreateV1;
    use crate::{Op, WorkerRole};
    use uuid::Uuid;

    fn worker(name: &str, post: &str) -> Op {
        Op::WorkerCreateV1(WorkerCreateV1 {
            id: Uuid::nil(),
            name: name.into(),
            organization_id: Uuid::nil(),
            township_id: Uuid::nil(),
            role: WorkerRole::Secretary,
            management_post: post.into(),
            years_in_post: 1,
            photo: None,
            id_card: None,
        })
    }

    #[test]
    fn text_and_lists_have_limits_by_field() {
        assert_eq!(check(&worker("张红梅", "副总经理")), Ok(()));
        let refusal = check(&worker(&"张".repeat(101), "")).unwrap_err();
        assert_eq!(
            (refusal.code, refusal.field.as_deref()),
            (RejectCode::InvalidData, Some("name"))
        );
        assert!(refusal.message.contains("100"));
        assert!(check(&worker(&"张".repeat(100), "")).is_ok());
        let refusal = check(&worker("张红\n梅", "")).unwrap_err();
        assert!(refusal.message.contains("控制字符"));
        assert!(check(&worker("张红\u{0}梅", "")).is_err());
    }
}
