// Every administration page in a real browser (issue 14): each opens for the center's director,
// passes the accessibility basics and fits a 360 px phone; the holiday form, the counter group
// form and a restructure's dry run work through the pages.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, startBrowser, accessibilityProblems, fitsWidth, signIn as officerSignIn } from "./lib.mjs";

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

const signIn = (username, viewport) => officerSignIn(browser, server, username, { viewport });

const PAGES = [
  "/quan-tri",
  "/quan-tri/nguoi-dung",
  "/quan-tri/nguoi-dung?q=tiep+nhan",
  "/quan-tri/don-vi",
  "/quan-tri/don-vi/H01.001",
  "/quan-tri/lich",
  "/quan-tri/quyet-dinh",
  "/quan-tri/thu-tuc/moi",
  "/quan-tri/thu-tuc/moi?sua=1.012786",
  "/quan-tri/thu-tuc/1.012786/phien-ban",
  "/quan-tri/quy-trinh",
  "/quan-tri/quy-trinh/1.012786",
  "/quan-tri/bao-cao",
  "/quan-tri/hang-doi",
  "/quan-tri/cong-khai",
  "/quan-tri/sap-xep",
  "/quan-tri/dong-bo",
];

test("every administration page opens, passes the accessibility basics and fits a 360 px phone", async () => {
  const page = await signIn("giamdoc", { width: 360, height: 740 });
  for (const path of PAGES) {
    const r = await page.goto(`${server.base}${path}`);
    assert.equal(r.status(), 200, path);
    assert.deepEqual(await accessibilityProblems(page), [], path);
    assert.ok(await fitsWidth(page), `${path} scrolls sideways at 360 px`);
  }
});

test("the holiday form, the counter group form, a refused JSON plan and a guided restructure (dry run, then apply) work through the pages", async () => {
  const page = await signIn("giamdoc");
  // Holidays: the 2027 announcement entered as rows.
  await page.goto(`${server.base}/quan-tri/lich?year=2027`);
  await page.getByLabel(/Căn cứ/).fill("Thông báo thử nghiệm 2027");
  for (let i = 0; ; i++) {
    const date = page.locator(`input[name="date_${i}"]`);
    if ((await date.count()) === 0) break;
    await date.fill("");
    await page.locator(`input[name="name_${i}"]`).fill("");
  }
  await page.locator('input[name="date_0"]').fill("2027-01-01");
  await page.locator('input[name="name_0"]').fill("Tết Dương lịch");
  await page.getByRole("button", { name: "Lưu thông báo", exact: true }).click();
  await page.waitForURL(/\/quan-tri\/lich\?year=2027$/);
  assert.match(await page.locator("main").textContent(), /Thông báo thử nghiệm 2027/);

  // A counter group and a counter of the provincial center.
  await page.goto(`${server.base}/quan-tri/hang-doi`);
  await page.getByLabel(/Mã nhóm/).fill("TT-TN");
  await page.getByLabel("Tên nhóm").fill("Tài nguyên – Môi trường");
  await page.getByLabel(/Ký hiệu số/).fill("C");
  await page.getByRole("button", { name: "Lưu nhóm quầy" }).click();
  await page.waitForURL(/xong=1/);
  await page.getByLabel("Mã quầy").fill("TT-TN-Q01");
  await page.getByLabel("Tên quầy").fill("Quầy C1");
  await page.locator("#q-group").selectOption("TT-TN");
  await page.getByRole("button", { name: "Lưu quầy" }).click();
  await page.waitForURL(/xong=1/);
  assert.match(await page.locator("main").textContent(), /Quầy C1/);

  // A restructure plan that is refused shows its reason; nothing is written.
  await page.goto(`${server.base}/quan-tri/sap-xep`);
  await page.getByLabel("Kế hoạch (JSON)").fill('{"effective_on": "2025-07-01", "legal_basis": "", "operations": []}');
  await page.locator("#plan-form").getByRole("button", { name: "Chạy thử" }).click();
  await page.waitForLoadState();
  assert.ok((await page.getByRole("alert").count()) > 0, "an empty plan is refused with its reason");

  // The guided form: two communes merge into a new ward; dry run, then apply the plan it built.
  await page.goto(`${server.base}/quan-tri/sap-xep`);
  const communes = await page.$$eval("#g-from option", (os) =>
    os.filter((o) => /^(Xã|Phường) /.test(o.textContent)).map((o) => o.value),
  );
  assert.ok(communes.length >= 2, "communes to choose from");
  await page.getByLabel("Ngày có hiệu lực").fill("2026-01-01");
  await page.getByLabel(/Căn cứ pháp lý/).fill("NQ 9/NQ-HĐND");
  await page.getByLabel(/Các đơn vị được hợp nhất/).selectOption(communes.slice(0, 2));
  await page.getByLabel("Mã đơn vị sau hợp nhất").fill("39999");
  await page.getByLabel("Tên đơn vị mới").fill("Phường Thử Nghiệm");
  await page.getByLabel("Loại đơn vị mới").selectOption("ward");
  await page.locator("#guided").getByRole("button", { name: "Chạy thử" }).click();
  await page.waitForLoadState();
  assert.match(await page.locator("#rep-h").textContent(), /Chạy thử — chưa ghi gì/);
  assert.match(await page.getByLabel("Kế hoạch (JSON)").inputValue(), /"merge"/);
  await page.locator("#plan-form").getByRole("button", { name: "Thực hiện" }).click();
  await page.waitForLoadState();
  assert.match(await page.locator("#rep-h").textContent(), /Đã thực hiện sắp xếp/);
  await page.goto(`${server.base}/quan-tri/don-vi`);
  assert.match(await page.locator("table.units").textContent(), /Phường Thử Nghiệm/);
});

test("an administrator resets a password and the officer must change it at the next sign-in", async () => {
  const admin = await signIn("giamdoc");
  await admin.goto(`${server.base}/quan-tri/nguoi-dung?q=tiepnhan`);
  await admin.getByRole("link", { name: /^Sửa tiepnhan$/ }).first().click();
  await admin.waitForURL(/sua=tiepnhan\b/);
  await admin.getByLabel("Mật khẩu", { exact: true }).fill("tam-thoi-2026-12");
  await admin.getByRole("button", { name: "Lưu thay đổi" }).click();
  await admin.waitForLoadState();
  assert.doesNotMatch(await admin.locator("main").textContent(), /không hợp lệ|invalid/i);

  // The old password no longer works; the new one leads to the password page, and nowhere else.
  const old = await fetch(`${server.base}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "tiepnhan", password: "demo" }),
  });
  assert.equal(old.status, 401);
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.base}/dang-nhap`);
  await page.getByLabel("Tên đăng nhập").fill("tiepnhan");
  await page.getByLabel("Mật khẩu").fill("tam-thoi-2026-12");
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  await page.waitForURL(/\/can-bo\/mat-khau/);
  await page.goto(`${server.base}/can-bo`);
  assert.match(page.url(), /\/can-bo\/mat-khau/, "every officer page leads to the password change first");
  await page.getByLabel("Mật khẩu hiện tại").fill("tam-thoi-2026-12");
  await page.getByLabel(/Mật khẩu mới/).fill("cua-rieng-toi-2026");
  await page.getByLabel("Nhập lại mật khẩu mới").fill("cua-rieng-toi-2026");
  await page.getByRole("button", { name: "Đổi mật khẩu" }).click();
  await page.waitForLoadState();
  await page.goto(`${server.base}/can-bo`);
  assert.match(page.url(), /\/can-bo$/, "after the change the inbox opens");
  await context.close();
});
