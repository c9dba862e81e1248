// Shared tablets: logout pushes first, refuses while changes remain unless they are
// exported to a backup file, leaves no user data behind, and the backup can be imported.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { api, device, login, pending, serverAndBrowser, shot, waitForServiceWorker } from "./helpers.mjs";

const env = serverAndBrowser();

async function userData(page) {
  return page.evaluate(async () => ({
    // Every record of every store of the app's database (if it exists at all).
    records: await new Promise((resolve, reject) => {
      const open = indexedDB.open("hongling");
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const db = open.result;
        const names = [...db.objectStoreNames];
        if (names.length === 0) return resolve(0);
        const tx = db.transaction(names, "readonly");
        let total = 0;
        for (const n of names) {
          const req = tx.objectStore(n).count();
          req.onsuccess = () => (total += req.result);
        }
        tx.oncomplete = () => {
          db.close();
          resolve(total);
        };
      };
    }),
    caches: await caches.keys(),
    session: localStorage.getItem("hongling.session"),
  }));
}

test("logout keeps unsynced work in a backup, wipes the tablet, and the backup comes back", async () => {
  const { context, page } = await device(env.browser);
  await login(page, env.server.base, "zhidao01");
  await page.click("nav.nav a[href='/workers']");
  await page.waitForSelector("[data-testid=worker-list]");
  await waitForServiceWorker(page);

  // Offline, a new worker; logout cannot push it and refuses.
  await context.setOffline(true);
  await page.waitForSelector("[data-testid=net].net-offline");
  await page.click("[data-testid=add-worker]");
  await page.fill("input[name=name]", "备份测试");
  await page.selectOption("select[name=township]", { label: "古井镇" });
  await page.selectOption("select[name=organization]", { label: "亳州市古井镇宏达酿造配套有限公司" });
  await page.click("[data-testid=save]");
  await page.locator(".worker-item", { hasText: "备份测试" }).waitFor();
  await page.click("a[href='/settings']");
  await page.click("[data-testid=logout]");
  await page.waitForSelector("[data-testid=logout-blocked]");
  assert.ok(await page.locator("[data-testid=account]").count(), "still logged in");
  await shot(page, "09-logout-blocked-1280x800.png");

  // Export with a passphrase typed twice, then log out: nothing of the user remains.
  await page.click("[data-testid=export-logout]");
  // Too short first: refused in Chinese, nothing downloaded.
  await page.fill("[data-testid=backup-passphrase]", "短口令");
  await page.fill("[data-testid=backup-passphrase-again]", "短口令");
  await page.click("[data-testid=backup-seal]");
  await page.waitForFunction(() => document.querySelector("[data-testid=backup-error]")?.textContent.includes("至少需要 8 个字符"));
  await page.fill("[data-testid=backup-passphrase]", "古井镇备份口令2026");
  await page.fill("[data-testid=backup-passphrase-again]", "古井镇备份口令2026X");
  await page.click("[data-testid=backup-seal]");
  assert.match(await page.textContent("[data-testid=backup-error]"), /两次输入的口令不一致/);
  await page.fill("[data-testid=backup-passphrase-again]", "古井镇备份口令2026");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.click("[data-testid=backup-seal]"),
  ]);
  const file = await download.path();
  assert.match(download.suggestedFilename(), /^红领认证备份-zhidao01-.*\.age$/);
  // Sealed: an age file in which nothing of the worker can be read.
  const sealed = readFileSync(file);
  assert.ok(sealed.subarray(0, 22).toString() === "age-encryption.org/v1\n");
  assert.ok(!sealed.includes(Buffer.from("备份测试")), "the worker's name is not readable");
  await page.waitForSelector("[data-testid=login-form]");
  const left = await userData(page);
  assert.equal(left.records, 0, "no record, outbox entry or setting of the user is left");
  assert.ok(left.caches.every((c) => c.startsWith("hongling-shell-")), `caches left: ${left.caches}`);
  assert.equal(left.session, null);

  // Online again, log in (a new device) and import the backup: the worker is queued
  // again and reaches the server.
  await context.setOffline(false);
  await page.fill("input[name=username]", "zhidao01");
  await page.fill("input[name=password]", "hongling2026");
  await page.click("[data-testid=login]");
  await page.click("nav.nav a[href='/workers']");
  await page.waitForSelector("[data-testid=worker-list]");
  assert.equal(await page.locator(".worker-item", { hasText: "备份测试" }).count(), 0);
  await page.click("a[href='/settings']");
  await page.setInputFiles("[data-testid=import]", file);
  // The passphrase is asked again; a wrong one imports nothing.
  await page.fill("[data-testid=import-passphrase]", "不是这个口令");
  await page.click("[data-testid=import-open]");
  await page.waitForFunction(() => document.querySelector("[data-testid=notice]")?.textContent.includes("口令不正确"));
  assert.equal(await pending(page), 0);
  await page.fill("[data-testid=import-passphrase]", "古井镇备份口令2026");
  await page.click("[data-testid=import-open]");
  await page.waitForFunction(() => document.querySelector("[data-testid=notice]")?.textContent.includes("1 条待同步"));
  await page.waitForFunction(
    () => document.querySelector("[data-testid=pending] strong")?.textContent === "0",
    null,
    { timeout: 30_000 },
  );
  const other = await device(env.browser);
  await login(other.page, env.server.base, "zhidao02");
  await other.page.click("nav.nav a[href='/workers']");
  await other.page.locator(".worker-item", { hasText: "备份测试" }).waitFor({ timeout: 30_000 });
  await other.context.close();

  // With nothing left to send, logout goes straight through, and ends the session on
  // the server too: a copy of the token is worth nothing.
  const { token } = JSON.parse(await page.evaluate(() => localStorage.getItem("hongling.session")));
  assert.equal((await api(env.server.base, "GET", "/sync/pull?limit=1", { token })).status, 200);
  await page.click("[data-testid=logout]");
  await page.waitForSelector("[data-testid=login-form]");
  const after = await api(env.server.base, "GET", "/sync/pull?limit=1", { token });
  assert.equal(after.status, 401);
  assert.equal(after.body.code, "session_ended");
  assert.equal(await pending(page).catch(() => null), null);
  await context.close();
});
