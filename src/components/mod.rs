//! Reusable pieces of the frame, one `#[component]` per file.

mod account_card;
mod app_header;
mod application_item;
mod grant_label;
mod grant_picker;
mod honours;
mod inbox_item;
mod my_certificates;
mod nav_bar;
mod new_account_form;
mod photo_field;
mod photo_view;
mod record_history;
mod sync_badge;
mod update_banner;
mod worker_item;

pub use account_card::AccountCard;
pub use app_header::AppHeader;
pub use application_item::{ApplicationItem, stage_css};
pub use grant_label::GrantLabel;
pub use grant_picker::GrantPicker;
pub use honours::Honours;
pub use inbox_item::InboxItem;
pub use my_certificates::MyCertificates;
pub use nav_bar::NavBar;
pub use new_account_form::NewAccountForm;
pub use photo_field::PhotoField;
pub use photo_view::PhotoView;
pub use record_history::RecordHistory;
pub use sync_badge::SyncBadge;
pub use update_banner::UpdateBanner;
pub use worker_item::WorkerItem;
