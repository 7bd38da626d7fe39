"""Find a CJK font that can be embedded in a PDF and register it with reportlab and matplotlib.

Searched on a fresh machine, in order: ``XXGEO_CJK_FONT`` (``path`` or ``path#index`` for a collection's face);
the known Debian paths; the font folders of the system the app runs on (:func:`font_dirs`: Linux
``/usr/share/fonts`` and ``~/.local/share/fonts``, Windows ``C:\\Windows\\Fonts`` with 微软雅黑 msyh.ttc, 黑体
simhei.ttf, 宋体 simsun.ttc, macOS ``/System/Library/Fonts`` with PingFang.ttc, STHeiti and Hiragino Sans GB), the
files named in :data:`PREFERRED` first; then fontconfig. reportlab embeds only TrueType outlines (``glyf``): a font
with CFF outlines (Noto Sans CJK, Source Han Sans, Hiragino) is used only when no TrueType one is found, through a
TrueType copy made once with fontTools and kept in ``settings().font_cache``. When none is usable
:class:`FontMissing` says in one sentence what to install on this system, with and without administrator rights.
"""

from __future__ import annotations

import glob
import logging
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..config import settings
from ..errors import XxgeoError
from ..textsafe import MATPLOTLIB_RC

PDF_FONT = "XxCJK"
#: Tried in order after ``XXGEO_CJK_FONT``: (path pattern, collection index).
CANDIDATES = (
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
    ("/usr/share/fonts/truetype/*/*.tt[fc]", 0),
)
#: font files the three systems ship (lower case), best first: a file found in a font folder is tried in this
#: order before any other font file there
PREFERRED = ("wqy-zenhei.ttc", "wqy-microhei.ttc", "msyh.ttc", "msyh.ttf", "simhei.ttf", "simsun.ttc",
             "pingfang.ttc", "stheiti medium.ttc", "stheiti light.ttc", "hiragino sans gb.ttc",
             "hiragino sans gb w3.ttc", "notosanscjk-regular.ttc", "notosanscjksc-regular.otf",
             "notosanssc-regular.otf", "notosanssc-regular.ttf", "sourcehansanssc-regular.otf",
             "sourcehansans-regular.ttc", "notoserifcjk-regular.ttc", "uming.ttc", "droidsansfallbackfull.ttf")
FONT_SUFFIXES = (".ttf", ".ttc", ".otf", ".otc")
_SAMPLE = "乡镇园区项目指标"


class FontMissing(XxgeoError):
    """No CJK font with TrueType outlines is installed, so a PDF with Chinese text cannot be made."""


#: system -> (Chinese, English) of what to install there, with and without administrator rights
_INSTALL = {
    "linux": ("请安装 Debian 软件包 fonts-wqy-zenhei（sudo apt-get install fonts-wqy-zenhei）；没有管理员权限时，"
              "把任一中文字体文件（.ttf/.ttc/.otf）复制到 ~/.local/share/fonts 即可",
              "Install the Debian package fonts-wqy-zenhei (sudo apt-get install fonts-wqy-zenhei); without "
              "administrator rights, copy any Chinese font file (.ttf/.ttc/.otf) into ~/.local/share/fonts"),
    "windows": ("请在“设置 → 时间和语言 → 语言”中添加“中文（简体）”以安装微软雅黑等中文字体，或把中文字体文件"
                "“为当前用户安装”（右键字体文件 → 安装）",
                "Add “Chinese (Simplified)” under Settings → Time & language → Language to install Microsoft YaHei "
                "and the other Chinese fonts, or install a Chinese font file for the current user (right-click → "
                "Install)"),
    "darwin": ("macOS 自带的苹方（PingFang）与华文黑体应在 /System/Library/Fonts 中；若被删除，请用“字体册”安装一个"
               "中文字体，或把字体文件复制到 ~/Library/Fonts",
               "macOS ships PingFang and STHeiti in /System/Library/Fonts; if they were removed, install a Chinese "
               "font with Font Book, or copy a font file into ~/Library/Fonts"),
}


def _system() -> str:
    plat = sys.platform
    return "windows" if plat.startswith("win") else "darwin" if plat == "darwin" else "linux"


def missing_message(system: str | None = None) -> tuple[str, str]:
    """(Chinese, English): no usable font was found, and what to install on ``system`` (linux/windows/darwin)."""
    zh, en = _INSTALL.get(system or _system(), _INSTALL["linux"])
    return (f"找不到可嵌入 PDF 的中文字体。{zh}；或用环境变量 XXGEO_CJK_FONT 指定一个中文字体文件（.ttf/.ttc/.otf）。",
            f"No Chinese font that can be embedded in a PDF was found. {en}; or name a Chinese font file "
            "(.ttf/.ttc/.otf) in the environment variable XXGEO_CJK_FONT.")


MISSING_MESSAGE, MISSING_ENGLISH = missing_message("linux")


@dataclass(frozen=True)
class CjkFont:
    """A usable font: its file, the face index in a collection, and its family name."""

    path: str
    index: int
    family: str


def _parse(spec: str) -> tuple[str, int]:
    path, _, idx = spec.partition("#")
    return path, int(idx) if idx.isdigit() else 0


def _fc_list() -> list[str]:
    if not shutil.which("fc-list"):
        return []
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted({ln.split(":")[0].strip() for ln in out.splitlines() if ln.strip()})


def _usable(path: str, index: int) -> str | None:
    """The family name when reportlab can embed the face and it has Chinese glyphs, else None."""
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    if not os.path.isfile(path):
        return None
    try:
        font = TTFont("probe", path, subfontIndex=index)
    except (TTFError, OSError, ValueError, IndexError, KeyError):
        return None
    cmap = font.face.charToGlyph
    if not all(ord(ch) in cmap for ch in _SAMPLE):
        return None
    fam = font.face.familyName
    return fam.decode("utf-8", "replace") if isinstance(fam, bytes) else str(fam)


def font_dirs(system: str | None = None, home: Path | None = None) -> list[Path]:
    """The font folders of ``system`` (linux / windows / darwin; default this one), the user's own included (a
    font copied there needs no administrator)."""
    system, home = system or _system(), home or Path.home()
    if system == "windows":
        return [Path("C:/Windows/Fonts"), home / "AppData" / "Local" / "Microsoft" / "Windows" / "Fonts"]
    if system == "darwin":
        return [Path("/System/Library/Fonts"), Path("/System/Library/Fonts/Supplemental"), Path("/Library/Fonts"),
                home / "Library" / "Fonts"]
    return [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), home / ".local" / "share" / "fonts",
            home / ".fonts"]


def _files_in(dirs) -> list[str]:
    """Font files under ``dirs`` (recursively), the :data:`PREFERRED` ones first in that order."""
    found = []
    for d in dirs:
        try:
            found += [str(p) for p in sorted(Path(d).rglob("*")) if p.suffix.lower() in FONT_SUFFIXES]
        except OSError:
            continue
    rank = {name: i for i, name in enumerate(PREFERRED)}
    return sorted(dict.fromkeys(found), key=lambda p: rank.get(Path(p).name.lower(), len(rank)))


def _faces(path: str) -> list[int]:
    """The faces of a file to try, a Simplified-Chinese face of a collection first."""
    from .fontconvert import face_count

    n = face_count(path)
    if n <= 1:
        return [0]
    names = []
    for i in range(n):
        fam = _family(path, i) or ""
        names.append((0 if any(k in fam for k in (" SC", "GB", " CN", "Hans", "简")) else 1, i))
    return [i for _, i in sorted(names)]


def _family(path: str, index: int) -> str | None:
    from fontTools.ttLib import TTFont, TTLibError

    try:
        with TTFont(path, fontNumber=index, lazy=True) as f:
            return f["name"].getDebugName(1)
    except (TTLibError, OSError, ValueError, IndexError, KeyError, AssertionError):
        return None


def _cff_copy(path: str, index: int) -> CjkFont | None:
    """A TrueType copy of a CFF face with Chinese glyphs (made once, cached), else None."""
    from .fontconvert import cff_face, truetype_copy

    face = cff_face(path, index, _SAMPLE)
    if face is None or not face[1]:
        return None
    copy = str(truetype_copy(path, index))
    fam = _usable(copy, 0)
    return CjkFont(copy, 0, fam) if fam else None


def find_cjk_font(env: str | None = None, *, dirs: list | None = None) -> CjkFont:
    """The first usable font: ``env`` (default ``$XXGEO_CJK_FONT``), known Debian paths, the font folders ``dirs``
    (default :func:`font_dirs` of this system), then fontconfig; TrueType outlines first, a CFF font (through its
    TrueType copy) only when there is none. ``dirs`` given: only those folders are searched."""
    env = settings().cjk_font if env is None else env
    zh, en = missing_message()
    if env:
        path, idx = _parse(env)
        fam = _usable(path, idx)
        if fam:
            return CjkFont(path, idx, fam)
        copy = _cff_copy(path, idx) if os.path.isfile(path) else None
        if copy:
            return copy
        raise FontMissing(f"环境变量 XXGEO_CJK_FONT 指定的字体“{env}”无法用于 PDF（不存在或不含汉字）。" + zh,
                          english=f"The font “{env}” named by XXGEO_CJK_FONT cannot be used in a PDF (it does not "
                                  "exist or has no Chinese characters). " + en)
    tried: list[str] = []
    if dirs is None:
        for pattern, _idx in CANDIDATES:
            tried += sorted(glob.glob(pattern))
        tried += _files_in(font_dirs()) + _fc_list()
    else:
        tried += _files_in(dirs)
    tried = list(dict.fromkeys(p for p in tried if p.lower().endswith(FONT_SUFFIXES)))
    cff: list[tuple[str, int]] = []
    for path in tried:
        for idx in _faces(path):
            fam = _usable(path, idx)
            if fam:
                return CjkFont(path, idx, fam)
            cff.append((path, idx))
    for path, idx in cff:
        copy = _cff_copy(path, idx)
        if copy:
            return copy
    raise FontMissing(zh, english=en)


@lru_cache(maxsize=4)
def _register(path: str, index: int, family: str) -> None:
    from matplotlib import font_manager
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(PDF_FONT, path, subfontIndex=index))
    font_manager.fontManager.addfont(path)
    # WenQuanYi declares weight 500; silence matplotlib's "using 500 instead" chatter
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)


_FOUND: dict = {}


def cjk_font() -> CjkFont:
    """Find the CJK font (once per ``XXGEO_CJK_FONT`` value) and register it with reportlab (as ``XxCJK``)
    and matplotlib."""
    env = settings().cjk_font
    font = _FOUND.get(env)
    if font is None:
        font = _FOUND[env] = find_cjk_font()
    _register(font.path, font.index, font.family)
    return font


def reset_font_cache() -> None:
    """Forget the font found (tests; or after installing a font while the app runs)."""
    _FOUND.clear()


def mpl_rc(font: CjkFont) -> dict:
    """matplotlib rcParams that draw Chinese with ``font`` (DejaVu Sans as fallback for symbols)."""
    return {"font.family": [font.family, "DejaVu Sans"], "font.sans-serif": [font.family, "DejaVu Sans"],
            "axes.unicode_minus": False, "pdf.fonttype": 42, **MATPLOTLIB_RC}
