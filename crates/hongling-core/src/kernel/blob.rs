//! Attachments (photos, scans of awards) travel as content-addressed blobs.
//!
//! A record never holds the bytes: it names them by their SHA-256, and the bytes are
//! uploaded (`PUT /api/v1/blobs/{sha256}`) before the push that names them. The address
//! is the content's hash, so an upload is idempotent and a blob can never be replaced
//! by different bytes. The server refuses a mutation that names a blob it does not
//! have, so a record never points at nothing.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Largest attachment accepted, in bytes. Photos are compressed on the tablet first.
pub const MAX_BLOB_BYTES: usize = 10 * 1024 * 1024;

/// The address of a blob: its SHA-256 as 64 lowercase hex digits.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BlobRef(String);

impl BlobRef {
    /// Parses an address; `None` unless it is 64 lowercase hex digits.
    pub fn parse(s: &str) -> Option<BlobRef> {
        let hex = |c: char| c.is_ascii_digit() || ('a'..='f').contains(&c);
        (s.len() == 64 && s.chars().all(hex)).then(|| BlobRef(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for BlobRef {
    type Error = String;

    fn try_from(s: String) -> Result<BlobRef, String> {
        BlobRef::parse(&s).ok_or_else(|| format!("not a SHA-256 address: {s:?}"))
    }
}

impl From<BlobRef> for String {
    fn from(b: BlobRef) -> String {
        b.0
    }
}

impl fmt::Display for BlobRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The refusal of a mutation that names a blob the server does not hold.
pub fn missing(blob: &BlobRef) -> crate::kernel::Rejection {
    crate::kernel::Rejection::new(
        crate::kernel::RejectCode::BlobMissing,
        format!(
            "附件（照片或扫描件）没有上传到服务器（{}…），请在录入它的设备上联网后重新提交",
            &blob.as_str()[..8]
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_lowercase_sha256_hex_is_an_address() {
        let good = "ab".repeat(32);
        assert_eq!(BlobRef::parse(&good).unwrap().as_str(), good);
        assert!(BlobRef::parse(&"AB".repeat(32)).is_none());
        assert!(BlobRef::parse(&"ab".repeat(31)).is_none());
        assert!(BlobRef::parse("../../etc/passwd").is_none());
        let wire = serde_json::to_string(&BlobRef::parse(&good).unwrap()).unwrap();
        assert_eq!(wire, format!("\"{good}\""));
        assert!(serde_json::from_str::<BlobRef>("\"xyz\"").is_err());
    }
}

/// The roles whose work attaches files: worker photos and honour scans (the committee,
/// instructors, supervisors), visit photos (instructors, supervisors) and judges'
/// handwritten signatures. Nobody else may upload.
pub const UPLOADERS: [crate::kernel::grant::Role; 4] = [
    crate::kernel::grant::Role::DistrictCommittee,
    crate::kernel::grant::Role::Instructor,
    crate::kernel::grant::Role::Supervisor,
    crate::kernel::grant::Role::Judge,
];

/// Whether an account holding `grants` may upload attachments.
pub fn may_upload(grants: &[crate::kernel::grant::Grant]) -> bool {
    grants.iter().any(|g| UPLOADERS.contains(&g.role))
}

/// Most bytes of new attachments one account may upload in 24 hours, by default.
pub const DEFAULT_DAILY_QUOTA_BYTES: u64 = 256 * 1024 * 1024;

/// Days an attachment that no record names is kept before the server collects it: long
/// enough for a tablet to push the mutation that names it after weeks offline.
pub const UNNAMED_KEPT_DAYS: i64 = 30;

/// The attachments a record names: what the server serves to whoever may see the record.
/// Each kind lists the fields of its body that hold blob addresses: `photo` (a field that
/// holds an address or a list of them) or `autographs[].image` (a field of each element
/// of a list).
pub fn named_by(kind: crate::kernel::record::RecordKind, body: &serde_json::Value) -> Vec<BlobRef> {
    let mut out = Vec::new();
    for field in kind.attachment_fields() {
        match field.split_once("[].") {
            Some((list, inner)) => {
                for item in body
                    .get(list)
                    .and_then(|l| l.as_array())
                    .into_iter()
                    .flatten()
                {
                    addresses(item.get(inner), &mut out);
                }
            }
            None => addresses(body.get(*field), &mut out),
        }
    }
    out
}

/// The blob addresses in one field's value: an address, or a list of them.
fn addresses(value: Option<&serde_json::Value>, out: &mut Vec<BlobRef>) {
    match value {
        Some(serde_json::Value::String(s)) => out.extend(BlobRef::parse(s)),
        Some(serde_json::Value::Array(items)) => out.extend(
            items
                .iter()
                .filter_map(|i| i.as_str())
                .filter_map(BlobRef::parse),
        ),
        _ => {}
    }
}

/// Whether an account may fetch a blob: it may see one of the live records `naming` it
/// (`can_see_record`), or, while no record names it, this device uploaded it (its edit is
/// still on its way). Anyone else is told the blob is missing.
pub fn may_fetch(
    account: uuid::Uuid,
    grants: &[crate::kernel::grant::Grant],
    naming: &[(
        crate::kernel::record::RecordKind,
        uuid::Uuid,
        serde_json::Value,
    )],
    uploaded_by_this_device: bool,
) -> bool {
    if naming.is_empty() {
        return uploaded_by_this_device;
    }
    naming.iter().any(|(kind, id, body)| {
        crate::kernel::visibility::can_see_record(account, grants, *kind, *id, body)
    })
}

#[cfg(test)]
mod named_tests {
    use super::*;
    use crate::kernel::record::RecordKind;
    use serde_json::json;

    #[test]
    fn a_record_names_the_blobs_of_its_attachment_fields_only() {
        let a = "a".repeat(64);
        let b = "b".repeat(64);
        assert_eq!(
            named_by(RecordKind::Visit, &json!({"photos": [a, b], "notes": a})),
            [BlobRef::parse(&a).unwrap(), BlobRef::parse(&b).unwrap()]
        );
        assert_eq!(
            named_by(RecordKind::Worker, &json!({"photo": a})),
            [BlobRef::parse(&a).unwrap()]
        );
        assert!(named_by(RecordKind::Worker, &json!({"photo": null})).is_empty());
        assert!(named_by(RecordKind::SigningKey, &json!({"photo": a})).is_empty());
    }

    #[test]
    fn a_list_of_objects_names_the_blob_field_of_each() {
        let a = "a".repeat(64);
        let b = "b".repeat(64);
        let results = json!({"autographs": [
            {"judge_id": "x", "image": a}, {"image": "not an address"}, {"image": b}],
            "image": a});
        assert_eq!(
            named_by(RecordKind::ContestResults, &results),
            [BlobRef::parse(&a).unwrap(), BlobRef::parse(&b).unwrap()]
        );
        assert!(named_by(RecordKind::ContestResults, &json!({"autographs": a})).is_empty());
        assert_eq!(
            named_by(RecordKind::ScoreSheet, &json!({"autograph": b})),
            [BlobRef::parse(&b).unwrap()]
        );
    }

    #[test]
    fn an_uploader_fetches_only_until_a_record_names_the_blob() {
        use crate::{Grant, Role, Scope};
        let me = uuid::Uuid::from_u128(1);
        let judge = [Grant {
            role: Role::Judge,
            scope: Scope::District,
        }];
        assert!(may_fetch(me, &judge, &[], true));
        assert!(!may_fetch(me, &judge, &[], false));
        let town = uuid::Uuid::from_u128(2);
        let worker = (
            RecordKind::Worker,
            uuid::Uuid::from_u128(3),
            json!({"township_id": town.to_string()}),
        );
        assert!(!may_fetch(me, &judge, std::slice::from_ref(&worker), true));
        let instructor = [Grant {
            role: Role::Instructor,
            scope: Scope::Township(town),
        }];
        assert!(may_fetch(me, &instructor, &[worker], false));
    }
}
