"""Helpers of the 调度 tests: actors, monthly sheets written as xlsx/xls/csv, a store's dispatch state."""

from __future__ import annotations

from pathlib import Path

from xxgeo.policy import Actor, GuardedStore

PEIJIE = "140828102"  # 裴介镇: XM0002 is one of its projects
OWN, OTHER = "XM0002", "XM0035"  # OTHER lies in another township (140828100)
HEAD = Actor("zhang", "township", PEIJIE)
BUREAU = Actor("li", "editor")


def guarded(store, actor: Actor) -> GuardedStore:
    return GuardedStore(store, actor)


def own_projects(store, n: int = 2) -> list[str]:
    """``n`` project ids of 裴介镇."""
    p = store.read("projects")
    return p.loc[p["township_code"].astype(str) == PEIJIE, "project_id"].astype(str).tolist()[:n]


def write_xlsx(path: Path, rows: list[list], title: str | None = None) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    if title:
        ws.append([title])
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def write_xls(path: Path, rows: list[list]) -> Path:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("进度")
    for i, r in enumerate(rows):
        for j, v in enumerate(r):
            if v is not None:
                ws.write(i, j, v)
    wb.save(str(path))
    return path


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8") -> Path:
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf).writerows([["" if v is None else v for v in r] for r in rows])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def snapshot(store) -> tuple:
    """What a refused write must leave as it was: the reports, the problems and the audit log's length."""
    return (store.read("progress").astype(str).to_dict("records"),
            store.read("problems").astype(str).to_dict("records"), len(store.audit_entries()))
