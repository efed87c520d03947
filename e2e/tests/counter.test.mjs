// The counter and the officer's account in a real browser (issue 14): a required document not
// ticked is not received, the page says what is missing and prints the guidance slip (form 02)
// listing it; Post/Redirect/Get and the form's key
// mean a refresh or a re-sent form never creates a second dossier; the receipt (form 01) prints
// on one A4 page (forms 01–04); the receiver opens an uploaded file from the counter page; an
// officer changes their password; an administrator publishes a procedure with its decision.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, startBrowser, signIn as officerSignIn } from "./lib.mjs";

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

const signIn = (username, password = "demo") => officerSignIn(browser, server, username, { password });

/** Pages of a PDF: its page objects (`/Type /Page`, not `/Pages`). */
function pdfPages(buf) {
  return (buf.toString("latin1").match(/\/Type\s*\/Page(?![a-z])/g) || []).length;
}

test("a missing document is refused with its name and form 02 lists it, a refresh or a resent form makes no second dossier, the receipt fits one A4 page", async () => {
  const page = await signIn("tiepnhan");
  await page.goto(`${server.base}/quay/tiep-nhan?thu_tuc=1.012786`);
  await page.getByLabel("Họ và tên").fill("Lê Thị Hoa");
  await page.getByLabel(/Số định danh cá nhân/).fill("091234567892");
  await page.getByLabel("Số điện thoại").fill("0912345670");
  // Only the first of the two required documents.
  await page.locator('input[name="nhan_0"]').check();
  await page.getByRole("button", { name: "Tiếp nhận và in giấy hẹn" }).click();
  await page.waitForLoadState();
  const alert = await page.getByRole("alert").textContent();
  assert.match(alert, /còn thiếu: Giấy xác nhận của UBND cấp xã/, alert);
  assert.equal(await page.getByLabel("Họ và tên").inputValue(), "Lê Thị Hoa", "what was typed is kept");

  // The receiver hands the applicant form 02 listing what to add (NĐ 61/2018 Art. 15.2.b).
  await page.getByRole("button", { name: "In phiếu hướng dẫn bổ sung (Mẫu 02)" }).click();
  await page.waitForURL(/\/quay\/tiep-nhan\/phieu-02$/);
  const guidance = await page.locator("main").textContent();
  assert.match(guidance, /Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ/);
  assert.match(guidance, /Giấy xác nhận của UBND cấp xã/);
  assert.match(guidance, /Lê Thị Hoa/);
  assert.doesNotMatch(guidance, /Mã hồ sơ/, "nothing was received");
  await page.emulateMedia({ media: "print" });
  const guidancePdf = await page.pdf({ format: "A4", preferCSSPageSize: true });
  assert.equal(pdfPages(guidancePdf), 1, "the guidance slip prints on one A4 page");
  await page.emulateMedia({ media: "screen" });

  // The applicant comes back with everything.
  await page.goto(`${server.base}/quay/tiep-nhan?thu_tuc=1.012786`);
  await page.getByLabel("Họ và tên").fill("Lê Thị Hoa");
  await page.getByLabel(/Số định danh cá nhân/).fill("091234567892");
  await page.getByLabel("Số điện thoại").fill("0912345670");
  await page.locator('input[name="nhan_0"]').check();
  await page.locator('input[name="nhan_1"]').check();
  // The first document is scanned at the counter: its scan is attached, so it counts as digitized.
  await page.locator('input[name="so_0"]').setInputFiles({
    name: "to-khai.pdf",
    mimeType: "application/pdf",
    buffer: Buffer.from("%PDF-1.7\n% scanned at the counter\n%%EOF\n"),
  });
  // Ten documents in all: the slip must still fit one page.
  const others = Array.from({ length: 8 }, (_, i) => `Bản sao giấy tờ kèm theo số ${i + 1} (giấy tờ chứng minh quyền sử dụng đất)`);
  await page.getByLabel(/Giấy tờ khác đã nhận/).fill(others.join("\n"));
  const csrf = await page.locator('input[name="csrf"]').first().inputValue();
  const idem = await page.locator('input[name="idem"]').inputValue();
  await page.getByRole("button", { name: "Tiếp nhận và in giấy hẹn" }).click();
  await page.waitForURL(/\/quay\/ho-so\/.+\/phieu\/01$/);
  const slipUrl = page.url();
  const code = (await page.locator("#code").textContent()).trim();
  assert.equal((await page.locator("#secret").textContent()).trim().length, 12, "the secret is on the first view");
  assert.match(await page.locator("table.slip-table").textContent(), /Số hóa tại quầy/, "the receipt says which document was digitized");

  // F5 on the receipt re-reads it (GET): the same dossier, shown as a reprint.
  await page.reload();
  assert.equal(page.url(), slipUrl);
  assert.match(await page.locator("main").textContent(), /Bản in lại/);

  // The same form sent again (a double click, the back button and resend): the first dossier.
  const resent = await page.request.post(`${server.base}/quay/tiep-nhan`, {
    form: {
      csrf,
      idem,
      thu_tuc: "1.012786",
      name: "Lê Thị Hoa",
      id_number: "091234567892",
      phone: "0912345670",
      nhan_0: "1",
      nhan_1: "1",
    },
    maxRedirects: 0,
  });
  assert.equal(resent.status(), 303);
  assert.equal(new URL(resent.headers()["location"], server.base).href, slipUrl, "no second dossier");

  // Form 01 of this ten-document dossier prints on one A4 page, signature included.
  await page.goto(slipUrl);
  await page.emulateMedia({ media: "print" });
  const pdf = await page.pdf({ format: "A4", preferCSSPageSize: true });
  assert.equal(pdfPages(pdf), 1, `form 01 of ${code} takes ${pdfPages(pdf)} pages`);
});

test("the receiver opens a file the citizen uploaded, from the counter page", async () => {
  const body = JSON.stringify({
    procedure_code: "1.012786",
    channel: "online",
    applicant: { name: "Ngô Văn Tài", id_number: "091234567893", phone: "0912345671" },
    documents: [
      "Đơn đăng ký biến động đất đai, tài sản gắn liền với đất",
      "Giấy xác nhận của UBND cấp xã về việc đã niêm yết thông báo mất Giấy chứng nhận",
    ],
  });
  const form = new FormData();
  form.append("body", body);
  const pdf = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
  form.append("documents[0]", new Blob([pdf], { type: "application/pdf" }), "don-dang-ky.pdf");
  const r = await fetch(`${server.base}/api/v1/dossiers`, { method: "POST", body: form });
  assert.equal(r.status, 201, await r.clone().text());
  const { code } = await r.json();

  const page = await signIn("tiepnhan");
  await page.goto(`${server.base}/quay/ho-so/${code}`);
  const link = page.getByRole("link", { name: "don-dang-ky.pdf" }).first();
  const href = await link.getAttribute("href");
  assert.match(href, /^\/can-bo\/tep\//);
  const file = await page.request.get(`${server.base}${href}`);
  assert.equal(file.status(), 200);
  assert.equal(file.headers()["content-type"], "application/pdf");
  assert.ok((await file.body()).toString().startsWith("%PDF-"));
});

test("an officer changes the password and signs in with the new one", async () => {
  const page = await signIn("chuyenvien");
  await page.getByRole("link", { name: "Đổi mật khẩu" }).click();
  await page.getByLabel("Mật khẩu hiện tại").fill("demo");
  await page.getByLabel(/Mật khẩu mới/).fill("mat-khau-rieng-2026");
  await page.getByLabel("Nhập lại mật khẩu mới").fill("mat-khau-rieng-2026");
  await page.getByRole("button", { name: "Đổi mật khẩu" }).click();
  await page.waitForLoadState();
  assert.match(await page.locator("main").textContent(), /Đã đổi mật khẩu/);
  await page.getByRole("button", { name: "Đăng xuất" }).click();
  await page.waitForLoadState();
  const again = await signIn("chuyenvien", "mat-khau-rieng-2026");
  assert.match(again.url(), /\/can-bo/);
});

test("the supplement request, refusal and apology slips (forms 02–04) each print on one A4 page", async () => {
  const api = async (path, { token, version, body } = {}) => {
    const headers = { "content-type": "application/json" };
    if (token) headers.authorization = `Bearer ${token}`;
    if (version !== undefined) headers["if-match"] = String(version);
    const r = await fetch(`${server.base}${path}`, { method: "POST", headers, body: JSON.stringify(body) });
    const json = await r.json();
    assert.ok(r.ok, `${path}: ${JSON.stringify(json)}`);
    return json;
  };
  const token = async (username) => (await api("/api/v1/auth/login", { body: { username, password: "demo" } })).token;
  const docs = [
    "Đơn đăng ký biến động đất đai, tài sản gắn liền với đất",
    "Giấy xác nhận của UBND cấp xã về việc đã niêm yết thông báo mất Giấy chứng nhận",
  ];
  const submit = () =>
    api("/api/v1/dossiers", {
      body: {
        procedure_code: "1.012786",
        channel: "online",
        applicant: { name: "Trịnh Văn Bảo", id_number: "091234567894", phone: "0912345672" },
        documents: docs,
      },
    });
  const [tn, ld] = [await token("tiepnhan"), await token("lanhdao")];
  const act = (t, d, body) => api(`/api/v1/dossiers/${d.code}/actions`, { token: t, version: d.version, body });

  const items = Array.from({ length: 10 }, (_, i) => `Bản sao giấy tờ còn thiếu số ${i + 1} (có chứng thực)`);
  const asked = await submit();
  await act(tn, asked, { action: "request_supplement", reason: "Hồ sơ chưa đầy đủ theo quy định", items });
  const refused = await submit();
  await act(tn, refused, { action: "refuse", reason: "Yêu cầu không thuộc thẩm quyền giải quyết của cơ quan" });
  const extended = await submit();
  const received = await act(tn, extended, { action: "receive" });
  const due = new Date(Date.parse(received.appointment_at ?? received.due_at) + 20 * 86400_000).toISOString();
  await act(ld, received, { action: "extend", new_due_at: due, reason: "Cần xác minh thêm nguồn gốc đất" });

  const page = await signIn("tiepnhan");
  await page.emulateMedia({ media: "print" });
  for (const [form, d] of [["02", asked], ["03", refused], ["04", extended]]) {
    const r = await page.goto(`${server.base}/quay/ho-so/${d.code}/phieu/${form}`);
    assert.equal(r.status(), 200, `form ${form}`);
    const pdf = await page.pdf({ format: "A4", preferCSSPageSize: true });
    assert.equal(pdfPages(pdf), 1, `form ${form} takes ${pdfPages(pdf)} pages`);
  }
});

test("an administrator publishes a procedure with its decision, and it is in the catalog", async () => {
  const page = await signIn("giamdoc");
  await page.goto(`${server.base}/quan-tri`);
  await page.getByRole("link", { name: "Công bố thủ tục và quyết định" }).click();
  const today = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
  await page.getByLabel(/Mã thủ tục/).fill("1.099901");
  await page.getByLabel("Tên thủ tục").fill("Cấp giấy phép thử nghiệm trên trình duyệt");
  await page.getByLabel("Lĩnh vực").fill("Xây dựng");
  await page.getByLabel("Cơ quan giải quyết").selectOption({ index: 1 });
  await page.getByLabel(/Thời hạn giải quyết/).fill("7");
  await page.getByLabel(/Phí, lệ phí/).fill("Lệ phí cấp phép: 100.000");
  await page.getByLabel(/Thành phần hồ sơ/).fill("Đơn đề nghị cấp phép\nBản vẽ thiết kế (nếu có)");
  await page.getByLabel(/Kết quả giải quyết/).fill("Giấy phép");
  await page.getByLabel(/Căn cứ pháp lý/).fill("Luật Xây dựng 2014");
  await page.getByLabel("Số quyết định").fill("999/QĐ-UBND (thử nghiệm)");
  await page.getByLabel("Ngày ký").fill(today);
  await page.getByLabel("Ngày có hiệu lực").fill(today);
  await page.getByLabel("Người ký").fill("Chủ tịch UBND tỉnh");
  await page.getByRole("button", { name: /Ghi nhận quyết định và công bố/ }).click();
  await page.waitForURL(/\/quan-tri\/thu-tuc\/1\.099901\/phien-ban$/);
  await page.goto(`${server.base}/quan-tri/quyet-dinh`);
  assert.match(await page.locator("main").textContent(), /999\/QĐ-UBND \(thử nghiệm\)/);
  const catalog = await page.request.get(`${server.base}/thu-tuc/1.099901`);
  assert.equal(catalog.status(), 200);
  assert.match(await catalog.text(), /Cấp giấy phép thử nghiệm trên trình duyệt/);
});

test("the dossier page shows the leader what they can do on the first screen, and nothing else", async () => {
  const viewport = { width: 1366, height: 768 };
  const page = await officerSignIn(browser, server, "lanhdao", { viewport });
  await page.goto(`${server.base}/can-bo`);
  const links = await page.$$eval('a[href^="/can-bo/ho-so/"]', (as) => as.map((a) => a.getAttribute("href")));
  assert.ok(links.length > 0, "the leader's inbox lists dossiers");
  for (const href of links.slice(0, 8)) {
    await page.goto(`${server.base}${href}`);
    const actions = page.locator("#actions-h");
    const top = (await actions.boundingBox()).y;
    assert.ok(top < viewport.height, `${href}: the actions start at ${top} px, below the first screen`);
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    assert.ok(height <= 3200, `${href}: the page is ${height} px tall`);
    // A leader neither completes the specialist's step nor approves before the approval step.
    const forms = await page.$$eval(".console-actions input[name=action]", (is) => is.map((i) => i.value));
    const step = await page.locator("tr.step-current td.step-role").first().textContent().catch(() => "");
    if (forms.includes("complete_step")) assert.match(step, /Lãnh đạo/, `${href}: completes only a leader's step`);
    // The step table's dates and states stay on one line.
    const lines = await page.$$eval("table.steps .tag", (ts) => ts.map((t) => t.getClientRects().length));
    assert.ok(lines.every((n) => n === 1), `${href}: a step's state wraps`);
    // People by name, not by username.
    assert.doesNotMatch(await page.locator(".timeline").textContent(), /— (tiepnhan|lanhdao|chuyenvien)\b/);
  }
  await page.context().close();
});

test("a certified copy is charged per page with the cap per copy, as TT 226/2016 writes it", async () => {
  const page = await signIn("tiepnhan.rachgia");
  await page.goto(`${server.base}/quay/tiep-nhan?thu_tuc=2.000815`);
  assert.match(await page.locator("fieldset.fees").textContent(), /2\.000 đ\/trang; từ trang thứ 3: 1\.000 đ\/trang; tối đa 200\.000 đ\/bản/);
  await page.getByLabel("Họ và tên").fill("Ngô Văn Tài");
  for (const box of await page.locator('input[name^="nhan_"]').all()) await box.check();
  await page.getByLabel(/Số trang mỗi bản/).fill("10");
  await page.getByLabel(/^Số bản$/).fill("2");
  await page.getByRole("button", { name: "Tiếp nhận và in giấy hẹn" }).click();
  await page.waitForURL(/\/phieu\/01$/);
  const slip = await page.locator("main").textContent();
  assert.match(slip, /10 trang × 2 bản: 24\.000 đ/);
  assert.match(slip, /tổng cộng 24\.000 đ/);
  assert.doesNotMatch(slip, /203\.000/);
});
