// The service worker of 红领认证.
//
// It precaches the app shell so the app opens with no network. The list of files and
// the version are written into this file by `cargo xtask dist` from what Trunk actually
// produced (hashed names); the placeholders below are never shipped as they are.
//
// API requests (/api/) are never cached: data lives in IndexedDB, not in HTTP caches.
// A new version installs in the background and waits: the page shows
// "新版本可用，点击更新" and posts SKIP_WAITING when the user taps it.

const VERSION = "__HONGLING_BUILD_VERSION__";
const PRECACHE = [/* __HONGLING_PRECACHE__ */];
const CACHE = "hongling-shell-" + VERSION;

// Files Trunk names by their content hash never change: the server sends them
// `immutable`, so the page's own download of them (in the HTTP cache) fills the precache
// and a first visit fetches each once. The fixed names (index.html, icons) are
// revalidated: a 304 when the page just fetched them, the new file after an update.
const HASHED = /-[0-9a-f]{16}[._]/;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) =>
        cache.addAll(
          PRECACHE.map((url) => new Request(url, { cache: HASHED.test(url) ? "default" : "no-cache" })),
        ),
      ),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys
            .filter((key) => key.startsWith("hongling-shell-") && key !== CACHE)
            .map((key) => caches.delete(key)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "SKIP_WAITING") {
    self.skipWaiting();
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate") {
    // Every address of the app is the same shell; the router inside picks the screen.
    event.respondWith(
      caches.match("/index.html", { cacheName: CACHE }).then((hit) => hit || fetch(request)),
    );
    return;
  }
  event.respondWith(
    caches.match(request, { cacheName: CACHE }).then((hit) => hit || fetch(request)),
  );
});
