"""One settings object, read once per environment: every environment variable xxgeo honours is read here.

``settings()`` returns a frozen :class:`Settings`; it is rebuilt only when one of the variables it reads has
changed (tests and the CLI set ``XXGEO_STORE`` and friends before a call), so callers never read
``os.environ`` themselves.

=========================  ==================================================================  ===========
variable                   meaning                                                             default
=========================  ==================================================================  ===========
``XXGEO_STORE``            the store: a ``.gpkg`` path or a ``postgresql://`` URL               geodata/build/xxgeo.gpkg
``XXGEO_COUNTY``           the county profile (a ``county.toml``)                               geodata/county.toml
``XXGEO_USER``             who the command line and the single-user app act as                 ``planner``
``XXGEO_LANG``             ``en`` shows the command line's messages (and errors) in English     ``zh``
``XXGEO_AUTH``             ``required`` forces sign-in even on a GeoPackage without accounts    (off)
``XXGEO_SESSION_IDLE_MIN`` minutes without a page action before a session ends                  60
``XXGEO_SESSION_MAX_HOURS`` hours after sign-in before a session ends                           12
``XXGEO_CJK_FONT``         a TrueType/OpenType font (``path[#index]``) for PDFs and figures     (searched)
``XXGEO_FONT_CACHE``       folder for TrueType copies of CFF fonts (Noto CJK, Source Han)        ~/.cache/xxgeo/fonts
``TIANDITU_KEY``           the 天地图 key for the online basemap                               (none)
``XXGEO_CHROMIUM``         the Chromium binary for the benchmark and browser tests             /usr/bin/chromium
``XXGEO_MAX_ROWS``         table rows one import may hold                                       500000
``XXGEO_MAX_FEATURES``     features one imported layer (GeoPackage/GeoJSON/KML/Shapefile) may hold  500000
``XXGEO_MAX_COLUMNS``      columns (fields) of an imported table or layer                       200
``XXGEO_MAX_CELL_CHARS``   characters in one text cell (WKT geometry cells: the line limit)     32767
``XXGEO_MAX_LINE_CHARS``   characters in one line of a CSV/text table (and one WKT cell)        8388608
``XXGEO_MAX_NESTING``      nesting depth of GeoJSON brackets, KML elements, WKT parentheses      64
``XXGEO_MAX_UNPACKED_MB``  total uncompressed size of an archive (.zip/.kmz/.xlsx), MB          200
``XXGEO_WORKER_MEMORY_MB`` address space of the process that parses an imported file, MB         3072
``XXGEO_WORKER_CPU_S``     CPU seconds that process may use                                     120
``XXGEO_WORKER_WALL_S``    seconds (wall clock) before that process is stopped                  180
``XXGEO_WORKER_OUTPUT_MB`` size of what it hands back (the parsed table), MB                    512
``XXGEO_KIOSK``            ``investor``: the app is the investor page only (projector laptop)  (off)
``XXGEO_BASEMAPS``         the folder of the store's basemap packages (docs/BASEMAPS.md)        <store>.basemaps
=========================  ==================================================================  ===========

The import limits are sized for a county bureau: 500,000 rows is several times every layer the bureau keeps
(a county has some thousand projects, villages and sites); 200 columns is far past any real table (the widest
layer has some 25 fields); 32,767 characters is Excel's own ceiling for one cell, so any cell written by Excel or
WPS fits; 64 levels of nesting is ten times what a MultiPolygon needs; 200 MB unpacked matches the 200 MB file
ceiling. A file past a limit is refused at once with a sentence naming the limit and its variable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

#: the repository root (the folder holding app.py, layers/, static/ and geodata/)
ROOT = Path(__file__).resolve().parent.parent

_VARS = ("XXGEO_STORE", "XXGEO_COUNTY", "XXGEO_USER", "XXGEO_LANG", "XXGEO_AUTH", "XXGEO_SESSION_IDLE_MIN",
         "XXGEO_SESSION_MAX_HOURS", "XXGEO_CJK_FONT", "TIANDITU_KEY", "XXGEO_CHROMIUM", "XXGEO_MAX_ROWS",
         "XXGEO_MAX_FEATURES", "XXGEO_MAX_COLUMNS", "XXGEO_MAX_CELL_CHARS", "XXGEO_MAX_LINE_CHARS", "XXGEO_MAX_NESTING",
         "XXGEO_MAX_UNPACKED_MB", "XXGEO_WORKER_MEMORY_MB", "XXGEO_WORKER_CPU_S", "XXGEO_WORKER_WALL_S",
         "XXGEO_WORKER_OUTPUT_MB", "XXGEO_KIOSK", "XXGEO_PHOTO_MAX_MB", "XXGEO_PHOTO_STORE_MB", "XXGEO_BASEMAPS",
         "XXGEO_FONT_CACHE")


@dataclass(frozen=True)
class ImportLimits:
    """The ceilings an imported file must stay under (``XXGEO_MAX_*``, ``XXGEO_WORKER_*``); each refusal names
    the limit and its variable."""

    rows: int = 500_000
    features: int = 500_000
    columns: int = 200
    cell_chars: int = 32_767
    line_chars: int = 8 * 1024 * 1024
    nesting: int = 64
    unpacked_bytes: int = 200 * 1024 * 1024
    memory_bytes: int = 3072 * 1024 * 1024
    cpu_s: int = 120
    wall_s: float = 180.0
    output_bytes: int = 512 * 1024 * 1024


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with the defaults in force."""

    store: str
    county_profile: Path
    default_user: str
    lang: str
    auth_required: bool
    session_idle_s: float
    session_max_s: float
    cjk_font: str
    tianditu_key: str | None
    chromium: str
    import_limits: ImportLimits = None  # type: ignore[assignment]  # always set by from_env
    #: "investor": the app shows only the investor view, with no navigation, sign-in or internal links (the
    #: bureau's projector laptop); "" (default): the whole app (``?view=investor&kiosk=1`` still gives one page)
    kiosk: str = ""
    #: the largest photo a user may upload, and all photos of a store together (``XXGEO_PHOTO_MAX_MB``,
    #: ``XXGEO_PHOTO_STORE_MB``)
    photo_max_bytes: int = 15 * 1024 * 1024
    photo_store_max_bytes: int = 2048 * 1024 * 1024
    #: the folder of the store's basemap packages (``XXGEO_BASEMAPS``; "" = ``<store>.basemaps`` beside it)
    basemap_dir: str = ""
    #: where a CFF-outline Chinese font (Noto Sans CJK, Source Han Sans) is kept as a TrueType copy PDFs can embed
    font_cache: Path = Path.home() / ".cache" / "xxgeo" / "fonts"
    root: Path = ROOT
    layers_dir: Path = ROOT / "layers"
    static_dir: Path = ROOT / "static"
    sources_dir: Path = ROOT / "geodata" / "sources"

    @property
    def default_store(self) -> str:
        """The built store's default path (what ``make run`` builds)."""
        return str(self.root / "geodata" / "build" / "xxgeo.gpkg")


def _float(raw: str | None, default: float) -> float:
    try:
        return float(raw) if raw not in (None, "") else default
    except ValueError:
        return default


def _int(raw: str | None, default: int, scale: int = 1) -> int:
    value = _float(raw, default / scale)
    return max(1, int(value * scale))


def limits_from_env(env: dict) -> ImportLimits:
    """The import limits from a mapping of environment variables (pure)."""
    mb = 1024 * 1024
    d = ImportLimits()
    return ImportLimits(
        rows=_int(env.get("XXGEO_MAX_ROWS"), d.rows), features=_int(env.get("XXGEO_MAX_FEATURES"), d.features),
        columns=_int(env.get("XXGEO_MAX_COLUMNS"), d.columns),
        cell_chars=_int(env.get("XXGEO_MAX_CELL_CHARS"), d.cell_chars),
        line_chars=_int(env.get("XXGEO_MAX_LINE_CHARS"), d.line_chars),
        nesting=_int(env.get("XXGEO_MAX_NESTING"), d.nesting),
        unpacked_bytes=_int(env.get("XXGEO_MAX_UNPACKED_MB"), d.unpacked_bytes, mb),
        memory_bytes=_int(env.get("XXGEO_WORKER_MEMORY_MB"), d.memory_bytes, mb),
        cpu_s=_int(env.get("XXGEO_WORKER_CPU_S"), d.cpu_s),
        wall_s=_float(env.get("XXGEO_WORKER_WALL_S"), d.wall_s),
        output_bytes=_int(env.get("XXGEO_WORKER_OUTPUT_MB"), d.output_bytes, mb),
    )


def from_env(env: dict) -> Settings:
    """Settings from a mapping of environment variables (pure; :func:`settings` caches it)."""
    return Settings(
        store=env.get("XXGEO_STORE") or str(ROOT / "geodata" / "build" / "xxgeo.gpkg"),
        county_profile=Path(env.get("XXGEO_COUNTY") or ROOT / "geodata" / "county.toml"),
        default_user=env.get("XXGEO_USER") or "planner",
        lang="en" if (env.get("XXGEO_LANG") or "").lower().startswith("en") else "zh",
        auth_required=(env.get("XXGEO_AUTH") or "").lower() in ("required", "on", "1"),
        session_idle_s=_float(env.get("XXGEO_SESSION_IDLE_MIN"), 60) * 60,
        session_max_s=_float(env.get("XXGEO_SESSION_MAX_HOURS"), 12) * 3600,
        cjk_font=env.get("XXGEO_CJK_FONT") or "",
        tianditu_key=env.get("TIANDITU_KEY") or None,
        chromium=env.get("XXGEO_CHROMIUM") or "/usr/bin/chromium",
        import_limits=limits_from_env(env),
        photo_max_bytes=_int(env.get("XXGEO_PHOTO_MAX_MB"), Settings.photo_max_bytes, 1024 * 1024),
        photo_store_max_bytes=_int(env.get("XXGEO_PHOTO_STORE_MB"), Settings.photo_store_max_bytes, 1024 * 1024),
        basemap_dir=env.get("XXGEO_BASEMAPS") or "",
        font_cache=Path(env["XXGEO_FONT_CACHE"]) if env.get("XXGEO_FONT_CACHE") else Settings.font_cache,
        kiosk="investor" if (env.get("XXGEO_KIOSK") or "").strip().lower() in ("investor", "招商", "1", "on") else "",
    )


@lru_cache(maxsize=8)
def _cached(snapshot: tuple) -> Settings:
    return from_env(dict(snapshot))


def settings() -> Settings:
    """The settings in force (read once for each state of the variables above)."""
    return _cached(tuple((k, os.environ[k]) for k in _VARS if k in os.environ))
