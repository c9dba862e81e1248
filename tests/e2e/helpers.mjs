// Shared helpers of the end-to-end tests: a real server process on port 0 with a
// temporary SQLite file serving the release build, and Debian's Chromium driven by
// playwright-core.

import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

import { after, before } from "node:test";

import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, "../..");
export const screenshots = path.join(here, "screenshots");

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Starts the server on a free port; resolves once it listens. */
export const serverBin = () =>
  path.resolve(root, process.env.HONGLING_SERVER_BIN ?? "target/debug/hongling-server");

/** Starts the server on a free port; resolves once it listens. `demo: false` starts it on
 * an empty database as a district would; `setup(db)` runs before it starts. */
export async function startServer({ dist, demo = true, args = [], setup, embedded = false, port = 0, db: reuse } = {}) {
  const bin = serverBin();
  const staticDir = path.resolve(root, dist ?? process.env.HONGLING_DIST ?? "dist");
  // `embedded`: the app built into the binary (the test command builds it so), as a
  // district deploys it; otherwise --static, which overrides it.
  const app = embedded ? [] : ["--static", staticDir];
  // `db` and `port`: start again on the database and address of a stopped server (a
  // new version deployed), so the tablet's origin and session stay the same.
  const dir = reuse ? path.dirname(reuse) : mkdtempSync(path.join(tmpdir(), "hongling-e2e-"));
  const db = reuse ?? path.join(dir, "e2e.sqlite");
  if (setup) await setup(db);
  const child = spawn(
    bin,
    ["--bind", `127.0.0.1:${port}`, "--db", db, ...app, ...(demo ? ["--demo"] : []), ...args],
    // The request log is one line per request: keep the test output to warnings.
    { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? "hongling_server=warn" } },
  );
  const lines = createInterface({ input: child.stdout });
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the server did not start in 30 s")), 30_000);
    child.once("exit", (code) => reject(new Error(`the server exited with ${code}`)));
    lines.on("line", (line) => {
      const m = line.match(/^listening on (https?:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  return {
    base,
    db,
    /** Stops the server; `keep` leaves its database for a restart. */
    async stop({ keep = false } = {}) {
      const exited = new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once("exit", resolve)));
      child.kill(keep ? "SIGTERM" : "SIGKILL");
      await exited;
      if (!keep) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Every CSP violation any page of this test file logged. */
export const cspViolations = [];

after(() => {
  if (cspViolations.length > 0) {
    throw new Error(`Content-Security-Policy violations:\n${cspViolations.join("\n")}`);
  }
});

/** Launches Chromium; `extraArgs` add to the headless defaults (a fake camera, say).
 * `home` gives it another home folder, whose NSS database says which CAs it trusts. */
export async function launch(extraArgs = [], { home } = {}) {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [...CHROMIUM_ARGS, ...extraArgs],
    ...(home ? { env: { ...process.env, HOME: home } } : {}),
  });
}

/** A home folder whose NSS database (where Chromium on Linux looks) trusts `caFile` to
 * identify web sites: what a tablet has after its user installs the CA from /install. */
export function homeTrusting(caFile) {
  const home = mkdtempSync(path.join(tmpdir(), "hongling-home-"));
  const nss = path.join(home, ".pki", "nssdb");
  mkdirSync(nss, { recursive: true });
  for (const args of [
    ["-N", "-d", `sql:${nss}`, "--empty-password"],
    ["-A", "-d", `sql:${nss}`, "-n", "hongling-local-ca", "-t", "C,,", "-i", caFile],
  ]) {
    const r = spawnSync("certutil", args, { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`certutil ${args[0]}: ${r.stderr || r.error}`);
  }
  return home;
}

/** A few seconds of 640×480 4:2:0 video (y4m) showing `png` (a pngjs image) in the middle
 * of a white frame: what Chromium's fake camera shows. */
export function y4m(png, W = 640, H = 480) {
  return y4mSequence([png], 20, W, H);
}

/** Video (y4m) showing each of `pngs` in turn for `framesEach` frames at 10 frames a
 * second, as a tablet held to the camera shows one code after another; the fake camera
 * loops it. */
export function y4mSequence(pngs, framesEach = 20, W = 640, H = 480) {
  const frames = [Buffer.from(`YUV4MPEG2 W${W} H${H} F10:1 Ip A1:1 C420jpeg\n`)];
  const chroma = Buffer.alloc((W / 2) * (H / 2) * 2, 128);
  for (const png of pngs) {
    const y = lumaFrame(png, W, H);
    for (let f = 0; f < framesEach; f++) frames.push(Buffer.from("FRAME\n"), y, chroma);
  }
  return Buffer.concat(frames);
}

/** The grey levels of one frame: `png` centred on white, scaled up by a whole factor
 * when it is small. */
function lumaFrame(png, W, H) {
  if (png.width > W || png.height > H) throw new Error(`${png.width}×${png.height} does not fit ${W}×${H}`);
  const scale = Math.max(1, Math.floor(Math.min((W - 80) / png.width, (H - 80) / png.height)));
  const [w, h] = [png.width * scale, png.height * scale];
  const [x0, y0] = [Math.floor((W - w) / 2), Math.floor((H - h) / 2)];
  const y = Buffer.alloc(W * H, 255);
  for (let yy = 0; yy < h; yy++) {
    for (let xx = 0; xx < w; xx++) {
      const i = (Math.floor(yy / scale) * png.width + Math.floor(xx / scale)) * 4;
      const lum = 0.299 * png.data[i] + 0.587 * png.data[i + 1] + 0.114 * png.data[i + 2];
      y[(y0 + yy) * W + x0 + xx] = lum < 128 ? 16 : 235;
    }
  }
  return y;
}

/** A new browser context: to the server, another device. `scale` is its pixel density. */
export async function device(browser, viewport = { width: 1280, height: 800 }, { scale = 1 } = {}) {
  const context = await browser.newContext({ viewport, locale: "zh-CN", deviceScaleFactor: scale });
  const page = await context.newPage();
  page.on("pageerror", (e) => console.error("page error:", e.message));
  // The app must run under the server's Content-Security-Policy: any violation fails
  // the test file (see the `after` hook below).
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  if (process.env.HONGLING_E2E_CONSOLE) {
    page.on("console", (m) => console.error("console:", m.type(), m.text()));
  }
  return { context, page };
}

export async function login(page, base, username, password = "hongling2026") {
  await page.goto(base + "/");
  await page.fill("input[name=username]", username);
  await page.fill("input[name=password]", password);
  await page.click("[data-testid=login]");
  await page.waitForSelector("[data-testid=account]");
}

/** Waits until a service worker controls the page (the app shell is precached). */
export async function waitForServiceWorker(page) {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, {
    timeout: 30_000,
  });
}

/** Waits until the device has finished a sync since login (the header no longer says
 * 尚未同步) and has nothing left to send. */
export async function firstSync(page) {
  await page.waitForFunction(
    () =>
      !document.querySelector("[data-testid=last-sync]")?.textContent.includes("尚未同步") &&
      document.querySelector("[data-testid=pending] strong")?.textContent === "0",
    null,
    { timeout: 90_000 },
  );
}

export async function pending(page) {
  return Number(await page.textContent("[data-testid=pending] strong"));
}

export async function shot(page, name) {
  mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: path.join(screenshots, name), fullPage: false });
}

/**
 * Signs the open score sheet by hand, as a judge does with a finger: 签名提交 opens the
 * box, a stroke is drawn in it with the pointer, and 确认签名提交 signs (after a screenshot
 * named `screenshot`, if given).
 */
export async function signByHand(page, screenshot) {
  await page.click("[data-testid=sign]");
  const pad = page.locator("[data-testid=signature-pad]");
  await pad.waitFor();
  await pad.scrollIntoViewIfNeeded();
  const box = await pad.boundingBox();
  const at = (fx, fy) => [box.x + box.width * fx, box.y + box.height * fy];
  await page.mouse.move(...at(0.15, 0.6));
  await page.mouse.down();
  for (const [fx, fy] of [[0.25, 0.3], [0.35, 0.7], [0.5, 0.35], [0.65, 0.65], [0.8, 0.4]]) {
    await page.mouse.move(...at(fx, fy), { steps: 4 });
  }
  await page.mouse.up();
  if (screenshot) await shot(page, screenshot);
  await page.click("[data-testid=sign-confirm]");
  await page.waitForSelector("[data-testid=sheet-locked], [data-testid=sheet-error]");
  const error = await page.locator("[data-testid=sheet-error]").textContent().catch(() => null);
  if (error) throw new Error(`signing refused: ${error}`);
  await page.waitForSelector("[data-testid=sheet-locked]");
}

/** Calls the API as a program would (the district office's own tools, in tests). */
export async function api(base, method, path, { token, body } = {}) {
  const res = await fetch(base + "/api/v1" + path, {
    method,
    headers: {
      "x-hongling-protocol": "1",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/**
 * Imports workers as the district office does (导入, committed at once): `rows` are
 * `[name, management post, years in post]`, each a secretary at 亳州市古井镇宏达酿造配套有限公司
 * in 古井镇. Throws unless every row was imported.
 */
export async function importWorkers(base, token, rows) {
  const lines = ["姓名,身份证号,类别,单位名称,乡镇（街道）,管理职务,任职年限"];
  for (const [name, post, years] of rows) {
    lines.push(`${name},,党组织书记,亳州市古井镇宏达酿造配套有限公司,古井镇,${post},${years}`);
  }
  const res = await fetch(base + "/api/v1/admin/import/workers?commit=true", {
    method: "POST",
    headers: { "x-hongling-protocol": "1", authorization: `Bearer ${token}`, "content-type": "text/csv" },
    body: lines.join("\n"),
  });
  const reply = await res.json();
  if (res.status !== 200 || reply.imported !== rows.length) {
    throw new Error(`import of ${rows.length} workers: ${res.status} ${JSON.stringify(reply).slice(0, 400)}`);
  }
}

/** Logs in through the API; returns the token and the account. */
export async function apiLogin(base, username, password = "hongling2026") {
  const { status, body } = await api(base, "POST", "/auth/login", {
    body: { username, password, device_id: crypto.randomUUID() },
  });
  if (status !== 200) throw new Error(`login ${username}: ${status}`);
  return body;
}

/**
 * Starts a server and a browser before the file's tests and stops them after; returns an
 * object whose `server` and `browser` are set once they run.
 */
export function serverAndBrowser(options) {
  const env = {};
  before(async () => {
    env.server = await startServer(options?.());
    env.browser = await launch();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.stop();
  });
  return env;
}

/** Runs the server binary with `args`, writing `input` to its standard input. */
export function runServerCli(args, input = "") {
  return new Promise((resolve) => {
    const child = spawn(serverBin(), args, { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("exit", (code) => resolve({ code, out, err }));
    child.stdin.end(input);
  });
}
