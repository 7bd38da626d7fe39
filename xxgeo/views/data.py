"""数据: bring your own data (upload -> map preview -> validation report -> confirm), downloads in six
formats, a version-checked edit form for a project, undo of the last change and restore of backups."""

from __future__ import annotations

import hashlib
import io
import tempfile
import zipfile
from pathlib import Path

import pandas as pd
import streamlit as st

from ..errors import XxgeoError
from ..export import FORMATS, MIME, export_layer
from ..importers import NOT_IMPORTABLE, commit_import, prepare_import
from ..mapping import MapRequest, build_map
from ..schema import LAYERS
from ..store import Dataset
from .common import draw_map
from .data_edit import edit_section, history_section

UPLOAD_TYPES = ["zip", "kmz", "gpkg", "geojson", "json", "kml", "csv", "txt", "xlsx", "shp", "shx", "dbf", "prj", "cpg"]
CRS_CHOICES = {"": "自动（按文件声明或推断）", "gcj02": "高德/腾讯（GCJ-02）", "bd09": "百度（BD-09）",
               "EPSG:4546": "CGCS2000 3度带 中央经线111°（"
                            "EPSG:4546）", "EPSG:4525": "CGCS2000 3度带 第37带（EPSG:4525）",
               "EPSG:4497": "CGCS2000 6度带 第19带（EPSG:4497）", "EPSG:4490": "CGCS2000 经纬度（EPSG:4490）",
               "EPSG:2382": "西安80 3度带 中央经线111°（"
                            "EPSG:2382）", "EPSG:2434": "北京54 3度带 中央经线111°（EPSG:2434）"}
FORMAT_LABELS = {"xlsx": "Excel（.xlsx）", "csv": "CSV（UTF-8，Excel 可直接打开）", "shp": "Shapefile（.zip）",
                 "kml": "KML（奥维 / Google Earth）", "geojson": "GeoJSON", "gpkg": "GeoPackage"}


def render(ctx) -> None:
    """Render the data view: the sections the signed-in user's role allows (the store enforces it too)."""
    st.markdown(f"## {ctx.t('view.data')}")
    sections = {"导入": import_section, "导出": export_section, "编辑项目": edit_section,
                "撤销与备份": history_section}
    if ctx.actor.role == "admin":
        from .accounts import accounts_section

        sections["账号"] = accounts_section
    if not ctx.can_write_all:  # a township head: their own township's projects, public exports
        sections = {"编辑项目": edit_section, "导出": export_section}
        st.caption("乡镇负责人可以修改本乡镇的项目、导出公开数据；导入、撤销和恢复备份请联系规划局编辑。")
    for tab, section in zip(st.tabs(list(sections)), sections.values()):
        with tab:
            section(ctx)


# ----------------------------------------------------------------------------- import
def _bundle(files) -> tuple[str, bytes]:
    """One upload (name, bytes); shapefile parts uploaded side by side are zipped together."""
    if len(files) == 1:
        return files[0].name, files[0].getvalue()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in files:
            zf.writestr(Path(f.name).name, f.getvalue())
    stem = Path(next((f.name for f in files if f.name.lower().endswith(".shp")), files[0].name)).stem
    return f"{stem}.zip", buf.getvalue()


def _plan(ctx, name: str, data: bytes, layer: str, crs: str, enc: str, replace: bool):
    key = (hashlib.sha256(data).hexdigest(), name, layer, crs, enc, replace, ctx.store.version())
    cached = st.session_state.get("imp_plan")
    if cached and cached[0] == key:
        return cached[1]
    with tempfile.TemporaryDirectory(prefix="xxgeo-upload-") as tmp:
        path = Path(tmp) / ("upload" + Path(name).suffix.lower())
        path.write_bytes(data)
        try:
            plan = prepare_import(path, layer, ctx.store, crs=crs or None, encoding=enc or None, replace=replace,
                                  name=name, user=ctx.user)
        except XxgeoError as exc:
            plan = exc
    st.session_state["imp_plan"] = (key, plan)
    return plan


def import_section(ctx) -> None:
    """Upload, preview, validate, confirm."""
    done = st.session_state.pop("imp_done", None)
    if done:
        st.success(done)
    layers = [n for n in LAYERS if n not in NOT_IMPORTABLE]
    c = st.columns([2, 2, 1, 1])
    layer = c[0].selectbox("导入到图层", layers, index=layers.index("projects"), key="imp_layer",
                           format_func=lambda n: f"{LAYERS[n].label}（{n}）")
    crs = c[1].selectbox("坐标系", list(CRS_CHOICES), key="imp_crs", format_func=CRS_CHOICES.get,
                         help="Shapefile 有 .prj 时一般选“自动”；高德地图上取的坐标选 GCJ-02。")
    enc = c[2].selectbox("编码", ["", "UTF-8", "GBK", "GB18030"], key="imp_enc",
                         format_func=lambda e: e or "自动")
    replace = c[3].checkbox("整层替换", key="imp_replace", help="不勾选：按编号新增或更新；勾选："
    "文件中没有的行会被删除")
    files = st.file_uploader("上传文件：zip 压缩的 Shapefile、GeoPackage、GeoJSON、KML/KMZ、CSV、Excel（.xlsx）",
                             type=UPLOAD_TYPES, accept_multiple_files=True, key="imp_files")
    if not files:
        st.caption("Excel/CSV 需要表头，如 项目名称、类别、乡镇、经度、纬度、总投资(万元)、是否公开；"
                   "乡镇可写简称（庙前）或代码。数据只在您确认后写入，写入前自动备份。")
        return
    name, data = _bundle(files)
    plan = _plan(ctx, name, data, layer, crs, enc, replace)
    if isinstance(plan, XxgeoError):
        st.error(plan.message)
        return
    for note in plan.notes:
        st.info(note)
    if plan.problems:
        st.error(f"发现 {len(plan.problems)} 处问题，不能导入（数据库未改动）：")
        st.dataframe(pd.DataFrame({"问题": plan.problems}), hide_index=True, width="stretch")
        return
    st.markdown(f"**校验通过**：{plan.summary}。")
    preview = plan.preview()
    _preview_map(ctx, plan.layer, preview)
    if len(preview):
        shown = preview.drop(columns="geometry", errors="ignore").head(200)
        st.dataframe(shown.rename(columns={f.name: f.label or f.name for f in LAYERS[plan.layer].fields}),
                     hide_index=True, width="stretch")
    if replace and plan.result and plan.result.deleted:
        st.warning(f"整层替换将删除 {plan.result.deleted} 行（文件中没有的行）。")
    if st.button("确认导入", type="primary", key="imp_confirm", disabled=not (plan.result and plan.result.touched)):
        try:
            res = commit_import(plan, ctx.store, user=ctx.user)
        except XxgeoError as exc:
            st.error(exc.message)
            return
        st.session_state.pop("imp_plan", None)
        st.session_state["imp_done"] = (f"已导入：新增 {res.inserted} 行，更新 {res.updated} 行"
                                        + (f"，删除 {res.deleted} 行" if replace else "")
                                        + f"。导入前已备份为 {res.backup.name if res.backup else '—'}，"
                                          "可在“撤销与备份”中撤销。")
        ctx.reload()
        st.rerun()


def _preview_map(ctx, layer: str, preview) -> None:
    lay = LAYERS[layer]
    if not lay.spatial or preview.geometry.notna().sum() == 0:
        return
    layers = dict(ctx.dataset.layers)
    layers[layer] = preview
    if layer != "projects":
        layers["projects"] = layers["projects"].iloc[0:0]
    try:
        result = build_map(Dataset(layers), MapRequest(role="editor", lang=ctx.lang, compact=True, title="导入预览"))
    except Exception as exc:  # the preview is a convenience; the report above is what matters
        st.caption(f"预览地图无法显示（{type(exc).__name__}）。")
        return
    st.caption("预览：只显示将新增或修改的要素。")
    draw_map(result, "imp_map", height=380)  # the rows being imported: drawn once, not cached


# ----------------------------------------------------------------------------- export
def export_section(ctx) -> None:
    """Downloads of a layer, filtered by township / category, optionally public-only."""
    ds = ctx.dataset
    c = st.columns([2, 2, 2, 2])
    layers = [n for n in LAYERS if n in ds.layers]
    layer = c[0].selectbox("图层", layers, index=layers.index("projects"), key="exp_layer",
                           format_func=lambda n: f"{LAYERS[n].label}（{n}）")
    t = ds["townships"]
    names = dict(zip(t["code"], t["name"]))
    url_town = ctx.params.get("township", "").split(",")[0]
    towns = [""] + list(names)
    from ..names import resolve_township

    default_town = resolve_township(url_town, t, required=False) if url_town else ""
    town = c[1].selectbox("乡镇", towns, index=towns.index(default_town) if default_town in towns else 0,
                          key="exp_town", format_func=lambda k: names.get(k, "全部"))
    from ..schema import CATEGORIES

    cats = [""] + list(CATEGORIES)
    url_cat = ctx.params.get("category", "").split(",")[0]
    cat = c[2].selectbox("类别（项目）", cats, index=cats.index(url_cat) if url_cat in cats else 0, key="exp_cat",
                         format_func=lambda k: k or "全部", disabled=layer != "projects")
    fmt = c[3].selectbox("格式", list(FORMATS), index=list(FORMATS).index("xlsx"), key="exp_fmt",
                         format_func=FORMAT_LABELS.get)
    public = st.checkbox(ctx.t("filter.public_only") + "（不含内部项目和内部字段）", key="exp_public",
                         value=not ctx.can_write_all, disabled=not ctx.can_write_all)
    try:
        res = export_layer(ctx.store, layer, fmt, township=town or None,
                           category=(cat or None) if layer == "projects" else None, public_only=public)
    except XxgeoError as exc:
        st.error(exc.message)
        return
    for n in res.notes:
        st.caption(n)
    st.download_button(f"下载 {res.rows} 行（{FORMAT_LABELS[fmt]}）", res.data, res.filename,
                       mime=MIME[fmt], key="exp_download", type="primary")
