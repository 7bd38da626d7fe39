"""The investor brochure of one park, in Chinese and English: map in its surroundings, area (km² and 亩),
land, industries, enterprises, infrastructure, distances, public projects, the park's contacts (the bureau's,
edited in the app; 未注明 / not stated when not given).

Public data only: projects with ``public = true``; no internal fields (notes, versions, source texts).
"""

from __future__ import annotations

import pandas as pd

from ..county import county
from ..mapping import MapFilter
from ..names import township_names
from ..policy import public_dataset
from ..provenance import source_label
from ..schema import is_empty
from ..vocab import MU_PER_KM2, category_both, fmt_wan, km_text, status_both
from . import glossary as gl
from . import pdf
from .figures import park_figure
from .mapdraw import png_bytes, select_projects
from .parcel import parcels_section

NS = "未注明 / not stated"
ATTEMPTS = [9.0, 8.4, 7.8]


def km2_mu(km2: float) -> str:
    """“10.95 km²（16,425 亩）”."""
    return f"{km2:g} km²（{km2 * MU_PER_KM2:,.0f} 亩 mu）"


def area_lines(p) -> dict:
    """Area texts: planned (as stated), construction land (as stated / converted), schematic (computed)."""
    out = {}
    if is_empty(p["planned_area_km2"]):
        out["planned"] = NS
    else:
        out["planned"] = f"{km2_mu(float(p['planned_area_km2']))} — 规划所述 / as stated in the plan"
    km2, mu = p["construction_land_km2"], p["construction_land_mu"]
    parts = []
    if not is_empty(km2):
        parts.append(f"{float(km2):g} km²（规划所述 / stated）")
    if not is_empty(mu):
        parts.append(f"{float(mu):,.0f} 亩 mu（规划所述 / stated）")
    elif not is_empty(km2):
        parts.append(f"{float(km2) * MU_PER_KM2:,.0f} 亩 mu（按 1 km² = {MU_PER_KM2} 亩换算 / converted）")
    out["construction"] = "；".join(parts) if parts else NS
    a = p["area_km2"]
    out["schematic"] = (NS if is_empty(a) else
                        f"{float(a):.2f} km²（{float(a) * MU_PER_KM2:,.0f} 亩）— 示意范围，按示意边界计算，"
                        "非规划面积 / schematic extent as drawn, not the planned area")
    return out


def park_brochure_pdf(ds, park_id: str, *, background=None) -> bytes:
    """The bilingual brochure as PDF bytes (A4, searchable text in an embedded CJK font), made from the public's
    share of ``ds`` only: it is for investors to take away."""
    ds = public_dataset(ds)
    parks = ds["parks"]
    p = parks[parks["park_id"] == park_id].iloc[0]
    name_en = gl.park_name_en(park_id, p["name"])
    fig, info = park_figure(ds, park_id, size=(7.3, 3.7), background=background)
    map_png = png_bytes(fig, dpi=220)
    projects = select_projects(ds["projects"], MapFilter(park=park_id))
    towns = township_names(ds["townships"])
    town = towns.get(p["township_code"], "")
    c = county()
    parcel_page = parcels_section(ds, park_id)  # None without public parcels

    def story(base):
        st = pdf.styles(base)
        out = [pdf.para(str(p["name"]), st["title"]), pdf.para(name_en, st["h2"]),
               pdf.para(f"{c.full_name}{town} · {c.full_name_en} · 投资指南 Investor brochure",
                        st["subtitle"]),
               pdf.image(map_png, pdf.CONTENT_W),
               pdf.para("园区范围为示意（非规划红线）；直线距离自示意范围中心量算，不是道路里程。The park outline is "
                        "schematic (not the planning red line); distances are straight lines from the centre of that "
                        "outline, not road distances.", st["small"]),
               pdf.para("园区概况 Key facts", st["h2"]), _facts(p, st),
               pdf.para("区位与距离 Location and distances", st["h2"]), _distances(info.distances, st)]
        stated = p.get("distances_stated")
        if not is_empty(stated):
            en = gl.stated_distance_en(stated)
            out.append(pdf.para(f"规划所述距离 Distances stated in the plan：{stated}" + (f"（{en}）" if en else ""),
                                st["body"]))
        out += [pdf.para(f"园区内的公开项目 Public projects in the park（{len(projects)}）", st["h2"]),
                _projects(projects, st),
                pdf.para("联系方式 Contacts", st["h2"]), _contacts(p, st),
                pdf.para("资料来源 Sources", st["h2"])]
        out += [pdf.para(s, st["small"]) for s in _sources(p, info.distances)]
        return out + (parcel_page(st) if parcel_page else [])

    data, _n, _used = pdf.fit(story, title=f"{p['name']} {name_en}", footer=f"{c.name} · {p['name']} · 投资指南",
                              max_pages=2 + (parcel_page is not None), attempts=ATTEMPTS)
    return data


def _facts(p, st: dict):
    a = area_lines(p)
    ind = p["leading_industries"]

    def zh(v):
        return NS if is_empty(v) else str(v)

    pairs = [
        ("规划面积\nPlanned area", a["planned"]),
        ("建设用地\nConstruction land", a["construction"]),
        ("示意范围\nSchematic extent", a["schematic"]),
        ("位置\nLocation", zh(p.get("location_desc"))),
        ("主导产业\nLeading industries", zh(ind) + ("" if is_empty(ind) else
                                                   f"\nKeywords in English: {gl.industries_en(ind)}")),
        ("已有企业\nEnterprises", zh(p.get("enterprises"))),
        ("基础设施\nInfrastructure", zh(p.get("infrastructure"))),
        ("标准厂房\nStandard factories", zh(p.get("standard_factories"))),
        ("发展目标\nTargets", zh(p.get("targets"))),
        ("规划期限\nPlan period", zh(p.get("period"))),
        ("状态\nStatus", zh(p.get("status"))),
    ]
    return pdf.kv_table(pairs, [30 * pdf.mm, pdf.CONTENT_W - 30 * pdf.mm], st)


def _distances(dist: list, st: dict):
    rows = [["地点 Place", "直线距离 Straight-line", "坐标来源 Source of the coordinates"]]
    for name, name_en, km, src in dist:
        rows.append([f"{name}\n{name_en or ''}".strip(), km_text(km), source_label(src, "both")])
    if len(rows) == 1:
        rows.append(["（数据库中没有参照地点 / no reference places in the store）", "", ""])
    w = pdf.CONTENT_W
    return pdf.table(rows, [w * 0.34, w * 0.16, w * 0.50], st)


def _projects(projects: pd.DataFrame, st: dict):
    rows = [["项目 Project", "类别 Category", "状态 Status", "总投资 Investment（万元 / 10k CNY）"]]
    for _, r in projects.iterrows():
        status = r["status"]
        status_txt = NS if is_empty(status) else status_both(status)
        rows.append([r["name"], category_both(r["category"]), status_txt,
                     NS if pd.isna(r["investment_wan"]) else fmt_wan(r["investment_wan"], with_unit=False)])
    if len(rows) == 1:
        rows.append(["（规划未列出园区内的具体项目 / no projects listed for this park）", "", "", ""])
    w = pdf.CONTENT_W
    return pdf.table(rows, [w * 0.46, w * 0.2, w * 0.16, w * 0.18], st)


#: the brochure's contact block: field -> bilingual label (the values are the bureau's, edited in the app)
CONTACT_LABELS = {"contact_unit": "联系单位\nOrganisation", "contact_person": "联系人\nContact person",
                  "contact_phone": "电话\nTel.", "contact_email": "邮箱\nEmail", "contact_address": "地址\nAddress"}


def _contacts(p, st: dict):
    rows = [[pdf.para(k, st["small"]), pdf.para(NS if is_empty(p.get(f)) else str(p.get(f)), st["body"])]
            for f, k in CONTACT_LABELS.items()]
    return pdf.table(rows, [30 * pdf.mm, pdf.CONTENT_W - 30 * pdf.mm], st, header=False, zebra=False)


def _sources(p, dist: list) -> list[str]:
    refs = str(p.get("source_ref") or "").replace("; ", "、")
    c = county()
    out = [f"园区资料：{c.plan_title}（{refs}）。Park facts: {c.plan_title_en}, sections as listed.",
           "数值按规划原文；规划未写明的为“未注明”，不作估计。Figures as the plan states them; what it does not "
           "state is marked “not stated”, never estimated. 1 km² = 1500 亩 (mu).",
           "仅含公开信息。Public information only."]
    return out
