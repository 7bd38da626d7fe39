"""What a file really is, from its first bytes; the extension must agree with the content."""

from __future__ import annotations

from pathlib import Path

from ..errors import ImportRefused

MAX_FILE_BYTES = 200 * 1024 * 1024
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
SQLITE_MAGIC = b"SQLite format 3\x00"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SHP_MAGIC = b"\x00\x00\x27\x0a"

#: extension -> the content kind it promises
EXT_KIND = {
    ".zip": "zip", ".kmz": "zip", ".xlsx": "zip", ".xlsm": "zip", ".gpkg": "sqlite",
    ".geojson": "json", ".json": "json", ".kml": "xml", ".csv": "text", ".txt": "text", ".tsv": "text",
    ".xls": "ole", ".shp": "shp",
}
EXT_LABEL = {"zip": "zip 压缩包", "sqlite": "GeoPackage", "json": "GeoJSON", "xml": "KML", "text": "文本表格",
             "ole": "Excel 97-2003", "shp": "Shapefile"}


def content_kind(head: bytes) -> str:
    """``zip``, ``sqlite``, ``ole``, ``shp``, ``json``, ``xml``, ``text`` or ``binary`` from the first bytes."""
    if head.startswith(ZIP_MAGIC):
        return "zip"
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(OLE_MAGIC):
        return "ole"
    if head.startswith(SHP_MAGIC) and len(head) >= 100:
        return "shp"
    if b"\x00" in head[:4096] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary"
    text = _peek_text(head)
    if text is None:
        return "binary"
    s = text.lstrip("\ufeff \t\r\n")
    if s.startswith(("{", "[")):
        return "json"
    if s.startswith("<") and "<kml" in s[:4000].lower():
        return "xml"
    if s.startswith("<"):
        return "html"
    return "text"


def _peek_text(head: bytes) -> str | None:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return head[: len(head) // 2 * 2].decode("utf-16", errors="strict")
        except UnicodeDecodeError:
            return None
    sample = head[:65536]
    for codec in ("utf-8", "gb18030"):
        for cut in range(0, 4):  # the sample may end inside a multi-byte character
            try:
                text = sample[: len(sample) - cut].decode(codec)
            except UnicodeDecodeError:
                continue
            ctrl = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\t\r\n\f")
            return text if ctrl <= max(2, len(text[:8192]) // 200) else None
    return None


def sniff(path: Path, display: str | None = None, *, shp_parts: bool = False) -> str:
    """The kind of ``path`` (see :func:`content_kind`), checked against its extension.

    Refuses empty and oversized files, extension/content mismatches (a text file renamed ``.zip``), old
    ``.xls``, a lone ``.shp`` (``shp_parts``: its ``.dbf`` lies beside it, see :mod:`.shpfolder`), and
    anything unrecognisable, each with one Chinese sentence.
    """
    name = display or path.name
    size = path.stat().st_size
    if size == 0:
        raise ImportRefused(f"文件“{name}”是空的，未导入任何数据。",
                            english=f"The file “{name}” is empty; nothing was imported.")
    if size > MAX_FILE_BYTES:
        raise ImportRefused(f"文件“{name}”有 {size / 2**20:.0f} MB，超过上限 {MAX_FILE_BYTES // 2**20} MB，"
                            "请分批导入。",
                            english=f"The file “{name}” is {size / 2**20:.0f} MB, more than the limit of "
                                    f"{MAX_FILE_BYTES // 2**20} MB; import it in parts.")
    with open(path, "rb") as fh:
        head = fh.read(70000)
    kind = content_kind(head)
    ext = Path(name).suffix.lower()
    promised = EXT_KIND.get(ext)
    if promised and promised != kind and not (promised == "text" and kind in ("json", "xml")):
        raise ImportRefused(
            f"文件“{name}”的扩展名是 {ext}，但内容不是{EXT_LABEL[promised]}（{_what(kind)}），"
            "可能是改了扩展名或文件已损坏，未导入任何数据。", english="File content does not match its extension.")
    if kind == "ole":
        raise ImportRefused(f"“{name}”是旧版 Excel（.xls）文件，请在 Excel 中“另存为” .xlsx 后再导入。",
                            english=f"“{name}” is an old Excel (.xls) file; use “Save As” .xlsx in Excel, then "
                                    "import that.")
    if kind == "shp" and not shp_parts:
        raise ImportRefused(f"“{name}”只是 Shapefile 的 .shp 部分，旁边没有同名的 .dbf 属性表；请把同名的 .shp、.shx、"
                            ".dbf、.prj（和 .cpg）放在同一文件夹，或一起打成 zip 压缩包后导入。",
                            english=f"“{name}” is only the .shp part of a Shapefile, with no .dbf of the same name "
                                    "beside it; keep the .shp, .shx, .dbf, .prj (and .cpg) of the same name in one "
                                    "folder, or zip them together and import the zip.")
    if kind in ("binary", "html"):
        raise ImportRefused(f"无法识别文件“{name}”的格式（{_what(kind)}）。支持：zip 压缩的 Shapefile、GeoPackage、"
                            "GeoJSON、KML/KMZ、CSV、Excel（.xlsx）。", english="Unrecognised file format.")
    return kind


def _what(kind: str) -> str:
    return {"zip": "实为 zip 压缩包", "sqlite": "实为 SQLite/GeoPackage 数据库", "ole": "实为旧版 Office 文件",
            "shp": "实为 .shp 几何文件", "json": "实为 JSON 文本", "xml": "实为 KML/XML 文本", "text": "实为纯文本",
            "html": "实为网页/XML 文本", "binary": "内容是无法识别的二进制数据"}.get(kind, kind)
