"""An independent concurrent-edit run (issue 6): two editors and a township head, each in its own OS process,
edit at the same time through the store layer with their roles; then every change is accounted for.

    .venv/bin/python scripts/concurrency_check.py --store geodata/build/xxgeo.gpkg --rounds 25
    .venv/bin/python scripts/concurrency_check.py --store postgresql://USER:PASS@HOST:PORT/DB?schema=NAME

Work on a copy or a scratch schema: the run changes the store (every change is audited, nothing is lost).
- editor 甲 sets ``status`` of project P (in 裴介镇) ``rounds`` times; editor 乙 sets ``investment_wan`` of the
  same P at the same time; the township head of 裴介镇 sets ``status`` of project Q (their own) and tries project
  R (another township's) every round.
- Expected: P's version rose by 2×rounds and holds both editors' last values; Q's by rounds; R unchanged and every
  attempt on it refused; audit_log has exactly rounds rows per user for these projects, none for R.
Exits 0 when everything is accounted for, 1 otherwise (and says what).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PEIJIE = "140828102"


def _worker(location: str, who: tuple, jobs: list, start, out) -> None:
    from xxgeo.errors import XxgeoError
    from xxgeo.policy import Actor, GuardedStore
    from xxgeo.store import open_store

    store = GuardedStore(open_store(location), Actor(*who))
    done, refused, errors = 0, 0, []
    start.wait()
    for pid, changes, expect_refusal in jobs:
        try:
            store.update_feature("projects", pid, changes)
            done += 1
        except XxgeoError as exc:
            if expect_refusal:
                refused += 1
            else:
                errors.append(exc.message)
    out.put((who[0], done, refused, errors))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", required=True)
    ap.add_argument("--rounds", type=int, default=25)
    args = ap.parse_args(argv)
    from xxgeo.store import open_store

    store = open_store(args.store)
    p = store.read("projects")
    log0 = len(store.read("audit_log"))
    mine = p.loc[p["township_code"] == PEIJIE, "project_id"].astype(str).tolist()
    P, Q = mine[0], mine[1]
    R = str(p.loc[p["township_code"].notna() & (p["township_code"] != PEIJIE), "project_id"].iloc[0])
    before = p.set_index("project_id")
    n = args.rounds
    plan = {
        ("甲", "editor", None): [(P, {"status": f"甲-{i}"}, False) for i in range(n)],
        ("乙", "editor", None): [(P, {"investment_wan": float(i + 1)}, False) for i in range(n)],
        ("镇长", "township", PEIJIE): [job for i in range(n) for job in
                                     ((Q, {"status": f"镇-{i}"}, False), (R, {"status": "越权"}, True))],
    }
    ctx = mp.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(args.store, who, jobs, start, out)) for who, jobs in plan.items()]
    for pr in procs:
        pr.start()
    time.sleep(3)  # every process imported and connected
    t0 = time.perf_counter()
    start.set()
    results = {r[0]: r[1:] for r in (out.get(timeout=600) for _ in procs)}
    for pr in procs:
        pr.join(60)
    secs = time.perf_counter() - t0

    after = store.read("projects").set_index("project_id")
    log = store.read("audit_log").iloc[log0:]
    problems = []

    def expect(ok: bool, what: str) -> None:
        print(("ok   " if ok else "FAIL ") + what)
        if not ok:
            problems.append(what)

    for user, (done, refused, errors) in sorted(results.items()):
        print(f"{user}: {done} edits landed, {refused} refused as expected, {len(errors)} unexpected errors")
        expect(not errors, f"{user}: no unexpected error {errors[:3]}")
    v = lambda df, pid: int(df.loc[pid, "version"])  # noqa: E731
    expect(v(after, P) == v(before, P) + 2 * n, f"P {P}: version {v(before, P)} → {v(after, P)} (+{2 * n} expected)")
    expect(after.loc[P, "status"] == f"甲-{n - 1}" and after.loc[P, "investment_wan"] == float(n),
           f"P {P}: both editors' last values kept ({after.loc[P, 'status']}, {after.loc[P, 'investment_wan']})")
    expect(v(after, Q) == v(before, Q) + n and after.loc[Q, "status"] == f"镇-{n - 1}",
           f"Q {Q}: version +{n}, township head's last value kept")
    expect(v(after, R) == v(before, R) and after.loc[R, "status"] == before.loc[R, "status"],
           f"R {R} (another township): unchanged")
    counts = log.groupby("user").size().to_dict()
    expect(counts == {"甲": n, "乙": n, "镇长": n}, f"audit rows per user {counts} (expected {n} each)")
    expect(R not in set(log["feature_id"].dropna()), "no audit row for the refused project")
    print(f"{sum(r[0] for r in results.values())} edits from 3 processes in {secs:.1f} s on {store.location}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
