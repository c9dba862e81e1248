//! Entry point of the tablet app: mounts [`hongling::App`].

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(hongling::App);
}
