// A new deployment is offered with "新版本可用，点击更新" instead of running stale code.

import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";

import { device, launch, login, root, shot, startServer, waitForServiceWorker } from "./helpers.mjs";

let server;
let browser;
let dist;

before(async () => {
  // Serve a copy of the build, so the test can "deploy" a new version into it.
  dist = mkdtempSync(path.join(tmpdir(), "hongling-dist-"));
  cpSync(path.resolve(root, process.env.HONGLING_DIST ?? "dist"), dist, { recursive: true });
  server = await startServer({ dist });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dist, { recursive: true, force: true });
});

test("a new version is offered and taken on request", async () => {
  const { context, page } = await device(browser);
  await login(page, server.base, "zhidao01");
  await waitForServiceWorker(page);
  assert.equal(await page.locator("[data-testid=update]").count(), 0);
  const oldWorker = await page.evaluate(() => navigator.serviceWorker.controller.scriptURL);

  // Deploy: the server stops, a build with a different version string goes in, and it
  // starts again on the same database and address (it reads the app when it starts).
  const swPath = path.join(dist, "sw.js");
  const sw = readFileSync(swPath, "utf8");
  const newer = sw.replace(/const VERSION = "([0-9a-f]+)";/, 'const VERSION = "$1-next";');
  assert.notEqual(newer, sw, "sw.js carries a build version");
  const { port } = new URL(server.base);
  await server.stop({ keep: true });
  writeFileSync(swPath, newer);
  // The precompressed copies belong to the old file; this build has none of sw.js.
  for (const copy of ["sw.js.br", "sw.js.gz"]) rmSync(path.join(dist, copy), { force: true });
  server = await startServer({ dist, port: Number(port), db: server.db });
  await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).update());

  const banner = page.locator("[data-testid=update]");
  await banner.waitFor({ timeout: 30_000 });
  assert.equal((await banner.textContent()).trim(), "新版本可用，点击更新");
  await shot(page, "07-update-prompt-1280x800.png");

  // Tapping it activates the new worker and reloads into the new version.
  await page.evaluate(() => (window.__beforeUpdate = true));
  await banner.click();
  await page.waitForFunction(() => window.__beforeUpdate === undefined, null, { timeout: 30_000 });
  await page.waitForSelector("[data-testid=account]");
  const version = await page.evaluate(async () => {
    const reg = await navigator.serviceWorker.getRegistration();
    return reg.active && reg.waiting === null;
  });
  assert.ok(version, "the new worker is active and none waits");
  assert.equal(await page.locator("[data-testid=update]").count(), 0);
  assert.equal(oldWorker.endsWith("/sw.js"), true);
  await context.close();
});
