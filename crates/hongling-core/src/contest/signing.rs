//! Signed sheets for a contest day with no network (issue 15, item 6; work in progress).
//!
//! Why: at a venue without internet, a judge's tablet hands its signed sheets to the
//! administrator's tablet by QR code. The administrator's tablet, and later the server,
//! must be able to tell that a sheet is the judge's own and unchanged, and that a signature
//! made for one sheet cannot be moved to another. Each device holds an Ed25519 key made
//! at login; the judge's device signs [`signed_bytes`], which fixes every field that
//! decides the sheet: a tag naming the format, the contest, judge, contestant, revision,
//! marks and the signing device.

use uuid::Uuid;

/// A device's key for signed sheets (record `device_key`, id: the device's): registered by
/// the server when the device logs in, marked revoked with the device.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DeviceKey {
    pub account_id: Uuid,
    /// The Ed25519 public key, base64 (32 bytes).
    pub public_key: String,
    #[serde(default)]
    pub revoked: bool,
}

impl DeviceKey {
    /// A device's key as the server registers it at login; `public_key` must pass
    /// [`check_public_key`].
    pub fn new(account_id: Uuid, public_key: &str) -> DeviceKey {
        DeviceKey {
            account_id,
            public_key: public_key.to_owned(),
            revoked: false,
        }
    }

    /// The key's 32 bytes.
    pub fn bytes(&self) -> Option<[u8; 32]> {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(&self.public_key)
            .ok()?
            .try_into()
            .ok()
    }
}

/// Checks a public key a device sends at login: base64 of 32 bytes that are a point of
/// the curve (so no signature can be forged against it by construction).
pub fn check_public_key(text: &str) -> Result<[u8; 32], SignatureError> {
    use base64::Engine;
    let bytes: [u8; 32] = base64::engine::general_purpose::STANDARD
        .decode(text)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or(SignatureError::BadKey)?;
    let key =
        ed25519_dalek::VerifyingKey::from_bytes(&bytes).map_err(|_| SignatureError::BadKey)?;
    if key.is_weak() {
        return Err(SignatureError::BadKey);
    }
    Ok(bytes)
}

/// A signature's 64 bytes from base64.
pub fn signature_bytes(text: &str) -> Option<[u8; 64]> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .ok()?
        .try_into()
        .ok()
}

/// The tag that starts every signed sheet: the format and its version.
pub const SHEET_TAG: &[u8] = b"hongling sheet.sign@2\n";

/// What a judge's device signs for one revision of one sheet. Fixed-width fields, so no
/// two different sheets give the same bytes: the tag, the contest, judge and contestant
/// ids (16 bytes each), the revision (4 bytes big-endian), the number of marks (2 bytes
/// big-endian), each mark (a 0 byte for a blank one, else 1 and 4 bytes big-endian), and
/// the device id (16 bytes).
pub fn signed_bytes(
    contest: Uuid,
    judge: Uuid,
    contestant: Uuid,
    revision: u32,
    marks: &[Option<u32>],
    device: Uuid,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(SHEET_TAG.len() + 3 * 16 + 6 + marks.len() * 5 + 16);
    out.extend_from_slice(SHEET_TAG);
    out.extend_from_slice(contest.as_bytes());
    out.extend_from_slice(judge.as_bytes());
    out.extend_from_slice(contestant.as_bytes());
    out.extend_from_slice(&revision.to_be_bytes());
    out.extend_from_slice(&(marks.len() as u16).to_be_bytes());
    for m in marks {
        match m {
            None => out.push(0),
            Some(v) => {
                out.push(1);
                out.extend_from_slice(&v.to_be_bytes());
            }
        }
    }
    out.extend_from_slice(device.as_bytes());
    out
}

/// The device's key pair from its 32 secret bytes: the public half as base64, as the
/// login sends it.
pub fn public_key_of(secret: &[u8; 32]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(
        ed25519_dalek::SigningKey::from_bytes(secret)
            .verifying_key()
            .to_bytes(),
    )
}

/// A judge's device signs the marks of one sheet revision: the op `sheet.sign@2`.
pub struct SheetToSign<'a> {
    pub contest: Uuid,
    pub judge: Uuid,
    pub contestant: Uuid,
    pub revision: u32,
    pub marks: &'a [Option<u32>],
    pub device: Uuid,
}

impl SheetToSign<'_> {
    pub fn sign(&self, secret: &[u8; 32]) -> super::SheetSignV2 {
        use base64::Engine;
        use ed25519_dalek::Signer;
        let bytes = signed_bytes(
            self.contest,
            self.judge,
            self.contestant,
            self.revision,
            self.marks,
            self.device,
        );
        let signature = ed25519_dalek::SigningKey::from_bytes(secret).sign(&bytes);
        super::SheetSignV2 {
            contest_id: self.contest,
            judge_id: self.judge,
            contestant_id: self.contestant,
            marks: self.marks.to_vec(),
            revision: self.revision,
            signature: super::SheetSignature {
                device_id: self.device,
                signature: base64::engine::general_purpose::STANDARD.encode(signature.to_bytes()),
            },
        }
    }
}

/// Whether `key` (this device's, as the server published it) is the key of `secret` and
/// still good: only then does the device sign with `sheet.sign@2`.
pub fn registered(key: &DeviceKey, secret: &[u8; 32], account: Uuid) -> bool {
    !key.revoked && key.account_id == account && key.public_key == public_key_of(secret)
}

/// The tag that starts every signed re-opening.
pub const REOPEN_TAG: &[u8] = b"hongling sheet.reopen@2\n";

/// What an administrator's device signs to re-open a sheet at a venue with no network:
/// the tag, the contest, judge and contestant ids (16 bytes each), the revision re-opened
/// (4 bytes big-endian), the device id (16 bytes) and the reason (UTF-8, to the end).
pub fn reopen_bytes(op: &super::SheetReopenV2, device: Uuid) -> Vec<u8> {
    let mut out = Vec::with_capacity(REOPEN_TAG.len() + 4 * 16 + 4 + op.reason.len());
    out.extend_from_slice(REOPEN_TAG);
    out.extend_from_slice(op.contest_id.as_bytes());
    out.extend_from_slice(op.judge_id.as_bytes());
    out.extend_from_slice(op.contestant_id.as_bytes());
    out.extend_from_slice(&op.revision.to_be_bytes());
    out.extend_from_slice(device.as_bytes());
    out.extend_from_slice(op.reason.as_bytes());
    out
}

/// The administrator's device signs a re-opening: the judge's op `sheet.reopened@1`.
pub fn sign_reopen(
    op: &super::SheetReopenV2,
    device: Uuid,
    secret: &[u8; 32],
) -> super::SheetReopenedV1 {
    use base64::Engine;
    use ed25519_dalek::Signer;
    let signature = ed25519_dalek::SigningKey::from_bytes(secret).sign(&reopen_bytes(op, device));
    super::SheetReopenedV1 {
        reopen: op.clone(),
        signature: super::SheetSignature {
            device_id: device,
            signature: base64::engine::general_purpose::STANDARD.encode(signature.to_bytes()),
        },
    }
}

/// Why a signed sheet is not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("设备公钥无效")]
    BadKey,
    #[error("评分表签名与评委设备的公钥不符")]
    Mismatch,
}

/// Checks a device's signature over [`signed_bytes`] with its public key (32 bytes).
pub fn verify(
    public_key: &[u8; 32],
    bytes: &[u8],
    signature: &[u8; 64],
) -> Result<(), SignatureError> {
    let key =
        ed25519_dalek::VerifyingKey::from_bytes(public_key).map_err(|_| SignatureError::BadKey)?;
    key.verify_strict(bytes, &ed25519_dalek::Signature::from_bytes(signature))
        .map_err(|_| SignatureError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::Signer;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn a_signature_holds_for_its_sheet_only() {
        let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
        let public = key.verifying_key().to_bytes();
        let marks = [Some(3550), None, Some(2500)];
        let bytes = signed_bytes(id(20), id(31), id(4), 1, &marks, id(90));
        let signature = key.sign(&bytes).to_bytes();
        assert_eq!(verify(&public, &bytes, &signature), Ok(()));
        // Moved to another contestant, revision, mark or device: refused.
        for other in [
            signed_bytes(id(20), id(31), id(5), 1, &marks, id(90)),
            signed_bytes(id(20), id(31), id(4), 2, &marks, id(90)),
            signed_bytes(
                id(20),
                id(31),
                id(4),
                1,
                &[Some(3550), None, Some(2550)],
                id(90),
            ),
            signed_bytes(id(20), id(31), id(4), 1, &marks, id(91)),
        ] {
            assert_eq!(
                verify(&public, &other, &signature),
                Err(SignatureError::Mismatch)
            );
        }
        // Another device's key: refused.
        let stranger = ed25519_dalek::SigningKey::from_bytes(&[8; 32])
            .verifying_key()
            .to_bytes();
        assert_eq!(
            verify(&stranger, &bytes, &signature),
            Err(SignatureError::Mismatch)
        );
        // A key a device sends at login: 32 bytes, a point of the curve, not weak.
        use base64::Engine;
        let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
        assert_eq!(check_public_key(&b64(&public)), Ok(public));
        assert_eq!(check_public_key("not base64!"), Err(SignatureError::BadKey));
        assert_eq!(
            check_public_key(&b64(&[1; 31])),
            Err(SignatureError::BadKey)
        );
        assert_eq!(
            check_public_key(&b64(&[0; 32])),
            Err(SignatureError::BadKey)
        );
        // A blank mark and a zero mark sign differently.
        assert_ne!(
            signed_bytes(id(20), id(31), id(4), 1, &[None], id(90)),
            signed_bytes(id(20), id(31), id(4), 1, &[Some(0)], id(90))
        );
    }
}
