"""The map legend (categories, line and area symbols, choropleth classes) and township choropleths."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import numpy as np

from .vocab import not_stated, value_en

#: classification scheme names in English
SCHEME_EN = {"唯一值": "unique values", "自然断点法": "natural breaks (Fisher-Jenks)"}

CHORO_COLORS = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")


def _shape_svg(shape: str, fill: str, r: float = 6) -> str:
    from math import cos, pi, sin

    def poly(n, rot, rr):
        return [(rr * cos(rot + i * 2 * pi / n), rr * sin(rot + i * 2 * pi / n)) for i in range(n)]

    shapes = {
        "square": lambda: poly(4, pi / 4, r * 1.25), "square45": lambda: poly(4, 0, r * 1.3),
        "diamond": lambda: poly(4, 0, r * 1.3), "triangle": lambda: poly(3, -pi / 2, r * 1.45),
        "triangle-down": lambda: poly(3, pi / 2, r * 1.45), "pentagon": lambda: poly(5, -pi / 2, r * 1.2),
        "hexagon": lambda: poly(6, 0, r * 1.15),
        "star": lambda: [((r * 0.6 if i % 2 else r * 1.5) * cos(-pi / 2 + i * pi / 5),
                          (r * 0.6 if i % 2 else r * 1.5) * sin(-pi / 2 + i * pi / 5)) for i in range(10)],
        "cross": lambda: [(-r * .45, -r * 1.3), (r * .45, -r * 1.3), (r * .45, -r * .45), (r * 1.3, -r * .45),
                          (r * 1.3, r * .45), (r * .45, r * .45), (r * .45, r * 1.3), (-r * .45, r * 1.3),
                          (-r * .45, r * .45), (-r * 1.3, r * .45), (-r * 1.3, -r * .45), (-r * .45, -r * .45)],
    }
    size = 20
    c = size / 2
    if shape not in shapes:
        body = f'<circle cx="{c}" cy="{c}" r="{r}" fill="{fill}" stroke="#555" stroke-width="1"/>'
    else:
        pts = " ".join(f"{c + x:.1f},{c + y:.1f}" for x, y in shapes[shape]())
        body = f'<polygon points="{pts}" fill="{fill}" stroke="#555" stroke-width="1"/>'
    return f'<svg width="{size}" height="{size}" viewBox="0 0 {size} {size}">{body}</svg>'


def _line_svg(color: str, dash: str | None = None, fill: str | None = None, width: float = 2) -> str:
    d = f' stroke-dasharray="{dash}"' if dash else ""
    if fill:
        return (f'<svg width="20" height="14"><rect x="1" y="1" width="18" height="12" fill="{fill}" '
                f'fill-opacity="0.5" stroke="{color}" stroke-width="1.5"{d}/></svg>')
    return (f'<svg width="24" height="10"><line x1="1" y1="5" x2="23" y2="5" stroke="{color}" '
            f'stroke-width="{width}"{d}/></svg>')


def legend_html(specs: list, *, lang: str, present: dict, choropleth: dict | None = None,
                note: str = "", open_: bool = True, extra: str = "") -> str:
    """The legend: categories with symbol and count, line/area symbols, choropleth classes with every
    township's value. ``present``: layer -> {class value: count} actually drawn; ``extra``: legend HTML
    (already escaped) added after the layers, e.g. the counted symbols of projects known only to an area."""
    e = html.escape
    parts = []
    if choropleth:
        rows = []
        for lo, hi, color in choropleth["classes"]:
            rows.append(f'<div class="row">{_line_svg("#666", fill=color)}<span>{_num(lo)} – {_num(hi)} '
                        f'{e(choropleth["unit"])}</span></div>')
        vals = ("; " if lang == "en" else "；").join(f"{e(n)} {_num(v)}" for n, v in choropleth["values"])
        scheme = SCHEME_EN.get(choropleth["scheme"], choropleth["scheme"]) if lang == "en" else choropleth["scheme"]
        head = f"{e(choropleth['label'])} ({e(scheme)})" if lang == "en" else f"{e(choropleth['label'])}（{e(scheme)}）"
        parts.insert(0, f"<h5>{head}</h5>" + "".join(rows)
                     + f'<div class="src">{vals}</div>')
    for spec in specs:
        if spec.layer not in present:
            continue
        items = []
        if spec.classes and spec.class_field:
            for cls, st in spec.classes.items():
                n = present[spec.layer].get(cls, 0)
                if not n:
                    continue
                if spec.legend.get("symbol") == "line":
                    sym = _line_svg(st.get("color", "#333"), spec.style.get("dash_array"), width=st.get("weight", 2))
                else:
                    sym = _shape_svg(st.get("shape", spec.style.get("shape", "circle")), st.get("fill_color", "#888"))
                shown = f"{value_en(cls)} ({n})" if lang == "en" else f"{cls}（{n}）"
                items.append(f'<div class="row">{sym}<span>{e(shown)}</span></div>')
        for it in spec.legend.get("items", []):
            label = it.get("label_en") if lang == "en" and it.get("label_en") else it["label"]
            sym = _line_svg(it.get("line", "#333"), it.get("dash"), fill=it.get("fill"))
            items.append(f'<div class="row">{sym}<span>{e(label)}</span></div>')
        if not items and spec.layer in present:
            sym = _shape_svg(spec.style.get("shape", "circle"), spec.style.get("fill_color", "#888"))
            items.append(f'<div class="row">{sym}<span>{e(spec.title_for(lang))}</span></div>')
        if items:
            parts.append(f"<h5>{e(spec.title_for(lang))}</h5>" + "".join(items))
    if extra:
        parts.append(extra)
    if note:
        parts.append(f'<div class="src">{e(note)}</div>')
    title = "Legend" if lang == "en" else "图例"
    return f"<details{' open' if open_ else ''}><summary>{title}</summary>{''.join(parts)}</details>"


def _num(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.2f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Overlay:
    """A township choropleth: values by township code, a label and a unit.

    Hashable (it is part of a map request, which is a cache key): ``values`` may be given as a dict or as
    (code, value) pairs and is kept as a tuple of pairs sorted by code, an empty value (NaN) as ``None``;
    :attr:`by_code` is the dict."""

    label: str
    unit: str
    values: tuple = ()
    k: int = 5

    def __post_init__(self) -> None:
        items = self.values.items() if isinstance(self.values, dict) else self.values
        pairs = tuple(sorted((c, None if v is None or (isinstance(v, float) and math.isnan(v)) else v)
                             for c, v in items))
        object.__setattr__(self, "values", pairs)

    @property
    def by_code(self) -> dict:
        """The values keyed by township code."""
        return dict(self.values)


def classify(values: list[float], k: int = 5) -> tuple[list[float], str]:
    """Upper bounds of up to ``k`` classes (Fisher-Jenks via mapclassify; fewer for few distinct values)."""
    import mapclassify

    arr = np.asarray([v for v in values if v is not None and not math.isnan(v)], dtype=float)
    distinct = np.unique(arr)
    if len(distinct) == 0:
        return [], "—"
    if len(distinct) <= k:
        return list(distinct), "唯一值"
    c = mapclassify.FisherJenks(arr, k=k)
    return [float(b) for b in c.bins], "自然断点法"


def choropleth(overlay: Overlay, townships, lang: str = "zh") -> tuple[dict, dict]:
    """Per-township fill colours and the legend description for an :class:`Overlay`."""
    by_code = overlay.by_code
    vals = [by_code.get(c) for c in townships["code"]]
    bins, scheme = classify([v for v in vals if v is not None], overlay.k)
    colors = CHORO_COLORS if len(bins) >= 5 else CHORO_COLORS[5 - len(bins):] if bins else ()
    extra, classes = {}, []
    lo = min((v for v in vals if v is not None), default=None)
    for i, b in enumerate(bins):
        classes.append((lo if i == 0 else bins[i - 1], b, colors[i]))
    colon = ": " if lang == "en" else "："
    for code, v in zip(townships["code"], vals):
        if v is None:
            extra[code] = {"_value_label": f"{overlay.label}{colon}{not_stated(lang)}"}
            continue
        idx = next(i for i, b in enumerate(bins) if v <= b + 1e-9)
        extra[code] = {"_fill": colors[idx], "_fill_opacity": 0.75,
                       "_value_label": f"{overlay.label}{colon}{_num(v)} {overlay.unit}"}
    legend = {"label": overlay.label, "unit": overlay.unit, "scheme": scheme, "classes": classes,
              "values": [(n, v) for n, v in zip(townships["name"], vals)]}
    return extra, legend


