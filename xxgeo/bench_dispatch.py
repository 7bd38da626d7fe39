"""The 调度 benchmark (issue 12 item 8): 1,000 projects × 60 months of generated records; the seconds to compute one
month's figures (the 调度 view's rerun cost; aim < 1 s) and to write the bulletin (Excel and PDF; aim < 10 s).

The records are synthetic (fixed seed) and live only in memory: nothing is written to a store. Timed as the
median of a few runs; on a shared machine compare orders of magnitude, not digits.
"""

from __future__ import annotations

import contextlib
import statistics
import time

import geopandas as gpd
import numpy as np
import pandas as pd

from .dispatch.rules import next_month
from .schema import CATEGORIES
from .store import Dataset, coerce
from .vocab import LIFECYCLE_STAGES

KEY_LEVELS = ("省级重点", "市级重点", "县级重点")


def months_back(last: str, n: int) -> list[str]:
    """The ``n`` months ending with ``last`` (``YYYY-MM``), oldest first."""
    y, m = int(last[:4]), int(last[5:7])
    out = []
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out[::-1]


def synthetic_dispatch(dataset, n_projects: int = 1000, n_months: int = 60, last: str = "2026-06",
                       seed: int = 7) -> Dataset:
    """``dataset`` with ``n_projects`` synthetic key projects (points at the townships' seats, spread) and a
    progress row for each project and month (``n_months`` ending with ``last``; a few missing, a few drafts)."""
    rng = np.random.default_rng(seed)
    towns = dataset["townships"]
    codes = towns["code"].astype(str).to_numpy()
    pick = rng.integers(0, len(codes), n_projects)
    seat = towns.geometry.representative_point()
    xs = seat.x.to_numpy()[pick] + rng.normal(0, 0.01, n_projects)
    ys = seat.y.to_numpy()[pick] + rng.normal(0, 0.01, n_projects)
    ids = [f"D{i:05d}" for i in range(n_projects)]
    projects = gpd.GeoDataFrame({
        "project_id": ids, "name": [f"调度测试项目{i}号" for i in range(n_projects)],
        "category": np.array(CATEGORIES)[rng.integers(0, len(CATEGORIES), n_projects)], "township_code": codes[pick],
        "source_ref": "bench", "loc_precision": "surveyed", "public": False,
    }, geometry=gpd.points_from_xy(xs, ys), crs=4326)
    projects = coerce("projects", projects)
    projects["key_level"] = np.array(KEY_LEVELS)[rng.integers(0, 3, n_projects)]
    projects["lead_official"] = [f"领导{k}" for k in rng.integers(0, 25, n_projects)]
    projects["responsible_unit"] = [f"单位{k}" for k in rng.integers(0, 40, n_projects)]
    projects["stage"] = np.array(LIFECYCLE_STAGES)[rng.integers(0, len(LIFECYCLE_STAGES), n_projects)]
    projects["planned_start"] = [f"{2022 + k // 12}-{k % 12 + 1:02d}-01" for k in rng.integers(0, 60, n_projects)]
    months = months_back(last, n_months)
    pid = np.repeat(ids, len(months))
    mon = np.tile(months, n_projects)
    plan = np.repeat(rng.integers(500, 50000, n_projects).astype(float), len(months))
    mnum = np.array([int(m[5:7]) for m in mon])
    share = np.clip(mnum / 12 + rng.normal(0, 0.12, len(mon)), 0, 1.5)
    done = np.round(plan * share, 1)
    keep = rng.random(len(mon)) > 0.03  # some months not reported
    state = np.where(rng.random(len(mon)) < 0.05, "draft", "approved")
    progress = pd.DataFrame({
        "project_id": pid, "month": mon, "annual_plan_wan": plan, "month_done_wan": np.round(plan * 0.08, 1),
        "year_done_wan": done, "total_done_wan": done * 2, "physical_progress": "主体施工",
        "funds_in_place_wan": np.round(done * 0.9, 1), "in_statistics": True, "note": None, "state": state,
        "reported_by": "bench", "reported_at": None, "reviewed_by": None, "reviewed_at": None,
        "review_comment": None})[keep]
    problems = pd.DataFrame({
        "problem_id": [f"Q{i}" for i in range(n_projects // 10)], "project_id": ids[: n_projects // 10],
        "raised_month": last, "text": "用地手续待办", "needs": "自然资源局协调", "owner_unit": "自然资源局",
        "due": None, "status": "open", "resolved_at": None, "resolution": None})
    return Dataset({**dataset.layers, "projects": projects, "progress": progress.reset_index(drop=True),
                    "problems": problems})


def _median(fn, repeats: int, cpu: dict, name: str) -> tuple[float, object]:
    """The median wall-clock seconds of ``repeats`` calls (and, in ``cpu[name]``, the median CPU seconds of this
    process: what the machine's other load does not inflate)."""
    times, cpus, out = [], [], None
    for _ in range(max(1, repeats)):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    cpu[name] = round(statistics.median(cpus), 3)
    return round(statistics.median(times), 3), out


def run_dispatch(dataset, n_projects: int = 1000, n_months: int = 60, repeats: int = 3) -> dict:
    """Seconds for one month's figures (and the totals the 调度 view shows) and for the bulletin (xlsx, pdf)."""
    from .dispatch.figures import month_figures
    from .dispatch.rules import Rules
    from .dispatch.totals import GROUPS, not_reported, totals, township_ranking
    from .reports.bulletin import bulletin_data
    from .reports.bulletin_pdf import bulletin_pdf
    from .reports.bulletin_xlsx import bulletin_xlsx

    last = "2026-06"
    ds = synthetic_dispatch(dataset, n_projects, n_months, last)
    rules, today = Rules(), next_month(last) + "-10"

    def view():
        f = month_figures(ds["projects"], ds["progress"], last, today=today, rules=rules,
                          townships=ds["townships"], problems=ds["problems"])
        return f, [totals(f, g) for g in GROUPS], township_ranking(f), not_reported(f)

    cpu: dict = {}
    t_fig, (fig, *_rest) = _median(view, repeats, cpu, "figures_s")
    t_data, _ = _median(lambda: bulletin_data(ds, last, today=today, rules=rules), repeats, cpu, "bulletin_data_s")
    t_xlsx, xlsx = _median(lambda: bulletin_xlsx(ds, last, today=today, rules=rules), repeats, cpu,
                           "bulletin_xlsx_s")
    t_pdf, pdf = _median(lambda: bulletin_pdf(ds, last, today=today, rules=rules), max(1, repeats - 1), cpu,
                         "bulletin_pdf_s")
    return {"projects": n_projects, "months": n_months, "progress_rows": len(ds["progress"]),
            "month_projects": len(fig), "figures_s": t_fig, "bulletin_data_s": t_data,
            "bulletin_xlsx_s": t_xlsx, "bulletin_pdf_s": t_pdf, "xlsx_bytes": len(xlsx), "pdf_bytes": len(pdf),
            "cpu_s": cpu,
            "aims": {"figures_s": 1.0, "bulletin_s": 10.0}}


@contextlib.contextmanager
def scratch_dispatch_store(store_path: str | None, n_projects: int, n_months: int, last: str = "2026-06"):
    """A scratch GeoPackage copy of the store holding :func:`synthetic_dispatch`'s projects, reports and problems
    (written without backup or audit), yielded as ``(store, dataset)`` and removed afterwards."""
    import shutil
    import tempfile
    from pathlib import Path

    from .store import GpkgStore, open_store

    tmp = Path(tempfile.mkdtemp(prefix="xxgeo-dispatch-"))
    try:
        scratch = GpkgStore(tmp / "dispatch.gpkg")
        shutil.copy2(open_store(store_path).path, scratch.path)
        ds = synthetic_dispatch(scratch.load(), n_projects, n_months, last)
        progress = ds["progress"].assign(progress_id=lambda d: d["project_id"] + "/" + d["month"], version=1)
        scratch.write_layers({"projects": ds["projects"], "progress": progress, "problems": ds["problems"]},
                             backup=False, audit=False)
        yield scratch, ds
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run_new_month(store_path: str | None = None, n_projects: int = 1000, n_months: int = 60,
                  repeats: int = 3) -> dict:
    """Seconds to save a NEW month (``GuardedStore.save_progress``, a bureau editor) on a scratch GeoPackage copy
    of the store holding ``n_projects`` × ``n_months`` progress rows: the one-row insert it is now
    (``Store.insert_feature``) and, measured in the same run for the ratio, the whole-layer write it was before
    (read the layer, append, rewrite it, with a backup). The scratch copy is removed afterwards."""
    from .policy import Actor, GuardedStore
    from .policy_dispatch import append_row, find_project
    from .store import open_store
    from .store.frames import now_iso

    if open_store(store_path).kind != "gpkg":
        return {"skipped": "GeoPackage stores only (a scratch copy is made)"}
    with scratch_dispatch_store(store_path, n_projects, n_months) as (scratch, ds):
        progress = scratch.read("progress")
        editor = GuardedStore(scratch, Actor("bench", "editor"))
        ids = ds["projects"]["project_id"].astype(str).tolist()
        new = [f"2027-{m:02d}" for m in range(1, 13)]
        cpu: dict = {}
        turn = iter(range(10_000))

        def insert():
            k = next(turn)
            return editor.save_progress(ids[k % len(ids)], new[k // len(ids) % 12], {"year_done_wan": 1})

        def whole_layer():  # the route save_progress took before insert_feature
            k = next(turn)
            pid, month = ids[k % len(ids)], new[k // len(ids) % 12]

            def build(st, saved):
                find_project(st, pid)
                row = {"progress_id": f"{pid}/{month}", "project_id": pid, "month": month, "year_done_wan": 1,
                       "state": "draft", "reported_by": "bench", "reported_at": now_iso(), "version": 1}
                audit = {"user": "bench", "layer": "progress", "feature_id": row["progress_id"], "action": "import",
                         "before": None, "after": None}
                return {"progress": append_row(st.read("progress"), row)}, [audit]

            scratch.write_layers(build, action="progress")

        t_insert, _ = _median(insert, repeats, cpu, "insert_s")
        t_whole, _ = _median(whole_layer, repeats, cpu, "whole_layer_s")
        added = len(scratch.read("progress")) - len(progress)
    return {"progress_rows": len(progress), "rows_added": added, "insert_s": t_insert, "whole_layer_s": t_whole,
            "cpu_s": cpu,
            "whole_layer_vs_insert": round(t_whole / t_insert, 1) if t_insert else None}


def measure_dispatch_app(store_path: str | None = None, n_projects: int = 1000, n_months: int = 60,
                         last: str = "2026-06") -> dict:
    """Seconds per run of the 调度 view (``?view=dispatch&month=…``, Streamlit's AppTest, as ``bench --app``
    drives the planning view) on a scratch copy of the store holding :func:`synthetic_dispatch`'s projects and
    reports: the first run (reads, figures, map built), a rerun with nothing changed, a township filter, a
    light filter, another project's trend, the filters cleared. The issue's aim: a rerun under 1 s."""
    import os
    from unittest import mock

    from streamlit.testing.v1 import AppTest

    from .config import settings

    out: dict = {}
    with scratch_dispatch_store(store_path, n_projects, n_months, last) as (scratch, ds), \
            mock.patch.dict(os.environ, {"XXGEO_STORE": str(scratch.path), "XXGEO_USER": "bench"}):
        town = str(ds["projects"]["township_code"].mode().iloc[0])
        name = str(ds["townships"].loc[ds["townships"]["code"].astype(str) == town, "name"].iloc[0])
        at = AppTest.from_file(str(settings().root / "app.py"), default_timeout=600)
        at.query_params["view"] = "dispatch"
        at.query_params["month"] = last
        steps = [("first_run", lambda: at.run()),
                 ("rerun_unchanged", lambda: at.run()),
                 ("filter_township", lambda: at.multiselect(key="dp_f_township").set_value([name]).run()),
                 ("filter_light", lambda: at.multiselect(key="dp_f_light").set_value(["red"]).run()),
                 ("trend_other_project", lambda: at.selectbox(key="dp_trend").select_index(1).run()),
                 ("clear_filters", lambda: (at.multiselect(key="dp_f_township").set_value([]),
                                            at.multiselect(key="dp_f_light").set_value([]).run()))]
        for step_name, step in steps:
            t0 = time.perf_counter()
            step()
            out[step_name] = round(time.perf_counter() - t0, 3)
            if at.exception:
                raise RuntimeError(f"the 调度 view failed at {step_name}: {at.exception[0].value}")
    reruns = [v for k, v in out.items() if k != "first_run"]
    return {"projects": n_projects, "months": n_months, "view_rerun_s": out,
            "slowest_rerun_s": max(reruns), "aim_rerun_s": 1.0}
