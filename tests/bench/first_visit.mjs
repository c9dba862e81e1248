// The first visit of a tablet, as its network sees it: bytes the server sends until the
// service worker has the app cached, and the time until the login screen shows, on a
// fresh Chromium profile over HTTPS (where browsers ask for brotli). Run by
// `cargo xtask bench`; a benchmark, not a test.
//
// Side by side in one run:
//   now     — the server as built (precompressed app, hashed files immutable, the
//             service worker's precache filled from the HTTP cache);
//   before  — the same dist/ without its .br/.gz copies and with the service worker
//             precaching with `cache: "reload"`, as the app was served before issue 12.
//
// Bytes are counted on the TCP connection (a pass-through proxy in front of the server),
// so they are what a 4G link carries: TLS records, headers and all.

import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

import { homeTrusting, launch, root, runServerCli, startServer } from "../e2e/helpers.mjs";

const RUNS = Number(process.env.RUNS ?? 3);

/** A TCP proxy to `port` that counts the bytes going back to the browser. */
function countingProxy(port) {
  const counter = { down: 0 };
  const server = createServer((client) => {
    const upstream = connect(port, "127.0.0.1");
    upstream.on("data", (d) => (counter.down += d.length));
    client.pipe(upstream);
    upstream.pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", close);
    upstream.on("error", close);
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve({ counter, port: server.address().port, server })),
  );
}

/** The dist/ of before: no precompressed copies, the service worker re-downloading. */
function distBefore(dist) {
  const dir = mkdtempSync(path.join(tmpdir(), "hongling-dist-before-"));
  cpSync(dist, dir, { recursive: true });
  for (const name of readdirSync(dir, { recursive: true })) {
    if (name.endsWith(".br") || name.endsWith(".gz")) rmSync(path.join(dir, name));
  }
  const sw = path.join(dir, "sw.js");
  const text = readFileSync(sw, "utf8").replace(
    /HASHED\.test\(url\) \? "default" : "no-cache"/,
    '"reload"',
  );
  if (!text.includes('{ cache: "reload" }')) throw new Error("sw.js changed: update the benchmark");
  writeFileSync(sw, text);
  return dir;
}

async function visit(browserHome, proxyPort) {
  const browser = await launch(["--host-resolver-rules=MAP hongling.test 127.0.0.1"], {
    home: browserHome,
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const started = Date.now();
    await page.goto(`https://hongling.test:${proxyPort}/`);
    await page.waitForSelector("input[name=username]", { timeout: 60_000 });
    const toLogin = await page.evaluate(() => performance.now());
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 60_000 });
    // Let the precache finish and the connection go quiet.
    await page.waitForTimeout(3000);
    return { toLogin, total: Date.now() - started };
  } finally {
    await browser.close();
  }
}

const dist = path.resolve(root, process.env.HONGLING_DIST ?? "dist");
const work = mkdtempSync(path.join(tmpdir(), "hongling-first-visit-"));
const tls = path.join(work, "tls");
const made = await runServerCli(["tls-init", "--hostname", "hongling.test", "--ip", "127.0.0.1", "--out", tls]);
if (made.code !== 0) throw new Error(made.err);
const home = homeTrusting(path.join(tls, "ca.crt"));
const tlsArgs = ["--tls-cert", path.join(tls, "server.crt"), "--tls-key", path.join(tls, "server.key")];
const before = distBefore(dist);
const rows = [];
for (const [label, options] of [
  ["now (precompressed, immutable, precache from the HTTP cache)", { dist }],
  ["before (identity, precache with cache: reload)", { dist: before }],
]) {
  const server = await startServer({ ...options, args: tlsArgs });
  const port = Number(new URL(server.base).port);
  for (let i = 0; i < RUNS; i++) {
    const proxy = await countingProxy(port);
    const { toLogin } = await visit(home, proxy.port);
    rows.push({ label, bytes: proxy.counter.down, toLogin });
    proxy.server.close();
  }
  await server.stop();
}
rmSync(before, { recursive: true, force: true });
rmSync(home, { recursive: true, force: true });
rmSync(work, { recursive: true, force: true });

console.log(`first visit over HTTPS, fresh profile, ${RUNS} runs each (loopback, no throttling):`);
console.log(`${"".padEnd(62)} ${"bytes down".padStart(12)} ${"to login".padStart(10)}`);
for (const r of rows) {
  console.log(`${r.label.padEnd(62)} ${(r.bytes / 1024).toFixed(0).padStart(8)} KiB ${r.toLogin.toFixed(0).padStart(7)} ms`);
}
