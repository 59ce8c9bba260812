// Every page kind of the built sample, at 1280 and 375 px: it loads with no console error,
// no uncaught exception and no failed request, and axe-core finds no WCAG 2.2 A/AA
// violation, and no page is wider than the window; axe again in the dark colour scheme.
// Pages marked `screenshot` are photographed into docs/screenshots/.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { after, before, describe, test } = require("node:test");
const { assert, REPO, WIDTHS, axeViolations, launch, openPage, serveStatic, siteDir, unexpectedProblems } = require(
  "./support.js",
);
const PAGES = require("./pages.js");

const SHOTS = path.join(REPO, "docs", "screenshots");

/** The first screen of the page, or with `screenshot: {from, height}` the `height` px of the
 * page from the element `from` on (the part of a long page worth showing). */
async function screenshot(page, kind, width) {
  fs.mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${kind.name}-${width}.png`);
  const { from, height } = kind.screenshot;
  if (!from) return page.screenshot({ path: file });
  const top = await page.locator(from).first().evaluate((e) => e.getBoundingClientRect().top + window.scrollY);
  const total = await page.evaluate(() => document.documentElement.scrollHeight);
  const y = Math.max(0, Math.round(top) - 16);
  await page.screenshot({ path: file, fullPage: true, clip: { x: 0, y, width, height: Math.min(height, total - y) } });
}

for (const width of WIDTHS) {
  describe(`every page kind at ${width} px`, () => {
    let browser, server;
    before(async () => {
      [browser, server] = await Promise.all([launch(), serveStatic(siteDir())]);
    });
    after(async () => {
      await browser?.close();
      await server?.close();
    });

    for (const kind of PAGES) {
      test(`${kind.name} (/${kind.path}) loads cleanly and passes axe`, async () => {
        const page = await openPage(browser, width);
        try {
          const url = server.url + kind.path;
          const response = await page.goto(url, { waitUntil: "networkidle" });
          assert.equal(response.status(), kind.status || 200, `status of ${url}`);
          const title = await page.locator("h1").first().textContent();
          assert.ok(title.trim().length > 0, "the page has a non-empty <h1>");
          assert.deepEqual(unexpectedProblems(page, { status: kind.status, url }), [], "console errors or failed requests");
          assert.deepEqual(await axeViolations(page), [], "axe-core violations");
          const wide = await page.evaluate(() => document.documentElement.scrollWidth);
          assert.ok(wide <= width, `the page fits the window's width (${wide} px wide at ${width} px)`);
          if (kind.screenshot) await screenshot(page, kind, width);
        } finally {
          await page.close();
        }
      });
    }
  });
}

// The default theme has a dark colour scheme (prefers-color-scheme: dark): its contrast
// and the rest of axe's checks, at the desktop width.
describe("every page kind in the dark colour scheme at 1280 px", () => {
  let browser, server;
  before(async () => {
    [browser, server] = await Promise.all([launch(), serveStatic(siteDir())]);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const kind of PAGES) {
    test(`${kind.name} (/${kind.path}) passes axe in the dark`, async () => {
      const page = await openPage(browser, 1280, { colorScheme: "dark" });
      try {
        await page.goto(server.url + kind.path, { waitUntil: "networkidle" });
        assert.ok(await page.evaluate(() => matchMedia("(prefers-color-scheme: dark)").matches));
        assert.deepEqual(await axeViolations(page), [], "axe-core violations");
      } finally {
        await page.close();
      }
    });
  }
});
