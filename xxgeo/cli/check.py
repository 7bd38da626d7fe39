"""``check`` (the 三区三线 compliance check, issue 16) and the constraints branch of ``import --kind``."""

from __future__ import annotations

from pathlib import Path

from ..errors import ImportRefused
from ..io.wording import note_text
from . import add_store_arg, lang_of

USER_HELP = "用户名（数据库设有账号时须是其中之一：规划局编辑、管理员或乡镇负责人）"


def register(sub) -> dict:
    """Add ``check`` to the CLI."""
    p = sub.add_parser("check", help="三区三线合规检查：项目与管控边界（永久基本农田等）的占用、项目重叠、"
                                     "景区文物保护距离")
    p.add_argument("--against", nargs="+", action="extend", metavar="KIND",
                   help="只对照这些管控类型（默认：已导入的全部类型）")
    p.add_argument("--township", help="只检查一个乡镇的项目（名称、简称或代码）")
    p.add_argument("--protection", nargs="+", action="extend", metavar="KIND=M",
                   help="景区文物的保护距离（米），按景区类型，如 遗址=200 景区=500；只写米数则所有类型相同；"
                        "覆盖 geodata/constraints.toml 的 [protection_m]")
    p.add_argument("--out", required=True, help="输出文件：.xlsx 或 .pdf")
    add_store_arg(p)
    p.add_argument("--user", help=USER_HELP)
    return {"check": cmd_check}


def _store(args):
    from ..policy import GuardedStore, cli_actor
    from ..store import open_store

    store = open_store(args.store)
    return GuardedStore(store, cli_actor(store, getattr(args, "user", None)))


def cmd_check(args) -> int:
    """Run the check and write the workbook or the PDF; a one-line summary on stdout."""
    from ..constraints.run import check_store, names_of, township_code
    from ..constraints.tables import about_rows, to_xlsx
    from ..files import write_atomic
    from ..policy import check_signed_in

    lang = lang_of(args)
    out = Path(args.out)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("xlsx", "pdf"):
        raise ImportRefused(f"输出文件“{out.name}”须以 .xlsx 或 .pdf 结尾。",
                            english=f"The output “{out.name}” must end in .xlsx or .pdf.")
    store = _store(args)
    store.require()
    check_signed_in(store.actor)  # editors, admins and township heads
    code = township_code(store, args.township)
    result = check_store(store, against=args.against, township=code, protection=args.protection)
    towns = names_of(store)
    title = ("Compliance check against the control lines (三区三线)" if lang == "en" else "三区三线合规检查")
    about = about_rows(result, lang, title=title, against=args.against or [],
                       township=towns.get(code) if code else None, version=store.version())
    if fmt == "xlsx":
        data = to_xlsx(result, lang, about, towns)
    else:
        from ..reports.compliance import compliance_pdf

        data = compliance_pdf(result, lang, about, towns)
    path = write_atomic(out, data)
    c = result.counts()
    if lang == "en":
        print(f"Checked {len(result.projects)} projects against {len(result.kinds)} kind(s) of control line: "
              f"{c['冲突']} conflict, {c['需核实']} to verify, {c['无冲突']} no conflict, "
              f"{c['无法判断']} cannot judge; "
              f"written to {path}")
    else:
        print(f"已检查 {len(result.projects)} 个项目（对照 {len(result.kinds)} 类管控边界）：冲突 {c['冲突']}，需核实 "
              f"{c['需核实']}，无冲突 {c['无冲突']}，无法判断 {c['无法判断']}；已写入 {path}")
    for zh, en in result.notes:
        print(("Note: " + en) if lang == "en" else ("提示：" + zh))
    return 0


def import_constraints(args, store, user: str) -> int:
    """``import FILE --layer constraints --kind KIND``: replace that kind as a whole (one transaction, backup)."""
    from ..constraints.importer import commit_constraints, prepare_constraints

    lang = lang_of(args)
    if args.layer != "constraints":
        raise ImportRefused(f"--kind 只用于 --layer constraints（管控边界），不用于图层“{args.layer}”。",
                            english=f"--kind applies to --layer constraints only, not to “{args.layer}”.")
    plan = prepare_constraints(args.file, args.kind, store, rule=args.rule, crs=args.crs, encoding=args.encoding,
                               source_layer=args.source_layer)
    for n in plan.notes:
        print(f"Note: {note_text(n, 'en')}" if lang == "en" else f"提示：{n}")
    if args.dry_run:
        print(("Checked (nothing written): " if lang == "en" else "检查完成（未写入）：") + plan.summary(lang)
              + ("." if lang == "en" else "。"))
        return 0
    commit_constraints(plan, store, user=store.actor.user if hasattr(store, "actor") else user)
    backup = plan.backup.name if plan.backup else ("none" if lang == "en" else "无")
    if lang == "en":
        print(f"Imported into constraints: {len(plan.frame)} polygons of “{plan.kind}” (rule {plan.rule}) replace "
              f"the {plan.replaced} stored before. Backup taken first: {backup}")
    else:
        print(f"已导入到 constraints：“{plan.kind}”（规则 {plan.rule}）{len(plan.frame)} 个面，"
              f"替换原有的 {plan.replaced} 个。导入前的备份：{backup}")
    return 0
