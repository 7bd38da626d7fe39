"""``build`` and ``validate``."""

from __future__ import annotations

import sys

from . import add_store_arg


def register(sub) -> dict:
    """Add the commands to the CLI."""
    b = sub.add_parser("build", help="从 geodata/sources 构建默认数据库")
    add_store_arg(b)
    v = sub.add_parser("validate", help="按数据模型检查每个图层")
    add_store_arg(v)
    return {"build": cmd_build, "validate": cmd_validate, **register_bench(sub)}


def cmd_build(args) -> int:
    """Build the default store, then validate it."""
    from ..sources.build import build
    from ..store import open_store

    existed = open_store(args.store).exists()
    store = build(args.store)
    rep = store.validate()
    counts = {n: len(store.read(n)) for n in ("townships", "villages", "parks", "scenic_sites", "roads",
                                               "projects", "indicators")}
    print(f"已构建 {store.path}：" + "，".join(f"{k} {v}" for k, v in counts.items()))
    if existed:
        print("原有数据已先另存为备份（python -m xxgeo restore 可列出并恢复）；账号保留不变。")
    if not rep.ok:
        for prob in rep.errors:
            print(f"  问题：{prob}", file=sys.stderr)
        print(f"构建完成，但校验发现 {len(rep.errors)} 个问题。", file=sys.stderr)
        return 1
    return 0


def cmd_validate(args) -> int:
    """Validate every layer; non-zero exit when any problem is an error."""
    from ..store import open_store

    store = open_store(args.store)
    rep = store.validate()
    for prob in rep.problems:
        print(f"{'错误' if prob.severity == 'error' else '提示'}：{prob}")
    if rep.ok:
        print(f"校验通过：{store.path}")
        return 0
    print(f"校验未通过：共 {len(rep.errors)} 个问题（见上）。", file=sys.stderr)
    return 1


def register_bench(sub) -> dict:
    """``bench``: xxgeo against plain Folium and FastMarkerCluster on the same synthetic points."""
    b = sub.add_parser("bench", help="性能基准：与 Folium 对照")
    b.add_argument("--sizes", default="1000,10000,100000", help="逗号分隔的点数")
    b.add_argument("--json", action="store_true", help="输出 JSON")
    b.add_argument("--no-browser", action="store_true", help="不测浏览器绘制时间")
    b.add_argument("--repeats", type=int, default=3, metavar="N",
                   help="每个页面交错加载 N 次取中位数（默认 3；共享机器上噪声大时可加大）")
    b.add_argument("--app", type=int, metavar="N", help="另测应用在 N 个项目时每次重跑的秒数（AppTest）")
    add_store_arg(b)
    return {"bench": cmd_bench}


def cmd_bench(args) -> int:
    """Run the benchmark and print the results."""
    from ..bench import run, to_json
    from ..errors import XxgeoError

    try:
        sizes = tuple(int(s) for s in args.sizes.split(",") if s.strip())
    except ValueError:
        raise XxgeoError(f"--sizes 应为逗号分隔的整数，例如 1000,10000，而不是“{args.sizes}”。") from None
    res = run(sizes, args.store, browser=not args.no_browser, repeats=args.repeats) if sizes else {"sizes": {}}
    if args.app:
        from ..bench import measure_app

        res["app"] = measure_app(args.app, args.store)
    if args.json:
        print(to_json(res))
    else:
        for n, r in res["sizes"].items():
            print(f"{n:>7} 点  字节 {r['bytes']}  绘制(ms) {r['drawn_ms']}  比值 {r['ratios']}")
        if "app" in res:
            print(f"应用重跑（{res['app']['projects']} 个项目，秒）：{res['app']['app_rerun_s']}")
    return 0
