"""数据 view, second half: the project edit form (version-checked) and undo / restore."""

from __future__ import annotations

import streamlit as st

from ..edits import last_change, set_fields, undo_last
from ..errors import XxgeoError
from ..i18n import value_text
from ..locate import now_utc
from ..names import rank_matches, township_names
from ..policy import check_whole_layers
from ..precision import AREA_ONLY
from ..schema import CATEGORIES, LOC_PRECISION_LABELS, is_empty
from ..vocab import COUNTY_WIDE, LIFECYCLE_STAGES, bool_word, not_stated, precision_label, status_text
from .audit_text import change_sentence, readable_log
from .common import edit_base, md_text
from .errors import show_error

#: the status choice that asks for a status typed by hand
OTHER = "__other__"


def status_choices(in_use) -> list[str]:
    """The statuses offered when a project is edited: empty (未注明), the lifecycle stages in order, then every
    other status in use (sorted), then :data:`OTHER` (typed by hand, on purpose)."""
    used = sorted({str(v).strip() for v in in_use if not is_empty(v) and str(v).strip()})
    return ["", *LIFECYCLE_STAGES, *[v for v in used if v not in LIFECYCLE_STAGES], OTHER]


def _status_label(v: str, ctx) -> str:
    if v == OTHER:
        return ctx.t("edit_form.other")
    if not v:
        return not_stated(ctx.lang)
    return str(status_text(v, ctx.lang))  # a word the vocabulary does not know stays as the plan wrote it


def _pick_project(ctx, names: dict) -> str | None:
    """The project to edit: a search box (id or name; exact matches first), then a choice among the matches,
    then the chosen id and name said plainly before anything can be saved. ``?id=`` preselects one."""
    t = ctx.t
    url_id = str(ctx.params.get("id") or "").strip()
    if url_id and url_id not in names:
        st.warning(t("edit_form.unknown_id", pid=md_text(url_id)))
        url_id = ""
    q = st.text_input(t("edit_form.search"), value=url_id, key="edit_q", placeholder=t("edit_form.search_hint"))
    ids = list(names)
    ranked = rank_matches(q, ids, [names[i] for i in ids])
    if not ranked:
        st.warning(t("edit_form.no_match", q=md_text(q.strip())))
        return None
    if q.strip():
        st.caption(t("edit_form.matches", n=len(ranked)))
    # the choice is keyed by the search: a new search starts again from its best match
    pid = st.selectbox(t("edit.project"), ranked, index=0, key=f"edit_pid_{q.strip()}" if q.strip() else "edit_pid",
                       format_func=lambda i: f"{i} {names.get(i, '')}")
    st.info(t("edit_form.chosen", pid=md_text(pid), name=md_text(names[pid])))
    return pid


def _val(v, default=""):
    return default if is_empty(v) else v


def edit_section(ctx) -> None:
    """Pick a project, change its attributes or move it; the version read first is what the edit checks."""
    msg = st.session_state.pop("edit_done", None)
    if msg:
        st.success(md_text(msg))
    t, lang = ctx.t, ctx.lang
    p = ctx.dataset["projects"]
    own = ctx.actor.township if ctx.actor.role == "township" else None
    if own:  # a township head picks among their own township's projects (the store checks it again)
        p = p[p["township_code"].astype(str) == own]
        st.caption(t("edit.own", n=len(p)))
    if p.empty:
        st.info(t("edit.none"))
        return
    names = dict(zip(p["project_id"].astype(str), p["name"].astype(str)))
    pid = _pick_project(ctx, names)
    if pid is None:
        return
    row = p[p["project_id"].astype(str) == pid].iloc[0]
    version = int(_val(row.get("version"), 1))
    base = edit_base(ctx, f"edit_base_{pid}", version)
    tnames = township_names(ctx.dataset["townships"])
    towns = [""] + list(tnames)
    geom = row.geometry
    point = None
    if geom is not None and not geom.is_empty and geom.geom_type in ("Point", "MultiPoint") and (
            geom.geom_type == "Point" or len(geom.geoms) == 1):
        point = geom if geom.geom_type == "Point" else geom.geoms[0]
    with st.form(f"edit_form_{pid}", enter_to_submit=False):
        c = st.columns(2)
        name = c[0].text_input(t("col.name"), _val(row["name"]), key=f"ef_{pid}_name")
        cat = c[1].selectbox(t("col.category"), list(CATEGORIES), index=list(CATEGORIES).index(row["category"])
                             if row["category"] in CATEGORIES else 0, format_func=lambda v: value_text(v, lang))
        statuses = status_choices(ctx.dataset["projects"]["status"])
        cur_status = _val(row["status"])
        status_pick = c[0].selectbox(t("col.status"), statuses, index=statuses.index(cur_status)
                                     if cur_status in statuses else 0, key=f"ef_{pid}_status",
                                     format_func=lambda v: _status_label(v, ctx))
        cur_town = _val(row["township_code"])
        town = c[1].selectbox(t("col.township"), towns, index=towns.index(cur_town) if cur_town in towns else 0,
                              format_func=lambda k: tnames.get(k, value_text(COUNTY_WIDE, lang)),
                              disabled=bool(own) or (bool(_val(row.get("township_codes"))) and not cur_town))
        inv = c[0].text_input(t("edit.investment"),
                              "" if is_empty(row["investment_wan"]) else f"{row['investment_wan']:g}",
                              key=f"ef_{pid}_inv")
        public = c[1].checkbox(t("edit.public"), bool(_val(row["public"], False)), key=f"ef_{pid}_public",
                               disabled=bool(own))  # publication is the bureau's call (policy)
        years = st.columns(2)
        start = years[0].text_input(t("edit.start"), "" if is_empty(row["start_year"]) else str(int(row["start_year"])),
                                    key=f"ef_{pid}_start")
        end = years[1].text_input(t("edit.end"), "" if is_empty(row["end_year"]) else str(int(row["end_year"])),
                                  key=f"ef_{pid}_end")
        place = st.text_input(t("edit.place"), _val(row.get("place_note")), key=f"ef_{pid}_place")
        precs = list(LOC_PRECISION_LABELS)
        prec = st.selectbox(t("col.precision"), precs, index=precs.index(row["loc_precision"])
                            if row["loc_precision"] in precs else 0, format_func=lambda k: precision_label(k, lang),
                            help=t("locate.form_precision_help"), key=f"ef_{pid}_prec")
        lonlat = st.columns(2)
        lon = lonlat[0].text_input(t("edit.lon"), "" if point is None else f"{point.x:.6f}", key=f"ef_{pid}_lon")
        lat = lonlat[1].text_input(t("edit.lat"), "" if point is None else f"{point.y:.6f}", key=f"ef_{pid}_lat")
        other = st.text_input(t("edit_form.other_text"), "", key=f"ef_{pid}_other",
                              help=t("edit_form.other_help"))
        st.caption(t("edit.version", version=version))
        submitted = st.form_submit_button(t("edit_form.save", pid=md_text(pid), name=md_text(names[pid])),
                                          type="primary")
    if not submitted:
        return
    status = other.strip() if status_pick == OTHER else status_pick
    if status_pick == OTHER and not status:
        st.warning(t("edit_form.other_empty"))
        return
    items = []
    for field, new, old in (("name", name, _val(row["name"])), ("category", cat, row["category"]),
                            ("status", status, _val(row["status"])), ("place_note", place, _val(row.get("place_note"))),
                            ("loc_precision", prec, row["loc_precision"])):
        if str(new).strip() != str(old):
            items.append(f"{field}={str(new).strip()}")
    if town != cur_town:
        items.append(f"township_code={town}")
        items.append(f"township_codes={town}")
    for field, new, old in (("investment_wan", inv, row["investment_wan"]), ("start_year", start, row["start_year"]),
                            ("end_year", end, row["end_year"])):
        if not _num_equal(new, old):
            items.append(f"{field}={new.strip()}")
    if public != bool(_val(row["public"], False)):
        items.append(f"public={bool_word(public)}")
    if (point is not None or lon.strip() or lat.strip()) and (
            point is None or not (_num_equal(lon, point.x, 1e-6) and _num_equal(lat, point.y, 1e-6))):
        items += [f"lon={lon.strip()}", f"lat={lat.strip()}"]
        if prec == row["loc_precision"] and (is_empty(prec) or prec in AREA_ONLY):  # never labelled for the user
            st.warning(t("locate.form_precision", precision=precision_label(prec, lang)))
            return
        items = [i for i in items if not i.startswith("loc_precision=")]
        items += [f"loc_precision={prec}", "loc_source=form", f"located_by={ctx.user}", f"located_at={now_utc()}"]
    if not items:
        st.info(t("edit.unchanged"))
        return
    try:
        new_version, _ = set_fields(ctx.store, "projects", pid, items, user=ctx.user, expected_version=base)
    except XxgeoError as exc:  # a stale edit, a refused township, a bad value: each its own sentence
        show_error(exc, lang)
        return
    st.session_state[f"edit_base_{pid}"] = new_version
    st.session_state["edit_done"] = t("edit.saved", pid=pid, version=new_version)
    ctx.reload()
    st.rerun()


def _num_equal(text: str, old, tol: float = 1e-9) -> bool:
    t = str(text).strip()
    if not t:
        return is_empty(old)
    if is_empty(old):
        return False
    try:
        return abs(float(t) - float(old)) <= tol
    except ValueError:
        return False


def history_section(ctx) -> None:
    """Undo of the last change, the latest audit rows, and restore of a backup."""
    msg = st.session_state.pop("hist_done", None)
    if msg:
        st.success(md_text(msg))
    t = ctx.t
    try:
        change = last_change(ctx.store)
    except XxgeoError as exc:
        show_error(exc, ctx.lang)
        return
    st.markdown(t("history.undo"))
    if change is None:
        st.caption(t("history.nothing"))
    else:
        st.write(t("history.last", change=md_text(change_sentence(change, ctx.lang))))
        if st.button(t("history.undo_button"), key="undo_btn"):
            try:
                check_whole_layers(ctx.actor, "撤销修改")
                st.session_state["hist_done"] = undo_last(ctx.store, user=ctx.user)
            except XxgeoError as exc:
                show_error(exc, ctx.lang)
                return
            ctx.reload()
            st.rerun()
    audit = ctx.dataset.get("audit_log")
    if audit is not None and len(audit):
        st.markdown(t("history.audit"))
        st.caption(t("audit_view.time_note"))
        st.dataframe(readable_log(audit, ctx.lang), hide_index=True, width="stretch")
    st.markdown(t("history.backups"))
    backups = ctx.store.list_backups()
    if not backups:
        st.caption(t("history.no_backups"))
        return
    pick = st.selectbox(t("history.pick"), [b.name for b in backups], key="restore_pick")
    sure = st.checkbox(t("history.sure"), key="restore_sure")
    if st.button(t("history.restore"), key="restore_btn", disabled=not sure):
        try:
            ctx.store.restore(pick, user=ctx.user)
        except XxgeoError as exc:
            show_error(exc, ctx.lang)
            return
        st.session_state["hist_done"] = t("history.restored", name=pick)
        ctx.reload()
        st.rerun()


