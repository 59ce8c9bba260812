// Runs one search against a built Pagefind bundle, the way the search page does, and
// prints what it found as JSON. Used by tests/testsuite/search.rs.
//
//   node query.mjs BUNDLE_DIR '{"term": "word", "filters": {"Stage": "Test"}}'
//   node query.mjs http://127.0.0.1:PORT/pagefind/ '{"term": "word"}'
//
// prints {"urls": [...], "titles": [...], "filters": {name: {value: count}}}. A bundle on
// disk is read from there: `fetch` is given file: URLs, which Node's own fetch refuses. A
// served bundle (`tessera serve`) is fetched over HTTP, pagefind.js included (Node imports
// no module from http:, so it is imported from its text).
import { readFile } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";

const [bundle, request] = process.argv.slice(2);
const { term = null, filters = {} } = JSON.parse(request);

const networkFetch = globalThis.fetch;
globalThis.fetch = async (url, init) => {
  const address = new URL(url);
  if (address.protocol !== "file:") return networkFetch(url, init);
  return new Response(await readFile(fileURLToPath(address)));
};

const served = /^https?:/.test(bundle);
const base = (served ? bundle : pathToFileURL(bundle).href).replace(/\/?$/, "/");
const pagefind = served
  ? await importText(await (await networkFetch(base + "pagefind.js")).text())
  : await import(base + "pagefind.js");
await pagefind.options({ basePath: base, baseUrl: "/", noWorker: true });
const search = await pagefind.search(term, { filters });
const results = await Promise.all(search.results.map((result) => result.data()));
console.log(
  JSON.stringify({
    urls: results.map((r) => r.url),
    titles: results.map((r) => r.meta.title),
    filters: await pagefind.filters(),
  }),
);

function importText(source) {
  return import("data:text/javascript;base64," + Buffer.from(source).toString("base64"));
}
