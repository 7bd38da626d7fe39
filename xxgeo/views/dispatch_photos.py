"""The 调度 view's progress photos: the upload (a township head: their own township's projects), the warning
when a photo was taken far from the project, the offer to place an unlocated project at the photo's GPS
position, and the project's photo timeline of re-encoded thumbnails kept in the store."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ..errors import PermissionDenied, XxgeoError
from ..mapping.warnings import POPUP_THUMBS
from ..photos import popup_thumbnail
from ..textsafe import md
from ..vocab import is_blank, local_time
from .common import store_token
from .errors import show_error

TYPES = ["jpg", "jpeg", "png", "heic", "heif"]
#: the most thumbnails a timeline shows
TIMELINE_MAX = 12


def t(ctx, key: str, **kw) -> str:
    """A ``[dispatch_view]`` string in the page's language."""
    return ctx.t(f"dispatch_view.{key}", **kw)


def flash(ctx, text: str, kind: str = "success") -> None:
    """Say ``text`` after the rerun that follows a write (the messages of one write together; a new write's
    replace them once they have been shown)."""
    if st.session_state.pop("dp_flash_shown", False):
        st.session_state["dp_flash"] = []
    st.session_state.setdefault("dp_flash", []).append((kind, text))


def show_flash() -> None:
    """The messages of the last write, on every run until the next write: a rerun of its own (a table settling,
    a widget) must not take "已保存" away before it is read."""
    said = st.session_state.get("dp_flash", [])
    for kind, text in said:
        getattr(st, kind)(text)
    if said:
        st.session_state["dp_flash_shown"] = True


def photo_form(ctx, month: str, rows: pd.DataFrame) -> None:
    """Upload a photo for one of ``rows``' projects; say when it is far, offer to place an unlocated project."""
    st.markdown(t(ctx, "photos"))
    names = dict(zip(rows["project_id"].astype(str), rows["name"].astype(str)))
    pid = st.selectbox(t(ctx, "photo_project"), list(names), key="dp_photo_project",
                       format_func=lambda p: f"{p} {names[p]}")
    up = st.file_uploader(t(ctx, "photo_upload"), type=TYPES, key="dp_photo_file")
    if st.button(t(ctx, "photo_add"), key="dp_photo_add") and up is not None:
        try:
            res = ctx.store.add_photo(pid, month, up.getvalue(), up.name)
        except XxgeoError as exc:
            show_error(exc, ctx.lang)
            return
        flash(ctx, t(ctx, "photo_added", name=md(up.name), size=f"{res.size_bytes / 1024:.0f}"))
        if res.far:
            flash(ctx, t(ctx, "photo_far", km=f"{res.distance_m / 1000:.1f}"), "warning")
        if res.can_place:
            st.session_state["dp_place"] = res.photo_id
        ctx.reload()
        st.rerun()
    _place_offer(ctx)


def _place_offer(ctx) -> None:
    photo_id = st.session_state.get("dp_place")
    photos = ctx.dataset.get("photos")
    if not photo_id or photos is None or not len(photos):
        return
    hit = photos[photos["photo_id"].astype(str) == photo_id]
    if not len(hit):
        return
    r = hit.iloc[0]
    st.info(t(ctx, "photo_place", lon=f"{float(r['gps_lon']):.6f}", lat=f"{float(r['gps_lat']):.6f}"))
    if st.button(t(ctx, "photo_place_button"), key="dp_place_go"):
        try:
            ctx.store.place_at_photo(photo_id)
        except XxgeoError as exc:
            show_error(exc, ctx.lang)
            return
        st.session_state.pop("dp_place", None)
        flash(ctx, t(ctx, "photo_placed", pid=md(r["project_id"])))
        ctx.reload()
        st.rerun()


def latest_photos(ctx, project_ids, month: str, per_project: int = POPUP_THUMBS) -> dict:
    """project_id -> the ids of its latest photos of ``month`` or before (newest first, at most ``per_project``)."""
    photos = ctx.dataset.get("photos")
    if photos is None or not len(photos):
        return {}
    rows = photos[photos["project_id"].astype(str).isin({str(p) for p in project_ids})
                  & (photos["month"].astype(str) <= month)]
    rows = rows.sort_values(["month", "uploaded_at"], ascending=False)
    return {str(pid): tuple(g["photo_id"].astype(str).head(per_project))
            for pid, g in rows.groupby(rows["project_id"].astype(str), sort=False)}


@st.cache_data(max_entries=8, show_spinner=False)
def _popup_uris(_store, token: tuple, role: str, wanted: tuple) -> dict:
    """project_id -> small inline thumbnails (data URIs) of the photos ``wanted`` ((project_id, ids), …),
    read through the guarded store once per store version and role."""
    out = {}
    for pid, ids in wanted:
        uris = []
        for photo_id in ids:
            thumb = _store.photo_bytes(photo_id)
            if thumb is not None:
                uris.append(popup_thumbnail(thumb))
        if uris:
            out[pid] = tuple(uris)
    return out


def popup_thumbs(ctx, project_ids, month: str) -> dict:
    """The map popups' thumbnails: project_id -> data URIs of its latest photos; none when the policy refuses
    this user photos (the public)."""
    wanted = tuple(sorted(latest_photos(ctx, project_ids, month).items()))
    if not wanted:
        return {}
    try:
        return _popup_uris(ctx.store, store_token(ctx), ctx.actor.role, wanted)
    except PermissionDenied:
        return {}


def timeline(ctx, project_id: str) -> None:
    """The project's photos by month, newest month first (thumbnails re-encoded from the pixels, no EXIF)."""
    photos = ctx.dataset.get("photos")
    st.markdown(t(ctx, "photos"))
    rows = photos[photos["project_id"].astype(str) == str(project_id)] if photos is not None and len(photos) \
        else pd.DataFrame()
    if not len(rows):
        st.caption(t(ctx, "photo_none"))
        return
    rows = rows.sort_values(["month", "uploaded_at"], ascending=False).head(TIMELINE_MAX)
    for month, group in rows.groupby(rows["month"].astype(str), sort=False):
        st.markdown(t(ctx, "photo_month", month=month, n=len(group)))
        cols = st.columns(4)
        for i, (_, r) in enumerate(group.iterrows()):
            try:
                thumb = ctx.store.photo_bytes(str(r["photo_id"]))
            except XxgeoError as exc:
                show_error(exc, ctx.lang)
                return
            if thumb is None:
                continue
            taken = ctx.t("unknown") if is_blank(r["taken_at"]) else str(r["taken_at"]).replace("T", " ")[:16]
            cols[i % 4].image(thumb, caption=t(ctx, "photo_caption", month=month, taken=taken,
                                               uploaded=local_time(r["uploaded_at"])))
