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
    return {"build": cmd_build, "validate": cmd_validate}


def cmd_build(args) -> int:
    """Build the default store, then validate it."""
    from ..sources.build import build
    from ..store import open_store

    existed = open_store(args.store).exists()
    store = build(args.store)
    rep = store.validate()
    counts = {n: len(store.read(n)) for n in ("townships", "villages", "parks", "scenic_sites", "roads",
                                               "projects", "indicators")}
    print(f"已构建 {store.location}：" + "，".join(f"{k} {v}" for k, v in counts.items()))
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
        print(f"校验通过：{store.location}")
        return 0
    print(f"校验未通过：共 {len(rep.errors)} 个问题（见上）。", file=sys.stderr)
    return 1
