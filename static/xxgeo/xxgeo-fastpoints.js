/* xxgeo fast points: many thousands of projects drawn on one canvas, every point reachable.
 * Payload: quantised, delta + zigzag + varint coded coordinates and columnar attributes, each gzip'd and
 * base64'd; the browser inflates them with DecompressionStream. Names and popup columns are inflated only
 * when first needed (hover or click). Every value shown is escaped. */
(function () {
  "use strict";
  var xx = (window.xxgeo = window.xxgeo || {});
  var esc = xx.esc; // from xxgeo-map.js, always loaded first (mapping.JS_ASSETS)
  function b64bytes(s) {
    var bin = atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  function inflate(s) {
    var stream = new Blob([b64bytes(s)]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).arrayBuffer().then(function (b) { return new Uint8Array(b); });
  }
  function varints(bytes, n) {
    var out = new Int32Array(n), pos = 0;
    for (var i = 0; i < n; i++) {
      var shift = 0, v = 0, b;
      do { b = bytes[pos++]; v += (b & 0x7f) * Math.pow(2, shift); shift += 7; } while (b & 0x80);
      out[i] = v % 2 ? -(v + 1) / 2 : v / 2; // zigzag
    }
    return out;
  }
  function strings(bytes) { return new TextDecoder().decode(bytes).split("\u0000"); }

  var FastPoints = L.Layer.extend({
    initialize: function (payload, opts) {
      this._p = payload; this._o = opts || {}; this._cols = {}; this._ready = false;
    },
    onAdd: function (map) {
      this._map = map;
      var c = (this._canvas = L.DomUtil.create("canvas", "xx-fast leaflet-zoom-hide"));
      c.style.pointerEvents = "none";
      map.getPanes().overlayPane.appendChild(c);
      map.on("moveend zoomend resize viewreset", this._redraw, this);
      map.on("mousemove", this._hover, this);
      map.on("click", this._click, this);
      var self = this;
      window.__xxFastStart = performance.now();
      this._decode().then(function () {
        window.__xxFastDecoded = performance.now(); self._ready = true; self._redraw(); self.fire("drawn");
        window.__xxFastDrawn = performance.now();
        requestAnimationFrame(function () { requestAnimationFrame(function () { window.__xxFastPainted = performance.now(); }); });
      });
    },
    onRemove: function (map) {
      L.DomUtil.remove(this._canvas);
      map.off("moveend zoomend resize viewreset", this._redraw, this);
      map.off("mousemove", this._hover, this); map.off("click", this._click, this);
      if (this._tip) map.removeLayer(this._tip);
    },
    _decode: function () {
      var p = this._p, self = this;
      return Promise.all([inflate(p.xy), inflate(p.cat)]).then(function (r) {
        var d = varints(r[0], 2 * p.n), n = p.n, x = 0, y = 0;
        var px = (self._px = new Float64Array(n)), py = (self._py = new Float64Array(n));
        // Web Mercator pixels at zoom 0 (256 px world), inline: no object per point
        var D = Math.PI / 180, MAXLAT = 85.0511287798;
        for (var i = 0; i < n; i++) {
          x += d[2 * i]; y += d[2 * i + 1];
          var lon = p.origin[0] + x * p.step, lat = Math.max(-MAXLAT, Math.min(MAXLAT, p.origin[1] + y * p.step));
          var s = Math.sin(lat * D);
          px[i] = 128 + lon * (256 / 360);
          py[i] = 128 - (128 / Math.PI) * 0.5 * Math.log((1 + s) / (1 - s));
        }
        self._cat = r[1];
      });
    },
    column: function (name) {
      var self = this;
      if (!this._cols[name]) this._cols[name] = inflate(this._p.cols[name]).then(strings);
      return this._cols[name];
    },
    _redraw: function () {
      if (!this._ready) return;
      var map = this._map, size = map.getSize(), c = this._canvas, ratio = window.devicePixelRatio || 1;
      var topLeft = map.containerPointToLayerPoint([0, 0]);
      L.DomUtil.setPosition(c, topLeft);
      c.width = size.x * ratio; c.height = size.y * ratio;
      c.style.width = size.x + "px"; c.style.height = size.y + "px";
      // Points are written straight into one ImageData (no vector path to rasterise at paint time:
      // 100k rectangles as a path cost far more to paint than to record).
      var ctx = c.getContext("2d"), W = c.width, H = c.height;
      var img = ctx.createImageData(W, H), buf = new Uint32Array(img.data.buffer);
      var scale = Math.pow(2, map.getZoom()), origin = map.getPixelOrigin().add(topLeft);
      var r = map.getZoom() >= 13 ? 4 : map.getZoom() >= 11 ? 3 : 2, cell = 8;
      var grid = (this._grid = new Map()), px = this._px, py = this._py, cat = this._cat;
      var cols32 = this._p.colors.map(function (h) {
        var v = parseInt(h.slice(1), 16);
        return (0xff000000 | ((v & 0xff) << 16) | (v & 0xff00) | ((v >> 16) & 0xff)) >>> 0;
      });
      var white = 0xffffffff, R = Math.round(r * ratio), B = r >= 3 ? Math.max(1, Math.round(ratio)) : 0;
      function block(X, Y, h, col) {
        var x0 = Math.max(0, X - h), x1 = Math.min(W, X + h), y0 = Math.max(0, Y - h), y1 = Math.min(H, Y + h);
        for (var yy = y0; yy < y1; yy++) buf.fill(col, yy * W + x0, yy * W + x1);
      }
      var drawn = 0;
      for (var i = 0; i < this._p.n; i++) {
        var sx = px[i] * scale - origin.x, sy = py[i] * scale - origin.y;
        if (sx < -r || sy < -r || sx > size.x + r || sy > size.y + r) continue;
        var X = Math.round(sx * ratio), Y = Math.round(sy * ratio);
        if (B) block(X, Y, R + B, white);
        block(X, Y, R, cols32[cat[i]]);
        drawn++;
        var k = ((sx / cell) | 0) * 100003 + ((sy / cell) | 0), list = grid.get(k);
        if (list) list.push(i); else grid.set(k, [i]);
      }
      ctx.putImageData(img, 0, 0);
      this._drawnCount = drawn;
      this._scale = scale; this._origin = origin; this._cell = cell;
    },
    _near: function (cp) {
      if (!this._ready || !this._grid) return [];
      var cell = this._cell, out = [], cx = (cp.x / cell) | 0, cy = (cp.y / cell) | 0, R = 7;
      for (var gx = cx - 1; gx <= cx + 1; gx++) for (var gy = cy - 1; gy <= cy + 1; gy++) {
        var list = this._grid.get(gx * 100003 + gy); if (!list) continue;
        for (var t = 0; t < list.length; t++) {
          var i = list[t], dx = this._px[i] * this._scale - this._origin.x - cp.x, dy = this._py[i] * this._scale - this._origin.y - cp.y;
          var d = dx * dx + dy * dy; if (d <= R * R) out.push([d, i]);
        }
      }
      out.sort(function (a, b) { return a[0] - b[0]; });
      return out.map(function (e) { return e[1]; });
    },
    _label: function (i, names) {
      return esc(names[i]) + " · " + esc(this._p.categories[this._cat[i]]);
    },
    _hover: function (e) {
      var hits = this._near(e.containerPoint), map = this._map, self = this;
      if (!hits.length) { if (this._tip) { map.removeLayer(this._tip); this._tip = null; } return; }
      this.column("name").then(function (names) {
        var html = self._label(hits[0], names) + (hits.length > 1 ? "<br><small>此处重叠 " + hits.length + " 个项目，点击查看或放大</small>" : "");
        if (!self._tip) self._tip = L.tooltip({ direction: "top", offset: [0, -6], className: "xx-fast-tip" });
        self._tip.setLatLng(e.latlng).setContent(html);
        if (!map.hasLayer(self._tip)) self._tip.addTo(map);
      });
    },
    _click: function (e) {
      var hits = this._near(e.containerPoint), map = this._map, self = this;
      if (!hits.length) return;
      var fields = this._p.popup; // [[col, label, unit]]
      Promise.all(fields.map(function (f) { return self.column(f[0]); })).then(function (cols) {
        var parts = hits.slice(0, 10).map(function (i) {
          return "<table class='xx-popup'>" + fields.map(function (f, k) {
            var v = cols[k][i];
            return "<tr><th>" + esc(f[1]) + "</th><td>" + (v === "" ? "<span class='xx-na'>未注明</span>" : esc(v) + (f[2] ? " " + esc(f[2]) : "")) + "</td></tr>";
          }).join("") + "</table>";
        });
        var more = hits.length > 10 ? "<p class='xx-note'>此处另有 " + (hits.length - 10) + " 个项目，请放大查看</p>" : "";
        L.popup({ maxWidth: 420, maxHeight: 360 }).setLatLng(e.latlng).setContent(parts.join("<hr>") + more).openOn(map);
      });
    }
  });
  xx.fastPoints = function (payload, opts) { return new FastPoints(payload, opts); };
})();
