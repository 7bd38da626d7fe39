"""Text encodings: honour a shapefile's .cpg, else UTF-8 when it decodes, else GBK/GB18030; never mojibake.

GB18030 is a superset of GBK and GB2312, so it decodes every file those produce; it is what GBK-labelled
data is decoded with. :func:`mojibake` recognises the two usual kinds of garbled Chinese: GBK bytes read as
Latin-1/CP1252 (``ÏÄÏØ``) and UTF-8 bytes read as GBK (``澶忓幙``).
"""

from __future__ import annotations

import codecs
import re
import struct
from itertools import compress

from ..errors import ImportRefused
from .wording import cap, english_what

#: .cpg / --encoding spellings -> Python codec names.
CPG_ALIASES = {
    "UTF8": "utf-8", "UTF-8": "utf-8", "65001": "utf-8", "UTF_8": "utf-8",
    "GBK": "gb18030", "936": "gb18030", "CP936": "gb18030", "ANSI936": "gb18030", "GB2312": "gb18030",
    "GB_2312-80": "gb18030", "GB18030": "gb18030", "54936": "gb18030", "EUC-CN": "gb18030",
    "BIG5": "big5", "950": "big5",
    "1252": "cp1252", "ANSI1252": "cp1252", "CP1252": "cp1252", "WINDOWS-1252": "cp1252",
    "ISO-8859-1": "latin-1", "ISO88591": "latin-1", "88591": "latin-1", "LATIN1": "latin-1",
}
_CJK = re.compile(r"[\u4e00-\u9fff]")
_NO_CJK_LINE = re.compile(r"^[^\u4e00-\u9fff\n]*$", re.MULTILINE)  # a line (of values joined by \n) without Chinese
_STR_OR_NONE = {str, type(None)}
_LATIN_HIGH = re.compile(r"[\u0080-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u2122]")


def codec_name(label: str) -> str:
    """A Python codec for a .cpg or ``--encoding`` value; :class:`ImportRefused` when unknown."""
    raw = (label or "").strip().upper().replace(" ", "")
    if raw in CPG_ALIASES:
        return CPG_ALIASES[raw]
    try:
        return codecs.lookup(label.strip()).name
    except LookupError:
        raise ImportRefused(f"不认识的编码“{label}”。常用的有 UTF-8、GBK、GB18030。",
                            english=f"Unknown encoding “{label}”. Common ones are UTF-8, GBK and GB18030.") from None


def decode_text(data: bytes, encoding: str | None = None, *, what: str = "文件") -> tuple[str, str]:
    """Decode bytes strictly: the given encoding, else BOM, else UTF-8, else GB18030. Returns (text, codec)."""
    if encoding:
        codec = codec_name(encoding)
        if codec == "utf-8" and data.startswith(codecs.BOM_UTF8):
            codec = "utf-8-sig"
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            raise ImportRefused(f"{what}不是 {encoding} 编码（按此解码出错），请检查 --encoding。",
                                english=f"{cap(english_what(what))} is not in {encoding} (decoding failed); check "
                                        "--encoding.") from None
    if data.startswith(codecs.BOM_UTF8):
        cands = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        cands = ["utf-16"]
    else:
        cands = ["utf-8", "gb18030"]
    for codec in cands:
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            continue
    raise ImportRefused(f"{what}的文字既不是 UTF-8 也不是 GBK/GB18030 编码，无法识别；请另存为 UTF-8 后再导入，"
                        "或用 --encoding 指定编码。", english="Unknown text encoding.")


def guess_bytes(samples: list[bytes]) -> str:
    """Encoding of raw attribute bytes: ``utf-8`` when all decode as UTF-8, else ``gb18030``, else refuse."""
    blob = b"\n".join(samples)
    for codec in ("utf-8", "gb18030"):
        try:
            blob.decode(codec)
            return codec
        except UnicodeDecodeError:
            continue
    raise ImportRefused("属性表的文字既不是 UTF-8 也不是 GBK/GB18030 编码，无法识别；请用 --encoding 指定编码。",
                        english="The attribute table's text is neither UTF-8 nor GBK/GB18030; give the encoding with "
                                "--encoding.")


def dbf_text_bytes(path, limit: int = 8 * 1024 * 1024) -> list[bytes]:
    """The raw bytes of a .dbf's field names and character fields (at most ``limit`` bytes of records).

    Field names are cut to 10 bytes by the format, often inside a multi-byte character; the incomplete
    tail is dropped so that it does not decide the encoding.
    """
    with open(path, "rb") as fh:
        head = fh.read(32)
        if len(head) < 32:
            raise ImportRefused("Shapefile 的属性表（.dbf）不完整或已损坏，未导入任何数据。",
                                english="The Shapefile's attribute table (.dbf) is incomplete or damaged; nothing "
                                        "was imported.")
        nrec, hlen, rlen = struct.unpack("<IHH", head[4:12])
        desc = fh.read(max(hlen - 32, 0))
        fields, names, off = [], [], 1
        for i in range(0, len(desc) - 31, 32):
            d = desc[i:i + 32]
            if d[0] == 0x0D:
                break
            names.append(d[:11].split(b"\x00")[0])
            ftype, flen = chr(d[11]), d[16]
            if ftype == "C":
                fields.append((off, flen))
            off += flen
        out = [_trim_partial(n) for n in names if n]
        if not fields or rlen <= 0:
            return out
        fh.seek(hlen)
        data = fh.read(min(nrec * rlen, limit))
    for r in range(0, len(data) - rlen + 1, rlen):
        rec = data[r:r + rlen]
        for o, ln in fields:
            v = rec[o:o + ln].rstrip(b" \x00")
            if v and any(b >= 0x80 for b in v):
                out.append(v)
    return out


def repair_dbf_names(path, codec: str) -> int:
    """Drop the half characters left where a writer cut a field name at 10 bytes (in place; a temp copy).

    Returns the number of names changed.
    """
    changed = 0
    with open(path, "r+b") as fh:
        head = fh.read(32)
        hlen = struct.unpack("<H", head[8:10])[0]
        desc = bytearray(fh.read(max(hlen - 32, 0)))
        for i in range(0, len(desc) - 31, 32):
            if desc[i] == 0x0D:
                break
            raw = bytes(desc[i:i + 11]).split(b"\x00")[0]
            good = raw
            for cut in range(0, 4):
                try:
                    raw[: len(raw) - cut].decode(codec)
                    good = raw[: len(raw) - cut]
                    break
                except UnicodeDecodeError:
                    continue
            if good != raw:
                desc[i:i + 11] = good.ljust(11, b"\x00")
                changed += 1
        if changed:
            fh.seek(32)
            fh.write(desc)
    return changed


def _trim_partial(name: bytes) -> bytes:
    for codec in ("utf-8", "gb18030"):
        for cut in range(0, 4):
            part = name[: len(name) - cut]
            try:
                part.decode(codec)
                return part
            except UnicodeDecodeError:
                continue
    return name


def mojibake(text) -> bool:
    """True when ``text`` looks like garbled Chinese (wrong decoding), False for normal text."""
    if not isinstance(text, str) or not text:
        return False
    if "\ufffd" in text:
        return True
    if _LATIN_HIGH.search(text):
        for enc in ("cp1252", "latin-1"):
            try:
                raw = text.encode(enc)
            except UnicodeEncodeError:
                continue
            for codec in ("utf-8", "gb18030"):
                try:
                    if _CJK.search(raw.decode(codec)):
                        return True
                except UnicodeDecodeError:
                    continue
    if _CJK.search(text) and len(text) >= 2:
        try:
            back = text.encode("gb18030").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return False
        return bool(_CJK.search(back)) and back != text
    return False


def _plain_batch(values: list):
    """``(batch, where)`` of :func:`garbled` when no value takes the per-value branches (no replacement character,
    line break or Latin-1 look-alike in any of them, found in one search of all the text): the Chinese values of
    two or more characters and their positions. None when some value does take them."""
    if set(map(type, values)) <= _STR_OR_NONE:  # the usual column: text and None, whose truth is "non-empty text"
        where, text = list(compress(range(len(values)), values)), list(compress(values, values))
    else:
        where = [i for i, v in enumerate(values) if isinstance(v, str) and v]
        text = [values[i] for i in where]
    joined = "\n".join(text)
    if "\ufffd" in joined or joined.count("\n") != len(text) - len(text[:1]) or _LATIN_HIGH.search(joined):
        return None
    if not _CJK.search(joined):
        return [], []
    if not _NO_CJK_LINE.search(joined) and min(map(len, text)) >= 2:  # every value Chinese, none one character
        return text, where
    keep = [k for k, v in enumerate(text) if len(v) >= 2 and _CJK.search(v)]
    return [text[k] for k in keep], [where[k] for k in keep]


def _sorted_batch(values: list, out: list):
    """``(batch, where)`` of :func:`garbled`, deciding the values of the per-value branches into ``out``."""
    batch, where = [], []
    for i, v in enumerate(values):
        if not isinstance(v, str) or not v:
            continue
        if "\ufffd" in v or "\n" in v or _LATIN_HIGH.search(v):
            out[i] = mojibake(v)
        elif len(v) >= 2 and _CJK.search(v):
            batch.append(v)
            where.append(i)
    return batch, where


def garbled(values: list) -> list:
    """``[mojibake(v) for v in values]``: :func:`_garbled` of the distinct text values (a column of categories has a
    handful), spread back over the column."""
    try:
        seen = dict.fromkeys(values)
    except TypeError:  # an unhashable value: each on its own
        return _garbled(values)
    if len(seen) == len(values):
        return _garbled(values)
    if set(map(type, seen)) <= _STR_OR_NONE:
        distinct = list(compress(seen, seen))
    else:
        distinct = [v for v in seen if isinstance(v, str) and v]
    flags = _garbled(distinct)
    if not any(flags):  # the usual answer: no value garbled
        return [False] * len(values)
    bad = dict(zip(distinct, flags))  # only text is a key: any other value is not garbled
    return [bad.get(v, False) for v in values]


def _garbled(values: list) -> list:
    """``[mojibake(v) for v in values]``, the common case in one encode and one decode for the whole column.

    The per-value test's expensive step — does the text, encoded as GB18030, decode as UTF-8 to other Chinese
    text — is done for all plain Chinese values at once: joined by ``\\n`` (a byte no GB18030 character contains
    and that ends any UTF-8 sequence), decoded with replacement characters, split again; a part with a
    replacement character did not decode. Values taking the other branches (replacement characters, Latin-1
    look-alikes, line breaks) go through :func:`mojibake` itself."""
    out = [False] * len(values)
    quick = _plain_batch(values)  # the usual column: sorted in one search of all its text
    batch, where = quick if quick is not None else _sorted_batch(values, out)
    if not batch:
        return out
    try:
        raw = "\n".join(batch).encode("gb18030")
    except UnicodeEncodeError:  # a lone surrogate somewhere: each value on its own
        raw = None
    parts = raw.decode("utf-8", "replace").split("\n") if raw is not None else []
    if len(parts) != len(batch):
        for i, v in zip(where, batch):
            out[i] = mojibake(v)
        return out
    literal = b"\xef\xbf\xbd" in raw  # bytes that decode to a replacement character themselves (锟斤拷)
    for i, v, back in zip(where, batch, parts):
        if "\ufffd" in back:  # did not decode as UTF-8 (the usual answer for Chinese text)
            out[i] = mojibake(v) if literal else False
        elif back != v and _CJK.search(back):
            out[i] = True
    return out


def _all_ascii(col) -> bool:
    """Whether every value of a text column is ASCII text or empty (one Arrow call; False when Arrow cannot take
    the column: numbers among the text, a lone surrogate)."""
    import pyarrow.compute as pc

    from ..arrowtext import text_array

    arr = text_array(col)
    return arr is not None and pc.all(pc.string_is_ascii(arr)).as_py() is not False


def check_no_mojibake(frame, what: str = "文件") -> None:
    """Refuse when any text cell or header of ``frame`` is garbled Chinese."""
    for col in frame.columns:
        if col == "geometry":
            continue
        if mojibake(str(col)):
            raise ImportRefused(f"{what}的列名“{col}”是乱码（编码识别错误），未导入；请用 --encoding 指定正确的编码"
                                "（如 GBK 或 UTF-8）。", english="Garbled column name (wrong encoding).")
        if frame[col].dtype != object and str(frame[col].dtype) not in ("str", "string"):
            continue
        if _all_ascii(frame[col]):  # (garbling needs a character beyond ASCII: a column of numbers as text)
            continue
        values = frame[col].tolist()
        bad = garbled(values)
        if any(bad):
            i = bad.index(True)
            v = values[i]
            raise ImportRefused(f"{what}第{i + 1}条记录的“{col}”是乱码（“{str(v)[:20]}”），未导入；请用 --encoding "
                                    "指定正确的编码（如 GBK 或 UTF-8）。", english="Garbled text (wrong encoding).")
