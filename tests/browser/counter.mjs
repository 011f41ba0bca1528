// End-to-end check of the access-counter block in headless Chromium.
// Usage: node counter.mjs PAGE_URL SERVICE_PID SERVICE_ADDR BAKED_TOTAL
// With JavaScript off the page shows the baked snapshot and its date. With JavaScript on
// the page's hit is counted (204, so its unit and path are ones the service accepts) and
// the figures rise on each reload. Then the service is stopped: a reload keeps the
// snapshot and says as of when.
import { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";

const require = createRequire(import.meta.url);
const modules = process.env.CONG_NODE_MODULES || path.join(path.dirname(new URL(import.meta.url).pathname), "..", "node_modules");
const { chromium } = require(path.join(modules, "playwright-core"));
const axeSource = require("node:fs").readFileSync(path.join(modules, "axe-core", "axe.min.js"), "utf8");

const [pageUrl, servicePid, serviceAddr, bakedTotal] = process.argv.slice(2);
const step = (name) => console.log(`step: ${name}`);
const fail = (message) => { throw new Error(message); };
const VN_NUMBER = /^\d{1,3}(\.\d{3})*$/;
const VN_DATE = /^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/;

const browser = await chromium.launch({
  executablePath: process.env.CONG_CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

async function figures(page) {
  return page.$$eval(".counter [data-counter]", (cells) =>
    Object.fromEntries(cells.map((c) => [c.getAttribute("data-counter"), c.textContent.trim()])));
}

async function visible(page, selector) {
  return page.$eval(selector, (e) => !e.hidden && e.offsetParent !== null).catch(() => false);
}

async function state(page) {
  return page.getAttribute(".counter", "data-state");
}

const asNumber = (text) => {
  if (!VN_NUMBER.test(text)) fail(`\`${text}\` is not a number in Vietnamese format`);
  return Number(text.replaceAll(".", ""));
};

function portClosed(addr) {
  const [host, port] = addr.split(":");
  return new Promise((resolve) => {
    const socket = net.connect({ host, port: Number(port) });
    socket.on("connect", () => { socket.destroy(); resolve(false); });
    socket.on("error", () => resolve(true));
  });
}

try {
  step("without JavaScript the snapshot and its date show");
  {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(pageUrl);
    if ((await state(page)) !== "snapshot") fail(`state ${await state(page)} without JavaScript`);
    const f = await figures(page);
    if (f.total !== bakedTotal) fail(`the baked total is ${f.total}, not ${bakedTotal}`);
    if (!(await visible(page, ".counter-figures"))) fail("the baked figures are hidden");
    const date = (await page.textContent('[data-counter-note="as-of"] time')).trim();
    if (!VN_DATE.test(date)) fail(`the snapshot date \`${date}\` is not dd/mm/yyyy hh:mm`);
    const note = (await page.textContent('[data-counter-note="as-of"]')).trim();
    if (note !== `Số liệu đến ${date}`) fail(`the note says \`${note}\``);
    await context.close();
  }

  const context = await browser.newContext();
  const page = await context.newPage();
  const hits = [];
  page.on("response", (r) => { if (r.url().includes("/hit")) hits.push(r.status()); });
  page.on("pageerror", (e) => console.log(`page error: ${e.message}`));

  const live = async () => {
    await page.waitForSelector('.counter[data-state="live"]', { timeout: 15000 });
    const f = await figures(page);
    for (const [k, v] of Object.entries(f)) asNumber(v, k);
    if (await visible(page, '[data-counter-note="as-of"]')) fail("the snapshot date shows beside live figures");
    return f;
  };

  step("with the service running the page counts itself and shows live figures");
  await page.goto(pageUrl);
  const first = await live();
  if (hits.length !== 1 || hits[0] !== 204) fail(`the page's hit was answered ${hits.join(", ") || "never"}, not 204`);
  if (asNumber(first.total) !== Number(bakedTotal) + 1) fail(`live total ${first.total} after a baked ${bakedTotal} and one view`);

  step("the figures rise on reload");
  await page.reload();
  const second = await live();
  for (const field of ["today", "week", "month", "total"]) {
    if (asNumber(second[field]) !== asNumber(first[field]) + 1) fail(`${field}: ${first[field]} then ${second[field]}`);
  }
  if (asNumber(second.online) < 1) fail("nobody online after two views");
  if (hits.length !== 2 || hits[1] !== 204) fail(`second hit answered ${hits[1]}`);

  step("large counts are written the Vietnamese way");
  const origin = new URL(pageUrl).origin;
  await page.route(`http://${serviceAddr}/stats*`, (route) => route.fulfill({
    status: 200,
    headers: { "access-control-allow-origin": origin, "content-type": "application/json" },
    body: JSON.stringify({ unit: "/", online: 1234, today: 5678, yesterday: 0, week: 98765, month: 456789, total: 12798780, as_of: "2026-11-23T12:00:00+07:00" }),
  }));
  await page.reload();
  const large = await live();
  if (large.total !== "12.798.780" || large.month !== "456.789" || large.online !== "1.234") fail(`large counts shown as ${JSON.stringify(large)}`);
  await page.unroute(`http://${serviceAddr}/stats*`);

  step("the block passes axe-core (WCAG 2 A and AA)");
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(() => window.axe.run(".counter", { runOnly: ["wcag2a", "wcag2aa"] }));
  if (result.violations.length) {
    fail(`axe: ${result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(" ")}`).join("; ")}`);
  }

  step("the service stops: a reload keeps the snapshot and says as of when");
  process.kill(Number(servicePid), "SIGTERM");
  for (let i = 0; !(await portClosed(serviceAddr)); i++) {
    if (i > 100) fail("the service did not stop");
    await new Promise((r) => setTimeout(r, 100));
  }
  await page.reload();
  await page.waitForSelector('.counter[data-state="offline"]', { timeout: 15000 });
  const kept = await figures(page);
  if (kept.total !== bakedTotal) fail(`offline the total is ${kept.total}, not the baked ${bakedTotal}`);
  if (!(await visible(page, '[data-counter-note="offline"]'))) fail("no word that the counter cannot be reached");
  if (!(await visible(page, '[data-counter-note="as-of"]'))) fail("the snapshot's date is not shown");
  const date = (await page.textContent('[data-counter-note="as-of"] time')).trim();
  if (!VN_DATE.test(date)) fail(`the snapshot date \`${date}\` is not dd/mm/yyyy hh:mm`);
  console.log(`snapshot of ${date}: ${JSON.stringify(kept)}`);
  console.log("ok");
} finally {
  await browser.close();
}
