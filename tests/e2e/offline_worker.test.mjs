// The walking skeleton's user path: a tablet offline creates and edits a worker, reloads
// while still offline, syncs when back online, and a second device sees the worker.

import assert from "node:assert/strict";
import { test } from "node:test";

import path from "node:path";

import { device, login, pending, root, serverAndBrowser, shot, waitForServiceWorker } from "./helpers.mjs";

const photoShown = () => document.querySelector("[data-testid=photo]")?.naturalWidth > 0;

const env = serverAndBrowser();

test("a worker typed offline survives a reload and reaches a second device", async () => {
  const tablet = await device(env.browser);
  const page = tablet.page;
  await login(page, env.server.base, "zhidao01");
  // The first sync brings the workers of zhidao01's townships (古井镇, 花戏楼街道): 4.
  await page.click("nav.nav a[href='/workers']");
  await page.waitForSelector("[data-testid=worker-list]");
  await page.waitForFunction(
    () => document.querySelector("[data-testid=worker-count]")?.textContent.trim().startsWith("4"),
  );
  await waitForServiceWorker(page);
  await shot(page, "01-workers-1280x800.png");

  await tablet.context.setOffline(true);
  await page.waitForSelector("[data-testid=net].net-offline");

  await page.click("[data-testid=add-worker]");
  await page.waitForSelector("[data-testid=worker-form]");
  // Only the townships this instructor works in are offered.
  const offered = await page.$$eval("select[name=township] option", (os) => os.map((o) => o.textContent));
  assert.deepEqual(offered.slice(1).sort(), ["古井镇", "花戏楼街道"].sort());
  // Saving an empty form is refused next to the field, in Chinese.
  await page.click("[data-testid=save]");
  assert.match(await page.textContent(".field-error"), /请选择乡镇/);
  await page.fill("input[name=name]", "江晓燕");
  await page.selectOption("select[name=township]", { label: "古井镇" });
  await page.selectOption("select[name=organization]", { label: "亳州市古井镇宏达酿造配套有限公司" });
  await page.check("input[name=role][value=instructor]");
  await page.fill("input[name=management_post]", "办公室主任");
  await page.fill("input[name=years_in_post]", "3");
  await page.fill("input[name=id_card]", "11010519491231002X");
  // A photo from the tablet's camera or gallery: kept in IndexedDB at once.
  await page.setInputFiles("[data-testid=photo-input]", path.join(root, "public/icons/icon-192.png"));
  await page.waitForFunction(photoShown);
  await shot(page, "02-worker-form-1280x800.png");

  // The tab is closed before saving: what was typed comes back as a draft.
  await page.reload();
  await page.waitForSelector("[data-testid=draft-restored]");
  assert.equal(await page.inputValue("input[name=name]"), "江晓燕");
  // The ID-card number is never in the draft: local storage outlives the session.
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }));
  assert.ok(stored.includes("江晓燕") && !stored.includes("11010519491231002X"), stored);
  assert.equal(await page.inputValue("input[name=id_card]"), "");
  assert.match(await page.textContent("[data-testid=draft-restored]"), /身份证号不随草稿保存/);
  assert.equal(await page.inputValue("input[name=management_post]"), "办公室主任");
  await page.waitForFunction(photoShown);
  await page.waitForFunction(
    () => document.querySelector("select[name=organization]")?.selectedOptions[0]?.textContent.includes("宏达"),
  );
  await page.click("[data-testid=save]");

  // The list shows it at once, marked as not yet synced.
  const row = page.locator(".worker-item", { hasText: "江晓燕" });
  await row.waitFor();
  assert.match(await row.textContent(), /未同步/);
  assert.equal(await pending(page), 1);
  await shot(page, "03-offline-pending-1280x800.png");

  // A reload with no network: the service worker serves the app, IndexedDB the data.
  await page.reload();
  await page.locator(".worker-item", { hasText: "江晓燕" }).waitFor();
  assert.equal(await pending(page), 1);
  assert.match(await page.textContent("[data-testid=net]"), /离线/);

  // Edit offline too: only the changed field travels. The saved draft is gone.
  await page.locator(".worker-item a", { hasText: "江晓燕" }).click();
  await page.waitForFunction(() => document.querySelector("input[name=name]")?.value === "江晓燕");
  assert.deepEqual(
    await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("hongling.draft."))),
    [],
  );
  await page.fill("input[name=years_in_post]", "4");
  await page.click("[data-testid=save]");
  await page.locator(".worker-item", { hasText: "江晓燕" }).waitFor();
  await page.waitForFunction(() => document.querySelector("[data-testid=pending] strong")?.textContent === "2");

  // Back online: the online event starts a sync; the outbox empties.
  await tablet.context.setOffline(false);
  await page.waitForFunction(
    () => document.querySelector("[data-testid=pending] strong")?.textContent === "0",
    null,
    { timeout: 30_000 },
  );
  await page.waitForFunction(
    () => !document.querySelector(".worker-item .tag-pending"),
  );
  assert.doesNotMatch(await page.textContent("[data-testid=last-sync]"), /尚未同步/);

  // Another device, another account: after its own sync it has the worker.
  const other = await device(env.browser, { width: 768, height: 1024 });
  await login(other.page, env.server.base, "zhidao02");
  await other.page.click("nav.nav a[href='/workers']");
  const seen = other.page.locator(".worker-item", { hasText: "江晓燕" });
  await seen.waitFor({ timeout: 30_000 });
  const text = await seen.textContent();
  assert.match(text, /党建工作指导员/);
  assert.match(text, /古井镇/);
  assert.match(text, /办公室主任/);
  assert.match(text, /：4/);
  // The photo went up before the worker; the other tablet fetches it when it opens her.
  await seen.locator("a").click();
  await other.page.waitForFunction(photoShown, null, { timeout: 30_000 });
  await other.page.goBack();
  await other.page.fill("[data-testid=search]", "江晓燕");
  await other.page.waitForFunction(
    () => document.querySelector("[data-testid=worker-count]")?.textContent.trim().startsWith("1"),
  );
  assert.match(other.page.url(), /\?q=/, "the search stays in the URL");
  await shot(other.page, "04-second-device-768x1024.png");
  await other.context.close();
  await tablet.context.close();
});

test("the language can be switched to English and is remembered", async () => {
  const { context, page } = await device(env.browser);
  await login(page, env.server.base, "zhidao01");
  await page.click("a[href='/settings']");
  await page.click("[data-testid=lang-en]");
  assert.equal(await page.textContent("section.page h1"), "Settings");
  assert.match(await page.textContent("[data-testid=sync-now]"), /^Sync/);
  await shot(page, "05-settings-en-1280x800.png");
  await page.reload();
  await page.waitForSelector("section.page h1");
  assert.equal(await page.textContent("section.page h1"), "Settings");
  assert.match(await page.textContent("nav.nav"), /People/);
  assert.equal(await page.getAttribute("html", "lang"), "en");
  await page.click("[data-testid=lang-zh]");
  assert.equal(await page.textContent("section.page h1"), "设置");
  await context.close();
});

test("touch targets are at least 44 px on a portrait tablet", async () => {
  const { context, page } = await device(env.browser, { width: 768, height: 1024 });
  await login(page, env.server.base, "zhidao01");
  await page.click("nav.nav a[href='/workers']");
  await page.waitForSelector("[data-testid=worker-list]");
  const small = await page.evaluate(() =>
    [...document.querySelectorAll("button, a, input, select")]
      .filter((el) => el.offsetParent !== null)
      .map((el) => ({ el: el.outerHTML.slice(0, 80), r: el.getBoundingClientRect() }))
      .filter(({ r }) => r.height < 44 || r.width < 44)
      .map(({ el, r }) => `${el} ${r.width}x${r.height}`),
  );
  assert.deepEqual(small, []);
  // Portrait: the navigation is a bottom bar.
  const nav = await page.locator("nav.nav").boundingBox();
  assert.ok(nav.y > 900, `nav at y=${nav.y}`);
  await shot(page, "06-workers-768x1024.png");
  await context.close();
});

test("the login screen says it is offline before anyone tries", async () => {
  const tablet = await device(env.browser);
  const page = tablet.page;
  await page.goto(env.server.base + "/");
  await page.waitForSelector("[data-testid=login-form]");
  assert.equal(await page.locator("[data-testid=login-offline]").count(), 0, "online: no notice");
  await tablet.context.setOffline(true);
  await page.waitForSelector("[data-testid=login-offline]");
  assert.equal(await page.textContent("[data-testid=login-offline]"), "当前离线：首次登录需要联网");
  await tablet.context.setOffline(false);
  await page.waitForSelector("[data-testid=login-offline]", { state: "detached" });
  await tablet.context.close();
});

test("inside WeChat's built-in browser the app says to open the system browser", async () => {
  const context = await env.browser.newContext({
    viewport: { width: 768, height: 1024 },
    locale: "zh-CN",
    userAgent:
      "Mozilla/5.0 (Linux; Android 13; HarmonyOS) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36 MicroMessenger/8.0.47",
  });
  const page = await context.newPage();
  await page.goto(env.server.base + "/");
  await page.waitForSelector("[data-testid=login-form]");
  assert.match(await page.textContent("[data-testid=in-app-browser]"), /在浏览器打开/);
  await context.close();
  // A system browser is not told so.
  const plain = await device(env.browser);
  await plain.page.goto(env.server.base + "/");
  await plain.page.waitForSelector("[data-testid=login-form]");
  assert.equal(await plain.page.locator("[data-testid=in-app-browser]").count(), 0);
  await plain.context.close();
});

test("a worker and a judge are offered no staff work: no 新增党务工作者, no 申请 tab", async () => {
  for (const username of ["zhanghm", "pingwei01"]) {
    const tablet = await device(env.browser);
    const page = tablet.page;
    await login(page, env.server.base, username);
    await page.waitForSelector("nav.nav");
    assert.equal(await page.locator("[data-testid=add-worker]").count(), 0, `${username}: no add-worker`);
    assert.equal(await page.locator("nav.nav a[href='/workers']").count(), 0, `${username}: no 人员 tab`);
    assert.equal(await page.locator("nav.nav a[href='/applications']").count(), 0, `${username}: no 申请 tab`);
    await tablet.context.close();
  }
  // An instructor is.
  const tablet = await device(env.browser);
  await login(tablet.page, env.server.base, "zhidao01");
  await tablet.page.click("nav.nav a[href='/workers']");
  await tablet.page.waitForSelector("[data-testid=add-worker]");
  await tablet.context.close();
});

test("the committee's tabs fit the rail at 1280×800 and the bar at 768×1024, none hidden", async () => {
  for (const viewport of [{ width: 1280, height: 800 }, { width: 768, height: 1024 }]) {
    const { context, page } = await device(env.browser, viewport);
    await login(page, env.server.base, "quwei");
    await page.waitForSelector("nav.nav a[href='/settings']");
    const fit = await page.evaluate(() => {
      const nav = document.querySelector("nav.nav");
      const links = [...nav.querySelectorAll("a")].map((a) => a.getBoundingClientRect());
      const header = document.querySelector(".app-header").getBoundingClientRect();
      return {
        tabs: links.length,
        underHeader: links.filter((r) => r.top < header.bottom - 0.5 && r.bottom > header.top).length,
        overflowX: nav.scrollWidth - nav.clientWidth,
        overflowY: nav.scrollHeight - nav.clientHeight,
        outside: links.filter((r) => r.bottom > innerHeight + 0.5 || r.right > innerWidth + 0.5).length,
      };
    });
    const size = `${viewport.width}×${viewport.height}`;
    assert.ok(fit.tabs >= 8, `${size}: the committee's tabs (${fit.tabs})`);
    assert.equal(fit.overflowX, 0, `${size}: nothing scrolled off sideways`);
    assert.equal(fit.overflowY, 0, `${size}: nothing scrolled off below`);
    assert.equal(fit.outside, 0, `${size}: every tab on the screen`);
    assert.equal(fit.underHeader, 0, `${size}: no tab under the header`);
    // 认证 groups 公示, 年审, 认证设置 and 津贴, and stays lit on them.
    await page.click("nav.nav a[href='/applications']");
    await page.click("[data-testid=open-notices]");
    await page.waitForFunction(() => location.pathname === "/notices");
    assert.match(await page.getAttribute("nav.nav a[href='/applications']", "class"), /active-group/);
    await shot(page, `07-committee-nav-${size}.png`);
    await context.close();
  }
});

test("the contest form keeps its rubric inside its card at both tablet sizes", async () => {
  for (const viewport of [{ width: 1280, height: 800 }, { width: 768, height: 1024 }]) {
    const { context, page } = await device(env.browser, viewport);
    await login(page, env.server.base, "bisai01");
    await page.goto(env.server.base + "/contests/new");
    await page.waitForSelector("[data-testid=contest-form] [data-testid=rubric-row]");
    const over = await page.evaluate(() => {
      const card = document.querySelector("[data-testid=contest-form]").getBoundingClientRect();
      return [...document.querySelectorAll("[data-testid=contest-form] table, [data-testid=contest-form] input")]
        .map((e) => e.getBoundingClientRect())
        .filter((r) => r.width > 0 && (r.right > card.right + 0.5 || r.left < card.left - 0.5)).length;
    });
    assert.equal(over, 0, `${viewport.width}×${viewport.height}: nothing sticks out of the card`);
    await shot(page, `65-contest-form-${viewport.width}x${viewport.height}.png`);
    await context.close();
  }
});
