"""Load the declarative layer specs in ``layers/*.toml`` (style, popup/tooltip fields, legend, audience, behaviour).

Every key a spec may carry is listed here; an unknown key (a typo such as ``fast_abve``) is refused with a
sentence naming the file and the key, never silently ignored. ``[behaviour]`` says how a layer is drawn (see
layers/README.md); it never says who sees it: that is ``audience``, which may only name known roles.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path

from .config import settings
from .errors import ValidationFailed
from .policy import PUBLIC_FIELDS
from .schema import LAYERS, ROLES

#: the layers/ folder of this checkout (``settings().layers_dir``)
LAYER_DIR = settings().layers_dir

TOP_KEYS = frozenset({"layer", "title", "title_en", "order", "default_on", "audience", "interactive", "tooltip",
                      "popup", "style", "classes", "class_field", "label_field", "legend", "behaviour"})
#: request fields a layer may be highlighted by (``highlight_param``) -> the MapRequest field holding the id
HIGHLIGHT_PARAMS = {"township": "highlight_township", "park": "highlight_park", "project": "highlight_project"}
#: what a layer drawn only on request (``on_request``) waits for -> the MapRequest field that asks for it
ON_REQUEST = {"villages": "show_villages", "constraints": "constraint_tiles"}
SIMPLIFY_MODES = ("coverage",)


@dataclass(frozen=True)
class Behaviour:
    """How one layer is drawn, declared in its ``[behaviour]`` table (every key optional, all off by default)."""

    #: above this many drawn features the layer is sent compactly and drawn on one canvas (point layers)
    fast_above: int | None = None
    #: "coverage": polygons that tile an area are simplified together for display (shared edges stay shared)
    simplify: str | None = None
    simplify_tolerance: float = 0.0002  # degrees, ~20 m
    simplify_above: int = 5000  # vertices in the whole layer before it is simplified
    #: which request id highlights (and frames) one feature: "township", "park" or "project"
    highlight_param: str | None = None
    #: the highlighted feature's popup is open when the map is drawn (a project picked from a table)
    highlight_popup: bool = False
    #: drawn only when the request asks for it ("villages": ``MapRequest.show_villages``)
    on_request: str | None = None
    #: the township choropleth (``MapRequest.overlay``) colours this layer's features
    choropleth: bool = False
    #: features whose ``loc_precision`` is not "surveyed" carry their precision label into the tooltip
    precision_label: bool = False
    #: listed in the layer control (and legend) even when no feature is drawn, e.g. when the filter leaves none
    keep_empty: bool = False
    #: polygons are labelled with their number within their park (1, 2, …; :func:`xxgeo.parcels.numbers`), the
    #: numbers the cards and the brochure use
    numbered: bool = False
    #: features known only to an area (not a precise ``loc_precision``: :mod:`xxgeo.quality`) are not drawn as
    #: pins but counted, one symbol per township / park / village / the county, opening their list
    #: (:mod:`xxgeo.mapping.areas`; the project layer, the one the map request filters)
    area_counts: bool = False
    #: drawn from image tiles rendered on the server (``MapRequest.constraint_tiles``), never sent as features
    image_tiles: bool = False


@dataclass(frozen=True)
class FieldSpec:
    """A field shown in a tooltip or popup, with its Chinese label and unit."""

    name: str
    label: str
    unit: str = ""


@dataclass(frozen=True)
class LayerSpec:
    """One map layer as declared in ``layers/<name>.toml``."""

    layer: str
    title: str
    title_en: str
    order: int
    default_on: bool
    audience: tuple
    tooltip: tuple
    popup: tuple
    style: dict
    classes: dict = field(default_factory=dict)
    class_field: str | None = None
    label_field: str | None = None
    legend: dict = field(default_factory=dict)
    interactive: bool = True
    behaviour: Behaviour = field(default_factory=Behaviour)

    def title_for(self, lang: str) -> str:
        """The layer's title in ``lang`` ("en" or Chinese)."""
        return self.title_en if lang == "en" else self.title

    def visible_to(self, role: str) -> bool:
        """Whether ``role`` is in the layer's audience."""
        return role in self.audience


def _field_spec(layer: str, name: str) -> FieldSpec:
    lay = LAYERS[layer]
    try:
        f = lay.field(name)
        return FieldSpec(name, f.label or name, f.unit)
    except KeyError:
        return FieldSpec(name, name)


def _refuse(where: str, zh: str, en: str) -> ValidationFailed:
    return ValidationFailed(f"图层配置 {where}：{zh}", [zh], english=f"Layer spec {where}: {en}")


_KINDS = {"fast_above": int, "simplify": str, "simplify_tolerance": float, "simplify_above": int,
          "highlight_param": str, "highlight_popup": bool,
          "on_request": str, "choropleth": bool, "precision_label": bool, "keep_empty": bool, "numbered": bool,
          "area_counts": bool, "image_tiles": bool}
_CHOICES = {"simplify": SIMPLIFY_MODES, "highlight_param": tuple(HIGHLIGHT_PARAMS), "on_request": tuple(ON_REQUEST)}


def parse_behaviour(data: dict, layer: str, where: str = "") -> Behaviour:
    """A :class:`Behaviour` from a spec's ``[behaviour]`` table; unknown keys, wrong types and unknown
    choices are refused (:class:`~xxgeo.errors.ValidationFailed`)."""
    where = where or layer
    known = {f.name for f in fields(Behaviour)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise _refuse(where, f"[behaviour] 中有未知的键 {'、'.join(unknown)}；可用的键：{'、'.join(sorted(known))}。",
                      f"unknown [behaviour] key(s) {', '.join(unknown)}; known keys: {', '.join(sorted(known))}.")
    for key, value in data.items():
        kind = _KINDS[key]
        ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
        if kind is float:
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if not ok:
            raise _refuse(where, f"[behaviour] {key} 应为 {kind.__name__}，实为 {value!r}。",
                          f"[behaviour] {key} must be a {kind.__name__}, not {value!r}.")
        if key in _CHOICES and value not in _CHOICES[key]:
            raise _refuse(where, f"[behaviour] {key} 只能是 {'、'.join(_CHOICES[key])}，实为 {value!r}。",
                          f"[behaviour] {key} must be one of {', '.join(_CHOICES[key])}, not {value!r}.")
    if data.get("fast_above") is not None and data["fast_above"] < 0:
        raise _refuse(where, "[behaviour] fast_above 不能为负数。", "[behaviour] fast_above must not be negative.")
    vals = dict(data)
    if "simplify_tolerance" in vals:
        vals["simplify_tolerance"] = float(vals["simplify_tolerance"])
    return Behaviour(**vals)


def parse_spec(data: dict, where: str = "") -> LayerSpec:
    """Build a :class:`LayerSpec` from the parsed TOML of one layer file (``where``: its name, for messages)."""
    layer = data.get("layer")
    where = where or str(layer)
    if layer not in LAYERS:
        raise _refuse(where, f"图层 {layer!r} 不是数据库中的图层。", f"layer {layer!r} is not a store layer.")
    unknown = sorted(set(data) - TOP_KEYS)
    if unknown:
        raise _refuse(where, f"未知的键 {'、'.join(unknown)}。", f"unknown key(s) {', '.join(unknown)}.")
    audience = tuple(data.get("audience", ("editor", "admin")))
    bad = [r for r in audience if r not in ROLES]
    if bad:
        raise _refuse(where, f"audience 中有未知角色 {'、'.join(map(str, bad))}；角色只能是 {'、'.join(ROLES)}。",
                      f"unknown role(s) in audience: {', '.join(map(str, bad))}; roles are {', '.join(ROLES)}.")
    if "public" in audience and layer not in PUBLIC_FIELDS:  # a spec narrows what the policy allows, never widens
        raise _refuse(where, f"图层 {layer} 是内部数据（xxgeo/policy.py 未列为公开），audience 不能包含 public。",
                      f"layer {layer} is internal (not public in xxgeo/policy.py); its audience cannot include public.")
    return LayerSpec(
        layer=layer, title=data["title"], title_en=data.get("title_en", data["title"]),
        order=int(data.get("order", 100)), default_on=bool(data.get("default_on", True)),
        audience=audience,
        tooltip=tuple(_field_spec(layer, n) for n in data.get("tooltip", [])),
        popup=tuple(_field_spec(layer, n) for n in data.get("popup", [])),
        style=dict(data.get("style", {})), classes=dict(data.get("classes", {})),
        class_field=data.get("class_field"), label_field=data.get("label_field"),
        legend=dict(data.get("legend", {})), interactive=bool(data.get("interactive", True)),
        behaviour=parse_behaviour(dict(data.get("behaviour", {})), layer, where),
    )


@lru_cache(maxsize=4)
def load_specs(directory: str | None = None) -> dict:
    """All specs in ``layers/`` (or ``directory``) keyed by store layer name, in draw order."""
    d = Path(directory) if directory else LAYER_DIR
    specs = [parse_spec(tomllib.loads(p.read_text(encoding="utf-8")), p.name) for p in sorted(d.glob("*.toml"))]
    return {s.layer: s for s in sorted(specs, key=lambda s: s.order)}
