"""Paper sizes of the wall prints (ISO 216 A series) and what follows from them: page size in points, how much
larger text and symbols are than on A4, and the dpi of a PNG print."""

from __future__ import annotations

#: ISO 216: paper -> (short side, long side) in millimetres
ISO_MM = {"A4": (210, 297), "A3": (297, 420), "A2": (420, 594), "A1": (594, 841), "A0": (841, 1189)}
SIZES = tuple(ISO_MM)
ORIENTS = ("landscape", "portrait")
#: dpi of a PNG print: 300 for desk sizes, less for wall sizes (an A0 at 300 dpi is 140 million pixels)
PNG_DPI = {"A4": 300, "A3": 300, "A2": 200, "A1": 150, "A0": 120}
_PT_PER_MM = 72 / 25.4


def page_mm(size: str, orient: str = "landscape") -> tuple[float, float]:
    """(width, height) in millimetres of ``size`` (A4 … A0) in ``orient`` (landscape or portrait)."""
    if size not in ISO_MM:
        raise ValueError(f"unknown paper size {size!r}")
    if orient not in ORIENTS:
        raise ValueError(f"unknown orientation {orient!r}")
    short, long_ = ISO_MM[size]
    return (long_, short) if orient == "landscape" else (short, long_)


def page_pt(size: str, orient: str = "landscape") -> tuple[float, float]:
    """(width, height) in PostScript points (1/72 inch), as a PDF's MediaBox states it."""
    w, h = page_mm(size, orient)
    return w * _PT_PER_MM, h * _PT_PER_MM


def page_in(size: str, orient: str = "landscape") -> tuple[float, float]:
    """(width, height) in inches (matplotlib's figure size)."""
    w, h = page_mm(size, orient)
    return w / 25.4, h / 25.4


def page_px(size: str, orient: str = "landscape", dpi: int = 300) -> tuple[int, int]:
    """(width, height) in pixels at ``dpi``, rounded as matplotlib rounds a saved figure."""
    w, h = page_in(size, orient)
    return int(round(w * dpi)), int(round(h * dpi))


def text_scale(size: str) -> float:
    """How many times larger text and symbols are than on A4: each A-size up is √2 larger."""
    return (ISO_MM[size][0] / ISO_MM["A4"][0])
