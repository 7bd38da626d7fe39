"""One reader per format; each returns a :class:`RawTable` (attributes as read, geometry, declared CRS).

Nothing here knows the store's schema: column mapping is :mod:`.columns`, coordinate systems
:mod:`.crs_rules`. A reader's only job is to get the file's rows out faithfully, with readable text, or
refuse with one Chinese sentence.
"""

from __future__ import annotations

import json
import re
import sqlite3
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import shapely

from ..errors import ImportRefused
from . import archive, arrowread, limits, shpfolder
from .encoding import codec_name, dbf_text_bytes, decode_text, guess_bytes, repair_dbf_names
from .rawtable import RawTable, checked_table
from .sniff import sniff
from .tables import HeaderScore, read_csv, read_excel
from .wording import cap, english_what

__all__ = ["HeaderScore", "RawTable", "list_layers", "read_csv", "read_excel", "read_for_worker", "read_source"]


def read_source(path: str | Path, *, name: str | None = None, encoding: str | None = None,
                source_layer: str | None = None, score: HeaderScore | None = None,
                target: str | None = None, pending: bool = False) -> RawTable | arrowread.PendingTable:
    """Read any supported file; ``score`` ranks candidate header rows/sheets, ``target`` is the store layer.
    ``pending`` (the parsing worker's call) lets a GeoPackage table come back as read, a
    :class:`~.arrowread.PendingTable` the caller finishes; every other format is a finished :class:`RawTable`."""
    path = Path(path)
    name = name or path.name
    parts = shpfolder.siblings(path)
    kind = sniff(path, name, shp_parts=bool(parts))
    with tempfile.TemporaryDirectory(prefix="xxgeo-in-") as tmp:
        tmpdir = Path(tmp)
        if kind == "shp":  # a .shp on disk with its .dbf beside it
            return _read_shapefile(shpfolder.copy_parts(parts, tmpdir), name, name, encoding, pending)
        if kind == "zip":
            return _read_zip(path, name, tmpdir, encoding, source_layer, score, target, pending)
        return _read_plain(kind, path, name, tmpdir, encoding, source_layer, score, target, pending)


def read_for_worker(path: str | Path, **kwargs) -> RawTable | arrowread.PendingTable:
    """:func:`read_source` as the parsing worker (:mod:`.worker`) runs it: a GeoPackage table comes back as read,
    for the caller to finish (:class:`~.arrowread.PendingTable`)."""
    return read_source(path, pending=True, **kwargs)


def _read_plain(kind, path, name, tmpdir, encoding, source_layer, score, target, pending=False):
    if kind == "sqlite":
        return read_gpkg(path, name, source_layer, target, pending)
    if kind == "json":
        return read_geojson(path, name, tmpdir, encoding)
    if kind == "xml":
        return read_kml(path, name, tmpdir, encoding)
    return read_csv(path, name, encoding, score)


def _read_zip(path, name, tmpdir, encoding, source_layer, score, target, pending=False):
    low = name.lower()
    label = "KMZ 文件" if low.endswith(".kmz") else "压缩包"
    if low.endswith((".xlsx", ".xlsm")):
        label = f"Excel 文件“{name}”"
    zf, entries = archive.open_checked(path, label)
    with zf:
        names = [e.name for e in entries]
        if any(e.info.filename == "[Content_Types].xml" for e in entries) and any(
                e.info.filename.startswith("xl/") for e in entries):
            return read_excel(path, name, score)
        shps = [e for e in entries if e.suffix == ".shp" and not _hidden(e.name)]
        if shps:
            return _read_zipped_shapefile(zf, entries, shps, name, tmpdir, encoding, source_layer, label, pending)
        kmls = [e for e in entries if e.suffix == ".kml" and not _hidden(e.name)]
        if kmls:
            kml = next((e for e in kmls if e.name.lower().endswith("doc.kml")), kmls[0])
            got = archive.extract(zf, [kml], tmpdir, {kml.name: "doc.kml"}, label)
            return read_kml(got[kml.name], name, tmpdir, encoding)
        data = [e for e in entries if e.suffix in (".gpkg", ".geojson", ".json", ".csv", ".xlsx", ".txt")
                and not _hidden(e.name)]
        if len(data) == 1:
            e = data[0]
            got = archive.extract(zf, [e], tmpdir, {e.name: "inner" + e.suffix}, label)
            kind = sniff(got[e.name], e.name)
            if kind == "zip" and e.suffix == ".xlsx":
                return read_excel(got[e.name], e.name, score)
            if kind == "zip":
                raise ImportRefused(f"{label}里又套了压缩包“{e.name}”，请解压后再导入。",
                                    english=f"{cap(english_what(label))} contains another zip archive “{e.name}”; "
                                            "unpack it, then import.")
            return _read_plain(kind, got[e.name], e.name, tmpdir, encoding, source_layer, score, None, pending)
        listing = "、".join(names[:8]) + ("等" if len(names) > 8 else "")
        listing_en = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
        raise ImportRefused(f"{label}“{name}”里没有可导入的数据文件（内有：{listing or '无文件'}）；需要 .shp（"
                            "连同 .dbf/.shx/.prj）"
                            "、.kml、.gpkg、.geojson、.csv 或 .xlsx 之一。",
                            english=f"{cap(english_what(label))} “{name}” holds no file that can be imported (it "
                                    f"holds: {listing_en or 'no files'}); it needs a .shp (with .dbf/.shx/.prj), "
                                    ".kml, .gpkg, .geojson, .csv or .xlsx.")


def _hidden(n: str) -> bool:
    return n.startswith("__MACOSX/") or Path(n).name.startswith("._")


def _read_zipped_shapefile(zf, entries, shps, name, tmpdir, encoding, source_layer, label, pending=False):
    if len(shps) > 1:
        if source_layer:
            shps = [e for e in shps if Path(e.name).stem == source_layer or e.name == source_layer]
        if len(shps) != 1:
            listing = "、".join(Path(e.name).stem for e in shps[:10])
            listing_en = ", ".join(Path(e.name).stem for e in shps[:10])
            raise ImportRefused(f"{label}里有多个 Shapefile（{listing}），请用 --source-layer 指定其中一个，"
                                "或每个压缩包只放一个。",
                                english=f"{cap(english_what(label))} holds several Shapefiles ({listing_en}); choose "
                                        "one with --source-layer, or put only one in each zip.")
    shp = shps[0]
    parts = {e.suffix: e for e in entries if e.stem.lower() == shp.stem.lower()}
    if ".dbf" not in parts:
        raise ImportRefused(f"Shapefile“{Path(shp.name).name}”缺少属性表（.dbf），请把同名的 .dbf 一起压缩后再导入。",
                            english=f"Shapefile “{Path(shp.name).name}” lacks its attribute table (.dbf); zip the "
                                    ".dbf of the same name with it, then import.")
    wanted = [parts[s] for s in shpfolder.PARTS if s in parts]
    got = archive.extract(zf, wanted, tmpdir, {e.name: "layer" + e.suffix for e in wanted}, label)
    return _read_shapefile({e.suffix: got[e.name] for e in wanted}, Path(shp.name).name, name, encoding, pending)


def _read_shapefile(files: dict, shp_name: str, name: str, encoding, pending: bool = False):
    """A Shapefile from its parts on disk (``{suffix: path}``, copies the reader may change): encoding from
    ``--encoding``, the ``.cpg`` or the bytes, truncated field names repaired, a missing ``.shx`` rebuilt. Read
    through GDAL's Arrow stream; with ``pending`` (the parsing worker) handed back as read, like a GeoPackage's
    (100,000 polygons: the worker's 3.2 s → 2.4 s); a table with dates is read by ``read_dataframe``."""
    notes = []
    if ".shx" not in files:
        notes.append("Shapefile 缺少 .shx 索引文件，已根据 .shp 重建。")
    cpg = None
    if ".cpg" in files:
        cpg = files[".cpg"].read_bytes().decode("ascii", errors="replace").strip()
    samples = dbf_text_bytes(files[".dbf"])
    if encoding:
        codec = codec_name(encoding)
        _strict(samples, codec, f"属性表不是 {encoding} 编码（按此解码出错），请检查 --encoding。",
                f"The attribute table is not in {encoding} (decoding failed); check --encoding.")
        notes.append(f"属性表按 --encoding 指定的 {encoding} 解码。")
    elif cpg:
        codec = codec_name(cpg)
        _strict(samples, codec, f".cpg 文件声明编码为 {cpg}，但属性表不是该编码；请用 --encoding 指定正确的编码（"
                                "如 GBK）。",
                f"The .cpg file declares the encoding {cpg}, but the attribute table is not in it; give the "
                "right encoding with --encoding (such as GBK).")
        notes.append(f"属性表按 .cpg 声明的 {cpg} 解码。")
    else:
        codec = guess_bytes(samples)
        notes.append("没有 .cpg 文件，属性表文字按 " + ("UTF-8" if codec == "utf-8" else "GBK/GB18030") + " 解码。")
    if repair_dbf_names(files[".dbf"], codec):
        notes.append("属性表的部分字段名在 10 字节处被截断成半个汉字，已去掉残缺部分。")
    if ".prj" not in files:
        notes.append("Shapefile 没有 .prj 文件（未声明坐标系）。")
    what = f"Shapefile“{shp_name}”"
    with pyogrio_config(SHAPE_RESTORE_SHX="YES"):
        meta, table = _pyogrio_read(files[".shp"], what, table=True, encoding=codec)
        if arrowread.plain_fields(meta):
            got = arrowread.PendingTable(table, arrowread.geometry_name(meta, table), meta.get("crs"), "shapefile",
                                         name, notes)
            return got if pending else got.finish()
        gdf = _pyogrio_read(files[".shp"], what, encoding=codec)
    return _from_gdf(gdf, "shapefile", name, notes)


def _strict(samples: list, codec: str, msg: str, english: str) -> None:
    try:
        b"\n".join(samples).decode(codec)
    except UnicodeDecodeError:
        raise ImportRefused(msg, english=english) from None


class pyogrio_config:  # noqa: N801 - used as a context manager
    """Temporarily set GDAL config options (restored afterwards)."""

    def __init__(self, **opts) -> None:
        self.opts = opts

    def __enter__(self):
        self.saved = {k: pyogrio.get_gdal_config_option(k) for k in self.opts}
        pyogrio.set_gdal_config_options(self.opts)
        return self

    def __exit__(self, *exc) -> None:
        pyogrio.set_gdal_config_options(self.saved)


def _pyogrio_read(path, what: str, *, table: bool = False, **kw):
    """Read with GDAL, never more than the feature limit plus one (a GeoPackage *view* may be unbounded); with
    ``table`` the Arrow stream as read, ``(meta, pyarrow.Table)``, its WKB decoded once to prove it sound."""
    cap_n = limits.current().features
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if table:
                meta, got = pyogrio.read_arrow(path, max_features=cap_n + 1, datetime_as_string=True, **kw)
                arrowread.prove_sound(meta, got)
                n = got.num_rows
            else:
                got = pyogrio.read_dataframe(path, max_features=cap_n + 1, **kw)
                n = len(got)
    except UnicodeDecodeError:
        raise ImportRefused(f"{what}的文字编码与声明不符，无法读取；请用 --encoding 指定编码（如 GBK）。",
                            english=f"The text encoding of {english_what(what)} does not match its declaration; give "
                                    "the encoding with --encoding (such as GBK).") from None
    except Exception as exc:  # pyogrio raises DataSourceError / DataLayerError / FieldError ...
        raise ImportRefused(f"{what}无法读取：文件已损坏或格式不对（{_gdal_reason(exc)}），未导入任何数据。",
                            english=f"{cap(english_what(what))} cannot be read: the file is damaged or in the wrong "
                                    f"format ({_gdal_reason(exc)}); nothing was imported.") from exc
    if n > cap_n:
        raise limits.over("features", None, what)
    return (meta, got) if table else got


def _gdal_reason(exc) -> str:
    s = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    s = re.sub(r"/(?:tmp|var)/\S+", "…", s)
    return s[:120]


def _from_gdf(gdf, fmt: str, name: str, notes: list, noun: str = "个要素") -> RawTable:
    geom = None
    crs = None
    if hasattr(gdf, "geometry") and "geometry" in gdf.columns:
        geom = np.asarray(gdf.geometry.values, dtype=object)
        crs = gdf.crs
        frame = pd.DataFrame(gdf.drop(columns="geometry"))
    else:
        frame = pd.DataFrame(gdf)
    return checked_table(frame, geom, crs, fmt, name, notes, noun)


def list_layers(path: Path) -> list[str]:
    """Layer names of a GeoPackage or KML (fiona lists them; pyogrio when fiona's GDAL cannot)."""
    try:
        import fiona

        return list(fiona.listlayers(str(path)))
    except Exception:
        try:
            return [str(n) for n, _ in pyogrio.list_layers(path)]
        except Exception as exc:
            raise ImportRefused(f"文件无法打开：已损坏或不是所声称的格式（{_gdal_reason(exc)}），"
                                "未导入任何数据。",
                                english=f"The file cannot be opened: it is damaged or not the format it claims "
                                        f"({_gdal_reason(exc)}); nothing was imported.") from exc


def read_gpkg(path: Path, name: str, source_layer: str | None, target: str | None,
              pending: bool = False) -> RawTable | arrowread.PendingTable:
    """A GeoPackage: the layer named like the target store layer, the only layer, or ``source_layer``; with
    ``pending`` a stored table's rows as read, for the caller to finish (:mod:`.arrowread`)."""
    layers = [n for n in list_layers(path) if not n.startswith(("gpkg_", "rtree_", "sqlite_"))]
    if not layers:
        raise ImportRefused(f"“{name}”不是 GeoPackage 或其中没有图层，未导入。",
                            english=f"“{name}” is not a GeoPackage or has no layers; nothing was imported.")
    pick = source_layer or (target if target in layers else None) or (layers[0] if len(layers) == 1 else None)
    if pick not in layers:
        raise ImportRefused(f"GeoPackage“{name}”里有多个图层（{'、'.join(layers[:10])}），"
                            "请用 --source-layer 指定要导入的那个。",
                            english=f"GeoPackage “{name}” has several layers ({', '.join(layers[:10])}); choose one "
                                    "with --source-layer.")
    notes = [] if len(layers) == 1 else [f"读取了 GeoPackage 中的图层“{pick}”。"]
    what = f"GeoPackage“{name}”"
    stored = _stored_table(path, pick)
    if stored:  # (a table with dates or JSON is read again by read_dataframe, which parses them)
        meta, table = _pyogrio_read(path, what, layer=pick, table=True)
        if arrowread.plain_fields(meta):
            got = arrowread.PendingTable(table, arrowread.geometry_name(meta, table), meta.get("crs"), "gpkg", name,
                                         notes)
            return got if pending else got.finish()
    gdf = _pyogrio_read(path, what, layer=pick, use_arrow=stored)
    return _from_gdf(gdf, "gpkg", name, notes)


def _stored_table(path: Path, layer: str) -> bool:
    """Whether a GeoPackage layer is a stored table, read through GDAL's Arrow stream (100,000 points: 0.6 s →
    0.25 s). A view is read feature by feature: its rows may never end (a recursive query), and the Arrow reader
    counts them before it reads any, where the feature reader stops at the limit."""
    try:
        con = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
        try:
            row = con.execute("SELECT type FROM sqlite_master WHERE name = ?", (layer,)).fetchone()
        finally:
            con.close()
    except sqlite3.Error:
        return False
    return row is not None and row[0] == "table"


def read_geojson(path: Path, name: str, tmpdir: Path, encoding: str | None) -> RawTable:
    """GeoJSON (UTF-8 by RFC 7946; GBK files are decoded and re-encoded first)."""
    data = path.read_bytes()
    depth = limits.bracket_depth(data)
    if depth > limits.current().nesting:
        raise limits.over("nesting", depth, f"GeoJSON“{name}”")
    text, codec = decode_text(data, encoding, what=f"GeoJSON“{name}”")
    try:
        obj = json.loads(text)
    except RecursionError:
        raise limits.over("nesting", None, f"GeoJSON“{name}”") from None
    except json.JSONDecodeError as exc:
        raise ImportRefused(f"GeoJSON“{name}”格式错误（第{exc.lineno}行附近：{exc.msg}），可能不完整，"
                            "未导入。",
                            english=f"GeoJSON “{name}” is malformed (near line {exc.lineno}: {exc.msg}), perhaps "
                                    "incomplete; nothing was imported.") from None
    if not isinstance(obj, dict) or obj.get("type") not in ("FeatureCollection", "Feature"):
        raise ImportRefused(f"“{name}”不是 GeoJSON 要素集合（缺少 \"type\": \"FeatureCollection\"），未导入。",
                            english=f"“{name}” is not a GeoJSON feature collection (no \"type\": "
                                    "\"FeatureCollection\"); nothing was imported.")
    clean = tmpdir / "in.geojson"
    clean.write_text(text.lstrip("\ufeff"), encoding="utf-8")
    gdf = _pyogrio_read(clean, f"GeoJSON“{name}”")
    notes = [] if codec.startswith("utf-8") else ["GeoJSON 不是 UTF-8 编码，已按 GBK/GB18030 解码。"]
    return _from_gdf(gdf, "geojson", name, notes)


_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*encoding=[\"']([A-Za-z0-9_\-]+)[\"'][^>]*\?>")


def read_kml(path: Path, name: str, tmpdir: Path, encoding: str | None) -> RawTable:
    """KML (Google Earth, 奥维): every folder with placemarks; the folder name is kept as ``_folder``."""
    data = path.read_bytes()
    m = _XML_DECL.match(data)
    declared = m.group(1).decode() if m else None
    if declared and not encoding and declared.lower() not in ("utf-8", "utf8"):
        encoding = declared
    text, _ = decode_text(data, encoding, what=f"KML“{name}”")
    if re.search(r"<!(DOCTYPE|ENTITY)", text[:20000], re.I):
        raise ImportRefused(f"KML“{name}”含有 DOCTYPE/ENTITY 声明（KML 不需要，可能是恶意文件），已拒绝。",
                            english=f"KML “{name}” contains a DOCTYPE/ENTITY declaration (KML needs none; the file "
                                    "may be malicious); refused.")
    text = re.sub(r"^\s*<\?xml[^>]*\?>", '<?xml version="1.0" encoding="UTF-8"?>', text.lstrip("\ufeff"), count=1)
    clean = tmpdir / "in.kml"
    clean.write_text(text, encoding="utf-8")
    _check_xml_depth(clean, f"KML“{name}”")
    frames = []
    for lyr in list_layers(clean):
        gdf = _pyogrio_read(clean, f"KML“{name}”", layer=lyr)
        if len(gdf):
            frames.append(gdf.assign(_folder=lyr))
    if not frames:
        raise ImportRefused(f"KML“{name}”里没有任何地标（Placemark），未导入。",
                            english=f"KML “{name}” has no placemarks (Placemark); nothing was imported.")
    gdf = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    gdf = gdf.drop(columns=[c for c in ("id", "timestamp", "begin", "end", "altitudeMode", "tessellate", "extrude",
                                        "visibility", "drawOrder", "icon", "snippet") if c in gdf.columns])
    if "geometry" in gdf.columns:
        gdf["geometry"] = shapely.force_2d(np.asarray(gdf.geometry.values, dtype=object))
    return _from_gdf(gdf, "kml", name, [], noun="个地标")


def _check_xml_depth(path: Path, what: str) -> None:
    """Element nesting of an XML file against the nesting limit (expat, streaming; a parse error is left to
    GDAL, which says it in its own words)."""
    from xml.etree.ElementTree import ParseError, iterparse

    cap_n, depth = limits.current().nesting, 0
    try:
        for event, _ in iterparse(path, events=("start", "end")):
            depth += 1 if event == "start" else -1
            if depth > cap_n:
                raise limits.over("nesting", None, what)
    except ParseError:
        return
