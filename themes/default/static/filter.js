/* tessera default theme: case-study filters (progressive enhancement, no dependencies).
 *
 * Without JavaScript the filter form stays hidden and the full list is readable.
 * With it, the form is shown; ticking values hides the cards that do not match.
 * Within a group (one facet) a card matches ANY ticked value; across groups it must
 * match them ALL. Cards carry `data-<facet>="slug1 slug2"` and `data-new="true"`.
 * The state is kept in the URL query (?stage=scale&new=true&q=text) so it can be shared.
 */
(function () {
  "use strict";

  var panel = document.getElementById("filters");
  var form = document.getElementById("filter-form");
  var list = document.getElementById("case-study-list");
  if (!panel || !form || !list || !window.URLSearchParams) return;

  var status = document.getElementById("filter-status");
  var empty = document.getElementById("filter-empty");
  var search = document.getElementById("filter-text");
  var cards = Array.prototype.slice.call(list.querySelectorAll("[data-filter-item]"));
  var total = cards.length;
  var groups = Array.prototype.slice.call(form.querySelectorAll("fieldset[data-facet]"));

  function plural(n) {
    return n === 1 ? "case study" : "case studies";
  }

  function tokens(card, facet) {
    var value = card.getAttribute("data-" + facet);
    return value ? value.split(/\s+/) : [];
  }

  // Which values are ticked, per facet: [{facet, values: [...]}] (only groups with ticks).
  function selection() {
    return groups.map(function (group) {
      var ticked = group.querySelectorAll("input:checked");
      return {
        facet: group.getAttribute("data-facet"),
        values: Array.prototype.map.call(ticked, function (input) { return input.value; })
      };
    }).filter(function (s) { return s.values.length > 0; });
  }

  function matches(card, chosen, query) {
    for (var i = 0; i < chosen.length; i++) {
      var have = tokens(card, chosen[i].facet);
      var any = chosen[i].values.some(function (v) { return have.indexOf(v) !== -1; });
      if (!any) return false;
    }
    return !query || card.textContent.toLowerCase().indexOf(query) !== -1;
  }

  function apply(updateUrl) {
    var chosen = selection();
    var query = search ? search.value.trim().toLowerCase() : "";
    var shown = 0;
    cards.forEach(function (card) {
      var ok = matches(card, chosen, query);
      var item = card.closest("li") || card;
      item.hidden = !ok;
      if (ok) shown++;
    });
    if (status) status.textContent = shown + " of " + total + " " + plural(total) + " shown";
    if (empty) empty.hidden = shown !== 0;
    if (updateUrl && window.history && history.replaceState) {
      var params = new URLSearchParams();
      chosen.forEach(function (s) { s.values.forEach(function (v) { params.append(s.facet, v); }); });
      if (query) params.set("q", search.value.trim());
      var qs = params.toString();
      history.replaceState(null, "", window.location.pathname + (qs ? "?" + qs : "") + window.location.hash);
    }
  }

  // Restore a shared state from the URL.
  var initial = new URLSearchParams(window.location.search);
  groups.forEach(function (group) {
    var wanted = initial.getAll(group.getAttribute("data-facet"));
    Array.prototype.forEach.call(group.querySelectorAll("input[type=checkbox]"), function (input) {
      input.checked = wanted.indexOf(input.value) !== -1;
    });
  });
  if (search && initial.get("q")) search.value = initial.get("q");

  var timer = null;
  form.addEventListener("change", function () { apply(true); });
  form.addEventListener("input", function (event) {
    if (event.target !== search) return;
    clearTimeout(timer);
    timer = setTimeout(function () { apply(true); }, 200);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    apply(true);
  });
  form.addEventListener("reset", function () {
    // The reset happens after this event: apply once the form is cleared.
    setTimeout(function () { apply(true); }, 0);
  });

  // Fill the status before showing the panel, so loading the page announces nothing.
  apply(false);
  panel.hidden = false;
})();
