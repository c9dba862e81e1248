// The conflicts inbox (待处理): edits made offline that the server refuses are kept with
// their reason, never block what follows, and can be fixed and resubmitted or discarded.

import assert from "node:assert/strict";
import { test } from "node:test";

import { api, apiLogin, device, login, pending, serverAndBrowser, shot } from "./helpers.mjs";

const env = serverAndBrowser();

async function editYears(page, name, years) {
  await page.click("a[href='/workers']");
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
  await page.click("nav.nav a[href='/workers']");
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
  await other.page.click("nav.nav a[href='/workers']");
  await other.page.locator(".worker-item", { hasText: "：13" }).waitFor({ timeout: 30_000 });
  await other.context.close();
  await context.close();
});

async function addWorker(page, name, idCard) {
  await page.click("a[href='/workers']");
  await page.click("[data-testid=add-worker]");
  await page.waitForSelector("[data-testid=worker-form]");
  await page.fill("input[name=name]", name);
  await page.selectOption("select[name=township]", { label: "古井镇" });
  await page.selectOption("select[name=organization]", { label: "亳州市古井镇宏达酿造配套有限公司" });
  await page.check("input[name=role][value=secretary]");
  await page.fill("input[name=years_in_post]", "2");
  await page.fill("input[name=id_card]", idCard);
  await page.click("[data-testid=save]");
  await page.locator(".worker-item", { hasText: name }).waitFor();
  await page.click("[data-testid=sync-now]");
  await page.waitForFunction(
    () => document.querySelector("[data-testid=pending] strong")?.textContent === "0",
    null,
    { timeout: 30_000 },
  );
}

test("a number someone already holds is not revealed to the instructor and waits in the committee's 待处理", async () => {
  const number = "11010519491231002X";
  const office = await device(env.browser);
  await login(office.page, env.server.base, "quwei");
  await addWorker(office.page, "号码持有人", number);

  // The instructor types the same number for another worker: saved and synced like any
  // other, nothing refused, and only the last four characters on the tablet.
  const field = await device(env.browser);
  await login(field.page, env.server.base, "zhidao01");
  await addWorker(field.page, "重复录入者", number);
  assert.equal(await field.page.locator("[data-testid=inbox-dot]").count(), 0);
  await field.page.locator(".worker-item a", { hasText: "重复录入者" }).click();
  assert.match(await field.page.textContent("[data-testid=id-card-on-record]"), /\*{14}002X/);
  const held = await field.page.evaluate(async () => {
    const dbs = await indexedDB.databases();
    const out = [];
    for (const { name } of dbs) {
      const db = await new Promise((ok, err) => {
        const r = indexedDB.open(name);
        r.onsuccess = () => ok(r.result);
        r.onerror = () => err(r.error);
      });
      for (const store of db.objectStoreNames) {
        const all = await new Promise((ok) => {
          const r = db.transaction(store).objectStore(store).getAll();
          r.onsuccess = () => ok(r.result);
        });
        out.push(JSON.stringify(all));
      }
      db.close();
    }
    return out.join("\n");
  });
  assert.ok(!held.includes(number), "the full number never rests on the instructor's tablet");

  // The committee's next sync puts it in 待处理 as 身份证号重复, beside the holder.
  await office.page.click("[data-testid=sync-now]");
  await office.page.waitForSelector("[data-testid=inbox-dot]", { timeout: 30_000 });
  await office.page.click("a[href='/inbox']");
  const item = office.page.locator("[data-testid=duplicate-id-card]");
  await item.waitFor();
  const text = await item.textContent();
  assert.match(text, /重复录入者/);
  assert.match(text, /号码持有人/);
  assert.ok(text.includes(number), text);
  await shot(office.page, "08b-duplicate-id-card-1280x800.png");

  // Corrected on the second worker's form, the item goes.
  await item.locator("[data-testid=duplicate-worker]", { hasText: "重复录入者" }).click();
  await office.page.waitForFunction(() => document.querySelector("input[name=name]")?.value === "重复录入者");
  await office.page.fill("input[name=id_card]", "34010119900101123X");
  await office.page.click("[data-testid=save]");
  await office.page.waitForSelector("[data-testid=worker-list]");
  await office.page.click("a[href='/inbox']");
  await office.page.waitForSelector("[data-testid=inbox-empty]");
  assert.equal(await office.page.locator("[data-testid=duplicate-id-card]").count(), 0);
  await office.context.close();
  await field.context.close();
});
