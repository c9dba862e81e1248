// A tablet holding a district's 10,000 党务工作者 (issue 16): the committee imports them
// as a district office would, an instructor's tablet pulls them all, and the list, its
// count, search by name and by pinyin, and the worker form still work.

import assert from "node:assert/strict";
import { test } from "node:test";

import { apiLogin, device, firstSync, importWorkers, login, serverAndBrowser } from "./helpers.mjs";

const env = serverAndBrowser();
const COUNT = 10_000;

const SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤";
const GIVEN = "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华玉兰萍红鹏飞斌辉浩凯健俊帆琳雪梅莉婷宁晨欣怡瑶琪璐颖鑫昊宇轩然博文彬";
/** The i-th name: a surname and two given characters, every one different. */
function nameOf(i) {
  const s = SURNAMES[i % SURNAMES.length];
  const rest = Math.floor(i / SURNAMES.length);
  return s + GIVEN[rest % GIVEN.length] + GIVEN[Math.floor(rest / GIVEN.length) % GIVEN.length];
}
/** One name no generated one shares: its surname is not among them, nor its pinyin. */
const RARE = "冼星海";

async function count(page) {
  return Number((await page.textContent("[data-testid=worker-count]")).match(/\d+/)[0]);
}

async function search(page, text) {
  await page.fill("[data-testid=search]", text);
  await page.waitForFunction((t) => new URLSearchParams(location.search).get("q") === t, text);
}

test("a tablet with 10,000 workers: the list, its count, search and the form", { timeout: 600_000 }, async () => {
  const { page, context } = await device(env.browser);
  // What the instructor's tablet holds before the import.
  await login(page, env.server.base, "zhidao01");
  await firstSync(page);
  await page.click("nav.nav a[href='/workers']");
  await page.waitForSelector("[data-testid=worker-list]");
  const before = await count(page);

  const committee = await apiLogin(env.server.base, "quwei");
  const rows = Array.from({ length: COUNT - 1 }, (_, i) => [nameOf(i), "", 2]);
  rows.push([RARE, "办公室主任", 5]);
  await importWorkers(env.server.base, committee.token, rows);
  await page.click("[data-testid=sync-now]");
  await page.waitForFunction(
    (n) => Number(document.querySelector("[data-testid=worker-count]")?.textContent.match(/\d+/)?.[0]) === n,
    before + COUNT,
    { timeout: 180_000 },
  );

  // A window of the list is on the page, and it grows as the user scrolls.
  assert.equal(await page.locator(".worker-item").count(), 100);
  assert.match(await page.textContent("[data-testid=show-more]"), new RegExp(`还有 ${before + COUNT - 100} 人`));
  await page.locator(".worker-item").last().scrollIntoViewIfNeeded();
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  await page.waitForFunction(() => document.querySelectorAll(".worker-item").length === 200);

  // Search by the characters, by full pinyin, by initials.
  await search(page, RARE);
  await page.waitForFunction(() => document.querySelectorAll(".worker-item").length === 1);
  assert.equal(await count(page), 1);
  await search(page, "xianxinghai");
  await page.waitForFunction(() => document.querySelectorAll(".worker-item").length === 1);
  assert.match(await page.textContent(".worker-item"), new RegExp(RARE));
  await search(page, "xxh");
  await page.locator(".worker-item", { hasText: RARE }).waitFor();
  // Every generated 王 is found by "wang", and nobody whose pinyin lacks it (王 and 汪
  // are wang; 万刚 is wan-gang).
  await search(page, "wang");
  const wang = Array.from({ length: COUNT - 1 }, (_, i) => nameOf(i)).filter((n) => n.startsWith("王")).length;
  await page.waitForFunction((n) => Number(document.querySelector("[data-testid=worker-count]")?.textContent.match(/\d+/)?.[0]) >= n, wang);
  for (const name of await page.locator(".worker-name").allTextContents()) {
    assert.ok(/王|汪|万/.test(name), `${name} is not found by wang`);
  }

  // The form opens from the list and saves; the list comes back at the saved worker.
  await search(page, RARE);
  await page.locator(".worker-item", { hasText: RARE }).click();
  await page.waitForSelector("[data-testid=worker-form]");
  assert.equal(await page.inputValue("input[name=name]"), RARE);
  await page.fill("input[name=years_in_post]", "6");
  await page.click("[data-testid=save]");
  await page.waitForURL(/\/workers\?at=/);
  const saved = page.locator(".worker-item.just-saved");
  await saved.waitFor();
  assert.match(await saved.textContent(), new RegExp(RARE));
  assert.match(await saved.textContent(), /6/);
  assert.equal(await count(page), before + COUNT);

  // A new worker, whose name sorts far down the list, is shown at once after 保存.
  await page.click("[data-testid=add-worker]");
  await page.waitForSelector("[data-testid=worker-form]");
  await page.fill("input[name=name]", "左新人");
  await page.selectOption("select[name=township]", { label: "古井镇" });
  await page.selectOption("select[name=organization]", { label: "亳州市古井镇宏达酿造配套有限公司" });
  await page.check("input[name=role][value=secretary]");
  await page.fill("input[name=years_in_post]", "1");
  await page.click("[data-testid=save]");
  await page.locator(".worker-item.just-saved", { hasText: "左新人" }).waitFor();
  assert.equal(await count(page), before + COUNT + 1);
  assert.ok((await page.locator("[data-testid=show-earlier]").count()) === 1, "the rows above it are a tap away");
  await firstSync(page);
  await context.close();
});
