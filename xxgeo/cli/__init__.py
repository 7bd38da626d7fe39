"""The command line (DESIGN.md section 4). ``python -m xxgeo [--lang zh|en] COMMAND ...``.

Every command exits 0 on success. On bad input, or when an output or the store cannot be written (no
permission, a full disk, a read-only or locked store), it prints one sentence to stderr saying what is
wrong and what to do, exits non-zero, and leaves the store as it was. No Python traceback reaches the user:
:func:`main` is the boundary, and the sentences come from one table (:func:`xxgeo.errors.user_message`).
An exception that table does not know is a bug and propagates.

Commands live in one module per group (:data:`COMMAND_MODULES`), each with
``register(subparsers) -> {name: handler}``; a listed module that fails to import is an error.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys

from ..config import settings
from ..errors import exit_code, handled_types, user_message
from ..forkstart import wants_worker, warm

#: the command groups, in the order ``--help`` lists them
COMMAND_MODULES = ("xxgeo.cli.core", "xxgeo.cli.bench", "xxgeo.cli.data", "xxgeo.cli.map", "xxgeo.cli.report",
                   "xxgeo.cli.users", "xxgeo.cli.bulletin", "xxgeo.cli.basemap", "xxgeo.cli.progress",
                   "xxgeo.cli.printing", "xxgeo.cli.check")
LANG_HELP = "语言（消息与输出）：zh（中文，默认；或环境变量 XXGEO_LANG）或 en（English）"


def _parser(lang: str) -> tuple[argparse.ArgumentParser, dict]:
    from ..county import county

    title = county().title(lang)
    p = argparse.ArgumentParser(prog="python -m xxgeo", description=f"{title} xxgeo 命令行" if lang != "en"
                                else f"{title}: the xxgeo command line")
    p.add_argument("--lang", choices=("zh", "en"), default=None, help=LANG_HELP)
    sub = p.add_subparsers(dest="command", required=True)
    handlers: dict = {}
    for mod in COMMAND_MODULES:
        handlers.update(importlib.import_module(mod).register(sub))
    return p, handlers


def add_store_arg(p: argparse.ArgumentParser) -> None:
    """The options every command shares: ``--store``, and ``--lang`` (also accepted after the command)."""
    p.add_argument("--store", help="数据库路径（默认 geodata/build/xxgeo.gpkg，或环境变量 XXGEO_STORE）")
    p.add_argument("--lang", choices=("zh", "en"), default=argparse.SUPPRESS, help=LANG_HELP)


def lang_of(args: argparse.Namespace) -> str:
    """The language the user asked for: ``--lang``, else ``XXGEO_LANG``, else Chinese."""
    return getattr(args, "lang", None) or settings().lang


def _shown(store: str) -> str:
    """The store as an error may name it: a database URL without its user and password."""
    return re.sub(r"^([a-z][a-z0-9+.-]*://)[^@/]*@", r"\1", store, flags=re.IGNORECASE)


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    if wants_worker(sys.argv[1:] if argv is None else list(argv)):
        warm()  # the parsing worker's forkserver imports its modules while this process imports the rest
    lang, store = settings().lang, None
    try:
        parser, handlers = _parser(lang)
        args = parser.parse_args(argv)
        lang, store = lang_of(args), _shown(getattr(args, "store", None) or settings().store)
        return handlers[args.command](args)
    except KeyboardInterrupt:  # pragma: no cover
        print("Cancelled." if lang == "en" else "已取消。", file=sys.stderr)
        return 130
    except handled_types() as exc:  # the boundary: a sentence for what the table knows; anything else propagates
        msg = user_message(exc, lang, path=store)
        if msg is None:
            raise
        print(f"Error: {msg}" if lang == "en" else f"错误：{msg}", file=sys.stderr)
        return exit_code(exc)
