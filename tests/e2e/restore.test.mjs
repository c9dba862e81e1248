// A restore seen from the tablet: the district committee's tablet saved a worker after
// the last backup; the server is put back to that backup with `restore`; at the next
// sync the tablet sees the rewind, sends the worker again from its IndexedDB journal
// (without the full ID-card number, which tablets never keep) and 恢复核对 tells the
// committee to type the number again.

import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";

import { api, apiLogin, device, firstSync, launch, login, runServerCli, shot, startServer } from "./helpers.mjs";

let server;
let browser;
const backups = mkdtempSync(path.join(tmpdir(), "hongling-backups-"));

before(async () => {
  server = await startServer();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(backups, { recursive: true, force: true });
});

async function recovery(base) {
  const { token } = await apiLogin(base, "quwei");
  const { status, body } = await api(base, "GET", "/admin/recovery", { token });
  assert.equal(status, 200);
  return body;
}

test("after a restore the tablet sends again what the server lost, and 恢复核对 lists the ID-card number to type again", async () => {
  const { context, page } = await device(browser);
  await login(page, server.base, "quwei");
  await firstSync(page);

  const made = await runServerCli(["backup", "--db", server.db, backups]);
  assert.equal(made.code, 0, made.err);
  const [backup] = readdirSync(backups).filter((f) => f.endsWith(".sqlite"));
  assert.ok(backup, "the backup is written");

  // After the backup: a new worker with her full ID-card number, synced.
  await page.click("nav.nav a[href='/workers']");
  await page.click("[data-testid=add-worker]");
  await page.waitForSelector("[data-testid=worker-form]");
  await page.fill("input[name=name]", "恢复后录入");
  await page.selectOption("select[name=township]", { label: "古井镇" });
  await page.selectOption("select[name=organization]", { label: "亳州市古井镇宏达酿造配套有限公司" });
  await page.check("input[name=role][value=secretary]");
  await page.fill("input[name=years_in_post]", "2");
  await page.fill("input[name=id_card]", "11010519491231002X");
  await page.click("[data-testid=save]");
  await page.locator(".worker-item", { hasText: "恢复后录入" }).waitFor();
  await page.click("[data-testid=sync-now]");
  await firstSync(page);
  assert.deepEqual(await recovery(server.base), [], "nothing to check before a restore");

  // The server is stopped and put back to the backup, which lacks the worker.
  const { port } = new URL(server.base);
  await server.stop({ keep: true });
  const restored = await runServerCli(["restore", "--db", server.db, path.join(backups, backup)]);
  assert.equal(restored.code, 0, restored.err);
  assert.match(restored.out, /恢复核对/);
  server = await startServer({ port: Number(port), db: server.db });

  // The tablet's next sync finds the rewind and replays its journal.
  await page.click("[data-testid=sync-now]");
  let items = [];
  for (let i = 0; i < 60 && items.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 500));
    items = await recovery(server.base);
  }
  assert.equal(items.length, 1, JSON.stringify(items));
  assert.equal(items[0].id_card_removed, true);
  assert.equal(items[0].outcome, "applied");
  assert.match(items[0].summary, /恢复后录入/);

  // The worker is on the tablet, synced, and 恢复核对 names her.
  await firstSync(page);
  const row = page.locator(".worker-item", { hasText: "恢复后录入" });
  await row.waitFor();
  assert.doesNotMatch(await row.textContent(), /未同步/);
  await page.click("nav.nav a[href='/settings']");
  await page.click("[data-testid=open-accounts]");
  await page.click("[data-testid=open-recovery]");
  const item = page.locator("[data-testid=recovery-item]");
  await item.waitFor();
  assert.equal(await item.count(), 1);
  assert.match(await item.textContent(), /恢复后录入/);
  assert.match(await item.locator("[data-testid=recovery-what]").textContent(), /重新录入完整身份证号/);
  await shot(page, "30-recovery-1280x800.png");
  await context.close();
});
