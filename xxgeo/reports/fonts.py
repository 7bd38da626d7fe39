"""Find a CJK font that can be embedded in a PDF and register it with reportlab and matplotlib.

reportlab embeds only TrueType outlines (``glyf``), so Noto Sans CJK (CFF outlines, even as ``.ttc``) is
refused and WenQuanYi Zen Hei (Debian ``fonts-wqy-zenhei``) is the default. ``XXGEO_CJK_FONT`` may name any
TrueType-outline ``.ttf``/``.ttc`` (``path`` or ``path#index`` for a collection's face). Found at run time;
when none is usable :class:`FontMissing` says which Debian package to install.
"""

from __future__ import annotations

import glob
import logging
import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache

from ..config import settings
from ..errors import XxgeoError

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
_SAMPLE = "乡镇园区项目指标"


class FontMissing(XxgeoError):
    """No CJK font with TrueType outlines is installed, so a PDF with Chinese text cannot be made."""


MISSING_MESSAGE = ("找不到可嵌入 PDF 的中文字体（需 TrueType 轮廓；Noto CJK 为 CFF 轮廓，无法嵌入）。"
                   "请安装 Debian 软件包 fonts-wqy-zenhei（sudo apt-get install fonts-wqy-zenhei），"
                   "或用环境变量 XXGEO_CJK_FONT 指定一个 TrueType 中文字体文件（.ttf/.ttc）。")
MISSING_ENGLISH = ("No Chinese font that can be embedded in a PDF was found (TrueType outlines are needed; Noto CJK "
                   "has CFF outlines and cannot be embedded). Install the Debian package fonts-wqy-zenhei (sudo "
                   "apt-get install fonts-wqy-zenhei), or name a TrueType Chinese font file (.ttf/.ttc) in the "
                   "environment variable XXGEO_CJK_FONT.")


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


def find_cjk_font(env: str | None = None) -> CjkFont:
    """The first usable font: ``env`` (default ``$XXGEO_CJK_FONT``), known Debian paths, then fontconfig."""
    env = settings().cjk_font if env is None else env
    tried: list[tuple[str, int]] = []
    if env:
        path, idx = _parse(env)
        fam = _usable(path, idx)
        if fam:
            return CjkFont(path, idx, fam)
        raise FontMissing(f"环境变量 XXGEO_CJK_FONT 指定的字体“{env}”无法嵌入 PDF"
                          "（不存在、不是 TrueType 轮廓或不含汉字）。" + MISSING_MESSAGE,
                          english=f"The font “{env}” named by XXGEO_CJK_FONT cannot be embedded in a PDF (it does "
                                  "not exist, has no TrueType outlines or no Chinese characters). " + MISSING_ENGLISH)
    for pattern, idx in CANDIDATES:
        tried += [(p, idx) for p in sorted(glob.glob(pattern))]
    tried += [(p, 0) for p in _fc_list() if p.lower().endswith((".ttf", ".ttc"))]
    seen = set()
    for path, idx in tried:
        if (path, idx) in seen:
            continue
        seen.add((path, idx))
        fam = _usable(path, idx)
        if fam:
            return CjkFont(path, idx, fam)
    raise FontMissing(MISSING_MESSAGE, english=MISSING_ENGLISH)


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
            "axes.unicode_minus": False, "pdf.fonttype": 42}
