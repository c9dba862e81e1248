// The district committee's account screen: create an account with a grant, disable it,
// and see the refusal at its login. Others do not get the screen.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { api, device, firstSync, login, serverAndBrowser, shot } from "./helpers.mjs";

const env = serverAndBrowser();

test("the committee creates and disables an account", async () => {
  const instructor = await device(env.browser);
  await login(instructor.page, env.server.base, "zhidao01");
  assert.equal(await instructor.page.locator("a[href='/admin/accounts']").count(), 0);
  await instructor.context.close();

  const { context, page } = await device(env.browser);
  await login(page, env.server.base, "quwei");
  // The townships a grant names arrive with the first sync.
  await firstSync(page);
  await page.click("nav.nav a[href='/settings']");
  await page.click("[data-testid=open-accounts]");
  await page.waitForSelector("[data-testid=account-list]");
  await page.fill("input[name=new-username]", "dc01");
  await page.fill("input[name=new-name]", "王强（督察专员）");
  await page.fill("input[name=new-password]", "dc01-secret-pass");
  await page.selectOption("[data-testid=new-account] [data-testid=grant-role]", { label: "督察专员" });
  await page.selectOption("[data-testid=new-account] [data-testid=grant-scope]", { label: "古井镇" });
  await page.click("[data-testid=new-account] [data-testid=grant-add]");
  await page.click("[data-testid=create-account]");
  const card = page.locator("[data-testid=account-dc01]");
  await card.waitFor();
  assert.match(await card.textContent(), /督察专员 · 古井镇/);
  await shot(page, "10-accounts-1280x800.png");

  let r = await api(env.server.base, "POST", "/auth/login", {
    body: { username: "dc01", password: "dc01-secret-pass", device_id: crypto.randomUUID() },
  });
  assert.equal(r.status, 200);

  await card.locator("[data-testid=toggle-disabled]").click();
  await page.locator("[data-testid=account-dc01]", { hasText: "已停用" }).waitFor();
  r = await api(env.server.base, "POST", "/auth/login", {
    body: { username: "dc01", password: "dc01-secret-pass", device_id: crypto.randomUUID() },
  });
  assert.equal(r.status, 403);
  assert.equal(r.body.code, "account_disabled");

  // The committee reads a record's history: who changed what, applied or refused.
  await page.click("a[href='/workers']");
  await page.locator(".worker-item a", { hasText: "张红梅" }).click();
  await page.waitForFunction(() => document.querySelector("input[name=name]")?.value === "张红梅");
  await page.fill("input[name=years_in_post]", "7");
  await page.click("[data-testid=save]");
  await page.waitForFunction(
    () => document.querySelector("[data-testid=pending] strong")?.textContent === "0",
    null,
    { timeout: 30_000 },
  );
  await page.locator(".worker-item a", { hasText: "张红梅" }).click();
  await page.click("[data-testid=history] summary");
  const line = page.locator(".history-list li").first();
  await line.waitFor();
  assert.match(await line.textContent(), /区委非公工委 管理员.*修改党务工作者信息.*已生效/);
  assert.match(await line.textContent(), /"years_in_post":7/);
  await context.close();
});

test("the committee reads the security log and exports it", async () => {
  // A wrong password from elsewhere, then the committee's own login.
  const wrong = await api(env.server.base, "POST", "/auth/login", {
    body: { username: "zhidao02", password: "not the password at all", device_id: crypto.randomUUID() },
  });
  assert.equal(wrong.status, 401);
  const { context, page } = await device(env.browser);
  await login(page, env.server.base, "quwei");
  await firstSync(page);
  await page.click("nav.nav a[href='/settings']");
  await page.click("[data-testid=open-accounts]");
  await page.click("[data-testid=open-security-log]");
  const table = page.locator("[data-testid=security-log]");
  await table.waitFor();
  const failed = page.locator("[data-testid=security-log-line][data-event=login_failed]", { hasText: "zhidao02" });
  await failed.first().waitFor();
  assert.match(await failed.first().textContent(), /登录失败.*zhidao02.*127\.0\.0\.1/);
  // The account disabled in the test above is there, by whom and on whom.
  const disabled = page.locator("[data-testid=security-log-line][data-event=account_disabled]");
  assert.match(await disabled.first().textContent(), /停用账号.*quwei.*dc01/);
  await shot(page, "65-security-log-1280x800.png");

  const download = page.waitForEvent("download");
  await page.click("[data-testid=security-log-export]");
  const csv = readFileSync(await (await download).path(), "utf8");
  assert.match(csv, /时间（北京时间）,事件,操作人,对象,地址,说明/);
  assert.match(csv, /登录失败,zhidao02,,127\.0\.0\.1/);
  await context.close();
});
