// The conflicts inbox (待处理): edits made offline that the server refuses are kept with
// their reason, never block what follows, and can be fixed and resubmitted or discarded.

import assert from "node:assert/strict";
import { test } from "node:test";

import { api, apiLogin, device, login, pending, serverAndBrowser, shot } from "./helpers.mjs";

const env = serverAndBrowser();

async function editYears(page, name, years) {
  await page.click("a[href='/']");
  await page.locator(".worker-item a", { hasText: name }).click();
  await page.waitForFunction((n) => document.querySelector("input[name=name]")?.value === n, name);
  await page.fill("input[name=years_in_post]", String(years));
  await page.click("[data-testid=save]");
  await page.waitForSelector("[data-testid=worker-list]");
}

test("refused offline edits land in 待处理 and can be fixed or discarded", async () => {
  const admin = await apiLogin(env.server.base, "quwei");
  const me = await apiLogin(env.server.base, "zhidao01");
  const grants = me.account.grants;

  const { context, page } = await device(env.browser);
  await login(page, env.server.base, "zhidao01");
  await page.locator(".worker-item", { hasText: "孙海燕" }).waitFor();

  // Offline, two edits of 古井镇 workers.
  await context.setOffline(true);
  await page.waitForSelector("[data-testid=net].net-offline");
  await editYears(page, "孙海燕", 11);
  await editYears(page, "黄丽娟", 12);
  assert.equal(await pending(page), 2);

  // Meanwhile the district takes 古井镇 away from this instructor.
  const pulled = await api(env.server.base, "GET", "/sync/pull?limit=1000", { token: admin.token });
  const gujing = pulled.body.records.find((r) => r.kind === "township" && r.body.name === "古井镇");
  const kept = grants.filter((g) => g.scope.id !== gujing.id);
  assert.equal(kept.length, grants.length - 1);
  let r = await api(env.server.base, "PUT", "/admin/accounts/zhidao01/grants", {
    token: admin.token,
    body: kept,
  });
  assert.equal(r.status, 204);

  // Back online: both edits are refused, kept, and shown with the red dot.
  await context.setOffline(false);
  await page.waitForFunction(
    () => document.querySelector("[data-testid=pending] strong")?.textContent === "0",
    null,
    { timeout: 30_000 },
  );
  await page.waitForSelector("[data-testid=inbox-dot]");
  await page.click("a[href='/inbox']");
  const items = page.locator(".inbox-item");
  await items.first().waitFor();
  assert.equal(await items.count(), 2);
  assert.match(await items.first().textContent(), /无权录入或修改该乡镇（街道）的党务工作者/);
  await shot(page, "08-inbox-1280x800.png");

  // The district gives 古井镇 back; the next sync brings the workers back.
  r = await api(env.server.base, "PUT", "/admin/accounts/zhidao01/grants", {
    token: admin.token,
    body: grants,
  });
  assert.equal(r.status, 204);
  await page.click("[data-testid=sync-now]");
  await page.waitForFunction(() => !document.querySelector("[data-testid=sync-now]")?.disabled);

  // Discard one on purpose (two taps)...
  const hua = page.locator(".inbox-item", { hasText: "修改党务工作者信息" }).first();
  await hua.locator("[data-testid=discard]").click();
  assert.match(await hua.locator("[data-testid=discard]").textContent(), /确认放弃/);
  await hua.locator("[data-testid=discard]").click();
  await page.waitForFunction(() => document.querySelectorAll(".inbox-item").length === 1);

  // ...and fix and resubmit the other: the form opens with the refused values.
  await page.locator(".inbox-item [data-testid=fix]").click();
  await page.waitForSelector("[data-testid=refusal]");
  const years = await page.inputValue("input[name=years_in_post]");
  assert.ok(years === "11" || years === "12", `the refused value is kept: ${years}`);
  await page.fill("input[name=years_in_post]", "13");
  await page.click("[data-testid=save]");
  await page.waitForSelector("[data-testid=inbox-empty]");
  await page.waitForFunction(
    () => document.querySelector("[data-testid=pending] strong")?.textContent === "0",
    null,
    { timeout: 30_000 },
  );
  assert.equal(await page.locator("[data-testid=inbox-dot]").count(), 0);

  // The server has the fixed value.
  const other = await device(env.browser);
  await login(other.page, env.server.base, "zhidao02");
  await other.page.locator(".worker-item", { hasText: "：13" }).waitFor({ timeout: 30_000 });
  await other.context.close();
  await context.close();
});
