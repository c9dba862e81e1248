//! Importing and exporting the district office's Excel lists of organisations and
//! workers.
//!
//! A file is read into rows of text elsewhere (the server reads XLSX and CSV); here each
//! row becomes the same `Op` a form would make, decided by the same `apply`, against a
//! copy of the records that takes each accepted row in turn, so a duplicate inside the
//! file is caught like one already stored. The result is a per-row report in Chinese;
//! a file with any error imports nothing.

use std::collections::BTreeMap;

use uuid::Uuid;

use crate::apply::apply;
use crate::kernel::record::{Record, RecordKey, RecordKind};
use crate::kernel::{Actor, State};
use crate::op::Op;
use crate::people::model::{OrgKind, Organization, Township, Worker, WorkerRole};
use crate::people::worker::{OrganizationCreateV1, WorkerCreateV1};

/// The columns of an organisation list, in export order.
pub const ORG_COLUMNS: [&str; 5] = ["单位名称", "类型", "乡镇（街道）", "行业", "党组织名称"];

/// The columns of a worker list, in export order.
pub const WORKER_COLUMNS: [&str; 7] = [
    "姓名",
    "身份证号",
    "类别",
    "单位名称",
    "乡镇（街道）",
    "管理职务",
    "任职年限",
];

/// What one row of the file gave.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RowReport {
    /// The row number as the spreadsheet shows it (the header is row 1).
    pub row: usize,
    pub values: Vec<String>,
    /// Empty when the row is fine.
    pub errors: Vec<String>,
}

/// The outcome of reading a file: a report per row and, when there is no error, the ops
/// to apply.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportPlan {
    pub rows: Vec<RowReport>,
    /// Errors about the file as a whole (a missing column, no rows).
    pub file_errors: Vec<String>,
    pub ops: Vec<Op>,
}

impl ImportPlan {
    pub fn is_clean(&self) -> bool {
        self.file_errors.is_empty() && self.rows.iter().all(|r| r.errors.is_empty())
    }
}

/// The records an import decides against, and that it updates as it goes.
pub type Records = BTreeMap<RecordKey, Record>;

fn decoded<T: serde::de::DeserializeOwned>(records: &Records, kind: RecordKind) -> Vec<(Uuid, T)> {
    records
        .values()
        .filter(|r| r.kind == kind && !r.deleted)
        .filter_map(|r| Some((r.id, r.decode().ok()?)))
        .collect()
}

/// Maps each wanted column to its index in the header row.
fn columns(header: &[String], wanted: &[&str]) -> Result<Vec<usize>, Vec<String>> {
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for w in wanted {
        match header.iter().position(|h| h.trim() == *w) {
            Some(i) => found.push(i),
            None => missing.push(format!("缺少“{w}”列")),
        }
    }
    if missing.is_empty() {
        Ok(found)
    } else {
        Err(missing)
    }
}

fn take(row: &[String], cols: &[usize]) -> Vec<String> {
    cols.iter()
        .map(|&i| row.get(i).map(|s| s.trim().to_owned()).unwrap_or_default())
        .collect()
}

fn commit(records: &mut Records, changes: Vec<crate::kernel::Change>) {
    for c in changes {
        let version = records.get(&c.key).map_or(0, |r| r.version);
        records.insert(
            c.key,
            Record {
                kind: c.key.kind,
                id: c.key.id,
                version,
                deleted: c.deleted,
                body: c.body,
            },
        );
    }
}

fn township_by_name(records: &Records, name: &str) -> Option<Uuid> {
    decoded::<Township>(records, RecordKind::Township)
        .into_iter()
        .find(|(_, t)| t.name == name)
        .map(|(id, _)| id)
}

/// Reads an organisation list. `rows[0]` is the header.
pub fn plan_organizations(
    rows: &[Vec<String>],
    records: &mut Records,
    actor: &Actor,
    new_id: &mut dyn FnMut() -> Uuid,
) -> ImportPlan {
    plan(
        rows,
        &ORG_COLUMNS,
        records,
        |values, records| {
            let mut errors = Vec::new();
            let [name, kind, township, industry, party] = values else {
                unreachable!("five columns")
            };
            let kind = match kind.as_str() {
                "非公企业" | "企业" => Some(OrgKind::Enterprise),
                "社会组织" => Some(OrgKind::SocialOrg),
                _ => {
                    errors.push(format!("类型应为“非公企业”或“社会组织”，不是“{kind}”"));
                    None
                }
            };
            let township_id = township_by_name(records, township);
            if township_id.is_none() {
                errors.push(if township.is_empty() {
                    "缺少乡镇（街道）".to_owned()
                } else {
                    format!("没有名为“{township}”的乡镇（街道）")
                });
            }
            if let Some(t) = township_id
                && decoded::<Organization>(records, RecordKind::Organization)
                    .iter()
                    .any(|(_, o)| o.name == *name && o.township_id == t)
            {
                errors.push(format!("单位“{name}”已存在"));
            }
            let (Some(kind), Some(township_id), true) = (kind, township_id, errors.is_empty())
            else {
                return Err(errors);
            };
            Ok(Op::OrganizationCreateV1(OrganizationCreateV1 {
                id: new_id(),
                name: name.clone(),
                kind,
                township_id,
                party_org: party.clone(),
                industry: industry.clone(),
            }))
        },
        actor,
    )
}

/// Reads a worker list. `rows[0]` is the header. Organisations are found by name within
/// the row's township.
pub fn plan_workers(
    rows: &[Vec<String>],
    records: &mut Records,
    actor: &Actor,
    new_id: &mut dyn FnMut() -> Uuid,
) -> ImportPlan {
    plan(
        rows,
        &WORKER_COLUMNS,
        records,
        |values, records| {
            let mut errors = Vec::new();
            let [name, id_card, role, org, township, post, years] = values else {
                unreachable!("seven columns")
            };
            let role = match role.as_str() {
                "党组织书记" | "书记" => Some(WorkerRole::Secretary),
                "党建工作指导员" | "指导员" => Some(WorkerRole::Instructor),
                _ => {
                    errors.push(format!(
                        "类别应为“党组织书记”或“党建工作指导员”，不是“{role}”"
                    ));
                    None
                }
            };
            let township_id = township_by_name(records, township);
            if township_id.is_none() {
                errors.push(if township.is_empty() {
                    "缺少乡镇（街道）".to_owned()
                } else {
                    format!("没有名为“{township}”的乡镇（街道）")
                });
            }
            let org_id = township_id.and_then(|t| {
                decoded::<Organization>(records, RecordKind::Organization)
                    .into_iter()
                    .find(|(_, o)| o.name == *org && o.township_id == t)
                    .map(|(id, _)| id)
            });
            if township_id.is_some() && org_id.is_none() {
                errors.push(format!("该乡镇（街道）没有名为“{org}”的单位"));
            }
            let years = match years.parse::<u32>() {
                Ok(y) => Some(y),
                Err(_) if years.is_empty() => Some(0),
                Err(_) => {
                    errors.push(format!("任职年限应为整数，不是“{years}”"));
                    None
                }
            };
            let (Some(role), Some(township_id), Some(org_id), Some(years), true) =
                (role, township_id, org_id, years, errors.is_empty())
            else {
                return Err(errors);
            };
            Ok(Op::WorkerCreateV1(WorkerCreateV1 {
                id: new_id(),
                name: name.clone(),
                organization_id: org_id,
                township_id,
                role,
                management_post: post.clone(),
                years_in_post: years,
                photo: None,
                id_card: (!id_card.is_empty()).then(|| id_card.clone()),
            }))
        },
        actor,
    )
}

fn plan(
    rows: &[Vec<String>],
    wanted: &[&str],
    records: &mut Records,
    mut row_op: impl FnMut(&[String], &Records) -> Result<Op, Vec<String>>,
    actor: &Actor,
) -> ImportPlan {
    let mut report = ImportPlan {
        rows: Vec::new(),
        file_errors: Vec::new(),
        ops: Vec::new(),
    };
    let Some((header, data)) = rows.split_first() else {
        report.file_errors.push("文件是空的".to_owned());
        return report;
    };
    let cols = match columns(header, wanted) {
        Ok(cols) => cols,
        Err(missing) => {
            report.file_errors = missing;
            return report;
        }
    };
    for (i, row) in data.iter().enumerate() {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let values = take(row, &cols);
        let errors = match row_op(&values, records) {
            Err(errors) => errors,
            Ok(op) => match apply(&*records as &dyn State, actor, &op) {
                Ok(changes) => {
                    commit(records, changes);
                    report.ops.push(op);
                    Vec::new()
                }
                Err(r) => vec![r.message],
            },
        };
        report.rows.push(RowReport {
            row: i + 2,
            values,
            errors,
        });
    }
    if report.rows.is_empty() {
        report.file_errors.push("文件中没有数据行".to_owned());
    }
    report
}

/// The organisation list as rows, header first, sorted by township and name.
pub fn organization_rows(records: &Records) -> Vec<Vec<String>> {
    let townships = decoded::<Township>(records, RecordKind::Township);
    let town = |id: Uuid| {
        townships
            .iter()
            .find(|(t, _)| *t == id)
            .map(|(_, t)| t.name.clone())
            .unwrap_or_default()
    };
    let mut orgs = decoded::<Organization>(records, RecordKind::Organization);
    orgs.sort_by(|a, b| {
        (town(a.1.township_id), &a.1.name).cmp(&(town(b.1.township_id), &b.1.name))
    });
    let mut rows = vec![ORG_COLUMNS.iter().map(|c| (*c).to_owned()).collect()];
    for (_, o) in orgs {
        rows.push(vec![
            o.name.clone(),
            o.kind.label_zh().to_owned(),
            town(o.township_id),
            o.industry.clone(),
            o.party_org.clone(),
        ]);
    }
    rows
}

/// The worker list as rows, header first. The ID-card column is the full number where
/// `records` holds it (the committee's), else the masked one.
pub fn worker_rows(records: &Records) -> Vec<Vec<String>> {
    let townships = decoded::<Township>(records, RecordKind::Township);
    let orgs = decoded::<Organization>(records, RecordKind::Organization);
    let town = |id: Uuid| {
        townships
            .iter()
            .find(|(t, _)| *t == id)
            .map(|(_, t)| t.name.clone())
            .unwrap_or_default()
    };
    let mut workers = decoded::<Worker>(records, RecordKind::Worker);
    workers.sort_by(|a, b| {
        (town(a.1.township_id), &a.1.name).cmp(&(town(b.1.township_id), &b.1.name))
    });
    let mut rows = vec![WORKER_COLUMNS.iter().map(|c| (*c).to_owned()).collect()];
    for (id, w) in workers {
        let full = records
            .get(&RecordKey::new(RecordKind::IdCard, id))
            .and_then(|r| r.decode::<crate::people::idcard::IdCard>().ok())
            .map(|c| c.number);
        rows.push(vec![
            w.name.clone(),
            full.or(w.id_card_masked.clone()).unwrap_or_default(),
            w.role.label_zh().to_owned(),
            orgs.iter()
                .find(|(o, _)| *o == w.organization_id)
                .map(|(_, o)| o.name.clone())
                .unwrap_or_default(),
            town(w.township_id),
            w.management_post.clone(),
            w.years_in_post.to_string(),
        ]);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::grant::{Grant, Role, Scope};

    fn committee() -> Actor {
        Actor {
            account_id: Uuid::nil(),
            grants: vec![Grant {
                role: Role::DistrictCommittee,
                scope: Scope::District,
            }],
        }
    }

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| (*c).to_owned()).collect()
    }

    fn world() -> Records {
        let mut records = Records::new();
        for (n, name) in [(1u128, "古井镇"), (2, "华佗镇")] {
            let id = Uuid::from_u128(n);
            records.insert(
                RecordKey::new(RecordKind::Township, id),
                Record {
                    kind: RecordKind::Township,
                    id,
                    version: 1,
                    deleted: false,
                    body: serde_json::json!({"name": name}),
                },
            );
        }
        records
    }

    fn ids() -> impl FnMut() -> Uuid {
        let mut n = 100u128;
        move || {
            n += 1;
            Uuid::from_u128(n)
        }
    }

    #[test]
    fn organisations_then_workers_import_and_export_the_same_columns() {
        let mut records = world();
        let orgs = vec![
            row(&["党组织名称", "单位名称", "类型", "乡镇（街道）", "行业"]),
            row(&["宏达党支部", "宏达酿造", "非公企业", "古井镇", "酿酒"]),
            row(&["", "", "", "", ""]),
            row(&["百草党支部", "百草合作社", "社会组织", "华佗镇", "种植"]),
        ];
        let plan = plan_organizations(&orgs, &mut records, &committee(), &mut ids());
        assert!(plan.is_clean(), "{plan:?}");
        assert_eq!(plan.ops.len(), 2);
        let workers = vec![
            row(&WORKER_COLUMNS),
            row(&[
                "王芳",
                "11010519491231002X",
                "党组织书记",
                "宏达酿造",
                "古井镇",
                "副总",
                "3",
            ]),
            row(&["李明", "", "指导员", "百草合作社", "华佗镇", "", ""]),
        ];
        let plan = plan_workers(&workers, &mut records, &committee(), &mut ids());
        assert!(plan.is_clean(), "{plan:?}");
        assert_eq!(plan.ops.len(), 2);
        let out = worker_rows(&records);
        assert_eq!(out[0], WORKER_COLUMNS);
        // Sorted by township, then name (华佗镇 before 古井镇 in code-point order).
        assert_eq!(
            out[1],
            [
                "李明",
                "",
                "党建工作指导员",
                "百草合作社",
                "华佗镇",
                "",
                "0"
            ]
        );
        assert_eq!(
            out[2],
            [
                "王芳",
                "11010519491231002X",
                "党组织书记",
                "宏达酿造",
                "古井镇",
                "副总",
                "3"
            ]
        );
        let orgs_out = organization_rows(&records);
        assert_eq!(
            orgs_out[2],
            ["宏达酿造", "非公企业", "古井镇", "酿酒", "宏达党支部"]
        );
    }

    #[test]
    fn every_bad_row_is_reported_in_chinese_and_nothing_is_planned_to_apply() {
        let mut records = world();
        let orgs = vec![
            row(&ORG_COLUMNS),
            row(&["宏达酿造", "非公企业", "古井镇", "", ""]),
        ];
        let plan = plan_organizations(&orgs, &mut records, &committee(), &mut ids());
        assert!(plan.is_clean());
        let workers = vec![
            row(&WORKER_COLUMNS),
            row(&[
                "王芳",
                "11010519491231002X",
                "党组织书记",
                "宏达酿造",
                "古井镇",
                "",
                "3",
            ]),
            // Missing township, duplicate ID inside the file, invalid ID, bad year.
            row(&["赵一", "", "党组织书记", "宏达酿造", "", "", "1"]),
            row(&[
                "钱二",
                "11010519491231002X",
                "党组织书记",
                "宏达酿造",
                "古井镇",
                "",
                "1",
            ]),
            row(&[
                "孙三",
                "110105194912310021",
                "党组织书记",
                "宏达酿造",
                "古井镇",
                "",
                "1",
            ]),
            row(&["李四", "", "党组织书记", "宏达酿造", "古井镇", "", "三年"]),
            row(&["周五", "", "组长", "宏达酿造", "城父镇", "", "1"]),
        ];
        let plan = plan_workers(&workers, &mut records, &committee(), &mut ids());
        assert!(!plan.is_clean());
        let errors: Vec<(usize, String)> = plan
            .rows
            .iter()
            .map(|r| (r.row, r.errors.join("；")))
            .collect();
        assert_eq!(errors[0], (2, String::new()));
        assert_eq!(errors[1], (3, "缺少乡镇（街道）".to_owned()));
        assert!(errors[2].1.contains("已登记"), "{}", errors[2].1);
        assert!(errors[3].1.contains("校验位"), "{}", errors[3].1);
        assert!(errors[4].1.contains("任职年限应为整数"), "{}", errors[4].1);
        assert!(errors[5].1.contains("类别应为"), "{}", errors[5].1);
        assert!(errors[5].1.contains("没有名为“城父镇”"), "{}", errors[5].1);

        let missing = plan_workers(&[row(&["姓名"])], &mut records, &committee(), &mut ids());
        assert!(missing.file_errors.contains(&"缺少“身份证号”列".to_owned()));
    }
}
