// Shared pieces of the browser suite: where the built site is, a static server for it, the
// browser, and what a page load is allowed to produce. `run` builds the sample and sets the
// environment this reads; the test files only open pages.
"use strict";

const assert = require("node:assert/strict");
const fs = require("node:fs");
const http = require("node:http");
const path = require("node:path");
const { chromium } = require("playwright-core");

/** The two widths every page kind is checked at (px); 800 px tall, a laptop's first screen. */
const WIDTHS = [1280, 375];
const HEIGHT = 800;

/** The sub-path the site is served under: the path part of the sample's `base_url`, so
 * the 404 page (whose links start from there) is checked at the address a host serves it. */
const BASE_PATH = "/review/";

const REPO = path.resolve(__dirname, "..", "..");

function requireEnv(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the suite with tests/browser/run`);
  return value;
}

/** The built sample (tessera build of the repository's review). */
function siteDir() {
  return requireEnv("TESSERA_SITE");
}

/** The tessera binary `run` built. */
function tesseraBin() {
  return requireEnv("TESSERA_BIN");
}

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".wasm": "application/wasm",
  ".xml": "application/xml",
  ".txt": "text/plain; charset=utf-8",
};

/** Serves `dir` at `http://127.0.0.1:PORT/review/` the way a static host does: a folder
 * serves its index.html, `/folder` redirects to `/folder/`, and anything missing gets the
 * site's 404.html with status 404. Resolves to `{url, close()}`. */
function serveStatic(dir) {
  const root = path.resolve(dir);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://localhost");
    const send = (status, file) => {
      res.writeHead(status, { "content-type": TYPES[path.extname(file)] || "application/octet-stream" });
      fs.createReadStream(file).pipe(res);
    };
    const notFound = () => send(404, path.join(root, "404.html"));
    // The sample publishes each edition in its own folder with the shared index of
    // editions beside them (site.toml: index_url = "../editions.json"): serve the build's
    // own copy there, as that host would.
    if (url.pathname === "/editions.json" && fs.existsSync(path.join(root, "editions.json"))) {
      return send(200, path.join(root, "editions.json"));
    }
    if (!url.pathname.startsWith(BASE_PATH)) return notFound();
    let rel;
    try {
      rel = decodeURIComponent(url.pathname.slice(BASE_PATH.length));
    } catch {
      return notFound();
    }
    const file = path.resolve(root, rel);
    if (file !== root && !file.startsWith(root + path.sep)) return notFound();
    fs.stat(file, (err, stat) => {
      if (err) return notFound();
      if (stat.isDirectory()) {
        if (!url.pathname.endsWith("/")) {
          res.writeHead(301, { location: url.pathname + "/" + url.search });
          return res.end();
        }
        const index = path.join(file, "index.html");
        return fs.existsSync(index) ? send(200, index) : notFound();
      }
      send(200, file);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      resolve({
        url: `http://127.0.0.1:${port}${BASE_PATH}`,
        close: () => new Promise((done) => server.close(done)),
      });
    });
  });
}

/** Debian's Chromium, headless, with the project's flags. Playwright gives each launch a
 * fresh temporary profile (its own --user-data-dir), removed when the browser closes. */
function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-quic",
    ],
  });
}

/** A page at `width` × 800 (light colour scheme unless told) that records every console error, uncaught exception, failed
 * request and HTTP error response it meets, in `page.problems`. */
async function openPage(browser, width, { height = HEIGHT, colorScheme = "light" } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, reducedMotion: "reduce", colorScheme });
  const page = await context.newPage();
  page.problems = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") page.problems.push({ kind: "console", text: msg.text(), url: msg.location().url });
  });
  page.on("pageerror", (err) => page.problems.push({ kind: "exception", text: String(err) }));
  page.on("requestfailed", (req) =>
    page.problems.push({ kind: "request failed", text: `${req.failure()?.errorText}`, url: req.url() }),
  );
  page.on("response", (res) => {
    if (res.status() >= 400) page.problems.push({ kind: `HTTP ${res.status()}`, text: res.url(), url: res.url() });
  });
  page.close = ((close) => async () => {
    await close.call(page);
    await context.close();
  })(page.close);
  return page;
}

/** The problems a load produced, less those `expected` says are the point of the page
 * (the 404 page's own status and the console line Chromium logs for it). */
function unexpectedProblems(page, expected = {}) {
  return page.problems.filter((p) => {
    if (expected.status && p.url === expected.url) {
      if (p.kind === `HTTP ${expected.status}`) return false;
      if (p.kind === "console" && p.text.includes(`status of ${expected.status}`)) return false;
    }
    return true;
  });
}

const AXE_SOURCE = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/** Runs axe-core on the open page at the WCAG 2.0–2.2 A and AA tags; resolves to its
 * violations, each as one readable line per element. */
async function axeViolations(page) {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags } }).then((r) => r.violations),
    AXE_TAGS,
  );
  return violations.flatMap((v) =>
    v.nodes.map((n) => `${v.id} (${v.impact}): ${v.help} at ${n.target.join(" ")}: ${n.failureSummary}`),
  );
}

/** Paths (from the page's address) of the links inside `selector`, in order. */
async function linkPaths(page, selector) {
  return page.$$eval(selector, (links) => links.map((a) => new URL(a.href, document.baseURI).pathname));
}

module.exports = {
  assert,
  AXE_TAGS,
  BASE_PATH,
  HEIGHT,
  REPO,
  WIDTHS,
  axeViolations,
  launch,
  linkPaths,
  openPage,
  serveStatic,
  siteDir,
  tesseraBin,
  unexpectedProblems,
};
