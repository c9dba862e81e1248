// 培育库: an instructor applies for a worker offline; the committee publishes the entry
// criteria and admits her; the pool list finds her by pinyin initials and keeps its
// filters in the URL.

import assert from "node:assert/strict";
import { test } from "node:test";

import { device, firstSync, login, serverAndBrowser, shot } from "./helpers.mjs";

const env = serverAndBrowser();

test("a pool application filed offline is admitted and found by pinyin initials", async () => {
  const tablet = await device(env.browser);
  const page = tablet.page;
  await login(page, env.server.base, "zhidao02");
  await page.click("nav.nav a[href='/workers']");
  await page.waitForSelector("[data-testid=worker-list]");
  await tablet.context.setOffline(true);
  await page.click("a[href='/applications']");
  await page.click("[data-testid=pool]");
  await page.selectOption("select[name=pool_worker]", { label: "孙海燕" });
  await page.fill("input[name=pool_notes]", "任职两年，表现突出");
  await page.click("[data-testid=apply-pool]");
  const item = page.locator("[data-testid=pool-item]", { hasText: "孙海燕" });
  await item.waitFor();
  assert.match(await item.textContent(), /待审/);
  await tablet.context.setOffline(false);
  await page.waitForFunction(
    () => document.querySelector("[data-testid=pending] strong")?.textContent === "0",
    null,
    { timeout: 30_000 },
  );

  const office = await device(env.browser);
  const c = office.page;
  await login(c, env.server.base, "quwei");
  // The first pull brings the pool and the criteria; publishing before it lands races it.
  await firstSync(c);
  await c.goto(env.server.base + "/pool");
  await c.fill("textarea[name=criteria]", "任现职满一年；政治素质过硬；所在党组织规范化建设达标");
  await c.click("[data-testid=publish-criteria]");
  await c.waitForFunction(() => /任现职满一年/.test(document.querySelector("[data-testid=criteria]")?.textContent));
  const pending = c.locator("[data-testid=pool-item]", { hasText: "孙海燕" });
  await pending.waitFor({ timeout: 30_000 });
  await pending.locator("[data-testid=admit]").click();
  await c.waitForFunction(() =>
    [...document.querySelectorAll("[data-testid=pool-item]")].some((e) => /孙海燕[\s\S]*已入库/.test(e.textContent)),
  );
  // Pinyin initials find her; a status filter stays in the address.
  await c.fill("[data-testid=search]", "shy");
  await c.waitForFunction(() => document.querySelector("[data-testid=pool-count]")?.textContent.trim() === "1");
  await c.selectOption("select[name=status]", "已入库");
  await c.waitForFunction(() => decodeURIComponent(location.search).includes("status=已入库"));
  assert.match(decodeURIComponent(c.url()), /q=shy/);
  await c.reload();
  await c.waitForFunction(() => document.querySelector("[data-testid=pool-count]")?.textContent.trim() === "1");
  await shot(c, "25-pool-1280x800.png");
  await office.context.close();

  // The instructor sees the decision after a sync.
  await page.click("[data-testid=sync-now]");
  await page.waitForFunction(
    () => [...document.querySelectorAll("[data-testid=pool-item]")].some((e) => /已入库/.test(e.textContent)),
    null,
    { timeout: 30_000 },
  );
  await tablet.context.close();
});
