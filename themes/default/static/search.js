/* tessera default theme: the search page (progressive enhancement, no other dependencies).
 *
 * Starts Pagefind's default search UI (pagefind/pagefind-ui.js, which `tessera build` writes
 * when search is on) in #search, once the index is known to load. Without JavaScript the
 * page's <noscript> text says search needs it; when the index cannot be loaded (the site
 * opened from a folder on disk, or built without search) #search-unavailable says so.
 * The result count is repeated in a polite live region for screen readers, and
 * `search/?q=words` starts a search, so a search can be linked to.
 *
 * Under `tessera serve`, which builds the index in the background after each change, the
 * page first asks serve whether the index is ready (`window.tesseraServe.searchStatus`,
 * set by the script serve adds to every page); until it is, #search-building says so.
 */
(function () {
  "use strict";

  var container = document.getElementById("search");
  var unavailable = document.getElementById("search-unavailable");
  var building = document.getElementById("search-building");
  if (!container || !unavailable) return;

  function fail() {
    unavailable.hidden = false;
  }

  if (typeof window.PagefindUI !== "function" || !window.fetch || !window.URL || !window.URLSearchParams) {
    fail();
    return;
  }

  // The bundle's address, made absolute: Pagefind loads its files relative to it.
  var bundle = new URL(container.getAttribute("data-bundle") || "pagefind/", document.baseURI);

  function announceResults() {
    var live = document.createElement("p");
    live.className = "visually-hidden";
    live.setAttribute("role", "status");
    container.parentNode.insertBefore(live, container.nextSibling);
    var last = "";
    var timer = null;
    new MutationObserver(function () {
      clearTimeout(timer);
      // Wait for the results to settle, so each search is announced once.
      timer = setTimeout(function () {
        var message = container.querySelector(".pagefind-ui__message");
        var text = message ? message.textContent.trim() : "";
        if (text !== last) {
          last = text;
          live.textContent = text;
        }
      }, 600);
    }).observe(container, { childList: true, subtree: true, characterData: true });
  }

  function start() {
    fetch(new URL("pagefind-entry.json", bundle).href)
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function () {
        var ui = new window.PagefindUI({
          element: "#search",
          bundlePath: bundle.pathname,
          showSubResults: true,
          showImages: false,
          excerptLength: 30
        });
        announceResults();
        var query = new URLSearchParams(window.location.search).get("q");
        if (query) ui.triggerSearch(query);
      })
      .catch(fail);
  }

  // Under serve: start once the index of the site being served is ready.
  function whenIndexed(status) {
    fetch(status, { cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (index) {
        if (index.state === "building") {
          if (building) building.hidden = false;
          setTimeout(function () { whenIndexed(status); }, 1000);
          return;
        }
        if (building) building.hidden = true;
        if (index.state === "ready") start();
        else fail();
      })
      .catch(fail);
  }

  var serve = window.tesseraServe;
  if (serve && serve.searchStatus) whenIndexed(serve.searchStatus);
  else start();
})();
