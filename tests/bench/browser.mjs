// The tablet at N records, measured in headless Chromium against the real server (issue
// 16). Run by `cargo xtask bench --browser`; a benchmark, not a test: it prints a table
// and asserts nothing but that each step completes.
//
//   (a) push N mutations queued in IndexedDB through the server;
//   (b) the first sync of a fresh device pulling N records;
//   (c) tap 保存 on the worker form → the saved worker in the page (20 taps, p50/p95);
//   (d) a pinyin-initials search keystroke → the filtered list (p50/p95);
//   (e) offline reload → the first screen usable (今日), and → the worker list's names;
//   (f) the JS heap after (b), after a garbage collection.
//
// N (default 10000) and THROTTLE (CPU slow-down for every page, default 1) come from the
// environment. The N queued mutations are made as the app makes one: one worker is saved
// through the form offline, and its record and outbox entry are copied N − 1 times with
// new ids and names in one IndexedDB transaction (what a tablet holds after N offline
// saves), then the page is reloaded so the app reads them as its own.

import { device, firstSync, launch, login, startServer, waitForServiceWorker } from "../e2e/helpers.mjs";
import { nameOf, quantile } from "./names.mjs";

const N = Number(process.env.N ?? 10_000);
const THROTTLE = Number(process.env.THROTTLE ?? 1);
const TAPS = Number(process.env.TAPS ?? 20);
// ONLY=ab runs just those steps (for profiling one of them); the default is all.
const ONLY = process.env.ONLY ?? "abcdef";

const ms = (v) => `${Math.round(v)} ms`;
const secs = (v) => `${(v / 1000).toFixed(2)} s`;

async function throttle(page) {
  if (THROTTLE <= 1) return;
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: THROTTLE });
}

/** Waits in the page until `selector` matches an element whose text includes `text`,
 * watching the DOM; resolves with the page's clock. */
function waitInPage(page, selector, text) {
  return page.evaluate(
    ([selector, text]) =>
      new Promise((resolve) => {
        const found = () => [...document.querySelectorAll(selector)].some((e) => e.textContent.includes(text));
        if (found()) return resolve(performance.now());
        const observer = new MutationObserver(() => {
          if (found()) {
            observer.disconnect();
            resolve(performance.now());
          }
        });
        observer.observe(document.body, { childList: true, subtree: true, characterData: true });
      }),
    [selector, text],
  );
}

/** Fills the worker form (on screen) for `name` in 古井镇. */
async function fillWorker(page, name) {
  await page.fill("input[name=name]", name);
  await page.selectOption("select[name=township]", { label: "古井镇" });
  await page.selectOption("select[name=organization]", { label: "亳州市古井镇宏达酿造配套有限公司" });
  await page.check("input[name=role][value=secretary]");
  await page.fill("input[name=management_post]", "办公室主任");
  await page.fill("input[name=years_in_post]", "3");
}

/** Copies the last queued worker N − 1 times in IndexedDB, in one transaction. */
async function queueCopies(page, count) {
  return page.evaluate(
    async ({ count, names }) => {
      const db = await new Promise((resolve, reject) => {
        const r = indexedDB.open("hongling");
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      const request = (r) => new Promise((resolve, reject) => {
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      const read = db.transaction(["outbox", "records", "base", "meta"], "readonly");
      const outbox = await request(read.objectStore("outbox").getAll());
      // An entry is stored as `{id, json}` (the first versions stored its fields).
      const stored = outbox[outbox.length - 1];
      const template = stored.json ? JSON.parse(stored.json) : stored;
      if (template.op.type !== "worker.create@1") throw new Error(`the last mutation is ${template.op.type}`);
      const id = template.op.data.id;
      const name = template.op.data.name;
      const records = await Promise.all(template.touched.map((k) => request(read.objectStore("records").get(k))));
      // The base's tombstones of the created records (what a pending creation keeps).
      const bases = (await Promise.all(template.touched.map((k) => request(read.objectStore("base").get(k))))).filter(Boolean);
      const nextId = await request(read.objectStore("meta").get("next_mutation_id"));
      const write = db.transaction(["outbox", "records", "base", "meta"], "readwrite");
      const copy = (value, newId, newName) =>
        JSON.parse(JSON.stringify(value).replaceAll(id, newId).replaceAll(name, newName));
      let mutation = Number(template.id) + 1;
      for (let i = 0; i < count; i++) {
        const newId = crypto.randomUUID();
        for (const r of records) write.objectStore("records").put(copy(r, newId, names[i]));
        for (const r of bases) write.objectStore("base").put(copy(r, newId, names[i]));
        const entry = copy(template, newId, names[i]);
        entry.id = mutation++;
        write.objectStore("outbox").put(stored.json ? { id: entry.id, json: JSON.stringify(entry) } : entry);
      }
      write.objectStore("meta").put(mutation, "next_mutation_id");
      await new Promise((resolve, reject) => {
        write.oncomplete = resolve;
        write.onerror = () => reject(write.error);
      });
      db.close();
      return { from: nextId, to: mutation };
    },
    { count, names: Array.from({ length: count }, (_, i) => nameOf(i + 1)) },
  );
}

/** With PROFILE=1, a CPU profile of `page` while `run` runs, summed by function: the
 * self time of the 25 costliest (wasm functions are numbered, as the release build keeps
 * no names; the JS glue and the browser's own functions are named). */
async function profiled(page, what, run) {
  if (process.env.PROFILE !== "1") return run();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
  await cdp.send("Profiler.start");
  const out = await run();
  const { profile } = await cdp.send("Profiler.stop");
  const self = new Map();
  const dt = new Map();
  profile.samples.forEach((id, i) => dt.set(id, (dt.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  let total = 0;
  for (const node of profile.nodes) {
    const f = node.callFrame;
    const file = f.url.split("/").pop();
    const where = !f.functionName && file.endsWith(".js") ? `:${f.lineNumber + 1}` : "";
    const name = `${f.functionName || "(anonymous)"} ${file}${where}`;
    const us = dt.get(node.id) ?? 0;
    total += us;
    self.set(name, (self.get(name) ?? 0) + us);
  }
  console.log(`\nprofile of ${what}: ${(total / 1000).toFixed(0)} ms sampled`);
  const groups = new Map();
  for (const [name, us] of self) {
    const group = name.includes(".wasm") ? "wasm" : name.includes(".js") ? "JS glue" : name.startsWith("(") ? name : "browser";
    groups.set(group, (groups.get(group) ?? 0) + us);
  }
  console.log("  " + [...groups].sort((a, b) => b[1] - a[1]).map(([g, us]) => `${g} ${(us / 1000).toFixed(0)} ms`).join(", "));
  for (const [name, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    console.log(`  ${(us / 1000).toFixed(1).padStart(8)} ms  ${name}`);
  }
  return out;
}

/** With PROFILE=1, the sync requests `page` makes while `run` runs: how long the server
 * took (request sent → response read) against the time between them (the browser's). */
async function timeline(page, what, run) {
  if (process.env.PROFILE !== "1") return run();
  const spans = [];
  const sent = new Map();
  const onRequest = (r) => sent.set(r, Date.now());
  const onFinished = async (r) => {
    const path = new URL(r.url()).pathname;
    if (!sent.has(r) || !path.startsWith("/api/v1/sync/")) return;
    const span = [path.split("/").pop(), sent.get(r), Date.now(), "", r.postData()?.length ?? 0];
    spans.push(span);
    span[3] = String((await r.response())?.status() ?? "");
  };
  page.on("request", onRequest);
  page.on("requestfinished", onFinished);
  const start = Date.now();
  const out = await run();
  const end = Date.now();
  page.off("request", onRequest);
  page.off("requestfinished", onFinished);
  const sum = (kind) => spans.filter(([k]) => k === kind).reduce((t, [, a, b]) => t + (b - a), 0);
  const count = (kind) => spans.filter(([k]) => k === kind).length;
  const server = sum("push") + sum("pull");
  console.log(
    `\ntimeline of ${what}: ${secs(end - start)} in all; ${count("push")} pushes ${secs(sum("push"))}, ` +
      `${count("pull")} pulls ${secs(sum("pull"))}; between requests ${secs(end - start - server)}`,
  );
  let last = start;
  for (const [kind, a, b, status, bytes] of spans) {
    const body = kind === "push" ? `, ${(bytes / 1024).toFixed(0)} KiB sent` : "";
    console.log(`  +${String(a - last).padStart(5)} ms  ${kind.padEnd(4)} ${String(b - a).padStart(5)} ms  ${status}${body}`);
    last = b;
  }
  console.log(`  +${String(end - last).padStart(5)} ms  (to the end)`);
  return out;
}

async function pendingCount(page) {
  return Number(await page.textContent("[data-testid=pending] strong"));
}

const server = await startServer();
const browser = await launch();
const rows = [];
// Each figure is printed as soon as it is measured, so a step that stalls leaves the
// ones before it.
const record = (what, figure) => {
  rows.push([what, figure]);
  console.log(`${what}: ${figure}`);
};
try {
  steps: {
  // (a) A tablet with N saves queued offline pushes them.
  const a = await device(browser);
  await throttle(a.page);
  await login(a.page, server.base, "zhidao01");
  await firstSync(a.page);
  await waitForServiceWorker(a.page);
  await a.context.setOffline(true);
  await a.page.waitForSelector("[data-testid=net].net-offline");
  await a.page.click("nav.nav a[href='/workers']");
  await a.page.click("[data-testid=add-worker]");
  await a.page.waitForSelector("[data-testid=worker-form]");
  await fillWorker(a.page, nameOf(0));
  await a.page.click("[data-testid=save]");
  await a.page.locator(".worker-item", { hasText: nameOf(0) }).waitFor();
  await queueCopies(a.page, N - 1);
  await a.page.reload();
  await a.page.waitForFunction((n) => Number(document.querySelector("[data-testid=pending] strong")?.textContent) === n, N, { timeout: 600_000 });
  const pushStart = Date.now();
  await a.context.setOffline(false);
  await a.page.waitForFunction(() => !document.querySelector("[data-testid=net]")?.classList.contains("net-offline"));
  await timeline(a.page, "(a) push", () => profiled(a.page, "(a) push", async () => {
    await a.page.click("[data-testid=sync-now]").catch(() => {});
    await a.page.waitForFunction(() => document.querySelector("[data-testid=pending] strong")?.textContent === "0", null, { timeout: 900_000, polling: 50 });
  }));
  const push = Date.now() - pushStart;
  record("(a) push N queued mutations", secs(push));
  if ((await a.page.locator("[data-testid=rejected-count]").count()) > 0) {
    console.error("refused:", await a.page.textContent("[data-testid=rejected-count]"));
  }
  await a.context.close();
  if (!/[b-f]/.test(ONLY)) break steps;

  // (b) A fresh tablet's first sync pulls them.
  const b = await device(browser);
  await throttle(b.page);
  await b.page.goto(server.base + "/");
  await b.page.fill("input[name=username]", "zhidao01");
  await b.page.fill("input[name=password]", "hongling2026");
  const pullStart = Date.now();
  await timeline(b.page, "(b) first sync", () => profiled(b.page, "(b) first sync", async () => {
    await b.page.click("[data-testid=login]");
    await b.page.waitForSelector("[data-testid=account]");
    await firstSync(b.page);
    await b.page.waitForFunction(
      () => !document.querySelector("[data-testid=last-sync]")?.textContent.includes("尚未同步"),
      null,
      { timeout: 900_000, polling: 50 },
    );
  }));
  const pull = Date.now() - pullStart;
  record("(b) first sync of a fresh device", secs(pull));

  // (f) The heap after the pull.
  const cdp = await b.context.newCDPSession(b.page);
  await cdp.send("HeapProfiler.collectGarbage");
  const heap = await cdp.send("Runtime.getHeapUsage");
  record("(f) JS heap after (b)", `${(heap.usedSize / 1024 / 1024).toFixed(1)} MB`);
  await waitForServiceWorker(b.page);
  if (!/[c-e]/.test(ONLY)) break steps;

  // (c) Tap 保存 → the saved worker in the page.
  await b.page.click("nav.nav a[href='/workers']");
  await b.page.waitForSelector("[data-testid=worker-list]", { timeout: 120_000 });
  const taps = [];
  const toList = [];
  await profiled(b.page, "(c) taps", async () => {
  for (let i = 0; i < TAPS; i++) {
    const name = `测试员${i}号`;
    await b.page.click("[data-testid=add-worker]");
    await b.page.waitForSelector("[data-testid=worker-form]");
    await fillWorker(b.page, name);
    // Watched from inside the page, from before the tap (a watch set up after it would
    // count a round trip to the page when the row is already there); also when the app
    // navigated to the list, which splits the saving from the list's rendering.
    const [took, navigated] = await b.page.evaluate(
      (name) =>
        new Promise((resolve) => {
          let navigatedAt = null;
          const push = history.pushState;
          history.pushState = function (...args) {
            navigatedAt ??= performance.now();
            return push.apply(this, args);
          };
          const start = performance.now();
          const found = () => [...document.querySelectorAll(".worker-item")].some((e) => e.textContent.includes(name));
          const observer = new MutationObserver(() => {
            if (found()) {
              observer.disconnect();
              history.pushState = push;
              const end = performance.now();
              resolve([end - start, (navigatedAt ?? end) - start]);
            }
          });
          observer.observe(document.body, { childList: true, subtree: true, characterData: true });
          document.querySelector("[data-testid=save]").click();
        }),
      name,
    );
    taps.push(took);
    toList.push(navigated);
  }
  });
  record("(c) tap 保存 → saved worker shown, p50", ms(quantile(taps, 0.5)));
  record("(c) tap 保存 → saved worker shown, p95", ms(quantile(taps, 0.95)));
  if (process.env.PROFILE === "1") {
    console.log(`  of which saving, to the navigation to the list: p50 ${ms(quantile(toList, 0.5))}, p95 ${ms(quantile(toList, 0.95))}`);
  }

  // (d) Pinyin initials typed one key at a time into the list's search.
  const query = "zhw";
  const keys = [];
  await profiled(b.page, "(d) keystrokes", async () => {
  for (let round = 0; round < 5; round++) {
    await b.page.fill("[data-testid=search]", "");
    await b.page.waitForTimeout(200);
    for (let k = 1; k <= query.length; k++) {
      const took = await b.page.evaluate(
        (value) =>
          new Promise((resolve) => {
            const list = document.querySelector("[data-testid=worker-list]")?.parentElement ?? document.body;
            const input = document.querySelector("[data-testid=search]");
            const start = performance.now();
            let done = false;
            const finish = () => {
              if (!done) {
                done = true;
                observer.disconnect();
                resolve(performance.now() - start);
              }
            };
            const observer = new MutationObserver(finish);
            observer.observe(list, { childList: true, subtree: true, characterData: true });
            input.value = value;
            input.dispatchEvent(new Event("input", { bubbles: true }));
            // A keystroke that leaves the list as it was changes no node: it is done
            // once the query is in the address and two frames passed without a change.
            const settled = (frames) => {
              if (done) return;
              const inUrl = new URLSearchParams(location.search).get("q") === value;
              if (inUrl && frames >= 2) return finish();
              requestAnimationFrame(() => settled(inUrl ? frames + 1 : 0));
            };
            requestAnimationFrame(() => settled(0));
          }),
        query.slice(0, k),
      );
      keys.push(took);
    }
  }
  });
  record("(d) search keystroke → filtered list, p50", ms(quantile(keys, 0.5)));
  record("(d) search keystroke → filtered list, p95", ms(quantile(keys, 0.95)));

  // (e) Offline reloads: the first screen, and the worker list's names.
  await b.context.setOffline(true);
  const reloads = { home: [], list: [] };
  for (let i = 0; i < 3; i++) {
    await b.page.goto(server.base + "/");
    reloads.home.push(await waitInPage(b.page, "[data-testid=home-today] [data-testid=home-pending]", ""));
    // The last reload of the list is profiled (with PROFILE=1).
    const reload = () => b.page.goto(server.base + "/workers").then(() => waitInPage(b.page, ".worker-item", ""));
    reloads.list.push(await (i === 2 ? profiled(b.page, "(e) offline reload of the list", reload) : reload()));
  }
  record("(e) offline reload → 今日 shown (median of 3)", ms(quantile(reloads.home, 0.5)));
  record("(e) offline reload → worker names shown (median of 3)", ms(quantile(reloads.list, 0.5)));
  await b.context.close();
  }
} finally {
  await browser.close();
  await server.stop();
}

console.log(`\nBrowser benchmark: N = ${N}, CPU throttling ${THROTTLE}×, ${new Date().toISOString()}\n`);
console.log("| what | figure |\n|---|---:|");
for (const [what, figure] of rows) console.log(`| ${what} | ${figure} |`);
