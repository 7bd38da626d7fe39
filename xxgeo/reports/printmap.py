"""The 挂图作战 print: one township or park as a PNG map for A4 or A3 paper (landscape, 300 dpi) with title,
north arrow, scale bar, legend and source note."""

from __future__ import annotations

import datetime as _dt

from ..county import county
from .figures import park_figure, township_figure
from .glossary import park_name_en
from .mapdraw import png_bytes
from .paper import page_px

#: paper -> (width, height) in pixels at 300 dpi, landscape (A4 297 × 210 mm, A3 420 × 297 mm)
PAPERS = {p: page_px(p, "landscape", 300) for p in ("A4", "A3")}
_SCALE = {"A4": 1.45, "A3": 2.05}


def print_map_png(ds, kind: str, key: str, *, paper: str = "A4", dpi: int = 300, background=None) -> bytes:
    """PNG bytes of the print map of a township (``kind='township'``, ``key`` its code) or a park
    (``kind='park'``, ``key`` its park_id) on ``paper`` (A4 or A3, landscape) at ``dpi``."""
    if paper not in PAPERS:
        raise ValueError(f"unknown paper {paper!r}")
    size, scale = (PAPERS[paper][0] / 300, PAPERS[paper][1] / 300), _SCALE[paper]
    today = _dt.date.today().isoformat()
    c = county()
    if kind == "township":
        name = ds["townships"].set_index("code").loc[key, "name"]
        note = (f"资料来源：{c.plan_title}；乡镇与村：国家统计局2023年统计用区划代码。乡镇界为示意，非法定界线；"
                f"项目位置为示意（标注到乡镇或园区示意位置）。坐标系 CGCS2000 / 3° 高斯-克吕格 CM 111°E（EPSG:4546）。"
                f"xxgeo {c.app_title} 制图 {today}")
        fig, _ = township_figure(ds, key, size=size, scale=scale, title=f"{name}项目分布图", note=note,
                                 background=background, dpi=min(dpi, 150))
    elif kind == "park":
        p = ds["parks"].set_index("park_id").loc[key]
        note = (f"资料来源：{c.plan_title}；参照地点坐标来源见报告。园区范围为示意（非规划红线）；距离为直线距离。"
                f"Park outline schematic; distances are straight lines. EPSG:4546. xxgeo {today}")
        fig, _ = park_figure(ds, key, size=size, scale=scale, title=f"{p['name']}  {park_name_en(key, p['name'])}",
                             note=note, background=background, dpi=min(dpi, 150))
    else:
        raise ValueError(f"unknown kind {kind!r}")
    return png_bytes(fig, dpi=dpi)
