"""A surveyor's parcels file (issue 15): CGCS2000 Gauss-Krüger (EPSG:4546) rectangles of known size near the
default store's 裴介 park, a GBK .dbf with Chinese headers, one parcel not public."""

from __future__ import annotations

import geopandas as gpd
from datafactory import shapefile_zip
from pyproj import Transformer
from shapely.geometry import box

#: the default store's 裴介 park (geodata/sources) and a point inside it
PARK_ID = "peijie"
ANCHOR = (111.10838, 35.09982)
#: (编号, 名称, width m, height m, 用途, 公开); 200 m x 100 m = 20,000 m² = 30 亩 exactly
PARCELS = [("PJ-01", "裴介东区一号地块", 200, 100, "工业", "是"),
           ("PJ-02", "裴介东区二号地块", 300, 200, "仓储", "是"),
           ("PJ-03", "内部预留三号地块", 150, 100, "工业", "否")]
SECRET_NAME = "内部预留三号地块"
EXPECTED_MU = {"PJ-01": 30.0, "PJ-02": 90.0, "PJ-03": 22.5}


def surveyor_frame() -> gpd.GeoDataFrame:
    """The parcels in EPSG:4546 with the headers a surveyor writes (each within the dbf's 10 bytes in GBK)."""
    x0, y0 = Transformer.from_crs(4326, 4546, always_xy=True).transform(*ANCHOR)
    geoms, rows = [], []
    for k, (pid, name, w, h, use, pub) in enumerate(PARCELS):
        x, y = x0 + k * 400, y0 - 150
        geoms.append(box(x, y, x + w, y + h))
        rows.append({"地块编号": pid, "地块名称": name, "所在园区": "裴介", "面积亩": w * h / 666.6667 + 0.3,
                     "用途": use + "用地", "供地方式": "挂牌出让", "价格": "15万元/亩", "容积率": "1.0-2.5",
                     "投资强度": 300, "亩均税收": 15, "通路": "是", "通电": "已通", "通水": "√", "通讯": "是",
                     "排水": "否", "通燃气": "", "通热力": "无", "场地平整": "是", "状态": "可供",
                     "联系人": "招商局 0359-0000000", "是否公开": pub})
    return gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4546")


def surveyor_zip(dest, *, cpg: str | None = None):
    """The zipped shapefile, GBK .dbf, .prj for EPSG:4546, no .cpg unless ``cpg`` (as surveyors send them)."""
    return shapefile_zip(surveyor_frame(), dest, encoding="GBK", cpg=cpg)
