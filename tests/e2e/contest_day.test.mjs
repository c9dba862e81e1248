// A contest day with no network at all. Three judges score offline and sign with their
// device keys; each judge's tablet shows its signed sheets as QR codes (several in turn),
// and the administrator's tablet — offline too, its camera Chromium's fake camera fed a
// video of those very codes — reads them, checks each against the judge's key, and ranks
// from scanned sheets alone. Then everyone syncs, one judge before the administrator and
// two after: no duplicate, no loss, no 待处理 entry, the judges' later sheets applied,
// and the signatures printed on the published results.

import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";

import { PNG } from "pngjs";

import {
  api,
  apiLogin,
  device,
  firstSync,
  launch,
  login,
  shot,
  signByHand,
  startServer,
  waitForServiceWorker,
  y4mSequence,
} from "./helpers.mjs";

const env = {};
const venue = mkdtempSync(path.join(tmpdir(), "hongling-venue-"));
const video = path.join(venue, "codes.y4m");
// The judges' tablets have cameras too, for the administrator's re-opening code.
const judgeVideo = path.join(venue, "reopen.y4m");
before(async () => {
  env.server = await startServer();
  writeFileSync(judgeVideo, y4mSequence([new PNG({ width: 64, height: 64, fill: true })], 5));
  env.browser = await launch([
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    `--use-file-for-fake-video-capture=${judgeVideo}`,
  ]);
  // The administrator's tablet: its camera shows what the video file holds when the
  // camera is opened; until the judges' codes exist, a white picture.
  writeFileSync(video, y4mSequence([new PNG({ width: 64, height: 64, fill: true })], 5));
  env.camera = await launch([
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    `--use-file-for-fake-video-capture=${video}`,
  ]);
});
after(async () => {
  await env.camera?.close();
  await env.browser?.close();
  await env.server?.stop();
});

async function synced(page) {
  await page.waitForFunction(
    () => document.querySelector("[data-testid=pending] strong")?.textContent === "0",
    null,
    { timeout: 60_000 },
  );
}

/** 内容, 表达, 创新 per judge and contestant (as in contest.test.mjs): the middle total of
 * three gives 张红梅 87, 王志强 87 (张红梅 first on 内容), 刘静 70. */
const MARKS = {
  pingwei01: { 张红梅: ["36", "27", "27"], 王志强: ["34", "26", "27"], 刘静: ["30", "20", "20"] },
  pingwei02: { 张红梅: ["35", "26", "26"], 王志强: ["33", "27", "26"], 刘静: ["31", "20", "20"] },
  pingwei03: { 张红梅: ["30", "25", "25"], 王志强: ["38", "28", "28"], 刘静: ["29", "20", "20"] },
};

/** Scores and signs one sheet on a judge's tablet, from the contest page. */
async function score(p, name, marks) {
  await p.click(`[data-testid=sheet-item][data-name=${name}] a`);
  await p.waitForFunction((n) => document.querySelector("[data-testid=sheet-contestant]")?.textContent === n, name);
  for (let i = 0; i < marks.length; i++) {
    const input = p.locator("[data-testid=criterion]").nth(i).locator("[data-testid=mark]");
    await input.fill(marks[i]);
    await input.press("Tab");
  }
  await signByHand(p);
  await p.click("text=返回列表");
  await p.waitForSelector(`[data-testid=sheet-item][data-name=${name}][data-state=signed]`);
}

/** Every code the judge's 交给管理员 screen shows, each as a picture of the screen. */
async function handOverCodes(p, screenshot) {
  await p.click("[data-testid=open-hand-over]");
  await p.waitForSelector("[data-testid=hand-over-code]");
  const total = Number(await p.getAttribute("[data-testid=hand-over-code]", "data-total"));
  const codes = new Map();
  for (let tries = 0; codes.size < total && tries < 40; tries++) {
    const qr = p.locator("[data-testid=hand-over-code] [data-testid=qr]");
    const text = await qr.getAttribute("data-qr");
    const png = PNG.sync.read(await qr.screenshot());
    // The codes take turns by themselves: keep the picture only if it did not change.
    if ((await qr.getAttribute("data-qr")) === text) codes.set(text, png);
    await p.click("[data-testid=next-code]");
  }
  assert.equal(codes.size, total, "every code was shown");
  if (screenshot) await shot(p, screenshot);
  await p.click("text=返回列表");
  return codes;
}

test("at a venue with no network the administrator ranks from the judges' signed QR codes, and every sync order ends in one signed sheet each", async () => {
  const base = env.server.base;

  // The administrator sets the contest up and draws, online.
  const admin = await device(env.camera);
  const a = admin.page;
  a.on("dialog", (d) => d.accept());
  await login(a, base, "bisai01");
  await firstSync(a);
  await a.click("[data-testid=nav-home]");
  await a.click("[data-testid=new-contest]");
  await a.fill("input[name=title]", "2026年红领实训比赛（无网络赛场）");
  await a.fill("input[name=venue]", "区委党校报告厅");
  await a.fill("input[name=trim_from]", "3");
  for (const j of Object.keys(MARKS)) await a.check(`[data-testid=judge-choice] input[value=${j}]`);
  for (const name of ["张红梅", "王志强", "刘静"]) {
    await a.check(`[data-testid=contestant-choice][data-name=${name}] input`);
  }
  await a.click("[data-testid=save-contest]");
  await a.waitForSelector("[data-testid=contest-title]");
  await a.fill("[data-testid=draw-seed]", "2026-12-05 区委党校 037");
  await a.click("[data-testid=draw]");
  await a.waitForSelector("[data-testid=draw]", { state: "detached" });
  await synced(a);
  const contestUrl = a.url();

  // Each judge logs in before the day (the device key is registered then), then goes
  // to the venue, where there is no network.
  const judges = {};
  for (const username of Object.keys(MARKS)) {
    const j = await device(env.browser, { width: 768, height: 1024 });
    j.page.on("dialog", (d) => d.accept());
    await login(j.page, base, username);
    await waitForServiceWorker(j.page);
    await firstSync(j.page);
    await j.page.click("[data-testid=nav-contests]");
    await j.page.waitForSelector("[data-testid=contest-item]", { timeout: 60_000 });
    await j.page.click("[data-testid=contest-item] a");
    await j.page.waitForSelector("[data-testid=my-sheets]");
    await j.context.setOffline(true);
    judges[username] = j;
  }
  // The administrator's tablet holds the judges' keys, then goes offline too.
  await a.click("[data-testid=sync-now]");
  await synced(a);
  // 赛前检查: the draw done, and every judge with a tablet that has its key registered,
  // holds the contest as drawn and still works offline on the day.
  await a.click("[data-testid=check-readiness]");
  await a.waitForSelector("[data-testid=readiness]");
  assert.equal(await a.getAttribute("[data-testid=readiness]", "data-ready"), "true");
  assert.equal(await a.locator("[data-testid=readiness-judge][data-ready=true]").count(), 3);
  const keys = await api(base, "GET", "/sync/pull?limit=1000", { token: (await apiLogin(base, "bisai01")).token });
  assert.equal(keys.body.records.filter((r) => r.kind === "device_key").length, 4, "the three judges' keys and the administrator's");
  // The big screen, open on the administrator's tablet in a second tab.
  const screen = await admin.context.newPage();
  await screen.goto(contestUrl + "/screen");
  await screen.waitForSelector("[data-testid=big-screen]");
  await admin.context.setOffline(true);

  // At the venue: judge 1 scores all three contestants, judges 2 and 3 the first two;
  // each hands the signed sheets over as QR codes.
  const pictures = [];
  for (const [username, byName] of Object.entries(MARKS)) {
    const p = judges[username].page;
    const names = username === "pingwei01" ? ["张红梅", "王志强", "刘静"] : ["张红梅", "王志强"];
    for (const name of names) await score(p, name, byName[name]);
    const codes = await handOverCodes(p, username === "pingwei01" ? "65-hand-over-768x1024.png" : undefined);
    // Two sheets to a code: judge 1's three sheets take two codes.
    assert.equal(codes.size, username === "pingwei01" ? 2 : 1);
    pictures.push(...codes.values());
  }

  // The administrator's camera sees the codes one after another.
  writeFileSync(video, y4mSequence(pictures, 20));
  await a.goto(contestUrl);
  await a.click("[data-testid=open-collect]");
  await a.waitForFunction(
    () => document.querySelectorAll("[data-testid=collected-sheet][data-state=ok]").length === 7,
    null,
    { timeout: 90_000 },
  );
  assert.equal(await a.locator("[data-testid=collected-sheet][data-state=refused]").count(), 0);
  // The live ranking from scanned sheets alone: 张红梅 and 王志强 complete, 刘静 waiting.
  await a.waitForFunction(
    () => document.querySelector("[data-testid=ranking-row][data-name=张红梅]")?.dataset.score === "87.00",
  );
  const ranking = await a.$$eval("[data-testid=ranking-row]", (rows) =>
    rows.map((r) => [r.dataset.name, r.dataset.rank, r.dataset.score, r.querySelector("td:nth-child(4)").textContent]));
  assert.deepEqual(ranking.slice(0, 2), [
    ["张红梅", "1", "87.00", ""],
    ["王志强", "2", "87.00", ""],
  ]);
  assert.equal(ranking[2][0], "刘静");
  assert.notEqual(ranking[2][3], "", "刘静 still waits for two judges' sheets (a provisional score)");
  await shot(a, "66-collect-sheets-1280x800.png");
  // The big screen shows the two finished contestants from the scanned sheets, offline.
  await screen.waitForFunction(
    () => document.querySelectorAll("[data-testid=screen-result]").length === 2,
    null,
    { timeout: 30_000 },
  );
  const card = screen.locator("[data-testid=screen-result][data-name=张红梅]");
  assert.equal(await card.locator("[data-testid=judge-total]").count(), 3);
  assert.equal(await card.locator("[data-testid=final-score]").textContent(), "87.00");
  assert.equal(await screen.locator("[data-testid=screen-result][data-name=刘静]").count(), 0);

  // Judge 1 signals a slip on 刘静's sheet: the administrator re-opens it, still offline,
  // and the judge's tablet takes the signed re-opening from the administrator's screen.
  await a.goto(contestUrl);
  await a.fill("[data-testid=reopen-reason]", "评委示意录入有误");
  await a.click("[data-testid=signed-sheet]:has-text('刘静') [data-testid=reopen]");
  const reopenQr = a.locator("[data-testid=reopen-code] [data-testid=qr]");
  await reopenQr.waitFor();
  assert.match(await reopenQr.getAttribute("data-qr"), /^HLO1\./);
  // The page redraws when the save lands: picture the code once it holds still.
  let reopenPicture;
  for (let tries = 0; !reopenPicture && tries < 20; tries++) {
    await a.waitForTimeout(250);
    reopenPicture = await reopenQr.screenshot({ timeout: 2000 }).catch(() => undefined);
  }
  writeFileSync(judgeVideo, y4mSequence([PNG.sync.read(reopenPicture)], 20));
  const j1 = judges.pingwei01.page;
  await j1.click("[data-testid=open-hand-over]");
  await j1.click("[data-testid=scan-reopen]");
  await j1.waitForSelector("[data-testid=reopen-taken]", { timeout: 60_000 });
  await j1.click("text=返回列表");
  await j1.waitForSelector("[data-testid=sheet-item][data-name=刘静]:not([data-state=signed])");
  // The judge corrects and signs again: revision 2, the same marks as before.
  await score(j1, "刘静", MARKS.pingwei01["刘静"]);

  // Judges 2 and 3 score 刘静 after the scan: later mutations in their sequences.
  for (const username of ["pingwei02", "pingwei03"]) {
    await score(judges[username].page, "刘静", MARKS[username]["刘静"]);
  }

  // Judge 1 syncs first, then the administrator (its relays), then judges 2 and 3.
  const order = [judges.pingwei01, admin, judges.pingwei02, judges.pingwei03];
  for (const d of order) {
    await d.context.setOffline(false);
    await d.page.click("[data-testid=sync-now]");
    await synced(d.page);
  }
  await a.goto(contestUrl);
  await a.click("[data-testid=sync-now]");
  await synced(a);
  for (const d of order) {
    assert.equal(await d.page.locator("[data-testid=inbox-dot]").count(), 0, "no 待处理 entry");
  }
  for (const username of Object.keys(MARKS)) {
    const p = judges[username].page;
    await p.click("[data-testid=sync-now]");
    await p.waitForFunction(
      () => document.querySelectorAll("[data-testid=sheet-item][data-state=synced]").length === 3,
      null,
      { timeout: 60_000 },
    );
  }

  // On the server: nine sheets, each signed once by its judge's own op, none duplicated.
  const { token } = await apiLogin(base, "bisai01");
  const pulled = await api(base, "GET", "/sync/pull?limit=1000", { token });
  const sheets = pulled.body.records.filter((r) => r.kind === "score_sheet" && !r.deleted);
  assert.equal(sheets.length, 9);
  for (const s of sheets) {
    assert.ok(s.body.lock.signed_by, "signed");
    assert.ok(s.body.signature?.signature, "with a device signature");
    assert.ok(!s.body.relayed, "the judge's own signing arrived as well");
  }
  assert.equal(sheets.filter((s) => s.body.lock.revision === 2).length, 1, "re-opened once, signed again");

  // The merged ranking, published, with the signatures printed.
  await a.waitForFunction(
    () => document.querySelector("[data-testid=ranking-row][data-name=刘静]")?.dataset.score === "70.00",
    null,
    { timeout: 60_000 },
  );
  await a.click("[data-testid=publish]");
  await a.waitForSelector("[data-testid=open-results]");
  await synced(a);
  await a.click("[data-testid=open-results]");
  await a.waitForSelector("[data-testid=signatures]");
  assert.equal(await a.locator("[data-testid=signature-row]").count(), 9);
  const printed = await a.$$eval("[data-testid=signature-row] .signature", (cells) => cells.map((c) => c.textContent));
  const fromServer = new Set(sheets.map((s) => s.body.signature.signature));
  assert.ok(printed.every((sig) => fromServer.has(sig)), "the printed signatures are the sheets' own");
  // The handwritten signatures travelled with each judge's own sync: one beside each total.
  await a.waitForFunction(() => {
    const imgs = [...document.querySelectorAll("[data-testid=results] [data-testid=autograph]")];
    return imgs.length === 9 && imgs.every((i) => i.complete && i.naturalWidth === 600);
  }, null, { timeout: 30_000 });

  for (const c of [admin, ...Object.values(judges)]) await c.context.close();
});
