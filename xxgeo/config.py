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
``TIANDITU_KEY``           the 天地图 key for the online basemap                               (none)
``XXGEO_CHROMIUM``         the Chromium binary for the benchmark and browser tests             /usr/bin/chromium
``XXGEO_KIOSK``            ``investor``: the app is the investor page only (projector laptop)  (off)
=========================  ==================================================================  ===========
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

#: the repository root (the folder holding app.py, layers/, static/ and geodata/)
ROOT = Path(__file__).resolve().parent.parent

_VARS = ("XXGEO_STORE", "XXGEO_COUNTY", "XXGEO_USER", "XXGEO_LANG", "XXGEO_AUTH", "XXGEO_SESSION_IDLE_MIN",
         "XXGEO_SESSION_MAX_HOURS", "XXGEO_CJK_FONT", "TIANDITU_KEY", "XXGEO_CHROMIUM",
         "XXGEO_KIOSK")


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
    #: "investor": the app shows only the investor view, with no navigation, sign-in or internal links (the
    #: bureau's projector laptop); "" (default): the whole app (``?view=investor&kiosk=1`` still gives one page)
    kiosk: str = ""
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
        kiosk="investor" if (env.get("XXGEO_KIOSK") or "").strip().lower() in ("investor", "招商", "1", "on") else "",
    )


@lru_cache(maxsize=8)
def _cached(snapshot: tuple) -> Settings:
    return from_env(dict(snapshot))


def settings() -> Settings:
    """The settings in force (read once for each state of the variables above)."""
    return _cached(tuple((k, os.environ[k]) for k in _VARS if k in os.environ))
