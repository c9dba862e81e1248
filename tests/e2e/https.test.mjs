// HTTPS as a district office runs it: `tls-init` makes a local CA and a server
// certificate for hongling.test, the server carries the app inside its binary and serves
// it over TLS, and Chromium trusts the CA through its NSS database (as a tablet does after
// /install), so the chain and the names are really checked. On that origin — not
// localhost — the service worker installs, the wasm comes as brotli, the app opens again
// with no network, and the camera scans a certificate.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";

import { PNG } from "pngjs";

import {
  cspViolations,
  device,
  firstSync,
  homeTrusting,
  launch,
  login,
  runServerCli,
  startServer,
  waitForServiceWorker,
  y4m,
} from "./helpers.mjs";

const RULES = "--host-resolver-rules=MAP hongling.test 127.0.0.1, MAP elsewhere.test 127.0.0.1";
const env = {};

before(async () => {
  env.dir = mkdtempSync(path.join(tmpdir(), "hongling-https-"));
  const tls = path.join(env.dir, "tls");
  const made = await runServerCli(["tls-init", "--hostname", "hongling.test", "--ip", "127.0.0.1", "--out", tls]);
  assert.equal(made.code, 0, made.err);
  env.server = await startServer({
    embedded: true,
    args: ["--tls-cert", path.join(tls, "server.crt"), "--tls-key", path.join(tls, "server.key")],
  });
  assert.match(env.server.base, /^https:\/\/127\.0\.0\.1:\d+$/);
  env.port = new URL(env.server.base).port;
  env.origin = `https://hongling.test:${env.port}`;
  env.home = homeTrusting(path.join(tls, "ca.crt"));
  env.browser = await launch([RULES], { home: env.home });
});

after(async () => {
  await env.camera?.close();
  await env.browser?.close();
  await env.server?.stop();
  rmSync(env.dir, { recursive: true, force: true });
  if (env.home) rmSync(env.home, { recursive: true, force: true });
});

test("a browser without the CA refuses the server, and a trusting one refuses names the certificate lacks", async () => {
  const stranger = await launch([RULES]);
  try {
    const page = await (await stranger.newContext()).newPage();
    await assert.rejects(page.goto(env.origin + "/"), /ERR_CERT_AUTHORITY_INVALID/);
  } finally {
    await stranger.close();
  }
  const { context, page } = await device(env.browser);
  await assert.rejects(page.goto(`https://elsewhere.test:${env.port}/`), /ERR_CERT_COMMON_NAME_INVALID/);
  await context.close();
});

test("over HTTPS on a real name the app installs, comes as brotli, opens offline and scans with the camera", async () => {
  // The office's tablet: the first visit, as the network sees it.
  const office = await device(env.browser);
  const wasm = [];
  office.page.on("response", (res) => {
    if (res.url().endsWith(".wasm")) wasm.push(res);
  });
  await office.page.goto(env.origin + "/");
  assert.equal(await office.page.evaluate(() => window.isSecureContext), true);
  await office.page.waitForSelector("input[name=username]");
  assert.equal(await office.page.locator("[data-testid=insecure-origin]").count(), 0);
  assert.ok(wasm.length >= 1, "the wasm was fetched");
  const headers = await wasm[0].allHeaders();
  assert.equal(headers["content-encoding"], "br", "the browser asked for brotli over HTTPS and got it");
  assert.equal(headers["vary"], "Accept-Encoding");
  assert.match(headers["cache-control"], /immutable/);
  assert.equal(headers["content-type"], "application/wasm");

  await login(office.page, env.origin, "quwei");
  // A certificate of the demo, read through the API from this trusted origin.
  const cert = await office.page.evaluate(async () => {
    const h = { "x-hongling-protocol": "1", "content-type": "application/json" };
    const body = JSON.stringify({ username: "quwei", password: "hongling2026", device_id: crypto.randomUUID() });
    const session = await (await fetch("/api/v1/auth/login", { method: "POST", headers: h, body })).json();
    const pull = await fetch("/api/v1/sync/pull?limit=1000", { headers: { ...h, authorization: `Bearer ${session.token}` } });
    return (await pull.json()).records.find((r) => r.kind === "certificate" && r.body.holder_name === "吴晓丽");
  });
  assert.ok(cert, "the demo certifies 吴晓丽");
  await office.page.goto(`${env.origin}/certificates/${cert.id}`);
  await office.page.waitForSelector("[data-testid=certificate] [data-testid=qr] svg", { timeout: 60_000 });
  const png = PNG.sync.read(await office.page.locator("[data-testid=qr]").screenshot());
  const video = path.join(env.dir, "qr.y4m");
  writeFileSync(video, y4m(png));
  await office.context.close();

  // An instructor's tablet with a camera that sees that code.
  env.camera = await launch(
    [RULES, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", `--use-file-for-fake-video-capture=${video}`],
    { home: env.home },
  );
  const { context, page } = await device(env.camera);
  await login(page, env.origin, "zhidao02");
  await firstSync(page);
  await waitForServiceWorker(page);

  // No network: the shell comes from the service worker, the data from IndexedDB.
  await context.setOffline(true);
  await page.reload();
  await page.waitForSelector("[data-testid=account]", { timeout: 30_000 });
  await page.click("a[href='/verify']");
  await page.click("[data-testid=verify-scan]");
  await page.waitForSelector("[data-testid=verify-result]", { timeout: 30_000 });
  assert.equal(await page.textContent("[data-testid=verify-holder]"), "吴晓丽");
  assert.match(await page.textContent("[data-testid=verify-result]"), /演示证书/);
  await context.close();
  assert.deepEqual(cspViolations, []);
});
