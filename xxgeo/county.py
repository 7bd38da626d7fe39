"""The county profile: which county this deployment serves, read at run time from ``geodata/county.toml``.

No module of xxgeo names the county: its code, its names in both languages, the patterns of its township
and village codes, the plan its default dataset comes from and the files that dataset is built from are
data (``XXGEO_COUNTY`` selects another profile, e.g. a made-up county in the tests).
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .config import settings
from .errors import StoreError


@dataclass(frozen=True)
class County:
    """One county profile (see ``geodata/county.toml`` for the meaning of each field)."""

    code: str
    name: str
    name_en: str
    full_name: str
    full_name_en: str
    app_title: str
    app_title_en: str
    plan_title: str
    plan_title_en: str
    township_code_pattern: str
    village_code_pattern: str
    folder: Path
    files: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    def path(self, key: str) -> Path:
        """A file the profile names (``files.KEY``), relative to the profile's folder."""
        try:
            return self.folder / self.files[key]
        except KeyError:
            raise StoreError(f"县域配置 {self.folder} 未给出文件“{key}”（[files] {key} = ...）。",
                             english=f"The county profile {self.folder} names no file “{key}” ([files] {key} = "
                                     "...).") from None

    @property
    def sources(self) -> Path:
        """The folder of the default dataset's reviewable sources."""
        return self.path("sources")

    def is_township_code(self, code: str) -> bool:
        """True when ``code`` is one of this county's 9-digit township codes (by pattern)."""
        return re.fullmatch(self.township_code_pattern.strip("^$"), str(code or "")) is not None

    def title(self, lang: str = "zh") -> str:
        """The app's title in ``lang``."""
        return self.app_title_en if lang == "en" else self.app_title

    def label(self, lang: str = "zh") -> str:
        """The county's name in ``lang``."""
        return self.name_en if lang == "en" else self.name

    def pattern(self, kind: str) -> str:
        """The regex a code of ``kind`` (``county``, ``township`` or ``village``) must match."""
        if kind == "county":
            return f"^{re.escape(self.code)}$"
        return {"township": self.township_code_pattern, "village": self.village_code_pattern}[kind]

    def setting(self, key: str, default=None):
        """A further key of the profile (``crs_hint``, ``[indicator_tables]``, ``[glossary]`` …), else ``default``."""
        return self.extra.get(key, default)

    def outline_bounds(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) in degrees of the outline file (``files.outline``): where "near the
        county" is judged when a file's coordinate system is guessed."""
        return _bounds(str(self.path("outline")))


_KEYS = ("code", "name", "name_en", "full_name", "full_name_en", "app_title", "app_title_en", "plan_title",
         "plan_title_en", "township_code_pattern", "village_code_pattern")


def _coords(obj):
    if isinstance(obj, (int, float)):
        return
    if obj and isinstance(obj[0], (int, float)):
        yield obj[0], obj[1]
        return
    for part in obj:
        yield from _coords(part)


@lru_cache(maxsize=8)
def _bounds(path: str) -> tuple[float, float, float, float]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StoreError(f"找不到县界文件 {path}（县域配置 [files] outline）。",
                         english=f"County outline file {path} not found (county profile [files] outline).") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise StoreError(f"县界文件 {Path(path).name} 不是有效的 GeoJSON：{exc}。",
                         english=f"The county outline file {Path(path).name} is not valid GeoJSON: {exc}.") from None
    feats = data.get("features", [data]) if isinstance(data, dict) else []
    xy = [c for f in feats for c in _coords((f.get("geometry") or f).get("coordinates") or [])]
    if not xy:
        raise StoreError(f"县界文件 {Path(path).name} 中没有坐标。",
                         english=f"The county outline file {Path(path).name} has no coordinates.")
    xs, ys = [c[0] for c in xy], [c[1] for c in xy]
    return min(xs), min(ys), max(xs), max(ys)


@lru_cache(maxsize=8)
def load_county(path: str) -> County:
    """Read the profile at ``path`` (a ``county.toml``); one clear sentence when it is missing or incomplete."""
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StoreError(f"找不到县域配置文件 {p}（XXGEO_COUNTY 或 geodata/county.toml）。",
                         english=f"County profile {p} not found (XXGEO_COUNTY or geodata/county.toml).") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise StoreError(f"县域配置文件 {p.name} 格式有误：{exc}。",
                         english=f"The county profile {p.name} is malformed: {exc}.") from None
    missing = [k for k in _KEYS if not str(data.get(k) or "").strip()]
    if missing:
        raise StoreError(f"县域配置文件 {p.name} 缺少：{'、'.join(missing)}。",
                         english=f"The county profile {p.name} lacks: {', '.join(missing)}.")
    extra = {k: v for k, v in data.items() if k not in _KEYS and k != "files"}
    return County(**{k: str(data[k]) for k in _KEYS}, folder=p.parent, files=dict(data.get("files", {})),
                  extra=extra)


def county() -> County:
    """The county profile in force (``XXGEO_COUNTY`` or ``geodata/county.toml``)."""
    return load_county(str(settings().county_profile))
