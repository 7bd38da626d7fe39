"""A TrueType copy of a CFF-outline font (Noto Sans CJK, Source Han Sans, Hiragino): reportlab embeds only
TrueType (``glyf``) outlines, so the cubic CFF outlines are converted to quadratic ones with fontTools' cu2qu
(error under one font unit), once, and the copy is kept in ``settings().font_cache`` for later runs. A Noto
Sans CJK face (some 33,000 glyphs converted) takes half a minute to two minutes, once per machine."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from ..config import settings
from ..files import write_atomic


def cff_face(path: str, index: int, sample: str):
    """``(family, has every sample character)`` of a CFF-outline face, or None when the face is not CFF (or
    cannot be read)."""
    from fontTools.ttLib import TTFont, TTLibError

    try:
        font = TTFont(path, fontNumber=index, lazy=True)
    except (TTLibError, OSError, ValueError, IndexError, KeyError, AssertionError):
        return None
    try:
        if "CFF " not in font:
            return None
        cmap = font.getBestCmap() or {}
        return font["name"].getDebugName(1) or Path(path).stem, all(ord(ch) in cmap for ch in sample)
    finally:
        font.close()


def face_count(path: str) -> int:
    """The number of faces in a font file (1 for a plain .ttf/.otf)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(12)
    except OSError:
        return 0
    return int.from_bytes(head[8:12], "big") if head[:4] == b"ttcf" else 1


def _cache_name(path: str, index: int) -> str:
    st = os.stat(path)
    ident = f"{os.path.abspath(path)}#{index}:{st.st_size}:{st.st_mtime_ns}:{_VERSION}"
    key = hashlib.sha256(ident.encode()).hexdigest()
    return f"{Path(path).stem}-{index}-{key[:12]}.ttf"


def truetype_copy(path: str, index: int = 0, cache: Path | None = None) -> Path:
    """The TrueType copy of face ``index`` of ``path``: from the cache when made before, else made now (and kept
    in the cache, or in a temporary folder when the cache cannot be written)."""
    cache = settings().font_cache if cache is None else cache
    name = _cache_name(path, index)
    hit = cache / name
    if hit.is_file():
        return hit
    data = _convert(path, index)
    try:
        cache.mkdir(parents=True, exist_ok=True)
        return write_atomic(hit, data)
    except OSError:
        out = Path(tempfile.gettempdir()) / f"xxgeo-{name}"
        out.write_bytes(data)
        return out


#: a copy's family is its font's with this after it, so matplotlib takes the copy, never the CFF original
SUFFIX = " xxgeo"
_VERSION = 3  # of the copies: a new version makes new copies


def _rename(font) -> None:
    """Family, full and PostScript names of the copy, distinct from the original's."""
    name = font["name"]
    family = (name.getDebugName(16) or name.getDebugName(1) or "CJK") + SUFFIX
    full = (name.getDebugName(4) or family) + SUFFIX
    ps = "".join(ch for ch in (name.getDebugName(6) or family) if ch.isalnum() or ch == "-") + "-xxgeo"
    for rec in list(name.names):
        if rec.nameID in (16, 17, 21, 22):
            name.removeNames(nameID=rec.nameID)
    for rec in list(name.names):
        value = {1: family, 4: full, 6: ps}.get(rec.nameID)
        if value is not None:
            rec.string = value


def _hangul(c: int) -> bool:
    return 0xAC00 <= c <= 0xD7FF or 0x1100 <= c <= 0x11FF or 0x3130 <= c <= 0x318F or 0xA960 <= c <= 0xA97F


def _convert(path: str, index: int) -> bytes:
    """The face's bytes with its CFF outlines replaced by TrueType ones. Only the glyphs a character maps to are
    converted, Hangul left out (a Chinese county's text needs none of them): the rest (vertical and regional
    forms reached only through layout features) are left empty and the layout tables dropped, which halves the
    work for Noto Sans CJK."""
    import io

    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    font = TTFont(path, fontNumber=index)
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    keep = {order[0], *(g for c, g in (font.getBestCmap() or {}).items() if not _hangul(c))}
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(None)
        if name in keep:
            glyphs[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["glyf"], font["loca"] = glyf, newTable("loca")
    # no layout tables: the glyphs they reach are left empty above, and Chinese text needs no shaping (matplotlib
    # shapes with HarfBuzz and would pick those empty alternates, e.g. for digits after a letter)
    for tag in ("CFF ", "VORG", "GSUB", "GPOS", "GDEF", "BASE", "JSTF"):
        if tag in font:
            del font[tag]
    maxp = newTable("maxp")
    maxp.tableVersion, maxp.numGlyphs = 0x00010000, len(order)
    for attr in ("maxPoints", "maxContours", "maxCompositePoints", "maxCompositeContours", "maxTwilightPoints",
                 "maxStorage", "maxFunctionDefs", "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
                 "maxComponentElements", "maxComponentDepth"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    font["maxp"] = maxp
    post = font["post"]
    post.formatType = 3.0  # no glyph names: a CJK font has more glyphs than format 2 can name
    post.extraNames, post.mapping = [], {}
    font["head"].glyphDataFormat = 0
    _rename(font)
    font.sfntVersion = "\x00\x01\x00\x00"
    buf = io.BytesIO()
    font.save(buf)
    return buf.getvalue()
