"""Which coordinate system a file is in, and its conversion to WGS84 (the store's CRS).

Rules (docs/DATA.md):

* the file's declared CRS is honoured; ``--crs`` overrides it (and says so);
* CGCS2000 (EPSG:4490) and WGS84 are treated as the same at map scale (centimetres apart);
* Gauss-Krüger zones, 3° and 6°, with or without the zone prefix in the easting; a declared zone CRS whose
  eastings carry (or lack) the prefix is switched to the matching variant, and the switch is reported;
* Xi'an 1980 and Beijing 1954: only the projection is undone; no datum shift is applied, because none is
  correct without local parameters (a PROJ string with ``+towgs84`` given by ``--crs`` is applied as is);
* no CRS: degrees near China are taken as CGCS2000/WGS84; an 8-digit easting with a zone prefix
  (25-45: 3° zones, 13-23: 6° zones) as CGCS2000 Gauss-Krüger of that zone; anything else is refused;
* ``--crs gcj02`` / ``bd09``: Amap / Baidu offsets removed with :mod:`xxgeo.crs`;
* lon/lat written the wrong way round are swapped back, per feature, and counted in the report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError, ProjError

from .. import crs as xcrs
from ..county import county
from ..errors import ImportRefused

NO_SHIFT_DATUMS = {"Beijing 1954": "北京54", "Xian 1980": "西安80", "New Beijing": "新北京54"}
NAMED = {
    "wgs84": "EPSG:4326", "wgs-84": "EPSG:4326", "4326": "EPSG:4326", "cgcs2000": "EPSG:4490", "4490": "EPSG:4490",
    "国家2000": "EPSG:4490", "2000": "EPSG:4490", "xian80": "EPSG:4610", "西安80": "EPSG:4610", "xian1980": "EPSG:4610",
    "beijing54": "EPSG:4214", "北京54": "EPSG:4214", "beijing1954": "EPSG:4214",
}
OFFSETS = {"gcj02": "gcj02", "gcj-02": "gcj02", "高德": "gcj02", "火星": "gcj02", "amap": "gcj02", "腾讯": "gcj02",
           "bd09": "bd09", "bd-09": "bd09", "百度": "bd09", "baidu": "bd09"}
#: "near the county" while guessing: within NEAR_DEG of the county outline's bounds widened by NEAR_PAD
NEAR_PAD = 0.7  # the outline's neighbourhood (a county's surroundings are mapped with it)
NEAR_DEG = 0.5  # about 50 km: data farther away than this means a wrong CRS, not a stray feature


@dataclass(frozen=True)
class CrsChoice:
    """What ``--crs`` asked for: a pyproj CRS, or an offset datum (gcj02/bd09) on top of lon/lat."""

    text: str
    crs: CRS | None = None
    offset: str | None = None


def parse_crs(text: str | None) -> CrsChoice | None:
    """Parse ``--crs`` (EPSG code, name such as cgcs2000/西安80/gcj02, WKT or a PROJ string)."""
    if text is None or not str(text).strip():
        return None
    t = str(text).strip()
    k = t.lower().replace(" ", "")
    if k in OFFSETS:
        return CrsChoice(t, CRS.from_epsg(4326), OFFSETS[k])
    if re.fullmatch(r"\d{4,6}", k):
        t = f"EPSG:{k}"
    try:
        return CrsChoice(text, CRS.from_user_input(NAMED.get(k, t)))
    except CRSError:
        raise ImportRefused(f"不认识的坐标系“{text}”。可写 EPSG 代码（如 EPSG:4546、EPSG:4525、EPSG:4490）、"
                            "cgcs2000、西安80、北京54、gcj02（高德）或 bd09（百度）。",
                            english=f"Unknown coordinate system “{text}”. Write an EPSG code (such as EPSG:4546, "
                                    "EPSG:4525, EPSG:4490), cgcs2000, xian80, beijing54, gcj02 (Amap) or bd09 "
                                    "(Baidu).") from None


@lru_cache(maxsize=1)
def gk_table() -> dict:
    """EPSG Gauss-Krüger CRSs of the Chinese datums: (datum, width, 'cm', cm) / (datum, width, 'zone', n) -> code."""
    from pyproj.database import query_crs_info

    pat = re.compile(r"^(CGCS2000|Xian 1980|Beijing 1954|New Beijing) / (3-degree )?Gauss-Kruger "
                     r"(?:zone (\d+)|CM (\d+)E)$")
    table = {}
    for info in query_crs_info(auth_name="EPSG"):
        m = pat.match(info.name)
        if m:
            width = 3 if m.group(2) else 6
            key = ((m.group(1), width, "zone", int(m.group(3))) if m.group(3)
                   else (m.group(1), width, "cm", int(m.group(4))))
            table[key] = int(info.code)
    return table


def _gk_params(crs: CRS):
    """(datum, width, zone or None, cm) of an EPSG Gauss-Krüger CRS, else None."""
    rev = {v: k for k, v in gk_table().items()}
    code = crs.to_epsg(min_confidence=70) if crs.is_projected else None
    key = rev.get(code) if code else None
    if key is None:
        return None
    datum, width, what, n = key
    if what == "zone":
        cm = n * width - (0 if width == 3 else 3)
        return datum, width, n, cm
    zone = cm_to_zone(n, width)
    return datum, width, None if zone is None else zone, n


def cm_to_zone(cm: int, width: int) -> int | None:
    """Zone number of a central meridian (3°: cm/3; 6°: (cm+3)/6)."""
    z = cm / 3 if width == 3 else (cm + 3) / 6
    return int(z) if z == int(z) else None


def _present(geoms) -> np.ndarray:
    """The geometries that are neither missing nor empty (one array call each)."""
    arr = np.asarray(geoms, dtype=object)
    return arr[~(shapely.is_missing(arr) | shapely.is_empty(arr))] if len(arr) else arr


def _bounds(geoms) -> np.ndarray | None:
    g = _present(geoms)
    if not len(g):
        return None
    return np.asarray(shapely.total_bounds(g))


def _coords(geoms) -> np.ndarray:
    g = _present(geoms)
    return shapely.get_coordinates(g) if len(g) else np.empty((0, 2))


def _is_degrees(xy: np.ndarray) -> bool:
    return bool(len(xy)) and bool((np.abs(xy[:, 0]) <= 180).all() and (np.abs(xy[:, 1]) <= 180).all())


def _swap(geoms: np.ndarray, mask=None) -> np.ndarray:
    out = np.asarray(geoms, dtype=object).copy()
    pick = ~shapely.is_missing(out) if mask is None else (np.asarray(mask, dtype=bool) & ~shapely.is_missing(out))
    if pick.any():
        out[pick] = shapely.transform(out[pick], lambda c: c[:, ::-1])
    return out


def _near(g) -> bool:
    return bool(_near_all(np.asarray([g], dtype=object))[0])


def _near_all(geoms: np.ndarray, swapped: bool = False) -> np.ndarray:
    """For each geometry (None or empty: False): do its bounds (x and y exchanged when ``swapped``) come within
    the margin of the county's outline? One call for the whole column."""
    b = shapely.bounds(geoms)  # NaN for None and empty geometries
    if swapped:
        b = b[:, [1, 0, 3, 2]]
    w, s, e, n = county().outline_bounds()
    m = NEAR_PAD + NEAR_DEG
    with np.errstate(invalid="ignore"):
        return (b[:, 2] >= w - m) & (b[:, 0] <= e + m) & (b[:, 3] >= s - m) & (b[:, 1] <= n + m)


def infer_crs(geoms: np.ndarray, hint: str | None) -> tuple[CRS, np.ndarray, list]:
    """A CRS for data that declares none, from its coordinates alone; refuses when that is not unambiguous."""
    xy = _coords(geoms)
    notes: list = []
    if _is_degrees(xy):
        notes.append("文件没有声明坐标系，坐标是经纬度，按 CGCS2000/WGS84 处理（两者在地图上相差几厘米）。")
        return CRS.from_epsg(4490), geoms, notes
    x, y = xy[:, 0], xy[:, 1]

    def digits8(a):
        return (a >= 1.0e7) & (a < 1.0e8)

    def north(a):
        return (a >= 2.0e6) & (a < 6.0e6)

    if digits8(y).all() and north(x).all():  # surveyors' X = northing, Y = easting
        geoms, x, y = _swap(geoms), y, x
        notes.append("坐标按测绘习惯 X 为北坐标、Y 为东坐标，已对调为东、北。")
    if digits8(x).all() and north(y).all():
        prefixes = set((x // 1.0e6).astype(int).tolist())
        if len(prefixes) == 1:
            p = prefixes.pop()
            width = 3 if 25 <= p <= 45 else 6 if 13 <= p <= 23 else None
            code = gk_table().get(("CGCS2000", width, "zone", p)) if width else None
            if code:
                notes.append(f"文件没有声明坐标系；东坐标带有带号 {p}，按 CGCS2000 {width}度带第{p}带（"
                             f"EPSG:{code}）处理。"
                             "如果实际是西安80或北京54坐标，请用 --crs 指定。")
                return CRS.from_epsg(code), geoms, notes
    hint_txt = "（X/Y 列）" if hint == "xy" else ""
    if ((x >= 1.0e5) & (x < 1.0e6)).all() and north(y).all():
        raise ImportRefused(f"文件没有坐标系信息{hint_txt}，坐标是不带带号的高斯-克吕格平面坐标，"
                            f"无法判断中央经线和基准；{_usual_crs()}",
                            english="No CRS and the projected coordinates are ambiguous; pass --crs.")
    raise ImportRefused(f"文件没有坐标系信息{hint_txt}，无法从坐标值判断坐标系，请用 --crs 指定"
                        "（如 EPSG:4546、EPSG:4525、EPSG:4490）。", english="No CRS could be inferred; pass --crs.")


def _usual_crs() -> str:
    """Advice naming the county's usual projected CRS (the profile's ``crs_hint``, e.g. EPSG:4546 with its
    datum, zone width and central meridian), or plain advice to pass ``--crs`` when the profile names none."""
    c = county()
    hint = str(c.setting("crs_hint") or "")
    if not hint:
        return "请确认后用 --crs 指定坐标系再导入。"
    p = _gk_params(CRS.from_user_input(hint))
    what = f"{p[0]} {p[1]}度带中央经线{p[3]}°" if p else CRS.from_user_input(hint).name
    return f"{c.name}通常是 {what}，确认后请加 --crs {hint} 再导入。"


def _fix_zone_prefix(crs: CRS, geoms) -> tuple[CRS, list]:
    p = _gk_params(crs)
    xy = _coords(geoms)
    if p is None or not len(xy):
        return crs, []
    datum, width, zone, cm = p
    x = xy[:, 0]
    prefixed = bool(((x >= 1.0e7) & (x < 1.0e8)).all())
    plain = bool(((x >= 1.0e5) & (x < 1.0e6)).all())
    code = crs.to_epsg(min_confidence=70)
    has_prefix = gk_table().get((datum, width, "zone", zone)) == code
    if prefixed and not has_prefix and zone is not None and set((x // 1.0e6).astype(int)) == {zone}:
        new = gk_table().get((datum, width, "zone", zone))
        if new:
            return CRS.from_epsg(new), [f"文件声明的坐标系 EPSG:{code} 不带带号，但东坐标带有带号 {zone}，"
                                        f"已改按 EPSG:{new}（{width}度带第{zone}带）处理。"]
    if plain and has_prefix:
        new = gk_table().get((datum, width, "cm", cm))
        if new:
            return CRS.from_epsg(new), [f"文件声明的坐标系 EPSG:{code} 带带号，但东坐标不带带号，"
                                        f"已改按 EPSG:{new}（中央经线{cm}°）处理。"]
    return crs, []


def _transform(geoms: np.ndarray, src: CRS) -> tuple[np.ndarray, list]:
    notes = []
    datum = src.geodetic_crs.datum.name if src.geodetic_crs is not None else ""
    has_params = src.is_bound
    target = CRS.from_epsg(4326)
    if datum in NO_SHIFT_DATUMS and not has_params:
        target = src.geodetic_crs
        notes.append(f"坐标基准是{NO_SHIFT_DATUMS[datum]}（{datum}）：只换算了投影，没有做基准转换（"
                     "没有本地转换参数），"
                     "位置可能偏差几十米到一百多米；如有七参数，请用 --crs 给出带 +towgs84 的 PROJ 串。")
    elif datum and "2000" not in datum and "WGS" not in datum and "World Geodetic" not in datum:
        notes.append(f"坐标基准 {datum} 已按 PROJ 的标准方法转换为 WGS84。")
    if src.equals(target) or (src.is_geographic and src.geodetic_crs.equals(CRS.from_epsg(4490))):
        return geoms, notes
    tr = Transformer.from_crs(src, target, always_xy=True)

    def f(c):
        x, y = tr.transform(c[:, 0], c[:, 1])
        return np.column_stack([x, y])

    out = np.asarray(shapely.transform(np.asarray(geoms, dtype=object), f), dtype=object)
    return out, notes


def to_wgs84(geoms: np.ndarray, declared, choice: CrsChoice | None, *,
             hint: str | None = None) -> tuple[np.ndarray, list]:
    """Convert geometries to WGS84 following the module rules; returns (geometries, notes). A coordinate system
    PROJ cannot convert to longitude/latitude (a LOCAL_CS, a non-Earth ellipsoid) is refused with one sentence."""
    try:
        if declared is not None and choice is None:  # --crs overrides what the file declares
            _check_earth(CRS.from_user_input(declared))
        return _to_wgs84(geoms, declared, choice, hint=hint)
    except (CRSError, ProjError) as exc:
        raise _unusable(declared) from exc


def _unusable(declared) -> ImportRefused:
    try:
        name = CRS.from_user_input(declared).name if declared is not None else ""
    except (CRSError, ProjError, TypeError, ValueError):
        name = ""
    label = f"（{name}）" if name else ""
    return ImportRefused(f"文件声明的坐标系{label}无法换算为经纬度（如本地坐标系 LOCAL_CS 或非地球椭球），"
                         "未导入任何数据；请用 --crs 指定数据真实的坐标系（如 EPSG:4546），或在 GIS 软件中先转换。",
                         english="The file's coordinate system cannot be converted to longitude/latitude (a local "
                                 "or non-Earth system); nothing was imported. Give the real one with --crs.")


def _check_earth(crs: CRS) -> None:
    """Refuse a local engineering CRS or an ellipsoid that is not the Earth's (within 1 %)."""
    geo = crs.geodetic_crs
    if geo is None or geo.ellipsoid is None:
        raise _unusable(crs)
    if abs(geo.ellipsoid.semi_major_metre - 6378137.0) > 63781.0:
        raise _unusable(crs)


def _to_wgs84(geoms: np.ndarray, declared, choice: CrsChoice | None, *,
              hint: str | None = None) -> tuple[np.ndarray, list]:
    geoms = np.asarray(geoms, dtype=object)
    gone = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    extra = ~gone & (shapely.has_z(geoms) | shapely.has_m(geoms))  # only those need flattening
    geoms = geoms.copy()
    if extra.any():
        geoms[extra] = shapely.force_2d(geoms[extra])
    geoms[gone] = None
    notes: list = []
    if not any(g is not None for g in geoms):
        return geoms, notes
    declared = CRS.from_user_input(declared) if declared is not None else None
    xy = _coords(geoms)
    if choice is not None:
        if declared is not None and not declared.equals(choice.crs) and not choice.offset:
            notes.append(f"按 --crs 指定的 {choice.text} 处理（文件声明为 {declared.name}）。")
        src = choice.crs
    else:
        src = declared
    if choice is not None and choice.offset:
        if not _is_degrees(xy):
            raise ImportRefused(f"--crs {choice.text} 只适用于经纬度坐标，而文件中的坐标是平面坐标（米）。",
                                english=f"--crs {choice.text} applies only to longitude/latitude, but the file's "
                                        "coordinates are projected (metres).")
        geoms = _swap_back(geoms, notes)
        func = xcrs.gcj02_to_wgs84 if choice.offset == "gcj02" else xcrs.bd09_to_wgs84
        geoms = np.array([xcrs.transform_geometry(g, func) if g is not None else None for g in geoms], dtype=object)
        notes.append("已把" + ("高德/腾讯（GCJ-02）" if choice.offset == "gcj02" else "百度（"
        "BD-09）") + "坐标换算为 WGS84。")
        return _sanity(geoms), notes
    if src is None:
        src, geoms, more = infer_crs(geoms, hint)
        notes += more
    elif src.is_geographic and not _is_degrees(xy):
        raise ImportRefused(f"文件声明的坐标系是经纬度（{src.name}），但坐标值是平面坐标（米），两者不符；"
                            "请用 --crs 指定正确的投影坐标系（如 EPSG:4546）。",
                            english=f"The file declares a longitude/latitude coordinate system ({src.name}), but its "
                                    "coordinates are projected (metres); give the right projected system with --crs "
                                    "(such as EPSG:4546).")
    elif src.is_projected:
        src, more = _fix_zone_prefix(src, geoms)
        notes += more
    geoms, more = _transform(geoms, src)
    notes += more
    geoms = _swap_back(geoms, notes)
    return _sanity(geoms), notes


def _swap_back(geoms: np.ndarray, notes: list) -> np.ndarray:
    geoms = np.asarray(geoms, dtype=object)
    mask = ~_near_all(geoms) & _near_all(geoms, swapped=True)
    if mask.any():
        notes.append(f"{int(mask.sum())} 个要素的经纬度写反了（纬度在前），已自动对调。")
        return _swap(geoms, mask)
    return geoms


def _sanity(geoms: np.ndarray) -> np.ndarray:
    present = [g for g in geoms if g is not None]
    if present and not _near_all(np.asarray(present, dtype=object)).any():
        b = _bounds(present)
        cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
        c = county()
        raise ImportRefused(f"数据位置不在{c.name}附近（中心约为 经度{cx:.3f}、纬度{cy:.3f}），坐标系可能不对；"
                            "请用 --crs 指定正确的坐标系（如 EPSG:4546、EPSG:4525、gcj02）。",
                            english=f"Data is far from {c.name_en}; the CRS is probably wrong.")
    return geoms
