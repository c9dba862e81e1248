//! 居民身份证号码 (GB 11643-1999): validated with its check digit, stored once, and shown
//! masked to everyone but the district committee.
//!
//! The full number lives only in committee-only records (`id_card`, keyed by worker, and
//! `id_card_index`, keyed by a hash of the number so a second worker with the same number
//! is refused). A worker record carries the masked form. A device never stores a record
//! its account may not see, so the full number stays on the committee's devices.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";

/// Trims and upper-cases (a lowercase `x` is common).
pub fn normalize(s: &str) -> String {
    s.trim().to_ascii_uppercase()
}

/// The check character of the first 17 digits.
pub fn check_char(first17: &str) -> Option<char> {
    if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first17
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    Some(CHECK[(sum % 11) as usize] as char)
}

/// Checks an 18-character number (already normalized): digits, a real birth date, and
/// the check character. The message is for the form.
pub fn validate(number: &str) -> Result<(), &'static str> {
    if number.len() != 18 || !number.is_ascii() {
        return Err("身份证号应为 18 位");
    }
    let (first17, last) = number.split_at(17);
    let Some(expected) = check_char(first17) else {
        return Err("身份证号前 17 位应为数字");
    };
    if NaiveDate::parse_from_str(&number[6..14], "%Y%m%d").is_err() {
        return Err("身份证号中的出生日期不正确");
    }
    if !last.starts_with(expected) {
        return Err("身份证号校验位不正确，请核对");
    }
    Ok(())
}

/// The form everyone but the committee sees: the last 4 characters only. The first 4 (the
/// place of registration) would narrow a guess to a few thousand candidates.
pub fn mask(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    let shown = if chars.len() > 4 { 4 } else { 0 };
    let hidden = chars.len() - shown;
    let mut out = "*".repeat(hidden);
    out.extend(&chars[hidden..]);
    out
}

/// The id of the `id_card_index` record of a number.
pub fn index_id(number: &str) -> Uuid {
    let digest = Sha256::digest(format!("hongling id card\0{number}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    Uuid::from_bytes(bytes)
}

/// Body of an `id_card` record (id: the worker's): the full number.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdCard {
    pub number: String,
}

/// Body of an `id_card_index` record (id: [`index_id`] of the number): whose it is.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdCardIndex {
    pub worker_id: Uuid,
}

/// Body of an `id_card_duplicate` record (committee only; id: the worker's): an account
/// other than the committee gave `worker_id` a number that `holder_id` already holds.
///
/// Why accepted rather than refused: a refusal would tell an instructor that a number is
/// registered, and let them test candidate numbers. The committee sees it in 待处理 as
/// 身份证号重复 and corrects one of the two; the record goes when `worker_id`'s number no
/// longer collides.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdCardDuplicate {
    pub worker_id: Uuid,
    pub holder_id: Uuid,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_check_digit_decides() {
        // The standard's own example, and one whose check character is X.
        assert_eq!(validate("11010519491231002X"), Ok(()));
        assert_eq!(check_char("11010519491231002"), Some('X'));
        assert_eq!(
            validate("110105194912310021"),
            Err("身份证号校验位不正确，请核对")
        );
        assert_eq!(validate(&normalize(" 11010519491231002x ")), Ok(()));
        assert_eq!(validate("1101051949123100"), Err("身份证号应为 18 位"));
        assert_eq!(
            validate("11010519491331002X"),
            Err("身份证号中的出生日期不正确")
        );
        assert_eq!(
            validate("1101051949123100AX"),
            Err("身份证号前 17 位应为数字")
        );
        assert_eq!(mask("11010519491231002X"), "**************002X");
        assert_ne!(
            index_id("11010519491231002X"),
            index_id("110105194912310021")
        );
    }
}
