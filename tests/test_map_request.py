"""The map request is the cache key; per-layer behaviour comes from the specs in layers/*.toml, validated."""

import json
import re
import shutil
from dataclasses import FrozenInstanceError
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point

from xxgeo.bench import synthetic_projects
from xxgeo.errors import ValidationFailed
from xxgeo.layerspec import LAYER_DIR, load_specs
from xxgeo.mapping import MapFilter, MapRequest, MapResult, Overlay, build_map, map_html
from xxgeo.store import Dataset


def payloads(html: str) -> dict:
    """layer -> GeoJSON payload handed to xxgeo.specLayer in a rendered page."""
    out = {}
    for m in re.finditer(r"xxgeo\.specLayer\(\s*(\{.*?\}), (\{\"layer\".*?\}), \{lang", html):
        out[json.loads(m.group(2))["layer"]] = json.loads(m.group(1))
    return out


def spec_dir(tmp_path: Path, edits: dict | None = None) -> str:
    """A copy of layers/ with ``{file: (old, new)}`` text replacements applied."""
    d = tmp_path / "layers"
    shutil.copytree(LAYER_DIR, d)
    for name, (old, new) in (edits or {}).items():
        p = d / name
        text = p.read_text(encoding="utf-8")
        assert old in text, (name, old)
        p.write_text(text.replace(old, new), encoding="utf-8")
    return str(d)


# ----------------------------------------------------------------------------- the request as a cache key
def test_equal_requests_are_one_cache_key():
    a = MapRequest(MapFilter(townships=["140828102"], categories=("工业",)), lang="en", basemap="osm",
                   overlay=Overlay("项目数", "个", {"140828102": 3, "140828100": 1.0}), highlight_township="140828102")
    b = MapRequest(MapFilter(townships=("140828102",), categories=["工业"]), lang="en", basemap="osm",
                   overlay=Overlay("项目数", "个", [("140828100", 1.0), ("140828102", 3)]),
                   highlight_township="140828102")
    assert a == b and hash(a) == hash(b)
    cache = {a: "built once"}
    assert cache[b] == "built once"
    for changed in (MapRequest(a.filter, lang="zh", basemap="osm", overlay=a.overlay, highlight_township="140828102"),
                    MapRequest(a.filter, lang="en", basemap="osm", overlay=Overlay("项目数", "个", {"140828102": 4}),
                               highlight_township="140828102"),
                    MapRequest(a.filter, role="public", lang="en", basemap="osm", overlay=a.overlay,
                               highlight_township="140828102")):
        assert changed != a and changed not in cache
    with pytest.raises(FrozenInstanceError):
        a.lang = "zh"  # a cache key cannot change under the cache


def test_overlay_values_without_a_value_compare_equal():
    nan = float("nan")
    a, b = Overlay("x", "", {"1": nan}), Overlay("x", "", {"1": float("nan")})
    assert a == b and hash(a) == hash(b) and a.by_code == {"1": None}


def test_request_refuses_unknown_modes():
    for bad in ({"basemap": "google"}, {"assets": "cdn"}, {"fit": "world"}):
        with pytest.raises(ValueError):
            MapRequest(**bad)


def test_public_request_draws_the_publics_share_only(dataset):
    p = dataset["projects"].copy()
    placed = p.index[p.geometry.notna()]
    p.loc[placed[:2], "public"] = False
    ds = Dataset({**dataset.layers, "projects": p})
    assert build_map(ds, MapRequest(role="public")).counts["projects_drawn"] == len(placed) - 2
    assert build_map(ds, MapRequest(role="editor")).counts["projects_drawn"] == len(placed)


def test_result_carries_counts_and_html(dataset):
    flt = MapFilter(categories=("工业",))
    r = build_map(dataset, MapRequest(flt, assets="inline"))
    assert isinstance(r, MapResult) and r.tileset is None
    sel = dataset["projects"][dataset["projects"]["category"] == "工业"]
    assert r.counts == {"projects": len(sel), "projects_drawn": int(sel.geometry.notna().sum())}
    # the default projects are known only to areas: counted per area, no category pin in the legend
    assert "projects" not in r.present and r.areas["projects_in_areas"] == len(sel)
    page = r.html()
    assert page.startswith("<!DOCTYPE html>") and r.map.get_name() in page and r.map.get_name() in map_html(r)


def test_app_map_cache_is_keyed_by_request_store_and_audience(dataset):
    from xxgeo.views.common import _cached_map

    _cached_map.clear()
    token = ("store", 1.0)
    a = _cached_map(dataset, token, False, MapRequest(MapFilter(categories=["农业"]), compact=True))
    assert _cached_map(dataset, token, False, MapRequest(MapFilter(categories=("农业",)), compact=True)) is a
    assert _cached_map(dataset, token, True, MapRequest(MapFilter(categories=("农业",)), compact=True)) is not a
    assert _cached_map(dataset, ("store", 2.0), False, MapRequest(MapFilter(categories=("农业",)),
                                                                  compact=True)) is not a
    _cached_map.clear()


# ----------------------------------------------------------------------------- behaviour from the specs
def test_fast_above_comes_from_the_projects_spec(dataset, tmp_path):
    n = 2500
    ds = Dataset({**dataset.layers, "projects": synthetic_projects(dataset["county"].geometry.iloc[0], n, seed=5)})
    assert load_specs()["projects"].behaviour.fast_above < n
    fast = map_html(build_map(ds, MapRequest(assets="inline")))
    assert "xxgeo.fastPoints(" in fast and "projects" not in payloads(fast)
    off = spec_dir(tmp_path, {"projects.toml": ("fast_above = 2000", "")})
    html = map_html(build_map(ds, MapRequest(assets="inline"), specs=load_specs(off)))
    assert "xxgeo.fastPoints(" not in html
    assert len(payloads(html)["projects"]["features"]) == n


def _with_placed_villages(dataset) -> Dataset:
    v = dataset["villages"].iloc[:5].copy()
    v = v.set_geometry(gpd.GeoSeries([Point(111.2 + i / 100, 35.13) for i in range(len(v))], index=v.index,
                                     crs=4326))
    return Dataset({**dataset.layers, "villages": v})


def test_highlight_on_request_and_precision_follow_the_specs(dataset, tmp_path):
    ds = _with_placed_villages(dataset)
    p = ds["projects"].copy()
    p.loc[p.index[p.geometry.notna()][:5], "loc_precision"] = "digitised"  # pins whose tooltip says so
    ds = Dataset({**ds.layers, "projects": p})
    code = ds["townships"]["code"].iloc[3]
    on = payloads(map_html(build_map(ds, MapRequest(highlight_township=code, show_villages=True, assets="inline"))))
    lit = [f["properties"]["_id"] for f in on["townships"]["features"] if f["properties"].get("_highlight")]
    assert lit == [code]
    assert any("_precision_label" in f["properties"] for f in on["projects"]["features"])
    assert len(on["villages"]["features"]) == 5
    hidden = payloads(map_html(build_map(ds, MapRequest(highlight_township=code, assets="inline"))))
    assert "villages" not in hidden  # drawn only when asked for
    off = spec_dir(tmp_path, {"townships.toml": ('highlight_param = "township"', ""),
                              "projects.toml": ("precision_label = true", ""),
                              "villages.toml": ('on_request = "villages"', "")})
    plain = payloads(map_html(build_map(ds, MapRequest(highlight_township=code, assets="inline"),
                                        specs=load_specs(off))))
    assert not any(f["properties"].get("_highlight") for f in plain["townships"]["features"])
    assert not any("_precision_label" in f["properties"] for f in plain["projects"]["features"])
    assert len(plain["villages"]["features"]) == 5  # no longer waits to be asked for


def test_specs_never_widen_the_public_filter(dataset, tmp_path):
    """Whatever the projects spec's behaviour says (here: none at all), the public's map carries public
    projects only: the filter is the request's, not the spec's."""
    p = dataset["projects"].copy()
    placed = p.index[p.geometry.notna()]
    p.loc[placed[:3], "public"] = False
    p.loc[placed[3:], "public"] = True
    ds = Dataset({**dataset.layers, "projects": p})
    d = Path(spec_dir(tmp_path))
    f = d / "projects.toml"
    f.write_text(f.read_text(encoding="utf-8").split("[behaviour]")[0], encoding="utf-8")
    assert load_specs(str(d))["projects"].behaviour == type(load_specs()["projects"].behaviour)()
    r = build_map(ds, MapRequest(role="public", assets="inline"), specs=load_specs(str(d)))
    ids = {f["properties"]["_id"] for f in payloads(r.html())["projects"]["features"]}
    assert ids == set(p.loc[placed[3:], "project_id"]) and r.counts["projects_drawn"] == len(placed) - 3


# ----------------------------------------------------------------------------- validation
@pytest.mark.parametrize(("old", "new", "says"), [
    ("fast_above = 2000", "fast_abve = 2000", "fast_abve"),
    ("fast_above = 2000", 'fast_above = "many"', "fast_above"),
    ('highlight_param = "project"', 'highlight_param = "village"', "highlight_param"),
    ("highlight_popup = true", 'highlight_popup = "yes"', "highlight_popup"),
    ('title_en = "Projects"', 'title_en = "Projects"\ncolour = "red"', "colour"),
    ('audience = ["public",', 'audience = ["visitor", "public",', "visitor"),
])
def test_unknown_or_wrong_spec_keys_are_refused(tmp_path, old, new, says):
    d = spec_dir(tmp_path, {"projects.toml": (old, new)})
    with pytest.raises(ValidationFailed) as e:
        load_specs(d)
    assert "projects.toml" in e.value.message and says in e.value.message
    assert e.value.english and says in e.value.english


def test_behaviour_request_fields_exist():
    """Every request field a spec may name (highlight_param, on_request) is a field of MapRequest."""
    from xxgeo.layerspec import HIGHLIGHT_PARAMS, ON_REQUEST
    from xxgeo.tiles import ImageTiles

    tiles = ImageTiles("/t/{z}-{x}-{y}.png", 8, 15)
    req = MapRequest(highlight_township="t", highlight_park="p", highlight_project="x", show_villages=True,
                     constraint_tiles=tiles)
    assert [req.field_value(f) for f in (*HIGHLIGHT_PARAMS.values(), *ON_REQUEST.values())] == ["t", "p", "x", True,
                                                                                               tiles]
    with pytest.raises(KeyError):
        req.field_value("field_value")  # a method, not a request field


def test_a_spec_cannot_show_an_internal_layer_to_the_public(tmp_path):
    """The villages layer is internal in xxgeo/policy.py: a spec that adds the public to its audience is refused."""
    d = spec_dir(tmp_path, {"villages.toml": ('audience = ["township",', 'audience = ["public", "township",')})
    with pytest.raises(ValidationFailed) as e:
        load_specs(d)
    assert "villages.toml" in e.value.message and "public" in e.value.english
