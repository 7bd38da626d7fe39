"""Coordinates as people type or paste them, read into one WGS84 point (pure: no store, no UI).

Forms understood (full-width characters too: ＂，° ′ ″ 度 分 秒):

* decimal degrees in either order, ``111.22, 35.14`` or ``35.14, 111.22`` (which is longitude is decided by the
  county's extent, or by ``N``/``E``, 北纬/东经, 经度/纬度, lon/lat written beside the numbers);
* degrees-minutes-seconds, ``35°8'24"N 111°13'12"E``, ``北纬35度8分24秒 东经111度13分12秒``, ``35°08.4′``;
* a point read off 高德 (GCJ-02) or 百度 (BD-09): decimal or DMS with ``datum="gcj02"`` / ``"bd09"``;
* CGCS2000 Gauss-Krüger x/y in metres (``3891234.5, 37512345.6`` or ``X=3891234.5 Y=512345.6``): the northing
  has 7 digits, the easting 6 (the county's own zone, :func:`xxgeo.crs.gk3_zone`) or 8 with the zone number in
  front (3-degree zones 25-45, 6-degree zones 13-23).

Anything else is refused with :class:`~xxgeo.errors.CoordinatesNotUnderstood`, one sentence saying what was
understood (“读到 3 个数：…”), and so is a point outside the county.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from . import crs as crsmod
from .errors import CoordinatesNotUnderstood

#: the datum of typed degrees: WGS84 (= CGCS2000 at map scale: GPS, 天地图, Google Earth, 奥维 default), GCJ-02
#: (高德, 腾讯), BD-09 (百度). Projected x/y is recognised by its size, whatever is chosen.
DATUMS = ("wgs84", "gcj02", "bd09")
DATUM_LABELS = {"wgs84": ("WGS84 / CGCS2000 经纬度（GPS、天地图、奥维）",
                          "WGS84 / CGCS2000 degrees (GPS, Tianditu, Ovi)"),
                "gcj02": ("GCJ-02（高德、腾讯地图）", "GCJ-02 (Amap, Tencent maps)"),
                "bd09": ("BD-09（百度地图）", "BD-09 (Baidu maps)")}
#: how far outside the county's extent (degrees, ~10 km) a point may lie and still be read as in the county
MARGIN_DEG = 0.1

_LABELS = (  # (pattern, marker): words that say which number is which
    (r"经度|longitude|lon|lng", "Ⓛ"), (r"纬度|latitude|lat", "Ⓐ"), (r"北纬", "N"), (r"南纬", "S"),
    (r"东经", "E"), (r"西经", "W"), (r"北", "N"), (r"南", "S"), (r"东", "E"), (r"西", "W"),
)
_TOKEN = re.compile(r"(?P<num>[-+]?\d+(?:\.\d+)?)|(?P<mark>[°'\"])|(?P<hemi>[NSEW])|(?P<axis>[ⓁⒶⓍⓎ])"
                    r"|(?P<sep>[\s,;/:=()]+)|(?P<other>.)")


@dataclass(frozen=True)
class Parsed:
    """One point read from text: WGS84 degrees and what was understood (a sentence in both languages)."""

    lon: float
    lat: float
    form: str  # "decimal" | "dms" | "gk"
    source_crs: str  # "wgs84" | "gcj02" | "bd09" | an EPSG code of a Gauss-Krüger zone
    said_zh: str
    said_en: str

    def said(self, lang: str = "zh") -> str:
        """What was understood, in ``lang``."""
        return self.said_en if lang == "en" else self.said_zh


@dataclass
class _Comp:
    parts: list = field(default_factory=list)  # degrees, minutes, seconds as given
    marks: int = 0  # how many of ° ' " were written
    hemi: str = ""
    axis: str = ""
    text: str = ""

    @property
    def value(self) -> float:
        d = self.parts[0]
        v = abs(d) + sum(p / 60 ** i for i, p in enumerate(self.parts[1:], start=1))
        return -v if d < 0 or self.hemi in ("S", "W") else v


def _refuse(zh: str, en: str):
    raise CoordinatesNotUnderstood(zh, english=en)


def _normalise(text: str) -> str:
    s = unicodedata.normalize("NFKC", str(text)).strip()
    for pat, marker in _LABELS:
        s = re.sub(pat, marker, s, flags=re.I)
    for a, b in (("度", "°"), ("分", "'"), ("秒", '"'), ("′", "'"), ("″", '"'), ("’", "'"), ("‘", "'"),
                 ("”", '"'), ("“", '"'), ("''", '"'), ("º", "°"), ("˚", "°"), ("、", ","), ("；", ";")):
        s = s.replace(a, b)
    s = re.sub(r"(?<![A-Za-z])x(?![A-Za-z])", "Ⓧ", s, flags=re.I)
    s = re.sub(r"(?<![A-Za-z])y(?![A-Za-z])", "Ⓨ", s, flags=re.I)
    return re.sub(r"(?<![A-Za-z])([nsew])(?![A-Za-z])", lambda m: m.group(1).upper(), s)


def _components(text: str) -> list[_Comp]:
    """The numbers of ``text`` grouped into coordinates (degrees with their minutes and seconds)."""
    s = _normalise(text)
    toks = [(m.lastgroup, m.group()) for m in _TOKEN.finditer(s) if m.lastgroup != "sep"]
    bad = "".join(v for k, v in toks if k == "other")
    if bad:
        _refuse(f"坐标“{text}”中有无法识别的字符“{bad}”。",
                f"The coordinates “{text}” contain characters that are not understood: “{bad}”.")
    prefix_mode = bool(toks) and toks[0][0] in ("hemi",)
    comps: list[_Comp] = []
    cur: _Comp | None = None
    pending_hemi, pending_axis, open_part = "", "", False
    for kind, val in toks:
        if kind == "num":
            if cur is not None and open_part:
                cur.parts.append(float(val))
                cur.text += val
                open_part = False
                continue
            cur = _Comp([float(val)], hemi=pending_hemi, axis=pending_axis, text=val)
            comps.append(cur)
            pending_hemi, pending_axis = "", ""
        elif kind == "mark":
            if cur is None or open_part or len(cur.parts) != cur.marks + 1 or cur.marks >= 3 or (
                    "°'\"".index(val) != cur.marks):
                _refuse(f"坐标“{text}”中度、分、秒的写法无法识别。",
                        f"The degrees, minutes and seconds in “{text}” are not understood.")
            cur.marks += 1
            cur.text += val
            open_part = val != '"'
        elif kind == "hemi":
            if prefix_mode or cur is None:
                pending_hemi = val
            else:
                if cur.hemi:
                    _refuse(f"坐标“{text}”中方位字母“{val}”无法对应到数字。",
                            f"The direction letter “{val}” in “{text}” does not belong to a number.")
                cur.hemi, cur, open_part = val, None, False
        elif kind == "axis":
            pending_axis, cur, open_part = val, None, False
    if pending_hemi or pending_axis:
        _refuse(f"坐标“{text}”末尾的方位或“经度/纬度”后面没有数字。",
                f"A direction or “longitude/latitude” at the end of “{text}” has no number after it.")
    for c in comps:
        if len(c.parts) > 1 and (any(p >= 60 for p in c.parts[1:]) or not float(c.parts[0]).is_integer()):
            _refuse(f"“{c.text}”不是有效的度分秒（分、秒应小于 60，度应为整数）。",
                    f"“{c.text}” is not valid degrees-minutes-seconds (minutes and seconds below 60, whole degrees).")
    return comps


def _extent():
    from .county import county

    return county().outline_bounds()


def _inside(lon: float, lat: float, extent) -> bool:
    w, s, e, n = extent
    return w - MARGIN_DEG <= lon <= e + MARGIN_DEG and s - MARGIN_DEG <= lat <= n + MARGIN_DEG


def _county_name(lang: str) -> str:
    from .county import county

    return county().label(lang)


def parse_point(text: str, datum: str = "wgs84", *, extent=None) -> Parsed:
    """Read ``text`` as one point in the county; ``datum`` says what typed degrees are measured in
    (:data:`DATUMS`). Raises :class:`CoordinatesNotUnderstood` (one sentence, naming what was understood)
    for anything that is not exactly one point, or a point outside the county (``extent``: west, south, east,
    north in degrees; default the county's outline)."""
    if datum not in DATUMS:
        raise ValueError(f"unknown datum {datum!r}")
    if not str(text or "").strip():
        _refuse("没有输入坐标。", "No coordinates were given.")
    extent = extent or _extent()
    comps = _components(text)
    if len(comps) != 2:
        nums = "、".join(c.text for c in comps) or "无"
        _refuse(f"需要两个数（经度和纬度，或 X 和 Y），但读到 {len(comps)} 个：{nums}。",
                f"Two numbers are needed (longitude and latitude, or X and Y), but {len(comps)} read: "
                f"{', '.join(c.text for c in comps) or 'none'}.")
    a, b = comps
    big = [abs(c.value) > 1000 for c in comps]
    if all(big):
        return _gk(a, b, text, extent)
    if any(big):
        _refuse(f"“{a.text}”和“{b.text}”一个像经纬度、一个像平面坐标（米），无法一起使用。",
                f"Of “{a.text}” and “{b.text}” one looks like degrees and the other like metres; they cannot be used "
                "together.")
    return _degrees(a, b, text, datum, extent)


def _role(c: _Comp) -> str:
    if c.hemi in ("E", "W") or c.axis == "Ⓛ":
        return "lon"
    if c.hemi in ("N", "S") or c.axis == "Ⓐ":
        return "lat"
    return ""


def _to_wgs84(lon: float, lat: float, datum: str) -> tuple[float, float]:
    if datum == "gcj02":
        return crsmod.gcj02_to_wgs84(lon, lat)
    if datum == "bd09":
        return crsmod.bd09_to_wgs84(lon, lat)
    return lon, lat


def _degrees(a: _Comp, b: _Comp, text: str, datum: str, extent) -> Parsed:
    ra, rb = _role(a), _role(b)
    if ra and ra == rb:
        _refuse(f"“{text}”中两个数都标为{'经度' if ra == 'lon' else '纬度'}。",
                f"Both numbers in “{text}” are marked as {'longitude' if ra == 'lon' else 'latitude'}.")
    if ra == "lat" or rb == "lon":
        orders = [(b, a)]
    elif ra == "lon" or rb == "lat":
        orders = [(a, b)]
    else:  # no marks: the order that puts the point in the county
        orders = [o for o in ((a, b), (b, a)) if _inside(*_to_wgs84(o[0].value, o[1].value, datum), extent)]
        if len(orders) > 1:
            _refuse(f"无法判断“{a.text}”和“{b.text}”哪个是经度：请在数字旁写上 N/E 或“经度/纬度”。",
                    f"Cannot tell which of “{a.text}” and “{b.text}” is the longitude: write N/E or lon/lat "
                    "beside them.")
        if not orders:
            _refuse(f"读到两个数 {a.text} 和 {b.text}，无论哪个作经度，位置都不在{_county_name('zh')}范围内；"
                    "请检查数字和坐标系。",
                    f"Read two numbers, {a.text} and {b.text}; whichever is the longitude, the point is not in "
                    f"{_county_name('en')}. Check the numbers and the coordinate system.")
    lon_c, lat_c = orders[0]
    if not (-180 <= lon_c.value <= 180 and -90 <= lat_c.value <= 90):
        _refuse(f"经度 {lon_c.text}、纬度 {lat_c.text} 超出了经纬度的取值范围。",
                f"Longitude {lon_c.text} and latitude {lat_c.text} are out of range for degrees.")
    lon, lat = _to_wgs84(lon_c.value, lat_c.value, datum)
    form = "dms" if lon_c.marks or lat_c.marks else "decimal"
    zh_d, en_d = DATUM_LABELS[datum]
    said_zh = f"读作{zh_d}：经度 {lon_c.value:.6f}，纬度 {lat_c.value:.6f}"
    said_en = f"Read as {en_d}: longitude {lon_c.value:.6f}, latitude {lat_c.value:.6f}"
    if datum != "wgs84":
        said_zh += f"，换算为 WGS84 经度 {lon:.6f}，纬度 {lat:.6f}"
        said_en += f", converted to WGS84 longitude {lon:.6f}, latitude {lat:.6f}"
    _check_inside(lon, lat, extent, said_zh, said_en)
    return Parsed(lon, lat, form, datum, said_zh + "。", said_en + ".")


def _check_inside(lon: float, lat: float, extent, said_zh: str, said_en: str) -> None:
    if not _inside(lon, lat, extent):
        _refuse(f"{said_zh}；这个位置不在{_county_name('zh')}范围内，请检查数字和坐标系。",
                f"{said_en}; that point is not in {_county_name('en')}. Check the numbers and the coordinate system.")


def _digits(v: float) -> int:
    return len(str(int(abs(v))))


def _gk(a: _Comp, b: _Comp, text: str, extent) -> Parsed:
    da, db = _digits(a.value), _digits(b.value)
    if {da, db} == {7, 6} or {da, db} == {7, 8}:
        north, east = (a, b) if da == 7 else (b, a)
    else:
        _refuse(f"“{a.text}”和“{b.text}”不像 CGCS2000 高斯-克吕格坐标：北坐标（X）应为 7 位整数，"
                "东坐标（Y）为 6 位，或带带号的 8 位。",
                f"“{a.text}” and “{b.text}” do not look like CGCS2000 Gauss-Krüger coordinates: the northing (X) has "
                "7 integer digits, the easting (Y) 6, or 8 with the zone number in front.")
    e = east.value
    if _digits(e) == 8:
        zone = int(e // 1_000_000)
        if zone not in crsmod.GK3_ZONES and zone not in crsmod.GK6_ZONES:
            _refuse(f"东坐标 {east.text} 的带号 {zone} 不是 CGCS2000 的 3 度带（25–45）或 6 度带（13–23）。",
                    f"The zone number {zone} of the easting {east.text} is not a CGCS2000 3-degree zone (25–45) or "
                    "6-degree zone (13–23).")
        crs = crsmod.gk_crs(zone, prefixed=True)
        kind_zh = f"{'3' if zone in crsmod.GK3_ZONES else '6'} 度带第 {zone} 带（带号在东坐标前）"
        kind_en = f"{'3' if zone in crsmod.GK3_ZONES else '6'}-degree zone {zone} (zone number in the easting)"
    else:
        w, _s, east_edge, _n = extent
        zone = crsmod.gk3_zone((w + east_edge) / 2)
        crs = crsmod.gk_crs(zone, prefixed=False)
        kind_zh = f"本县所在的 3 度带（中央经线 {zone * 3}°E，不带带号）"
        kind_en = f"the county's 3-degree zone (central meridian {zone * 3}°E, no zone number)"
    lon, lat = crsmod.gk_to_wgs84(e, north.value, crs)
    said_zh = (f"读作 CGCS2000 高斯-克吕格{kind_zh}：北坐标 X {north.value:.2f} 米，东坐标 Y {e:.2f} 米"
               f"（{crs}），即经度 {lon:.6f}，纬度 {lat:.6f}")
    said_en = (f"Read as CGCS2000 Gauss-Krüger, {kind_en}: northing X {north.value:.2f} m, easting Y {e:.2f} m "
               f"({crs}), i.e. longitude {lon:.6f}, latitude {lat:.6f}")
    _check_inside(lon, lat, extent, said_zh, said_en)
    return Parsed(lon, lat, "gk", crs, said_zh + "。", said_en + ".")


def parse_points(text: str, datum: str = "wgs84", *, extent=None) -> list[Parsed]:
    """One point per line (or per ``;``) of ``text``: the vertices of a line or polygon, or several points."""
    lines = [ln for ln in re.split(r"[\n;；]+", str(text or "")) if ln.strip()]
    if not lines:
        _refuse("没有输入坐标。", "No coordinates were given.")
    out = []
    for i, ln in enumerate(lines, start=1):
        try:
            out.append(parse_point(ln, datum, extent=extent))
        except CoordinatesNotUnderstood as exc:
            if len(lines) == 1:
                raise
            raise CoordinatesNotUnderstood(f"第 {i} 行：{exc.message}",
                                           english=f"Line {i}: {exc.english}") from None
    return out
