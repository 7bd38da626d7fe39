"""The kinds of control line, their default rules, colours and English names, and the protection distances
around scenic and heritage sites: read from the county profile's ``constraints`` file (geodata/constraints.toml).

Words of the check written once: the rules (forbidden / restricted / must-be-inside) and the verdicts
(冲突 / 需核实 / 无冲突 / 无法判断) with their English twins.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..config import settings
from ..county import county
from ..errors import ImportRefused, StoreError, ValidationFailed
from ..schema import CONSTRAINT_RULES

CONFLICT, VERIFY, CLEAR, UNKNOWN = "冲突", "需核实", "无冲突", "无法判断"
#: every verdict, worst first (the order tables sort by)
VERDICTS = (CONFLICT, VERIFY, UNKNOWN, CLEAR)
VERDICT_EN = {CONFLICT: "Conflict", VERIFY: "To verify", CLEAR: "No conflict", UNKNOWN: "Cannot judge"}
VERDICT_COLORS = {CONFLICT: "#d7191c", VERIFY: "#fdae61", UNKNOWN: "#8c8c8c", CLEAR: "#1a9641"}
RULE_LABELS = {"forbidden": ("禁止占用", "forbidden"),
               "restricted": ("限制占用（需审批）", "restricted (needs approval)"),
               "must_be_inside": ("须位于其内", "must be inside")}
#: the map's class of a kind the data file does not list (layers/constraints.toml [classes])
OTHER = "其他"


@dataclass(frozen=True)
class KindInfo:
    """One kind of control line as the data file describes it."""

    name: str
    rule: str
    en: str = ""


@dataclass(frozen=True)
class ConstraintRules:
    """The whole data file: the listed kinds, the rule of any other kind, protection distances (m) by site kind."""

    kinds: dict = field(default_factory=dict)
    other_rule: str = "restricted"
    protection_m: dict = field(default_factory=dict)

    def info(self, kind: str) -> KindInfo:
        """The kind's description (an unlisted kind: ``other_rule``, its own name in English)."""
        return self.kinds.get(kind) or KindInfo(kind, self.other_rule, kind)

    def label(self, kind: str, lang: str = "zh") -> str:
        """The kind's name in ``lang``."""
        return (self.info(kind).en or kind) if lang == "en" else kind


def _path() -> Path:
    try:
        return county().path("constraints")
    except StoreError:  # a profile that names no file: the shipped one
        return settings().root / "geodata" / "constraints.toml"


@lru_cache(maxsize=4)
def _load(path: str) -> ConstraintRules:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise StoreError(f"管控边界配置文件 {path} 无法读取（{exc}）。",
                         english=f"The control-line settings file {path} cannot be read ({exc}).") from None
    kinds = {}
    for name, d in (data.get("kinds") or {}).items():
        rule = d.get("rule", "restricted")
        if rule not in CONSTRAINT_RULES:
            raise StoreError(f"管控边界配置文件 {path}：类型“{name}”的规则“{rule}”无效"
                             f"（可用：{'、'.join(CONSTRAINT_RULES)}）。",
                             english=f"{path}: kind “{name}” has an invalid rule “{rule}” "
                                     f"(one of {', '.join(CONSTRAINT_RULES)}).")
        kinds[name] = KindInfo(name, rule, str(d.get("en", name)))
    dist = {str(k): float(v) for k, v in (data.get("protection_m") or {}).items() if v not in (None, "")}
    return ConstraintRules(kinds, str(data.get("other_rule", "restricted")), dist)


def rules() -> ConstraintRules:
    """The county's control-line settings (cached per file)."""
    return _load(str(_path()))


def protection_of(given: list | None, site_kinds) -> dict:
    """Protection distances (m) by site kind: the county's file (``[protection_m]``), overridden by ``given``, the
    command line's ``KIND=METRES`` items (a bare ``METRES`` sets every kind of site in ``site_kinds``; 0 means
    that kind is not checked)."""
    out = dict(rules().protection_m)
    known = sorted({str(k) for k in site_kinds})
    for item in given or []:
        kind, sep, value = str(item).rpartition("=")
        kind = kind.strip()
        try:
            metres = float(value)
        except ValueError:
            metres = float("nan")
        if not metres >= 0 or metres == float("inf") or (sep and not kind):
            raise ValidationFailed(f"保护距离“{item}”看不懂：应写成 类型=米数（如 遗址=200），或只写米数（所有类型）。",
                                   english=f"Cannot read the protection distance “{item}”: write KIND=METRES (such "
                                           "as 遗址=200), or METRES alone for every kind.")
        if sep and kind not in known:
            raise ValidationFailed(f"景区文物里没有类型“{kind}”（有：{'、'.join(known) or '无'}）。",
                                   english=f"No scenic or heritage site is of kind “{kind}” (kinds: "
                                           f"{', '.join(known) or 'none'}).")
        out.update({kind: metres} if sep else dict.fromkeys(known, metres))
    return {k: v for k, v in out.items() if v > 0}  # 0: not checked


def rule_for(kind: str, rule: str | None = None) -> str:
    """The rule a kind is stored with: ``rule`` when given (refused unless a known one), else the kind's default."""
    if rule:
        r = rule.strip().replace("-", "_").lower()
        if r not in CONSTRAINT_RULES:
            raise ImportRefused(f"管控规则“{rule}”无效；可用：forbidden（禁止占用）、restricted（限制占用）、"
                                "must-be-inside（须位于其内）。",
                                english=f"Unknown rule “{rule}”; use forbidden, restricted or must-be-inside.")
        return r
    return rules().info(kind).rule


def rule_label(rule: str, lang: str = "zh") -> str:
    """A rule in words."""
    zh, en = RULE_LABELS.get(rule, (rule, rule))
    return en if lang == "en" else zh


def verdict_label(verdict: str, lang: str = "zh") -> str:
    """A verdict in ``lang``."""
    return VERDICT_EN.get(verdict, verdict) if lang == "en" else verdict
