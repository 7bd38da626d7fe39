"""The check run on a store: read the layers it needs (projects, constraints, scenic sites, townships) and
call the pure :func:`xxgeo.constraints.check.check`. Callers cache by ``store.version()`` (the view; the CLI
runs once)."""

from __future__ import annotations

from ..errors import NotFound
from ..names import resolve_township, township_names
from .check import CheckResult, check
from .kinds import protection_of, rules


def township_code(store, township: str | None) -> str | None:
    """A township named leniently (name, short name or code) -> its code; None for none."""
    if not township:
        return None
    return resolve_township(township, store.read("townships"))


def check_store(store, *, against=None, township: str | None = None, protection: list | None = None) -> CheckResult:
    """The compliance check of every project in ``store`` (one township's with ``township``, a code);
    ``protection``: the command line's distances around sites (:func:`~.kinds.protection_of`)."""
    cons = store.read("constraints")
    stored = set(cons["kind"].astype(str)) if len(cons) else set()
    unknown = [k for k in (against or []) if k not in stored]
    if against and len(unknown) == len(against):
        have = "、".join(sorted(stored)) or "（无）"
        raise NotFound(f"数据库中没有“{'、'.join(unknown)}”的管控边界（已导入：{have}）；"
                       "请先运行 python -m xxgeo import 文件 --layer constraints --kind 类型。",
                       english=f"No control lines of kind “{', '.join(unknown)}” are stored (stored: "
                               f"{', '.join(sorted(stored)) or 'none'}); import them first with python -m xxgeo "
                               "import FILE --layer constraints --kind KIND.")
    sites = store.read("scenic_sites")
    return check(store.read("projects"), cons, against=against, sites=sites,
                 protection_m=protection_of(protection, sites["kind"].dropna() if len(sites) else ()),
                 township=township)


def names_of(store) -> dict:
    """Township code -> name, for the tables."""
    return township_names(store.read("townships"))


def township_check(store, code: str) -> CheckResult | None:
    """The check of one township's projects for its report; None when no control lines are stored."""
    cons = store.read("constraints")
    if not len(cons):
        return None
    return check(store.read("projects"), cons, sites=store.read("scenic_sites"), protection_m=rules().protection_m,
                 township=code)
