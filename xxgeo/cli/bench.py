"""``bench``: xxgeo against plain Folium and FastMarkerCluster on the same synthetic points (docs/PERFORMANCE.md)."""

from __future__ import annotations

from ..errors import XxgeoError
from . import add_store_arg, lang_of


def register(sub) -> dict:
    """Add ``bench`` to the CLI."""
    b = sub.add_parser("bench", help="性能基准：与 Folium 对照")
    b.add_argument("--sizes", default="1000,10000,100000", help="逗号分隔的点数")
    b.add_argument("--json", action="store_true", help="输出 JSON")
    b.add_argument("--no-browser", action="store_true", help="不测浏览器绘制时间")
    b.add_argument("--repeats", type=int, default=3, metavar="N",
                   help="每个页面交错加载 N 次取中位数（默认 3；共享机器上噪声大时可加大）；"
                        "--import 时下限与导入交错各跑 N 次取最小值")
    b.add_argument("--app", type=int, metavar="N", help="另测应用在 N 个项目时每次重跑的秒数（AppTest）")
    b.add_argument("--check", type=int, metavar="N",
                   help="另测三区三线：N 个面的永久基本农田导入、检查与地图（如 100000）")
    b.add_argument("--dispatch", type=int, default=1000, metavar="N",
                   help="调度：N 个项目 × 60 个月的月报，一个月的指标、通报与调度视图每次重跑（AppTest）的秒数"
                        "（默认 1000；0 = 不测）")
    b.add_argument("--import", dest="imports", action="store_true",
                   help="只测导入：1 万 / 10 万点（CSV、GeoPackage）与 10 万面，对照 pyogrio 读写同一文件的时间")
    add_store_arg(b)
    return {"bench": cmd_bench}


def cmd_bench(args) -> int:
    """Run the benchmark and print the results."""
    from ..bench import run, to_json

    if args.imports:
        from ..bench import run_imports, to_json

        res = run_imports(args.store, repeats=args.repeats)
        if args.json:
            print(to_json(res))
        for case, r in ([] if args.json else res.items()):
            print(f"{case:>22}  pyogrio read+write {r['floor_s']:>6.2f} s (Arrow {r['floor_arrow_s']:.2f} s)  "
                  f"xxgeo import {r['xxgeo_s']:>6.2f} s  ratio {r['ratio']} (Arrow {r['ratio_vs_arrow']})"
                  if lang_of(args) == "en" else
                  f"{case:>22}  pyogrio 读写 {r['floor_s']:>6.2f} 秒（Arrow {r['floor_arrow_s']:.2f} 秒）  "
                  f"xxgeo 导入 {r['xxgeo_s']:>6.2f} 秒  比值 {r['ratio']}（Arrow {r['ratio_vs_arrow']}）")
        return 0
    try:
        sizes = tuple(int(s) for s in args.sizes.split(",") if s.strip())
    except ValueError:
        raise XxgeoError(f"--sizes 应为逗号分隔的整数，例如 1000,10000，而不是“{args.sizes}”。",
                         english=f"--sizes must be comma-separated integers such as 1000,10000, not "
                                 f"“{args.sizes}”.") from None
    res = (run(sizes, args.store, browser=not args.no_browser, repeats=args.repeats, dispatch=args.dispatch)
           if sizes else {"sizes": {}})
    if not sizes and args.dispatch:
        from ..bench_dispatch import run_dispatch
        from ..store import open_store

        res["dispatch"] = run_dispatch(open_store(args.store).load(), args.dispatch)
    if args.dispatch and "dispatch" in res:
        from ..bench_dispatch import measure_dispatch_app, run_new_month

        res["dispatch"]["new_month"] = run_new_month(args.store, args.dispatch, repeats=args.repeats)
        res["dispatch"]["view"] = measure_dispatch_app(args.store, args.dispatch)
    if args.check:
        from ..bench import run_check

        res["check"] = run_check(args.check, store_path=args.store, browser=not args.no_browser,
                                 repeats=args.repeats)
    if args.app:
        from ..bench import measure_app

        res["app"] = measure_app(args.app, args.store)
    if args.json:
        print(to_json(res))
    else:
        _print(res, lang_of(args) == "en")
    return 0


def _print(res: dict, en: bool) -> None:
    """The results, a line per part, in English (``en``) or Chinese; the figures as the JSON gives them."""
    for n, r in res["sizes"].items():
        print(f"{n:>7} points  bytes {r['bytes']}  drawn (ms) {r['drawn_ms']}  ratios {r['ratios']}" if en else
              f"{n:>7} 点  字节 {r['bytes']}  绘制(ms) {r['drawn_ms']}  比值 {r['ratios']}")
    if "check" in res:
        c = res["check"]
        print(f"Control lines ({c['polygons']} polygons): {c}" if en else f"三区三线（{c['polygons']} 个面）：{c}")
    if "dispatch" in res:
        d = res["dispatch"]
        print(f"Dispatch ({d['projects']} projects × {d['months']} months, s): one month's figures {d['figures_s']}, "
              f"bulletin Excel {d['bulletin_xlsx_s']}, PDF {d['bulletin_pdf_s']}" if en else
              f"调度（{d['projects']} 个项目 × {d['months']} 个月，秒）：一个月的指标 {d['figures_s']}，"
              f"通报 Excel {d['bulletin_xlsx_s']}，PDF {d['bulletin_pdf_s']}")
        nm = d.get("new_month", {})
        if "insert_s" in nm:
            print(f"Saving a new month ({nm['progress_rows']} monthly rows, s): one-row insert {nm['insert_s']}, "
                  f"the former whole-layer rewrite {nm['whole_layer_s']} ({nm['whole_layer_vs_insert']}×)" if en else
                  f"保存新的一个月（{nm['progress_rows']} 行月报，秒）：单行新增 {nm['insert_s']}，"
                  f"原来的整层重写 {nm['whole_layer_s']}（{nm['whole_layer_vs_insert']} 倍）")
        if "view" in d:
            v = d["view"]
            print(f"Dispatch view reruns (AppTest, s; aim < {v['aim_rerun_s']}): {v['view_rerun_s']}" if en else
                  f"调度视图重跑（AppTest，秒；目标 < {v['aim_rerun_s']}）：{v['view_rerun_s']}")
    if "app" in res:
        a = res["app"]
        print(f"App reruns ({a['projects']} projects, s): {a['app_rerun_s']}" if en else
              f"应用重跑（{a['projects']} 个项目，秒）：{a['app_rerun_s']}")
