"""Safe unpacking of zip archives (zipped shapefiles, KMZ, zipped GeoPackages).

Nothing is extracted before the whole archive has been checked: entry count, declared sizes and
compression ratios (zip bombs), absolute or ``../`` paths and symlinks (path traversal), encryption.
While extracting, the bytes actually written are counted, so an entry that lies about its size is caught
too. Extracted files get plain ASCII names inside a fresh temporary directory.
"""

from __future__ import annotations

import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import ImportRefused
from .wording import cap, english_what

MAX_ENTRIES = 2000
MAX_TOTAL_BYTES = 300 * 1024 * 1024  # declared or actual uncompressed size of everything extracted
MAX_RATIO = 200  # uncompressed / compressed, for entries larger than RATIO_MIN_BYTES
RATIO_MIN_BYTES = 5 * 1024 * 1024
CHUNK = 1024 * 1024


@dataclass
class Entry:
    """A checked archive member: its ``ZipInfo`` and a readable name (GBK names decoded)."""

    info: zipfile.ZipInfo
    name: str

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.name).suffix.lower()

    @property
    def stem(self) -> str:
        return str(PurePosixPath(self.name).with_suffix(""))


def display_name(info: zipfile.ZipInfo) -> str:
    """The member name as its author saw it: names from Chinese Windows tools are GBK, not CP437."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _unsafe(name: str) -> bool:
    n = name.replace("\\", "/")
    if n.startswith("/") or (len(n) > 1 and n[1] == ":"):
        return True
    return any(part == ".." for part in n.split("/"))


def open_checked(path: Path, label: str = "压缩包") -> tuple[zipfile.ZipFile, list[Entry]]:
    """Open a zip and check every member; raises :class:`ImportRefused` on anything unsafe."""
    try:
        zf = zipfile.ZipFile(path)
        infos = zf.infolist()
    except zipfile.BadZipFile as exc:
        raise ImportRefused(f"{label}不完整或已损坏（可能下载中断或不是真正的 zip 文件），未导入任何数据。",
                            english="The archive is truncated or corrupt.") from exc
    except (OSError, ValueError, NotImplementedError) as exc:
        raise ImportRefused(f"{label}无法打开（{type(exc).__name__}），未导入任何数据。",
                            english=f"{cap(english_what(label))} cannot be opened ({type(exc).__name__}); nothing "
                                    "was imported.") from exc
    try:
        _check(infos, label)
    except BaseException:
        zf.close()
        raise
    entries = [Entry(i, display_name(i)) for i in infos if not i.is_dir()]
    return zf, entries


def _check(infos: list, label: str) -> None:
    if len(infos) > MAX_ENTRIES:
        raise ImportRefused(f"{label}内有 {len(infos)} 个文件，超过上限 {MAX_ENTRIES}，已拒绝。",
                            english=f"{cap(english_what(label))} holds {len(infos)} files, more than the limit of "
                                    f"{MAX_ENTRIES}; refused.")
    total = 0
    for i in infos:
        name = display_name(i)
        if _unsafe(i.filename):
            raise ImportRefused(f"{label}内含不安全的路径“{name}”（绝对路径或 ../），已拒绝，未导入任何数据。",
                                english="Archive member with an absolute or ../ path.")
        if stat.S_ISLNK(i.external_attr >> 16):
            raise ImportRefused(f"{label}内含符号链接“{name}”，已拒绝，未导入任何数据。",
                                english=f"{cap(english_what(label))} contains a symbolic link “{name}”; refused, "
                                        "nothing was imported.")
        if i.flag_bits & 0x1:
            raise ImportRefused(f"{label}内的“{name}”有密码保护，请解除加密后再导入。",
                                english=f"“{name}” in {english_what(label)} is password-protected; remove the "
                                        "encryption, then import again.")
        total += i.file_size
        ratio = i.file_size / max(i.compress_size, 1)
        if i.file_size > RATIO_MIN_BYTES and ratio > MAX_RATIO:
            raise ImportRefused(f"{label}内的“{name}”压缩比异常（{ratio:.0f} 倍，疑似“压缩炸弹”），已拒绝，"
                                "未导入任何数据。", english="Suspected zip bomb (compression ratio).")
    if total > MAX_TOTAL_BYTES:
        raise ImportRefused(f"{label}解压后共 {total / 2**20:.0f} MB，超过上限 {MAX_TOTAL_BYTES // 2**20} MB"
                            "（疑似“压缩炸弹”），已拒绝。", english="Archive too large when unpacked.")


def extract(zf: zipfile.ZipFile, entries: list[Entry], dest: Path, names: dict | None = None,
            label: str = "压缩包") -> dict:
    """Extract ``entries`` into ``dest`` (names from ``names[entry.name]`` or ``f<i><suffix>``).

    Returns ``{entry.name: extracted path}``. The bytes written are counted against the declared size and
    :data:`MAX_TOTAL_BYTES`; a CRC error or a short member is reported as a damaged archive.
    """
    out: dict = {}
    written_total = 0
    for k, e in enumerate(entries):
        target = dest / ((names or {}).get(e.name) or f"f{k}{e.suffix}")
        written = 0
        try:
            with zf.open(e.info) as src, open(target, "wb") as fh:
                while True:
                    chunk = src.read(CHUNK)
                    if not chunk:
                        break
                    written += len(chunk)
                    written_total += len(chunk)
                    if written > e.info.file_size or written_total > MAX_TOTAL_BYTES:
                        raise ImportRefused(f"{label}内的“{e.name}”解压后比声明的大（疑似“压缩炸弹”），已拒绝。",
                                            english=f"“{e.name}” in {english_what(label)} unpacks larger than it "
                                                    "declares (a suspected zip bomb); refused.")
                    fh.write(chunk)
        except ImportRefused:
            raise
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
            raise ImportRefused(f"{label}内的“{e.name}”无法解压（文件不完整或已损坏），未导入任何数据。",
                                english=f"“{e.name}” in {english_what(label)} cannot be unpacked (incomplete or "
                                        "damaged); nothing was imported.") from exc
        if written != e.info.file_size:
            raise ImportRefused(f"{label}内的“{e.name}”不完整（应为 {e.info.file_size} 字节，实为 {written} 字节），"
                                "未导入任何数据。",
                                english=f"“{e.name}” in {english_what(label)} is incomplete (should be "
                                        f"{e.info.file_size} bytes, is {written} bytes); nothing was imported.")
        out[e.name] = target
    return out
