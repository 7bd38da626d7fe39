"""Load the declarative layer specs in ``layers/*.toml`` (style, popup/tooltip fields, legend, audience)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .schema import LAYERS

LAYER_DIR = Path(__file__).resolve().parent.parent / "layers"


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

    def title_for(self, lang: str) -> str:
        return self.title_en if lang == "en" else self.title

    def visible_to(self, role: str) -> bool:
        return role in self.audience


def _field_spec(layer: str, name: str) -> FieldSpec:
    lay = LAYERS[layer]
    try:
        f = lay.field(name)
        return FieldSpec(name, f.label or name, f.unit)
    except KeyError:
        return FieldSpec(name, name)


def parse_spec(data: dict) -> LayerSpec:
    """Build a :class:`LayerSpec` from the parsed TOML of one layer file."""
    layer = data["layer"]
    if layer not in LAYERS:
        raise ValueError(f"layer spec names unknown store layer {layer!r}")
    return LayerSpec(
        layer=layer, title=data["title"], title_en=data.get("title_en", data["title"]),
        order=int(data.get("order", 100)), default_on=bool(data.get("default_on", True)),
        audience=tuple(data.get("audience", ("editor", "admin"))),
        tooltip=tuple(_field_spec(layer, n) for n in data.get("tooltip", [])),
        popup=tuple(_field_spec(layer, n) for n in data.get("popup", [])),
        style=dict(data.get("style", {})), classes=dict(data.get("classes", {})),
        class_field=data.get("class_field"), label_field=data.get("label_field"),
        legend=dict(data.get("legend", {})), interactive=bool(data.get("interactive", True)),
    )


@lru_cache(maxsize=4)
def load_specs(directory: str | None = None) -> dict:
    """All specs in ``layers/`` keyed by store layer name, in draw order."""
    d = Path(directory) if directory else LAYER_DIR
    specs = [parse_spec(tomllib.loads(p.read_text(encoding="utf-8"))) for p in sorted(d.glob("*.toml"))]
    return {s.layer: s for s in sorted(specs, key=lambda s: s.order)}
