//! Entry point of the tablet app: mounts [`hongling::App`], or, on a non-secure origin,
//! the screen that says which address to use instead (the app takes no data there).

fn main() {
    console_error_panic_hook::set_once();
    if hongling::insecure::is_secure_context() {
        leptos::mount::mount_to_body(hongling::App);
    } else {
        leptos::mount::mount_to_body(hongling::insecure::InsecureOrigin);
    }
}
