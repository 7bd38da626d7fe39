"""The map is a pure function of dataset + filter + layer specs: tested without Streamlit."""

import json
import re

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from xxgeo import mapping
from xxgeo.layerspec import load_specs
from xxgeo.mapping import MapFilter, MapRequest, Overlay, build_map, filter_projects, map_html
from xxgeo.schema import CATEGORIES
from xxgeo.store import Dataset

HOSTILE = "<img src=x onerror=alert(1)>"


def payloads(html: str) -> list[dict]:
    """The GeoJSON payloads handed to xxgeo.specLayer in a rendered page."""
    out = []
    for m in re.finditer(r"xxgeo\.specLayer\(\s*(\{.*?\}), (\{\"layer\".*?\}), \{lang", html):
        out.append({"data": json.loads(m.group(1)), "spec": json.loads(m.group(2))})
    return out


def test_every_layer_spec_is_valid_and_ordered():
    specs = load_specs()
    assert {"county", "townships", "parks", "roads", "scenic_sites", "projects", "villages"} <= set(specs)
    orders = [s.order for s in specs.values()]
    assert orders == sorted(orders)
    cats = specs["projects"].classes
    assert len({(c["fill_color"], c["shape"]) for c in cats.values()}) == len(cats) == len(CATEGORIES)  # 未分类 too


def test_filter_by_township_includes_multi_township_projects(dataset):
    p = dataset["projects"]
    multi = p[p["township_codes"].fillna("").str.contains(";")]
    assert len(multi), "the plan names projects spanning several townships"
    code = multi["township_codes"].iloc[0].split(";")[-1]
    sel = filter_projects(p, MapFilter(townships=(code,)))
    assert multi["project_id"].iloc[0] in set(sel["project_id"])
    assert (sel["township_codes"].fillna("").str.contains(code)).all()


def test_filter_category_text_investment(dataset):
    p = dataset["projects"]
    sel = filter_projects(p, MapFilter(categories=("文旅",)))
    assert len(sel) and set(sel["category"]) == {"文旅"}
    name = p["name"].iloc[5]
    assert name in set(filter_projects(p, MapFilter(text=name[:4]))["name"])
    inv = filter_projects(p, MapFilter(invest_min=1.0))
    assert len(inv) == int((p["investment_wan"] >= 1).sum())
    assert inv["investment_wan"].notna().all()


def test_source_filter_matches_one_of_several_refs(dataset):
    p = dataset["projects"]
    sel = filter_projects(p, MapFilter(sources=("专栏6-2",)))
    assert len(sel) > 10
    assert sel["source_ref"].str.contains("专栏6-2").all()


def _one_project_dataset(dataset, name: str, public: bool = True) -> Dataset:
    p = dataset["projects"].iloc[:1].copy()
    p["name"] = name
    p["public"] = public
    p["loc_precision"] = "surveyed"  # a site: drawn as a pin (rough places are counted per area)
    p = gpd.GeoDataFrame(p, geometry=[Point(111.2, 35.13)], crs=4326)
    return Dataset({**dataset.layers, "projects": p})


def test_hostile_names_reach_the_page_only_as_json_data(dataset):
    ds = _one_project_dataset(dataset, HOSTILE + "</script><script>alert(2)</script>")
    html = map_html(build_map(ds, MapRequest(assets="inline")))
    assert "<script>alert(2)" not in html and "<img src=x" not in html  # no markup survives in the page
    proj = next(p for p in payloads(html) if p["spec"]["layer"] == "projects")
    assert proj["data"]["features"][0]["properties"]["name"].startswith(HOSTILE)
    # and the runtime escapes every value it puts into tooltips and popups
    js = (mapping.STATIC_DIR / "xxgeo" / "xxgeo-map.js").read_text()
    assert "function esc(" in js and "bindTooltip(tip" in js


def test_public_role_never_draws_internal_projects(dataset):
    ds = _one_project_dataset(dataset, "内部项目", public=False)
    html = map_html(build_map(ds, MapRequest(role="public", assets="inline")))
    assert "内部项目" not in html
    assert "村（居）委会" not in html  # the villages layer is not for the public audience


def test_inline_export_needs_no_network(dataset):
    html = map_html(build_map(dataset, MapRequest(assets="inline")))
    assert not re.search(r'<script[^>]+src="https?://', html)
    assert not re.search(r'<link[^>]+href="https?://', html)
    assert "L.version" in html or "leaflet" in html.lower()
    assert "tile.openstreetmap" not in html and "TileLayer" not in html.split("xxgeo-map")[0][-2000:]


def test_static_mode_points_to_app_static_files(dataset):
    m = build_map(dataset, MapRequest(assets="static")).map
    assert ("leaflet", "/app/static/vendor/leaflet/leaflet.js") in m.default_js
    for _, rel in mapping.JS_ASSETS + mapping.CSS_ASSETS:
        assert (mapping.STATIC_DIR / rel).is_file()


def test_layers_and_schematic_marking(dataset):
    html = map_html(build_map(dataset, MapRequest(assets="inline")))
    layers = {p["spec"]["layer"]: p for p in payloads(html)}
    assert {"county", "townships", "parks", "scenic_sites", "projects"} <= set(layers)
    t = layers["townships"]["data"]["features"]
    assert len(t) == 11 and all(f["properties"].get("_schematic") for f in t)
    assert layers["townships"]["spec"]["style"]["schematic"]["dash_array"]
    # the default projects are known only to a township, park or the county: none is drawn as a pin
    assert layers["projects"]["data"]["features"] == []
    # a located project that is not surveyed (here: digitised) is a pin whose tooltip says how it was placed
    p = dataset["projects"].copy()
    placed = p.index[p.geometry.notna()][:5]
    p.loc[placed, "loc_precision"] = "digitised"
    html = map_html(build_map(Dataset({**dataset.layers, "projects": p}), MapRequest(assets="inline")))
    feats = {q["spec"]["layer"]: q for q in payloads(html)}["projects"]["data"]["features"]
    assert len(feats) == 5 and all("_precision_label" in f["properties"] for f in feats)


def test_legend_lists_categories_with_counts(dataset):
    specs = list(load_specs().values())
    counts = dataset["projects"]["category"].value_counts().to_dict()
    html = mapping.legend_html(specs, lang="zh", present={"projects": counts})
    for cat, n in counts.items():
        assert f"{cat}（{n}）" in html


def test_choropleth_classes_and_every_township_value(dataset):
    from xxgeo.analysis import township_indicator_values

    values, label, unit = township_indicator_values(dataset, "project_count")
    extra, legend = mapping.choropleth(Overlay(label, unit, values), dataset["townships"])
    assert len(legend["values"]) == 11
    assert legend["classes"][-1][1] == max(values.values())
    assert all("_fill" in e for e in extra.values())
    html = map_html(build_map(dataset, MapRequest(overlay=Overlay(label, unit, values), assets="inline")))
    legend_js = json.loads(re.search(r"d\.innerHTML = (\".*?\");", html).group(1))
    assert "项目数" in legend_js and ("自然断点法" in legend_js or "唯一值" in legend_js)


def test_amap_basemap_shifts_overlays_to_gcj02(dataset):
    p = dataset["projects"].copy()
    p["loc_precision"] = "surveyed"  # pins (rough places are counted per area, shifted alike)
    dataset = Dataset({**dataset.layers, "projects": p})
    plain = payloads(map_html(build_map(dataset, MapRequest(assets="inline"))))
    amap = payloads(map_html(build_map(dataset, MapRequest(basemap="amap", assets="inline"))))
    a = next(p for p in plain if p["spec"]["layer"] == "projects")["data"]["features"][0]["geometry"]["coordinates"]
    b = next(p for p in amap if p["spec"]["layer"] == "projects")["data"]["features"][0]["geometry"]["coordinates"]
    a, b = (a[0] if isinstance(a[0], list) else a), (b[0] if isinstance(b[0], list) else b)
    assert 0.004 < b[0] - a[0] < 0.008  # ~550 m east
    assert -0.0015 < b[1] - a[1] < 0


def test_unknown_basemap_or_assets_mode_raise(dataset):
    with pytest.raises(ValueError):
        build_map(dataset, MapRequest(basemap="google"))
    with pytest.raises(ValueError):
        build_map(dataset, MapRequest(assets="cdn"))


def test_map_cli_writes_self_contained_html(built_store_path, tmp_path):
    from xxgeo.cli import main

    out = tmp_path / "m.html"
    assert main(["map", "--store", str(built_store_path), "--out", str(out), "--township", "裴介",
                 "--overlay", "project_count"]) == 0
    html = out.read_text(encoding="utf-8")
    assert "裴介镇" in html and "<script" in html
    assert main(["map", "--store", str(built_store_path), "--out", str(out), "--township", "火星镇"]) == 2


def test_project_table_is_complete(dataset):
    """Every project of geodata/sources/projects.csv is in the built store, once, with its name and source."""
    from pathlib import Path

    src = pd.read_csv(Path(__file__).resolve().parent.parent / "geodata" / "sources" / "projects.csv", dtype=str)
    built = dataset["projects"]
    assert built["project_id"].is_unique and len(built) == len(src)
    got = built.set_index("project_id")
    assert sorted(got.index) == sorted(src["project_id"])
    assert (got.loc[src["project_id"], "name"].to_numpy() == src["name"].to_numpy()).all()
    assert got["source_ref"].notna().all() and (got["source_ref"].str.len() > 0).all()


def test_filter_on_an_empty_library(dataset):
    empty = dataset["projects"].iloc[:0]
    assert len(filter_projects(empty, MapFilter(townships=("140828102",), text="x", categories=("工业",)))) == 0


def test_display_simplification_keeps_shared_edges(dataset):
    """Township polygons with many vertices are simplified as a coverage: still no gaps and no overlaps."""
    import itertools

    import shapely

    from xxgeo.mapping import SIMPLIFY_ABOVE, display_coverage

    t = dataset["townships"]
    assert display_coverage(t) is t  # the default data is small: drawn as it is
    # many more vertices, same shapes (snapped to 1e-7 degree so shared edges match exactly again)
    dense = t.set_geometry(shapely.set_precision(shapely.segmentize(t.geometry.values, 0.0005), 1e-7))
    n_dense = int(shapely.get_num_coordinates(dense.geometry.values).sum())
    assert n_dense > SIMPLIFY_ABOVE
    s = display_coverage(dense)
    assert int(shapely.get_num_coordinates(s.geometry.values).sum()) < n_dense / 2
    assert shapely.coverage_is_valid(s.geometry.values)
    for a, b in itertools.combinations(s.geometry.values, 2):
        assert shapely.intersection(a, b).area < 1e-12
    union = shapely.union_all(s.geometry.values)
    county = dataset["county"].geometry.iloc[0]
    assert shapely.symmetric_difference(union, county).area / county.area < 0.002
