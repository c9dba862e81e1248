//! One module per screen.

mod accounts;
mod inbox;
mod login;
mod not_found;
mod settings;
mod worker_form;
mod workers;

pub use accounts::AccountsPage;
pub use inbox::InboxPage;
pub use login::LoginPage;
pub use not_found::NotFoundPage;
pub use settings::SettingsPage;
pub use worker_form::WorkerFormPage;
pub use workers::WorkersPage;
