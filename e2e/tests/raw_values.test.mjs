// Officer pages speak the user's language (issue 14 item 3): signed in as each role of the demo,
// walk every officer page reachable by links (dossiers, documents, admin, reports, queue,
// alerts) and look in the visible text for values shown raw — ISO dates and timestamps, numbers
// with a decimal point on a Vietnamese page, snake_case codes, "applicant"/"system" actors,
// percentages written "67,74 %".
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, startBrowser, signIn } from "./lib.mjs";

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

const RAW = [
  [/\b\d{4}-\d{2}-\d{2}(T[\d:]+)?/g, "ISO date"],
  // (A QĐ 766 row named in the text, "chỉ tiêu 1.4", is a number of the decision, not a value.)
  [/(?<!chỉ tiêu |row )\b\d+\.\d{1,2}\b(?!\.\d)/g, "decimal point"],
  [/(?<![{\w])[a-z]+_[a-z_]+\b(?!})/g, "snake_case code"],
  [/\b\d{1,3},\d{3}\b/g, "comma thousands"],
  [/\((applicant|system)\)|— (applicant|system)\b/g, "raw actor"],
  [/\d %/g, "spaced percent"],
  // An officer named by the username in a timeline or a table ("— tiepnhan", "(chuyenvien)").
  [/(\(|— )(tiepnhan|chuyenvien|lanhdao|vanthu|giamdoc)(\.[a-z]+)?\b/g, "username for a name"],
];

const START = [
  "/can-bo", "/can-bo/canh-bao", "/can-bo/lanh-dao", "/can-bo/hang-doi", "/can-bo/phan-anh", "/quay",
  "/quay/so-thu-tu", "/van-ban", "/quan-tri", "/quan-tri/bao-cao", "/quan-tri/don-vi", "/quan-tri/lich",
  "/quan-tri/nguoi-dung", "/quan-tri/quyet-dinh", "/quan-tri/quy-trinh", "/quan-tri/cong-khai", "/chi-so",
  "/cong-khai",
];

/** The visible text of the page, without what is a code by nature: organ IDs (000.00.01.H01)
 *  and the QĐ 766 row numbers (2.1) that head the report's points table. */
async function visibleText(page) {
  return page.evaluate(() => {
    const body = document.body.cloneNode(true);
    // The header names the signed-in account with its username, on purpose.
    // The header names the signed-in account with its username, on purpose; so do the pickers
    // that choose an officer ("Name (username)" tells two namesakes apart).
    for (const h of body.querySelectorAll("header, select")) h.remove();
    // A printed address (the lookup URL under a slip's QR code) is an address, not a value.
    for (const u of body.querySelectorAll(".url")) u.remove();
    for (const td of body.querySelectorAll(".report-table td:first-child")) {
      if (/^\d\.\d$/.test(td.textContent.trim())) td.remove();
    }
    document.body.after(body);
    body.style.display = "block";
    const text = body.innerText.replace(/\b\d{3}\.\d{2}\.[A-Z0-9]{2}\.[A-Z]\d{2}\b/g, "");
    body.remove();
    return text;
  });
}

for (const user of ["giamdoc", "lanhdao", "tiepnhan", "vanthu"]) {
  test(`${user}: no officer page shows a raw value`, async () => {
    const page = await signIn(browser, server, user, { viewport: { width: 1366, height: 768 } });
    const seen = new Set();
    const queue = [...START];
    const problems = [];
    while (queue.length && seen.size < 90) {
      const path = queue.shift();
      if (seen.has(path)) continue;
      seen.add(path);
      const r = await page.goto(`${server.base}${path}`);
      if (!r || !(r.headers()["content-type"] || "").includes("text/html")) continue;
      const text = await visibleText(page);
      for (const [re, what] of RAW) {
        for (const m of text.matchAll(re)) {
          const around = text.slice(Math.max(0, m.index - 30), m.index + m[0].length + 20).replace(/\s+/g, " ");
          problems.push(`${path}: ${what} "${m[0]}" in "…${around}…"`);
        }
      }
      const links = await page.$$eval("a[href^='/']", (as) => as.map((a) => a.getAttribute("href").split("#")[0]));
      for (const l of links) {
        if (/\/(dang-xuat|api|static|ngon-ngu|tep)\b|\.(xlsx|csv|pdf|docx|xml|json|html)\b/.test(l)) continue;
        if (/^\/(can-bo|quan-tri|quay|van-ban)/.test(l) && !seen.has(l)) queue.push(l);
      }
    }
    assert.ok(seen.size > 15, `only ${seen.size} pages reached`);
    assert.deepEqual([...new Set(problems)].slice(0, 20), []);
    await page.context().close();
  });
}
