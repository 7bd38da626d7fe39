"""Basemaps as data: what a map draws under its layers, read from a declarative file (no URL in code).

The online and intranet providers are listed in ``geodata/basemaps.toml`` (the model is ``xyzservices``: a
name, one or more URL templates, attribution, datum, maximum zoom, an optional key); an admin adds an intranet
tile server to the store's own ``providers.toml`` beside it (:mod:`xxgeo.basemaps.registry`), never to code.
A :class:`Basemap` is frozen and hashable, so it can be part of a :class:`~xxgeo.mapping.MapRequest`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..config import settings
from ..errors import ImportRefused

DATUMS = ("wgs84", "gcj02")
NONE = "none"
#: the words of the "no basemap" choice (works offline)
NONE_LABEL = ("无底图（离线）", "None (offline)")
KINDS = ("online", "intranet", "package")


@dataclass(frozen=True)
class TileSource:
    """One tile layer of a basemap: a URL template (``{z}``, ``{x}``, ``{y}``, ``{s}``) and its subdomains."""

    url: str
    subdomains: str = ""


@dataclass(frozen=True)
class Basemap:
    """A basemap: its tile layers (bottom first), words, datum and zoom range.

    ``kind``: "online" (the internet), "intranet" (a server an admin added) or "package" (tiles kept beside the
    store, served by the app or written beside an exported file). ``key``: the name of the key the URL needs
    ("tianditu": the settings' Tianditu key), ``None`` when none. ``min_native`` / ``max_native``: the zooms the
    tiles exist at (the map scales them beyond); ``bounds``: (west, south, east, north) in the basemap's datum,
    outside which no tile is asked for. ``embedded``: {"z/x/y": data URI} of an exported file that carries its
    tiles inside."""

    name: str
    label_zh: str
    label_en: str
    layers: tuple = ()
    attribution: str = ""
    attribution_en: str = ""
    datum: str = "wgs84"
    max_zoom: int = 18
    kind: str = "online"
    key: str | None = None
    min_native: int | None = None
    max_native: int | None = None
    bounds: tuple | None = None
    embedded: tuple = ()

    def label(self, lang: str = "zh") -> str:
        """The name people read, in ``lang``."""
        return self.label_en if lang == "en" else self.label_zh

    def credit(self, lang: str = "zh") -> str:
        """The attribution in ``lang`` (the Chinese one when no English is given)."""
        return self.attribution_en if lang == "en" and self.attribution_en else self.attribution

    @property
    def shifted(self) -> bool:
        """Whether the overlays are drawn shifted onto GCJ-02 (a 高德-derived basemap)."""
        return self.datum == "gcj02"

    def with_key(self, key: str | None) -> Basemap | None:
        """This basemap with ``{key}`` filled in; ``None`` when it needs a key and has none."""
        if not self.key:
            return self
        if not key:
            return None
        from dataclasses import replace

        return replace(self, layers=tuple(TileSource(t.url.replace("{key}", key), t.subdomains) for t in self.layers),
                       key=None)


def providers_file() -> Path:
    """The shipped list of providers (``geodata/basemaps.toml``)."""
    return settings().root / "geodata" / "basemaps.toml"


def parse_providers(text: str, *, kind: str = "online", origin: str = "basemaps.toml") -> dict[str, Basemap]:
    """{name: :class:`Basemap`} from the TOML text of a providers file; a malformed entry is refused in one
    sentence naming it."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ImportRefused(f"底图清单 {origin} 不是有效的 TOML：{exc}。",
                            english=f"The basemap list {origin} is not valid TOML: {exc}.") from None
    out = {}
    for name, d in raw.items():
        try:
            layers = tuple(TileSource(str(lyr["url"]), str(lyr.get("subdomains", ""))) for lyr in d["layers"])
            bm = Basemap(name=name, label_zh=str(d.get("name_zh") or name), label_en=str(d.get("name_en") or name),
                         layers=layers, attribution=str(d.get("attribution", "")),
                         attribution_en=str(d.get("attribution_en", "")), datum=str(d.get("datum", "wgs84")),
                         max_zoom=int(d.get("max_zoom", 18)), kind=str(d.get("kind", kind)), key=d.get("key") or None)
        except (KeyError, TypeError, ValueError, AttributeError):
            bm = None
        if bm is None or not layers or bm.datum not in DATUMS or name == NONE:
            raise ImportRefused(f"底图清单 {origin} 中的“{name}”不完整：需要 layers（含 url），"
                                "datum 为 wgs84 或 gcj02。",
                                english=f"“{name}” in the basemap list {origin} is incomplete: it needs layers "
                                        "(each with a url) and a datum of wgs84 or gcj02.")
        out[name] = bm
    return out


def shipped_providers() -> dict[str, Basemap]:
    """The providers of ``geodata/basemaps.toml``, in file order."""
    path = providers_file()
    return parse_providers(path.read_text(encoding="utf-8"), origin=path.name) if path.is_file() else {}


def provider(name: str) -> Basemap | None:
    """The shipped provider ``name`` (``None`` for "none"); an unknown name raises ``ValueError``."""
    if name == NONE:
        return None
    found = shipped_providers().get(name)
    if found is None:
        raise ValueError(f"unknown basemap {name!r} (one of {', '.join([NONE, *shipped_providers()])})")
    return found
