/* xxgeo: projects known only to an area (township, park, village, the county), drawn as one counted circle per
 * area that opens the list of its projects — never as pins that look exact (xxgeo/mapping/areas.py).
 * Every value from the data is inserted as text (xxgeo.esc), never as HTML. Needs xxgeo-map.js. */
(function () {
  "use strict";
  var xx = (window.xxgeo = window.xxgeo || {});

  function size(n) { return Math.round(24 + Math.min(22, Math.log(n + 1) * 5)); }

  function listHtml(g, words) {
    var esc = xx.esc;
    var head = words.list_head.replace("{name}", esc(g.name)).replace("{n}", String(g.n));
    var items = g.items.map(function (it) {
      return '<li class="' + (g.highlight && it === g.items[0] ? "xx-area-item xx-area-item-hl" : "xx-area-item") +
        '" data-id="' + esc(it[0]) + '"><b>' + esc(it[1]) + '</b> <span class="xx-area-id">' + esc(it[0]) +
        "</span>" + (it[2] ? ' <span class="xx-prec">(' + esc(it[2]) + ")</span>" : "") + "</li>";
    });
    var more = g.more ? '<p class="xx-area-more">' + esc(words.more.replace("{n}", String(g.more))) + "</p>" : "";
    return '<div class="xx-pop xx-area-pop"><h4>' + head + '</h4><p class="xx-note">' + esc(words.not_exact) +
      '</p><ol class="xx-area-list">' + items.join("") + "</ol>" + more + "</div>";
  }

  /* groups: [{key, kind, name, lon, lat, n, more, highlight, items: [[id, name, precision label]]}] */
  xx.areaCounts = function (groups, words) {
    var group = L.featureGroup(), opened = null;
    groups.forEach(function (g) {
      var s = size(g.n);
      var icon = L.divIcon({
        className: "xx-area xx-area-" + xx.esc(g.kind) + (g.highlight ? " xx-area-lit" : ""),
        html: '<span style="width:' + s + "px;height:" + s + "px;line-height:" + s + 'px">' + g.n + "</span>",
        // a park's circle sits just below-right of its point, so it does not hide its township's circle at the seat
        iconSize: [s, s], iconAnchor: g.kind === "park" ? [-2, -2] : [s / 2, s / 2]
      });
      var m = L.marker([g.lat, g.lon], { icon: icon, keyboard: false, riseOnHover: true,
                                         zIndexOffset: g.kind === "county" ? -100 : 0 });
      m.bindTooltip(xx.esc(g.name) + " · " + g.n + " " + xx.esc(words.count_unit) +
                    ' <span class="xx-prec">(' + xx.esc(words.not_exact) + ")</span>", { direction: "top" });
      m.bindPopup(function () { return listHtml(g, words); }, { maxWidth: 380, maxHeight: 320 });
      m.xxArea = g;
      group.addLayer(m);
      if (g.highlight) {
        group.addLayer(xx.ring([g.lat, g.lon]));
        if (!opened) opened = m;
      }
    });
    if (opened) {
      group.on("add", function () { setTimeout(function () { if (opened._map) opened.openPopup(); }, 0); });
    }
    group.xxAreas = groups;
    return group;
  };
})();
