// QR check-in at a training session: the tablet's camera (Chromium's fake camera, fed a
// video of a real certificate's QR code taken from its printable page) reads the code,
// the app decodes it in Rust, verifies it offline, and marks the holder present.

import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";

import { PNG } from "pngjs";

import {
  api,
  apiLogin,
  device,
  firstSync,
  launch,
  login,
  startServer,
  waitForServiceWorker,
  y4m,
} from "./helpers.mjs";

const env = {};
before(async () => {
  env.server = await startServer();
  env.browser = await launch();
});
after(async () => {
  await env.camera?.close();
  await env.browser?.close();
  await env.server?.stop();
});

test("a certificate's QR code held to the tablet camera checks its holder in to a training session", async () => {
  const base = env.server.base;
  const admin = await apiLogin(base, "quwei");
  const pulled = await api(base, "GET", "/sync/pull?limit=1000", { token: admin.token });
  const cert = pulled.body.records.find((r) => r.kind === "certificate" && r.body.holder_name === "吴晓丽");
  assert.ok(cert, "the demo certifies 吴晓丽");

  // The QR code as the printable certificate page shows it.
  const office = await device(env.browser);
  await login(office.page, base, "quwei");
  await office.page.goto(`${base}/certificates/${cert.id}`);
  await office.page.waitForSelector("[data-testid=certificate] [data-testid=qr] svg", { timeout: 60_000 });
  const shot = PNG.sync.read(await office.page.locator("[data-testid=qr]").screenshot());
  const dir = mkdtempSync(path.join(tmpdir(), "hongling-camera-"));
  const video = path.join(dir, "qr.y4m");
  writeFileSync(video, y4m(shot));

  // The instructor's tablet, whose camera sees that code.
  env.camera = await launch([
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    `--use-file-for-fake-video-capture=${video}`,
  ]);
  const { context, page } = await device(env.camera);
  await login(page, base, "zhidao02");
  await firstSync(page);
  // Verified offline: the keys and the status list came with the first sync.
  await waitForServiceWorker(page);
  await context.setOffline(true);
  await page.click("[data-testid=nav-field]");
  await page.click("[data-testid=field-trainings]");
  await page.fill("input[name=title]", "红领头脑风暴：党建引领企业发展");
  await page.fill("input[name=place]", "十八里镇党群服务中心");
  await page.selectOption("select[name=kind]", { label: "红领头脑风暴" });
  await page.click("[data-testid=create-training]");
  await page.waitForSelector("[data-testid=roll]");
  assert.equal(await page.getAttribute("[data-testid=roll-row][data-name=吴晓丽]", "data-mark"), "none");

  await page.click("[data-testid=scan-toggle]");
  await page.waitForSelector("[data-testid=scan-result]", { timeout: 30_000 });
  assert.equal(await page.textContent("[data-testid=scan-result]"), "已签到：吴晓丽");
  await page.waitForFunction(
    () => document.querySelector("[data-testid=roll-row][data-name=吴晓丽]")?.dataset.mark === "present",
  );
  await page.click("[data-testid=scan-toggle]");

  // Back online, the mark reaches the server as a QR check-in.
  await context.setOffline(false);
  await page.waitForFunction(
    () => document.querySelector("[data-testid=pending] strong")?.textContent === "0",
    null,
    { timeout: 60_000 },
  );
  const after = await api(base, "GET", "/sync/pull?limit=1000", { token: admin.token });
  const marks = after.body.records.filter((r) => r.kind === "attendance");
  assert.equal(marks.length, 1);
  assert.equal(marks[0].body.worker_id, cert.body.worker_id);
  assert.equal(marks[0].body.mark, "present");
  assert.equal(marks[0].body.via, "qr");
  await context.close();
  await office.context.close();
});
