// Field work end to end: an instructor with no network records a site visit with a duty
// assessment and a photo, and takes the roll of a training session of 60 people; the
// tablet is reloaded while still offline and nothing is lost; back online everything
// syncs once and the district's dashboard shows the training coverage move. Then the
// committee's inspection downgrades a certificate and another device's verify screen
// says so after its next sync.

import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";

import jsQR from "jsqr";
import { PNG } from "pngjs";

import {
  api,
  apiLogin,
  device,
  firstSync,
  importWorkers,
  login,
  pending,
  serverAndBrowser,
  shot,
  waitForServiceWorker,
} from "./helpers.mjs";

const env = serverAndBrowser();

const SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜";
const GIVEN = ["建华", "丽萍", "志远", "海峰", "秀英", "国强", "晓燕", "文军", "春梅", "明辉"];

/** A 1600×1200 photo with noise, so compression has work to do. */
function photoFile() {
  const png = new PNG({ width: 1600, height: 1200 });
  for (let i = 0; i < png.data.length; i += 4) {
    const x = (i / 4) % 1600;
    png.data[i] = (x * 7 + Math.random() * 60) & 255;
    png.data[i + 1] = (i / 6400 + Math.random() * 60) & 255;
    png.data[i + 2] = Math.random() * 255;
    png.data[i + 3] = 255;
  }
  const dir = mkdtempSync(path.join(tmpdir(), "hongling-photo-"));
  const file = path.join(dir, "现场.png");
  writeFileSync(file, PNG.sync.write(png));
  return file;
}

async function synced(page) {
  await page.waitForFunction(
    () => document.querySelector("[data-testid=pending] strong")?.textContent === "0",
    null,
    { timeout: 60_000 },
  );
}

const trainingTotal = (page) =>
  page.getAttribute("[data-testid=indicator-training]", "data-total");

test("a visit, an assessment with a photo and a roll call of 60 taken offline survive a reload, sync once, and move the dashboard; a downgrade reaches another device's verify screen", async () => {
  const base = env.server.base;
  const admin = await apiLogin(base, "quwei");
  // 57 more workers in 古井镇: with the demo's 孙海燕, 黄丽娟 (古井镇) and 吴晓丽 (十八里镇),
  // the instructor's roll has 60 names.
  const imported = Array.from({ length: 57 }, (_, i) => [
    SURNAMES[i % SURNAMES.length] + GIVEN[Math.floor(i / SURNAMES.length) + (i % 3) * 3],
    "",
    2,
  ]);
  await importWorkers(base, admin.token, imported);

  // The district office's dashboard before the session: nobody has trained this year.
  const office = await device(env.browser);
  await login(office.page, base, "quwei");
  await firstSync(office.page);
  await office.page.click("[data-testid=nav-home]");
  await office.page.click("[data-testid=all-indicators]");
  await office.page.waitForSelector("[data-testid=indicator-training]");
  assert.equal(await trainingTotal(office.page), "0");

  // The instructor's tablet, ready for the road.
  const tablet = await device(env.browser);
  const page = tablet.page;
  await login(page, base, "zhidao02");
  await waitForServiceWorker(page);
  await page.click("nav.nav a[href='/workers']");
  await page.waitForFunction(
    () => document.querySelector("[data-testid=worker-count]")?.textContent.includes("60"),
    null,
    { timeout: 60_000 },
  );
  await tablet.context.setOffline(true);
  await page.waitForSelector("[data-testid=net].net-offline");

  // The site visit, typed in the enterprise; the draft survives the tab being closed.
  await page.click("[data-testid=nav-field]");
  await page.click("[data-testid=field-visits]");
  await page.click("[data-testid=new-visit]");
  await page.selectOption("select[name=organization]", { label: "亳州市古井镇宏达酿造配套有限公司" });
  await page.fill("input[name=people_met]", "黄丽娟、孙海燕、企业负责人");
  await page.fill("textarea[name=notes]", "查看党建台账，主题党日记录齐全");
  const assess = page.locator("[data-testid=assessment][data-worker=黄丽娟]");
  await assess.waitFor();
  const rows = assess.locator("[data-testid=task-row] [data-rating=Done]");
  assert.equal(await rows.count(), 3, "the quarter's three tasks of a grade-1 enterprise worker");
  await page.setInputFiles("[data-testid=photos-input]", photoFile());
  await page.waitForSelector("[data-testid=photo-thumb]", { timeout: 30_000 });

  const again = await tablet.context.newPage();
  await page.close();
  await again.goto(base + "/visits/new");
  await again.waitForSelector("[data-testid=draft-restored]");
  assert.equal(await again.inputValue("input[name=people_met]"), "黄丽娟、孙海燕、企业负责人");
  assert.equal(await again.locator("[data-testid=photo-thumb]").count(), 1);
  const a2 = again.locator("[data-testid=assessment][data-worker=黄丽娟]");
  for (let i = 0; i < 3; i++) {
    await a2.locator("[data-testid=task-row]").nth(i).locator(i === 2 ? "[data-rating=Partly]" : "[data-rating=Done]").click();
  }
  await a2.locator("[data-result=Pass]").click();
  await a2.locator("input[name=comment]").fill("台账规范，积极分子培养需加强");
  await shot(again, "50-visit-form-1280x800.png");
  await again.click("[data-testid=save-visit]");
  await again.waitForSelector("[data-testid=visit-item]");
  assert.match(await again.textContent("[data-testid=visit-item]"), /黄丽娟：合格/);

  // The training session and its roll of 60.
  await again.click("[data-testid=nav-field]");
  await again.click("[data-testid=field-trainings]");
  await again.selectOption("select[name=kind]", { label: "红领党务课堂" });
  await again.fill("input[name=title]", "发展党员工作规范");
  await again.fill("input[name=place]", "古井镇党群服务中心");
  await again.fill("input[name=hours]", "3.5");
  await again.fill("input[name=trainer]", "李文华");
  await again.click("[data-testid=create-training]");
  await again.waitForSelector("[data-testid=roll]");
  assert.equal(await again.locator("[data-testid=roll-row]").count(), 60);

  // Pinyin initials find 黄丽娟; a tap marks her late.
  await again.fill("[data-testid=roll-search]", "hlj");
  assert.equal(await again.locator("[data-testid=roll-row]").count(), 1);
  await again.click("[data-testid=roll-row][data-name=黄丽娟] [data-testid=mark-late]");
  await again.fill("[data-testid=roll-search]", "");
  await again.click("[data-testid=mark-all]");
  await again.waitForFunction(() => document.querySelector("[data-testid=roll-count]")?.textContent.includes("60 / 60"));
  // The bulk tick counted her present too; 吴晓丽 is absent today.
  await again.click("[data-testid=roll-row][data-name=黄丽娟] [data-testid=mark-late]");
  await again.click("[data-testid=roll-row][data-name=吴晓丽] [data-testid=mark-absent]");
  await again.waitForFunction(() => document.querySelector("[data-testid=roll-count]")?.textContent.includes("59 / 60"));
  await shot(again, "51-roll-call-1280x800.png");
  // The visit, the session and four roll-call mutations wait in the outbox.
  await again.waitForFunction(
    () => document.querySelector("[data-testid=pending] strong")?.textContent === "6",
  );
  const queued = await pending(again);

  // Reloaded with no network: every mark and the visit are still there.
  await again.reload();
  await again.waitForSelector("[data-testid=roll]");
  await again.waitForFunction(() => document.querySelector("[data-testid=roll-count]")?.textContent.includes("59 / 60"));
  assert.equal(await again.getAttribute("[data-testid=roll-row][data-name=黄丽娟]", "data-mark"), "late");
  assert.equal(await again.getAttribute("[data-testid=roll-row][data-name=吴晓丽]", "data-mark"), "absent");
  assert.equal(await pending(again), queued);

  // Back in the office: one sync sends everything.
  await tablet.context.setOffline(false);
  await synced(again);

  const pulled = await api(base, "GET", "/sync/pull?limit=1000", { token: admin.token });
  const records = pulled.body.records;
  const visits = records.filter((r) => r.kind === "visit");
  assert.equal(visits.length, 1, "the visit arrived exactly once");
  assert.equal(visits[0].body.photos.length, 1);
  const blob = await fetch(`${base}/api/v1/blobs/${visits[0].body.photos[0]}`, {
    headers: { "x-hongling-protocol": "1", authorization: `Bearer ${admin.token}` },
  });
  assert.equal(blob.status, 200);
  const photoBytes = (await blob.arrayBuffer()).byteLength;
  assert.ok(photoBytes <= 800 * 1024, `the photo was compressed to the limit (${photoBytes} bytes)`);
  const marks = records.filter((r) => r.kind === "attendance");
  assert.equal(marks.length, 60);
  assert.equal(marks.filter((r) => r.body.mark === "absent").length, 1);
  assert.equal(marks.filter((r) => r.body.mark === "late").length, 1);

  // The office's dashboard: 黄丽娟 of the eight holders trained (吴晓丽 was absent).
  await office.page.click("[data-testid=sync-now]");
  await office.page.waitForFunction(
    () => document.querySelector("[data-testid=indicator-training]")?.getAttribute("data-total") === "13",
    null,
    { timeout: 30_000 },
  );
  await office.page.locator("[data-testid=indicator-training]").scrollIntoViewIfNeeded();
  await shot(office.page, "52-dashboard-1280x800.png");
  const csv = office.page.waitForEvent("download");
  await office.page.click("[data-testid=indicator-training] [data-testid=download-csv]");
  const file = await (await csv).path();
  const { readFileSync } = await import("node:fs");
  const text = readFileSync(file, "utf8");
  assert.match(text, /古井镇,100/);
  assert.match(text, /合计,13/);

  // Another device that verifies certificates: 张红梅's certificate is valid today.
  const checker = await device(env.browser, { width: 768, height: 1024 });
  await login(checker.page, base, "zhidao01");
  await firstSync(checker.page);
  const holder = await device(env.browser);
  await login(holder.page, base, "zhanghm");
  await firstSync(holder.page);
  // The holder's home (我的) shows the certificate's QR code, large enough to scan.
  await holder.page.waitForSelector("[data-testid=home-mine] [data-testid=my-certificate] [data-testid=qr] svg");
  const png = PNG.sync.read(await holder.page.locator("[data-testid=my-certificate] [data-testid=qr]").screenshot());
  const qr = jsQR(new Uint8ClampedArray(png.data), png.width, png.height).data;
  // Verifies on the checker's device, syncing between tries until `expected` shows.
  const verify = async (expected) => {
    await checker.page.click("a[href='/verify']");
    await checker.page.fill("[data-testid=verify-input]", qr);
    for (let i = 0; ; i++) {
      await checker.page.click("[data-testid=verify]");
      await checker.page.waitForSelector("[data-testid=verify-status]");
      const status = await checker.page.textContent("[data-testid=verify-status]");
      if (status.includes(expected)) return;
      assert.ok(i < 30, `the verify screen still says ${status}`);
      await checker.page.click("[data-testid=sync-now]:not([disabled])");
      await checker.page.waitForTimeout(1000);
    }
  };
  await verify("有效");

  // The annual inspection: no training this year, so the core suggests a downgrade.
  await office.page.click("nav.nav a[href='/applications']");
  await office.page.click("[data-testid=open-inspections]");
  const item = office.page.locator("[data-testid=inspection][data-name=张红梅]");
  await item.waitFor();
  assert.equal(await item.getAttribute("data-suggested"), "downgrade");
  assert.match(await item.locator("[data-testid=reasons]").textContent(), /未参加培训/);
  const trained = office.page.locator("[data-testid=inspection][data-name=黄丽娟]");
  assert.match(await trained.locator("[data-testid=reasons]").textContent(), /参加培训 1 次/);
  await item.locator("[data-testid=decide-downgrade]").click();
  await item.locator("[data-testid=decided]").waitFor();
  await synced(office.page);
  await shot(office.page, "53-inspection-1280x800.png");

  // The verify screen of the other device, after its sync.
  await verify("已降级");
  await shot(checker.page, "54-verify-downgraded-768x1024.png");

  // The holder sees the decision and the new grade in their own chain.
  await holder.page.click("[data-testid=sync-now]");
  await holder.page.click("a[href='/']");
  await holder.page.waitForFunction(
    () => document.querySelector("[data-testid=grade-chain]")?.textContent.includes("年审：降级"),
    null,
    { timeout: 30_000 },
  );

  for (const c of [office, tablet, checker, holder]) await c.context.close();
});
