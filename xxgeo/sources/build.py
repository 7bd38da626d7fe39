"""Build the default store from the reviewable text sources of the county profile (``geodata/sources``).

``python -m xxgeo build [--store PATH]`` calls :func:`build`. The files come from the county profile
(:func:`xxgeo.county.county`, ``XXGEO_COUNTY``): its ``outline``, ``townships``, ``villages`` and ``places``
files, and ``parks.csv``, ``projects.csv``, ``scenic_sites.csv``, ``roads.csv``, ``indicators.csv`` and
``plan_villages.csv`` in its ``sources`` folder (a header-only file gives an empty layer). Every feature's
location is derived here from what the sources say, never more precisely:

* county: the outline (``county_wgs84.geojson``, made by ``scripts/county_outline.py``);
* townships: NBS codes, a schematic Voronoi partition from the seat points (:mod:`.townships`);
* villages: NBS codes, no coordinates (only the township is known), ``loc_precision = township``;
* parks: schematic circles of the stated planned area (or a 1 km² marker when none is stated) at the
  township seat, clipped to the township; stated figures kept beside the computed area;
* projects and sites: at the park / township point(s), spread deterministically; county-wide ones have no
  geometry; roads: schematic lines through the places they name.
"""

from __future__ import annotations

import csv
import json
import math
from collections import defaultdict
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
import shapely.prepared
from shapely.geometry import LineString, MultiPoint, Point

from ..county import County
from ..county import county as county_in_force
from ..crs import METRIC_CRS, gcj02_to_wgs84
from ..names import resolve_township, short_village, township_short
from ..placement import spiral_point
from ..store import empty_frame, open_store
from .townships import seat_inside, voronoi_partition

NOMINAL_PARK_KM2 = 1.0
#: reference places (places.csv ``kind``) a road's bare place name means before any other place containing it
TOWN_KINDS = ("城市中心", "县城")


def _read_source(path: Path) -> pd.DataFrame:
    """Read a source CSV as stripped strings (empty cells are ""); a header-only file gives its columns."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
        columns = list(reader.fieldnames or [])
    df = pd.DataFrame(rows, dtype=object) if rows else pd.DataFrame(columns=columns, dtype=object)
    return df.map(lambda v: "" if v is None else str(v).strip())


def _frame(layer: str, rows: list, geoms: list):
    """The built rows of a spatial layer; the schema's empty frame when the sources list none."""
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=4326) if rows else empty_frame(layer)


def _metric_area_km2(geom) -> float:
    return float(gpd.GeoSeries([geom], crs=4326).to_crs(METRIC_CRS).area.iloc[0] / 1e6)


def _circle(lon: float, lat: float, area_km2: float):
    r = math.sqrt(area_km2 * 1e6 / math.pi)
    c = gpd.GeoSeries([Point(lon, lat)], crs=4326).to_crs(METRIC_CRS).buffer(r, quad_segs=32)
    return c.to_crs(4326).iloc[0], r


class Anchors:
    """Deterministic slots around anchor points, shared by every layer so nothing hides anything."""

    def __init__(self) -> None:
        self.used: dict[str, int] = defaultdict(int)
        self.xy: dict[str, tuple[float, float]] = {}
        self.start: dict[str, int] = {}
        self.spacing: dict[str, float] = {}
        self.within: dict = {}

    def add(self, key: str, xy, *, start: int = 0, spacing: float = 260.0, within=None) -> None:
        """Register an anchor; ``within`` (a polygon) keeps every slot inside it (slots outside are skipped)."""
        self.xy[key] = xy
        self.start[key] = start
        self.spacing[key] = spacing
        self.within[key] = shapely.prepared.prep(within) if within is not None else None

    def take(self, key: str) -> Point:
        """The next free slot of an anchor."""
        area = self.within[key]
        for _ in range(10_000):
            i = self.used[key]
            self.used[key] += 1
            lon, lat = spiral_point(self.xy[key], self.start[key] + i, spacing_m=self.spacing[key])
            pt = Point(lon, lat)
            if area is None or area.contains(pt):
                return pt
        raise RuntimeError(f"no free slot inside the area of anchor {key}")


def build_frames(profile: County | None = None) -> dict:
    """All layers of the default dataset as frames (pure: reads the profile's files, writes nothing)."""
    c = profile or county_in_force()
    sources = c.sources

    def read_csv(name: str) -> pd.DataFrame:  # a profile file (townships, ...) or a file of the sources folder
        return _read_source(c.path(name) if name in c.files else sources / name)

    county_fc = json.loads(c.path("outline").read_text(encoding="utf-8"))
    feat = county_fc["features"][0]
    county = gpd.GeoDataFrame([feat["properties"]], geometry=[shapely.geometry.shape(feat["geometry"])], crs=4326)
    county_geom = county.geometry.iloc[0]
    county = county[["code", "name", "source"]].set_geometry(county.geometry)

    # ---- townships: codes from NBS, schematic cells from the seat points
    t = read_csv("townships")
    seats, quality = [], []
    for _, r in t.iterrows():
        lon, lat, moved = seat_inside(county_geom, float(r.seat_lon), float(r.seat_lat))
        seats.append((lon, lat))
        q = r.seat_quality or ""
        if moved:
            q += (f"; the estimate ({r.seat_lon}, {r.seat_lat}) lies outside the county outline and was moved "
                  "to the nearest point ~1 km inside it")
        quality.append(q)
    cells = voronoi_partition(county_geom, seats)
    townships = gpd.GeoDataFrame({
        "code": t.code9, "name": t["name"], "kind": t.kind, "boundary_quality": "schematic",
        "seat_lon": [s[0] for s in seats], "seat_lat": [s[1] for s in seats], "seat_quality": quality,
        "village_units": t.village_units.astype(int),
        "source": c.setting("townships_source", "county profile: township codes; boundary: schematic Voronoi "
                            "partition of the county outline from the seat points (示意, not a legal boundary)"),
    }, geometry=cells, crs=4326)
    seat_of = {c: s for c, s in zip(townships.code, seats)}
    cell_of = dict(zip(townships.code, townships.geometry))
    name_of = dict(zip(townships.code, townships["name"]))

    # ---- villages: codes and townships, no coordinates
    v = read_csv("villages")
    villages = gpd.GeoDataFrame({
        "code": v.code12, "name": v["name"], "short_name": v["name"].map(short_village),
        "township_code": v.township_code9, "loc_precision": "township",
        "source": c.setting("villages_source", "county profile: village codes; no coordinates published"),
    }, geometry=[None] * len(v), crs=4326)
    village_township = defaultdict(set)
    for sn, tc in zip(villages.short_name, villages.township_code):
        village_township[sn].add(tc)
        village_township[sn.removesuffix("村")].add(tc)

    def tcode(name):
        return resolve_township(name, townships, required=False) if name else None

    anchors = Anchors()

    # ---- parks: stated figures, schematic circle at the seat
    p = read_csv("parks.csv")
    park_rows, park_geoms, park_radius = [], [], {}
    for _, r in p.iterrows():
        tc = tcode(r.township)
        lon, lat = seat_of[tc]
        stated = float(r.planned_area_km2) if r.planned_area_km2 else None
        circle, radius = _circle(lon, lat, stated or NOMINAL_PARK_KM2)
        geom = shapely.make_valid(shapely.intersection(circle, cell_of[tc]))
        park_geoms.append(geom)
        park_radius[tc] = max(park_radius.get(tc, 0.0), radius)
        row = {k: r.get(k) for k in p.columns if k not in ("township", "source_line")}
        row.update(township_code=tc, area_km2=round(_metric_area_km2(geom), 3), boundary_quality="schematic")
        park_rows.append(row)
        anchors.add("park:" + r.park_id, (lon, lat), start=1, spacing=min(150.0, radius / 4), within=geom)
    parks = _frame("parks", park_rows, park_geoms)
    park_ids = set(parks.park_id)

    # township anchors: projects ring around any park drawn at the seat
    for tc, xy in seat_of.items():
        r = park_radius.get(tc, 0.0)
        start = math.ceil(((r + 250.0) / 260.0) ** 2) if r else 0
        anchors.add("township:" + tc, xy, start=start, within=cell_of[tc])

    def locate(township_field, park):
        codes = [tcode(x) for x in (township_field or "").split(";") if x.strip()]
        codes = [c for c in codes if c]
        if park and park in park_ids:
            return anchors.take("park:" + park), "park", codes
        if len(codes) == 1:
            return anchors.take("township:" + codes[0]), "township", codes
        if len(codes) > 1:
            return MultiPoint([anchors.take("township:" + c) for c in codes]), "township", codes
        return None, "county", codes

    # ---- projects
    pr = read_csv("projects.csv").sort_values("project_id", kind="stable")
    prow, pgeom = [], []
    for _, r in pr.iterrows():
        geom, prec, codes = locate(r.township, r.park)
        row = {k: r.get(k) for k in pr.columns if k not in ("township", "park", "source_line")}
        row.update(township_code=codes[0] if len(codes) == 1 else None,
                   township_codes=";".join(codes) or None, park_id=r.park, loc_precision=prec,
                   public=(r.get("public") or "true"), version=1)
        prow.append(row)
        pgeom.append(geom)
    projects = _frame("projects", prow, pgeom)

    # ---- scenic and heritage sites
    s = read_csv("scenic_sites.csv").sort_values("site_id", kind="stable")
    srow, sgeom = [], []
    for _, r in s.iterrows():
        geom, prec, codes = locate(r.township, None)
        row = {k: r.get(k) for k in s.columns if k not in ("township", "source_line", "source_text")}
        row.update(township_code=codes[0] if len(codes) == 1 else None, loc_precision=prec)
        srow.append(row)
        sgeom.append(geom if not (geom is not None and geom.geom_type == "MultiPoint") else geom.geoms[0])
    sites = _frame("scenic_sites", srow, sgeom)

    # ---- roads: schematic lines through the places they name
    places = read_csv("places")
    place_xy = {}
    for _, r in places.iterrows():
        lon, lat = float(r.lon), float(r.lat)
        if r.datum == "GCJ02":
            lon, lat = gcj02_to_wgs84(lon, lat)
        place_xy[r["name"]] = (lon, lat)
    place_kind = dict(zip(places["name"], places["kind"])) if "kind" in places.columns else {}
    places_gdf = (gpd.GeoDataFrame(places.drop(columns=["lon", "lat", "datum"]),
                                   geometry=[Point(xy) for xy in place_xy.values()], crs=4326)
                  if len(places) else empty_frame("places"))

    def place_point(name):
        if not name:
            return None
        n = name.strip()
        c = tcode(n)
        if c is None:
            for tc, tn in name_of.items():
                if n.startswith(township_short(tn)):
                    c = tc
                    break
        if c:
            return seat_of[c]
        tcs = village_township.get(n) or village_township.get(n + "村")
        if tcs and len(tcs) == 1:
            return seat_of[next(iter(tcs))]
        # a bare place name (“至运城”) means the town or city, not another place named after it (运城关公机场)
        named = sorted((pn for pn in place_xy if n in pn), key=lambda pn: place_kind.get(pn) not in TOWN_KINDS)
        return place_xy[named[0]] if named else None

    rd = read_csv("roads.csv")
    rrow, rgeom = [], []
    for _, r in rd.iterrows():
        names = [r.from_place] + [x for x in (r.via_places or "").split("；") if x] + [r.to_place]
        pts = []
        for n in names:
            xy = place_point(n)
            if xy and (not pts or pts[-1] != xy):
                pts.append(xy)
        geom = LineString(pts) if len(pts) >= 2 else None
        row = {k: r.get(k) for k in rd.columns if k not in ("source_line", "source_text")}
        row["loc_precision"] = "schematic" if geom is not None else "county"
        rrow.append(row)
        rgeom.append(geom)
    roads = _frame("roads", rrow, rgeom)

    indicators = read_csv("indicators.csv")
    pv = read_csv("plan_villages.csv")
    pv["township_code"] = pv.township.map(tcode)
    plan_villages = pv.drop(columns=["township", "in_reference_list", "source_line"], errors="ignore")

    return {
        "county": county, "townships": townships, "villages": villages, "parks": parks,
        "scenic_sites": sites, "roads": roads, "projects": projects, "indicators": indicators,
        "indicator_actuals": empty_frame("indicator_actuals"),
        "township_indicators": empty_frame("township_indicators"), "plan_villages": plan_villages,
        "places": places_gdf, "audit_log": empty_frame("audit_log"),
        "parcels": empty_frame("parcels"),  # the plan names no parcels: they come from the bureau's own files
        "photos": empty_frame("photos"),  # progress photos come from the townships (issue 12)
        # the 调度 cycle's tables, empty (nothing reported): a month or a problem is then a one-row insert
        "progress": empty_frame("progress"), "problems": empty_frame("problems"),
    }


def build(store_path: str | None = None, profile: County | None = None):
    """Build the default store at ``store_path`` (a file path or a postgresql:// URL, through ``open_store``)
    from the county profile ``profile`` (the one in force when None).

    What is there is replaced in one transaction, and kept as a backup first (``restore`` lists it)."""
    store = open_store(store_path)
    frames = build_frames(profile)
    store.write_layers(frames, user="build", action="build", fresh=True, audit=False)
    store.append_audit([{"user": "build", "layer": "*", "feature_id": None, "action": "build",
                         "before": None, "after": f"{len(frames['projects'])} projects"}])
    return store
