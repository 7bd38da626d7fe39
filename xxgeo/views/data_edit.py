"""数据 view, second half: the project edit form (version-checked) and undo / restore."""

from __future__ import annotations

import streamlit as st

from ..edits import last_change, set_fields, undo_last
from ..errors import StaleEdit, XxgeoError
from ..policy import check_whole_layers
from ..schema import CATEGORIES, LOC_PRECISION_LABELS, is_empty


def _val(v, default=""):
    return default if is_empty(v) else v


def edit_section(ctx) -> None:
    """Pick a project, change its attributes or move it; the version read first is what the edit checks."""
    msg = st.session_state.pop("edit_done", None)
    if msg:
        st.success(msg)
    p = ctx.dataset["projects"]
    own = ctx.actor.township if ctx.actor.role == "township" else None
    if own:  # a township head picks among their own township's projects (the store checks it again)
        p = p[p["township_code"].astype(str) == own]
        st.caption(f"您可以修改本乡镇的 {len(p)} 个项目（不能改到其他乡镇）。")
    if p.empty:
        st.info("还没有项目。")
        return
    ids = p["project_id"].astype(str).tolist()
    names = dict(zip(ids, p["name"].astype(str)))
    pid = st.selectbox("项目", ids, key="edit_pid", format_func=lambda i: f"{i} {names.get(i, '')}")
    row = p[p["project_id"].astype(str) == pid].iloc[0]
    version = int(_val(row.get("version"), 1))
    base_key = f"edit_base_{pid}"
    base = st.session_state.setdefault(base_key, version)
    if base != version:
        st.warning(f"此项目已被修改（您打开时是版本 {base}，现在是版本 {version}）。提交会被拒绝，请先刷新。")
        if st.button("刷新为最新版本", key="edit_refresh"):
            st.session_state[base_key] = version
            st.rerun()
    t = ctx.dataset["townships"]
    tnames = dict(zip(t["code"], t["name"]))
    towns = [""] + list(tnames)
    geom = row.geometry
    point = None
    if geom is not None and not geom.is_empty and geom.geom_type in ("Point", "MultiPoint") and (
            geom.geom_type == "Point" or len(geom.geoms) == 1):
        point = geom if geom.geom_type == "Point" else geom.geoms[0]
    with st.form(f"edit_form_{pid}"):
        c = st.columns(2)
        name = c[0].text_input("项目名称", _val(row["name"]), key=f"ef_{pid}_name")
        cat = c[1].selectbox("类别", list(CATEGORIES), index=list(CATEGORIES).index(row["category"])
                             if row["category"] in CATEGORIES else 0)
        status = c[0].text_input("状态", _val(row["status"]), key=f"ef_{pid}_status")
        cur_town = _val(row["township_code"])
        town = c[1].selectbox("乡镇", towns, index=towns.index(cur_town) if cur_town in towns else 0,
                              format_func=lambda k: tnames.get(k, "全县/未注明"),
                              disabled=bool(own) or (bool(_val(row.get("township_codes"))) and not cur_town))
        inv = c[0].text_input("总投资（万元，留空为未注明）",
                              "" if is_empty(row["investment_wan"]) else f"{row['investment_wan']:g}",
                              key=f"ef_{pid}_inv")
        public = c[1].checkbox("公开", bool(_val(row["public"], False)), key=f"ef_{pid}_public")
        years = st.columns(2)
        start = years[0].text_input("开始年份", "" if is_empty(row["start_year"]) else str(int(row["start_year"])),
                                    key=f"ef_{pid}_start")
        end = years[1].text_input("完成年份", "" if is_empty(row["end_year"]) else str(int(row["end_year"])),
                                  key=f"ef_{pid}_end")
        place = st.text_input("位置说明", _val(row.get("place_note")), key=f"ef_{pid}_place")
        precs = list(LOC_PRECISION_LABELS)
        prec = st.selectbox("位置精度", precs, index=precs.index(row["loc_precision"]) if row["loc_precision"] in precs
                            else 0, format_func=LOC_PRECISION_LABELS.get)
        lonlat = st.columns(2)
        lon = lonlat[0].text_input("经度（WGS84）", "" if point is None else f"{point.x:.6f}", key=f"ef_{pid}_lon")
        lat = lonlat[1].text_input("纬度（WGS84）", "" if point is None else f"{point.y:.6f}", key=f"ef_{pid}_lat")
        st.caption(f"当前版本 {version}；保存时若他人已修改，将拒绝保存而不会覆盖。")
        submitted = st.form_submit_button("保存修改", type="primary")
    if not submitted:
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
        items.append(f"public={'是' if public else '否'}")
    if (point is not None or lon.strip() or lat.strip()) and (
            point is None or not (_num_equal(lon, point.x, 1e-6) and _num_equal(lat, point.y, 1e-6))):
        items += [f"lon={lon.strip()}", f"lat={lat.strip()}"]
    if not items:
        st.info("没有改动。")
        return
    try:
        new_version, _ = set_fields(ctx.store, "projects", pid, items, user=ctx.user, expected_version=base)
    except StaleEdit as exc:
        st.error(exc.message)
        return
    except XxgeoError as exc:
        st.error(exc.message)
        return
    st.session_state[base_key] = new_version
    st.session_state["edit_done"] = f"已保存 {pid}（版本 {new_version}）。"
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
        st.success(msg)
    try:
        change = last_change(ctx.store)
    except XxgeoError as exc:
        st.error(exc.message)
        return
    st.markdown("#### 撤销")
    if change is None:
        st.caption("没有可以撤销的修改。")
    else:
        st.write(f"最近一次修改：{change.describe()}")
        if st.button("撤销这次修改", key="undo_btn"):
            try:
                check_whole_layers(ctx.actor, "撤销修改")
                st.session_state["hist_done"] = undo_last(ctx.store, user=ctx.user)
            except XxgeoError as exc:
                st.error(exc.message)
                return
            ctx.reload()
            st.rerun()
    audit = ctx.dataset.get("audit_log")
    if audit is not None and len(audit):
        st.markdown("#### 修改记录（最近 20 条）")
        show = audit.tail(20).iloc[::-1][["at", "user", "layer", "feature_id", "action", "before", "after"]]
        st.dataframe(show.rename(columns={"at": "时间", "user": "用户", "layer": "图层", "feature_id": "要素",
                                          "action": "操作", "before": "修改前", "after": "修改后"}),
                     hide_index=True, width="stretch")
    st.markdown("#### 备份")
    backups = ctx.store.list_backups()
    if not backups:
        st.caption("还没有备份（每次导入前会自动备份）。")
        return
    pick = st.selectbox("选择备份（最新在前）", [b.name for b in backups], key="restore_pick")
    sure = st.checkbox("我确认用这个备份替换当前数据（当前数据会先另存为备份）", key="restore_sure")
    if st.button("恢复此备份", key="restore_btn", disabled=not sure):
        try:
            ctx.store.restore(pick, user=ctx.user)
        except XxgeoError as exc:
            st.error(exc.message)
            return
        st.session_state["hist_done"] = f"已恢复备份 {pick}。"
        ctx.reload()
        st.rerun()


