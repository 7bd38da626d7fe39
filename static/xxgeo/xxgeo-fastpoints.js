/* xxgeo fast points: many thousands of projects drawn on one canvas, every point reachable.
 * Payload: quantised, delta + zigzag + varint coded coordinates and columnar attributes, each gzip'd and
 * base64'd; the browser inflates them with DecompressionStream. Names and popup columns are inflated only
 * when first needed (hover or click). Every value shown is escaped.
 *
 * Two modes. Inline: the page carries one payload (the exported file, the benchmark). Tiled (the app, large
 * libraries): the page carries counts per grid cell (drawn as bubbles that say how many they hold) and an
 * index of data tiles (z, x, y, count); the tiles in view are fetched only once their points fit a budget,
 * so what the browser receives is bounded by what can be seen, not by the size of the library. */
(function () {
  "use strict";
  var xx = (window.xxgeo = window.xxgeo || {});
  var esc = xx.esc; // from xxgeo-map.js, always loaded first (mapping.JS_ASSETS)
  var D = Math.PI / 180, MAXLAT = 85.0511287798;

  function b64bytes(s) {
    var bin = atob(s), n = bin.length, out = new Uint8Array(n);
    for (var i = 0; i < n; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  function inflate(s) {
    var stream = new Blob([b64bytes(s)]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).arrayBuffer().then(function (b) { return new Uint8Array(b); });
  }
  function strings(bytes) { return new TextDecoder().decode(bytes).split("\u0000"); }
  function mercX(lon) { return 128 + lon * (256 / 360); }
  function mercY(lat) {
    var s = Math.sin(Math.max(-MAXLAT, Math.min(MAXLAT, lat)) * D);
    return 128 - (64 / Math.PI) * Math.log((1 + s) / (1 - s));
  }

  /* One payload -> a chunk, synchronously: Web Mercator pixels at zoom 0 (256 px world) and one category
   * byte per point, no object per point. Coordinates are plain varints (not gzip'd) so this runs in the task
   * that builds the map and the first frame already holds every point. */
  function decodeChunk(p) {
    var bytes = b64bytes(p.xy), n = p.n, px = new Float64Array(n), py = new Float64Array(n);
    var pos = 0, x = 0, y = 0, b, v, s, ox = p.origin[0], oy = p.origin[1], step = p.step;
    for (var i = 0; i < n; i++) {
      b = bytes[pos++]; v = b & 0x7f; s = 128;
      while (b & 0x80) { b = bytes[pos++]; v += (b & 0x7f) * s; s *= 128; }
      x += v % 2 ? -(v + 1) / 2 : v / 2; // zigzag
      b = bytes[pos++]; v = b & 0x7f; s = 128;
      while (b & 0x80) { b = bytes[pos++]; v += (b & 0x7f) * s; s *= 128; }
      y += v % 2 ? -(v + 1) / 2 : v / 2;
      px[i] = mercX(ox + x * step);
      py[i] = mercY(oy + y * step);
    }
    var raw = b64bytes(p.cat), cat = raw;
    if (p.catbits === 4) {
      cat = new Uint8Array(n);
      for (i = 0; i < n; i++) cat[i] = i & 1 ? raw[i >> 1] >> 4 : raw[i >> 1] & 0x0f;
    }
    return { p: p, n: n, px: px, py: py, cat: cat, cols: {} };
  }
  function column(chunk, name) {
    var c = chunk.p.cols[name];
    if (!chunk.cols[name]) {
      chunk.cols[name] = typeof c === "string" ? inflate(c).then(strings)
        : Promise.resolve(new Array(chunk.n).fill(c.all)); // one value for every point, sent once
    }
    return chunk.cols[name];
  }
  function rgba32(h) {
    var v = parseInt(h.slice(1), 16);
    return (0xff000000 | ((v & 0xff) << 16) | (v & 0xff00) | ((v >> 16) & 0xff)) >>> 0;
  }

  var FastPoints = L.Layer.extend({
    initialize: function (payload, opts) {
      this._p = payload; this._o = opts || {}; this._chunks = []; this._ready = false;
      this._tiled = !!payload.tiles; this._loaded = {}; this._loading = {};
    },
    /* The points are drawn into an offscreen canvas and composited into the canvas renderer that every vector
     * layer of the page shares (xxgeo-map.js), as its last "path": one canvas on screen instead of two (each
     * full-size canvas costs a copy to the compositor every frame), and the points follow zoom animations. */
    onAdd: function (map) {
      this._map = map;
      var r = (this._renderer = xx._renderer || (xx._renderer = L.canvas({ padding: 0.1 })));
      if (!map.hasLayer(r)) map.addLayer(r);
      this._canvas = this._canvas || document.createElement("canvas");
      var self = this;
      this._path = this._path || {
        options: { interactive: false }, _pxBounds: null,
        _project: function () {}, _reset: function () {}, _containsPoint: function () { return false; },
        _update: function () { self._redraw(true); }, // the renderer moved or zoomed: it redraws right after
        _updatePath: function () { self._blit(); }
      };
      r._initPath(this._path);
      map.on("layeradd", this._toTop, this);
      map.on("mousemove", this._hover, this);
      // clicks are taken before the vector layers see them (capture phase): a township polygon under a
      // project would otherwise open its own popup and stop the click from ever reaching the map
      this._domClick = L.bind(this._onDomClick, this);
      map.getContainer().addEventListener("click", this._domClick, true);
      xx._fast = xx._fast || []; // the layers of the page, for tests and the console
      if (xx._fast.indexOf(this) < 0) xx._fast.push(this);
      window.__xxFastStart = performance.now();
      if (!this._tiled && !this._chunks.length) this._chunks = [decodeChunk(this._p)];
      window.__xxFastDecoded = performance.now();
      this._ready = true; this._redraw(); this.fire("drawn");
      window.__xxFastDrawn = performance.now();
      if (this._p.highlight) this._showHighlight(this._p.highlight);
    },
    /* The project picked in a table: a ring above the canvas and, when sent, its popup open (the values come
     * with the page, so they show even before the tile holding the point is fetched). */
    _showHighlight: function (h) {
      var map = this._map, at = L.latLng(h.lat, h.lon);
      this._hl = this._hl || L.layerGroup((h.points || [[h.lon, h.lat]]).map(function (q) { return xx.ring(L.latLng(q[1], q[0])); }));
      this._hl.addTo(map);
      if (!h.fields) return;
      var html = "<table class='xx-popup'>" + h.fields.map(function (f, k) {
        var v = h.values[k];
        return "<tr><th>" + esc(f[1]) + "</th><td>" + (v === "" ? "<span class='xx-na'>未注明</span>" : esc(v) + (f[2] ? " " + esc(f[2]) : "")) + "</td></tr>";
      }).join("") + "</table>";
      setTimeout(function () { if (map) L.popup({ maxWidth: 420, maxHeight: 360 }).setLatLng(at).setContent(html).openOn(map); }, 0);
    },
    onRemove: function (map) {
      this._renderer._removePath(this._path);
      map.off("layeradd", this._toTop, this);
      map.off("mousemove", this._hover, this);
      map.getContainer().removeEventListener("click", this._domClick, true);
      if (this._tip) map.removeLayer(this._tip);
      if (this._hl) map.removeLayer(this._hl);
    },
    /* Keep the points above vector layers added after them (a base layer switched on again). */
    _toTop: function () {
      var r = this._renderer, o = this._path._order;
      if (!o || r._drawLast === o) return;
      if (o.prev) o.prev.next = o.next; else r._drawFirst = o.next;
      if (o.next) o.next.prev = o.prev;
      o.prev = r._drawLast; o.next = null; r._drawLast.next = o; r._drawLast = o;
      r._requestRedraw(this._path);
    },
    _blit: function () {
      if (!this._ready || !this._at) return;
      var s = this._size;
      this._renderer._ctx.drawImage(this._canvas, this._at.x, this._at.y, s.x, s.y);
    },
    /* Tiled mode: the summary cells (= data tiles) that intersect the view (zoom-0 pixel box), and their count. */
    _visibleTiles: function (x0, y0, x1, y1) {
      var out = [], total = 0, cells = this._p.summary, w = 256 / Math.pow(2, this._p.tiles.z);
      for (var i = 0; i < cells.length; i++) {
        var t = cells[i], tx = t[0] * w, ty = t[1] * w;
        if (tx > x1 || ty > y1 || tx + w < x0 || ty + w < y0) continue;
        out.push(t); total += t[4];
      }
      return { tiles: out, total: total };
    },
    _key: function (t) { return this._p.tiles.z + "-" + t[0] + "-" + t[1]; },
    _fetchTile: function (t) {
      var key = this._key(t), self = this;
      if (this._loaded[key] || this._loading[key]) return;
      this._loading[key] = fetch(this._p.tiles.url.replace("{key}", key)).then(function (r) {
        if (!r.ok) throw new Error("tile " + key + ": HTTP " + r.status);
        return r.json();
      }).then(function (p) {
        var ch = decodeChunk(p);
        ch.key = key; self._loaded[key] = ch; delete self._loading[key];
        self._tilesFetched = (self._tilesFetched || 0) + 1;
        if (self._map) self._redraw();
      }, function (err) { delete self._loading[key]; self._tileError = String(err); });
    },
    /* Draw the view into the offscreen canvas; unless the renderer is about to redraw anyway, ask it to. */
    _redraw: function (fromRenderer) {
      if (!this._ready || !this._map) return;
      var map = this._map, size = map.getSize(), c = this._canvas, ratio = window.devicePixelRatio || 1;
      var topLeft = map.containerPointToLayerPoint([0, 0]), zoom = map.getZoom();
      this._at = topLeft; this._size = size;
      this._path._pxBounds = L.bounds(topLeft, topLeft.add(size));
      if (fromRenderer !== true && this._path._order) this._renderer._requestRedraw(this._path);
      c.width = size.x * ratio; c.height = size.y * ratio;
      var scale = Math.pow(2, zoom), origin = map.getPixelOrigin().add(topLeft);
      this._scale = scale; this._origin = origin; this._grid = null; this._bubbles = null;
      var chunks = this._chunks;
      if (this._tiled) {
        var vis = this._visibleTiles(origin.x / scale, origin.y / scale, (origin.x + size.x) / scale,
                                     (origin.y + size.y) / scale);
        var pointsMode = vis.total <= this._p.tiles.budget || zoom >= this._p.tiles.max_zoom;
        chunks = [];
        if (pointsMode) {
          for (var t = 0; t < vis.tiles.length; t++) {
            var key = this._key(vis.tiles[t]);
            if (this._loaded[key]) chunks.push(this._loaded[key]); else { pointsMode = false; this._fetchTile(vis.tiles[t]); }
          }
        }
        this._mode = pointsMode ? "points" : "bubbles";
        if (!pointsMode) { this._drawBubbles(c, size, ratio, scale, origin); this._chunksShown = []; return; }
      }
      this._chunksShown = chunks;
      this._drawPoints(c, chunks, size, ratio, zoom, scale, origin);
    },
    // Points are written straight into one ImageData (no vector path to rasterise at paint time:
    // 100k rectangles as a path cost far more to paint than to record).
    _drawPoints: function (c, chunks, size, ratio, zoom, scale, origin) {
      var ctx = c.getContext("2d"), W = c.width, H = c.height;
      var r = zoom >= 13 ? 4 : zoom >= 11 ? 3 : 2, total = 0, k, i, n;
      for (k = 0; k < chunks.length; k++) total += chunks[k].n;
      // first pass: which points are in view, and where
      var visC = new Int32Array(total), visI = new Int32Array(total), visX = new Int32Array(total),
        visY = new Int32Array(total), nv = 0, ox = origin.x, oy = origin.y, maxX = size.x + r, maxY = size.y + r;
      for (k = 0; k < chunks.length; k++) {
        var px = chunks[k].px, py = chunks[k].py;
        for (i = 0, n = chunks[k].n; i < n; i++) {
          var sx = px[i] * scale - ox, sy = py[i] * scale - oy;
          if (sx < -r || sy < -r || sx > maxX || sy > maxY) continue;
          visC[nv] = k; visI[nv] = i; visX[nv] = Math.round(sx * ratio); visY[nv] = Math.round(sy * ratio); nv++;
        }
      }
      // a dense view (more than 20,000 points in it) is drawn with smaller, borderless squares:
      // bordered 6-px squares would only merge into one blot, and cost ~6x the pixel writes
      if (nv > 20000 && r > 2) r -= 1;
      var B = r >= 3 && nv <= 20000 ? Math.max(1, Math.round(ratio)) : 0, R = Math.round(r * ratio), RB = R + B;
      var img = ctx.createImageData(W, H), buf = new Uint32Array(img.data.buffer);
      var cols32 = this._p.colors.map(rgba32), white = 0xffffffff, q, e, yy, x0, x1, y0, y1, X, Y;
      for (var j = 0; j < nv; j++) {
        X = visX[j]; Y = visY[j];
        if (B) {
          x0 = X - RB; x1 = X + RB; y0 = Y - RB; y1 = Y + RB;
          if (x0 < 0) x0 = 0; if (x1 > W) x1 = W; if (y0 < 0) y0 = 0; if (y1 > H) y1 = H;
          for (yy = y0; yy < y1; yy++) for (q = yy * W + x0, e = yy * W + x1; q < e; q++) buf[q] = white;
        }
        var col = cols32[chunks[visC[j]].cat[visI[j]]];
        x0 = X - R; x1 = X + R; y0 = Y - R; y1 = Y + R;
        if (x0 < 0) x0 = 0; if (x1 > W) x1 = W; if (y0 < 0) y0 = 0; if (y1 > H) y1 = H;
        for (yy = y0; yy < y1; yy++) for (q = yy * W + x0, e = yy * W + x1; q < e; q++) buf[q] = col;
      }
      ctx.putImageData(img, 0, 0);
      this._vis = { c: visC, i: visI, n: nv }; this._drawnCount = nv;
    },
    /* Counts per grid cell merged into screen cells: each bubble says how many projects it holds. */
    _drawBubbles: function (c, size, ratio, scale, origin) {
      var cells = this._p.summary, cellPx = 80, groups = new Map(), out = [];
      for (var i = 0; i < cells.length; i++) {
        var sx = mercX(cells[i][2]) * scale - origin.x, sy = mercY(cells[i][3]) * scale - origin.y;
        if (sx < -cellPx || sy < -cellPx || sx > size.x + cellPx || sy > size.y + cellPx) continue;
        var k = Math.floor(sx / cellPx) * 65536 + Math.floor(sy / cellPx), g = groups.get(k), n = cells[i][4];
        if (!g) { g = { x: 0, y: 0, n: 0 }; groups.set(k, g); out.push(g); }
        g.x += sx * n; g.y += sy * n; g.n += n;
      }
      var ctx = c.getContext("2d");
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.font = "bold 12px sans-serif"; ctx.textAlign = "center"; ctx.textBaseline = "middle";
      for (i = 0; i < out.length; i++) {
        var b = out[i], rad = Math.min(24, 10 + 3.5 * Math.log(b.n) / Math.LN10);
        b.x /= b.n; b.y /= b.n; b.r = rad;
        ctx.beginPath(); ctx.arc(b.x, b.y, rad, 0, 2 * Math.PI);
        ctx.fillStyle = "rgba(33,102,172,0.78)"; ctx.fill();
        ctx.lineWidth = 2; ctx.strokeStyle = "#fff"; ctx.stroke();
        ctx.fillStyle = "#fff"; ctx.fillText(b.n >= 10000 ? (b.n / 1000).toFixed(0) + "k" : String(b.n), b.x, b.y);
      }
      this._bubbles = out; this._drawnCount = 0;
    },
    /* The hover index of the drawn points: a screen grid in typed arrays, built on first use after a redraw. */
    _index: function () {
      if (this._grid) return this._grid;
      var size = this._map.getSize(), cell = 8, gw = Math.ceil(size.x / cell) + 3, gh = Math.ceil(size.y / cell) + 3;
      var v = this._vis, chunks = this._chunksShown, starts = new Int32Array(gw * gh + 1), keys = new Int32Array(v.n);
      var scale = this._scale, ox = this._origin.x, oy = this._origin.y, j;
      for (j = 0; j < v.n; j++) {
        var ch = chunks[v.c[j]], i = v.i[j];
        var gx = Math.floor((ch.px[i] * scale - ox) / cell) + 1, gy = Math.floor((ch.py[i] * scale - oy) / cell) + 1;
        gx = gx < 0 ? 0 : gx >= gw ? gw - 1 : gx; gy = gy < 0 ? 0 : gy >= gh ? gh - 1 : gy;
        keys[j] = gy * gw + gx; starts[keys[j] + 1]++;
      }
      for (j = 0; j < gw * gh; j++) starts[j + 1] += starts[j];
      var fill = starts.slice(0, gw * gh), order = new Int32Array(v.n);
      for (j = 0; j < v.n; j++) order[fill[keys[j]]++] = j;
      return (this._grid = { cell: cell, gw: gw, gh: gh, starts: starts, order: order });
    },
    /* Drawn points within 7 px of a container point, nearest first, as [chunk, index] pairs. */
    _near: function (cp) {
      if (!this._ready || !this._vis || this._mode === "bubbles") return [];
      var g = this._index(), out = [], R = 7, v = this._vis, chunks = this._chunksShown;
      var cx = Math.floor(cp.x / g.cell) + 1, cy = Math.floor(cp.y / g.cell) + 1;
      for (var gy = cy - 1; gy <= cy + 1; gy++) for (var gx = cx - 1; gx <= cx + 1; gx++) {
        if (gx < 0 || gy < 0 || gx >= g.gw || gy >= g.gh) continue;
        var k = gy * g.gw + gx;
        for (var t = g.starts[k]; t < g.starts[k + 1]; t++) {
          var j = g.order[t], ch = chunks[v.c[j]], i = v.i[j];
          var dx = ch.px[i] * this._scale - this._origin.x - cp.x, dy = ch.py[i] * this._scale - this._origin.y - cp.y;
          var d = dx * dx + dy * dy; if (d <= R * R) out.push([d, ch, i]);
        }
      }
      out.sort(function (a, b) { return a[0] - b[0]; });
      return out.map(function (e) { return [e[1], e[2]]; });
    },
    _bubbleAt: function (cp) {
      var bs = this._bubbles || [];
      for (var i = 0; i < bs.length; i++) {
        var dx = bs[i].x - cp.x, dy = bs[i].y - cp.y;
        if (dx * dx + dy * dy <= bs[i].r * bs[i].r) return bs[i];
      }
      return null;
    },
    /* The payload's language ("en" or Chinese): the words of tooltips and popups. */
    _en: function () { return this._p && this._p.lang === "en"; },
    _showTip: function (latlng, html) {
      if (!this._tip) this._tip = L.tooltip({ direction: "top", offset: [0, -6], className: "xx-fast-tip" });
      this._tip.setLatLng(latlng).setContent(html);
      if (!this._map.hasLayer(this._tip)) this._tip.addTo(this._map);
    },
    _hover: function (e) {
      var map = this._map, self = this;
      if (this._mode === "bubbles") {
        var b = this._bubbleAt(e.containerPoint);
        if (b) return this._showTip(e.latlng, this._en() ? b.n + " projects here: click to zoom in" :
                                    "此处 " + b.n + " 个项目，点击放大查看");
      }
      var hits = this._near(e.containerPoint);
      if (!hits.length) { if (this._tip) { map.removeLayer(this._tip); this._tip = null; } return; }
      column(hits[0][0], "name").then(function (names) {
        var h = hits[0], html = esc(names[h[1]]) + " · " + esc(self._p.categories[h[0].cat[h[1]]]) +
          (hits.length > 1 ? "<br><small>" + (self._en() ? hits.length + " projects overlap here: click to list them or zoom in"
            : "此处重叠 " + hits.length + " 个项目，点击查看或放大") + "</small>" : "");
        self._showTip(e.latlng, html);
      });
    },
    _onDomClick: function (ev) {
      var map = this._map, t = ev.target;
      if (!map || !this._ready || (t.tagName !== "CANVAS" && t !== map.getContainer())) return; // controls, popups
      if (map.dragging && map.dragging.moved()) return;
      var cp = map.mouseEventToContainerPoint(ev);
      if (this._click({ containerPoint: cp, latlng: map.containerPointToLatLng(cp) })) ev.stopPropagation();
    },
    /* A click on a bubble zooms in to it; on projects, lists up to ten of them. True when it was ours. */
    _click: function (e) {
      var map = this._map, self = this;
      if (this._mode === "bubbles") {
        var b = this._bubbleAt(e.containerPoint);
        if (b) map.setView(map.containerPointToLatLng([b.x, b.y]), Math.min(map.getZoom() + 2, map.getMaxZoom()));
        return !!b;
      }
      var hits = this._near(e.containerPoint);
      if (!hits.length) return false;
      var fields = this._p.popup, shown = hits.slice(0, 10); // [[col, label, unit]]
      var need = [];
      shown.forEach(function (h) { fields.forEach(function (f) { need.push(column(h[0], f[0])); }); });
      var lang = this._p.lang || "zh";
      Promise.all(need).then(function (cols) {
        var parts = shown.map(function (h, s) {
          return "<table class='xx-popup'>" + fields.map(function (f, k) {
            var v = cols[s * fields.length + k][h[1]];
            return "<tr><th>" + esc(f[1]) + "</th><td>" + (xx.isBlank(v) ? xx.na(lang) : esc(v) + (f[2] ? " " + esc(f[2]) : "")) + "</td></tr>";
          }).join("") + "</table>";
        });
        var more = hits.length > 10 ? "<p class='xx-note'>" + (self._en() ? (hits.length - 10) + " more projects here: zoom in to see them"
          : "此处另有 " + (hits.length - 10) + " 个项目，请放大查看") + "</p>" : "";
        L.popup({ maxWidth: 420, maxHeight: 360 }).setLatLng(e.latlng).setContent(parts.join("<hr>") + more).openOn(map);
      });
      return true;
    }
  });
  xx.fastPoints = function (payload, opts) { return new FastPoints(payload, opts); };
})();
