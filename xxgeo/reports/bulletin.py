"""The monthly 调度通报 (bulletin): what it holds, computed once from a dataset, for the Excel table
(:mod:`.bulletin_xlsx`) and the PDF (:mod:`.bulletin_pdf`).

Pure functions of a :class:`~xxgeo.store.Dataset` (its ``projects``, ``progress``, ``problems`` and ``townships``
layers; a store without the dispatch layers gives a bulletin that says nothing was reported).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..county import county
from ..dispatch.figures import light_text, month_figures
from ..dispatch.rules import Rules, as_date, load_rules, local_today, month_parts, parse_month, report_due
from ..dispatch.totals import GROUPS, not_reported, overall, totals, township_ranking
from ..i18n import tr
from ..names import resolve_township
from ..vocab import is_blank, value_en

KEY_LEVEL_EN = {"省级": "provincial", "省级重点": "provincial key project", "市级": "city",
                "市级重点": "city key project", "县级": "county", "县级重点": "county key project"}


@dataclass
class Bulletin:
    """Everything one bulletin shows (``township``: the code it is limited to, or None for the county)."""

    month: str
    today: object
    rules: Rules
    figures: pd.DataFrame  # one row per project (month_figures), in the bulletin's order
    ranking: pd.DataFrame  # townships by completion rate (the whole county, also for a township's bulletin)
    totals: dict = field(default_factory=dict)  # group -> totals frame
    summary: dict = field(default_factory=dict)
    missing: pd.DataFrame | None = None  # projects not reported
    township: str | None = None
    township_name: str | None = None


def bulletin_data(dataset, month: str, *, township: str | None = None, today=None,
                  rules: Rules | None = None) -> Bulletin:
    """The bulletin of ``month`` (``YYYY-MM``); ``township`` (a name or code, matched leniently) limits the
    project list and totals to its projects; ``today`` (default: now in Asia/Shanghai) decides what is overdue."""
    month = parse_month(month)
    rules = rules or load_rules()
    today = local_today(rules) if today is None else as_date(today, rules)
    towns = dataset["townships"]
    fig = month_figures(dataset["projects"], dataset.get("progress"), month, today=today, rules=rules,
                        townships=towns, problems=dataset.get("problems"))
    ranking = township_ranking(fig)
    code = name = None
    if township is not None and str(township).strip():
        code = resolve_township(township, towns)
        name = str(towns.set_index("code").loc[code, "name"])
        fig = fig[fig["township_code"].astype(str) == code]
    order = {c: i for i, c in enumerate(towns["code"].astype(str))}
    fig = fig.assign(_t=fig["township_code"].map(lambda c: order.get(str(c), len(order)))).sort_values(
        ["_t", "project_id"]).drop(columns="_t").reset_index(drop=True)
    return Bulletin(month=month, today=today, rules=rules, figures=fig, ranking=ranking,
                    totals={g: totals(fig, g) for g in GROUPS if g != "township"}, summary=overall(fig),
                    missing=not_reported(fig), township=code, township_name=name)


# ------------------------------------------------------------------------------------------ shared words
def title(b: Bulletin, lang: str = "zh") -> str:
    """“（县名）重点项目调度通报（2026 年 6 月）”, or with the township's name."""
    y, m = month_parts(b.month)
    where = county().label(lang) + (f" {b.township_name}" if b.township_name else "")
    return tr("bulletin.title", lang, where=where, year=y, mon=m)


def subtitle(b: Bulletin, lang: str = "zh") -> str:
    """序时进度, the due day and the date the bulletin was judged on."""
    return tr("bulletin.subtitle", lang, schedule=f"{b.summary.get('schedule_pct', float('nan')):.1f}",
              due=report_due(b.month, b.rules).isoformat(), today=str(b.today), tz=b.rules.timezone)


def headers(lang: str = "zh") -> list[str]:
    """The project table's headers, units included (序号 … 存在问题, then the warning's reasons)."""
    keys = ("no", "name", "township", "lead", "unit", "plan", "month_done", "year_done", "rate", "schedule", "gap",
            "light", "physical", "problems", "reasons")
    return [tr(f"bulletin.h_{k}", lang) for k in keys]


def value(v, lang: str = "zh"):
    """A stored value as the bulletin shows it: empty stays None; Chinese code words in English for ``en``."""
    if is_blank(v):
        return None
    if lang == "en" and isinstance(v, str):
        return KEY_LEVEL_EN.get(v, value_en(v))
    return v


def township_label(row, lang: str = "zh") -> str:
    """The township's name (全县/未注明 in English: county-wide / not stated)."""
    t = row["township"]
    return value_en(t) if lang == "en" else t


def light_label(light: str, lang: str = "zh") -> str:
    """红 / 黄 / 绿 / 未评定 in ``lang``."""
    return light_text(light, lang)


def reasons(row, lang: str = "zh") -> str:
    """The light's reasons in ``lang``."""
    return row["reasons_en"] if lang == "en" else row["reasons_zh"]


def problems(row, lang: str = "zh"):
    """The open problems (with what needs co-ordination) in ``lang``'s words; None when there are none."""
    return row["problems_en"] if lang == "en" else row["problems"]


def missing_state(row, lang: str = "zh") -> str:
    """Why a project counts as not reported: 逾期未报 / 未到截止日期, with a draft or returned report named."""
    s = "" if is_blank(row["state"]) else str(row["state"]).strip().lower()
    what = tr("bulletin.overdue" if row["overdue"] else "bulletin.not_yet", lang)
    if s in ("draft", "returned"):
        what += tr(f"bulletin.state_{s}", lang)
    return what
