"""The 调度 warning rules, kept in a TOML file (``geodata/dispatch_rules.toml``, named by the county profile's
``[files] dispatch_rules``), and the calendar they are judged on (months, report due dates, "today" in
Asia/Shanghai).

The defaults of :class:`Rules` are issue 12's: red when the gap is −20 points or worse, when the planned start
has passed while the stage is still 储备/签约/前期, or when the month's report is missing after the 5th of the
next month; yellow from −10 to −20 points (−10 included, −20 red); green otherwise. A profile that names no
rules file gets these defaults; a file that is named but missing or malformed is an error (one sentence).
"""

from __future__ import annotations

import datetime as _dt
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..county import county
from ..errors import DispatchError
from ..vocab import LOCAL_TZ

MONTH_RE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*$")


@dataclass(frozen=True)
class Rules:
    """The thresholds and calendar of the warning lights (see ``geodata/dispatch_rules.toml``)."""

    red_gap: float = -20.0  # gap (points) at or below which the light is red
    yellow_gap: float = -10.0  # gap at or below which (and above red_gap) the light is yellow
    not_started_stages: tuple = ("储备", "签约", "前期")
    due_day: int = 5  # the month's report is due by this day of the next month
    timezone: str = LOCAL_TZ
    not_reported_states: tuple = ("draft", "returned")
    scope_key_level: bool = True
    scope_progress_rows: bool = True
    source: str = field(default="", compare=False)  # the file read ('' = the defaults)


def _number(data: dict, section: str, key: str, default, path: Path, kind=float):
    v = data.get(section, {}).get(key, default)
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise DispatchError(f"预警规则文件 {path} 中 [{section}] {key} 应为数字，而不是“{v}”。",
                            english=f"The warning rules file {path} has [{section}] {key} = “{v}”; a number is needed.")
    return kind(v)


def parse_rules(data: dict, path: Path | str = "") -> Rules:
    """:class:`Rules` from the parsed TOML ``data`` (keys missing keep their defaults); one sentence when a
    value cannot be used."""
    path = Path(path) if path else Path("dispatch_rules.toml")
    d = Rules()
    red = _number(data, "gap", "red_at_or_below", d.red_gap, path)
    yellow = _number(data, "gap", "yellow_at_or_below", d.yellow_gap, path)
    if red > yellow:
        raise DispatchError(f"预警规则文件 {path} 中红灯线（{red:g}）高于黄灯线（{yellow:g}）："
                            "red_at_or_below 应不大于 yellow_at_or_below。",
                            english=f"The warning rules file {path} has the red line ({red:g}) above the yellow line "
                                    f"({yellow:g}); red_at_or_below must not exceed yellow_at_or_below.")
    due = _number(data, "report", "due_day", d.due_day, path, int)
    if not 1 <= due <= 28:
        raise DispatchError(f"预警规则文件 {path} 中 [report] due_day = {due} 不在 1–28 之间。",
                            english=f"The warning rules file {path} has [report] due_day = {due}, not 1–28.")
    tz = str(data.get("report", {}).get("timezone", d.timezone))
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise DispatchError(f"预警规则文件 {path} 中的时区“{tz}”不存在（例如 Asia/Shanghai）。",
                            english=f"The warning rules file {path} names the time zone “{tz}”, which does not exist "
                                    "(e.g. Asia/Shanghai).") from None

    def words(section: str, key: str, default: tuple) -> tuple:
        v = data.get(section, {}).get(key, list(default))
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise DispatchError(f"预警规则文件 {path} 中 [{section}] {key} 应为文字列表，例如 [\"储备\", \"签约\"]。",
                                english=f"The warning rules file {path} has [{section}] {key} that is not a list of "
                                        "words such as [\"储备\", \"签约\"].")
        return tuple(x.strip() for x in v)

    scope = data.get("scope", {})
    return Rules(red_gap=red, yellow_gap=yellow, not_started_stages=words("not_started", "stages",
                                                                           d.not_started_stages),
                 due_day=due, timezone=tz, not_reported_states=words("report", "not_reported_states",
                                                                     d.not_reported_states),
                 scope_key_level=bool(scope.get("by_key_level", True)),
                 scope_progress_rows=bool(scope.get("by_progress_rows", True)), source=str(path))


def load_rules(path: str | Path | None = None) -> Rules:
    """The rules in ``path``, else in the file the county profile names (``[files] dispatch_rules``), else the
    defaults of :class:`Rules`."""
    if path is None:
        c = county()
        if "dispatch_rules" not in c.files:
            return Rules()
        path = c.path("dispatch_rules")
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DispatchError(f"预警规则文件 {p} 不存在：请检查县域配置 [files] dispatch_rules 的路径。",
                            english=f"The warning rules file {p} does not exist; check the county profile's [files] "
                                    "dispatch_rules.") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DispatchError(f"预警规则文件 {p} 格式有误：{exc}。",
                            english=f"The warning rules file {p} is malformed: {exc}.") from None
    return parse_rules(data, p)


# ------------------------------------------------------------------------------------------------ calendar
def parse_month(text) -> str:
    """``YYYY-MM`` for a month the user typed (``2026-03``, ``2026-3``, ``2026/03``, ``2026年3月``); one
    sentence when it is not a month."""
    m = MONTH_RE.match(str(text or ""))
    if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1900:
        raise DispatchError(f"月份“{text}”应写成 YYYY-MM，例如 2026-03。",
                            english=f"The month “{text}” must be written YYYY-MM, for example 2026-03.")
    return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"


def month_parts(month: str) -> tuple[int, int]:
    """(year, month number) of a ``YYYY-MM`` month."""
    y, m = parse_month(month).split("-")
    return int(y), int(m)


def next_month(month: str) -> str:
    """The month after ``month`` (December rolls over to January of the next year)."""
    y, m = month_parts(month)
    return f"{y + 1:04d}-01" if m == 12 else f"{y:04d}-{m + 1:02d}"


def month_start(month: str) -> _dt.date:
    """The first day of ``month``."""
    y, m = month_parts(month)
    return _dt.date(y, m, 1)


def report_due(month: str, rules: Rules | None = None) -> _dt.date:
    """The last day the report of ``month`` may come in: the ``due_day`` of the next month."""
    rules = rules or Rules()
    return month_start(next_month(month)).replace(day=rules.due_day)


def local_today(rules: Rules | None = None, now: _dt.datetime | None = None) -> _dt.date:
    """Today's date in the rules' time zone (Asia/Shanghai); ``now`` (an aware time) for tests."""
    tz = ZoneInfo((rules or Rules()).timezone)
    now = now or _dt.datetime.now(tz)
    if now.tzinfo is None:
        now = now.replace(tzinfo=tz)
    return now.astimezone(tz).date()


def as_date(value, rules: Rules | None = None) -> _dt.date:
    """A "today" given as a date, an aware or naive datetime (naive = the rules' time zone) or ISO text."""
    if isinstance(value, _dt.datetime):
        return local_today(rules, value)
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise DispatchError(f"日期“{value}”应写成 YYYY-MM-DD。",
                            english=f"The date “{value}” must be written YYYY-MM-DD.") from None
