"""Bad rows for the validation comparison test (tests/test_validation_vectorised.py): every kind of problem
:func:`xxgeo.validation.validate_frame` reports, on projects (mixed geometries) and places (geometry required)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from xxgeo.validation import NAME_MAX

OUTSIDE = shapely.Point(100.0, 20.0)
BOWTIE = shapely.Polygon([(111.0, 35.0), (111.01, 35.01), (111.01, 35.0), (111.0, 35.01)])


def bad_projects(inside) -> gpd.GeoDataFrame:
    """Projects with duplicate ids, empty required fields, bad choices, codes, years, booleans, control
    characters, an over-long name, wrong geometry types, an invalid polygon and a point outside the county."""
    rows = [
        dict(project_id="XM0001", name="好项目", category="工业", source_ref="s", loc_precision="surveyed",
             public=True, township_code=None, start_year=2021, geometry=inside),
        dict(project_id="XM0001", name=None, category="不存在", source_ref="s", loc_precision="surveyed",
             public=True, start_year=1800, geometry=inside),
        dict(project_id="XM0003", name="坏\x07名", category="农业", source_ref=None, loc_precision="精确",
             public="也许", township_code="12345", start_year="二〇二一", geometry=OUTSIDE),
        dict(project_id="XM0004", name="长" * (NAME_MAX + 1), category="文旅", source_ref="s",
             loc_precision="township", public=False, investment_wan="很多", geometry=BOWTIE),
        dict(project_id=None, name="  ", category=np.nan, source_ref="s", loc_precision="county", public=None,
             end_year=2021.5, geometry=None),
        dict(project_id="XM0006", name="集合", category="交通", source_ref="s", loc_precision="surveyed",
             public=True, geometry=shapely.GeometryCollection([inside])),
        dict(project_id="XM0006", name="空", category="交通", source_ref="s", loc_precision="surveyed",
             public=True, geometry=shapely.Point()),
    ]
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)


def bad_places(inside) -> gpd.GeoDataFrame:
    """Places: a missing geometry where one is required, a polygon on a point layer, one far outside (allowed)."""
    rows = [dict(place_id="PL1", name="甲", kind="机场", source="s", geometry=None),
            dict(place_id="PL2", name="乙", kind="机场", source="s", geometry=inside.buffer(0.01)),
            dict(place_id="PL3", name="丙", kind=None, source="s", geometry=OUTSIDE),
            dict(place_id="PL3", name="丁", kind="城市", source="s\x00", geometry=inside)]
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)
