// Accessibility checks of the built portal in headless Chromium (driven by playwright-core).
//
//   node a11y.mjs pages BASE_URL SHOT_DIR TYPE=PATH...
//     on every page, at 360 px and 1280 px width: axe-core with the WCAG 2.1 A and AA rules
//     (no violations), nothing wider than the viewport, no animation running after load,
//     and a full-page screenshot SHOT_DIR/TYPE-N-WIDTH.png.
//   node a11y.mjs behaviour BASE_URL HOME ARTICLE PROCEDURES DOCUMENTS
//     the print stylesheet, the visible keyboard focus on the skip link, the font size
//     controls and their persistence, and the procedures and documents filters (with
//     and without JavaScript).
//
// Prints one line per problem and `ok` at the end when there is none; exits 1 otherwise.
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";

const require = createRequire(import.meta.url);
const here = path.dirname(new URL(import.meta.url).pathname);
const modules = process.env.CONG_NODE_MODULES || path.join(here, "..", "node_modules");
const { chromium } = require(path.join(modules, "playwright-core"));
const axeSource = fs.readFileSync(path.join(modules, "axe-core", "axe.min.js"), "utf8");

const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const WIDTHS = [360, 1280];

const [mode, base, ...rest] = process.argv.slice(2);
const problems = [];
const problem = (text) => {
  problems.push(text);
  console.log(`FAIL ${text}`);
};

const browser = await chromium.launch({
  executablePath: process.env.CONG_CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

// Loads a page and fails on anything but 200 (or 404 for the not-found page).
async function open(page, url) {
  const response = await page.goto(url, { waitUntil: "load" });
  const status = response ? response.status() : 0;
  if (status !== 200 && !(url.endsWith("/404.html") && status === 404)) {
    problem(`${url}: HTTP ${status}`);
  }
}

// Proves the wiring: axe run this way does find the faults of a bad page.
async function axeSelfCheck() {
  const page = await browser.newPage();
  await page.setContent('<!DOCTYPE html><html><head><title>x</title></head><body><main><img src="data:,"><p style="color:#aaa;background:#fff">chữ nhạt</p></main></body></html>');
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate((tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags } }), WCAG_TAGS);
  const found = result.violations.map((v) => v.id).sort().join(",");
  if (found !== "color-contrast,html-has-lang,image-alt") problem(`axe self-check: a bad page gives [${found}]`);
  await page.close();
}

async function axe(page, label) {
  if (!(await page.evaluate(() => typeof window.axe !== "undefined"))) {
    await page.addScriptTag({ content: axeSource });
  }
  const result = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] }),
    WCAG_TAGS,
  );
  for (const v of result.violations) {
    const nodes = v.nodes
      .slice(0, 5)
      .map((n) => `    ${n.target.join(" ")}: ${(n.failureSummary || "").replace(/\s+/g, " ")}`)
      .join("\n");
    problem(`${label}: axe ${v.id} (${v.impact}): ${v.help} [${v.nodes.length} element(s)]\n${nodes}`);
  }
}

async function pages(shotDir, list) {
  fs.mkdirSync(shotDir, { recursive: true });
  // The two widths run side by side, each in its own browser context.
  await Promise.all(WIDTHS.map(async (width) => {
    const seen = new Map();
    const context = await browser.newContext({ viewport: { width, height: 800 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    for (const item of list) {
      const [type, pagePath] = [item.slice(0, item.indexOf("=")), item.slice(item.indexOf("=") + 1)];
      const n = (seen.get(type) || 0) + 1;
      seen.set(type, n);
      const label = `${type} ${pagePath} @${width}px`;
      errors.length = 0;
      const t0 = Date.now();
      await open(page, base + pagePath);
      const t1 = Date.now();
      const fit = await page.evaluate(() => {
        const vw = window.innerWidth;
        const wide = document.documentElement.scrollWidth;
        const culprits = [];
        if (wide > vw) {
          // The outermost elements sticking out that no scrolling box clips.
          const clipped = (el) => {
            for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
              if (getComputedStyle(p).overflowX !== "visible") return true;
            }
            return false;
          };
          for (const el of document.body.querySelectorAll("*")) {
            const r = el.getBoundingClientRect();
            if (r.right > vw + 0.5 && r.width > 0 && !clipped(el) && !culprits.some((c) => c.el.contains(el))) {
              const cls = typeof el.className === "string" && el.className.trim() ? "." + el.className.trim().split(/\s+/).join(".") : "";
              culprits.push({ el, text: `${el.tagName.toLowerCase()}${cls} (right edge ${Math.round(r.right)})` });
            }
            if (culprits.length >= 5) break;
          }
          if (culprits.length === 0) {
            // An absolutely positioned element escapes the scrolling box that holds it.
            for (const el of document.body.querySelectorAll("*")) {
              const r = el.getBoundingClientRect();
              if (r.right > vw + 0.5 && r.width > 0 && getComputedStyle(el).position === "absolute") {
                culprits.push({ el, text: `${el.tagName.toLowerCase()}.${el.className} positioned absolutely (right edge ${Math.round(r.right)})` });
              }
              if (culprits.length >= 5) break;
            }
          }
        }
        return { vw, wide, culprits: culprits.map((c) => c.text) };
      });
      if (fit.wide > fit.vw) {
        problem(`${label}: the page is ${fit.wide}px wide in a ${fit.vw}px viewport: ${fit.culprits.join(", ")}`);
      }
      const animations = await page.evaluate(() => document.getAnimations().map((a) => a.animationName || a.transitionProperty || a.constructor.name));
      if (animations.length > 0) {
        problem(`${label}: ${animations.length} animation(s) running without request: ${animations.join(", ")}`);
      }
      const t2 = Date.now();
      await axe(page, label);
      const t3 = Date.now();
      if (errors.length > 0) problem(`${label}: script errors: ${errors.join("; ")}`);
      await page.screenshot({ path: path.join(shotDir, `${type}-${n}-${width}.png`), fullPage: true });
      console.log(`checked ${label} (load ${t1 - t0} ms, axe ${t3 - t2} ms, screenshot ${Date.now() - t3} ms)`);
    }
    await context.close();
  }));
}

async function behaviour([home, article, procedures, documents]) {
  const context = await browser.newContext({ viewport: { width: 360, height: 800 } });
  const page = await context.newPage();

  // Print: no menus, top bar, page footer or access counter on paper (an article's own
  // footer, with its author and source, is printed). The sample portal
  // configures no counter, so the check adds one to the page.
  await open(page, base + article);
  await page.evaluate(() => {
    const c = document.createElement("div");
    c.className = "counter";
    c.textContent = "1234";
    document.querySelector("main").append(c);
  });
  await page.emulateMedia({ media: "print" });
  for (const selector of [".main-menu", ".topbar", "body > footer", ".counter", ".skip-link"]) {
    const shown = await page.$$eval(selector, (els) => els.filter((e) => getComputedStyle(e).display !== "none").length);
    const count = await page.$$eval(selector, (els) => els.length);
    if (count === 0) problem(`print: no ${selector} in ${article} to check`);
    if (shown > 0) problem(`print: ${selector} is still displayed when printing`);
  }
  if (await page.$eval("main", (m) => getComputedStyle(m).display === "none")) problem("print: the main content is hidden");
  await page.emulateMedia({ media: "screen" });
  console.log("checked the print stylesheet");

  // Keyboard focus: the skip link, out of view at first, is what the first Tab reaches; it
  // comes into view with an outline.
  await open(page, base + home);
  const hiddenBefore = await page.$eval(".skip-link", (a) => a.getBoundingClientRect().bottom <= 0);
  if (!hiddenBefore) problem("focus: the skip link shows before it is focused");
  await page.keyboard.press("Tab");
  const focus = await page.evaluate(() => {
    const el = document.activeElement;
    const s = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    return {
      skip: el.classList.contains("skip-link"),
      href: el.getAttribute("href"),
      outline: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2,
      inView: r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.width > 0 && r.height > 0,
      describe: `${el.tagName} ${el.className} outline ${s.outlineStyle} ${s.outlineWidth}, box ${Math.round(r.left)},${Math.round(r.top)} ${Math.round(r.width)}x${Math.round(r.height)}`,
    };
  });
  if (!focus.skip) problem(`focus: the first Tab does not reach the skip link but ${focus.describe}`);
  if (!focus.outline) problem(`focus: the focused skip link has no visible outline (${focus.describe})`);
  if (!focus.inView) problem(`focus: the focused skip link is not in view (${focus.describe})`);
  await page.keyboard.press("Enter");
  const target = await page.evaluate(() => document.activeElement && document.activeElement.id);
  if (target !== focus.href.replace("#", "")) problem(`focus: the skip link moves focus to "${target}", not ${focus.href}`);
  // Every other control shows its focus too.
  await page.keyboard.press("Tab");
  const next = await page.evaluate(() => {
    const s = getComputedStyle(document.activeElement);
    return { outline: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2, tag: document.activeElement.tagName };
  });
  if (!next.outline) problem(`focus: the next focused element (${next.tag}) has no visible outline`);
  console.log("checked the keyboard focus");

  // Font size: A+ enlarges the text, the choice holds on the next page, A- and A undo it.
  const rootSize = () => page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
  await page.evaluate(() => localStorage.clear());
  await open(page, base + home);
  const normal = await rootSize();
  await page.click('[data-font="1"]');
  const larger = await rootSize();
  if (!(larger > normal)) problem(`font size: A+ does not enlarge the text (${normal}px -> ${larger}px)`);
  await open(page, base + article);
  const kept = await rootSize();
  if (kept !== larger) problem(`font size: the choice does not persist across pages (${larger}px, then ${kept}px)`);
  await page.click('[data-font="-1"]');
  await page.click('[data-font="-1"]');
  const smaller = await rootSize();
  if (!(smaller < normal)) problem(`font size: A- does not make the text smaller (${normal}px -> ${smaller}px)`);
  await page.click('[data-font="0"]');
  if ((await rootSize()) !== normal) problem("font size: A does not restore the default size");
  await page.click('[data-font="1"]');
  await page.reload();
  if ((await rootSize()) !== larger) problem("font size: the choice does not survive a reload");
  await page.evaluate(() => localStorage.clear());
  console.log("checked the font size controls");

  // Filters: fewer rows after typing or choosing; everything without JavaScript.
  const visibleRows = (p) => p.$$eval("[data-filter-item]", (rows) => rows.filter((r) => r.getClientRects().length > 0).length);
  await open(page, base + procedures);
  const allProcedures = await page.$$eval("[data-filter-item]", (rows) => rows.length);
  if (allProcedures < 2) problem(`filters: ${procedures} lists ${allProcedures} procedure(s), too few to filter`);
  if (!(await page.isVisible("[data-filter-form]"))) problem(`filters: the filter form of ${procedures} is not shown`);
  const firstName = await page.$eval("[data-filter-item] th a", (a) => a.textContent.trim().split(/\s+/).slice(0, 3).join(" "));
  await page.fill("[data-filter-text]", firstName);
  const typed = await visibleRows(page);
  if (!(typed >= 1 && typed < allProcedures)) problem(`filters: typing "${firstName}" on ${procedures} leaves ${typed} of ${allProcedures} rows`);
  await page.fill("[data-filter-text]", "");
  const levels = await page.$$eval("select[data-filter-key='level'] option", (os) => os.map((o) => o.value).filter(Boolean));
  await page.selectOption("select[data-filter-key='level']", levels[levels.length - 1]);
  const chosen = await visibleRows(page);
  if (!(chosen >= 1 && chosen < allProcedures)) problem(`filters: choosing a level on ${procedures} leaves ${chosen} of ${allProcedures} rows`);
  const status = await page.textContent("[data-filter-count]");
  if (!status.includes(String(chosen))) problem(`filters: the count "${status}" does not say ${chosen}`);

  await open(page, base + documents);
  const allDocuments = await page.$$eval("[data-filter-item]", (rows) => rows.length);
  const types = await page.$$eval("select[data-filter-key='type'] option", (os) => os.map((o) => o.value).filter(Boolean));
  await page.selectOption("select[data-filter-key='type']", types[0]);
  const byType = await visibleRows(page);
  if (!(byType >= 1 && byType < allDocuments)) problem(`filters: choosing a type on ${documents} leaves ${byType} of ${allDocuments} rows`);
  await page.selectOption("select[data-filter-key='type']", "");
  const number = await page.$eval("[data-filter-item] a", (a) => a.textContent.trim());
  await page.fill("[data-filter-text]", number);
  const byNumber = await visibleRows(page);
  if (!(byNumber >= 1 && byNumber < allDocuments)) problem(`filters: typing "${number}" on ${documents} leaves ${byNumber} of ${allDocuments} rows`);
  await context.close();

  const noScript = await browser.newContext({ viewport: { width: 360, height: 800 }, javaScriptEnabled: false });
  const plain = await noScript.newPage();
  for (const [url, total] of [[procedures, allProcedures], [documents, allDocuments]]) {
    await open(plain, base + url);
    const shown = await visibleRows(plain);
    if (shown !== total) problem(`filters: without JavaScript ${url} shows ${shown} of ${total} rows`);
    if (await plain.isVisible("[data-filter-form]")) problem(`filters: without JavaScript the useless filter form of ${url} shows`);
  }
  await noScript.close();
  console.log("checked the filters");
}

try {
  if (mode === "pages") {
    const [shotDir, ...list] = rest;
    await axeSelfCheck();
    await pages(shotDir, list);
  } else if (mode === "behaviour") {
    await behaviour(rest);
  } else {
    throw new Error(`unknown mode ${mode}: pages or behaviour`);
  }
} finally {
  await browser.close();
}
if (problems.length > 0) {
  console.log(`${problems.length} problem(s)`);
  process.exit(1);
}
console.log("ok");
