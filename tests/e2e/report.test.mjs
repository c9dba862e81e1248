// The 年度工作报告 as the district office makes it: from 总览, for this year, printed to a
// PDF on A4 and downloaded as .docx and XLSX. The test knows the data (the demo
// district's eight certificates issued this year, a training session it records) and
// reads the PDF (pdftotext), the Word document and the workbook (unzip) back for the same
// numbers.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";

import { device, firstSync, login, screenshots, serverAndBrowser, shot } from "./helpers.mjs";

const env = serverAndBrowser();

/** A file inside a .docx or .xlsx (a zip), as text. */
const unzipped = (file, entry) => execFileSync("unzip", ["-p", file, entry]).toString("utf8");

/** The texts of a Word document's runs, in order. */
function docxTexts(file) {
  const xml = unzipped(file, "word/document.xml");
  return [...xml.matchAll(/<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>/g)].map((m) => m[1].trim()).filter((t) => t);
}

/** A sheet of a workbook as rows of cell texts (shared strings resolved). */
function sheetRows(file, n) {
  const shared = [...unzipped(file, "xl/sharedStrings.xml").matchAll(/<si>(.*?)<\/si>/gs)].map((m) =>
    [...m[1].matchAll(/<t[^>]*>([^<]*)<\/t>/g)].map((t) => t[1]).join(""));
  const xml = unzipped(file, `xl/worksheets/sheet${n}.xml`);
  return [...xml.matchAll(/<row[^>]*>(.*?)<\/row>/gs)].map((row) =>
    [...row[1].matchAll(/<c ([^>]*?)(?:\/>|>(.*?)<\/c>)/gs)].map(([, attrs, body = ""]) => {
      const v = body.match(/<v>([^<]*)<\/v>/)?.[1] ?? "";
      return /t="s"/.test(attrs) ? shared[Number(v)] : v;
    }));
}

/** The cell after `label` in the section headed `heading` of a run of texts. */
function after(texts, heading, label) {
  const at = texts.findIndex((t) => t.startsWith(heading));
  return texts[at + texts.slice(at).indexOf(label) + 1];
}

test("the annual report prints on A4 and downloads as .docx and XLSX with the numbers of the data", async () => {
  const { context, page } = await device(env.browser);
  await login(page, env.server.base, "quwei");
  await firstSync(page);
  const year = String(new Date(Date.now() + 8 * 3600_000).getUTCFullYear());

  // A 红领党务课堂 session of 3.5 hours, recorded by the office.
  await page.click("[data-testid=nav-field]");
  await page.click("[data-testid=field-trainings]");
  await page.selectOption("select[name=kind]", { label: "红领党务课堂" });
  await page.fill("input[name=title]", "年度报告测试课");
  await page.fill("input[name=place]", "区委党校");
  await page.fill("input[name=hours]", "3.5");
  await page.fill("input[name=trainer]", "李文华");
  await page.click("[data-testid=create-training]");
  await page.waitForSelector("[data-testid=roll]");
  await page.waitForFunction(() => document.querySelector("[data-testid=pending] strong")?.textContent === "0", null, { timeout: 30_000 });

  // From 总览: the headline the report must agree with.
  await page.click("[data-testid=nav-home]");
  await page.waitForSelector("[data-testid=headline-certified]");
  const certified = await page.getAttribute("[data-testid=headline-certified]", "data-value");
  assert.equal(certified, "8", "the demo district's holders");
  await page.click("[data-testid=annual-report-link]");
  await page.waitForSelector(`[data-testid=annual-report][data-year="${year}"]`);
  const cell = (heading, label, col = 1) =>
    page.$eval(`[data-testid=report-section][data-heading^="${heading}"] [data-testid=report-row][data-label="${label}"]`,
      (row, col) => row.children[col].textContent, col);
  assert.equal(await page.textContent("[data-testid=report-title]"), `${year} 年度红领认证工作报告`);
  assert.equal(await cell("一、", "持证人数"), certified);
  assert.equal(await cell("二、", "合计", 2), certified);
  assert.equal(await cell("四、", "培训场次"), "1");
  assert.equal(await cell("四、", "培训时长（小时）"), "3.5");
  assert.equal(await cell("四、", "其中：红领党务课堂（场）"), "1");
  await shot(page, "report-annual-1280x800.png");

  // Printed: an A4 PDF whose text carries the same numbers.
  await page.emulateMedia({ media: "print" });
  const pdf = await page.pdf({ format: "A4", printBackground: true });
  await page.emulateMedia({ media: "screen" });
  const pdfFile = path.join(screenshots, "annual-report.pdf");
  writeFileSync(pdfFile, pdf);
  const text = execFileSync("pdftotext", ["-layout", pdfFile, "-"]).toString("utf8");
  assert.match(text, new RegExp(`${year} 年度红领认证工作报告`));
  assert.match(text, /中共亳州市谯城区委非公有制经济组织和社会组织工作委员会/);
  assert.match(text, new RegExp(`持证人数\\s+${certified}\\s`));
  assert.match(text, /培训时长（小时）\s+3\.5/);
  assert.doesNotMatch(text, /导出 Word|打印/, "the buttons do not print");
  const pages = Number(execFileSync("pdfinfo", [pdfFile]).toString().match(/Pages:\s+(\d+)/)[1]);
  const size = execFileSync("pdfinfo", [pdfFile]).toString().match(/Page size:\s+([\d.]+) x ([\d.]+)/);
  // The sections, then seven indicator tables by township with their charts.
  assert.ok(pages >= 2 && pages <= 20, `${pages} pages`);
  assert.ok(Math.abs(Number(size[1]) - 595.3) < 2 && Math.abs(Number(size[2]) - 841.9) < 2, "A4");

  // Downloaded as Word and Excel, read back.
  for (const format of ["docx", "xlsx"]) {
    const [download] = await Promise.all([page.waitForEvent("download"), page.click(`[data-testid=report-${format}]`)]);
    assert.equal(download.suggestedFilename(), `annual-report-${year}.${format}`);
    const file = path.join(screenshots, download.suggestedFilename());
    await download.saveAs(file);
    if (format === "docx") {
      const texts = docxTexts(file);
      assert.equal(texts[0], `${year} 年度红领认证工作报告`);
      assert.equal(after(texts, "一、", "持证人数"), certified);
      assert.equal(after(texts, "二、证书发放", "合计"), certified);
      assert.equal(after(texts, "四、", "培训场次"), "1");
      assert.equal(after(texts, "四、", "培训时长（小时）"), "3.5");
    } else {
      const first = sheetRows(file, 2);
      assert.deepEqual(first.find((r) => r[0] === "持证人数").slice(0, 2), ["持证人数", certified]);
      const issued = sheetRows(file, 3);
      assert.equal(issued.find((r) => r[0] === "合计").at(-1), certified);
      const training = sheetRows(file, 5);
      assert.equal(training.find((r) => r[0] === "培训场次")[1], "1");
    }
  }
  await context.close();
});
