// Every page kind the suite opens, one line each: `name` (also the screenshot's file name),
// `path` under the site's root, and optionally `status` (the HTTP status the page is served
// with, when not 200) and `screenshot` (written to docs/screenshots/NAME-WIDTH.png at both
// widths: `true` for the first screen, `{from: "selector", height}` for the `height` px of
// the page from that element down).
// A new kind of page (/references/, /data/, /print/, /changes/…) is one more line here.
"use strict";

module.exports = [
  { name: "home", path: "", screenshot: true },
  { name: "case-studies", path: "case-studies/", screenshot: true },
  { name: "case-study", path: "case-studies/family-safeguarding/", screenshot: true },
  { name: "themes", path: "themes/" },
  { name: "theme", path: "themes/workforce/", screenshot: true },
  { name: "claims", path: "claims/" },
  { name: "claim", path: "claims/improves-placement-stability/" },
  { name: "contested-claim", path: "claims/reduces-care-entry/", screenshot: { from: ".balance", height: 1100 } },
  { name: "contradictions", path: "contradictions/", screenshot: true },
  { name: "map", path: "map/", screenshot: true },
  { name: "map-cell", path: "map/whole-system-reform/scale/" },
  { name: "facet", path: "stage/" },
  { name: "facet-value", path: "stage/scale/" },
  { name: "search", path: "search/", screenshot: true },
  { name: "content-page", path: "about/" },
  { name: "references", path: "references/" },
  { name: "print", path: "print/" },
  { name: "changes", path: "changes/" },
  { name: "data", path: "data/" },
  { name: "not-found", path: "no-such-page/", status: 404 },
];
