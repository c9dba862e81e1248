//! Signed sheets as QR codes, from a judge's tablet to the administrator's camera.
//!
//! Why a format of its own: at a venue with no network, the only channel between two
//! tablets is a screen and a camera. A code the camera reads reliably from another
//! tablet's screen holds a few hundred bytes, so the judge's sheets are packed tightly and
//! split over several codes shown in turn. Each code stands alone (whole sheets only), so
//! the administrator's tablet can take them in any order, twice, or from several judges
//! at once: nothing has to be reassembled, and a code read twice relays nothing twice
//! (`sheet.relay@1` is idempotent by sheet and revision).
//!
//! A code's text is `HLR1.<part>.<total>.<data>`: `data` is base64url (no padding) of
//! the contest, judge and device ids (16 bytes each), then for each sheet the contestant
//! id (16), the revision (4, big-endian), the number of marks (1), each mark (a 0 byte for
//! a blank, else 1 and 4 bytes big-endian) and the signature (64).

use base64::Engine;
use uuid::Uuid;

use super::{ScoreSheet, SheetReopenV2, SheetReopenedV1, SheetSignV2, SheetSignature};

/// What every code's text starts with: the format and its version.
pub const PREFIX: &str = "HLR1";

/// Sheets per code: two sheets of a ten-criterion rubric stay under 500 characters, a
/// code a tablet's camera reads from another tablet's screen at arm's length.
pub const SHEETS_PER_CODE: usize = 2;

/// One code read by the camera.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    /// Which code of how many the judge's tablet shows (1-based).
    pub part: u32,
    pub total: u32,
    pub sheets: Vec<SheetSignV2>,
}

/// Why a code's text is not a relay code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("这不是评分表二维码")]
    NotARelayCode,
    #[error("评分表二维码已损坏，请重新扫描")]
    Damaged,
}

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
}

/// The codes a judge's tablet shows for its signed sheets: sheets of one contest, judge
/// and device share a code, at most [`SHEETS_PER_CODE`] to a code.
pub fn frames(sheets: &[SheetSignV2]) -> Vec<String> {
    let mut groups: Vec<(Uuid, Uuid, Uuid, Vec<&SheetSignV2>)> = Vec::new();
    for s in sheets {
        let key = (s.contest_id, s.judge_id, s.signature.device_id);
        match groups.iter_mut().find(|g| (g.0, g.1, g.2) == key) {
            Some(g) => g.3.push(s),
            None => groups.push((key.0, key.1, key.2, vec![s])),
        }
    }
    let chunks: Vec<(Uuid, Uuid, Uuid, &[&SheetSignV2])> = groups
        .iter()
        .flat_map(|(c, j, d, list)| {
            list.chunks(SHEETS_PER_CODE)
                .map(move |chunk| (*c, *j, *d, chunk))
        })
        .collect();
    let total = chunks.len();
    chunks
        .into_iter()
        .enumerate()
        .map(|(i, (contest, judge, device, chunk))| {
            let mut out = Vec::with_capacity(48 + chunk.len() * 120);
            out.extend_from_slice(contest.as_bytes());
            out.extend_from_slice(judge.as_bytes());
            out.extend_from_slice(device.as_bytes());
            for s in chunk {
                out.extend_from_slice(s.contestant_id.as_bytes());
                out.extend_from_slice(&s.revision.to_be_bytes());
                // A rubric has at most a few dozen criteria (`check_rubric`).
                out.push(s.marks.len().min(255) as u8);
                for m in s.marks.iter().take(255) {
                    match m {
                        None => out.push(0),
                        Some(v) => {
                            out.push(1);
                            out.extend_from_slice(&v.to_be_bytes());
                        }
                    }
                }
                let signature =
                    super::signing::signature_bytes(&s.signature.signature).unwrap_or([0; 64]);
                out.extend_from_slice(&signature);
            }
            format!("{PREFIX}.{}.{}.{}", i + 1, total, b64().encode(out))
        })
        .collect()
}

/// A signed sheet as its judge's device signed it, for the codes: `None` while it is not
/// signed, or was signed without a device key (`sheet.sign@1`).
pub fn signed_of(sheet: &ScoreSheet) -> Option<SheetSignV2> {
    let signature = sheet.signature.clone()?;
    sheet.lock.is_signed().then(|| SheetSignV2 {
        contest_id: sheet.contest_id,
        judge_id: sheet.judge_id,
        contestant_id: sheet.contestant_id,
        marks: sheet.marks.clone(),
        revision: sheet.lock.revision,
        signature,
    })
}

/// The administrator's tablet already holds this signed revision: a code read again
/// relays nothing again.
pub fn already_held(held: Option<&ScoreSheet>, scanned: &SheetSignV2) -> bool {
    held.is_some_and(|h| {
        h.lock.is_signed() && h.lock.revision == scanned.revision && h.marks == scanned.marks
    })
}

/// What a re-opening's code text starts with (the other way: administrator to judge).
pub const REOPEN_PREFIX: &str = "HLO1";

/// The code an administrator's tablet shows for a re-opening it signed, for the judge's
/// tablet to scan: `HLO1.<data>`, `data` being base64url (no padding) of the contest,
/// judge and contestant ids, the revision re-opened (4, big-endian), the device id, the
/// signature (64) and the reason (UTF-8, to the end).
pub fn reopen_code(r: &SheetReopenedV1) -> String {
    let o = &r.reopen;
    let mut out = Vec::with_capacity(4 * 16 + 4 + 64 + o.reason.len());
    out.extend_from_slice(o.contest_id.as_bytes());
    out.extend_from_slice(o.judge_id.as_bytes());
    out.extend_from_slice(o.contestant_id.as_bytes());
    out.extend_from_slice(&o.revision.to_be_bytes());
    out.extend_from_slice(r.signature.device_id.as_bytes());
    out.extend_from_slice(
        &super::signing::signature_bytes(&r.signature.signature).unwrap_or([0; 64]),
    );
    out.extend_from_slice(o.reason.as_bytes());
    format!("{REOPEN_PREFIX}.{}", b64().encode(out))
}

/// Reads a re-opening's code. The signature is checked by `sheet.reopened@1`.
pub fn read_reopen(text: &str) -> Result<SheetReopenedV1, FrameError> {
    let data = text
        .trim()
        .strip_prefix(REOPEN_PREFIX)
        .and_then(|rest| rest.strip_prefix('.'))
        .ok_or(FrameError::NotARelayCode)?;
    let data = b64().decode(data).map_err(|_| FrameError::Damaged)?;
    let mut r = Reader(&data);
    let (contest, judge, contestant) = (r.uuid()?, r.uuid()?, r.uuid()?);
    let revision = u32::from_be_bytes(r.take::<4>()?);
    let device = r.uuid()?;
    let signature = r.take::<64>()?;
    let reason = String::from_utf8(r.0.to_vec()).map_err(|_| FrameError::Damaged)?;
    Ok(SheetReopenedV1 {
        reopen: SheetReopenV2 {
            contest_id: contest,
            judge_id: judge,
            contestant_id: contestant,
            reason,
            revision,
        },
        signature: SheetSignature {
            device_id: device,
            signature: base64::engine::general_purpose::STANDARD.encode(signature),
        },
    })
}

/// Reads bytes off the front of a code's data.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], FrameError> {
        if self.0.len() < N {
            return Err(FrameError::Damaged);
        }
        let (head, rest) = self.0.split_at(N);
        self.0 = rest;
        head.try_into().map_err(|_| FrameError::Damaged)
    }

    fn uuid(&mut self) -> Result<Uuid, FrameError> {
        Ok(Uuid::from_bytes(self.take::<16>()?))
    }
}

/// Reads one code's text. Only the form is checked here; the signatures are checked by
/// `sheet.relay@1` against the judge's registered key.
pub fn read(text: &str) -> Result<Frame, FrameError> {
    let mut parts = text.trim().splitn(4, '.');
    if parts.next() != Some(PREFIX) {
        return Err(FrameError::NotARelayCode);
    }
    let number = |p: Option<&str>| {
        p.and_then(|p| p.parse::<u32>().ok())
            .ok_or(FrameError::Damaged)
    };
    let (part, total) = (number(parts.next())?, number(parts.next())?);
    if part == 0 || part > total {
        return Err(FrameError::Damaged);
    }
    let data = b64()
        .decode(parts.next().ok_or(FrameError::Damaged)?)
        .map_err(|_| FrameError::Damaged)?;
    let mut r = Reader(&data);
    let (contest, judge, device) = (r.uuid()?, r.uuid()?, r.uuid()?);
    let mut sheets = Vec::new();
    while !r.0.is_empty() {
        let contestant = r.uuid()?;
        let revision = u32::from_be_bytes(r.take::<4>()?);
        let [count] = r.take::<1>()?;
        let mut marks = Vec::with_capacity(usize::from(count));
        for _ in 0..count {
            marks.push(match r.take::<1>()? {
                [0] => None,
                [1] => Some(u32::from_be_bytes(r.take::<4>()?)),
                _ => return Err(FrameError::Damaged),
            });
        }
        let signature = r.take::<64>()?;
        sheets.push(SheetSignV2 {
            contest_id: contest,
            judge_id: judge,
            contestant_id: contestant,
            marks,
            revision,
            signature: SheetSignature {
                device_id: device,
                signature: base64::engine::general_purpose::STANDARD.encode(signature),
            },
        });
    }
    if sheets.is_empty() {
        return Err(FrameError::Damaged);
    }
    Ok(Frame {
        part,
        total,
        sheets,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(contestant: u128, marks: Vec<Option<u32>>, judge: u128) -> SheetSignV2 {
        SheetSignV2 {
            contest_id: Uuid::from_u128(20),
            judge_id: Uuid::from_u128(judge),
            contestant_id: Uuid::from_u128(contestant),
            marks,
            revision: 2,
            signature: SheetSignature {
                device_id: Uuid::from_u128(judge + 100),
                signature: base64::engine::general_purpose::STANDARD.encode([contestant as u8; 64]),
            },
        }
    }

    #[test]
    fn sheets_travel_over_several_codes_and_come_back_whole() {
        let mut sheets: Vec<SheetSignV2> = (1..=7)
            .map(|c| sheet(c, vec![Some(3550), None, Some(0)], 31))
            .collect();
        sheets.push(sheet(9, vec![Some(100); 10], 32));
        let codes = frames(&sheets);
        // Judge 31's seven sheets take four codes, judge 32's one more.
        assert_eq!(codes.len(), 5);
        assert!(codes.iter().all(|c| c.len() < 500), "{codes:?}");
        let read: Vec<Frame> = codes.iter().map(|c| read(c).unwrap()).collect();
        assert_eq!(
            read.iter().map(|f| (f.part, f.total)).collect::<Vec<_>>(),
            [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]
        );
        let back: Vec<SheetSignV2> = read.into_iter().flat_map(|f| f.sheets).collect();
        assert_eq!(back, sheets);
    }

    #[test]
    fn a_reopening_travels_back_as_one_code() {
        let reopened = SheetReopenedV1 {
            reopen: SheetReopenV2 {
                contest_id: Uuid::from_u128(20),
                judge_id: Uuid::from_u128(31),
                contestant_id: Uuid::from_u128(4),
                reason: "第二项笔误，请重评".into(),
                revision: 1,
            },
            signature: SheetSignature {
                device_id: Uuid::from_u128(88),
                signature: base64::engine::general_purpose::STANDARD.encode([9u8; 64]),
            },
        };
        let code = reopen_code(&reopened);
        assert!(code.starts_with("HLO1.") && code.len() < 300, "{code}");
        assert_eq!(read_reopen(&code), Ok(reopened));
        assert_eq!(read_reopen("HLR1.1.1.AAAA"), Err(FrameError::NotARelayCode));
        assert_eq!(read_reopen(&code[..60]), Err(FrameError::Damaged));
    }

    #[test]
    fn other_codes_and_damaged_ones_are_told_apart() {
        let code = frames(&[sheet(1, vec![Some(1)], 31)]).remove(0);
        assert_eq!(read("HLC1.k1.abc.def"), Err(FrameError::NotARelayCode));
        assert_eq!(read("https://example.com"), Err(FrameError::NotARelayCode));
        // Cut short, a part beyond the total, bad base64, a bad mark tag.
        assert_eq!(read(&code[..code.len() - 4]), Err(FrameError::Damaged));
        assert_eq!(read("HLR1.2.1.AAAA"), Err(FrameError::Damaged));
        assert_eq!(read("HLR1.1.1.!!"), Err(FrameError::Damaged));
        let mut bytes = b64().decode(code.rsplit('.').next().unwrap()).unwrap();
        bytes[48 + 16 + 4 + 1] = 7;
        assert_eq!(
            read(&format!("HLR1.1.1.{}", b64().encode(bytes))),
            Err(FrameError::Damaged)
        );
        // Ids alone, with no sheet, are damaged too.
        assert_eq!(
            read(&format!("HLR1.1.1.{}", b64().encode([0u8; 48]))),
            Err(FrameError::Damaged)
        );
    }
}
