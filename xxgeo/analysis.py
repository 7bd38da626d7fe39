"""Township joins and statistics, distances: pure functions of the dataset."""

from __future__ import annotations

import pandas as pd

from .crs import METRIC_CRS, haversine_km

#: Derived township indicators: key -> (Chinese name, English name, unit).
DERIVED = {
    "project_count": ("项目数", "Projects", "个"),
    "investment_wan": ("已注明总投资", "Stated investment", "万元"),
    "village_units": ("村级单位数", "Village units", "个"),
    "area_km2": ("面积（按示意边界）", "Area (schematic boundary)", "km²"),
}


def project_township_pairs(projects: pd.DataFrame) -> pd.DataFrame:
    """One row per (project, township) it touches: multi-township projects count in each."""
    codes = projects["township_codes"].fillna(projects["township_code"]).fillna("")
    pairs = projects.assign(_tc=codes.str.split(";")).explode("_tc")
    pairs = pairs[pairs["_tc"].astype(str).str.len() > 0]
    return pairs.rename(columns={"_tc": "tcode"})


def township_stats(dataset, projects: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per township: project count, stated investment (projects spanning several townships are counted
    in each but their investment is not split, so it is attributed only to single-township projects),
    village units, and area of its boundary with the boundary's quality."""
    t = dataset["townships"]
    projects = dataset["projects"] if projects is None else projects
    pairs = project_township_pairs(projects)
    count = pairs.groupby("tcode").size()
    single = projects[projects["township_code"].notna()]
    inv = single.groupby("township_code")["investment_wan"].sum(min_count=1)
    area = t.to_crs(METRIC_CRS).area / 1e6
    out = pd.DataFrame({
        "code": t["code"].values, "name": t["name"].values,
        "project_count": [int(count.get(c, 0)) for c in t["code"]],
        "investment_wan": [float(inv.get(c)) if pd.notna(inv.get(c)) else 0.0 for c in t["code"]],
        "village_units": t["village_units"].values,
        "area_km2": area.round(1).values,
        "boundary_quality": t["boundary_quality"].values,
    })
    return out


def township_indicator_values(dataset, indicator: str, projects: pd.DataFrame | None = None):
    """``(values: {code: float}, label, unit)`` for a derived key or an imported township indicator name.

    Imported indicators use their latest year per township.
    """
    if indicator in DERIVED:
        st = township_stats(dataset, projects)
        zh, _en, unit = DERIVED[indicator]
        return dict(zip(st["code"], st[indicator].astype(float))), zh, unit
    ti = dataset.get("township_indicators")
    if ti is None or ti.empty:
        raise KeyError(indicator)
    sel = ti[ti["indicator"] == indicator]
    if sel.empty:
        raise KeyError(indicator)
    latest = sel.sort_values("year").groupby("township_code").tail(1)
    unit = latest["unit"].dropna().iloc[0] if latest["unit"].notna().any() else ""
    year = int(latest["year"].max())
    return dict(zip(latest["township_code"], latest["value"].astype(float))), f"{indicator}（{year}年）", unit


def overlay_choices(dataset) -> dict:
    """Indicators that can be drawn as a township choropleth: key -> Chinese label."""
    out = {k: v[0] for k, v in DERIVED.items()}
    ti = dataset.get("township_indicators")
    if ti is not None and not ti.empty:
        for name in sorted(ti["indicator"].dropna().unique()):
            out[str(name)] = str(name)
    return out


#: distances are shown to 0.1 km everywhere (app, brochure, figures): the one rounding
KM_DIGITS = 1


def distances_from(lon: float, lat: float, places: pd.DataFrame) -> pd.DataFrame:
    """Straight-line (great-circle) distances in km from a point to every reference place, rounded once
    (:data:`KM_DIGITS`); ``source`` is the place's technical provenance (internal views only)."""
    rows = []
    for _, r in places.iterrows():
        g = r.geometry
        rows.append({"place": r["name"], "name_en": r.get("name_en"), "kind": r.get("kind"),
                     "km": round(haversine_km(lon, lat, g.x, g.y), KM_DIGITS), "source": r.get("source")})
    return pd.DataFrame(rows, columns=["place", "name_en", "kind", "km", "source"])


def reference_point(geom):
    """The point a park's distances are measured from: the centre of its (schematic) outline, or a point
    inside it when the centre falls outside (a bent outline); the app, the brochure and its map all use it."""
    c = geom.centroid
    return c if geom.contains(c) else geom.representative_point()


def park_distances(park_geom, places: pd.DataFrame) -> pd.DataFrame:
    """The one distance computation for a park: :func:`distances_from` its :func:`reference_point`."""
    p = reference_point(park_geom)
    return distances_from(p.x, p.y, places)
