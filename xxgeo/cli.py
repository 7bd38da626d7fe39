"""The command line (DESIGN.md section 4). ``python -m xxgeo COMMAND ...``.

Every command exits 0 on success. On bad input it prints one sentence to stderr saying what is wrong and
what to do, exits non-zero, and leaves the store as it was. No Python traceback reaches the user.
"""

from __future__ import annotations

import argparse
import sys

from .errors import XxgeoError


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m xxgeo", description="夏县项目一张图 xxgeo 命令行")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="从 geodata/sources 构建默认数据库")
    b.add_argument("--store", help="数据库路径（默认 geodata/build/xxgeo.gpkg 或 XXGEO_STORE）")

    v = sub.add_parser("validate", help="按数据模型检查每个图层")
    v.add_argument("--store")
    return p


def cmd_build(args) -> int:
    from .sources.build import build

    store = build(args.store)
    rep = store.validate()
    counts = {n: len(store.read(n)) for n in ("townships", "villages", "parks", "scenic_sites", "roads",
                                               "projects", "indicators")}
    print(f"已构建 {store.path}：" + "，".join(f"{k} {v}" for k, v in counts.items()))
    if not rep.ok:
        for prob in rep.errors:
            print(f"  问题：{prob}", file=sys.stderr)
        print(f"构建完成，但校验发现 {len(rep.errors)} 个问题。", file=sys.stderr)
        return 1
    return 0


def cmd_validate(args) -> int:
    from .store import open_store

    store = open_store(args.store)
    rep = store.validate()
    for prob in rep.problems:
        print(f"{'错误' if prob.severity == 'error' else '提示'}：{prob}")
    if rep.ok:
        print(f"校验通过：{store.path}")
        return 0
    print(f"校验未通过：共 {len(rep.errors)} 个问题。", file=sys.stderr)
    return 1


COMMANDS = {"build": cmd_build, "validate": cmd_validate}


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except XxgeoError as exc:
        print(f"错误：{exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:  # pragma: no cover
        print("已取消。", file=sys.stderr)
        return 130
