"""定位项目 (``?view=locate``; ``&id=PROJECT_ID`` opens one project): the queue of projects still to be placed,
the project's township on the map, a point clicked, a line or polygon drawn or coordinates pasted, a preview,
the precision chosen by the user (no default) and 保存位置, one audited, versioned edit (:mod:`xxgeo.locate`)."""

from __future__ import annotations

from urllib.parse import urlencode

import geopandas as gpd
import pandas as pd
import shapely
import streamlit as st

from ..coordparse import DATUMS, parse_points
from ..crs import METRIC_CRS
from ..errors import PermissionDenied, XxgeoError
from ..i18n import value_text
from ..locate import key_rank, placing_queue, plan_placement, save_location, townships_of
from ..mapping import MapFilter, MapRequest
from ..names import township_names
from ..policy import check_feature
from ..precision import PLACING_CHOICES, hint, label
from ..schema import is_empty
from ..vocab import COUNTY_WIDE, M2_PER_MU, fmt_wan, local_time, not_stated
from .common import basemap_picker, edit_base, md_text, set_param, show_map
from .errors import show_error
from .locate_map import drawing_tool, from_map, preview_group

METHODS = ("click", "draw", "paste")
SHAPES = ("points", "line", "polygon")


def render(ctx) -> None:
    """The placing workspace."""
    t = ctx.t
    st.markdown(f"## {t('view.locate')}")
    st.caption(t("locate.intro"))
    done = st.session_state.pop("locate_done", None)
    if done:
        st.success(md_text(done["msg"]))
        if done.get("next"):
            text, query = done["next"]
            st.markdown(f"[{md_text(text)}](?{urlencode(query)})")
    p = ctx.dataset["projects"]
    own = ctx.actor.township if ctx.actor.role == "township" else None
    queue = placing_queue(p, own)
    tnames = township_names(ctx.dataset["townships"])
    pid = _pick(ctx, p, queue, tnames, own)
    if pid is None:
        return
    row = p[p["project_id"].astype(str) == pid].iloc[0]
    current = {k: v for k, v in row.items() if k != "geometry"}
    try:  # a township head opening another township's project by its link: said before any work is done
        check_feature(ctx.actor, "projects", current, {})
    except PermissionDenied as exc:
        show_error(exc, ctx.lang)
        return
    _workspace(ctx, row, tnames, queue)


# ----------------------------------------------------------------------------- the queue
def _queue_table(ctx, queue: pd.DataFrame, tnames: dict) -> pd.DataFrame:
    t, lang = ctx.t, ctx.lang
    return pd.DataFrame({
        t("col.id"): queue["project_id"].astype(str).tolist(),
        t("col.name"): queue["name"].astype(str).tolist(),
        t("locate.key"): ["★" if k == 0 else "" for k in key_rank(queue)],
        t("col.township"): [_town_text(ctx, None if is_empty(c) else str(c), None if is_empty(cs) else str(cs), tnames,
                                       stored=True) for c, cs in zip(queue["township_code"], queue["township_codes"])],
        t("col.precision"): [label(c, lang) for c in queue["loc_precision"]],
        t("col.investment"): [not_stated(lang) if is_empty(v) else fmt_wan(v, lang, with_unit=False)
                              for v in queue["investment_wan"]],
    })


def _pick(ctx, projects: pd.DataFrame, queue: pd.DataFrame, tnames: dict, own: str | None) -> str | None:
    """The project being placed: a row selected in the queue, else the one named by ``?id=``."""
    t = ctx.t
    if queue.empty:
        st.info(t("locate.queue_empty"))
    else:
        n_key = int((key_rank(queue) == 0).sum())
        st.markdown("#### " + (t("locate.queue_own", n=len(queue)) if own else t("locate.queue", n=len(queue),
                                                                                   nkey=n_key)))
        # keyed by the store's version: after a save the queue is new and nothing stays selected by position
        ev = st.dataframe(_queue_table(ctx, queue, tnames), hide_index=True, width="stretch", height=240,
                          on_select="rerun", selection_mode="single-row", key=f"locate_queue_{ctx.store.version()}")
        rows = list(ev.selection.rows) if ev is not None and hasattr(ev, "selection") else []
        if rows and rows[0] < len(queue):
            pid = str(queue.iloc[rows[0]]["project_id"])
            if ctx.params.get("id") != pid:
                set_param("id", pid)
            return pid
    pid = str(ctx.params.get("id") or "").strip()
    if not pid:
        st.caption(t("locate.pick_hint"))
        return None
    if pid not in set(projects["project_id"].astype(str)):
        st.warning(t("locate.unknown_id", pid=md_text(pid)))
        return None
    return pid


# ----------------------------------------------------------------------------- the workspace
def _src_text(ctx, src) -> str:
    if is_empty(src):
        return ctx.t("locate.src_plan")
    key = f"locate.src_{src}"
    text = ctx.t(key)
    return str(src) if text == key else text  # an import's file name stays as written


def _town_text(ctx, code, codes, tnames: dict, *, stored: bool = False) -> str:
    """A township (or several) by name; for a stored row without one 全县/未注明, for a preview 任何乡镇之外."""
    if code:
        return tnames.get(code, code)
    if codes:
        return ctx.t("locate.several", names="、".join(tnames.get(c, c) for c in codes.split(";")))
    return str(value_text(COUNTY_WIDE, ctx.lang)) if stored else ctx.t("locate.outside")


def _workspace(ctx, row: pd.Series, tnames: dict, queue: pd.DataFrame) -> None:
    t, lang = ctx.t, ctx.lang
    pid = str(row["project_id"])
    st.info(t("locate.chosen", pid=md_text(pid), name=md_text(row["name"])))
    code = None if is_empty(row["township_code"]) else str(row["township_code"])
    codes = None if is_empty(row.get("township_codes")) else str(row["township_codes"])
    st.caption(md_text(t("locate.now", precision=label(row["loc_precision"], lang),
                         township=_town_text(ctx, code, codes, tnames, stored=True),
                         source=_src_text(ctx, row.get("loc_source")))))
    if not is_empty(row.get("located_by")):
        st.caption(md_text(t("locate.now_by", user=row["located_by"], at=local_time(row.get("located_at")))))
    version = int(row.get("version") or 1)
    base = edit_base(ctx, f"loc_base_{pid}", version)
    basemap = basemap_picker(ctx)
    amap = basemap == "amap"  # that map is drawn in GCJ-02: what is clicked or drawn on it is GCJ-02 too
    pending_key = f"loc_pending_{pid}"
    left, right = st.columns([3, 2])
    with right:
        method = st.radio(t("locate.method"), METHODS, key=f"loc_method_{pid}", horizontal=False,
                          format_func=lambda m: t(f"locate.m_{m}"))
        if method == "paste":
            _paste(ctx, pid, pending_key)
        else:
            st.caption(t(f"locate.{method}_hint"))
    pending = st.session_state.get(pending_key)
    with left:
        fg = preview_group(t("locate.save"), None if pending is None else pending["geom"], amap)
        flt = MapFilter(townships=(code,)) if code else MapFilter()
        req = MapRequest(flt, lang=lang, basemap=basemap, highlight_township=code, compact=True,
                         fit="selection" if code else "county")
        out = show_map(ctx, f"locate_map_{pid}", req, height=540, returned_objects=("last_clicked", "all_drawings"),
                       add=drawing_tool(t), feature_group_to_add=fg)
    fresh = from_map(out or {}, method, pid, amap, lambda: st.warning(t("locate.draw_mixed")))
    if fresh is not None:
        st.session_state[pending_key] = pending = fresh
        st.rerun()  # draw the preview on the map
    with right:
        _decide(ctx, row, pending, tnames, base, queue)


def _paste(ctx, pid: str, pending_key: str) -> None:
    t, lang = ctx.t, ctx.lang
    text = st.text_area(t("locate.paste"), key=f"loc_text_{pid}", height=90, help=t("locate.paste_help"),
                        placeholder="111.2200, 35.1400")
    datum = st.selectbox(t("locate.datum"), DATUMS, key=f"loc_datum_{pid}",
                         format_func=lambda d: t(f"locate.datum_{d}"))
    lines = [ln for ln in text.replace(";", "\n").splitlines() if ln.strip()]
    shape = "points"
    if len(lines) > 1:
        shape = st.radio(t("locate.shape"), SHAPES, key=f"loc_shape_{pid}", horizontal=True,
                         format_func=lambda s: t(f"locate.shape_{s}"))
    if not st.button(t("locate.read"), key=f"loc_read_{pid}"):
        return
    try:
        pts = parse_points(text, datum)
    except XxgeoError as exc:
        show_error(exc, lang)
        return
    xy = [(q.lon, q.lat) for q in pts]
    if len(xy) == 1:
        geom = shapely.Point(xy[0])
    elif shape == "line":
        geom = shapely.LineString(xy)
    elif shape == "polygon" and len(xy) >= 3:
        geom = shapely.Polygon(xy)
    else:
        geom = shapely.MultiPoint(xy)
    said = [q.said(lang) for q in pts]
    st.session_state[pending_key] = {"geom": geom, "source": "paste", "said": said}


def _what(ctx, geom) -> str:
    t = ctx.t
    kind = geom.geom_type
    if kind == "Point":
        return t("locate.what_point", lon=geom.x, lat=geom.y)
    if kind == "MultiPoint":
        return t("locate.what_multi", n=len(geom.geoms))
    metric = gpd.GeoSeries([geom], crs="EPSG:4326").to_crs(METRIC_CRS).iloc[0]
    if kind in ("LineString", "MultiLineString"):
        return t("locate.what_line", km=metric.length / 1000)
    return t("locate.what_polygon", mu=metric.area / M2_PER_MU, km2=metric.area / 1e6)


def _decide(ctx, row: pd.Series, pending: dict | None, tnames: dict, base: int, queue: pd.DataFrame) -> None:
    """Preview text, the precision, the move confirmation and 保存位置."""
    t, lang = ctx.t, ctx.lang
    pid = str(row["project_id"])
    if pending is None:
        st.caption(t("locate.preview_none"))
        return
    geom = pending["geom"]
    code, codes = townships_of(geom, ctx.dataset["townships"])
    st.markdown(md_text(t("locate.preview", what=_what(ctx, geom), township=_town_text(ctx, code, codes, tnames))))
    for said in pending.get("said") or []:
        st.caption(md_text(said))
    options = list(PLACING_CHOICES) + ([] if geom.geom_type in ("Point", "MultiPoint") else ["schematic"])
    prec = st.radio(t("locate.precision"), options, index=None, key=f"loc_prec_{pid}",
                    format_func=lambda c: f"{label(c, lang)} — {hint(c, lang)}")
    cur = None if is_empty(row["township_code"]) else str(row["township_code"])
    confirm = False
    if (code or None) != cur and (code or cur):
        to = _town_text(ctx, code, codes, tnames)
        st.warning(md_text(t("locate.move", to=to, from_=_town_text(ctx, cur, None, tnames, stored=True))))
        confirm = st.checkbox(t("locate.move_ok", to=to), key=f"loc_move_{pid}")
    if not st.button(t("locate.save"), type="primary", key=f"loc_save_{pid}"):
        return
    if prec is None:
        st.warning(t("locate.need_precision"))
        return
    current = {k: v for k, v in row.items() if k != "geometry"}
    try:
        placement = plan_placement(current, geom, prec, pending["source"], townships=ctx.dataset["townships"],
                                   county=ctx.dataset["county"])
        version = save_location(ctx.store, current, placement, user=ctx.user, expected_version=base,
                                confirm_move=confirm)
    except XxgeoError as exc:
        show_error(exc, lang)
        return
    st.session_state[f"loc_base_{pid}"] = version
    st.session_state.pop(f"loc_pending_{pid}", None)
    done = {"msg": t("locate.saved", pid=pid, precision=label(prec, lang), version=version), "next": None}
    nxt = queue[queue["project_id"].astype(str) != pid]
    if len(nxt):
        first = nxt.iloc[0]
        query = {"view": "locate", "id": str(first["project_id"]), **({"lang": ctx.params["lang"]}
                                                                        if ctx.params.get("lang") else {})}
        done["next"] = (t("locate.next", pid=first["project_id"], name=first["name"]), query)
    st.session_state["locate_done"] = done
    ctx.reload()
    st.rerun()
