// Public pages in a real browser: catalog search without diacritics, procedure page, lookup form,
// accessibility basics, keyboard use and the 360 px phone layout.
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

test("the catalog finds procedures typed without diacritics and opens the procedure page", async () => {
  const page = await browser.newPage();
  await page.goto(`${server.base}/`);
  await page.getByLabel(/Tìm thủ tục/).fill("dang ky ket hon");
  await page.getByRole("button", { name: "Tìm" }).click();
  await page.waitForURL(/q=dang/);
  const first = page.locator("ul.procedures a").first();
  assert.match(await first.textContent(), /Đăng ký kết hôn/);
  await shot(page, "01-catalog");
  await first.click();
  await page.waitForURL(/\/thu-tuc\//);
  assert.match(await page.locator("h1").textContent(), /Đăng ký kết hôn/);
  assert.deepEqual(await accessibilityProblems(page), []);
  await shot(page, "02-procedure");
  await page.close();
});

test("public pages pass the accessibility basics and fit a 360 px wide phone", async () => {
  const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
  for (const path of ["/", "/tra-cuu", "/dang-nhap", "/thu-tuc/1.001193"]) {
    await page.goto(`${server.base}${path}`);
    assert.deepEqual(await accessibilityProblems(page), [], path);
    assert.ok(await fitsWidth(page), `${path} scrolls sideways at 360 px`);
  }
  await page.goto(`${server.base}/`);
  await shot(page, "03-catalog-phone");
  await page.close();
});

test("the keyboard reaches the skip link first and the search field by tabbing", async () => {
  const page = await browser.newPage();
  await page.goto(`${server.base}/`);
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.className), "skip");
  await page.keyboard.press("Enter");
  for (let i = 0; i < 30; i++) {
    if ((await page.evaluate(() => document.activeElement.id)) === "q") break;
    await page.keyboard.press("Tab");
  }
  assert.equal(await page.evaluate(() => document.activeElement.id), "q");
  await page.close();
});

test("a wrong code and secret gives a clear message, and the English switch works", async () => {
  const page = await browser.newPage();
  await page.goto(`${server.base}/tra-cuu?code=H01.001-250101-0001&secret=WRONG`);
  assert.match(await page.getByRole("alert").textContent(), /Không tìm thấy hồ sơ/);
  await page.getByRole("link", { name: "English" }).click();
  await page.waitForLoadState();
  assert.match(await page.locator("h1").textContent(), /Dossier lookup/);
  await page.close();
});
