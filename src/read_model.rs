//! Read models: what the screens show, decoded from the records in IndexedDB.

use std::collections::BTreeSet;

use hongling_core::{Organization, RecordKind, Township, Worker};
use uuid::Uuid;

use crate::state::db;
use crate::storage::StorageError;

/// A change the server refused, as 待处理 shows it.
pub use hongling_sync::RejectedEntry;

/// Every record of `kind` this device holds, decoded as `T`: the one decode loop of the
/// screens. A record that does not decode (written by a newer version) is left out.
pub async fn all<T: serde::de::DeserializeOwned>(
    kind: RecordKind,
) -> Result<Vec<(Uuid, T)>, StorageError> {
    decoded(&db().await?, kind).await
}

/// Every record of `kind` as stored (for the core's functions that read records).
pub async fn records(kind: RecordKind) -> Result<Vec<hongling_core::Record>, StorageError> {
    db().await?.list(kind).await
}

/// One record as stored, `None` when this device does not hold it.
pub async fn record(
    key: hongling_core::RecordKey,
) -> Result<Option<hongling_core::Record>, StorageError> {
    db().await?.get(key).await
}

/// The changes the server refused (待处理), oldest first.
pub async fn rejected() -> Result<Vec<RejectedEntry>, StorageError> {
    db().await?.rejected().await
}

/// One refused change, by its outbox id.
pub async fn rejected_entry(id: u64) -> Result<Option<RejectedEntry>, StorageError> {
    db().await?.rejected_get(id).await
}

/// The records changed on this device and not yet acknowledged (`kind/id`).
pub async fn pending_keys() -> Result<BTreeSet<String>, StorageError> {
    db().await?.pending_keys().await
}

/// One record, decoded as `T`; `None` when this device does not hold it (or cannot
/// read it).
pub async fn one<T: serde::de::DeserializeOwned>(
    key: hongling_core::RecordKey,
) -> Result<Option<T>, StorageError> {
    Ok(db().await?.get(key).await?.and_then(|r| r.decode().ok()))
}

/// The reference lists a worker screen needs, decoded.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    pub townships: Vec<(Uuid, Township)>,
    pub organizations: Vec<(Uuid, Organization)>,
}

impl Directory {
    pub async fn load() -> Result<Directory, StorageError> {
        let mut townships: Vec<(Uuid, Township)> = all(RecordKind::Township).await?;
        townships.sort_by(|a, b| a.1.name.cmp(&b.1.name));
        let mut organizations: Vec<(Uuid, Organization)> = all(RecordKind::Organization).await?;
        organizations.sort_by(|a, b| a.1.name.cmp(&b.1.name));
        Ok(Directory {
            townships,
            organizations,
        })
    }

    /// Township names by id, for looking up many rows.
    pub fn township_names(&self) -> std::collections::HashMap<Uuid, &str> {
        self.townships
            .iter()
            .map(|(id, t)| (*id, t.name.as_str()))
            .collect()
    }

    /// Organisation names by id (a district has thousands), for looking up many rows.
    pub fn organization_names(&self) -> std::collections::HashMap<Uuid, &str> {
        self.organizations
            .iter()
            .map(|(id, o)| (*id, o.name.as_str()))
            .collect()
    }

    pub fn township_name(&self, id: Uuid) -> String {
        self.townships
            .iter()
            .find(|t| t.0 == id)
            .map(|t| t.1.name.clone())
            .unwrap_or_default()
    }

    pub fn organization_name(&self, id: Uuid) -> String {
        self.organizations
            .iter()
            .find(|o| o.0 == id)
            .map(|o| o.1.name.clone())
            .unwrap_or_default()
    }
}

/// One worker as the list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkerRow {
    pub id: Uuid,
    pub worker: Worker,
    pub township: String,
    pub organization: String,
    /// The name's pinyin, worked out once for the search.
    pub name_key: hongling_core::text::NameKey,
    /// Changed on this device and not yet acknowledged by the server.
    pub pending: bool,
}

/// The worker list: shared rows, so that keeping, patching or showing part of it copies
/// pointers, not ten thousand rows' strings (`Arc`, as the keyed list wants `Send`).
pub type WorkerRows = std::rc::Rc<Vec<std::sync::Arc<WorkerRow>>>;

thread_local! {
    /// The worker list as last built, with the database generation it was built at.
    static WORKER_ROWS: std::cell::RefCell<Option<(u64, WorkerRows)>> =
        const { std::cell::RefCell::new(None) };
}

/// The list's order: by name.
fn row_order(a: &WorkerRow, b: &WorkerRow) -> std::cmp::Ordering {
    a.worker.name.cmp(&b.worker.name).then(a.id.cmp(&b.id))
}

/// The worker list, in name order. Built once; after that only the workers written
/// since are read again (a save, a pulled page) and put in their places, the rest kept
/// as they were, so a tap on 保存 costs the row it changed and not the district's ten
/// thousand.
pub async fn load_worker_rows() -> Result<WorkerRows, StorageError> {
    let db = db().await?;
    let generation = db.generation();
    let kept = WORKER_ROWS.with(|w| w.borrow().clone());
    // The workers with a pending change: few, so a set of ids to look rows up in.
    let pending: std::collections::HashSet<Uuid> = db
        .pending_keys()
        .await?
        .iter()
        .filter_map(|k| hongling_core::RecordKey::from_storage_key(k))
        .filter(|k| k.kind == RecordKind::Worker)
        .map(|k| k.id)
        .collect();
    let patched = match (kept, generation) {
        (Some((g, rows)), Some(now)) if g == now => {
            if rows.iter().all(|r| r.pending == pending.contains(&r.id)) {
                return Ok(rows);
            }
            Some((*rows).clone())
        }
        (Some((g, rows)), Some(_)) => match db.changes_since(g) {
            // A township or an organisation renamed changes rows it did not write.
            Some(changed)
                if !changed
                    .iter()
                    .any(|k| matches!(k.kind, RecordKind::Township | RecordKind::Organization)) =>
            {
                let ids: BTreeSet<Uuid> = changed
                    .iter()
                    .filter(|k| k.kind == RecordKind::Worker)
                    .map(|k| k.id)
                    .collect();
                let mut rows: Vec<std::sync::Arc<WorkerRow>> = (*rows).clone();
                if !ids.is_empty() {
                    rows.retain(|r| !ids.contains(&r.id));
                    let dir = Directory::load().await?;
                    let (townships, organizations) =
                        (dir.township_names(), dir.organization_names());
                    for id in ids {
                        let Some(r) = db
                            .get(hongling_core::RecordKey::new(RecordKind::Worker, id))
                            .await?
                        else {
                            continue;
                        };
                        if let Some(row) = worker_row(&r, &townships, &organizations) {
                            let at = rows
                                .binary_search_by(|probe| row_order(probe, &row))
                                .unwrap_or_else(|at| at);
                            rows.insert(at, std::sync::Arc::new(row));
                        }
                    }
                }
                Some(rows)
            }
            _ => None,
        },
        _ => None,
    };
    let mut rows = match patched {
        Some(rows) => rows,
        None => {
            let dir = Directory::load().await?;
            let (townships, organizations) = (dir.township_names(), dir.organization_names());
            let mut rows: Vec<WorkerRow> = db
                .list(RecordKind::Worker)
                .await?
                .iter()
                .filter_map(|r| worker_row(r, &townships, &organizations))
                .collect();
            rows.sort_by(row_order);
            rows.into_iter().map(std::sync::Arc::new).collect()
        }
    };
    for row in &mut rows {
        let now = pending.contains(&row.id);
        if row.pending != now {
            std::sync::Arc::make_mut(row).pending = now;
        }
    }
    let rows = std::rc::Rc::new(rows);
    if let Some(g) = generation {
        WORKER_ROWS.with(|w| *w.borrow_mut() = Some((g, rows.clone())));
    }
    Ok(rows)
}

/// One worker's row, `None` when the record does not decode.
fn worker_row(
    r: &hongling_core::Record,
    townships: &std::collections::HashMap<Uuid, &str>,
    organizations: &std::collections::HashMap<Uuid, &str>,
) -> Option<WorkerRow> {
    let worker: Worker = r.decode().ok()?;
    Some(WorkerRow {
        id: r.id,
        township: townships
            .get(&worker.township_id)
            .copied()
            .unwrap_or_default()
            .to_owned(),
        organization: organizations
            .get(&worker.organization_id)
            .copied()
            .unwrap_or_default()
            .to_owned(),
        name_key: hongling_core::text::NameKey::of(&worker.name),
        pending: false,
        worker,
    })
}

/// One certification application as the lists show it.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplicationRow {
    pub id: Uuid,
    /// The server's change number of its last change: lower waited longer.
    pub version: u64,
    pub app: hongling_core::certification::Application,
    pub worker_name: String,
    pub township: String,
    pub batch_name: String,
    /// The requested grade's name (初级, 中级, …).
    pub grade_name: String,
    /// Changed on this device and not yet acknowledged by the server.
    pub pending: bool,
}

/// Every batch, newest first.
pub async fn load_batches() -> Result<Vec<(Uuid, hongling_core::certification::Batch)>, StorageError>
{
    let mut batches: Vec<(Uuid, hongling_core::certification::Batch)> =
        all(RecordKind::Batch).await?;
    batches.sort_by(|a, b| (b.1.year, &b.1.name).cmp(&(a.1.year, &a.1.name)));
    Ok(batches)
}

/// The programme's settings as this device has them.
pub async fn load_settings() -> Result<hongling_core::certification::ProgrammeSettings, StorageError>
{
    let key = hongling_core::RecordKey::new(
        RecordKind::Settings,
        hongling_core::certification::SETTINGS_ID,
    );
    Ok(one(key).await?.unwrap_or_default())
}

/// Every application on this device, oldest change first.
pub async fn load_applications() -> Result<Vec<ApplicationRow>, StorageError> {
    let db = db().await?;
    let dir = Directory::load().await?;
    let pending: BTreeSet<String> = db.pending_keys().await?;
    let workers: Vec<(Uuid, Worker)> = decoded(&db, RecordKind::Worker).await?;
    let batches = load_batches().await?;
    let settings = load_settings().await?;
    let mut rows: Vec<ApplicationRow> = db
        .list(RecordKind::Application)
        .await?
        .into_iter()
        .filter_map(|r| {
            let app: hongling_core::certification::Application = r.decode().ok()?;
            Some(ApplicationRow {
                id: r.id,
                version: r.version,
                worker_name: workers
                    .iter()
                    .find(|w| w.0 == app.worker_id)
                    .map(|w| w.1.name.clone())
                    .unwrap_or_default(),
                township: dir.township_name(app.township_id),
                batch_name: batches
                    .iter()
                    .find(|b| b.0 == app.batch_id)
                    .map(|b| b.1.name.clone())
                    .unwrap_or_default(),
                grade_name: settings
                    .grade(app.requested_grade)
                    .map_or_else(|| app.requested_grade.to_string(), |g| g.name.clone()),
                pending: pending.contains(&r.key().storage_key()),
                app,
            })
        })
        .collect();
    // Not yet on the server (version 0) counts as newest.
    rows.sort_by_key(|r| if r.version == 0 { u64::MAX } else { r.version });
    Ok(rows)
}

/// A certificate with its line of the status list.
#[derive(Debug, Clone, PartialEq)]
pub struct CertificateView {
    pub certificate: hongling_core::certificate::Certificate,
    pub status: Option<hongling_core::certificate::StatusEntry>,
}

pub async fn load_certificate(id: Uuid) -> Result<Option<CertificateView>, StorageError> {
    let db = db().await?;
    let Some(certificate) = db
        .get(hongling_core::RecordKey::new(RecordKind::Certificate, id))
        .await?
        .and_then(|r| r.decode().ok())
    else {
        return Ok(None);
    };
    let status = db
        .get(hongling_core::RecordKey::new(
            RecordKind::CertificateStatus,
            id,
        ))
        .await?
        .and_then(|r| r.decode().ok());
    Ok(Some(CertificateView {
        certificate,
        status,
    }))
}

/// The signing keys and the whole status list: what verifying needs, offline.
pub async fn load_verification() -> Result<
    (
        Vec<hongling_core::SigningPublicKey>,
        Vec<hongling_core::certificate::StatusEntry>,
    ),
    StorageError,
> {
    let db = db().await?;
    let keys = db
        .list(RecordKind::SigningKey)
        .await?
        .into_iter()
        .filter_map(|r| r.decode().ok())
        .collect();
    let statuses = db
        .list(RecordKind::CertificateStatus)
        .await?
        .into_iter()
        .filter_map(|r| r.decode().ok())
        .collect();
    Ok((keys, statuses))
}

/// Every record of the field-work screens, decoded once per change of local data:
/// the visits, trainings, mentoring, inspections and dashboard read from it.
#[derive(Debug, Clone, Default)]
pub struct Programme {
    pub dir: Directory,
    pub workers: Vec<(Uuid, Worker)>,
    pub certificates: Vec<(Uuid, hongling_core::certificate::Certificate)>,
    pub statuses: Vec<(Uuid, hongling_core::certificate::StatusEntry)>,
    pub pool: Vec<hongling_core::pool::PoolEntry>,
    pub sessions: Vec<(Uuid, hongling_core::training::TrainingSession)>,
    pub attendance: Vec<hongling_core::training::Attendance>,
    pub visits: Vec<(Uuid, hongling_core::fieldwork::Visit)>,
    pub mentors: Vec<hongling_core::mentoring::Mentor>,
    pub pairs: Vec<(Uuid, hongling_core::mentoring::PairRecord)>,
    pub studios: Vec<(Uuid, hongling_core::mentoring::Studio)>,
    pub activities: Vec<(Uuid, hongling_core::mentoring::Activity)>,
    pub inspections: Vec<(Uuid, hongling_core::inspection::Inspection)>,
    pub promotions: Vec<(Uuid, hongling_core::inspection::Promotion)>,
    pub honours: Vec<hongling_core::honour::Honour>,
    pub settings: hongling_core::certification::ProgrammeSettings,
    pub task_lists: Vec<hongling_core::tasks::TaskList>,
    /// Records changed on this device and not yet acknowledged (`kind/id`).
    pub pending: BTreeSet<String>,
}

/// [`all`] on an open database.
async fn decoded<T: serde::de::DeserializeOwned>(
    db: &crate::storage::Db,
    kind: RecordKind,
) -> Result<Vec<(Uuid, T)>, StorageError> {
    Ok(db
        .list(kind)
        .await?
        .into_iter()
        .filter_map(|r| Some((r.id, r.decode().ok()?)))
        .collect())
}

/// The records without their ids.
pub fn values<T>(v: Vec<(Uuid, T)>) -> Vec<T> {
    v.into_iter().map(|(_, t)| t).collect()
}

/// A [`Programme`] being read, which every screen asking meanwhile awaits too.
type ProgrammeLoad = futures::future::Shared<
    futures::future::LocalBoxFuture<'static, Result<std::rc::Rc<Programme>, StorageError>>,
>;

thread_local! {
    /// The last [`Programme`] worked out, with the database generation it was read at.
    static PROGRAMME: std::cell::RefCell<Option<(u64, std::rc::Rc<Programme>)>> =
        const { std::cell::RefCell::new(None) };
    /// The read under way, with the generation it started at.
    static LOADING: std::cell::RefCell<Option<(Option<u64>, ProgrammeLoad)>> =
        const { std::cell::RefCell::new(None) };
}

impl Programme {
    /// Every record of the field-work screens, decoded. Kept while the database does not
    /// change: the home, its reminders and the lists that open after it share one
    /// decoding, and a sync that moved nothing costs none.
    pub async fn load() -> Result<std::rc::Rc<Programme>, StorageError> {
        let db = db().await?;
        let generation = db.generation();
        if let Some(kept) = PROGRAMME.with(|p| {
            p.borrow()
                .as_ref()
                .filter(|(g, _)| Some(*g) == generation)
                .map(|(_, p)| p.clone())
        }) {
            return Ok(kept);
        }
        // The home and its reminders open together: one reading serves both.
        let running = LOADING.with(|l| {
            l.borrow()
                .as_ref()
                .filter(|(g, _)| generation.is_some() && *g == generation)
                .map(|(_, f)| f.clone())
        });
        let load = match running {
            Some(load) => load,
            None => {
                use futures::FutureExt;
                let load = async move { Self::read(&db).await.map(std::rc::Rc::new) }
                    .boxed_local()
                    .shared();
                LOADING.with(|l| *l.borrow_mut() = Some((generation, load.clone())));
                load
            }
        };
        let loaded = load.await?;
        if let Some(g) = generation {
            PROGRAMME.with(|p| *p.borrow_mut() = Some((g, loaded.clone())));
        }
        Ok(loaded)
    }

    async fn read(db: &crate::storage::Db) -> Result<Programme, StorageError> {
        let mut workers: Vec<(Uuid, Worker)> = decoded(db, RecordKind::Worker).await?;
        hongling_core::text::sort_by_name(&mut workers, |w| &w.1.name);
        Ok(Programme {
            dir: Directory::load().await?,
            workers,
            certificates: decoded(db, RecordKind::Certificate).await?,
            statuses: decoded(db, RecordKind::CertificateStatus).await?,
            pool: values(decoded(db, RecordKind::PoolEntry).await?),
            sessions: decoded(db, RecordKind::TrainingSession).await?,
            attendance: values(decoded(db, RecordKind::Attendance).await?),
            visits: decoded(db, RecordKind::Visit).await?,
            mentors: values(decoded(db, RecordKind::Mentor).await?),
            pairs: decoded(db, RecordKind::MentorPair).await?,
            studios: decoded(db, RecordKind::Studio).await?,
            activities: decoded(db, RecordKind::MentoringActivity).await?,
            inspections: decoded(db, RecordKind::Inspection).await?,
            promotions: decoded(db, RecordKind::Promotion).await?,
            honours: values(decoded(db, RecordKind::Honour).await?),
            settings: load_settings().await?,
            task_lists: values(decoded(db, RecordKind::TaskList).await?),
            pending: db.pending_keys().await?,
        })
    }

    pub fn worker(&self, id: Uuid) -> Option<&Worker> {
        self.workers.iter().find(|w| w.0 == id).map(|w| &w.1)
    }

    pub fn worker_name(&self, id: Uuid) -> String {
        self.worker(id).map(|w| w.name.clone()).unwrap_or_default()
    }

    pub fn status(&self, certificate: Uuid) -> Option<&hongling_core::certificate::StatusEntry> {
        self.statuses
            .iter()
            .find(|s| s.0 == certificate)
            .map(|s| &s.1)
    }

    /// The holders of valid certificates this device knows, with their certificate.
    pub fn holders(&self) -> Vec<hongling_core::indicators::Holder> {
        hongling_core::indicators::holders(&self.inputs())
    }

    /// The quarter's tasks of a worker at `grade` in an organisation of `kind`.
    pub fn tasks(
        &self,
        quarter: hongling_core::tasks::Quarter,
        kind: hongling_core::OrgKind,
        grade: u8,
    ) -> Vec<String> {
        self.task_lists
            .iter()
            .find(|l| l.quarter == quarter && l.org_kind == kind && l.grade == grade)
            .map(|l| l.tasks.clone())
            .unwrap_or_default()
    }

    pub fn is_pending(&self, kind: RecordKind, id: Uuid) -> bool {
        self.pending
            .contains(&hongling_core::RecordKey::new(kind, id).storage_key())
    }

    /// The inputs of the dashboard's indicators.
    pub fn inputs(&self) -> hongling_core::indicators::Inputs {
        hongling_core::indicators::Inputs {
            townships: self
                .dir
                .townships
                .iter()
                .map(|(id, t)| (*id, t.name.clone()))
                .collect(),
            workers: self.workers.clone(),
            certificates: self.certificates.clone(),
            statuses: self.statuses.clone(),
            pool: self.pool.clone(),
            attendance: self.attendance.clone(),
            visits: values(self.visits.clone()),
            mentors: self.mentors.clone(),
            pairs: values(self.pairs.clone()),
            inspections: values(self.inspections.clone()),
            grades: self.settings.grades.clone(),
        }
    }
}

/// Every contest on this device, newest first.
pub async fn load_contests() -> Vec<(Uuid, hongling_core::contest::Contest)> {
    let mut list: Vec<(Uuid, hongling_core::contest::Contest)> =
        all(RecordKind::Contest).await.unwrap_or_default();
    list.sort_by_key(|c| std::cmp::Reverse(c.1.date));
    list
}

/// One contest with what this device holds of it.
#[derive(Debug, Clone)]
pub struct ContestData {
    pub id: Uuid,
    pub contest: hongling_core::contest::Contest,
    /// Every sheet this device may hold: all of them for an administrator, a judge's own.
    pub sheets: Vec<hongling_core::contest::ScoreSheet>,
    pub results: Option<hongling_core::contest::ContestResults>,
    /// Records changed here and not yet acknowledged by the server.
    pub pending: std::collections::BTreeSet<String>,
}

impl ContestData {
    pub async fn load(id: Uuid) -> Option<ContestData> {
        use hongling_core::RecordKey;
        let contest = one(RecordKey::new(RecordKind::Contest, id)).await.ok()??;
        let sheets = all::<hongling_core::contest::ScoreSheet>(RecordKind::ScoreSheet)
            .await
            .ok()?
            .into_iter()
            .map(|(_, s)| s)
            .filter(|s| s.contest_id == id)
            .collect();
        let results = one(RecordKey::new(RecordKind::ContestResults, id))
            .await
            .ok()
            .flatten();
        Some(ContestData {
            id,
            contest,
            sheets,
            results,
            pending: pending_keys().await.ok()?,
        })
    }

    pub fn sheet(
        &self,
        judge: Uuid,
        contestant: Uuid,
    ) -> Option<&hongling_core::contest::ScoreSheet> {
        self.sheets
            .iter()
            .find(|s| s.judge_id == judge && s.contestant_id == contestant)
    }

    /// Whether the sheet has changes this device has not synced yet.
    pub fn sheet_pending(&self, judge: Uuid, contestant: Uuid) -> bool {
        let key = hongling_core::RecordKey::new(
            RecordKind::ScoreSheet,
            hongling_core::contest::sheet_id(self.id, judge, contestant),
        );
        self.pending.contains(&key.storage_key())
    }
}

/// One 提醒 with the name it is about (a worker, a contest), as this device knows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReminderRow {
    pub reminder: hongling_core::reminders::Reminder,
    pub subject: String,
}

/// The reminders on `today` from what this device holds (`hongling_core::reminders`).
pub async fn load_reminders(today: chrono::NaiveDate) -> Result<Vec<ReminderRow>, StorageError> {
    use hongling_core::reminders::{Inputs, Reminder, reminders};
    let p = Programme::load().await?;
    let notices: Vec<(Uuid, hongling_core::certification::Notice)> =
        all(RecordKind::Notice).await?;
    let contests: Vec<(Uuid, hongling_core::contest::Contest)> = all(RecordKind::Contest).await?;
    let sheets: Vec<hongling_core::contest::ScoreSheet> = all(RecordKind::ScoreSheet)
        .await?
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    let inspections: Vec<_> = p.inspections.iter().map(|(_, i)| i.clone()).collect();
    let pairs: Vec<_> = p.pairs.iter().map(|(_, r)| r.clone()).collect();
    let found = reminders(
        Inputs {
            settings: &p.settings,
            notices: &notices,
            certificates: &p.certificates,
            statuses: &p.statuses,
            attendance: &p.attendance,
            inspections: &inspections,
            mentors: &p.mentors,
            pairs: &pairs,
            task_lists: &p.task_lists,
            contests: &contests,
            sheets: &sheets,
        },
        today,
    );
    Ok(found
        .into_iter()
        .map(|reminder| {
            let subject = match &reminder {
                Reminder::InspectionDue { worker_id, .. }
                | Reminder::Untrained { worker_id, .. }
                | Reminder::MenteesOutOfRange { worker_id, .. } => p.worker_name(*worker_id),
                Reminder::SheetsMissing { contest_id, .. } => contests
                    .iter()
                    .find(|(id, _)| id == contest_id)
                    .map(|(_, c)| c.title.clone())
                    .unwrap_or_default(),
                _ => String::new(),
            };
            ReminderRow { reminder, subject }
        })
        .collect())
}

/// The 年度工作报告 of `year` from what this device holds (the committee's holds the
/// whole district), counted by `hongling_core::report`, as the server's `.docx` is.
pub async fn load_annual_report(
    year: i32,
    today: chrono::NaiveDate,
) -> Result<hongling_core::report::AnnualReport, StorageError> {
    let p = Programme::load().await?;
    let applications: Vec<(Uuid, hongling_core::certification::Application)> =
        all(RecordKind::Application).await?;
    let batches = load_batches().await?;
    let results: Vec<hongling_core::contest::ContestResults> = all(RecordKind::ContestResults)
        .await?
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    let recommendations: Vec<hongling_core::certification::Recommendation> =
        all(RecordKind::Recommendation)
            .await?
            .into_iter()
            .map(|(_, r)| r)
            .collect();
    let inputs = p.inputs();
    Ok(hongling_core::report::annual(
        hongling_core::report::Sources {
            indicators: &inputs,
            applications: &applications,
            batches: &batches,
            sessions: &p.sessions,
            studios: &p.studios,
            results: &results,
            honours: &p.honours,
            recommendations: &recommendations,
        },
        year,
        today,
    ))
}
