// The public QĐ 766 pages in a real browser: the dashboard with its server-drawn SVG charts (the
// demo's year of dossiers), the table and the downloads; the monthly disclosures published at
// start-up for the month that has just ended. Accessibility basics and the phone layout.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, startBrowser, shot, accessibilityProblems, fitsWidth } from "./lib.mjs";

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await startBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

test("the dashboard draws its charts from the demo year and offers CSV and XLSX downloads", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${server.base}/chi-so`);
  assert.match(await page.locator("h1").textContent(), /Chỉ số|766/);
  const charts = page.locator("svg");
  assert.ok((await charts.count()) >= 2, "trend and unit charts are drawn");
  assert.ok((await page.locator("svg polyline, svg path, svg rect").count()) > 5, "the charts have marks");
  assert.doesNotMatch(await page.content(), /NaN/);
  const csv = page.locator('a[href*="format=csv"]').first();
  const response = await page.request.get(new URL(await csv.getAttribute("href"), server.base).toString());
  assert.equal(response.status(), 200);
  assert.match(await response.text(), /received/);
  assert.deepEqual(await accessibilityProblems(page), []);
  await shot(page, "20-dashboard");
  await page.close();
});

test("the dashboard and the disclosures fit a 360 px phone and pass the accessibility basics", async () => {
  const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
  for (const path of ["/chi-so", "/cong-khai"]) {
    await page.goto(`${server.base}${path}`);
    assert.deepEqual(await accessibilityProblems(page), [], path);
    assert.ok(await fitsWidth(page), `${path} scrolls sideways at 360 px`);
  }
  // Chart labels stay legible on the phone (the chart scrolls inside its frame instead).
  await page.goto(`${server.base}/chi-so`);
  const heights = await page.$$eval("svg.chart text", (ts) => ts.map((t) => t.getBoundingClientRect().height));
  assert.ok(heights.length > 0, "the dashboard draws charts");
  assert.ok(Math.min(...heights) >= 9, `chart labels as small as ${Math.min(...heights)} px at 360 px`);
  await page.close();
});

test("the month that has just ended is published at start-up and its snapshot opens", async () => {
  const page = await browser.newPage();
  // The month-end task runs right after start-up, next to serving: give it a few seconds.
  const month = page.locator('a[href^="/cong-khai/"]').first();
  for (let i = 0; i < 50; i++) {
    await page.goto(`${server.base}/cong-khai`);
    if ((await month.count()) > 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.ok((await month.count()) > 0, "a published month is listed");
  await month.click();
  await page.waitForURL(/\/cong-khai\/\d{4}-\d{2}/);
  assert.ok((await page.locator("table").count()) > 0, "the snapshot's table");
  await shot(page, "21-disclosure");
  await page.close();
});
