"""Basemap packages (add / list / remove, every format, refusals), providers as data, the package in the map
page, the exported HTML (folder or embedded) and the picture for print. Packages are made here (basemap_packages)."""

from __future__ import annotations

import json
import re
import shutil
import zipfile

import pytest
from basemap_packages import COLOUR, tiles, write_geotiff, write_mbtiles, write_pmtiles, write_zip

from xxgeo.basemaps import Registry, choices, provider, publish, registry_dir, shipped_providers
from xxgeo.basemaps.render import basemap_image
from xxgeo.errors import ImportRefused, NotFound, user_message
from xxgeo.mapping import MapRequest, build_map, map_html


@pytest.fixture
def bounds(dataset):
    return tuple(float(v) for v in dataset["county"].total_bounds)


@pytest.fixture
def reg(tmp_path, monkeypatch):
    monkeypatch.setenv("XXGEO_STORE", str(tmp_path / "s.gpkg"))
    return Registry(registry_dir())


def test_registry_sits_beside_the_store(tmp_path, monkeypatch):
    monkeypatch.setenv("XXGEO_STORE", str(tmp_path / "a.gpkg"))
    assert registry_dir() == tmp_path / "a.gpkg.basemaps"
    pg = registry_dir("postgresql://u:secret@h/db")
    assert "secret" not in str(pg) and pg != registry_dir("postgresql://u:secret@h/other")
    monkeypatch.setenv("XXGEO_BASEMAPS", str(tmp_path / "elsewhere"))
    assert registry_dir() == tmp_path / "elsewhere"


@pytest.mark.parametrize("fmt", ["mbtiles", "pmtiles", "zip", "folder", "geotiff", "dem"])
def test_each_format_is_added_listed_and_removed(reg, tmp_path, bounds, fmt):
    t = tiles(bounds, zooms=(8, 9))
    if fmt == "mbtiles":
        src = write_mbtiles(tmp_path / "p.mbtiles", t)
    elif fmt == "pmtiles":
        src = write_pmtiles(tmp_path / "p.pmtiles", t)
    elif fmt == "zip":
        src = write_zip(tmp_path / "p.zip", t)
    elif fmt == "folder":
        src = tmp_path / "xyz"
        for (z, x, y), d in t.items():
            (src / str(z) / str(x)).mkdir(parents=True, exist_ok=True)
            (src / str(z) / str(x) / f"{y}.png").write_bytes(d)
    else:
        src = write_geotiff(tmp_path / "p.tif", bounds, dem=fmt == "dem")
    pkg = reg.add(src, name="底图1")
    assert [p.name for p in reg.packages()] == ["底图1"]
    assert pkg.tiles > 0 and pkg.ext == "png" and pkg.hillshade == (fmt == "dem")
    if fmt in ("mbtiles", "pmtiles", "zip", "folder"):
        assert pkg.tiles == len(t) and (pkg.min_zoom, pkg.max_zoom) == (8, 9)
        z, x, y = next(iter(t))  # the same tile, same place (an MBTiles' TMS row flipped)
        assert (reg.tiles_dir(pkg) / str(z) / str(x) / f"{y}.png").read_bytes() == t[(z, x, y)]
    w, s, e, n = pkg.bounds
    assert w <= bounds[0] + 0.5 and e >= bounds[2] - 0.5 and s <= bounds[1] + 0.5 and n >= bounds[3] - 0.5
    reg.remove("底图1")
    assert reg.packages() == [] and not reg.tiles_dir(pkg).exists()
    assert [p.name for p in (tmp_path / "s.gpkg.basemaps").iterdir() if not p.name.startswith(("index", ".lock"))] == []


def test_dem_is_shaded_lit_from_the_north_west(reg, tmp_path, bounds):
    import numpy as np

    reg.add(write_geotiff(tmp_path / "dem.tif", bounds, dem=True), name="dem")
    im = np.asarray(basemap_image("dem", bounds, 200, 200, projection="lonlat").convert("LA")).astype(int)
    lum = im[..., 0]
    assert (im[:, 1:-1, 1] == 255).all()  # the file covers the bounds: no hole, no transparent edge
    nw, se = lum[80:95, 80:95].mean(), lum[105:120, 105:120].mean()  # the hill's two flanks
    assert nw - se > 40, (nw, se)
    flat = lum[:10, :10]  # far from the hill: flat ground, lit at 45°
    assert abs(flat.mean() - 180) < 8 and flat.std() < 4


def _bad_files(tmp_path, bounds):
    (tmp_path / "text.mbtiles").write_text("not a database", encoding="utf-8")
    vec = write_mbtiles(tmp_path / "vector.mbtiles", {(8, 1, 1): b"\x1a\x00"}, fmt="pbf")
    junk = write_mbtiles(tmp_path / "junk.mbtiles", {(8, 1, 1): b"garbage"})
    import sqlite3

    con = sqlite3.connect(tmp_path / "other.sqlite")
    con.execute("CREATE TABLE x (a)")
    con.commit()
    con.close()
    empty = zipfile.ZipFile(tmp_path / "empty.zip", "w")
    empty.writestr("readme.txt", "no tiles")
    empty.close()
    badzip = tmp_path / "bad.zip"
    badzip.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    outside = write_zip(tmp_path / "outside.zip", {(2, 9, 1): b"\x89PNG\r\n\x1a\n"})
    (tmp_path / "pm.pmtiles").write_bytes(b"PMTiles\x03" + b"\x00" * 200)
    (tmp_path / "tif.tif").write_bytes(b"II*\x00" + b"\x00" * 100)
    return [tmp_path / "text.mbtiles", vec, junk, tmp_path / "other.sqlite", tmp_path / "empty.zip", badzip, outside,
            tmp_path / "pm.pmtiles", tmp_path / "tif.tif", tmp_path / "missing.mbtiles"]


def test_bad_files_are_refused_in_one_sentence_leaving_nothing(reg, tmp_path, bounds):
    for bad in _bad_files(tmp_path, bounds):
        with pytest.raises(ImportRefused) as exc:
            reg.add(bad)
        zh, en = user_message(exc.value, "zh"), user_message(exc.value, "en")
        assert bad.name in zh and "\n" not in zh and "Traceback" not in zh, zh
        assert en and en.startswith("Cannot add the basemap package"), en
        assert reg.packages() == []
        root = tmp_path / "s.gpkg.basemaps"
        assert not root.exists() or [p.name for p in root.iterdir()] == [], bad


def test_names_are_checked(reg, tmp_path, bounds):
    src = write_zip(tmp_path / "p.zip", tiles(bounds, zooms=(8,)))
    reg.add(src, name="a")
    for name in ("a", "osm", "none", "a/b", "x" * 41):
        with pytest.raises(ImportRefused):
            reg.add(src, name=name)
    with pytest.raises(NotFound):
        reg.remove("nope")
    with pytest.raises(ImportRefused):
        reg.add(src, name="b", datum="bd09")


def test_providers_are_data_not_code():
    names = list(shipped_providers())
    assert names[:4] == ["tianditu", "tianditu_img", "osm", "amap"]
    td = provider("tianditu_img")
    assert [("img_w" in t.url, "cia_w" in t.url) for t in td.layers] == [(True, False), (False, True)]
    assert provider("amap").shifted and not provider("osm").shifted
    assert td.with_key(None) is None and "tk=K" in td.with_key("K").layers[0].url
    from pathlib import Path

    code = "".join(p.read_text(encoding="utf-8") for p in Path("xxgeo").rglob("*.py"))
    assert "tianditu.gov.cn" not in code and "autonavi" not in code and "openstreetmap.org" not in code


def test_tianditu_imagery_draws_base_and_labels(dataset):
    html = map_html(build_map(dataset, MapRequest(basemap="tianditu_img", tianditu_key="KEY", assets="inline")))
    assert "img_w/wmts" in html and "cia_w/wmts" in html and "tk=KEY" in html
    assert "img_w" not in map_html(build_map(dataset, MapRequest(basemap="tianditu_img", assets="inline")))


def test_intranet_server_added_by_admin(reg):
    reg.add_url("内网影像", "http://10.0.0.5/tiles/{z}/{x}/{y}.jpg", label_en="Intranet imagery", datum="gcj02",
                attribution="县自然资源局 <b>")
    bm = choices()["内网影像"]
    assert bm.kind == "intranet" and bm.shifted and bm.label("en") == "Intranet imagery"
    with pytest.raises(ImportRefused):
        reg.add_url("bad", "ftp://x/{z}")
    reg.set_default("内网影像")
    assert reg.default == "内网影像"


def test_package_in_the_app_page_is_served_from_static(reg, tmp_path, bounds, dataset, monkeypatch):
    monkeypatch.setattr("xxgeo.basemaps.registry.settings", lambda: _static_in(tmp_path))
    pkg = reg.add(write_mbtiles(tmp_path / "p.mbtiles", tiles(bounds, zooms=(8, 9))), name="pk", datum="gcj02")
    url = publish(reg, pkg)
    served = tmp_path / "static" / "xxgeo" / "basemaps" / pkg.token
    assert url == f"/app/static/xxgeo/basemaps/{pkg.token}/{{z}}/{{x}}/{{y}}.png"
    assert len(list(served.rglob("*.png"))) == pkg.tiles
    spec = choices()["pk"]
    html = map_html(build_map(dataset, MapRequest(basemap_spec=spec, assets="inline")))
    assert url.replace("/", "\\/") in html or url in html
    assert '"maxNativeZoom": 9' in html or '"maxNativeZoom":9' in html
    from test_mapping import payloads

    def first_county_vertex(req):
        p = next(p for p in payloads(map_html(build_map(dataset, req))) if p["spec"]["layer"] == "county")
        c = p["data"]["features"][0]["geometry"]["coordinates"]
        while isinstance(c[0], list):
            c = c[0]
        return c

    a = first_county_vertex(MapRequest(assets="inline"))
    b = first_county_vertex(MapRequest(basemap=spec, assets="inline"))  # a Basemap given as the basemap itself
    assert 0.004 < b[0] - a[0] < 0.008 and -0.0015 < b[1] - a[1] < 0  # overlays moved onto GCJ-02, as for 高德
    reg.remove("pk")
    assert not served.exists()


def _static_in(tmp_path):
    from dataclasses import replace

    from xxgeo.config import settings

    return replace(settings(), static_dir=tmp_path / "static")


def test_map_cli_embeds_a_small_package_and_writes_a_folder_for_a_large_one(built_store_path, tmp_path, bounds,
                                                                          monkeypatch):
    from xxgeo.basemaps import export as bexport
    from xxgeo.cli import main

    store = tmp_path / "x.gpkg"
    shutil.copy2(built_store_path, store)
    src = write_zip(tmp_path / "p.zip", tiles(bounds, zooms=(8, 9, 10)))
    assert main(["basemap", "add", str(src), "--name", "县域", "--store", str(store), "--default"]) == 0
    out = tmp_path / "m.html"
    assert main(["map", "--store", str(store), "--out", str(out)]) == 0  # the store's default
    html = out.read_text(encoding="utf-8")
    assert "data:image/png;base64," in html and "EmbeddedTiles" not in html and not (tmp_path / "m_basemap").exists()
    monkeypatch.setattr(bexport, "EMBED_MAX_BYTES", 10)
    out2 = tmp_path / "big.html"
    assert main(["map", "--store", str(store), "--out", str(out2), "--basemap", "县域"]) == 0
    folder = tmp_path / "big_basemap"
    assert folder.is_dir() and len(list(folder.rglob("*.png"))) > 0
    assert "big_basemap/{z}/{x}/{y}.png" in out2.read_text(encoding="utf-8")
    assert main(["map", "--store", str(store), "--out", str(out2), "--basemap", "nope"]) != 0


def test_cli_list_and_refusal(built_store_path, tmp_path, bounds, capsys):
    from xxgeo.cli import main

    store = tmp_path / "x.gpkg"
    src = write_pmtiles(tmp_path / "p.pmtiles", tiles(bounds, zooms=(8,)))
    assert main(["basemap", "add", str(src), "--store", str(store)]) == 0
    assert main(["--lang", "en", "basemap", "list", "--store", str(store)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^  p  pmtiles  \d+ tiles", out, re.M) and "Asia/Shanghai" in out
    (tmp_path / "bad.mbtiles").write_bytes(b"nothing")
    assert main(["basemap", "add", str(tmp_path / "bad.mbtiles"), "--store", str(store)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：无法添加底图包 bad.mbtiles") and len(err.strip().splitlines()) == 1
    assert main(["basemap", "remove", "p", "--store", str(store)]) == 0
    assert json.loads((tmp_path / "x.gpkg.basemaps" / "index.json").read_text())["packages"] == {}


def test_basemap_image_for_print(reg, tmp_path, bounds):
    pkg = reg.add(write_zip(tmp_path / "p.zip", tiles(bounds, zooms=(8, 9, 10))), name="p")
    for projection in ("mercator", "lonlat"):
        im = basemap_image("p", bounds, 400, 300, projection=projection)
        assert im.size == (400, 300) and im.getpixel((200, 150))[:3] == COLOUR
    assert basemap_image("none", bounds, 10, 10) is None and basemap_image("osm", bounds, 10, 10) is None
    assert basemap_image("nope", bounds, 10, 10) is None
    assert basemap_image("p", (70.0, 15.0, 135.0, 55.0), 100, 100) is None  # all China from zoom-8 tiles: too many
    far = (100.0, 20.0, 100.1, 20.1)  # no tile there: transparent
    assert basemap_image(pkg.name, far, 20, 20).getpixel((10, 10))[3] == 0


def test_packages_as_real_tools_write_them(reg, tmp_path, bounds):
    """gdal2tiles' TMS folder (tilemapresource.xml) with macOS litter, MBTiles saying scheme=xyz, a paletted
    image, a single-band 16-bit image added --as image, a DEM in the county's CGCS2000 Gauss-Krüger CRS."""
    import sqlite3

    import numpy as np
    import rasterio
    from rasterio.transform import from_origin

    t = tiles(bounds, zooms=(8,))
    (z, x, y), d = next(iter(t.items()))
    with zipfile.ZipFile(tmp_path / "g2t.zip", "w") as zf:
        zf.writestr("out/tilemapresource.xml", "<TileMap/>")
        zf.writestr(f"out/{z}/{x}/{2 ** z - 1 - y}.png", d)
        zf.writestr(f"__MACOSX/out/{z}/{x}/._{y}.png", b"junk")
        zf.writestr(f"out/{z}/{x}/.hidden/{y}.png", b"junk")
    pkg = reg.add(tmp_path / "g2t.zip", name="g2t")
    assert pkg.tiles == 1 and (reg.tiles_dir(pkg) / str(z) / str(x) / f"{y}.png").is_file()
    mb = write_mbtiles(tmp_path / "xyz.mbtiles", {(z, x, y): d})
    con = sqlite3.connect(mb)
    con.execute("UPDATE tiles SET tile_row = ?", (y,))
    con.execute("INSERT INTO metadata VALUES ('scheme', 'xyz')")
    con.execute("INSERT INTO tiles VALUES (?, ?, ?, NULL)", (z, x + 1, y))  # "no tile here": skipped
    con.commit()
    con.close()
    pkg = reg.add(mb, name="xyz")
    assert pkg.tiles == 1 and (reg.tiles_dir(pkg) / str(z) / str(x) / f"{y}.png").is_file()

    w, s, e, n = bounds
    tr = from_origin(w, n, (e - w) / 100, (n - s) / 100)
    with rasterio.open(tmp_path / "pal.tif", "w", driver="GTiff", width=100, height=100, count=1, dtype="uint8",
                       crs="EPSG:4326", transform=tr) as ds:
        ds.write(np.full((1, 100, 100), 7, dtype="uint8"))
        ds.write_colormap(1, {7: COLOUR + (255,)})
    reg.add(tmp_path / "pal.tif", name="pal")
    assert basemap_image("pal", bounds, 50, 50).getpixel((25, 25))[:3] == COLOUR
    with rasterio.open(tmp_path / "pan.tif", "w", driver="GTiff", width=100, height=100, count=1, dtype="uint16",
                       crs="EPSG:4326", transform=tr) as ds:
        ds.write(np.tile(np.arange(100, dtype="uint16") * 600, (100, 1))[None])
    pan = reg.add(tmp_path / "pan.tif", name="pan", render="image")
    assert not pan.hillshade
    im = basemap_image("pan", bounds, 100, 10).convert("L")
    assert im.getpixel((5, 5)) < 40 and im.getpixel((95, 5)) > 215  # stretched, not shaded

    from pyproj import Transformer

    gk = Transformer.from_crs(4326, 4546, always_xy=True)  # CGCS2000 / 3-degree Gauss-Kruger CM 111E
    x0, y1 = gk.transform(w, n)
    with rasterio.open(tmp_path / "gk.tif", "w", driver="GTiff", width=200, height=200, count=1, dtype="int16",
                       crs="EPSG:4546", transform=from_origin(x0, y1, 300, 300), nodata=-9999) as ds:
        yy, xx = np.mgrid[0:200, 0:200]
        ds.write((500 + 3 * xx + 2 * yy).astype("int16")[None])
    gkp = reg.add(tmp_path / "gk.tif", name="gk")
    assert gkp.hillshade and w - 1 < gkp.bounds[0] <= w + 0.01 and n - 0.01 <= gkp.bounds[3] < n + 1  # tiles' extent
    im = np.asarray(basemap_image("gk", (w + 0.05, n - 0.3, w + 0.4, n - 0.05), 100, 100))
    assert (im[..., 3] == 255).all() and 120 < im[..., 0].mean() < 200  # reprojected, a gentle slope shaded


def test_cli_intranet_server_and_default(tmp_path, capsys):
    from xxgeo.cli import main

    store = str(tmp_path / "x.gpkg")
    assert main(["basemap", "add-url", "县局", "http://10.1.2.3/t/{z}/{x}/{y}.png", "--label-en", "Bureau",
                 "--crs", "gcj02", "--store", store]) == 0
    assert main(["basemap", "default", "县局", "--store", store]) == 0
    assert main(["--lang", "en", "basemap", "list", "--store", store]) == 0
    out = capsys.readouterr().out
    assert "Intranet:\n  县局 *  Bureau  GCJ02" in out
    assert main(["--lang", "en", "basemap", "default", "nope", "--store", store]) == 2
    assert "No basemap named “nope”" in capsys.readouterr().err
    assert main(["basemap", "add-url", "bad", "http://x/{z}", "--store", store]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_cli_add_says_how_far_it_got(tmp_path, bounds, capsys, monkeypatch):
    from xxgeo.basemaps import registry
    from xxgeo.cli import main

    monkeypatch.setattr(registry, "PROGRESS_EVERY", 2)
    src = write_zip(tmp_path / "p.zip", tiles(bounds, zooms=(8, 9)))
    assert main(["--lang", "en", "basemap", "add", str(src), "--store", str(tmp_path / "x.gpkg")]) == 0
    err = capsys.readouterr().err
    assert "… 2 tiles" in err
