// A tablet whose session the server ended keeps its data behind one locked screen: the
// same user logs in again where the ending allows it; a disabled account exports its
// unsynced changes (sealed), and only after that may the local data be removed. The
// office imports the file, and the audit names who made the change beside who sent it.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { api, apiLogin, device, login, pending, serverAndBrowser, shot } from "./helpers.mjs";

const env = serverAndBrowser();

/** Saves a worker on the tablet while it is offline, so it stays unsynced. */
async function workerOffline(context, page, name) {
  await context.setOffline(true);
  await page.waitForSelector("[data-testid=net].net-offline");
  await page.click("a[href='/workers']");
  await page.click("[data-testid=add-worker]");
  await page.fill("input[name=name]", name);
  await page.selectOption("select[name=township]", { label: "古井镇" });
  await page.selectOption("select[name=organization]", { label: "亳州市古井镇宏达酿造配套有限公司" });
  await page.click("[data-testid=save]");
  await page.locator(".worker-item", { hasText: name }).waitFor();
}

const tokenOf = async (page) =>
  JSON.parse(await page.evaluate(() => localStorage.getItem("hongling.session"))).token;

test("an ended session asks the same user to log in again and keeps what the tablet holds", async () => {
  const { context, page } = await device(env.browser);
  await login(page, env.server.base, "zhidao02");
  await page.click("nav.nav a[href='/workers']");
  await page.waitForSelector("[data-testid=worker-list]");
  await workerOffline(context, page, "重新登录测试");
  assert.equal(await pending(page), 1);

  // Logged out elsewhere (a stolen token ended by its owner): the next sync locks.
  const token = await tokenOf(page);
  assert.equal((await api(env.server.base, "POST", "/auth/logout", { token })).status, 204);
  await context.setOffline(false);
  await page.waitForSelector("[data-testid=locked][data-ending=session_ended]", { timeout: 30_000 });
  assert.equal(await page.locator("[data-testid=worker-list]").count(), 0, "no screen behind the lock");
  assert.equal(await page.textContent("[data-testid=locked-unsent]"), "1");
  // Reloading keeps the lock: it lives with the session, not in memory.
  await page.reload();
  await page.waitForSelector("[data-testid=locked][data-ending=session_ended]");

  // A wrong password is refused in Chinese; the right one unlocks, and the change syncs.
  await page.fill("[data-testid=relogin-password]", "不是这个密码");
  await page.click("[data-testid=relogin]");
  await page.waitForFunction(() => document.querySelector("[data-testid=relogin-error]")?.textContent.includes("用户名或密码不正确"));
  await page.fill("[data-testid=relogin-password]", "hongling2026");
  await page.click("[data-testid=relogin]");
  await page.waitForSelector("[data-testid=worker-list]");
  await page.waitForFunction(
    () => document.querySelector("[data-testid=pending] strong")?.textContent === "0",
    null,
    { timeout: 30_000 },
  );
  assert.equal(await page.locator(".worker-item", { hasText: "重新登录测试" }).count(), 1);
  await context.close();
});

test("a disabled account locks the tablet: export the unsynced changes, then remove the data", async () => {
  const { context, page } = await device(env.browser);
  await login(page, env.server.base, "zhidao01");
  await page.click("nav.nav a[href='/workers']");
  await page.waitForSelector("[data-testid=worker-list]");
  await workerOffline(context, page, "停用前录入");

  // The committee disables the account while the tablet is offline.
  const office = await apiLogin(env.server.base, "quwei");
  const disable = await api(env.server.base, "PUT", "/admin/accounts/zhidao01/disabled", {
    token: office.token,
    body: true,
  });
  assert.equal(disable.status, 204);
  await context.setOffline(false);
  await page.waitForSelector("[data-testid=locked][data-ending=account_disabled]", { timeout: 30_000 });
  assert.match(await page.textContent("[data-testid=locked]"), /账号已停用/);
  assert.equal(await page.textContent("[data-testid=locked-unsent]"), "1");
  assert.equal(await page.locator("[data-testid=relogin-form]").count(), 0, "no way back in");
  assert.ok(await page.isDisabled("[data-testid=remove-local-data]"), "nothing is removed before the export");
  await shot(page, "13-locked-account-disabled-1280x800.png");

  // Export, sealed with a passphrase typed twice.
  await page.click("[data-testid=export-unsynced]");
  await page.fill("[data-testid=backup-passphrase]", "停用账号备份口令");
  await page.fill("[data-testid=backup-passphrase-again]", "停用账号备份口令");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.click("[data-testid=backup-seal]"),
  ]);
  // Kept in memory: the download goes with the tablet's browser context.
  const file = {
    name: download.suggestedFilename(),
    mimeType: "application/octet-stream",
    buffer: readFileSync(await download.path()),
  };
  assert.equal(file.buffer.subarray(0, 22).toString(), "age-encryption.org/v1\n");
  await page.waitForSelector("[data-testid=exported]");

  // Removing asks once more, then wipes the tablet back to the login.
  await page.click("[data-testid=remove-local-data]");
  assert.match(await page.textContent("[data-testid=remove-local-data]"), /确认删除/);
  await page.click("[data-testid=remove-local-data]");
  await page.waitForSelector("[data-testid=login-form]");
  assert.equal(await page.evaluate(() => localStorage.getItem("hongling.session")), null);
  await context.close();

  // The office imports the file on its own tablet; the change reaches the server.
  const desk = await device(env.browser);
  await login(desk.page, env.server.base, "quwei");
  await desk.page.click("a[href='/settings']");
  await desk.page.setInputFiles("[data-testid=import]", file);
  await desk.page.fill("[data-testid=import-passphrase]", "停用账号备份口令");
  await desk.page.click("[data-testid=import-open]");
  await desk.page.waitForFunction(() => document.querySelector("[data-testid=notice]")?.textContent.includes("1 条待同步"));
  await desk.page.waitForFunction(
    () => document.querySelector("[data-testid=pending] strong")?.textContent === "0",
    null,
    { timeout: 30_000 },
  );

  // The audit, on the worker's page: sent by the office, made by 李文华 on her own
  // tablet.
  await desk.page.click("a[href='/workers']");
  await desk.page.locator(".worker-item a", { hasText: "停用前录入" }).click();
  await desk.page.waitForURL(/\/workers\/[0-9a-f-]{36}$/);
  const workerId = desk.page.url().split("/").pop();
  await desk.page.click("[data-testid=history] summary");
  const origin = desk.page.locator("[data-testid=history-origin]");
  await origin.waitFor();
  assert.match(await origin.textContent(), /原由 zhidao01 在设备 [0-9a-f]{8}/);
  await desk.context.close();

  const history = await api(env.server.base, "GET", `/admin/history/worker/${workerId}`, { token: office.token });
  assert.equal(history.status, 200);
  assert.equal(history.body.length, 1);
  assert.equal(history.body[0].username, "quwei");
  assert.equal(history.body[0].origin.username, "zhidao01");
  assert.equal(history.body[0].origin.mutation_id, 1);
});
