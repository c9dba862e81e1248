//! People and organisations: townships, organisations and 党务工作者 profiles, their
//! ID-card numbers, honours, and the dossier that keeps a worker's records together.

pub mod dossier;
pub mod honour;
pub mod idcard;
pub mod model;
pub mod worker;
