"""The township one-pager (one A4 page; the project list runs on to a second only when it does not fit): map,
figures, project table, the villages the plan names, notes on boundary and location precision, sources."""

from __future__ import annotations

import re

import pandas as pd
from reportlab.platypus import CondPageBreak

from ..analysis import township_stats
from ..county import county
from ..mapping import MapFilter
from ..provenance import source_label
from ..schema import CATEGORIES, LOC_PRECISION_LABELS, is_empty
from ..vocab import fmt_wan
from . import pdf
from .compliance import section as compliance_section
from .figures import township_figure
from .mapdraw import png_bytes, select_projects

#: (base font size, max project rows or None, map width as a share of the text width): tried in turn until the
#: whole report fits on ONE page (every project listed) ...
ONE_PAGE = [(9.0, None, 1.0), (8.2, None, 0.82), (7.6, None, 0.66), (7.2, None, 0.58)]
#: ... else until it fits on two: page 1 full (the project list runs on), the rest on page 2
ATTEMPTS = [(9.0, None, 1.0), (8.2, None, 1.0), (7.6, None, 1.0), (7.6, 60, 1.0), (7.6, 40, 1.0), (7.6, 25, 1.0)]
#: a section heading starts a new page rather than sit at the foot of one with less than this below it
HEADING_ROOM = 14 * pdf.mm


def _or(v, unknown: str = "未注明") -> str:
    return unknown if is_empty(v) else str(v)


def township_facts(ds, code: str) -> dict:
    """The figures of one township as shown in its report (also handy for tests)."""
    t = ds["townships"].set_index("code").loc[code]
    stats = township_stats(ds).set_index("code").loc[code]
    projects = select_projects(ds["projects"], MapFilter(townships=(code,)))
    only_here = projects[projects["township_code"] == code]
    by_cat = projects["category"].value_counts()
    return {
        "name": str(t["name"]), "kind": str(t["kind"]), "code": code,
        "projects": len(projects), "multi": int((projects["township_code"] != code).sum()),
        "by_category": [(c, int(by_cat[c])) for c in CATEGORIES if c in by_cat],
        "investment_wan": float(stats["investment_wan"]) if only_here["investment_wan"].notna().any() else None,
        "with_investment": int(only_here["investment_wan"].notna().sum()),
        "village_units": None if is_empty(t["village_units"]) else int(t["village_units"]),
        "area_km2": float(stats["area_km2"]),
        "schematic": t["boundary_quality"] == "schematic",
        "precision": projects["loc_precision"].map(LOC_PRECISION_LABELS).value_counts().to_dict(),
    }


def _refs(projects: pd.DataFrame) -> list[str]:
    refs = set()
    for s in projects["source_ref"].dropna():
        refs.update(r.strip() for r in re.split(r"[;；]", s) if r.strip())
    return sorted(refs, key=lambda r: (not r.startswith("专栏"), [int(x) if x.isdigit() else x
                                                               for x in re.split(r"(\d+)", r)]))


def township_report_pdf(ds, code: str, compliance=None, *, background=None) -> bytes:
    """The township report as PDF bytes, searchable text in an embedded CJK font: one A4 page when the whole
    report fits at a readable size (:data:`ONE_PAGE`), else two with page 1 full (:data:`ATTEMPTS`).
    ``compliance``: the township's 三区三线 check (:func:`xxgeo.constraints.run.township_check`), a section."""
    f = township_facts(ds, code)
    t = ds["townships"].set_index("code").loc[code]
    projects = select_projects(ds["projects"], MapFilter(townships=(code,)))
    fig, info = township_figure(ds, code, size=(7.3, 4.35), background=background)
    map_png = png_bytes(fig, dpi=220)
    pv = ds.get("plan_villages")
    villages = pv[pv["township_code"] == code] if pv is not None and len(pv) else pd.DataFrame()
    parks = ds["parks"][ds["parks"]["township_code"] == code]
    c = county()
    names = dict(zip(ds["townships"]["code"].astype(str), ds["townships"]["name"].astype(str)))

    def story(setting):
        base, max_rows, map_share = setting
        st = pdf.styles(base)

        def heading(text: str) -> list:
            # not kept with what follows (a kept heading drags a long table to the next page and leaves page 1
            # half empty): the table runs on from where it starts, and a heading near the foot moves on
            return [CondPageBreak(HEADING_ROOM), pdf.para(text, st["h2flow"])]

        out = [pdf.para(f"{f['name']}  项目一页报告", st["title"]),
               pdf.para(f"{c.name}{f['name']}（{f['kind']}，统计用区划代码 {code}）· 依据{c.plan_title}",
                        st["subtitle"]),
               pdf.image(map_png, pdf.CONTENT_W * map_share)]
        out.append(pdf.para(_map_note(f, info), st["small"]))
        out += [pdf.para("基本情况", st["h2"]), _facts_table(f, parks, st)]
        out += heading(f"本乡镇项目（{len(projects)} 个）")
        out += _project_table(projects, st, max_rows, f["name"])
        if len(villages):
            out += heading("规划点名的村（美丽乡村示范片/带等）") + [_village_table(villages, st)]
        if info.site_keys:
            out += heading("景区与文物（图中编号）") + [_site_table(info.site_keys, ds, st)]
        if compliance is not None:
            out += heading("三区三线合规检查") + compliance_section(compliance, "zh", names, st, heading, brief=True)
        out += heading("说明与资料来源")
        out += [pdf.para(s, st["small"]) for s in _notes(f, t, projects, ds)]
        return out

    title, footer = f"{f['name']} 项目一页报告", f"{c.app_title} · {f['name']}"
    built: dict = {}
    data, pages, _used = pdf.fit(story, title=title, footer=footer, max_pages=1, attempts=ONE_PAGE, built=built)
    if pages > 1:
        data, _pages, _used = pdf.fit(story, title=title, footer=footer, max_pages=2, attempts=ATTEMPTS,
                                      built=built)
    return data


def _map_note(f: dict, info) -> str:
    parts = [f"图中：本乡镇{'示意范围（非法定界线，虚线）' if f['schematic'] else '边界'}、项目（按类别着色，"
             f"{info.projects_drawn}/{f['projects']} 个有位置）、园区与景区文物（编号见下表）。"]
    if info.shared_points:
        parts.append("“+”为乡镇或园区示意位置，周围环绕排列的符号是标注在该示意位置的项目与景点，不是实际位置。")
    return "".join(parts)


def _facts_table(f: dict, parks: pd.DataFrame, st: dict):
    cats = "、".join(f"{c} {n}" for c, n in f["by_category"]) or "无"
    inv = ("未注明（本乡镇单独项目均未注明投资）" if f["investment_wan"] is None else
           f"{fmt_wan(f['investment_wan'])}（{f['with_investment']} 个仅在本乡镇的项目注明投资；"
           "跨乡镇项目的投资不拆分、不计入）")
    area = f"{f['area_km2']:.1f} km²" + ("（按示意边界计算，非法定面积）" if f["schematic"] else "（按正式边界计算）")
    pairs = [("项目数", f"{f['projects']} 个（其中跨乡镇项目 {f['multi']} 个）"),
             ("按类别", cats), ("已注明总投资", inv),
             ("村级单位", "未注明" if f["village_units"] is None
              else f"{f['village_units']} 个（国家统计局 2023 统计用区划代码）"),
             ("面积", area)]
    if len(parks):
        areas = ["未注明" if is_empty(a) else f"{a:g} km²" for a in parks["planned_area_km2"]]
        pairs.append(("园区", "、".join(f"{n}（规划面积 {a}）" for n, a in zip(parks["name"], areas))))
    return pdf.kv_table(pairs, [24 * pdf.mm, pdf.CONTENT_W - 24 * pdf.mm], st)


def _project_table(projects: pd.DataFrame, st: dict, max_rows: int | None, name: str) -> list:
    rows = [["项目名称", "类别", "状态", "总投资（万元）", "位置精度", "出处"]]
    shown = projects if max_rows is None else projects.head(max_rows)
    for _, r in shown.iterrows():
        rows.append([r["name"], r["category"], _or(r["status"]), fmt_wan(r["investment_wan"], with_unit=False),
                     LOC_PRECISION_LABELS.get(r["loc_precision"], _or(r["loc_precision"])),
                     _or(r["source_ref"]).replace("; ", "；")])
    if len(rows) == 1:
        rows.append(["（规划未列出本乡镇的项目）", "", "", "", "", ""])
    w = pdf.CONTENT_W
    t = pdf.table(rows, [w * 0.36, w * 0.09, w * 0.09, w * 0.14, w * 0.12, w * 0.20], st)
    if max_rows is not None and len(projects) > max_rows:
        return [t, pdf.para(f"另有 {len(projects) - max_rows} 个项目未列出；完整清单：python -m xxgeo export "
                            f"--layer projects --township {name} --format xlsx --out 项目.xlsx", st["small"])]
    return [t]


def _village_table(villages: pd.DataFrame, st: dict):
    rows = [["规划事项", "片区/说明", "村", "出处"]]
    for (prog, group, ref), g in villages.groupby(["programme", villages["group"].fillna(""), "source_ref"],
                                                  sort=False):
        rows.append([prog, group or "—", "、".join(g["village"].astype(str)), ref])
    w = pdf.CONTENT_W
    return pdf.table(rows, [w * 0.24, w * 0.26, w * 0.38, w * 0.12], st)


def _site_table(keys: list, ds, st: dict):
    s = ds["scenic_sites"].drop_duplicates("name").set_index("name")
    rows = [["编号", "名称", "类型", "等级", "位置精度"]]
    for n, name, kind, prec in keys:
        grade = s.loc[name, "grade"] if name in s.index else None
        rows.append([str(n), name, kind, _or(grade, "—"), LOC_PRECISION_LABELS.get(prec, _or(prec))])
    w = pdf.CONTENT_W
    return pdf.table(rows, [w * 0.07, w * 0.45, w * 0.14, w * 0.12, w * 0.22], st)


def _notes(f: dict, t, projects: pd.DataFrame, ds) -> list[str]:
    prec = "；".join(f"{k} {v} 个" for k, v in f["precision"].items()) or "无"
    out = []
    if f["schematic"]:
        out.append("边界：乡镇界为示意（由乡镇驻地点划分县界得到），不是法定界线；面积按示意边界计算，仅供参考。"
                   "导入正式边界后自动替换。")
    out.append(f"位置精度：{prec}。“乡镇示意点”“园区示意位置”表示规划只写明所在乡镇或园区，不是实测位置。")
    out.append("投资：只列规划注明的总投资（万元；规划以亿元表述的已换算，1 亿元 = 10000 万元），未注明的不估算。")
    refs = "、".join(_refs(projects)) or "—"
    county_src = source_label(ds["county"]["source"].iloc[0]) if len(ds["county"]) else "—"
    out.append(f"资料来源：{county().plan_title}（{refs}）；乡镇与村：{source_label(t['source'])}；县界：{county_src}。")
    return out
