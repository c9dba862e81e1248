// Deployment as a district office meets it: a server on an empty database, the first
// administrator made on the command line, the forced password change in the browser;
// the screen of a non-secure origin (http://hongling.test, which is not localhost); and
// the 演示环境 ribbon of a demo server.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { device, firstSync, launch, login, runServerCli, startServer } from "./helpers.mjs";

let real;
let demo;
let browser;

before(async () => {
  real = await startServer({
    demo: false,
    args: ["--public-url", "https://hongling.test"],
    setup: async (db) => {
      const r = await runServerCli(["create-admin", "--db", db, "boss", "--name", "区委非公工委 刘主任"], "first-temporary-pw\n");
      assert.equal(r.code, 0, r.err);
    },
  });
  demo = await startServer();
  browser = await launch([`--host-resolver-rules=MAP hongling.test 127.0.0.1`]);
});

after(async () => {
  await browser?.close();
  await real?.stop();
  await demo?.stop();
});

test("the first administrator logs in and must set a new password before anything else", async () => {
  const { context, page } = await device(browser);
  await page.goto(real.base + "/");
  await page.fill("input[name=username]", "boss");
  await page.fill("input[name=password]", "first-temporary-pw");
  await page.click("[data-testid=login]");
  await page.waitForSelector("[data-testid=forced-password-change]");
  assert.equal(await page.locator("[data-testid=account]").count(), 0, "no other screen yet");
  assert.equal(await page.locator("[data-testid=demo-ribbon]").count(), 0, "not a demo");

  await page.fill("input[name=old-password]", "first-temporary-pw");
  await page.fill("input[name=new-password]", "short");
  await page.fill("input[name=repeat-password]", "short");
  await page.click("[data-testid=change-password]");
  assert.match(await page.textContent("[data-testid=password-error]"), /至少 12 位/);

  // The core's rule passes this one; the server's list of common passwords does not.
  await page.fill("input[name=new-password]", "woaini1314520");
  await page.fill("input[name=repeat-password]", "woaini1314520");
  await page.click("[data-testid=change-password]");
  await page.waitForFunction(() =>
    document.querySelector("[data-testid=password-error]")?.textContent.includes("常见密码"),
  );

  await page.fill("input[name=new-password]", "a-river-at-dawn-2026");
  await page.fill("input[name=repeat-password]", "a-river-at-dawn-2026");
  await page.click("[data-testid=change-password]");
  await page.waitForSelector("[data-testid=account]");
  await firstSync(page);
  await context.close();

  // The new password is the one that works from now on.
  const other = await device(browser);
  await login(other.page, real.base, "boss", "a-river-at-dawn-2026");
  assert.equal(await other.page.locator("[data-testid=forced-password-change]").count(), 0);
  await other.context.close();
});

test("a plain http address that is not localhost shows where to go instead of a blank page", async () => {
  const port = new URL(real.base).port;
  const { context, page } = await device(browser);
  await page.goto(`http://hongling.test:${port}/`);
  await page.waitForSelector("[data-testid=insecure-origin]");
  assert.match(await page.textContent("[data-testid=insecure-origin]"), /此地址不能使用/);
  assert.equal(await page.getAttribute("[data-testid=public-url]", "href"), "https://hongling.test");
  assert.equal(await page.getAttribute("[data-testid=install-link]", "href"), "/install");
  assert.equal(await page.locator("input[name=username]").count(), 0, "no data is taken here");
  assert.equal(await page.evaluate(() => window.isSecureContext), false);
  await context.close();
});

test("every screen of a demo server says 演示环境", async () => {
  const { context, page } = await device(browser);
  await login(page, demo.base, "quwei");
  await page.waitForSelector("[data-testid=demo-ribbon]");
  await page.goto(demo.base + "/settings");
  await page.waitForSelector("[data-testid=demo-ribbon]");
  await context.close();
});
