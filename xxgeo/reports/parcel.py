"""可供地块 on paper, in Chinese and English: the parcels page of the park brochure (map with numbered parcels,
a table, the 七通一平 checklist) and the one-parcel sheet an investor takes away
(``python -m xxgeo report parcel ID --out FILE.pdf``).

Both are made from the public's share of the dataset only (:func:`xxgeo.policy.public_dataset`): a parcel not
marked public is not drawn, listed or found.
"""

from __future__ import annotations

import geopandas as gpd
import matplotlib
import pandas as pd
from reportlab.platypus import PageBreak

from .. import parcels as xp
from ..county import county
from ..errors import NotFound
from ..policy import public_dataset
from ..vocab import CHECKLIST, M2_PER_MU, is_blank, parcel_value_en
from . import glossary as gl
from . import mapdraw as md
from . import pdf
from .fonts import cjk_font, mpl_rc

NS = "未注明 / not stated"
#: the checklist marks on paper (the embedded CJK fonts have √ and ×, not ✓ and ✗)
MARKS = {True: "√", False: "×", None: "?"}
MARKS_LEGEND = "√ 已具备 yes　× 不具备 no　? 未注明 not stated"
PARCEL_FILL, PARCEL_EDGE = "#4caf50", "#1f6f3f"


def _both(v) -> str:
    if is_blank(v):
        return NS
    en = parcel_value_en(v)
    return f"{v} {en}" if en != v else str(v)


def _num(v, unit: str = "") -> str:
    if is_blank(v):
        return NS
    f = float(v)
    s = f"{f:,.0f}" if f.is_integer() else f"{f:,.2f}"
    return f"{s} {unit}".strip()


def area_both(p) -> str:
    """“30.0 亩 mu（20,000 m²）”, computed from the boundary, and the file's stated area when given."""
    mu = xp.shown_area(p)
    if mu is None:
        return NS
    s = f"{mu:,.1f} 亩 mu（{mu * M2_PER_MU:,.0f} m²）"
    if not is_blank(p.get("area_mu")):
        s += " 按边界计算 computed"
    if not is_blank(p.get("stated_area_mu")):
        s += f"；文件所述 stated {float(p['stated_area_mu']):,.2f} 亩"
    return s


def price_both(p) -> str:
    """The price with its unit as the file gives it."""
    if is_blank(p.get("price")):
        return NS
    return _num(p["price"], "" if is_blank(p.get("price_unit")) else str(p["price_unit"]))


def marks(p) -> list[str]:
    """√ / × / ? for each 七通一平 item, in :data:`xxgeo.vocab.CHECKLIST` order."""
    return [MARKS[v] for _zh, _en, v in xp.checklist(p)]


def parcels_figure(ds, park_id: str | None, parcels: pd.DataFrame, *, highlight: str | None = None,
                   size=(7.3, 3.6)):
    """The parcels (numbered as everywhere, :func:`xxgeo.parcels.numbers`) over their park outline; one parcel
    ``highlight``-ed for the one-parcel sheet."""
    font = cjk_font()
    nums = xp.numbers(parcels)
    pm = md.metric(parcels)
    parks = ds["parks"]
    with matplotlib.rc_context(mpl_rc(font)):
        fig = md.new_figure(*size)
        ax = fig.add_axes([0.01, 0.02, 0.98, 0.96])
        bx = tuple(pm.total_bounds)  # framed on the parcels (a park's schematic outline is far larger)
        pad = max(bx[2] - bx[0], bx[3] - bx[1]) * 0.25 + 250
        md.set_extent(ax, (bx[0] - pad, bx[1] - pad, bx[2] + pad, bx[3] + pad), margin=0.0)
        md.draw_boundaries(ax, ds, labels=False)
        md.draw_parks(ax, parks, highlight=park_id, label_size=7, label_ids=[park_id] if park_id else [])
        for _, r in pm.iterrows():
            hl = highlight is not None and str(r["parcel_id"]) == highlight
            faded = highlight is not None and not hl
            gpd.GeoSeries([r.geometry], crs=pm.crs).plot(
                ax=ax, facecolor=PARCEL_FILL, alpha=0.25 if faded else 0.6, edgecolor=PARCEL_EDGE,
                linewidth=2.2 if hl else 0.9, zorder=7)
            at = r.geometry.representative_point()
            ax.annotate(str(nums.get(str(r["parcel_id"]), "")), (at.x, at.y), ha="center", va="center",
                        fontsize=9 if hl or highlight is None else 7, color="white", zorder=9,
                        bbox={"boxstyle": "circle,pad=0.25", "fc": PARCEL_EDGE, "ec": "white", "lw": 0.6})
        md.tidy(ax)
        md.north_arrow(ax, fontsize=8, size=0.06)
        md.scale_bar(ax, fontsize=6.5)
    return fig


def park_parcels(ds, park_id: str) -> pd.DataFrame:
    """The public parcels of a park, in number order (empty when none)."""
    p = public_dataset(ds).get("parcels")
    return p.iloc[0:0] if p is None or not len(p) else xp.of_park(p, park_id)


def parcels_section(ds, park_id: str):
    """The brochure's parcels page as a function of the paragraph styles (``story(st) -> flowables``), or None
    when the park has no public parcels (the brochure then says nothing about parcels: nothing invented)."""
    ds = public_dataset(ds)
    sel = park_parcels(ds, park_id)
    if not len(sel):
        return None
    png = md.png_bytes(parcels_figure(ds, park_id, sel), dpi=200)
    nums = xp.numbers(sel)

    def story(st: dict) -> list:
        w = pdf.CONTENT_W
        head = [["序号\nNo.", "地块 Parcel", "面积 Area", "用途 Use", "供地方式 Supply", "价格 Price",
                 "容积率\nFAR", "投资强度\n万元/亩", "亩均税收\n万元/亩", "状态 Status"]]
        rows = head + [[str(nums.get(str(r["parcel_id"]), "")), f"{_name(r)}\n{r['parcel_id']}", area_both(r),
                        _both(r.get("land_use")), _both(r.get("supply")), price_both(r), _both(r.get("far")),
                        _num(r.get("investment_intensity")), _num(r.get("tax_per_mu")), _both(r.get("status"))]
                       for _, r in sel.iterrows()]
        checks = [["序号 No."] + [f"{zh}\n{en}" for _f, zh, en in CHECKLIST]]
        checks += [[str(nums.get(str(r["parcel_id"]), ""))] + marks(r) for _, r in sel.iterrows()]
        cw = (w - 16 * pdf.mm) / len(CHECKLIST)
        return [PageBreak(), pdf.para("可供地块 Available parcels", st["h2"]), pdf.image(png, w),
                pdf.para("编号与下表一致；面积按地块边界在 CGCS2000 高斯-克吕格投影（EPSG:4546）中计算，"
                         "1 亩 = 666.67 m²。Numbers as in the tables; areas computed from the parcel boundaries "
                         "in CGCS2000 Gauss-Krüger (EPSG:4546), 1 mu = 666.67 m².", st["small"]),
                pdf.table(rows, [w * f for f in (0.05, 0.16, 0.16, 0.08, 0.1, 0.1, 0.07, 0.08, 0.08, 0.12)], st),
                pdf.para("七通一平 Site readiness", st["h2"]),
                pdf.table(checks, [16 * pdf.mm] + [cw] * len(CHECKLIST), st),
                pdf.para(MARKS_LEGEND, st["small"]),
                pdf.para("地块资料来源 Sources of the parcel data：" + "；".join(
                    dict.fromkeys(str(s) for s in sel["source"] if not is_blank(s))), st["small"])]

    return story


def _name(r) -> str:
    return str(r["parcel_id"]) if is_blank(r.get("name")) else str(r["name"])


def parcel_sheet_pdf(ds, parcel_id: str) -> bytes:
    """One parcel on one A4 page (bilingual): map, facts, 七通一平, straight-line distances, contact, source.
    A parcel that is not public is not found (the same sentence as one that does not exist)."""
    ds = public_dataset(ds)
    allp = ds.get("parcels")
    hit = allp[allp["parcel_id"].astype(str) == str(parcel_id)] if allp is not None and len(allp) else None
    if hit is None or not len(hit):
        raise NotFound(f"没有编号为“{parcel_id}”的公开地块。", english=f"No public parcel “{parcel_id}”.")
    p = hit.iloc[0]
    park_id = None if is_blank(p.get("park_id")) else str(p["park_id"])
    siblings = xp.of_park(allp, park_id) if park_id else hit
    no = xp.numbers(allp).get(str(parcel_id), "")
    parks = ds["parks"]
    park_name = parks.set_index("park_id")["name"].get(park_id, park_id) if park_id else None
    png = md.png_bytes(parcels_figure(ds, park_id, siblings, highlight=str(parcel_id), size=(7.3, 3.4)), dpi=200)
    dist = xp.parcel_distances(p, ds["places"])
    c = county()

    def story(base):
        st = pdf.styles(base)
        w = pdf.CONTENT_W
        park_line = f"{park_name} {gl.park_name_en(park_id, park_name)}" if park_id else NS
        facts = [("地块编号\nParcel ID", f"{p['parcel_id']}（图中 {no} 号 / No. {no} on the map）"),
                 ("所在园区\nPark", park_line), ("面积\nArea", area_both(p)),
                 ("土地用途\nLand use", _both(p.get("land_use"))), ("供地方式\nSupply", _both(p.get("supply"))),
                 ("价格\nPrice", price_both(p)), ("容积率\nFloor area ratio", _both(p.get("far"))),
                 ("投资强度\nInvestment intensity", _num(p.get("investment_intensity"), "万元/亩 ×10k CNY/mu")),
                 ("亩均税收\nTax per mu", _num(p.get("tax_per_mu"), "万元/亩 ×10k CNY/mu")),
                 ("供地状态\nStatus", _both(p.get("status"))), ("联系人\nContact", _both(p.get("contact")))]
        for key, label in (("photo", "现场照片\nPhoto"), ("panorama_url", "全景\nPanorama")):
            if not is_blank(p.get(key)):
                facts.append((label, str(p[key])))
        checks = [[f"{zh}\n{en}" for _f, zh, en in CHECKLIST], marks(p)]
        drows = [["地点 Place", "直线距离 Straight-line", "坐标来源 Source of the coordinates"]]
        drows += [[f"{r['place']}\n{r['name_en'] or ''}".strip(), f"{r['km']:.1f} km", r["source"] or NS]
                  for _, r in dist.iterrows()]
        if len(drows) == 1:
            drows.append(["（数据库中没有参照地点 / no reference places in the store）", "", ""])
        return [pdf.para(_name(p), st["title"]),
                pdf.para(f"{c.full_name} · {c.full_name_en} · 可供地块 Available parcel", st["subtitle"]),
                pdf.image(png, w),
                pdf.para("地块信息 Parcel facts", st["h2"]),
                pdf.kv_table(facts, [32 * pdf.mm, w - 32 * pdf.mm], st),
                pdf.para("七通一平 Site readiness", st["h2"]),
                pdf.table(checks, [w / len(CHECKLIST)] * len(CHECKLIST), st),
                pdf.para(MARKS_LEGEND, st["small"]),
                pdf.para("直线距离 Straight-line distances（自地块位置量算，非道路里程 / not road distances）",
                         st["h2"]),
                pdf.table(drows, [w * 0.34, w * 0.16, w * 0.50], st),
                pdf.para(f"来源 Source：{_both(p.get('source'))}。面积按边界在 EPSG:4546 中计算，1 亩 = 666.67 m²；"
                         "未注明的不作估计。Area computed from the boundary in EPSG:4546; what is not stated is "
                         "not estimated. 仅含公开信息 Public information only.", st["small"])]

    data, _n, _used = pdf.fit(story, title=f"{_name(p)} {p['parcel_id']}",
                              footer=f"{c.name} · {_name(p)} · 可供地块", max_pages=1, attempts=[9.0, 8.2, 7.5])
    return data
