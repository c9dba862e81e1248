// Every screen in English: for each role, the tablet syncs the demo district, switches to
// English in 设置, and walks every screen it can reach by its links. No screen may show a
// Chinese character or full-width punctuation except in data: the names of people,
// places and organisations, titles and notes the district typed (everything the server
// holds in records and accounts is taken as data). Text, placeholders, labels and
// tooltips are all read.

import assert from "node:assert/strict";
import { test } from "node:test";

import { api, apiLogin, device, firstSync, login, serverAndBrowser } from "./helpers.mjs";

const env = serverAndBrowser();

const CJK = /[\u3000-\u9fff\uff00-\uffef]/;
// Chinese on purpose in English: the language switch names Chinese in Chinese, and the
// brand's mark is a character.
const ALLOWED = ["简体中文", "红"];

/** Every string in `value` (records' bodies, accounts) that has Chinese in it. */
function strings(value, out) {
  if (typeof value === "string") {
    if (CJK.test(value)) out.add(value.trim());
  } else if (Array.isArray(value)) {
    for (const v of value) strings(v, out);
  } else if (value && typeof value === "object") {
    for (const v of Object.values(value)) strings(v, out);
  }
  return out;
}

/** What the district's data says: every Chinese string in every record and account. */
async function districtData(base) {
  const { token } = await apiLogin(base, "quwei");
  const out = new Set();
  let cursor = 0;
  for (;;) {
    const { status, body } = await api(base, "GET", `/sync/pull?cursor=${cursor}&limit=500`, { token });
    assert.equal(status, 200);
    for (const r of body.records) strings(r.body, out);
    cursor = body.cursor;
    if (!body.more) break;
  }
  const accounts = await api(base, "GET", "/admin/accounts", { token });
  strings(accounts.body, out);
  // Longest first, so a name inside a longer title goes with the title.
  return [...out].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
}

/** The screen's text as the user meets it, with the data taken out. What is marked
 * Chinese on purpose (`lang=zh-CN`: the import file's column headers, the annual report,
 * a document always in Chinese) is not the UI's words and is not read, attributes
 * included. */
async function leftover(page, data) {
  const text = await page.evaluate(() => {
    const marked = [...document.querySelectorAll("body [lang=zh-CN]")];
    const attrs = [...document.querySelectorAll("[placeholder],[aria-label],[title],[alt]")]
      .filter((e) => !e.closest("[lang=zh-CN]"))
      .flatMap((e) => ["placeholder", "aria-label", "title", "alt"].map((a) => e.getAttribute(a) ?? ""));
    const options = [...document.querySelectorAll("option")].filter((o) => !o.closest("[lang=zh-CN]")).map((o) => o.textContent);
    const shown = marked.map((e) => e.style.display);
    for (const e of marked) e.style.display = "none";
    const body = document.body.innerText;
    marked.forEach((e, i) => (e.style.display = shown[i]));
    return [body, document.title, ...attrs, ...options].join("\n");
  });
  let rest = text;
  for (const s of [...data, ...ALLOWED]) rest = rest.split(s).join(" ");
  return rest
    .split("\n")
    .filter((line) => CJK.test(line))
    .map((line) => line.trim());
}

/** A path with its ids replaced, so one screen of each kind is walked. */
const shape = (p) => p.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, ":id").replace(/\/\d+(?=\/|$)/g, "/:n");

async function walk(page, base, data) {
  const seen = new Set();
  const queue = ["/"];
  const found = [];
  while (queue.length > 0 && seen.size < 60) {
    const path = queue.shift();
    if (seen.has(shape(path))) continue;
    seen.add(shape(path));
    await page.goto(base + path);
    await page.waitForSelector("[data-testid=account]");
    // The screen reads IndexedDB after it mounts: let it settle.
    await page.waitForLoadState("networkidle");
    await page.waitForTimeout(400);
    for (const line of await leftover(page, data)) found.push(`${path}: ${line}`);
    const links = await page.evaluate(() =>
      [...document.querySelectorAll("a[href^='/']")].map((a) => a.getAttribute("href").split("?")[0]),
    );
    for (const l of links) if (!seen.has(shape(l)) && !l.startsWith("/api/")) queue.push(l);
  }
  return { seen, found };
}

for (const username of ["quwei", "zhidao01", "chushen01", "pingwei01", "bisai01", "zhanghm"]) {
  test(`every screen ${username} reaches speaks English`, async () => {
    const data = await districtData(env.server.base);
    const tablet = await device(env.browser);
    const page = tablet.page;
    await login(page, env.server.base, username);
    await firstSync(page);
    await page.goto(env.server.base + "/settings");
    await page.click("[data-testid=lang-en]");
    await page.waitForFunction(() => document.documentElement.lang === "en");
    const { seen, found } = await walk(page, env.server.base, data);
    assert.ok(seen.size >= 3, `walked ${[...seen].join(", ")}`);
    assert.deepEqual(found, [], `Chinese text outside data on ${username}'s screens`);
    await tablet.context.close();
  });
}
