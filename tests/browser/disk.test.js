// A default (not --portable) build opened from disk, as the README's newcomer does: every
// link on the home page, and every navigation link of a page two folders down, opens a real
// page of the site, never a folder listing.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { fileURLToPath, pathToFileURL } = require("node:url");
const { after, before, test } = require("node:test");
const { assert, launch, openPage, siteDir } = require("./support.js");

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const fileUrl = (rel) => pathToFileURL(path.join(siteDir(), rel)).href;

/** Follows, one by one, every link inside the site that `selector` finds on `start`, by
 * clicking it as a reader would, and checks each lands on a page of the site (a link to a
 * file that is not a page, like cite.bib, must name an existing file). */
async function followLinks(start, selector) {
  const page = await openPage(browser, 1280);
  try {
    await page.goto(start);
    const count = await page.locator(selector).count();
    assert.ok(count > 5, `${selector} on ${start} has links (${count})`);
    const visited = [];
    for (let i = 0; i < count; i++) {
      await page.goto(start);
      const link = page.locator(selector).nth(i);
      const href = await link.getAttribute("href");
      if (/^(?:[a-z]+:|#)/i.test(href)) continue;
      // A link to a file that is not a page (cite.bib, atom.xml) must name a file that exists.
      const target = new URL(href, start);
      if (/\.[a-z0-9]+$/i.test(target.pathname) && !target.pathname.endsWith(".html")) {
        assert.ok(fs.statSync(fileURLToPath(target)).isFile(), `${href} names a file of the site`);
        continue;
      }
      await link.scrollIntoViewIfNeeded();
      await Promise.all([page.waitForEvent("load"), link.click()]);
      const url = new URL(page.url());
      assert.equal(url.protocol, "file:", `${href} stays on disk`);
      assert.match(url.pathname, /\.html$/, `${href} opens a file, not a folder (${url.pathname})`);
      assert.equal(await page.locator("header.site-header").count(), 1, `${href} opens a page of the site`);
      assert.ok((await page.locator("h1").first().textContent()).trim(), `${href} opens a page with a title`);
      visited.push(url.pathname);
    }
    return visited;
  } finally {
    await page.close();
  }
}

test("from disk, every link on the home page opens a page of the site", async () => {
  const visited = await followLinks(fileUrl("index.html"), "a[href]");
  assert.ok(visited.some((p) => p.endsWith("/case-studies/index.html")), "Case studies is among them");
  assert.ok(visited.some((p) => p.endsWith("/map/index.html")), "the evidence map is among them");
});

test("from disk, every navigation link of a case study opens a page of the site", async () => {
  const visited = await followLinks(
    fileUrl("case-studies/family-safeguarding/index.html"),
    "header a[href], nav a[href], footer a[href]",
  );
  assert.ok(visited.some((p) => p === new URL(fileUrl("index.html")).pathname), "the home link opens index.html");
});
