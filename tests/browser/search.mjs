// End-to-end check of search in headless Chromium, over a built site served with gzip
// as a static host would serve it.
// Usage: node search.mjs SITE_DIR              checks the sample portal's results
//        node search.mjs SITE_DIR --bench Q…   prints the bytes each query fetches
// Each query runs in a fresh browser context (an empty cache); the bytes are the
// encoded response bodies of the index files, from the browser's network log.
import { createRequire } from "node:module";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import zlib from "node:zlib";

const require = createRequire(import.meta.url);
const modules = process.env.CONG_NODE_MODULES || path.join(path.dirname(new URL(import.meta.url).pathname), "..", "node_modules");
const { chromium } = require(path.join(modules, "playwright-core"));

const [site, mode, ...benchQueries] = process.argv.slice(2);
const LIMIT = 300 * 1024;
const TYPES = { ".html": "text/html; charset=utf-8", ".json": "application/json", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".xml": "application/xml" };

// A static server: files as they are, gzip-compressed when the browser accepts it.
const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://localhost");
  let file = path.join(site, decodeURIComponent(url.pathname));
  if (!file.startsWith(path.resolve(site))) { res.writeHead(403); res.end(); return; }
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
  if (!fs.existsSync(file)) { res.writeHead(404); res.end(); return; }
  let body = fs.readFileSync(file);
  const type = TYPES[path.extname(file)] || "application/octet-stream";
  const headers = { "content-type": type };
  if (type !== "application/octet-stream" && /gzip/.test(req.headers["accept-encoding"] || "")) {
    body = zlib.gzipSync(body, { level: 6 });
    headers["content-encoding"] = "gzip";
  }
  headers["content-length"] = body.length;
  res.writeHead(200, headers);
  res.end(body);
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const base = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: process.env.CONG_CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

// Runs a search from `start` (a search page URL, or a page whose header box is used
// with `typed`), and returns the results and the bytes of index files fetched.
async function search({ url, typed, unit }) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  const pending = [];
  let bytes = 0;
  const files = [];
  page.on("requestfinished", (request) => {
    if (!request.url().includes("/tim-kiem/chi-muc/")) return;
    pending.push(request.sizes().then((s) => {
      bytes += s.responseBodySize;
      files.push(`${new URL(request.url()).pathname} ${s.responseBodySize}`);
    }));
  });
  if (typed !== undefined) {
    await page.goto(url);
    await page.fill("#tim-kiem-nhanh", typed);
    await page.press("#tim-kiem-nhanh", "Enter");
    await page.waitForURL("**/tim-kiem/?q=*");
  } else {
    await page.goto(url);
  }
  if (unit) {
    await page.waitForSelector("form[data-searched]");
    await page.selectOption("#loc-don-vi", { label: unit });
    await page.waitForTimeout(50);
  }
  await page.waitForSelector("form[data-searched]", { timeout: 15000 });
  await page.waitForTimeout(100);
  await Promise.all(pending);
  const results = await page.$$eval(".search-result", (items) => items.map((li) => ({
    title: li.querySelector("h2 a").textContent,
    href: li.querySelector("h2 a").getAttribute("href"),
    meta: li.querySelector(".search-meta").textContent,
    marks: Array.from(li.querySelectorAll("mark"), (m) => m.textContent),
  })));
  const status = await page.textContent("[data-search-status]");
  const value = await page.inputValue("#tu-khoa");
  await context.close();
  if (errors.length) throw new Error(`script errors: ${errors.join("; ")}`);
  return { results, bytes, files, status, value };
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

const q = (s) => `${base}/tim-kiem/?q=${encodeURIComponent(s)}`;

try {
  if (mode === "--bench") {
    for (const query of benchQueries) {
      const r = await search({ url: q(query) });
      console.log(`${JSON.stringify(query)}\t${r.results.length} shown\t${r.status}\t${r.bytes} bytes\t${r.files.length} files`);
    }
    console.log("ok");
  } else {
    const report = [];
    const titles = (r) => r.results.map((x) => x.title);

    // `dong hy` finds Đồng Hỷ: the page that names it in its title and body most first.
    const dongHy = await search({ url: q("dong hy") });
    report.push(["dong hy", dongHy.bytes]);
    check(dongHy.results[0]?.title === "Quy chế hoạt động của Cổng thông tin điện tử huyện Đồng Hỷ", `dong hy: ${titles(dongHy)}`);
    check(dongHy.results.slice(0, 6).every((r) => r.title.includes("Đồng Hỷ")), `dong hy, titles first: ${titles(dongHy)}`);
    check(dongHy.results[0].marks.some((m) => m === "Đồng"), `dong hy marks: ${dongHy.results[0].marks}`);

    // `Đồng Hỷ` typed in NFD into the header box of an article.
    const nfd = "Đồng Hỷ".normalize("NFD");
    check(nfd !== "Đồng Hỷ", "the NFD form differs");
    const typed = await search({ url: `${base}/tin-tuc/che-dong-hy-len-san-thuong-mai-dien-tu/`, typed: nfd });
    report.push(["Đồng Hỷ (NFD)", typed.bytes]);
    check(typed.value.normalize("NFC") === "Đồng Hỷ", `the query is prefilled: ${typed.value}`);
    check(typed.results[0]?.title === "Quy chế hoạt động của Cổng thông tin điện tử huyện Đồng Hỷ", `NFD Đồng Hỷ: ${titles(typed)}`);
    check(typed.results.slice(0, 6).every((r) => r.title.includes("Đồng Hỷ")), `NFD Đồng Hỷ, titles first: ${titles(typed)}`);
    check(typed.results[0].marks.includes("Đồng") && typed.results[0].marks.includes("Hỷ"), `NFD marks: ${typed.results[0].marks}`);

    // `một cửa` as a phrase ranks above a title that holds `một` and `cửa` apart.
    const scattered = "Minh Lập: một nhà văn hóa xóm mở cửa đón người dân đọc sách buổi tối";
    const motCua = await search({ url: q("một cửa") });
    report.push(["một cửa", motCua.bytes]);
    check(motCua.results[0]?.title === "Bộ phận Một cửa huyện giải quyết đúng hạn 100% hồ sơ trong 6 tháng đầu năm 2020", `một cửa: ${titles(motCua)}`);
    check(motCua.results.slice(0, 6).every((r) => /một cửa/i.test(r.title)), `một cửa, phrases in titles first: ${titles(motCua)}`);
    check(!titles(motCua).includes(scattered), `một cửa: the scattered title is not on the first page: ${titles(motCua)}`);
    const inUnit = await search({ url: q("mot cua"), unit: "Xã Minh Lập" });
    report.push(["mot cua, Xã Minh Lập", inUnit.bytes]);
    const order = titles(inUnit);
    check(order[0] === "Thông báo: hướng dẫn nộp hồ sơ trực tuyến và lịch làm việc của Bộ phận Một cửa xã Minh Lập", `mot cua in Minh Lập: ${order}`);
    check(order.indexOf("Minh Lập ra mắt các tổ công nghệ số cộng đồng") >= 0 && order.indexOf("Minh Lập ra mắt các tổ công nghệ số cộng đồng") < order.indexOf(scattered), `mot cua in Minh Lập, body phrase above scattered title: ${order}`);
    check(inUnit.results.every((r) => r.meta.includes("Xã Minh Lập")), `unit filter: ${inUnit.results.map((r) => r.meta)}`);

    // Đ typed as d: `dang ky khai sinh` finds the procedure `Đăng ký khai sinh`.
    const dangKy = await search({ url: q("dang ky khai sinh") });
    report.push(["dang ky khai sinh", dangKy.bytes]);
    check(dangKy.results[0]?.title === "Đăng ký khai sinh", `dang ky khai sinh: ${titles(dangKy)}`);
    check(dangKy.results[0].meta.includes("Thủ tục hành chính"), `procedure facet: ${dangKy.results[0].meta}`);
    check(dangKy.results[0].marks.includes("Đăng"), `Đ highlighted: ${dangKy.results[0].marks}`);

    // Without JavaScript the search page still answers, with a message.
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(q("dong hy"));
    const noscript = await page.content();
    check(noscript.includes("cần JavaScript"), "the page explains that search needs JavaScript");
    await context.close();

    for (const [query, bytes] of report) {
      console.log(`bytes fetched\t${query}\t${bytes}`);
      check(bytes > 0 && bytes <= LIMIT, `${query}: ${bytes} bytes fetched, more than ${LIMIT}`);
    }
    console.log("ok");
  }
} finally {
  await browser.close();
  server.close();
}
