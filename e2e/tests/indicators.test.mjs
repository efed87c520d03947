// The public QĐ 766 pages in a real browser: the dashboard with its server-drawn SVG charts (the
// demo's year of dossiers), the table and the downloads; the monthly disclosures published at
// start-up for the month that has just ended. Accessibility basics and the phone layout.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, startBrowser, shot, accessibilityProblems, fitsWidth, signIn } from "./lib.mjs";

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

/** A Vietnamese count or percentage as a number: "1.234" → 1234, "95,5%" → 95.5; "—" → null. */
function num(text) {
  const t = text.trim().replace(/%$/, "");
  if (t === "—" || t === "") return null;
  return Number(t.replaceAll(".", "").replace(",", "."));
}

/** Every row of a table's body and its foot, cells as text. */
async function tableCells(page, selector) {
  return page.$eval(selector, (t) => ({
    rows: [...t.tBodies[0].rows].map((r) => [...r.cells].map((c) => c.textContent.trim())),
    total: t.tFoot ? [...t.tFoot.rows[0].cells].map((c) => c.textContent.trim()) : null,
  }));
}

const sum = (rows, col) => rows.reduce((s, r) => s + num(r[col]), 0);

test("every figure of the dashboard and of the report equals the sum of its parts", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${server.base}/chi-so`);
  const figures = Object.fromEntries(
    await page.$$eval("dl.figures .figure", (fs) =>
      fs.map((f) => [f.querySelector("dt").textContent.trim(), {
        value: f.querySelector("dd strong").textContent.trim(),
        note: f.querySelector("dd span")?.textContent.trim() ?? "",
      }]),
    ),
  );
  const lead = (s) => num(s.split(" ")[0]);
  const { rows, total } = await tableCells(page, "table#units");
  assert.ok(rows.length > 3 && total, "the unit table has rows and a total row");
  assert.equal(total[0], "Tổng cộng");
  // Columns: 1 received, 2 online, 4 to resolve, 5 finished, 6 early, 7 on time, 8 late, 9 overdue.
  for (const col of [1, 2, 4, 5, 6, 7, 8, 9]) {
    assert.equal(sum(rows, col), num(total[col]), `column ${col}: the units add up to the total row`);
  }
  for (const r of [...rows, total]) {
    assert.equal(num(r[6]) + num(r[7]) + num(r[8]), num(r[5]), `${r[0]}: early + on time + late = finished`);
    assert.ok(num(r[9]) <= num(r[4]) - num(r[5]), `${r[0]}: overdue ≤ in progress`);
    if (num(r[1]) > 0) {
      assert.ok(Math.abs((100 * num(r[2])) / num(r[1]) - num(r[3])) < 0.01, `${r[0]}: online rate`);
    }
  }
  // Each headline figure is the total row's figure.
  assert.equal(num(figures["Hồ sơ tiếp nhận"].value), num(total[1]));
  assert.equal(lead(figures["Tỷ lệ nộp trực tuyến"].note), num(total[2]));
  assert.equal(num(figures["Tỷ lệ nộp trực tuyến"].value), num(total[3]));
  assert.equal(lead(figures["Tỷ lệ giải quyết đúng hạn"].note), num(total[4]));
  assert.equal(num(figures["Tỷ lệ giải quyết đúng hạn"].value), num(total[10]));
  const [early, onTime, late] = figures["Trước hạn / đúng hạn / trễ hạn"].value.split(" / ").map(num);
  assert.deepEqual([early, onTime, late], [6, 7, 8].map((c) => num(total[c])));
  assert.equal(lead(figures["Trước hạn / đúng hạn / trễ hạn"].note), num(total[5]));
  assert.equal(num(figures["Quá hạn chưa giải quyết"].value), num(total[9]));
  assert.equal(lead(figures["Quá hạn chưa giải quyết"].note), num(total[4]) - num(total[5]));
  const digitized = figures["Số hóa đầu vào / kết quả / cả hai"].value.split(" / ").map(num);
  assert.deepEqual(digitized, [11, 12, 13].map((c) => num(total[c])));
  assert.equal(num(figures["Thanh toán trực tuyến"].value), num(total[15]));
  assert.equal(num(figures["Mức độ hài lòng"].value), num(total[16]));
  assert.equal(num(figures["Điểm QĐ 766 (phần tính từ hồ sơ)"].value.split(" / ")[0]), num(total[18]));
  // The months add up to the received total; the commune ranking repeats the unit rows.
  const trend = await page.$$eval("table.dashboard:not(#units):not(#ranking) tbody tr", (trs) =>
    trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim())),
  );
  assert.ok(trend.length > 1, "the trend table lists months");
  assert.equal(sum(trend, 3), num(total[1]), "the months' received add up to the total");
  const ranking = (await tableCells(page, "table#ranking")).rows;
  const byName = new Map(rows.map((r) => [r[0], r]));
  for (const r of ranking.filter((r) => byName.has(r[1]))) {
    assert.equal(r[2], byName.get(r[1])[1], `${r[1]}: the ranking's received is the unit row's`);
  }
  await page.close();

  // The director's report: the unit table adds up to its "Cả kỳ" row; the month table too, except
  // the two columns its caption names; the text's own totals agree.
  const director = await signIn(browser, server, "giamdoc", { viewport: { width: 1280, height: 900 } });
  await director.goto(`${server.base}/quan-tri/bao-cao`);
  const tables = await director.$$eval("table.report-table", (ts) =>
    ts.map((t) => ({
      title: t.caption.textContent.trim(),
      rows: [...t.tBodies[0].rows].map((r) => [...r.cells].map((c) => c.textContent.trim())),
      total: t.tFoot ? [...t.tFoot.rows[0].cells].map((c) => c.textContent.trim()) : null,
    })),
  );
  const byUnit = tables.find((t) => t.title.startsWith("Kết quả giải quyết hồ sơ theo đơn vị"));
  const byMonth = tables.find((t) => t.title.startsWith("Kết quả giải quyết hồ sơ theo tháng"));
  assert.ok(byUnit && byMonth && byUnit.rows.length > 1, "the report has its unit and month tables");
  for (const col of [1, 2, 4, 5, 6, 7, 8, 9]) {
    assert.equal(sum(byUnit.rows, col), num(byUnit.total[col]), `report by unit, column ${col}`);
  }
  for (const col of [1, 2, 5, 6, 7, 8]) {
    assert.equal(sum(byMonth.rows, col), num(byMonth.total[col]), `report by month, column ${col}`);
  }
  assert.deepEqual(byUnit.total.slice(1), byMonth.total.slice(1), "both tables end on the same period row");
  const text = await director.locator(".report").textContent();
  const m = text.match(/đã giải quyết ([\d.]+) hồ sơ: ([\d.]+) trước hạn, ([\d.]+) đúng hạn, ([\d.]+) trễ hạn/);
  assert.ok(m, "the report's text states the resolved dossiers");
  assert.equal(num(m[2]) + num(m[3]) + num(m[4]), num(m[1]), "early + on time + late = resolved, in the text");
  assert.equal(num(m[1]), num(byUnit.total[5]), "the text and the table agree");
  await director.context().close();
});
