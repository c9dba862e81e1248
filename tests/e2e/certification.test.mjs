// Certification end to end: an instructor files an application offline; a township
// reviewer, a district joint reviewer and the district committee decide it on their own
// devices; the committee puts it on notice and ends the notice; the server issues the
// certificate; it prints on A4; and the QR code read from the printed page verifies on a
// tablet with no network.

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";

import jsQR from "jsqr";
import { PNG } from "pngjs";

import { device, login, pending, screenshots, serverAndBrowser, shot } from "./helpers.mjs";

const env = serverAndBrowser();

const stageIs = (t) =>
  document.querySelector("[data-testid=application] [data-testid=stage]")?.textContent.trim() === t;

async function synced(page) {
  await page.waitForFunction(
    () => document.querySelector("[data-testid=pending] strong")?.textContent === "0",
    null,
    { timeout: 30_000 },
  );
}

/** Opens the application of 孙海燕 from the reviewer's queue and approves it. */
async function approveFromQueue(page, nextStage) {
  // A reviewer's home is the queue; the committee reaches it from its own tab.
  const tab = page.locator("nav.nav a[href='/queue']");
  await ((await tab.count()) ? tab.click() : page.click("[data-testid=nav-home]"));
  const item = page.locator("[data-testid=queue] .application-item", { hasText: "孙海燕" });
  await item.waitFor({ timeout: 30_000 });
  await item.locator("a").click();
  await page.waitForSelector("[data-testid=decide]");
  await page.click("[data-testid=approve]");
  await page.waitForFunction(stageIs, nextStage);
  await synced(page);
}

test("an application goes from an offline tablet through three reviews and a notice to a certificate that verifies offline", async () => {
  const instructor = await device(env.browser);
  const page = instructor.page;
  await login(page, env.server.base, "zhidao02");
  await page.click("nav.nav a[href='/workers']");
  await page.waitForSelector("[data-testid=worker-list]");

  // Filed in the enterprise, with no network.
  await instructor.context.setOffline(true);
  await page.waitForSelector("[data-testid=net].net-offline");
  await page.click("a[href='/applications']");
  await page.click("[data-testid=new-application]");
  await page.selectOption("select[name=worker]", { label: "孙海燕" });
  await page.selectOption("select[name=batch]", { label: "2026年第一批" });
  // No factor is rated for the reviewer: saving with one left open names it and queues
  // nothing.
  await page.check("input[name=factor0][value=excellent]");
  await page.click("[data-testid=save]");
  await page.waitForFunction(() =>
    [...document.querySelectorAll("[role=alert]")].some((e) => e.textContent.includes("请评价“业务水平”")),
  );
  assert.equal(await pending(page), 0);
  assert.equal(await page.locator("input[name=factor1]:checked").count(), 0, "nothing preselected");
  await page.check("input[name=factor1][value=good]");
  await page.check("input[name=factor2][value=good]");
  await page.check("input[name=factor3][value=excellent]");
  await page.check("input[name=factor4][value=good]");
  for (const i of [0, 1, 2]) await page.check(`input[name=check${i}]`);
  await page.fill("textarea[name=notes]", "扎根企业两年，党建工作扎实");
  await shot(page, "20-application-form-1280x800.png");
  await page.click("[data-testid=save]");
  await page.waitForFunction(stageIs, "乡镇初审");
  assert.equal(await pending(page), 1);
  await instructor.context.setOffline(false);
  await synced(page);

  // 乡镇初审 on a portrait tablet, 区级联审, 综合研判: three accounts, three devices.
  const township = await device(env.browser, { width: 768, height: 1024 });
  await login(township.page, env.server.base, "chushen01");
  await approveFromQueue(township.page, "区级联审");
  await shot(township.page, "21-township-review-768x1024.png");
  await township.context.close();

  const district = await device(env.browser);
  await login(district.page, env.server.base, "lianshen01");
  await approveFromQueue(district.page, "综合研判");
  await district.context.close();

  // A tablet's screen is dense; at 2 px per CSS pixel the QR modules are sharp enough to
  // read back from a screenshot, as a phone camera reads the printed page.
  const committee = await device(env.browser, undefined, { scale: 2 });
  const c = committee.page;
  await login(c, env.server.base, "quwei");
  await approveFromQueue(c, "待公示");

  // The notice: it started on Monday 2 November, so five working days are long over.
  await c.click("nav.nav a[href='/applications']");
  await c.click("[data-testid=open-notices]");
  await c.locator("[data-testid=awaiting-notice] label", { hasText: "孙海燕" }).click();
  await c.fill("input[name=starts_on]", "2026-11-02");
  await c.click("[data-testid=open-notice]");
  const notice = c.locator("[data-testid=notice]");
  await notice.waitFor();
  assert.match(await notice.textContent(), /2026-11-06/);
  await synced(c);
  // 提醒 on the first screen: the notice has run its days and waits to be closed.
  const reminded = () =>
    [...document.querySelectorAll("[data-testid=reminder]")].some((e) =>
      e.textContent.includes("公示已于 2026-11-06 期满，请结束公示"),
    );
  await c.click("nav.nav a[href='/']");
  await c.waitForFunction(reminded);
  await c.click("nav.nav a[href='/applications']");
  await c.click("[data-testid=open-notices]");
  await c.click("[data-testid=close-notice]");
  await synced(c);
  await c.click("nav.nav a[href='/workers']");
  await c.waitForSelector("[data-testid=worker-list]");
  await c.waitForFunction(
    () =>
      ![...document.querySelectorAll("[data-testid=reminder]")].some((e) =>
        e.textContent.includes("公示已于 2026-11-06 期满"),
      ),
  );

  // The server numbered, signed and issued it; the committee's device pulled it.
  await c.click("a[href='/applications']");
  await c.click("[data-testid=filter-issued]");
  const issued = c.locator(".application-item", { hasText: "孙海燕" });
  await issued.waitFor({ timeout: 30_000 });
  await issued.locator("a").click();
  await c.click("[data-testid=view-certificate]");
  await c.waitForSelector("[data-testid=certificate] [data-testid=qr] svg");
  assert.equal(await c.textContent("[data-testid=holder]"), "孙海燕");
  assert.equal(await c.textContent("[data-testid=grade]"), "初级");
  assert.match(await c.textContent("[data-testid=number]"), /^HL2026-00009$/); // after the demo's eight
  assert.equal(await c.textContent("[data-testid=status]"), "有效");

  // Printed on A4: the print styles hide the app around it.
  await c.emulateMedia({ media: "print" });
  assert.equal(await c.isVisible("nav.nav"), false);
  const pdf = await c.pdf({ format: "A4", printBackground: true });
  assert.ok(pdf.length > 10_000);
  writeFileSync(path.join(screenshots, "22-certificate-a4.pdf"), pdf);
  await shot(c, "22-certificate-print-1280x800.png");
  // Read the QR code from the printed page's pixels, as a phone camera would.
  const png = PNG.sync.read(await c.locator("[data-testid=qr]").screenshot());
  const code = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  assert.ok(code, "the printed QR code can be read");
  assert.equal(code.data, await c.getAttribute("[data-testid=certificate]", "data-qr"));
  await c.emulateMedia({ media: "screen" });

  // This month's stipend roster counts her from today, on the committee's device.
  await c.click("nav.nav a[href='/applications']");
  await c.click("[data-testid=open-stipends]");
  const line = c.locator("[data-testid=roster] tr", { hasText: "孙海燕" });
  await line.waitFor();
  assert.match(await line.textContent(), /古井镇/);
  await shot(c, "24-stipends-1280x800.png");
  await committee.context.close();

  // Any tablet verifies it with no network, from what its last sync brought.
  await page.click("a[href='/applications']");
  await page.click("[data-testid=sync-now]");
  await page.click("[data-testid=filter-issued]");
  await page.locator(".application-item", { hasText: "孙海燕" }).waitFor({ timeout: 30_000 });
  await instructor.context.setOffline(true);
  await page.click("a[href='/verify']");
  await page.fill("[data-testid=verify-input]", code.data);
  await page.click("[data-testid=verify]");
  const result = page.locator("[data-testid=verify-result]");
  await result.waitFor();
  // The demo server's key is marked demo: its certificates never pass as genuine.
  assert.match(await result.textContent(), /演示证书/);
  assert.doesNotMatch(await result.textContent(), /签名有效/);
  assert.equal(await result.getAttribute("class"), "verify-result warn");
  assert.equal(await page.textContent("[data-testid=verify-holder]"), "孙海燕");
  assert.match(await page.textContent("[data-testid=verify-status]"), /有效/);
  await shot(page, "23-verify-offline-1280x800.png");
  // A changed payload does not verify.
  const [prefix, key, payload, signature] = code.data.split(".");
  const forged = JSON.parse(Buffer.from(payload, "base64url").toString());
  forged.grade_name = "中级";
  const tampered = [prefix, key, Buffer.from(JSON.stringify(forged)).toString("base64url"), signature].join(".");
  await page.fill("[data-testid=verify-input]", tampered);
  await page.click("[data-testid=verify]");
  await page.waitForFunction(() => /签名无效/.test(document.querySelector("[data-testid=verify-result]")?.textContent));
  await instructor.context.close();
});
