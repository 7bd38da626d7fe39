"""The township one-pager (one A4 page; the project list runs on to a second only when it does not fit): map,
figures, project table, the villages the plan names, notes on boundary and location precision, sources."""

from __future__ import annotations

import re

import pandas as pd
from reportlab.platypus import CondPageBreak

from ..analysis import township_stats
from ..county import county
from ..i18n import in_lang, tr, value_text
from ..mapping import MapFilter
from ..provenance import source_label
from ..schema import CATEGORIES, LOC_PRECISION_LABELS, is_empty
from ..vocab import fmt_wan, not_stated, precision_label, status_text
from . import pdf
from .compliance import section as compliance_section
from .figures import township_figure
from .mapdraw import png_bytes, select_projects

#: (base font size, max project rows or None, map width as a share of the text width): tried in turn until the
#: whole report fits on ONE page (every project listed) ...
ONE_PAGE = [(9.0, None, 1.0), (8.2, None, 0.82), (7.6, None, 0.66), (7.2, None, 0.58)]
#: ... else until it fits on two: page 1 full (the project list runs on), the rest on page 2
ATTEMPTS = [(9.0, None, 1.0), (8.2, None, 1.0), (7.6, None, 1.0), (7.6, 60, 1.0), (7.6, 40, 1.0), (7.6, 25, 1.0)]
#: the project table's column widths (shares of the text width): English words need wider category and precision
#: columns (Township point (schematic)), the Chinese names a wider name column
PROJECT_COLUMNS = {"zh": (0.36, 0.09, 0.09, 0.14, 0.12, 0.20), "en": (0.30, 0.13, 0.09, 0.10, 0.18, 0.20)}
#: a section heading starts a new page rather than sit at the foot of one with less than this below it
HEADING_ROOM = 14 * pdf.mm


def _or(v, lang: str = "zh", unknown: str | None = None) -> str:
    """The value as text; ``unknown`` (default 未注明 / not stated in ``lang``) when empty."""
    return (not_stated(lang) if unknown is None else unknown) if is_empty(v) else str(v)


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


def township_report_pdf(ds, code: str, compliance=None, *, background=None, lang: str = "zh") -> bytes:
    """The township report as PDF bytes in ``lang`` (data values such as names stay as stored), searchable text in
    an embedded CJK font: one A4 page when the whole report fits at a readable size (:data:`ONE_PAGE`), else two
    with page 1 full (:data:`ATTEMPTS`). ``compliance``: the township's 三区三线 check
    (:func:`xxgeo.constraints.run.township_check`), a section."""
    f = township_facts(ds, code)
    t = ds["townships"].set_index("code").loc[code]
    projects = select_projects(ds["projects"], MapFilter(townships=(code,)))
    fig, info = township_figure(ds, code, size=(7.3, 4.35), background=background, lang=lang)
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

        out = [pdf.para(tr("township_report.title", lang, name=f["name"]), st["title"]),
               pdf.para(tr("township_report.subtitle", lang, county=c.label(lang), name=f["name"],
                           kind=value_text(f["kind"], lang), code=code,
                           plan=in_lang(lang, c.plan_title, c.plan_title_en)), st["subtitle"]),
               pdf.image(map_png, pdf.CONTENT_W * map_share)]
        out.append(pdf.para(_map_note(f, info, lang), st["small"]))
        out += [pdf.para(tr("township_report.h_facts", lang), st["h2"]), _facts_table(f, parks, st, lang)]
        out += heading(tr("township_report.h_projects", lang, n=len(projects)))
        out += _project_table(projects, st, max_rows, f["name"], lang)
        if len(villages):
            out += heading(tr("township_report.h_villages", lang)) + [_village_table(villages, st, lang)]
        if info.site_keys:
            out += heading(tr("township_report.h_sites", lang)) + [_site_table(info.site_keys, ds, st, lang)]
        if compliance is not None:
            out += heading(tr("township_report.h_compliance", lang)) + compliance_section(
                compliance, lang, names, st, heading, brief=True)
        out += heading(tr("township_report.h_notes", lang))
        out += [pdf.para(s, st["small"]) for s in _notes(f, t, projects, ds, lang)]
        return out

    title, footer = tr("township_report.title", lang, name=f["name"]), f"{c.title(lang)} · {f['name']}"
    built: dict = {}
    data, pages, _used = pdf.fit(story, title=title, footer=footer, max_pages=1, attempts=ONE_PAGE, built=built,
                                 lang=lang)
    if pages > 1:
        data, _pages, _used = pdf.fit(story, title=title, footer=footer, max_pages=2, attempts=ATTEMPTS,
                                      built=built, lang=lang)
    return data


def _map_note(f: dict, info, lang: str = "zh") -> str:
    extent = tr("township_report.extent_schematic" if f["schematic"] else "township_report.extent_official", lang)
    parts = [tr("township_report.map_shows", lang, extent=extent, drawn=info.projects_drawn, n=f["projects"])]
    if info.counted:
        parts.append(tr("township_report.map_counted", lang, n=info.counted))
    if info.shared_points:
        parts.append(tr("township_report.map_shared", lang))
    return "".join(parts)  # the English sentences after the first start with a space


def _facts_table(f: dict, parks: pd.DataFrame, st: dict, lang: str = "zh"):
    sep = tr("township_report.list_sep", lang)
    cats = sep.join(f"{value_text(c, lang)} {n}" for c, n in f["by_category"]) or tr("township_report.none", lang)
    inv = (tr("township_report.v_investment_none", lang) if f["investment_wan"] is None else
           tr("township_report.v_investment", lang, wan=fmt_wan(f["investment_wan"], lang), n=f["with_investment"]))
    area = f"{f['area_km2']:.1f} km²" + tr("township_report.v_area_schematic" if f["schematic"]
                                            else "township_report.v_area_official", lang)
    pairs = [(tr("township_report.k_projects", lang), tr("township_report.v_projects", lang, n=f["projects"],
                                                         multi=f["multi"])),
             (tr("township_report.k_categories", lang), cats),
             (tr("township_report.k_investment", lang), inv),
             (tr("township_report.k_villages", lang), not_stated(lang) if f["village_units"] is None
              else tr("township_report.v_villages", lang, n=f["village_units"])),
             (tr("township_report.k_area", lang), area)]
    if len(parks):
        areas = [not_stated(lang) if is_empty(a) else f"{a:g} km²" for a in parks["planned_area_km2"]]
        pairs.append((tr("township_report.k_parks", lang),
                      sep.join(tr("township_report.v_park", lang, name=n, area=a)
                               for n, a in zip(parks["name"], areas))))
    return pdf.kv_table(pairs, [24 * pdf.mm, pdf.CONTENT_W - 24 * pdf.mm], st)


def _project_table(projects: pd.DataFrame, st: dict, max_rows: int | None, name: str, lang: str = "zh") -> list:
    rows = [[tr(k, lang) for k in ("township_report.col_name", "township_report.col_category",
                                   "township_report.col_status", "township_report.col_investment",
                                   "township_report.col_precision", "township_report.col_source")]]
    shown = projects if max_rows is None else projects.head(max_rows)
    for _, r in shown.iterrows():
        rows.append([r["name"], value_text(r["category"], lang), _or(status_text(r["status"], lang), lang),
                     fmt_wan(r["investment_wan"], lang, with_unit=False),
                     _or(precision_label(r["loc_precision"], lang), lang),
                     _or(r["source_ref"], lang).replace("; ", "；")])
    if len(rows) == 1:
        rows.append([tr("township_report.none_listed", lang), "", "", "", "", ""])
    w = pdf.CONTENT_W
    t = pdf.table(rows, [w * x for x in PROJECT_COLUMNS.get(lang, PROJECT_COLUMNS["zh"])], st)
    if max_rows is not None and len(projects) > max_rows:
        return [t, pdf.para(tr("township_report.more", lang, n=len(projects) - max_rows, name=name), st["small"])]
    return [t]


def _village_table(villages: pd.DataFrame, st: dict, lang: str = "zh"):
    rows = [[tr(k, lang) for k in ("township_report.col_programme", "township_report.col_group",
                                   "township_report.col_villages", "township_report.col_source")]]
    for (prog, group, ref), g in villages.groupby(["programme", villages["group"].fillna(""), "source_ref"],
                                                  sort=False):
        rows.append([prog, group or "—", tr("township_report.list_sep", lang).join(g["village"].astype(str)), ref])
    w = pdf.CONTENT_W
    return pdf.table(rows, [w * 0.24, w * 0.26, w * 0.38, w * 0.12], st)


def _site_table(keys: list, ds, st: dict, lang: str = "zh"):
    s = ds["scenic_sites"].drop_duplicates("name").set_index("name")
    rows = [[tr(k, lang) for k in ("township_report.col_no", "township_report.col_site", "township_report.col_kind",
                                   "township_report.col_grade", "township_report.col_precision")]]
    for n, name, kind, prec in keys:
        grade = s.loc[name, "grade"] if name in s.index else None
        rows.append([str(n), name, value_text(kind, lang), _or(grade, lang, "—"),
                     _or(precision_label(prec, lang), lang)])
    w = pdf.CONTENT_W
    return pdf.table(rows, [w * 0.07, w * 0.45, w * 0.14, w * 0.12, w * 0.22], st)


def _notes(f: dict, t, projects: pd.DataFrame, ds, lang: str = "zh") -> list[str]:
    counts = projects["loc_precision"].map(lambda c: precision_label(c, lang)).value_counts()
    prec = tr("township_report.clause_sep", lang).join(tr("township_report.prec_item", lang, label=k, n=v)
                                                for k, v in counts.items()) or tr("township_report.none", lang)
    out = []
    if f["schematic"]:
        out.append(tr("township_report.note_boundary", lang))
    out.append(tr("township_report.note_precision", lang, prec=prec))
    out.append(tr("township_report.note_investment", lang))
    refs = "、".join(_refs(projects)) or "—"
    county_src = source_label(ds["county"]["source"].iloc[0], lang) if len(ds["county"]) else "—"
    c = county()
    out.append(tr("township_report.note_sources", lang, plan=in_lang(lang, c.plan_title, c.plan_title_en),
                  refs=refs, towns=source_label(t["source"], lang), county=county_src))
    return out
