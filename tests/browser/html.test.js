// The Nu HTML Checker (vnu-jar, run with Java) over every HTML file of the built sample:
// zero errors. Warnings are printed but do not fail the suite.
"use strict";

const { execFileSync, spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const { test } = require("node:test");
const vnu = String(require("vnu-jar"));
const { assert, siteDir } = require("./support.js");

function htmlFiles(dir) {
  return fs.readdirSync(dir, { recursive: true }).filter((f) => f.endsWith(".html")).map((f) => path.join(dir, f));
}

test("the Nu HTML checker finds no error in any page of the built site", () => {
  const files = htmlFiles(siteDir());
  assert.ok(files.length > 100, `the built sample has its pages (found ${files.length} HTML files)`);
  execFileSync("java", ["-version"], { stdio: "ignore" });
  const run = spawnSync("java", ["-jar", vnu, "--errors-only", "--format", "gnu", ...files], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(run.error, undefined, `could not run java: ${run.error}`);
  const errors = run.stderr.split("\n").filter((line) => line.trim() !== "");
  assert.deepEqual(errors, [], `vnu reported errors in ${files.length} files`);
  assert.equal(run.status, 0, "vnu's exit status");
});
