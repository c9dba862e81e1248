// The peer of the browser benchmark (issue 16): PouchDB 9 in the same headless Chromium,
// replicating with express-pouchdb on loopback, with the same N worker-shaped documents.
// Run by `cargo xtask bench --browser` right after tests/bench/browser.mjs, so the two
// tables come from one run on one machine. It measures what PouchDB's own API offers
// for the same user actions:
//
//   (a) push: N documents already in the local database replicated to the server
//       (batch_size 100, PouchDB's default);
//   (b) pull: a fresh local database replicating the N documents from the server;
//   (c) one put() of a new document with N documents local (20 puts, p50/p95).
//
// N (default 10000) and THROTTLE come from the environment, as for browser.mjs. The
// packages are tests/bench/peer's (pouchdb, express-pouchdb), apart from the app's.

import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { launch } from "../e2e/helpers.mjs";
import { nameOf, quantile } from "./names.mjs";

const N = Number(process.env.N ?? 10_000);
const THROTTLE = Number(process.env.THROTTLE ?? 1);
const PUTS = 20;

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "peer", "package.json"));
const dataDir = mkdtempSync(path.join(tmpdir(), "hongling-peer-"));
const PouchDB = require("pouchdb").defaults({ prefix: dataDir + path.sep });
const express = require("express");
const app = express();
const script = require.resolve("pouchdb/dist/pouchdb.min.js");
app.get("/", (_req, res) => res.type("html").send('<!doctype html><meta charset="utf-8"><script src="/pouchdb.min.js"></script>'));
app.get("/pouchdb.min.js", (_req, res) => res.sendFile(script));
app.use("/db", require("express-pouchdb")(PouchDB, { mode: "minimumForPouchDB", inMemoryConfig: true }));
const server = await new Promise((resolve) => {
  const s = app.listen(0, "127.0.0.1", () => resolve(s));
});
const base = `http://127.0.0.1:${server.address().port}`;

/** The documents: what hongling's worker records hold, one per name. */
const township = crypto.randomUUID();
const organization = crypto.randomUUID();
const docs = Array.from({ length: N }, (_, i) => ({
  _id: crypto.randomUUID(),
  kind: "worker",
  name: nameOf(i),
  organization_id: organization,
  township_id: township,
  role: "secretary",
  management_post: "办公室主任",
  years_in_post: 3,
}));

const ms = (v) => `${Math.round(v)} ms`;
const secs = (v) => `${(v / 1000).toFixed(2)} s`;

async function page(browser) {
  const context = await browser.newContext();
  const p = await context.newPage();
  if (THROTTLE > 1) {
    const cdp = await context.newCDPSession(p);
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: THROTTLE });
  }
  await p.goto(base + "/");
  await p.waitForFunction(() => typeof PouchDB === "function");
  return { context, page: p };
}

const rows = [];
const record = (what, figure) => {
  rows.push([what, figure]);
  console.log(`${what}: ${figure}`);
};
const browser = await launch();
try {
  // (a) N documents in the tablet's database, replicated to the server.
  const a = await page(browser);
  const push = await a.page.evaluate(
    async ({ docs, remote }) => {
      const local = new PouchDB("local");
      for (let i = 0; i < docs.length; i += 1000) await local.bulkDocs(docs.slice(i, i + 1000));
      const start = performance.now();
      const result = await local.replicate.to(remote, { batch_size: 100 });
      if (result.docs_written !== docs.length) throw new Error(`wrote ${result.docs_written}`);
      return performance.now() - start;
    },
    { docs, remote: base + "/db/workers" },
  );
  record("(a) PouchDB: replicate N local documents to the server", secs(push));
  await a.context.close();

  // (b) A fresh tablet pulls them; (c) then puts one document at a time.
  const b = await page(browser);
  const pull = await b.page.evaluate(async (remote) => {
    const local = new PouchDB("fresh");
    const start = performance.now();
    const result = await local.replicate.from(remote);
    if (result.docs_written === 0) throw new Error("nothing pulled");
    return performance.now() - start;
  }, base + "/db/workers");
  record("(b) PouchDB: a fresh database replicating N documents", secs(pull));
  const puts = await b.page.evaluate(async (count) => {
    const local = new PouchDB("fresh");
    const took = [];
    for (let i = 0; i < count; i++) {
      const start = performance.now();
      await local.put({ _id: crypto.randomUUID(), kind: "worker", name: `测试员${i}号`, years_in_post: 3 });
      took.push(performance.now() - start);
    }
    return took;
  }, PUTS);
  record("(c) PouchDB: one put() with N local, p50", ms(quantile(puts, 0.5)));
  record("(c) PouchDB: one put() with N local, p95", ms(quantile(puts, 0.95)));
  await b.context.close();
} finally {
  await browser.close();
  server.close();
  rmSync(dataDir, { recursive: true, force: true });
}

console.log(`\nPeer benchmark (PouchDB 9 ⇄ express-pouchdb): N = ${N}, CPU throttling ${THROTTLE}×, ${new Date().toISOString()}\n`);
console.log("| what | figure |\n|---|---:|");
for (const [what, figure] of rows) console.log(`| ${what} | ${figure} |`);
