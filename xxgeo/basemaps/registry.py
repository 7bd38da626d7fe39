"""The basemap packages of one store, kept beside it (``<store>.basemaps/``; never in git).

Layout: ``index.json`` ({"default": name | null, "packages": {name: entry}}, with ``index.json.bak`` of the
previous state), one folder per package named by a random token holding its tiles as ``z/x/y.ext`` (unpacked
at ``add``: Streamlit serves static files of at most 200 MB each, so a package is never served as one file),
and ``providers.toml``: the intranet tile servers an admin added (same format as ``geodata/basemaps.toml``).
Adding unpacks into a hidden temporary folder and renames it into place only when every tile was read; a
refused file leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import re
import secrets
import shutil
import tomllib
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..config import settings
from ..errors import ImportRefused, NotFound
from ..files import write_atomic
from . import formats
from .providers import DATUMS, NONE, Basemap, TileSource, parse_providers, shipped_providers

INDEX = "index.json"
PROVIDERS = "providers.toml"
PROGRESS_EVERY = 5000
_NAME = re.compile(r"^[\w.\-]{1,40}$")


@dataclass(frozen=True)
class Package:
    """One added package (an ``index.json`` entry)."""

    name: str
    token: str
    format: str
    datum: str
    ext: str
    min_zoom: int
    max_zoom: int
    bounds: tuple  # west, south, east, north (degrees, in the package's datum)
    tiles: int
    bytes: int
    source: str  # the file name it was added from
    added_at: str  # UTC, ISO 8601
    hillshade: bool = False


def registry_dir(store_location: str | None = None) -> Path:
    """Where the packages of a store are kept: ``XXGEO_BASEMAPS``, else ``<store>.basemaps`` beside a file store,
    else (a database URL) a folder per database under ``geodata/build/basemaps``."""
    cfg = settings()
    if cfg.basemap_dir:
        return Path(cfg.basemap_dir)
    loc = store_location or cfg.store
    if "://" in loc:
        safe = re.sub(r"^([a-z][a-z0-9+.-]*://)[^@/]*@", r"\1", loc, flags=re.IGNORECASE)
        return cfg.root / "geodata" / "build" / "basemaps" / hashlib.sha256(safe.encode()).hexdigest()[:16]
    return Path(f"{loc}.basemaps")


def _tile_lonlat(x: float, y: float, z: int) -> tuple[float, float]:
    n = 2 ** z
    return x / n * 360.0 - 180.0, math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))


class Registry:
    """The packages and intranet providers beside one store."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    # ------------------------------------------------------------------------------------------------ reading
    def _index(self) -> dict:
        path = self.root / INDEX
        if not path.is_file():
            return {"default": None, "packages": {}}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise ImportRefused(f"底图包目录 {path} 已损坏：可用同目录的 {INDEX}.bak 恢复。",
                                english=f"The basemap index {path} is damaged; restore it from {INDEX}.bak.") from None
        return {"default": data.get("default"), "packages": dict(data.get("packages") or {})}

    def packages(self) -> list[Package]:
        """The added packages, by name."""
        return [Package(**{**e, "bounds": tuple(e["bounds"])}) for _, e in sorted(self._index()["packages"].items())]

    def get(self, name: str) -> Package | None:
        """The package ``name``, or ``None``."""
        return next((p for p in self.packages() if p.name == name), None)

    @property
    def default(self) -> str | None:
        """The basemap this store's maps start with (``None``: no basemap)."""
        return self._index()["default"]

    def tiles_dir(self, pkg: Package) -> Path:
        """The folder holding the package's ``z/x/y.ext`` files."""
        return self.root / pkg.token

    def intranet(self) -> dict[str, Basemap]:
        """The intranet providers an admin added (``providers.toml`` beside the store)."""
        path = self.root / PROVIDERS
        if not path.is_file():
            return {}
        return parse_providers(path.read_text(encoding="utf-8"), kind="intranet", origin=str(path))

    # ------------------------------------------------------------------------------------------------ writing
    def _write_index(self, data: dict) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / INDEX
        if path.is_file():
            shutil.copy2(path, self.root / f"{INDEX}.bak")
        write_atomic(path, json.dumps(data, ensure_ascii=False, indent=1))

    def _check_new_name(self, name: str) -> None:
        if not _NAME.match(name) or name == NONE:
            raise ImportRefused(f"底图名称“{name}”不可用：请用 1–40 个汉字、字母、数字、点、横线或下划线。",
                                english=f"The basemap name “{name}” cannot be used: use 1–40 letters, digits, "
                                        "dots, hyphens or underscores.")
        if name in shipped_providers() or name in self.intranet() or self.get(name) is not None:
            raise ImportRefused(f"已经有名为“{name}”的底图：请用 --name 另起一个名称，或先 basemap remove {name}。",
                                english=f"A basemap named “{name}” exists already: give another with --name, or "
                                        f"run basemap remove {name} first.")

    def add(self, file: str | Path, *, name: str | None = None, datum: str = "wgs84", tms: bool | None = None,
            render: str = "auto", progress=None) -> Package:
        """Unpack the package ``file`` (format from its bytes) under a new name; refused in one sentence, with
        nothing left behind, when it is not a raster tile package. ``tms``: the rows of a z/x/y folder run
        bottom-up (``None``: as its ``tilemapresource.xml`` says). ``render``: a GeoTIFF as "image" or
        "hillshade" ("auto": a DEM is shaded). ``progress(n)``: called every :data:`PROGRESS_EVERY` tiles."""
        src = Path(file)
        name = name or re.sub(r"[^\w.\-]", "_", src.stem)[:40] or "basemap"
        if datum not in DATUMS:
            raise ImportRefused(f"坐标基准“{datum}”不可用：请用 wgs84 或 gcj02。",
                                english=f"The datum “{datum}” is not known: use wgs84 or gcj02.")
        self._check_new_name(name)
        fmt = formats.detect(src)
        if fmt == "geotiff":
            from .geotiff import geotiff_tiles

            tiles = geotiff_tiles(src, render)
        else:
            reader = {"mbtiles": formats.mbtiles_tiles, "pmtiles": formats.pmtiles_tiles}.get(fmt)
            unzip = formats.zip_tiles if fmt == "zip" else formats.folder_tiles
            tiles = reader(src) if reader else unzip(src, tms=tms)
        self.root.mkdir(parents=True, exist_ok=True)
        token = secrets.token_urlsafe(18)
        tmp = self.root / f".tmp-{token}"
        try:
            pkg = self._unpack(src, tiles, tmp, name=name, token=token, fmt=fmt, datum=datum, render=render,
                               progress=progress)
            with self._locked():  # another add may have taken the name meanwhile
                self._check_new_name(name)
                tmp.rename(self.root / token)
                data = self._index()
                data["packages"][name] = asdict(pkg)
                self._write_index(data)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return pkg

    @contextlib.contextmanager
    def _locked(self):
        """One writer of the index at a time (an advisory lock on ``.lock``; none where the system has none)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a+b") as fh:
            try:
                import fcntl
            except ImportError:  # Windows: adds are rare and made by one admin
                yield
                return
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _unpack(self, src: Path, tiles, tmp: Path, **meta) -> Package:
        ext, count, size, extent = None, 0, 0, {}
        for z, x, y, data in tiles:
            ext = ext or formats.image_ext(data)
            d = tmp / str(z) / str(x)
            d.mkdir(parents=True, exist_ok=True)
            (d / f"{y}.{ext}").write_bytes(data)
            count, size = count + 1, size + len(data)
            if meta["progress"] is not None and count % PROGRESS_EVERY == 0:
                meta["progress"](count)
            e = extent.setdefault(z, [x, y, x, y])
            extent[z] = [min(e[0], x), min(e[1], y), max(e[2], x), max(e[3], y)]
        if not count:
            raise formats.refuse(src, "其中没有任何栅格瓦片。", "it holds no raster tile.")
        zmax = max(extent)
        x0, y0, x1, y1 = extent[zmax]
        w, n = _tile_lonlat(x0, y0, zmax)
        e, s = _tile_lonlat(x1 + 1, y1 + 1, zmax)
        if meta["fmt"] == "geotiff":
            from .geotiff import shaded

            hill = shaded(src, meta["render"])
        else:
            hill = False
        return Package(name=meta["name"], token=meta["token"], format=meta["fmt"], datum=meta["datum"], ext=ext,
                       min_zoom=min(extent), max_zoom=zmax, bounds=(round(w, 7), round(s, 7), round(e, 7), round(n, 7)),
                       tiles=count, bytes=size, source=src.name, hillshade=hill,
                       added_at=datetime.now(UTC).isoformat(timespec="seconds"))

    def remove(self, name: str) -> Package:
        """Remove the package ``name`` (its tiles, and its copy served by the app)."""
        with self._locked():
            pkg = self.get(name)
            if pkg is None:
                raise NotFound(f"没有名为“{name}”的底图包。{self._known('zh')}",
                               english=f"No basemap package named “{name}”. {self._known('en')}")
            data = self._index()
            data["packages"].pop(name, None)
            if data["default"] == name:
                data["default"] = None
            self._write_index(data)
        shutil.rmtree(self.tiles_dir(pkg), ignore_errors=True)
        shutil.rmtree(served_dir(pkg), ignore_errors=True)
        return pkg

    def set_default(self, name: str | None) -> None:
        """Make ``name`` the basemap this store's maps start with (``None`` / "none": no basemap)."""
        name = None if name in (None, NONE) else name
        if name is not None and name not in shipped_providers() and name not in self.intranet() \
                and self.get(name) is None:
            raise NotFound(f"没有名为“{name}”的底图。{self._known('zh')}",
                           english=f"No basemap named “{name}”. {self._known('en')}")
        with self._locked():
            data = self._index()
            data["default"] = name
            self._write_index(data)

    def add_url(self, name: str, url: str, *, label_zh: str | None = None, label_en: str | None = None,
                datum: str = "wgs84", attribution: str = "", max_zoom: int = 18, subdomains: str = "") -> Basemap:
        """Add an intranet tile server (an XYZ URL template) to ``providers.toml`` beside the store."""
        self._check_new_name(name)
        if not all(k in url for k in ("{z}", "{x}", "{y}")) or not re.match(r"^https?://", url):
            raise ImportRefused(f"瓦片地址“{url}”不可用：需要 http(s) 地址，并含 {{z}}、{{x}}、{{y}}。",
                                english=f"The tile URL “{url}” cannot be used: it needs http(s) and "
                                        "{z}, {x}, {y}.")
        entry = {"name_zh": label_zh or name, "name_en": label_en or name, "attribution": attribution,
                 "datum": datum, "max_zoom": int(max_zoom), "layers": [{"url": url, "subdomains": subdomains}]}
        path = self.root / PROVIDERS
        old = path.read_text(encoding="utf-8") if path.is_file() else ""
        new = old + ("\n" if old and not old.endswith("\n") else "") + _toml_table(name, entry)
        added = parse_providers(new, kind="intranet", origin=str(path))[name]
        self.root.mkdir(parents=True, exist_ok=True)
        if path.is_file():
            shutil.copy2(path, self.root / f"{PROVIDERS}.bak")
        write_atomic(path, new)
        return added

    def _known(self, lang: str) -> str:
        names = [p.name for p in self.packages()]
        if lang == "en":
            return f"Packages: {', '.join(names)}." if names else "No package has been added."
        return f"已有：{'、'.join(names)}。" if names else "还没有添加任何底图包。"


def _toml_table(name: str, entry: dict) -> str:
    def q(v):
        return json.dumps(v, ensure_ascii=False) if isinstance(v, str) else str(v)

    lines = [f"\n[{q(name)}]"] + [f"{k} = {q(v)}" for k, v in entry.items() if k != "layers"]
    for lyr in entry["layers"]:
        lines += [f"\n[[{q(name)}.layers]]"] + [f"{k} = {q(v)}" for k, v in lyr.items()]
    text = "\n".join(lines) + "\n"
    tomllib.loads(text)  # what we write reads back
    return text


# ----------------------------------------------------------------------------------------- served by the app
SERVED = "basemaps"  # under static/xxgeo/


def served_dir(pkg: Package) -> Path:
    """Where the app serves a package's tiles from: ``static/xxgeo/basemaps/<token>/`` (an unguessable path)."""
    return settings().static_dir / "xxgeo" / SERVED / pkg.token


def publish(registry: Registry, pkg: Package) -> str:
    """Make the package's tiles servable by the app (hard links into ``static/``, or copies on another disk;
    once) and return their URL template. Streamlit resolves links and serves nothing outside ``static/``, so
    symbolic links would not do."""
    final = served_dir(pkg)
    if not final.is_dir():
        src = registry.tiles_dir(pkg)
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.parent / f".tmp-{secrets.token_hex(6)}"
        try:
            shutil.copytree(src, tmp, copy_function=_link_or_copy)
            tmp.rename(final)
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)
            if not final.is_dir():
                raise
    return f"/app/static/xxgeo/{SERVED}/{pkg.token}/{{z}}/{{x}}/{{y}}.{pkg.ext}"


def _link_or_copy(src: str, dst: str) -> None:
    try:
        Path(dst).hardlink_to(src)
    except OSError:
        shutil.copy2(src, dst)


def package_basemap(pkg: Package, url: str, *, embedded: tuple = ()) -> Basemap:
    """The :class:`Basemap` of a package whose tiles are at ``url`` (a template; or embedded data URIs)."""
    label = f"{pkg.name}（离线底图包）", f"{pkg.name} (offline package)"
    return Basemap(name=pkg.name, label_zh=label[0], label_en=label[1], layers=(TileSource(url),),
                   attribution=f"离线底图包：{pkg.source}", attribution_en=f"Offline basemap package: {pkg.source}",
                   datum=pkg.datum, max_zoom=20,
                   kind="package", min_native=pkg.min_zoom, max_native=pkg.max_zoom, bounds=tuple(pkg.bounds),
                   embedded=embedded)


def choices(store_location: str | None = None) -> dict[str, Basemap | None]:
    """Every basemap the store's maps may use, in picker order: none, the shipped providers, the intranet
    ones, the packages (their :class:`Basemap` points at the app's served copy, published on first use)."""
    reg = Registry(registry_dir(store_location))
    out: dict[str, Basemap | None] = {NONE: None, **shipped_providers()}
    with contextlib.suppress(ImportRefused):  # a broken local file: the shipped ones still work
        out.update(reg.intranet())
    for pkg in reg.packages():
        out[pkg.name] = package_basemap(pkg, f"/app/static/xxgeo/{SERVED}/{pkg.token}/{{z}}/{{x}}/{{y}}.{pkg.ext}")
    return out
