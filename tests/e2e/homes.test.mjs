// A home for each role: the first screen after login and the first tab. The instructor's
// 今日 gathers today's training with its roll a tap away, the week's visits, a draft left
// half-filled and what waits to sync; the township reviewer lands on 待办 with the
// application just filed; the committee's 总览 shows the dashboard's own totals and the
// queues, each count the list it opens; the contest administrator sees the running
// contest's live ranking; a judge their contestants in running order; a worker the
// certificate's QR code, large enough to read from another tablet. Screenshots of each
// home at 1280×800 and 768×1024.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";

import jsQR from "jsqr";
import { PNG } from "pngjs";

import { api, apiLogin, device, firstSync, login, pending, serverAndBrowser, shot } from "./helpers.mjs";

const env = serverAndBrowser();
const SIZES = [
  { width: 1280, height: 800 },
  { width: 768, height: 1024 },
];
const size = (v) => `${v.width}x${v.height}`;

async function synced(page) {
  await page.waitForFunction(
    () => document.querySelector("[data-testid=pending] strong")?.textContent === "0",
    null,
    { timeout: 60_000 },
  );
}

/** Both screenshots of a home, as the README shows them. */
async function shots(page, name) {
  for (const v of SIZES) {
    await page.setViewportSize(v);
    await page.waitForTimeout(200);
    await shot(page, `home-${name}-${size(v)}.png`);
  }
}

/** The running order a seed gives, replayed from the steps documented at
 * `hongling_core::contest::draw_order`, independently of the app. */
function replayDraw(ids, seed) {
  const order = [...ids];
  for (let i = order.length - 1; i > 0; i--) {
    const index = Buffer.alloc(4);
    index.writeUInt32BE(i);
    const digest = createHash("sha256").update(Buffer.from(seed, "utf8")).update(index).digest();
    const j = Number(digest.readBigUInt64BE(0) % BigInt(i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

const homeTab = (page) => page.textContent("[data-testid=nav-home] span");

test("the instructor's 今日: today's training, the week's visits, a draft and what waits to sync", async () => {
  const base = env.server.base;
  const { context, page } = await device(env.browser, { width: 768, height: 1024 });
  await login(page, base, "zhidao02");
  await firstSync(page);
  await page.waitForSelector("[data-testid=home-today]");
  assert.equal(await homeTab(page), "今日");
  assert.equal(await page.locator("nav.nav a[href='/queue']").count(), 0);
  assert.equal(await page.getAttribute("[data-testid=home-pending]", "data-count"), "0");
  await page.waitForFunction(() => document.querySelector("[data-testid=today-trainings]")?.textContent.includes("今天没有培训"));
  // The quarter's assessments against the holders of this tablet's townships.
  assert.ok(Number(await page.getAttribute("[data-testid=home-assessed]", "data-total")) > 0);

  // Offline in the field: a session today, then the roll from the home.
  await context.setOffline(true);
  await page.waitForSelector("[data-testid=net].net-offline");
  await page.click("[data-testid=nav-field]");
  await page.click("[data-testid=field-trainings]");
  await page.fill("input[name=title]", "党务知识轮训（今日）");
  await page.fill("input[name=place]", "古井镇党群服务中心");
  await page.fill("input[name=hours]", "2");
  await page.fill("input[name=trainer]", "赵晓东");
  await page.click("[data-testid=create-training]");
  await page.waitForSelector("[data-testid=roll]");
  await page.click("[data-testid=nav-home]");
  const session = page.locator("[data-testid=today-training]", { hasText: "党务知识轮训（今日）" });
  await session.waitFor();
  await session.locator("[data-testid=check-in]").click();
  await page.waitForFunction(() => document.querySelector("[data-testid=session-title]")?.textContent === "党务知识轮训（今日）");

  // A visit begun and left: the home leads back to it, and once saved it is this week's.
  await page.click("[data-testid=nav-field]");
  await page.click("[data-testid=field-visits]");
  await page.click("[data-testid=new-visit]");
  await page.selectOption("select[name=organization]", { index: 1 });
  await page.fill("input[name=people_met]", "支部书记");
  await page.click("[data-testid=nav-home]");
  assert.equal(await page.locator("[data-testid=week-visit]").count(), 0);
  const draft = page.locator("[data-testid=home-draft] a", { hasText: "记录走访" });
  await draft.click();
  await page.waitForSelector("[data-testid=draft-restored]");
  assert.equal(await page.inputValue("input[name=people_met]"), "支部书记");
  await page.click("[data-testid=save-visit]");
  await page.waitForSelector("[data-testid=visit-item]");
  await page.click("[data-testid=nav-home]");
  await page.waitForSelector("[data-testid=week-visit]");
  assert.match(await page.textContent("[data-testid=week-visit]"), /未同步/);
  assert.equal(await page.locator("[data-testid=home-draft]").count(), 0, "the saved draft is gone");
  assert.equal(await page.getAttribute("[data-testid=home-pending]", "data-count"), String(await pending(page)));
  assert.match(await page.textContent("[data-testid=home-pending]"), /2 项修改等待同步/);
  await shots(page, "today");

  // 孙海燕's application, filed for the reviewer's 待办.
  await page.click("a[href='/applications']");
  await page.click("[data-testid=new-application]");
  await page.selectOption("select[name=worker]", { label: "孙海燕" });
  await page.selectOption("select[name=batch]", { label: "2026年第一批" });
  for (const [i, v] of ["excellent", "good", "good", "excellent", "good"].entries()) {
    await page.check(`input[name=factor${i}][value=${v}]`);
  }
  for (const i of [0, 1, 2]) await page.check(`input[name=check${i}]`);
  await page.click("[data-testid=save]");
  await page.waitForSelector("[data-testid=application]");
  await context.setOffline(false);
  await synced(page);
  await page.click("[data-testid=nav-home]");
  assert.match(await page.textContent("[data-testid=home-pending]"), /所有修改都已同步/);
  await context.close();
});

test("a township reviewer lands on 待办: the queue first, oldest first, then the counts per stage", async () => {
  const { context, page } = await device(env.browser, { width: 768, height: 1024 });
  await login(page, env.server.base, "chushen01");
  await firstSync(page);
  await page.waitForSelector("[data-testid=home-queue] [data-testid=queue] .application-item");
  assert.equal(await homeTab(page), "待办");
  assert.equal(await page.locator("nav.nav a[href='/queue']").count(), 0, "no second 待办 tab");
  assert.match(await page.textContent("[data-testid=queue] .application-item"), /孙海燕/);
  await page.waitForSelector("[data-testid=stage-count][data-stage=township][data-count='1']");
  // The queue comes before the counts on the screen.
  const queueFirst = await page.evaluate(() => {
    const q = document.querySelector("[data-testid=queue]");
    const c = document.querySelector("[data-testid=stage-counts]");
    return Boolean(q.compareDocumentPosition(c) & Node.DOCUMENT_POSITION_FOLLOWING);
  });
  assert.ok(queueFirst);
  await shots(page, "queue");
  await context.close();
});

test("the committee's 总览: the dashboard's totals, the queues each open their list, in both languages", async () => {
  const { context, page } = await device(env.browser);
  await login(page, env.server.base, "quwei");
  await firstSync(page);
  await page.waitForSelector("[data-testid=home-overview] [data-testid=headline-pool]");
  await page.waitForSelector("[data-testid=stage-count]");
  await page.waitForSelector("[data-testid=stage-count][data-stage=township][data-count='1']");
  assert.equal(await homeTab(page), "总览");
  assert.equal(await page.locator("[data-testid=nav-dashboard]").count(), 0, "指标 is in 总览");
  const head = await page.$$eval("[data-testid^=headline-]", (els) =>
    Object.fromEntries(els.map((e) => [e.dataset.testid.replace("headline-", ""), e.dataset.value])));
  // The demo district: eight holders, two of them 中级.
  assert.equal(head.certified, "8");
  assert.match(await page.textContent("[data-testid=headline-certified]"), /初级 6.*中级 2/);
  await shots(page, "overview");

  // The same numbers as the dashboard's totals.
  await page.click("[data-testid=all-indicators]");
  await page.waitForSelector("[data-testid=indicator-training]");
  const total = (id) => page.getAttribute(`[data-testid=indicator-${id}]`, "data-total");
  assert.equal(head.pool, await total("pool"));
  assert.equal(Number(head.certified), (await total("certified")).split(",").map(Number).reduce((a, b) => a + b, 0));
  assert.equal(head.management, `${await total("management")}%`);
  assert.equal(head.training, `${await total("training")}%`);
  // The demo district has no mentoring yet.
  assert.equal(await total("mentoring"), "0,0");
  assert.deepEqual([head.pairs, head.studios], ["0", "0"]);

  // Each queue's count is the length of the list it opens.
  await page.click("[data-testid=nav-home]");
  await page.waitForSelector("[data-testid=stage-count][data-stage=township]");
  const counts = await page.$$eval("[data-testid=stage-count]", (els) => els.map((e) => [e.dataset.stage, Number(e.dataset.count)]));
  const township = counts.find(([s]) => s === "township");
  assert.deepEqual(township, ["township", 1]);
  await page.click("[data-testid=stage-count][data-stage=township] a");
  await page.waitForFunction(() => location.search === "?stage=township");
  await page.waitForFunction(() => document.querySelector("[data-testid=application-count]")?.textContent.trim().startsWith("1"));

  // In English.
  await page.click("a[href='/settings']");
  await page.click("[data-testid=lang-en]");
  await page.click("[data-testid=nav-home]");
  await page.waitForFunction(() => document.querySelector("[data-testid=home-overview] h1")?.textContent === "Overview");
  assert.equal(await homeTab(page), "Overview");
  assert.match(await page.textContent("[data-testid=headline-certified]"), /Certificate holders/);
  await shot(page, "home-overview-en-1280x800.png");
  await page.click("a[href='/settings']");
  await page.click("[data-testid=lang-zh]");
  await context.close();
});

test("the contest administrator's home is the running contest's live ranking; a judge's is 我的评分", async () => {
  const base = env.server.base;
  const { context, page: a } = await device(env.browser);
  await login(a, base, "bisai01");
  await firstSync(a);
  // Nothing runs yet: the contest list.
  await a.waitForSelector("[data-testid=new-contest]");
  assert.equal(await a.locator("[data-testid=nav-contests]").count(), 0, "the home is the contests tab");
  await a.click("[data-testid=new-contest]");
  await a.fill("input[name=title]", "红领实训比赛（出赛）");
  await a.fill("input[name=venue]", "区委党校");
  await a.fill("input[name=trim_from]", "3");
  for (const j of ["pingwei01", "pingwei02", "pingwei03"]) {
    await a.check(`[data-testid=judge-choice] input[value=${j}]`);
  }
  for (const name of ["张红梅", "王志强", "刘静"]) {
    await a.check(`[data-testid=contestant-choice][data-name=${name}] input`);
  }
  await a.click("[data-testid=save-contest]");
  await a.waitForSelector("[data-testid=contest-title]");
  // A typo in the title and the room to add: corrected before anyone scores.
  await a.click("[data-testid=edit-contest]");
  await a.waitForFunction(() => document.querySelector("input[name=title]")?.value === "红领实训比赛（出赛）");
  await a.waitForFunction(() => document.querySelectorAll("[data-testid=contestant-choice] input:checked").length === 3);
  await a.fill("input[name=title]", "红领实训比赛（初赛）");
  await a.fill("input[name=venue]", "区委党校报告厅");
  await a.click("[data-testid=save-contest]");
  await a.waitForFunction(() => document.querySelector("[data-testid=contest-title]")?.textContent === "红领实训比赛（初赛）");
  await a.fill("[data-testid=draw-seed]", "2026-12-05 037");
  await a.click("[data-testid=draw]");
  await a.waitForSelector("[data-testid=draw]", { state: "detached" });
  await synced(a);
  await a.click("[data-testid=nav-home]");
  await a.waitForSelector("[data-testid=home-contest] [data-testid=ranking-row]");
  assert.equal(await a.locator("[data-testid=ranking-row]").count(), 3);
  // No sheet yet: every judge is missing on every line.
  assert.match(await a.textContent("[data-testid=ranking-row]"), /评委/);
  await shots(a, "contest");

  // The judge: the contest of the day, contestants in the drawn order.
  const judge = await device(env.browser, { width: 768, height: 1024 });
  const j = judge.page;
  await login(j, base, "pingwei01");
  await firstSync(j);
  await j.waitForSelector("[data-testid=home-judging] [data-testid=sheet-item]");
  assert.equal(await homeTab(j), "我的评分");
  assert.equal(await j.textContent("[data-testid=home-judging] [data-testid=contest-title]"), "红领实训比赛（初赛）");
  const { token } = await apiLogin(base, "pingwei01");
  const pulled = await api(base, "GET", "/sync/pull?cursor=0&limit=500", { token });
  const contest = pulled.body.records.find((r) => r.kind === "contest" && r.body.title === "红领实训比赛（初赛）").body;
  assert.equal(contest.venue, "区委党校报告厅");
  assert.equal(contest.seed, "2026-12-05 037");
  // Anyone can replay the public draw from the seed.
  assert.deepEqual(contest.order, replayDraw(contest.contestants.map((c) => c.worker_id), contest.seed));
  const drawn = contest.order.map((id) => contest.contestants.find((c) => c.worker_id === id).name);
  const shown = await j.$$eval("[data-testid=sheet-item]", (els) => els.map((e) => e.dataset.name));
  assert.deepEqual(shown, drawn);
  assert.ok((await j.$$eval("[data-testid=sheet-item]", (els) => els.map((e) => e.dataset.state))).every((s) => s === "not-started"));
  await shots(j, "judging");
  await judge.context.close();
  await context.close();
});

test("a worker's 我的: the certificate's QR code reads from the screen, with the record below", async () => {
  const { context, page } = await device(env.browser, { width: 768, height: 1024 });
  await login(page, env.server.base, "zhanghm");
  await firstSync(page);
  await page.waitForSelector("[data-testid=home-mine] [data-testid=my-certificate] [data-testid=qr] svg");
  assert.equal(await homeTab(page), "我的");
  assert.equal(await page.locator("nav.nav a[href='/workers']").count(), 0);
  const qr = page.locator("[data-testid=my-certificate] [data-testid=qr]");
  const box = await qr.boundingBox();
  assert.ok(box.width >= 250, `the code is ${box.width} px wide`);
  const png = PNG.sync.read(await qr.screenshot());
  const read = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  assert.equal(read?.data, await qr.getAttribute("data-qr"));
  await page.waitForSelector("[data-testid=grade-chain]");
  await shots(page, "mine");
  await context.close();
});
