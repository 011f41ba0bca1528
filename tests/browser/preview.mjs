// End-to-end check of the live preview in headless Chromium.
// Usage: node preview.mjs BASE_URL PORTAL_ROOT
// Opens an article, edits it on disk, waits for the new text without any manual
// reload; breaks its front matter and waits for the overlay; fixes it and waits for
// the page; saves another article and waits for the browser to follow to it.
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";

const require = createRequire(import.meta.url);
const modules = process.env.CONG_NODE_MODULES || path.join(path.dirname(new URL(import.meta.url).pathname), "..", "node_modules");
const { chromium } = require(path.join(modules, "playwright-core"));

const [base, root] = process.argv.slice(2);
const article = path.join(root, "content/tin-tuc/2021-01-05-thong-bao.md");
const other = path.join(root, "content/tin-tuc/2020-10-27-kiem-tra.md");
const original = fs.readFileSync(article, "utf8");

const browser = await chromium.launch({
  executablePath: process.env.CONG_CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const step = (name) => console.log(`step: ${name}`);
try {
  const page = await browser.newPage();
  await page.goto(`${base}/tin-tuc/thong-bao-lich-tiep-cong-dan/`);
  await page.waitForSelector("text=Nội dung thông báo.");
  await page.waitForFunction(() => document.getElementById("cong-preview") !== null);
  await page.waitForTimeout(300); // let the event stream connect

  step("edit the body");
  fs.writeFileSync(article, original.replace("Nội dung thông báo.", "Nội dung thông báo đã cập nhật lúc chín giờ."));
  await page.waitForSelector("text=đã cập nhật lúc chín giờ", { timeout: 10000 });

  step("break the front matter");
  fs.writeFileSync(article, original.replace("category: thong-bao", "category: [thong-bao"));
  await page.waitForSelector("#cong-overlay", { timeout: 10000 });
  const overlay = await page.textContent("#cong-overlay");
  if (!overlay.includes("content/tin-tuc/2021-01-05-thong-bao.md:4") || !overlay.includes("malformed YAML")) {
    throw new Error(`the overlay does not name the file, line and problem: ${overlay}`);
  }
  if (!(await page.isVisible("text=đã cập nhật lúc chín giờ"))) throw new Error("the last good page is gone");

  step("fix it");
  fs.writeFileSync(article, original.replace("Nội dung thông báo.", "Nội dung thông báo sau khi sửa lỗi."));
  await page.waitForSelector("text=sau khi sửa lỗi", { timeout: 10000 });
  if (await page.$("#cong-overlay")) throw new Error("the overlay stays after the fix");

  step("follow the editor to another article");
  await page.waitForTimeout(300);
  fs.writeFileSync(other, fs.readFileSync(other, "utf8").replace("Đoàn kiểm tra làm việc", "Đoàn kiểm tra của huyện làm việc"));
  await page.waitForURL("**/tin-tuc/dong-hy-kiem-tra-chinh-quyen-dien-tu/", { timeout: 10000 });
  await page.waitForSelector("text=Đoàn kiểm tra của huyện làm việc");
  console.log("ok");
} finally {
  await browser.close();
}
