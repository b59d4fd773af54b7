// Opens generated pages in Debian's headless Chromium (through playwright-core,
// which never downloads a browser) and checks what only a browser can tell:
// no console errors or CSP violations, hostile tool text executes nothing, our
// hashed script runs, and the search box narrows the list. Screenshots go to
// the directory given.
//
// usage: node run.mjs '{"site": DIR, "shots": DIR, "chromium": PATH,
//                       "pages": [{"name": N, "path": REL, "kind": K}], "search": TEXT}'
// K (optional) is "tool", "server" or "index": the sections a reader of that
// page expects are asserted present and non-empty, and a tool page's FAQ
// JSON-LD must parse as a schema.org FAQPage with every answer non-empty.
// Prints a JSON report on stdout; exits 1 when a check fails.
import { chromium } from "playwright-core";
import path from "node:path";
import { pathToFileURL } from "node:url";
import fs from "node:fs";

const cfg = JSON.parse(process.argv[2]);
const failures = [];
const report = { pages: [], search: null, screenshots: [] };
const fail = (msg) => failures.push(msg);

const VIEWPORTS = [
  { name: "laptop", width: 1366, height: 800 },
  { name: "phone", width: 390, height: 844 },
];

fs.mkdirSync(cfg.shots, { recursive: true });
const browser = await chromium.launch({
  executablePath: cfg.chromium,
  headless: true,
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
    "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
  ],
});

async function open(context, rel) {
  const page = await context.newPage();
  const events = { console: [], pageerrors: [], dialogs: [], requests: [] };
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") events.console.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => events.pageerrors.push(String(e)));
  page.on("dialog", async (d) => { events.dialogs.push(`${d.type()}: ${d.message()}`); await d.dismiss(); });
  page.on("request", (r) => { if (!r.url().startsWith("file:")) events.requests.push(r.url()); });
  const url = pathToFileURL(path.join(cfg.site, rel)).href;
  await page.goto(url, { waitUntil: "load" });
  // Give any hostile timer or late handler a chance to fire.
  await page.waitForTimeout(150);
  return { page, events };
}

const SECTIONS = {
  tool: ["#world", "#why", "#control", "#rule-policy", "#rule-intercept", "#rule-claude", "#rule-codex",
    "#rate-limit", "#limit-policy", "#block", "#block-policy", "#attacks", "#params", "#faq", "#related"],
  server: ["#world", "#worst", "#read-only", "#ro-json", "#policy", "#intercept-yaml"],
  index: ["#search", "#servers", "table#servers"],
};

async function sections(name, page, kind) {
  const want = ["main .catalogue"].concat(SECTIONS[kind] || []);
  const got = await page.evaluate((sels) => sels.map((s) => {
    const el = document.querySelector(s);
    return { sel: s, found: !!el, text: el ? el.textContent.trim().length : 0 };
  }), want);
  for (const g of got) {
    if (!g.found) fail(`${name}: no ${g.sel}`);
    else if (g.text === 0 && g.sel !== "#search") fail(`${name}: ${g.sel} is empty`);
  }
  const ld = await page.evaluate(() => Array.from(document.querySelectorAll('script[type="application/ld+json"]')).map((s) => s.textContent));
  if (kind === "tool") {
    if (ld.length !== 1) fail(`${name}: ${ld.length} JSON-LD blocks, expected 1`);
    for (const text of ld) {
      let v = null;
      try { v = JSON.parse(text); } catch (e) { fail(`${name}: JSON-LD does not parse: ${e}`); continue; }
      if (v["@type"] !== "FAQPage") fail(`${name}: JSON-LD @type is ${v["@type"]}`);
      const qs = v.mainEntity || [];
      if (qs.length < 6) fail(`${name}: FAQ has ${qs.length} questions`);
      for (const q of qs) {
        if (q["@type"] !== "Question" || !q.name) fail(`${name}: FAQ entry without a question`);
        const a = q.acceptedAnswer || {};
        if (a["@type"] !== "Answer" || !a.text || !a.text.trim()) fail(`${name}: empty answer to ${q.name}`);
      }
    }
    const visibleFaq = await page.$$eval("#faq dd", (dds) => dds.map((d) => d.textContent.trim()));
    if (visibleFaq.length !== (ld[0] ? JSON.parse(ld[0]).mainEntity.length : -1)) fail(`${name}: the FAQ on the page and in JSON-LD differ`);
    const attacks = await page.$$eval("#attacks li a", (as) => as.length);
    if (attacks === 0) fail(`${name}: no attack class listed`);
  }
  return got.length;
}

async function check(name, page, events) {
  const state = await page.evaluate(() => ({
    pwned: window.__pwned === undefined ? null : String(window.__pwned),
    scriptRan: Array.from(document.querySelectorAll("button[data-copy], #search")).every((el) => !el.hidden),
    title: document.title,
  }));
  if (state.pwned !== null) fail(`${name}: hostile payload ran (window.__pwned = ${state.pwned})`);
  if (!state.scriptRan) fail(`${name}: our script did not run (copy buttons or search still hidden): is the CSP hash right?`);
  for (const c of events.console) fail(`${name}: console ${c}`);
  for (const e of events.pageerrors) fail(`${name}: page error ${e}`);
  for (const d of events.dialogs) fail(`${name}: a dialog opened (${d})`);
  for (const r of events.requests) fail(`${name}: tried to load ${r}`);
  return state;
}

try {
  for (const vp of VIEWPORTS) {
    const context = await browser.newContext({ viewport: { width: vp.width, height: vp.height } });
    for (const p of cfg.pages) {
      const { page, events } = await open(context, p.path);
      const state = await check(`${p.name} @${vp.name}`, page, events);
      const checked = await sections(`${p.name} @${vp.name}`, page, p.kind);
      // Nothing may overflow sideways on a phone (tables scroll in their own box).
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (overflow > 1) fail(`${p.name} @${vp.name}: page is ${overflow}px wider than the viewport`);
      const shot = path.join(cfg.shots, `${p.name}-${vp.name}.png`);
      await page.screenshot({ path: shot, fullPage: true });
      report.screenshots.push(shot);
      report.pages.push({ name: p.name, viewport: vp.name, title: state.title, sections: checked });
      await page.close();
    }
    await context.close();
  }

  // Search narrows the list.
  const context = await browser.newContext({ viewport: { width: 1366, height: 800 } });
  const { page, events } = await open(context, "index.html");
  const visibleRows = () => page.$$eval("tr[data-server]", (rows) => rows.filter((r) => !r.hidden).length);
  const before = await visibleRows();
  await page.fill("#q", cfg.search);
  await page.waitForTimeout(100);
  const after = await visibleRows();
  const results = await page.$$eval("#results li a", (as) => as.map((a) => a.textContent));
  const count = await page.textContent("#result-count");
  await page.screenshot({ path: path.join(cfg.shots, "index-search-laptop.png"), fullPage: true });
  report.search = { query: cfg.search, rowsBefore: before, rowsAfter: after, results: results.length, count };
  if (!(after < before)) fail(`search "${cfg.search}": visible servers went from ${before} to ${after}, expected fewer`);
  if (results.length === 0) fail(`search "${cfg.search}": no matching tools listed`);
  if (results.some((r) => !r.toLowerCase().includes(cfg.search.toLowerCase()))) {
    // A tool matches by its own name or its server's; the fixture's query matches names.
    fail(`search "${cfg.search}": listed a tool whose name does not contain it: ${JSON.stringify(results)}`);
  }
  // A result link leads to a real page.
  if (results.length > 0) {
    const href = await page.getAttribute("#results li a", "href");
    await Promise.all([
      page.waitForURL((u) => u.href.endsWith("/" + href), { waitUntil: "load" }),
      page.click("#results li a"),
    ]);
    report.search.followed = await page.$eval("h1", (h) => h.firstChild.textContent.trim());
  }
  // Clearing the box brings every server back; a risk filter narrows too.
  await page.goto(pathToFileURL(path.join(cfg.site, "index.html")).href);
  await page.selectOption("#f-risk", { label: "critical" });
  await page.waitForTimeout(50);
  report.search.criticalCount = await page.textContent("#result-count");
  await page.selectOption("#f-risk", "");
  await page.waitForTimeout(50);
  if ((await visibleRows()) !== before) fail("clearing the filters did not bring every server back");
  await check("index after search", page, events);
  await context.close();
} catch (e) {
  fail(`driver: ${e && e.stack ? e.stack : e}`);
} finally {
  await browser.close();
}

report.failures = failures;
console.log(JSON.stringify(report, null, 1));
process.exit(failures.length ? 1 : 0);
