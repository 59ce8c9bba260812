// Runs one search against a built Pagefind bundle, the way the search page does, and
// prints what it found as JSON. Used by tests/testsuite/search.rs.
//
//   node query.mjs BUNDLE_DIR '{"term": "word", "filters": {"Stage": "Test"}}'
//
// prints {"urls": [...], "titles": [...], "filters": {name: {value: count}}}. The bundle's
// files are read from disk: `fetch` is given file: URLs, which Node's own fetch refuses.
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

const base = pathToFileURL(bundle).href.replace(/\/?$/, "/");
const pagefind = await import(base + "pagefind.js");
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
