// Test harness: starts a real Motcua demo server on a free loopback port with a fresh SQLite
// database, and Debian's Chromium through playwright-core (no browser download).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import net from "node:net";
import { chromium } from "playwright-core";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
// Screenshots go to e2e/screenshots (ignored by git); set MOTCUA_SCREENSHOTS=docs/screenshots to
// refresh the ones shown in the README.
export const screenshots = process.env.MOTCUA_SCREENSHOTS
  ? join(root, process.env.MOTCUA_SCREENSHOTS)
  : join(root, "e2e", "screenshots");

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

/** Starts `motcua demo` on a fresh database; returns { base, stop }. */
export async function startServer() {
  const bin = process.env.MOTCUA_BIN || join(root, "target", "debug", "motcua");
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`cargo build -p motcua\` first`);
  const data = mkdtempSync(join(tmpdir(), "motcua-e2e-"));
  const port = await freePort();
  const proc = spawn(bin, ["demo", "--data", data, "--addr", `127.0.0.1:${port}`, "--per-day", "2"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  proc.stdout.on("data", (d) => (output += d));
  proc.stderr.on("data", (d) => (output += d));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited early:\n${output}`);
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`server did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    base,
    output: () => output,
    stop: () => {
      // The server (and its portal simulator) may still be writing: stop it at once and retry
      // the removal while its last writes land.
      proc.kill("SIGKILL");
      rmSync(data, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
    },
  };
}

/** Debian's Chromium, headless, with the flags this closed network needs. */
export async function startBrowser() {
  const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
  if (!existsSync(executablePath)) throw new Error(`${executablePath} is missing: apt-get install chromium`);
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Saves a full-page screenshot under docs/screenshots. */
export async function shot(page, name) {
  mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
}

/** Accessibility basics of the current page: every form control has a label, images have alt
 *  text, there is one h1, the language is set, and body text / buttons have ≥ 4.5:1 contrast. */
export async function accessibilityProblems(page) {
  return page.evaluate(() => {
    const problems = [];
    const controls = document.querySelectorAll("input:not([type=hidden]), select, textarea");
    for (const el of controls) {
      const labelled =
        (el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`)) ||
        el.closest("label") ||
        el.getAttribute("aria-label") ||
        el.getAttribute("aria-labelledby");
      if (!labelled) problems.push(`unlabelled ${el.tagName.toLowerCase()} name=${el.name}`);
    }
    for (const img of document.querySelectorAll("img:not([alt])")) problems.push(`img without alt: ${img.src}`);
    if (document.querySelectorAll("h1").length !== 1) problems.push("page must have exactly one h1");
    if (!document.documentElement.lang) problems.push("html lang missing");
    const rgb = (s) => (s.match(/\d+(\.\d+)?/g) || []).slice(0, 4).map(Number);
    const lum = ([r, g, b]) => {
      const f = (c) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const bgOf = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c;
      }
      return [255, 255, 255];
    };
    const checked = document.querySelectorAll("p, li, td, th, label, a, button, dt, dd, h1, h2, h3");
    for (const el of checked) {
      if (!el.textContent.trim() || el.offsetParent === null) continue;
      const fg = lum(rgb(getComputedStyle(el).color));
      const bg = lum(bgOf(el));
      const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
      if (ratio < 4.5) problems.push(`contrast ${ratio.toFixed(2)} on <${el.tagName.toLowerCase()}> "${el.textContent.trim().slice(0, 30)}"`);
    }
    return problems;
  });
}

/** True when the page fits its viewport width (no horizontal scrolling on a phone). */
export async function fitsWidth(page) {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
}

/** An officer signed in, in a browser context of their own (`viewport` optional). */
export async function signIn(browser, server, username, { password = "demo", viewport } = {}) {
  const context = await browser.newContext(viewport ? { viewport } : {});
  const page = await context.newPage();
  page.on("dialog", (d) => d.accept());
  await page.goto(`${server.base}/dang-nhap`);
  await page.getByLabel("Tên đăng nhập").fill(username);
  await page.getByLabel("Mật khẩu").fill(password);
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  await page.waitForURL(/\/can-bo/);
  return page;
}
