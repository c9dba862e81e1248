//! Reusable pieces of the frame, one `#[component]` per file.

mod app_header;
mod inbox_item;
mod nav_bar;
mod sync_badge;
mod update_banner;
mod worker_item;

pub use app_header::AppHeader;
pub use inbox_item::InboxItem;
pub use nav_bar::NavBar;
pub use sync_badge::SyncBadge;
pub use update_banner::UpdateBanner;
pub use worker_item::WorkerItem;
