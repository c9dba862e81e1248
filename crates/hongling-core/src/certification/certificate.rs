//! Certificates (红领资格证): what the server issues, what it signs, and how any tablet
//! verifies one offline.
//!
//! The server alone issues: it holds the signing key and hands out the numbers. Issuing
//! is still decided here, once, by [`issue`]; the server passes in the number, the date
//! and a signing function. The signed payload is a small JSON text whose bytes are
//! signed as they are (no canonical form to get wrong); the QR code carries it with the
//! signature and the key id. Verifying needs only the public keys and the status list,
//! which every device pulls.
//!
//! Certificate numbers read `HL` + year + `-` + a five-digit sequence that restarts each
//! year, e.g. `HL2026-00063`.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::certification::{Application, ProgrammeSettings, Stage};
use crate::kernel::Change;
use crate::kernel::record::{RecordKey, RecordKind};
use crate::people::model::{SigningPublicKey, Worker, WorkerRole};

/// The number of the `seq`-th certificate issued in `year`.
pub fn number(year: i32, seq: u32) -> String {
    format!("HL{year}-{seq:05}")
}

/// A certificate's standing, as the public status list gives it.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertStatus {
    /// 有效.
    Valid,
    /// 已取消 (revoked at an annual inspection).
    Revoked,
    /// 已降级: a lower-grade certificate replaced it.
    Downgraded,
    /// 已换发: a newer certificate (promotion) replaced it.
    Superseded,
    /// 已作废: reported lost and reissued under a new number.
    Void,
}

impl CertStatus {
    pub fn label_zh(self) -> &'static str {
        match self {
            CertStatus::Valid => "有效",
            CertStatus::Revoked => "已取消",
            CertStatus::Downgraded => "已降级",
            CertStatus::Superseded => "已换发",
            CertStatus::Void => "已作废",
        }
    }
}

/// A certificate's standing on a device: what its line of the status list says, or
/// `Unknown` while that line has not arrived. Every screen and report asks
/// [`standing`]: a certificate counts as valid only when its line says so, never by the
/// absence of one (a certificate and its line are written together, so a missing line is
/// a device that has not synced yet, or damage, not good news).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Known(CertStatus),
    Unknown,
}

impl Standing {
    /// Whether the certificate counts: its status line says 有效.
    pub fn is_valid(self) -> bool {
        self == Standing::Known(CertStatus::Valid)
    }

    /// The status as people read it (the status list's words, or 状态未知).
    pub fn label_zh(self) -> &'static str {
        match self {
            Standing::Known(s) => s.label_zh(),
            Standing::Unknown => "状态未知",
        }
    }
}

/// The standing of a certificate given its status line, if the device holds one.
/// Each certificate with its status line (matched by certificate id), from the records
/// as stored: what the stipend roster and the reports read. A record that does not decode
/// is left out.
pub fn with_status(
    certificates: &[crate::kernel::record::Record],
    statuses: &[crate::kernel::record::Record],
) -> Vec<(Certificate, Option<StatusEntry>)> {
    let lines: std::collections::BTreeMap<Uuid, StatusEntry> = statuses
        .iter()
        .filter_map(|r| Some((r.id, r.decode().ok()?)))
        .collect();
    certificates
        .iter()
        .filter_map(|r| Some((r.decode().ok()?, lines.get(&r.id).cloned())))
        .collect()
}

pub fn standing(line: Option<&StatusEntry>) -> Standing {
    line.map_or(Standing::Unknown, |l| Standing::Known(l.status))
}

/// A certificate (record `certificate`), visible where its holder works and to the holder.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    pub number: String,
    pub worker_id: Uuid,
    pub application_id: Uuid,
    pub township_id: Uuid,
    pub holder_name: String,
    pub category: WorkerRole,
    pub grade: u8,
    pub grade_name: String,
    pub issued_on: NaiveDate,
    pub valid_until: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo: Option<crate::kernel::blob::BlobRef>,
    /// The signed payload and its signature, as the QR code carries them.
    pub qr: String,
}

/// One line of the public status list (record `certificate_status`, same id as the
/// certificate): number, grade and status, and nothing personal.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusEntry {
    pub number: String,
    pub grade: u8,
    pub grade_name: String,
    pub status: CertStatus,
    /// The certificate that replaced this one, when one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaced_by: Option<String>,
    /// The first day it no longer counts (for stipends), when it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_on: Option<NaiveDate>,
}

/// What is signed. Field names are short because the QR code carries them.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payload {
    /// Payload format, 1.
    pub v: u32,
    /// Certificate number.
    pub no: String,
    /// Holder's name.
    pub name: String,
    /// Category: `secretary` or `instructor`.
    pub cat: WorkerRole,
    /// Grade level and name.
    pub grade: u8,
    pub grade_name: String,
    /// Issue date and last valid day.
    pub issued: NaiveDate,
    pub until: NaiveDate,
}

/// The prefix of a certificate QR text.
pub const QR_PREFIX: &str = "HLC1";

/// The QR text: `HLC1.<key id>.<payload, base64url>.<signature, base64url>`.
pub fn qr_text(key_id: &str, payload: &[u8], signature: &[u8; 64]) -> String {
    format!(
        "{QR_PREFIX}.{key_id}.{}.{}",
        URL_SAFE_NO_PAD.encode(payload),
        URL_SAFE_NO_PAD.encode(signature)
    )
}

/// What only the server can supply to issue a certificate.
pub struct Issuer<'a> {
    /// The next certificate number (see [`number`]).
    pub number: String,
    /// Today, in China.
    pub issued_on: NaiveDate,
    /// The active signing key's id, and a function that signs with it.
    pub key_id: &'a str,
    pub sign: &'a dyn Fn(&[u8]) -> [u8; 64],
}

/// Issues the certificate of an application that waits for it (待发证): the certificate,
/// its status line, and the application marked issued. Returns nothing for an
/// application that does not wait for a certificate.
pub fn issue(
    application_id: Uuid,
    app: &Application,
    worker: &Worker,
    settings: &ProgrammeSettings,
    issuer: Issuer<'_>,
) -> Vec<Change> {
    let Issuer {
        number,
        issued_on,
        key_id,
        sign,
    } = issuer;
    if app.stage != Stage::AwaitingIssue || app.certificate_id.is_some() {
        return Vec::new();
    }
    let grade_name = settings
        .grade(app.requested_grade)
        .map_or_else(|| format!("{} 级", app.requested_grade), |g| g.name.clone());
    // The day before the same date `validity_years` later (28 Feb for a 29 Feb issue).
    // A reissue keeps the lost certificate's validity.
    let valid_until = app.reissue.as_ref().map_or_else(
        || {
            issued_on
                .checked_add_months(chrono::Months::new(12 * settings.validity_years))
                .and_then(|d| d.pred_opt())
                .expect("dates this close are in range")
        },
        |r| r.valid_until,
    );
    let payload = Payload {
        v: 1,
        no: number.clone(),
        name: worker.name.clone(),
        cat: app.category,
        grade: app.requested_grade,
        grade_name: grade_name.clone(),
        issued: issued_on,
        until: valid_until,
    };
    let bytes = serde_json::to_vec(&payload).expect("a payload serializes");
    let signature = sign(&bytes);
    let id = certificate_id(application_id, app.issued + 1);
    let certificate = Certificate {
        number: number.clone(),
        worker_id: app.worker_id,
        application_id,
        township_id: worker.township_id,
        holder_name: worker.name.clone(),
        category: app.category,
        grade: app.requested_grade,
        grade_name: grade_name.clone(),
        issued_on,
        valid_until,
        photo: worker.photo.clone(),
        qr: qr_text(key_id, &bytes, &signature),
    };
    let status = StatusEntry {
        number,
        grade: app.requested_grade,
        grade_name,
        status: CertStatus::Valid,
        replaced_by: None,
        ended_on: None,
    };
    let mut app = app.clone();
    app.stage = Stage::Issued;
    app.certificate_id = Some(id);
    app.issued += 1;
    app.reissue = None;
    fn json<T: Serialize>(v: &T) -> serde_json::Value {
        serde_json::to_value(v).expect("bodies always serialize")
    }
    vec![
        Change {
            key: RecordKey::new(RecordKind::Certificate, id),
            deleted: false,
            body: json(&certificate),
        },
        Change {
            key: RecordKey::new(RecordKind::CertificateStatus, id),
            deleted: false,
            body: json(&status),
        },
        Change {
            key: RecordKey::new(RecordKind::Application, application_id),
            deleted: false,
            body: json(&app),
        },
    ]
}

/// The id of the certificate issued for an application: derived from it, so that a
/// retried issue can never make two.
/// `issue` counts the certificates issued for the application: 1 for the first, 2 for
/// its first reissue, and so on.
pub fn certificate_id(application_id: Uuid, issue: u32) -> Uuid {
    let mut bytes = *application_id.as_bytes();
    // Flip a fixed bit pattern: distinct from the application id, stable, reversible.
    for (b, m) in bytes.iter_mut().zip(*b"HL-certificate!!") {
        *b ^= m;
    }
    for (b, n) in bytes[12..].iter_mut().zip((issue - 1).to_be_bytes()) {
        *b ^= n;
    }
    Uuid::from_bytes(bytes)
}

/// Splits a certificate number made by [`number`] into its year and sequence.
pub fn parse_number(number: &str) -> Option<(i32, u32)> {
    let (year, seq) = number.strip_prefix("HL")?.split_once('-')?;
    Some((year.parse().ok()?, seq.parse().ok()?))
}

/// A certificate that a device sent back to a rewound server, checked: the server gives
/// it again with the same number, date and signature, so paper already handed out stays
/// true.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Returned {
    pub key_id: String,
    /// The signed bytes and their signature, exactly as the QR code carries them.
    pub payload: Vec<u8>,
    pub signature: [u8; 64],
    pub signed: Payload,
}

impl Returned {
    /// Checks the certificate's QR text against the server's own published keys; a
    /// certificate whose text and number disagree is refused like a forged one.
    pub fn check(
        certificate: &Certificate,
        keys: &[SigningPublicKey],
    ) -> Result<Returned, VerifyError> {
        let verified = verify(&certificate.qr, keys)?;
        if verified.payload.no != certificate.number || parse_number(&certificate.number).is_none()
        {
            return Err(VerifyError::BadSignature);
        }
        let mut parts = certificate.qr.trim().split('.').skip(1);
        let (Some(key_id), Some(payload), Some(signature)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(VerifyError::NotACertificate);
        };
        let payload = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| VerifyError::NotACertificate)?;
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .ok()
            .and_then(|s| s.try_into().ok())
            .ok_or(VerifyError::NotACertificate)?;
        Ok(Returned {
            key_id: key_id.to_owned(),
            payload,
            signature,
            signed: verified.payload,
        })
    }
}

/// Why a QR text did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("不是红领资格证的二维码")]
    NotACertificate,
    #[error("签名密钥 {0} 不在本设备上，请联网同步后再验证")]
    UnknownKey(String),
    #[error("签名无效：证书内容被改动或伪造")]
    BadSignature,
    /// The key had been retired before the certificate's issue date: a retired key signs
    /// nothing new, so whoever signed this holds a key that should no longer sign.
    #[error("签名无效：签发日期 {issued} 晚于签名密钥 {key_id} 的停用日期 {retired}")]
    IssuedAfterRetirement {
        key_id: String,
        issued: NaiveDate,
        retired: NaiveDate,
    },
}

/// A QR text that verified: what was signed, and whether a demo server signed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub payload: Payload,
    /// Signed by a demo server's key (演示证书): true to its demo data, but no certificate.
    pub demo: bool,
}

/// Checks a QR text against the public keys this device holds; returns what was signed.
///
/// A retired key still verifies what it signed before its retirement (in China's
/// calendar: a certificate issued on the day of the rotation is fine), and nothing
/// dated after it.
pub fn verify(qr: &str, keys: &[SigningPublicKey]) -> Result<Verified, VerifyError> {
    let mut parts = qr.trim().split('.');
    let (Some(QR_PREFIX), Some(key_id), Some(payload), Some(signature), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(VerifyError::NotACertificate);
    };
    let payload = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| VerifyError::NotACertificate)?;
    let signature: [u8; 64] = URL_SAFE_NO_PAD
        .decode(signature)
        .ok()
        .and_then(|s| s.try_into().ok())
        .ok_or(VerifyError::NotACertificate)?;
    let key = keys
        .iter()
        .find(|k| k.key_id == key_id && k.algorithm == "ed25519")
        .ok_or_else(|| VerifyError::UnknownKey(key_id.to_owned()))?;
    let public: [u8; 32] = STANDARD
        .decode(&key.public_key)
        .ok()
        .and_then(|k| k.try_into().ok())
        .ok_or_else(|| VerifyError::UnknownKey(key_id.to_owned()))?;
    let public = ed25519_dalek::VerifyingKey::from_bytes(&public)
        .map_err(|_| VerifyError::UnknownKey(key_id.to_owned()))?;
    public
        .verify_strict(&payload, &ed25519_dalek::Signature::from_bytes(&signature))
        .map_err(|_| VerifyError::BadSignature)?;
    let payload: Payload =
        serde_json::from_slice(&payload).map_err(|_| VerifyError::NotACertificate)?;
    if let Some(retired) = key.retired_at.map(crate::kernel::time::china_today)
        && payload.issued > retired
    {
        return Err(VerifyError::IssuedAfterRetirement {
            key_id: key.key_id.clone(),
            issued: payload.issued,
            retired,
        });
    }
    Ok(Verified {
        payload,
        demo: key.demo,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_certificate_counts_only_when_its_status_line_says_valid() {
        let line = |status| StatusEntry {
            number: "HL-2026-0001".into(),
            grade: 1,
            grade_name: "初级".into(),
            status,
            replaced_by: None,
            ended_on: None,
        };
        assert!(standing(Some(&line(CertStatus::Valid))).is_valid());
        for other in [
            CertStatus::Revoked,
            CertStatus::Downgraded,
            CertStatus::Superseded,
            CertStatus::Void,
        ] {
            assert!(!standing(Some(&line(other))).is_valid());
        }
        assert_eq!(standing(None), Standing::Unknown);
        assert!(!standing(None).is_valid());
        assert_eq!(standing(None).label_zh(), "状态未知");
    }

    #[test]
    fn each_certificate_is_joined_with_its_own_status_line() {
        let record = |kind, id, body: serde_json::Value| crate::testkit::record(kind, id, 1, &body);
        let cert = |n: &str| Certificate {
            number: n.into(),
            worker_id: Uuid::nil(),
            application_id: Uuid::nil(),
            township_id: Uuid::nil(),
            holder_name: "某".into(),
            category: WorkerRole::Secretary,
            grade: 1,
            grade_name: "初级".into(),
            issued_on: NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
            valid_until: NaiveDate::from_ymd_opt(2029, 1, 4).unwrap(),
            photo: None,
            qr: String::new(),
        };
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let line = StatusEntry {
            number: "HL-2".into(),
            grade: 1,
            grade_name: "初级".into(),
            status: CertStatus::Revoked,
            replaced_by: None,
            ended_on: None,
        };
        let certificates = [
            record(
                RecordKind::Certificate,
                a,
                serde_json::to_value(cert("HL-1")).unwrap(),
            ),
            record(
                RecordKind::Certificate,
                b,
                serde_json::to_value(cert("HL-2")).unwrap(),
            ),
            record(
                RecordKind::Certificate,
                Uuid::from_u128(3),
                serde_json::json!({"bad": 1}),
            ),
        ];
        let statuses = [record(
            RecordKind::CertificateStatus,
            b,
            serde_json::to_value(&line).unwrap(),
        )];
        let joined = with_status(&certificates, &statuses);
        assert_eq!(joined.len(), 2, "a record that does not decode is left out");
        assert_eq!((joined[0].0.number.as_str(), &joined[0].1), ("HL-1", &None));
        assert_eq!(
            (joined[1].0.number.as_str(), &joined[1].1),
            ("HL-2", &Some(line))
        );
    }
}
