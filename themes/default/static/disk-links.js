/* tessera default theme: browsing a build opened from disk (progressive enhancement).
 *
 * Links inside the site end in "/" (case-studies/), which a web server answers with the
 * folder's index.html but a browser reading files from disk (file:) shows as a folder
 * listing. Opened from disk, this makes every relative link to a folder name its
 * index.html, so a default build browses page to page. On a web server it does nothing.
 * `tessera build --portable` writes such links in the first place, without JavaScript.
 */
(function () {
  "use strict";

  if (window.location.protocol !== "file:") return;

  // Relative links only: not "https:", "mailto:", "//host" or "#anchor".
  var external = /^(?:[a-z][a-z0-9+.-]*:|\/\/|#)/i;

  function toIndex(link) {
    var href = link.getAttribute("href");
    if (!href || external.test(href)) return;
    var split = href.match(/^([^?#]*)(.*)$/);
    var path = split[1];
    if (path === "") return;
    if (path.slice(-1) === "/") {
      link.setAttribute("href", path + "index.html" + split[2]);
    } else if (/(?:^|\/)\.\.?$/.test(path)) {
      link.setAttribute("href", path + "/index.html" + split[2]);
    }
  }

  Array.prototype.forEach.call(document.querySelectorAll("a[href]"), toIndex);
  // Links a script adds later are fixed as they are followed.
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    if (link) toIndex(link);
  }, true);
})();
