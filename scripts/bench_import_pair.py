"""The import benchmark's cases measured two ways that a loaded machine disturbs less than one ``bench --import``
run (docs/PERFORMANCE.md, *Imports*): the minimum of three interleaved floor/import runs, and CPU seconds (this
process and the import worker, started with ``spawn`` here so that it is this process's child and counted).

    .venv/bin/python scripts/bench_import_pair.py . out-branch.json
    git archive main | tar -x -C /tmp/main-src
    .venv/bin/python scripts/bench_import_pair.py /tmp/main-src out-main.json   # the same machine, right after

``ROOT`` is the source tree whose ``xxgeo`` is measured; the store is ``--store`` (default: this tree's built one).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def _cpu() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _timed(fn, *args) -> tuple[float, float]:
    import time

    c0, t0 = _cpu(), time.perf_counter()
    fn(*args)
    return time.perf_counter() - t0, _cpu() - c0


def main() -> None:
    """Measure every case of ``xxgeo.bench_import.CASES`` for the tree ``root``; write and print the JSON."""
    ap = argparse.ArgumentParser()
    ap.add_argument("root")
    ap.add_argument("out")
    ap.add_argument("--store", default=str(HERE / "geodata" / "build" / "xxgeo.gpkg"))
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    root = str(Path(args.root).resolve())
    sys.path.insert(0, root)
    import shapely

    from xxgeo import bench_import as b
    from xxgeo.io import worker
    from xxgeo.store import GpkgStore

    assert b.__file__.startswith(root), f"xxgeo imported from {b.__file__}, not {root}"
    worker._context = lambda: multiprocessing.get_context("spawn")
    base = GpkgStore(args.store)
    county = shapely.union_all(base.read("county").geometry.values)
    tmp = Path(tempfile.mkdtemp(prefix="xxgeo-bench-pair-"))
    out: dict = {}
    try:
        for kind, n in b.CASES:
            path = b.make_file(kind, n, county, tmp)
            floor, fast, imp = [], [], []
            for _ in range(args.repeats):
                floor.append(_timed(b.floor_seconds, path, tmp))
                if "arrow" in b.floor_seconds.__code__.co_varnames:  # (older trees have only the default floor)
                    fast.append(_timed(b.floor_seconds, path, tmp, True))
                imp.append(_timed(b.import_seconds, path, base.path, tmp))
            (fw, fc), (iw, ic) = [tuple(min(x[k] for x in runs) for k in (0, 1)) for runs in (floor, imp)]
            out[f"{kind}_{n}"] = {"floor_min_s": round(fw, 3), "xxgeo_min_s": round(iw, 3),
                                  "ratio": round(iw / fw, 1), "floor_cpu_s": round(fc, 3), "xxgeo_cpu_s": round(ic, 3),
                                  "cpu_ratio": round(ic / fc, 1)}
            if fast:
                aw, ac = (min(x[k] for x in fast) for k in (0, 1))
                out[f"{kind}_{n}"].update(floor_arrow_min_s=round(aw, 3), ratio_vs_arrow=round(iw / aw, 1),
                                          floor_arrow_cpu_s=round(ac, 3), cpu_ratio_vs_arrow=round(ic / ac, 1))
            print(kind, n, out[f"{kind}_{n}"], flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    Path(args.out).write_text(json.dumps(out, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
