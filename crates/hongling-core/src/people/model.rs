//! Typed bodies of records, with the validation rules that every write must pass.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// 乡镇 / 街道: a township or street office of the district.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Township {
    pub name: String,
}

/// 非公企业 or 社会组织.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    /// 非公企业.
    Enterprise,
    /// 社会组织.
    SocialOrg,
}

/// An organisation where party-affairs workers work.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization {
    pub name: String,
    pub kind: OrgKind,
    pub township_id: Uuid,
    /// The party organisation inside it, e.g. "某某公司党支部".
    #[serde(default)]
    pub party_org: String,
    /// 行业, e.g. "酿酒", "物流", "养老服务".
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub industry: String,
}

impl OrgKind {
    pub fn label_zh(self) -> &'static str {
        match self {
            OrgKind::Enterprise => "非公企业",
            OrgKind::SocialOrg => "社会组织",
        }
    }
}

/// Longest organisation name accepted, in characters.
pub const MAX_ORG_NAME_CHARS: usize = 60;

impl Organization {
    /// Checks the organisation's own fields (the township is checked by `apply`).
    pub fn validate(&self) -> Result<(), FieldError> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > MAX_ORG_NAME_CHARS {
            return Err(FieldError {
                field: "name",
                message: "单位名称应为 1 到 60 个字",
            });
        }
        if self.party_org.chars().count() > MAX_ORG_NAME_CHARS || self.industry.chars().count() > 20
        {
            return Err(FieldError {
                field: "party_org",
                message: "党组织名称不超过 60 个字，行业不超过 20 个字",
            });
        }
        Ok(())
    }
}

/// The two certification categories: they are assessed separately.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkerRole {
    /// 党组织书记.
    Secretary,
    /// 党建工作指导员.
    Instructor,
}

impl WorkerRole {
    pub fn label_zh(self) -> &'static str {
        match self {
            WorkerRole::Secretary => "党组织书记",
            WorkerRole::Instructor => "党建工作指导员",
        }
    }
}

/// 党务工作者: the person being certified.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Worker {
    pub name: String,
    pub organization_id: Uuid,
    pub township_id: Uuid,
    pub role: WorkerRole,
    /// The management post also held (双向进入、交叉任职); empty when none.
    #[serde(default)]
    pub management_post: String,
    pub years_in_post: u32,
    /// The holder's photo (for the certificate), as an attachment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo: Option<crate::kernel::blob::BlobRef>,
    /// The ID-card number as everyone but the committee sees it (`**************002X`: the last four only);
    /// the full number is in committee-only records (see `idcard`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_card_masked: Option<String>,
}

/// A public key the server signs certificates with (body of a `signing_key` record).
///
/// Keys rotate: a new key signs from its creation on, and a retired key stays in the
/// list so the certificates it signed still verify.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SigningPublicKey {
    /// Names the key inside a signed payload: the first 16 hex digits of the SHA-256 of
    /// the public key.
    pub key_id: String,
    /// Always `ed25519` for now.
    pub algorithm: String,
    /// The 32-byte public key, standard base64.
    pub public_key: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Set when a newer key took over; it then signs nothing new, and a certificate it
    /// signed with a later issue date is refused as forged (see `certificate::verify`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retired_at: Option<chrono::DateTime<chrono::Utc>>,
    /// A demo server's key: what it signed verifies as 演示证书, never as genuine.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub demo: bool,
}

/// Longest name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 40;
/// Longest management post accepted, in characters.
pub const MAX_POST_CHARS: usize = 40;
/// Most years in post accepted.
pub const MAX_YEARS_IN_POST: u32 = 60;

/// A field-level validation failure: which field, and a message for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message: &'static str,
}

impl Worker {
    /// Checks the worker's own fields (references are checked by `apply`).
    pub fn validate(&self) -> Result<(), FieldError> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(FieldError {
                field: "name",
                message: "请填写姓名",
            });
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(FieldError {
                field: "name",
                message: "姓名不能超过 40 个字",
            });
        }
        if self.management_post.chars().count() > MAX_POST_CHARS {
            return Err(FieldError {
                field: "management_post",
                message: "管理职务不能超过 40 个字",
            });
        }
        if self.years_in_post > MAX_YEARS_IN_POST {
            return Err(FieldError {
                field: "years_in_post",
                message: "任职年限应在 0 到 60 年之间",
            });
        }
        Ok(())
    }

    /// Whether the worker also holds a management post (for the 77 % indicator).
    pub fn holds_management_post(&self) -> bool {
        !self.management_post.trim().is_empty()
    }
}
