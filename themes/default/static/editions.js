/* tessera default theme: "you are reading an older edition" banner.
 *
 * The page carries its own edition and the address of the shared index of editions
 * (`[editions] index_url` in site.toml, e.g. ../editions.json beside every edition's
 * folder). When the index names a newer edition marked latest, the banner says so and
 * links to it. Without JavaScript, or when the index cannot be read (a local folder),
 * nothing is shown: the footer links the other editions anyway.
 */
(function () {
  "use strict";

  var banner = document.getElementById("edition-banner");
  if (!banner || !window.fetch) return;
  var own = Number(banner.getAttribute("data-edition"));
  var index = banner.getAttribute("data-index");
  if (!index || !own) return;

  fetch(index, { credentials: "same-origin" })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (data) {
      if (!data || !Array.isArray(data.editions)) return;
      var latest = data.editions.filter(function (e) { return e.latest; })[0];
      if (!latest || !latest.url || Number(latest.edition) <= own) return;
      var text = document.createElement("p");
      text.appendChild(document.createTextNode("You are reading the " + own + " edition; "));
      var link = document.createElement("a");
      link.href = latest.url;
      link.textContent = "the " + latest.edition + " edition is here";
      text.appendChild(link);
      text.appendChild(document.createTextNode("."));
      banner.appendChild(text);
      banner.hidden = false;
    })
    .catch(function () { /* no index: the footer still links every edition */ });
})();
