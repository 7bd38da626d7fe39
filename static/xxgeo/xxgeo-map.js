/* xxgeo map runtime: draws spec-driven layers on a canvas renderer with escaped tooltips and popups.
 * No dependencies but Leaflet. Every value from the data is inserted as text (esc), never as HTML. */
(function () {
  "use strict";
  var xx = (window.xxgeo = window.xxgeo || {});

  function esc(v) {
    return String(v)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }
  xx.esc = esc;

  /* An expanded layer control sizes itself by reading the layout (offsetTop) the moment it is added, which
   * forces a synchronous layout of the whole page in the middle of building it. Show it expanded at once (a
   * class only) and check its height against the map's after the first frame instead. */
  L.Control.Layers.include({
    _expandIfNotCollapsed: function () {
      if (!this._map || this.options.collapsed) return this;
      L.DomUtil.addClass(this._container, "leaflet-control-layers-expanded");
      var self = this;
      if (!this._xxExpandQueued) {
        this._xxExpandQueued = true;
        requestAnimationFrame(function () { setTimeout(function () { self._xxExpandQueued = false; if (self._map) self.expand(); }, 0); });
      }
      return this;
    }
  });

  /* The one display rule for an empty value (None, NaN, "" arrive as null or ""): 未注明 / not stated. */
  function isBlank(v) { return v === null || v === undefined || v === "" || (typeof v === "number" && isNaN(v)); }
  function na(lang) { return '<span class="xx-na">' + (lang === "en" ? "not stated" : "未注明") + "</span>"; }
  xx.isBlank = isBlank;
  xx.na = na;

  function fmt(v, unit, lang) {
    if (isBlank(v)) return na(lang);
    var s = typeof v === "number" ? v.toLocaleString("zh-CN", { maximumFractionDigits: 3 }) : String(v);
    return esc(s) + (unit ? " " + esc(unit) : "");
  }

  function table(props, fields, lang) {
    var rows = fields.map(function (f) {
      return "<tr><th>" + esc(f[1]) + "</th><td>" + fmt(props[f[0]], f[2], lang) + "</td></tr>";
    });
    return '<table class="xx-popup">' + rows.join("") + "</table>";
  }
  xx.table = table;

  /* Shape markers: circle, square, square45, diamond, triangle, triangle-down, pentagon, hexagon, star, cross. */
  function shapePoints(shape, r) {
    var pts = [], i, a, n;
    function poly(n, rot, rr) {
      var out = [];
      for (i = 0; i < n; i++) {
        a = rot + (i * 2 * Math.PI) / n;
        out.push([rr * Math.cos(a), rr * Math.sin(a)]);
      }
      return out;
    }
    switch (shape) {
      case "square": return poly(4, Math.PI / 4, r * 1.25);
      case "square45": case "diamond": return poly(4, 0, r * 1.3);
      case "triangle": return poly(3, -Math.PI / 2, r * 1.45);
      case "triangle-down": return poly(3, Math.PI / 2, r * 1.45);
      case "pentagon": return poly(5, -Math.PI / 2, r * 1.2);
      case "hexagon": return poly(6, 0, r * 1.15);
      case "star":
        n = 5;
        for (i = 0; i < 2 * n; i++) {
          a = -Math.PI / 2 + (i * Math.PI) / n;
          var rr = i % 2 ? r * 0.6 : r * 1.5;
          pts.push([rr * Math.cos(a), rr * Math.sin(a)]);
        }
        return pts;
      case "cross":
        var w = r * 0.45, L = r * 1.3;
        return [[-w, -L], [w, -L], [w, -w], [L, -w], [L, w], [w, w], [w, L], [-w, L], [-w, w], [-L, w], [-L, -w], [-w, -w]];
      default: return null;
    }
  }
  xx.shapePoints = shapePoints;

  var ShapeMarker = L.CircleMarker.extend({
    options: { shape: "circle" },
    _updatePath: function () {
      var pts = shapePoints(this.options.shape, this._radius);
      if (!pts || !(this._renderer instanceof L.Canvas)) return L.CircleMarker.prototype._updatePath.call(this);
      var r = this._renderer, ctx = r._ctx, p = this._point;
      if (!r._drawing || this._empty()) return;
      ctx.beginPath();
      for (var i = 0; i < pts.length; i++) ctx[i ? "lineTo" : "moveTo"](p.x + pts[i][0], p.y + pts[i][1]);
      ctx.closePath();
      r._fillStroke(ctx, this);
    }
  });
  xx.ShapeMarker = ShapeMarker;

  function styleFor(spec, props) {
    var s = Object.assign({}, spec.style || {});
    if (spec.class_field && spec.classes) {
      var c = spec.classes[props[spec.class_field]];
      if (c) Object.assign(s, c);
    }
    if (props._schematic && s.schematic) Object.assign(s, s.schematic);
    if (props._fill) { s.fill = true; s.fill_color = props._fill; s.fill_opacity = props._fill_opacity || 0.7; }
    if (props._highlight) { s.weight = (s.weight || 1) + 2.5; s.color = "#e31a1c"; if (s.radius) s.radius += 3; }
    return {
      color: s.color || "#333", weight: s.weight === undefined ? 1 : s.weight, opacity: s.opacity === undefined ? 1 : s.opacity,
      fill: s.fill !== false, fillColor: s.fill_color || s.color || "#333",
      fillOpacity: s.fill_opacity === undefined ? 0.85 : s.fill_opacity, dashArray: s.dash_array || null,
      radius: s.radius || 6, shape: s.shape || "circle", labelSuffix: s.label_suffix || "", labelSuffixEn: s.label_suffix_en || ""
    };
  }

  /* data: GeoJSON FeatureCollection; spec: {style, classes, class_field, label_field, tooltip:[[f,label,unit]], popup:[...]}. */
  xx.specLayer = function (data, spec, opts) {
    opts = opts || {};
    var lang = opts.lang || "zh";
    // one canvas for every vector layer of the page: each extra full-size canvas costs a composite per frame
    var renderer = opts.renderer || (xx._renderer = xx._renderer || L.canvas({ padding: 0.1 }));
    var group = L.featureGroup();
    var labels = [];
    var layer = L.geoJSON(data, {
      renderer: renderer,
      interactive: spec.interactive !== false,
      style: function (f) { return styleFor(spec, f.properties); },
      pointToLayer: function (f, latlng) {
        var st = styleFor(spec, f.properties);
        st.renderer = renderer;
        return new ShapeMarker(latlng, st);
      },
      onEachFeature: function (f, lyr) {
        var p = f.properties || {};
        if (spec.interactive === false) return;
        if (spec.tooltip && spec.tooltip.length) {
          var tip = spec.tooltip.map(function (t) { return isBlank(p[t[0]]) ? "" : esc(p[t[0]]); })
            .filter(function (s) { return s; }).join(" · ");
          if (p._precision_label) tip += ' <span class="xx-prec">(' + esc(p._precision_label) + ")</span>";
          if (p._value_label) tip += "<br>" + esc(p._value_label);
          lyr.bindTooltip(tip, { sticky: true });
        }
        if (spec.popup && spec.popup.length) {
          lyr.bindPopup(function () {
            var head = p[spec.popup[0][0]];
            return '<div class="xx-pop"><h4>' + esc(isBlank(head) ? "" : head) + "</h4>" +
              table(p, spec.popup.slice(1), lang) + (p._note ? '<p class="xx-note">' + esc(p._note) + "</p>" : "") + "</div>";
          }, { maxWidth: 420 });
        }
        lyr.feature_id = p._id;
      }
    });
    group.addLayer(layer);
    // the highlighted feature (a project picked in a table): a ring above every canvas layer, drawn on top of
    // its own layer, and its popup open once the map shows it
    var opened = null;
    layer.eachLayer(function (lyr) {
      var p = lyr.feature.properties || {};
      if (!p._highlight) return;
      if (lyr.getLatLng) group.addLayer(xx.ring(lyr.getLatLng()));
      else if (lyr.feature.geometry && lyr.feature.geometry.type === "MultiPoint") {
        lyr.eachLayer(function (part) { group.addLayer(xx.ring(part.getLatLng())); }); // every place of it
      }
      if (p._open) opened = lyr;
    });
    if (opened) {
      group.on("add", function () {
        if (opened.bringToFront) opened.bringToFront();
        setTimeout(function () { if (opened._map || opened.getLayers) opened.openPopup(); }, 0);
      });
    }
    if (spec.label_field) {
      layer.eachLayer(function (lyr) {
        var p = lyr.feature.properties, st = styleFor(spec, p);
        if (!p[spec.label_field]) return;
        var text = esc(p[spec.label_field]) + (p._schematic ? esc(lang === "en" ? st.labelSuffixEn : st.labelSuffix) : "");
        var at = p._label_at ? L.latLng(p._label_at[1], p._label_at[0]) : lyr.getBounds().getCenter();
        labels.push(L.marker(at, {
          interactive: false, keyboard: false,
          icon: L.divIcon({ className: "xx-label xx-label-" + esc(spec.layer), html: "<span>" + text + "</span>", iconSize: null })
        }));
      });
      labels.forEach(function (m) { group.addLayer(m); });
    }
    group.xxLayer = layer;
    return group;
  };

  /* The ring marking the highlighted feature: an HTML marker, so it sits above every canvas drawing. */
  xx.ring = function (latlng) {
    return L.marker(latlng, {
      interactive: false, keyboard: false, zIndexOffset: 1000,
      icon: L.divIcon({ className: "xx-hl", html: "<span></span>", iconSize: [26, 26], iconAnchor: [13, 13] })
    });
  };

  /* Zoom to a feature by id across the xxgeo layers of a map. */
  xx.focus = function (map, layers, id) {
    for (var i = 0; i < layers.length; i++) {
      var found = null;
      layers[i].xxLayer.eachLayer(function (l) { if (l.feature_id === id) found = l; });
      if (found) {
        if (found.getBounds) map.fitBounds(found.getBounds(), { maxZoom: 14 });
        else map.setView(found.getLatLng(), 14);
        found.openPopup && found.openPopup();
        return true;
      }
    }
    return false;
  };
})();
