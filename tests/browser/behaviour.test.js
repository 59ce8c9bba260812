// What a reader does with the built sample, in the browser: filter the case studies, search,
// read a contested claim at both widths, follow the evidence map, and get around with the
// keyboard alone.
"use strict";

const { after, before, describe, test } = require("node:test");
const { assert, launch, linkPaths, openPage, serveStatic, siteDir, unexpectedProblems } = require("./support.js");

let browser, server;
before(async () => {
  [browser, server] = await Promise.all([launch(), serveStatic(siteDir())]);
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/** Opens `path` at `width`, runs `body(page)`, then checks the page met no error. */
async function withPage(path, width, body) {
  const page = await openPage(browser, width);
  try {
    await page.goto(server.url + path, { waitUntil: "networkidle" });
    await body(page);
    assert.deepEqual(unexpectedProblems(page), [], "console errors or failed requests");
  } finally {
    await page.close();
  }
}

/** Paths of the links inside `selector` on the page at `url`, fetched by the open page and
 * parsed (not rendered: quicker than opening each of many pages). */
function linksOnPage(page, url, selector) {
  return page.evaluate(
    async ([url, selector]) => {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
      const doc = new DOMParser().parseFromString(await response.text(), "text/html");
      return [...doc.querySelectorAll(selector)].map((a) => new URL(a.getAttribute("href"), url).pathname);
    },
    [url, selector],
  );
}

/** Titles of the case-study cards the filters leave visible. */
function visibleCards(page) {
  return page.$$eval("#case-study-list > li:not([hidden]) .card-title", (els) => els.map((e) => e.textContent.trim()));
}

test("the home page leads with the evidence: above the fold at 1280 × 800", async () => {
  await withPage("", 1280, async (page) => {
    const fold = 800;
    const bottom = (locator) => locator.evaluate((e) => e.getBoundingClientRect().bottom);
    const main = page.locator("main");
    for (const [what, locator] of [
      ["the title", main.locator("h1")],
      ["the one-sentence purpose", main.locator(".lead").first()],
      ["the counts", main.locator(".stats")],
      ["the contested claims' heading", main.getByRole("heading", { name: "Where the evidence disagrees" })],
      ["the way into the map", main.getByRole("link", { name: "Evidence map" })],
      ["the way into the case studies", main.getByRole("link", { name: "Case studies", exact: true })],
    ]) {
      assert.equal(await locator.count(), 1, `${what} is on the page once`);
      assert.ok((await bottom(locator)) <= fold, `${what} is above the fold`);
    }
    const contested = main.locator(".home-contested .glance");
    assert.ok((await contested.count()) >= 1, "contested claims are shown");
    for (const claim of await contested.all()) {
      const title = await claim.locator("h3").textContent();
      assert.ok((await bottom(claim)) <= fold, `the contested claim "${title.trim()}" and its balance are above the fold`);
    }
    const about = main.getByRole("heading", { name: "About this review" });
    assert.ok((await about.evaluate((e) => e.getBoundingClientRect().top)) > fold, "the longer introduction follows");
  });
});

test("a facet filter narrows the case-studies list, and the URL keeps it across a reload", async () => {
  await withPage("case-studies/", 1280, async (page) => {
    const all = await visibleCards(page);
    assert.ok(all.length > 5, `the full list shows (${all.length})`);
    await page.getByRole("group", { name: "Stage" }).getByLabel("Scale", { exact: true }).check();
    const scaled = await visibleCards(page);
    const expected = await page.$$eval('#case-study-list [data-filter-item][data-stage~="scale"] .card-title', (els) =>
      els.map((e) => e.textContent.trim()),
    );
    assert.ok(scaled.length > 0 && scaled.length < all.length, `the list narrows (${scaled.length} of ${all.length})`);
    assert.deepEqual(scaled, expected, "exactly the case studies at the Scale stage are shown");
    assert.match(await page.locator("#filter-status").textContent(), new RegExp(`^${scaled.length} of ${all.length} `));
    assert.equal(new URL(page.url()).searchParams.get("stage"), "scale", "the URL records the filter");

    await page.reload({ waitUntil: "networkidle" });
    assert.ok(await page.getByRole("group", { name: "Stage" }).getByLabel("Scale", { exact: true }).isChecked());
    assert.deepEqual(await visibleCards(page), scaled, "the same list after a reload");
  });
});

test("search finds a case study by a word only in its body, and narrows by a theme", async () => {
  const word = "psychologist";
  await withPage("case-studies/no-wrong-door/", 1280, async (page) => {
    const body = (await page.locator("article .prose").textContent()).toLowerCase();
    const head = (await page.locator("article header").textContent()).toLowerCase();
    assert.ok(body.includes(word) && !head.includes(word), `"${word}" is in No Wrong Door's body, not its header`);
  });
  await withPage("search/", 1280, async (page) => {
    const input = page.getByRole("textbox", { name: "Search" });
    await input.fill(word);
    const results = page.locator(".pagefind-ui__result-title");
    await results.first().waitFor();
    assert.ok((await results.allTextContents()).map((t) => t.trim()).includes("No Wrong Door"));

    await input.fill("evaluation");
    await page.locator(".pagefind-ui__message", { hasText: "evaluation" }).waitFor();
    await page.waitForLoadState("networkidle");
    const before = await countResults(page);
    await page.locator(".pagefind-ui__filter-name", { hasText: /^Theme$/ }).click();
    const workforce = page.locator('input.pagefind-ui__filter-checkbox[name="Theme"][value="Workforce"]');
    // Pagefind draws its own box over the (transparent) checkbox: a reader clicks the label.
    await page.locator(`label[for="${await workforce.getAttribute("id")}"]`).click();
    assert.ok(await workforce.isChecked(), "the Workforce theme is ticked");
    await page.waitForFunction((n) => {
      const m = document.querySelector(".pagefind-ui__message");
      return m && parseInt(m.textContent, 10) !== n;
    }, before);
    const after = await countResults(page);
    assert.ok(after > 0 && after < before, `the Workforce theme narrows the results (${after} of ${before})`);
    await page.waitForLoadState("networkidle");
    const links = await page.locator(".pagefind-ui__result-link").evaluateAll((as) => as.map((a) => a.href));
    for (const href of links) {
      const html = await (await fetch(href)).text();
      assert.match(html, /data-pagefind-filter="Theme">Workforce</, `${href} is a Workforce page`);
    }
  });
});

async function countResults(page) {
  const text = await page.locator(".pagefind-ui__message").textContent();
  return parseInt(text, 10);
}

describe("a contested claim's columns", () => {
  const columns = (page) =>
    page.$$eval(".columns > .column", (cols) =>
      cols.map((c) => {
        const r = c.getBoundingClientRect();
        const h = c.querySelector("h2").getBoundingClientRect();
        return { top: r.top, bottom: r.bottom, left: r.left, heading: c.querySelector("h2").textContent.trim(), headingTop: h.top - r.top, headingHeight: h.height };
      }),
    );

  test("sit side by side at 1280 px", async () => {
    await withPage("claims/reduces-care-entry/", 1280, async (page) => {
      const cols = await columns(page);
      assert.deepEqual(cols.map((c) => c.heading.split(" ")[0]), ["Supports", "Mixed", "Challenges"]);
      assert.ok(cols.every((c) => Math.abs(c.top - cols[0].top) < 2), "the three columns start at the same height");
      assert.ok(cols[0].left < cols[1].left && cols[1].left < cols[2].left, "left to right: supports, mixed, challenges");
    });
  });

  test("stack at 375 px, each under its heading", async () => {
    await withPage("claims/reduces-care-entry/", 375, async (page) => {
      const cols = await columns(page);
      assert.deepEqual(cols.map((c) => c.heading.split(" ")[0]), ["Supports", "Mixed", "Challenges"]);
      for (let i = 1; i < cols.length; i++) {
        assert.ok(cols[i].top >= cols[i - 1].bottom - 1, `column ${i + 1} starts below column ${i}`);
      }
      assert.ok(cols.every((c) => c.headingTop < 40 && c.headingHeight > 0), "each column opens with its visible heading");
    });
  });
});

test("every claim's harvest plot has one bar per finding, lettered by a design in its legend", async () => {
  await withPage("claims/", 1280, async (page) => {
    const claims = await linkPaths(page, ".claim-card .card-title a");
    assert.ok(claims.length > 10, `the claims are listed (${claims.length})`);
    for (const claim of claims) {
      const seen = await page.evaluate(async (url) => {
        const document = new DOMParser().parseFromString(await (await fetch(url)).text(), "text/html");
        const bars = [...document.querySelectorAll("article.claim .harvest-bar")];
        const legend = document.querySelector("article.claim .harvest-legend")?.textContent || "";
        return {
          bars: bars.length,
          findings: document.querySelectorAll("article.claim .finding").length,
          rows: document.querySelectorAll("article.claim .harvest-table tbody tr").length,
          unexplained: bars
            .map((b) => b.querySelector("text").textContent)
            .filter((letter) => letter !== "–" && !new RegExp(`\\b${letter}\\u00a0`).test(legend)),
          untitled: bars.filter((b) => !b.querySelector("title")?.textContent.trim()).length,
        };
      }, new URL(claim, page.url()).href);
      assert.ok(seen.findings > 0, `${claim} shows its findings`);
      assert.equal(seen.bars, seen.findings, `${claim}: one bar per finding`);
      assert.equal(seen.rows, seen.findings, `${claim}: one row of the text equivalent per finding`);
      assert.deepEqual(seen.unexplained, [], `${claim}: every letter is in the legend`);
      assert.equal(seen.untitled, 0, `${claim}: every bar says what it is on hover`);
    }
  });
});

test("the harvest plot's text equivalent is hidden on screen and printed", async () => {
  await withPage("claims/reduces-care-entry/", 1280, async (page) => {
    const table = page.locator(".balance .harvest-table");
    const size = () => table.evaluate((t) => t.getBoundingClientRect().width * t.getBoundingClientRect().height);
    assert.ok((await size()) <= 1, "on screen the table takes no room");
    await page.emulateMedia({ media: "print" });
    assert.ok((await size()) > 1000, "in print the table is laid out");
    assert.ok(await page.locator(".balance .harvest-table tbody tr").first().isVisible(), "and its rows show");
  });
});

test("every map cell links to exactly its case studies", async () => {
  await withPage("map/", 1280, async (page) => {
    const cells = await page.$$eval(".evidence-map tbody tr", (rows) => {
      const cols = [...document.querySelectorAll(".evidence-map thead th a")].map((a) => a.href);
      return rows.flatMap((tr) => {
        const rowHref = tr.querySelector("th a").href;
        return [...tr.querySelectorAll("td")].map((td, j) => ({
          row: rowHref,
          column: cols[j],
          href: td.querySelector("a")?.href || null,
          count: parseInt(td.querySelector(".cell-count")?.textContent || "0", 10),
        }));
      });
    });
    assert.ok(cells.filter((c) => c.href).length > 5, "the map has linked cells");
    // What each row's theme page and each column's stage page list, read from the pages
    // themselves: a cell must list exactly the case studies on both.
    const listed = new Map();
    const caseStudiesOn = async (url, selector) => {
      if (!listed.has(url)) listed.set(url, new Set(await linksOnPage(page, url, selector)));
      return listed.get(url);
    };
    for (const cell of cells) {
      const inRow = await caseStudiesOn(cell.row, 'section[aria-labelledby="cs-heading"] .ref-list a');
      const inColumn = await caseStudiesOn(cell.column, ".row-list > li > a");
      const expected = [...inRow].filter((p) => inColumn.has(p)).sort();
      assert.equal(cell.count, expected.length, `count shown in the cell ${cell.href || cell.row + " × " + cell.column}`);
      if (!cell.href) continue;
      const got = (await linksOnPage(page, cell.href, 'section[aria-labelledby="cell-cs-heading"] .ref-list a')).sort();
      assert.deepEqual(got, expected, `the case studies of ${cell.href}`);
    }
    // And a reader's click on a cell opens that cell's page.
    await Promise.all([page.waitForURL(cells.find((c) => c.href).href), page.locator(".evidence-map td a").first().click()]);
    await page.waitForLoadState("networkidle");
  });
});

/** Tabs through the page from its start (up to `limit` presses), recording for each stop
 * the focused element's key and whether its focus can be seen (outline or ring). */
async function tabThrough(page, limit) {
  const stops = [];
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press("Tab");
    const stop = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const s = getComputedStyle(el);
      const ring = (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) || (s.boxShadow && s.boxShadow !== "none");
      const r = el.getBoundingClientRect();
      return { key: el.id || el.getAttribute("href") || el.className || el.tagName, ring, shown: r.width > 0 && r.height > 0 };
    });
    if (!stop) break;
    stops.push(stop);
  }
  return stops;
}

function assertReached(stops, keys, what) {
  for (const key of keys) {
    const stop = stops.find((s) => s.key === key);
    assert.ok(stop, `${what}: the keyboard reaches ${key}`);
    assert.ok(stop.ring && stop.shown, `${what}: ${key} shows where the focus is`);
  }
}

describe("the keyboard", () => {
  test("reaches every case-study filter, with a visible focus", async () => {
    await withPage("case-studies/", 1280, async (page) => {
      const ids = await page.$$eval("#filter-form input", (els) => els.map((e) => e.id));
      assert.ok(ids.length > 10, `the filters are shown (${ids.length} inputs)`);
      assertReached(await tabThrough(page, 150), ids, "filters");
    });
  });

  test("reaches the search box, with a visible focus", async () => {
    await withPage("search/", 1280, async (page) => {
      const box = await page.getByRole("textbox", { name: "Search" }).evaluate((e) => e.id || e.className);
      assertReached(await tabThrough(page, 30), [box], "search");
    });
  });

  test("reaches the evidence map and every cell, with a visible focus", async () => {
    await withPage("map/", 1280, async (page) => {
      const links = await page.$$eval(".evidence-map td a", (as) => as.map((a) => a.getAttribute("href")));
      const region = await page.$eval(".table-scroll", (e) => e.className);
      assertReached(await tabThrough(page, 120), [region, ...links], "map");
    });
  });

  for (const width of [1280, 375]) {
    test(`skip link at ${width} px: first Tab shows it, Enter moves past the navigation`, async () => {
      await withPage("claims/reduces-care-entry/", width, async (page) => {
        await page.keyboard.press("Tab");
        const skip = page.locator(".skip-link");
        assert.ok(await skip.evaluate((e) => e === document.activeElement), "the first Tab focuses the skip link");
        const box = await skip.boundingBox();
        assert.ok(box && box.y >= 0 && box.y + box.height <= 800, "the focused skip link is on screen");
        await page.keyboard.press("Enter");
        // The fragment navigation lands a moment after the key press on a busy machine.
        await page.waitForURL((url) => url.hash === "#main", { timeout: 5000 }).catch(() => {});
        assert.equal(new URL(page.url()).hash, "#main");
        assert.ok(await page.evaluate(() => document.activeElement.id === "main"), "focus moves to the main content");
        await page.keyboard.press("Tab");
        assert.ok(
          await page.evaluate(() => document.getElementById("main").contains(document.activeElement)),
          "the next Tab lands inside the main content, not the navigation",
        );
      });
    });
  }
});
