//! One module per screen.

mod accounts;
mod application;
mod application_form;
mod applications;
mod certificate;
mod import;
mod inbox;
mod login;
mod not_found;
mod notices;
mod pool;
mod programme;
mod recommendations;
mod settings;
mod stipends;
mod verify;
mod worker_form;
mod workers;

pub use accounts::AccountsPage;
pub use application::ApplicationPage;
pub use application_form::ApplicationFormPage;
pub use applications::{ApplicationsPage, QueuePage, files_applications};
pub use certificate::CertificatePage;
pub use import::ImportPage;
pub use inbox::InboxPage;
pub use login::LoginPage;
pub use not_found::NotFoundPage;
pub use notices::NoticesPage;
pub use pool::PoolPage;
pub use programme::ProgrammePage;
pub use recommendations::RecommendationsPage;
pub use settings::SettingsPage;
pub use stipends::StipendsPage;
pub use verify::VerifyPage;
pub use worker_form::WorkerFormPage;
pub use workers::WorkersPage;
