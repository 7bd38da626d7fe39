"""The command line (DESIGN.md section 4). ``python -m xxgeo COMMAND ...``.

Every command exits 0 on success. On bad input it prints one sentence to stderr saying what is wrong and
what to do, exits non-zero, and leaves the store as it was. No Python traceback reaches the user.

Commands live in small modules (``cli_*.py``), each with ``register(subparsers) -> {name: handler}``.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from ..errors import XxgeoError

COMMAND_MODULES = ("xxgeo.cli.core", "xxgeo.cli.data", "xxgeo.cli.map", "xxgeo.cli.report", "xxgeo.cli.users")


def _parser() -> tuple[argparse.ArgumentParser, dict]:
    p = argparse.ArgumentParser(prog="python -m xxgeo", description="夏县项目一张图 xxgeo 命令行")
    sub = p.add_subparsers(dest="command", required=True)
    handlers: dict = {}
    for mod in COMMAND_MODULES:
        try:
            m = importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            if exc.name == mod:
                continue
            raise
        handlers.update(m.register(sub))
    return p, handlers


def add_store_arg(p: argparse.ArgumentParser) -> None:
    """The ``--store`` option every command shares."""
    p.add_argument("--store", help="数据库路径（默认 geodata/build/xxgeo.gpkg，或环境变量 XXGEO_STORE）")


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    parser, handlers = _parser()
    args = parser.parse_args(argv)
    try:
        return handlers[args.command](args)
    except XxgeoError as exc:
        print(f"错误：{exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:  # pragma: no cover
        print("已取消。", file=sys.stderr)
        return 130
