// `tessera serve` in a real browser: an edit to a case study shows in the page already open,
// without anyone reloading it. Runs on a temporary copy of the sample review.
"use strict";

const { spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { test } = require("node:test");
const { assert, REPO, launch, openPage, tesseraBin, unexpectedProblems } = require("./support.js");

function copySample() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-browser-serve-"));
  // The review's inputs: site.toml names files in editions/ (the previous edition's snapshot).
  for (const entry of ["site.toml", "content", "themes", "editions", "templates", "static"]) {
    if (fs.existsSync(path.join(REPO, entry))) {
      fs.cpSync(path.join(REPO, entry), path.join(dir, entry), { recursive: true });
    }
  }
  return dir;
}

/** Starts `tessera serve` on a free port; resolves to `{url, stop()}` once it serves. */
function startServe(root) {
  const child = spawn(tesseraBin(), ["serve", "--root", root, "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start in 60 s:\n${output}`)), 60_000);
    child.stderr.on("data", (d) => (output += d));
    child.stdout.on("data", (d) => {
      output += d;
      const m = output.match(/Serving .* at (http:\/\/\S+) /);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1],
          output: () => output,
          stop: async () => {
            child.kill("SIGINT");
            return exited;
          },
        });
      }
    });
    exited.then(({ code }) => reject(new Error(`serve exited with ${code} before serving:\n${output}`)));
  });
}

/**
 * Runs `body(browser, serve, root)` against `tessera serve` on a copy of the sample review,
 * then closes the browser, stops the server (which must exit cleanly on Ctrl-C) and
 * removes the copy.
 */
async function withServe(body) {
  const root = copySample();
  const browser = await launch();
  const serve = await startServe(root);
  try {
    await body(browser, serve, root);
  } finally {
    await browser.close();
    const { code } = await serve.stop();
    fs.rmSync(root, { recursive: true, force: true });
    assert.equal(code, 0, "serve stops cleanly on Ctrl-C");
  }
}

test("in tessera serve, an edit to a case study shows in the open page without a manual reload", async () => {
  await withServe(async (browser, serve, root) => {
    const page = await openPage(browser, 1280);
    const connected = page.waitForResponse((r) => r.url().endsWith("/__tessera/events"));
    await page.goto(serve.url + "case-studies/pause/", { waitUntil: "load" });
    await connected;
    const marker = `Browser suite marker ${Date.now()}`;
    assert.ok(!(await page.locator("article .prose").textContent()).includes(marker));

    const file = path.join(root, "content", "case-studies", "pause.md");
    fs.appendFileSync(file, `\n\n${marker}: this paragraph was added while the page was open.\n`);
    await page.locator("article .prose p", { hasText: marker }).waitFor({ timeout: 20_000 });
    assert.match(serve.output(), /Changed content\/case-studies\/pause\.md/);

    // The reload closes the open event stream, which the browser reports as aborted.
    const problems = unexpectedProblems(page).filter(
      (p) => !(p.kind === "request failed" && p.url.endsWith("/__tessera/events")),
    );
    assert.deepEqual(problems, [], "console errors or failed requests");
    await page.close();
  });
});

test("in tessera serve, the search page says while the index is being built, then searches", async () => {
  await withServe(async (browser, serve) => {
    const page = await openPage(browser, 1280);
    // The sample's index is ready within a second or so: hold its status at "building"
    // until the page has shown the notice, so that state is seen every time.
    let building = true;
    await page.route("**/__tessera/search", (route) =>
      building
        ? route.fulfill({ contentType: "application/json", body: '{"state":"building"}' })
        : route.continue(),
    );
    await page.goto(serve.url + "search/", { waitUntil: "load" });
    const notice = page.locator("#search-building");
    await notice.waitFor({ state: "visible" });
    assert.equal((await notice.textContent()).trim(), "The search index is being built; search starts here when it is ready.");
    building = false;

    const input = page.getByRole("textbox", { name: "Search" });
    await input.waitFor({ timeout: 60_000 });
    assert.ok(await notice.isHidden(), "the notice goes once the index is ready");
    await input.fill("psychologist");
    const results = page.locator(".pagefind-ui__result-title");
    await results.first().waitFor();
    await page.waitForLoadState("networkidle");
    const titles = (await results.allTextContents()).map((t) => t.trim());
    assert.ok(titles.includes("No Wrong Door"), `results: ${titles.join(", ")}`);
    assert.deepEqual(unexpectedProblems(page), [], "console errors or failed requests");
    await page.close();
  });
});
