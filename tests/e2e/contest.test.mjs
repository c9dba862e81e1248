// A contest end to end: the administrator sets it up and draws the running order; three
// judges in separate browser contexts score offline, one signs and then finds the sheet
// locked; all sync; the administrator sees the merged ranking with the panel's trimmed
// mean and the tie-break, the big screen shows a finished contestant with the dropped
// totals struck through, and the published results print and export.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { device, firstSync, login, serverAndBrowser, shot, signByHand, waitForServiceWorker } from "./helpers.mjs";

const env = serverAndBrowser();

async function synced(page) {
  await page.waitForFunction(
    () => document.querySelector("[data-testid=pending] strong")?.textContent === "0",
    null,
    { timeout: 60_000 },
  );
}

/** Marks per judge and contestant: 内容, 表达, 创新. With a panel of three and the rule
 * from three judges, the final is the middle total. 张红梅 and 王志强 both get 87;
 * 张红梅 has more 内容 on the counted sheet, so she ranks first. */
const MARKS = {
  pingwei01: { 张红梅: ["36", "27", "27"], 王志强: ["34", "26", "27"], 刘静: ["30", "20", "20"] },
  pingwei02: { 张红梅: ["35", "26", "26"], 王志强: ["33", "27", "26"], 刘静: ["31", "20", "20"] },
  pingwei03: { 张红梅: ["30", "25", "25"], 王志强: ["38", "28", "28"], 刘静: ["29", "20", "20"] },
};

test("three judges score offline, a signed sheet stays locked, and the administrator ranks, shows and publishes", async () => {
  const base = env.server.base;

  // The administrator sets the contest up.
  const admin = await device(env.browser);
  const a = admin.page;
  a.on("dialog", (d) => d.accept());
  await login(a, base, "bisai01");
  await firstSync(a);
  // No contest runs yet: the administrator's home is the contest list.
  await a.click("[data-testid=nav-home]");
  await a.click("[data-testid=new-contest]");
  await a.fill("input[name=title]", "2026年红领实训比赛（决赛）");
  await a.fill("input[name=venue]", "区委党校报告厅");
  await a.fill("input[name=trim_from]", "3");
  for (const j of ["pingwei01", "pingwei02", "pingwei03"]) {
    await a.check(`[data-testid=judge-choice] input[value=${j}]`);
  }
  for (const name of ["张红梅", "王志强", "刘静"]) {
    await a.check(`[data-testid=contestant-choice][data-name=${name}] input`);
  }
  await shot(a, "60-contest-setup-1280x800.png");
  await a.click("[data-testid=save-contest]");
  await a.waitForSelector("[data-testid=contest-title]");
  // 公开抽签: the seed drawn at the venue is typed in; an empty one is refused.
  await a.click("[data-testid=draw]");
  await a.waitForFunction(() => document.querySelector("[data-testid=contest-error]")?.textContent.includes("种子"));
  await a.fill("[data-testid=draw-seed]", "0417");
  await a.click("[data-testid=draw]");
  await a.waitForSelector("[data-testid=draw]", { state: "detached" });
  await synced(a);
  const contestUrl = a.url();

  // Three judges, each on their own tablet, offline at the venue.
  const judges = {};
  for (const username of Object.keys(MARKS)) {
    const j = await device(env.browser, { width: 768, height: 1024 });
    j.page.on("dialog", (d) => d.accept());
    await login(j.page, base, username);
    await waitForServiceWorker(j.page);
    await j.page.click("[data-testid=nav-contests]");
    await j.page.waitForSelector("[data-testid=contest-item]", { timeout: 60_000 });
    await j.context.setOffline(true);
    judges[username] = j;
  }
  for (const [username, byName] of Object.entries(MARKS)) {
    const p = judges[username].page;
    await p.click("[data-testid=contest-item] a");
    await p.waitForSelector("[data-testid=my-sheets]");
    assert.equal(await p.locator("[data-testid=sheet-item]").count(), 3);
    for (const [name, marks] of Object.entries(byName)) {
      await p.click(`[data-testid=sheet-item][data-name=${name}] a`);
      await p.waitForFunction((n) => document.querySelector("[data-testid=sheet-contestant]")?.textContent === n, name);
      for (let i = 0; i < 3; i++) {
        const input = p.locator("[data-testid=criterion]").nth(i).locator("[data-testid=mark]");
        await input.fill(marks[i]);
        await input.press("Tab");
      }
      // A mark above the maximum is refused on the spot and not saved.
      if (username === "pingwei01" && name === "刘静") {
        const input = p.locator("[data-testid=criterion]").nth(1).locator("[data-testid=mark]");
        await input.fill("35");
        await input.press("Tab");
        assert.match(await p.textContent("[data-testid=mark-error]"), /最高 30.00 分/);
        await input.fill("19.5");
        await input.press("Tab");
        // The plus button moves by the step (0.5).
        await p.locator("[data-testid=criterion]").nth(1).locator("[data-testid=plus]").click();
        await p.waitForFunction(() =>
          document.querySelectorAll("[data-testid=mark]")[1]?.value === "20.00");
      }
      const total = marks.reduce((s, m) => s + Number(m), 0);
      await p.waitForFunction((t) => document.querySelector("[data-testid=sheet-total]")?.textContent.includes(t), `${total}.00`);
      if (username === "pingwei02" && name === "张红梅") await shot(p, "61-score-sheet-768x1024.png");
      if (username === "pingwei01" && name === "张红梅") {
        // Signing wants a handwritten signature: confirming an empty box is refused.
        await p.click("[data-testid=sign]");
        await p.click("[data-testid=sign-confirm]");
        assert.equal(await p.textContent("[data-testid=sheet-error]"), "请先在框内手写签名");
        await p.click("[data-testid=signature-cancel]");
        assert.equal(await p.locator("[data-testid=sheet-locked]").count(), 0);
      }
      await signByHand(p, username === "pingwei02" && name === "张红梅" ? "61-signature-pad-768x1024.png" : undefined);
      await p.click("text=返回列表");
      await p.waitForSelector(`[data-testid=sheet-item][data-name=${name}][data-state=signed]`);
    }
  }

  // Judge 1 tries to change a signed sheet: it is locked on the tablet.
  const p1 = judges.pingwei01.page;
  await p1.click("[data-testid=sheet-item][data-name=张红梅] a");
  await p1.waitForSelector("[data-testid=sheet-locked]");
  assert.ok(await p1.locator("[data-testid=mark]").first().isDisabled());
  assert.ok(await p1.locator("[data-testid=plus]").first().isDisabled());
  assert.ok(await p1.locator("[data-testid=sign]").isDisabled());
  await p1.click("text=返回列表");
  // Before publication a judge sees only their own marks and ranking.
  assert.match(await p1.textContent("[data-testid=my-ranking]"), /1\s*张红梅\s*90\.00\s*2\s*王志强\s*87\.00/);

  // Back online: every sheet syncs once.
  for (const j of Object.values(judges)) {
    await j.context.setOffline(false);
    await synced(j.page);
    await j.page.waitForSelector("[data-testid=sheet-item][data-state=synced]");
  }

  // The administrator's merged ranking: the middle total of three, 张红梅 ahead on 内容.
  await a.click("[data-testid=sync-now]");
  await a.waitForFunction(
    () => document.querySelectorAll("[data-testid=ranking-row][data-score]:not([data-score=''])").length === 3
      && [...document.querySelectorAll("[data-testid=ranking-row]")].every((r) => r.querySelector("td:nth-child(4)").textContent === ""),
    null,
    { timeout: 60_000 },
  );
  // Scoring has started: the setup can no longer be corrected.
  assert.equal(await a.locator("[data-testid=edit-contest]").count(), 0);
  const ranking = await a.$$eval("[data-testid=ranking-row]", (rows) =>
    rows.map((r) => [r.dataset.name, r.dataset.rank, r.dataset.score]));
  assert.deepEqual(ranking, [
    ["张红梅", "1", "87.00"],
    ["王志强", "2", "87.00"],
    ["刘静", "3", "70.00"],
  ]);
  await shot(a, "62-contest-ranking-1280x800.png");

  // The big screen shows a finished contestant: three totals, two struck through.
  const screen = await admin.context.newPage();
  await screen.goto(contestUrl + "/screen");
  const card = screen.locator("[data-testid=screen-result][data-name=张红梅]");
  await card.waitFor({ timeout: 30_000 });
  assert.equal(await card.locator("[data-testid=judge-total]").count(), 3);
  assert.equal(await card.locator("[data-testid=judge-total][data-dropped=true] s").count(), 2);
  assert.equal(await card.locator("[data-testid=final-score]").textContent(), "87.00");
  await shot(screen, "63-big-screen-1280x800.png");

  // Published, the results print on A4 and export.
  await a.click("[data-testid=publish]");
  await a.waitForSelector("[data-testid=open-results]");
  await synced(a);
  await a.click("[data-testid=open-results]");
  await a.waitForSelector("[data-testid=results]");
  const rows = await a.$$eval("[data-testid=result-row]", (rs) => rs.map((r) => r.textContent));
  assert.equal(rows.length, 3);
  assert.match(rows[0], /^1张红梅/);
  assert.equal(await a.locator("[data-testid=results] td.dropped s").count(), 6);
  // Each judge's handwritten signature beside each of their nine totals, drawn (not blank).
  await a.waitForFunction(() => {
    const imgs = [...document.querySelectorAll("[data-testid=results] [data-testid=autograph]")];
    return imgs.length === 9 && imgs.every((i) => i.complete && i.naturalWidth === 600);
  }, null, { timeout: 30_000 });
  assert.equal(await a.locator("[data-testid=results] [data-testid=photo-missing]").count(), 0);
  const download = a.waitForEvent("download");
  await a.click("[data-testid=results-csv]");
  const csv = readFileSync(await (await download).path(), "utf8");
  assert.match(csv, /1,张红梅,亳州市谯韵中药饮片有限公司,90.00（去掉）,87.00,80.00（去掉）,87.00/);
  await a.emulateMedia({ media: "print" });
  const pdf = await a.pdf({ format: "A4" });
  assert.ok(pdf.length > 10_000, "the results print");
  assert.equal(await a.locator("[data-testid=print]").isVisible(), false, "print hides the buttons");
  await shot(a, "64-contest-results-print.png");

  // The judges see the published results too.
  await judges.pingwei03.page.click("[data-testid=sync-now]");
  await judges.pingwei03.page.waitForSelector("[data-testid=open-results]", { timeout: 30_000 });

  for (const c of [admin, ...Object.values(judges)]) await c.context.close();
});
