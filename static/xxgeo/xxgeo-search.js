/* xxgeo: place search on the map, offline. The index (xxgeo/mapping/search.py) carries each entry's keys in
 * the compared form (no spaces, quotes or brackets, lower case; a township also by its short name, without
 * 镇/乡/街道); here a typed text is put in the same form and ranked: exact, prefix, substring, the entry's
 * key inside the text, the typed characters in order. Picking an entry flies the map there.
 * Every value from the data is inserted as text (xxgeo.esc), never as HTML. Needs xxgeo-map.js. */
(function () {
  "use strict";
  var xx = (window.xxgeo = window.xxgeo || {});
  var STRIP = /[\s"'\u201c\u201d\u2018\u2019\u300c\u300d\u300e\u300f\u300a\u300b()\uff08\uff09]/g;
  var ORDER = { township: 0, park: 1, village: 2, scenic_sites: 3, places: 4, roads: 5, projects: 6 };

  function key(s) { return String(s === null || s === undefined ? "" : s).replace(STRIP, "").toLowerCase(); }
  xx.searchKey = key;

  function inOrder(q, k) {
    var i = 0;
    for (var j = 0; j < k.length && i < q.length; j++) if (k.charAt(j) === q.charAt(i)) i++;
    return i === q.length;
  }

  function score(q, keys) {
    var best = 9;
    for (var i = 0; i < keys.length; i++) {
      var k = keys[i], s = 9;
      if (k === q) s = 0;
      else if (k.indexOf(q) === 0) s = 1;
      else if (k.indexOf(q) > 0) s = 2;
      else if (k.length >= 2 && q.indexOf(k) >= 0) s = 3;
      else if (q.length >= 2 && inOrder(q, k)) s = 4;
      if (s < best) best = s;
    }
    return best;
  }

  /* the entries matching ``text``, best first (at most ``max``) */
  xx.searchPlaces = function (index, text, max) {
    var q = key(text);
    if (!q) return [];
    var hits = [];
    for (var i = 0; i < index.length; i++) {
      var s = score(q, index[i].keys);
      if (s < 9) hits.push([s, ORDER[index[i].k] === undefined ? 9 : ORDER[index[i].k], index[i].n.length, i]);
    }
    hits.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || a[3] - b[3]; });
    return hits.slice(0, max || 8).map(function (h) { return index[h[3]]; });
  };

  xx.searchMaps = xx.searchMaps || [];

  xx.placeSearch = function (map, index, words) {
    var esc = xx.esc, found = null;
    var ctl = L.control({ position: "topleft" });
    ctl.onAdd = function () {
      var div = L.DomUtil.create("div", "xx-search leaflet-bar");
      var input = L.DomUtil.create("input", "xx-search-input", div);
      input.type = "search";
      input.placeholder = words.placeholder;
      input.setAttribute("aria-label", words.label);
      input.title = words.hint;
      var list = L.DomUtil.create("ul", "xx-search-list", div);
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      var results = [];

      function go(entry) {
        list.innerHTML = "";
        input.value = entry.n;
        if (found) map.removeLayer(found);
        found = L.marker([entry.at[1], entry.at[0]], {
          interactive: false, keyboard: false, zIndexOffset: 900,
          icon: L.divIcon({ className: "xx-found", html: "<span></span>", iconSize: [30, 30], iconAnchor: [15, 15] })
        }).addTo(map);
        div.setAttribute("data-found", "");
        map.once("moveend", function () { div.setAttribute("data-found", entry.n); });
        if (entry.bounds) map.flyToBounds(entry.bounds, { maxZoom: 15, duration: 0.6 });
        else map.flyTo([entry.at[1], entry.at[0]], Math.max(map.getZoom(), 15), { duration: 0.6 });
      }

      function show() {
        results = xx.searchPlaces(index, input.value, 8);
        if (!key(input.value)) { list.innerHTML = ""; return; }
        if (!results.length) {
          list.innerHTML = '<li class="xx-search-none">' + esc(words.none.replace("{q}", input.value)) + "</li>";
          return;
        }
        list.innerHTML = results.map(function (r, i) {
          return '<li class="xx-search-hit" data-i="' + i + '"><b>' + esc(r.n) + '</b> <span class="xx-search-kind">' +
            esc(r.l) + "</span></li>";
        }).join("");
      }

      L.DomEvent.on(input, "input", show);
      L.DomEvent.on(input, "keydown", function (e) {
        if (e.key === "Enter") { show(); if (results.length) go(results[0]); L.DomEvent.preventDefault(e); }
        if (e.key === "Escape") { list.innerHTML = ""; }
      });
      L.DomEvent.on(list, "click", function (e) {
        var li = e.target.closest ? e.target.closest(".xx-search-hit") : null;
        if (li) go(results[+li.getAttribute("data-i")]);
      });
      return div;
    };
    ctl.addTo(map);
    xx.searchMaps.push(map);
    return ctl;
  };
})();
