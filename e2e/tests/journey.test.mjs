// The whole journey in a real browser (issue 3): a citizen submits online → the receiver receives →
// the specialist requests a supplement → the citizen answers it → the leader hands on, the
// specialist completes the appraisal, the leader approves, the clerk issues → the counter
// returns the result → the citizen sees "Đã trả kết quả" and rates → the signed result is
// verified by the page its QR code opens and by uploading the file. Screenshots of the key pages go
// to docs/screenshots (shown in the README).
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

const pdf = {
  name: "giay-to.pdf",
  mimeType: "application/pdf",
  buffer: Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"),
};

/** A signed-in officer in a browser context of their own. */
async function officer(username) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on("dialog", (d) => d.accept());
  await page.goto(`${server.base}/dang-nhap`);
  await page.getByLabel("Tên đăng nhập").fill(username);
  await page.getByLabel("Mật khẩu").fill("demo");
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  await page.waitForURL(/\/can-bo/);
  return page;
}

async function checkPage(page, what) {
  assert.deepEqual(await accessibilityProblems(page), [], what);
}

test("a dossier goes from online submission to a returned, rated result through the pages", async () => {
  // 1. The citizen submits online, with a file for every required document.
  const citizen = await (await browser.newContext()).newPage();
  citizen.on("dialog", (d) => d.accept());
  await citizen.goto(`${server.base}/thu-tuc/1.012786`);
  await citizen.getByRole("link", { name: "Nộp hồ sơ trực tuyến" }).click();
  await citizen.waitForURL(/\/nop-ho-so\/1\.012786/);
  await citizen.getByLabel(/Họ và tên người nộp/).fill("Nguyễn Thị Lan");
  await citizen.getByLabel(/Số định danh cá nhân/).fill("091234567890");
  await citizen.getByLabel(/Số điện thoại/).fill("0912345678");
  for (const input of await citizen.locator('input[type=file][name^="doc_"]').all()) {
    await input.setInputFiles(pdf);
  }
  await checkPage(citizen, "submission form");
  await shot(citizen, "04-online-submission");
  await citizen.getByRole("button", { name: "Nộp hồ sơ" }).click();
  await citizen.waitForLoadState();
  const code = (await citizen.locator("strong.code").first().textContent()).trim();
  const secret = (await citizen.locator("strong.secret").textContent()).trim();
  assert.match(code, /^H01\.001-\d{6}-\d{4,}$/);
  assert.equal(secret.length, 12);
  assert.equal(await citizen.locator(".qr svg, figure svg").count(), 1, "the QR code is on the confirmation");
  await checkPage(citizen, "confirmation");
  await shot(citizen, "05-confirmation-with-qr");
  const lookup = `${server.base}/tra-cuu?code=${encodeURIComponent(code)}&secret=${secret}`;

  // 2. The receiver at the provincial center receives it from the desk's worklist.
  const receiver = await officer("tiepnhan");
  await receiver.goto(`${server.base}/quay`);
  assert.ok(await receiver.getByText(code).count(), "the online dossier waits at the counter");
  await shot(receiver, "06-counter-worklist");
  await receiver.goto(`${server.base}/quay/ho-so/${code}`);
  await checkPage(receiver, "counter dossier");
  await receiver.getByRole("button", { name: "Tiếp nhận", exact: true }).click();
  await receiver.waitForLoadState();
  assert.match(await receiver.locator("main").textContent(), /Đã tiếp nhận/);
  await receiver.goto(`${server.base}/quay/ho-so/${code}/phieu/01`);
  assert.match(await receiver.locator("main").textContent(), /GIẤY TIẾP NHẬN HỒ SƠ|Giấy tiếp nhận hồ sơ/i);
  await shot(receiver, "07-receipt-slip-01");

  // 3. The specialist asks for a supplement, once and completely.
  const specialist = await officer("chuyenvien");
  await specialist.goto(`${server.base}/can-bo`);
  assert.ok(await specialist.getByText(code).count(), "the dossier is in the specialist's inbox");
  await checkPage(specialist, "inbox");
  await shot(specialist, "08-officer-inbox");
  await specialist.goto(`${server.base}/can-bo/ho-so/${code}`);
  assert.equal(await specialist.getByRole("button", { name: "Phê duyệt" }).count(), 0, "no approve button for a specialist");
  // The step's own action is open; the others open with one click (no JavaScript needed).
  await specialist.locator("summary", { hasText: "Yêu cầu bổ sung hồ sơ" }).click();
  await specialist.getByLabel("Lý do", { exact: true }).fill("Bản sao giấy tờ tùy thân bị mờ, cần nộp lại");
  await specialist.getByLabel(/Giấy tờ cần bổ sung/).fill("Bản sao căn cước công dân rõ nét");
  await specialist.getByRole("button", { name: "Gửi yêu cầu bổ sung" }).click();
  await specialist.waitForLoadState();
  assert.match(await specialist.locator("main").textContent(), /Yêu cầu bổ sung hồ sơ/);

  // 4. The citizen sees the request and answers it with a file.
  await citizen.goto(lookup);
  assert.match(await citizen.locator("main").textContent(), /Bản sao giấy tờ tùy thân bị mờ/);
  await checkPage(citizen, "lookup with supplement request");
  await shot(citizen, "09-lookup-supplement-request");
  await citizen.locator("#sup-files").setInputFiles(pdf);
  await citizen.getByRole("button", { name: "Gửi bổ sung" }).click();
  await citizen.waitForLoadState();
  assert.match(await citizen.locator("main").textContent(), /Đang giải quyết/);

  // 5. Each step by its own role: the leader hands the dossier on, the specialist completes the
  // appraisal, the leader approves with the electronic result, the clerk issues it.
  const leader = await officer("lanhdao");
  await leader.goto(`${server.base}/can-bo/ho-so/${code}`);
  assert.equal(await leader.getByRole("button", { name: "Phê duyệt" }).count(), 0, "no approval before the approval step");
  await leader.getByRole("button", { name: "Hoàn thành bước" }).click();
  await leader.waitForLoadState();
  await specialist.goto(`${server.base}/can-bo/ho-so/${code}`);
  await specialist.getByRole("button", { name: "Hoàn thành bước" }).click();
  await specialist.waitForLoadState();
  await leader.goto(`${server.base}/can-bo/ho-so/${code}`);
  await checkPage(leader, "leader dossier page");
  await shot(leader, "10-dossier-page-leader");
  await leader.locator("#approve-result").setInputFiles(pdf);
  await leader.getByRole("button", { name: "Phê duyệt" }).click();
  await leader.waitForLoadState();
  assert.match(await leader.locator("main").textContent(), /Có kết quả, chờ trả/);
  const clerk = await officer("vanthu");
  await clerk.goto(`${server.base}/can-bo/ho-so/${code}`);
  await clerk.getByRole("button", { name: "Hoàn thành bước" }).click();
  await clerk.waitForLoadState();

  // 6. The counter returns the result and records the fee.
  await receiver.goto(`${server.base}/quay/ho-so/${code}`);
  await receiver.getByLabel(/Đã thu phí, lệ phí/).check();
  await receiver.getByRole("button", { name: "Trả kết quả", exact: true }).click();
  await receiver.waitForLoadState();
  assert.match(await receiver.locator("main").textContent(), /Đã trả kết quả/);

  // 7. The citizen sees "Đã trả kết quả", downloads the result and rates.
  await citizen.goto(lookup);
  assert.match(await citizen.locator("main").textContent(), /Đã trả kết quả/);
  assert.ok(await citizen.locator('a[href*="/ket-qua/"]').count(), "the electronic result can be downloaded");
  await citizen.getByLabel("Rất hài lòng").check();
  await citizen.getByRole("button", { name: "Gửi đánh giá" }).click();
  await citizen.waitForLoadState();
  assert.equal(await citizen.getByRole("button", { name: "Gửi đánh giá" }).count(), 0, "rated once");
  await checkPage(citizen, "final lookup");
  await shot(citizen, "11-lookup-returned-and-rated");

  // 8. Anyone verifies the signed result: the page its QR code opens, then an upload of the
  // file, then of a changed copy (issue 16 item 4).
  await citizen.getByRole("link", { name: /trang xác thực kết quả/ }).click();
  await citizen.waitForURL(/\/xac-thuc\/[0-9a-f]{64}$/);
  assert.match(await citizen.locator("main").textContent(), /Kết quả hợp lệ/);
  assert.ok(await citizen.locator("figure.qr svg").count(), "the page carries its QR code");
  await checkPage(citizen, "result verification");
  await shot(citizen, "12-result-verification");
  await citizen.locator("#tep").setInputFiles(pdf);
  await citizen.getByRole("button", { name: "Kiểm tra" }).click();
  await citizen.waitForLoadState();
  assert.match(await citizen.locator("main").textContent(), /Tệp bạn tải lên đúng là kết quả đã cấp/);
  await citizen.locator("#tep").setInputFiles({ ...pdf, buffer: Buffer.concat([pdf.buffer, Buffer.from(" ")]) });
  await citizen.getByRole("button", { name: "Kiểm tra" }).click();
  await citizen.waitForLoadState();
  assert.match(await citizen.locator("main").textContent(), /Không tìm thấy kết quả/);
});

test("officer pages fit a 360 px phone and pass the accessibility basics", async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  await page.goto(`${server.base}/dang-nhap`);
  await page.getByLabel("Tên đăng nhập").fill("lanhdao");
  await page.getByLabel("Mật khẩu").fill("demo");
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  await page.waitForURL(/\/can-bo/);
  for (const path of ["/can-bo", "/can-bo/lanh-dao"]) {
    await page.goto(`${server.base}${path}`);
    await checkPage(page, path);
    assert.ok(await fitsWidth(page), `${path} scrolls sideways at 360 px`);
  }
  await shot(page, "12-leader-view-phone");
  await context.close();
});
