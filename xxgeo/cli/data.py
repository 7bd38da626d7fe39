"""``import``, ``export``, ``set``, ``restore`` and ``undo`` (DESIGN.md section 4; issue 4)."""

from __future__ import annotations

import sys

from ..config import settings
from ..errors import ValidationFailed
from ..io.wording import note_text
from ..precision import CODES as PRECISION_CODES
from . import add_store_arg, lang_of

USER_HELP = ("用户名，记入修改记录（默认 XXGEO_USER 或 planner）；"
             "数据库设有账号时须是其中之一，并按该账号的角色检查权限")


def register(sub) -> dict:
    """Add the data commands to the CLI."""
    p = sub.add_parser("import", help="导入 Shapefile(zip)/GeoPackage/GeoJSON/KML/KMZ/CSV/Excel 到一个图层")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--layer", required=True, help="目标图层，如 projects、townships、township_indicators")
    add_store_arg(p)
    p.add_argument("--crs", help="坐标系：EPSG:4546、EPSG:4525、cgcs2000、西安80、北京54、gcj02（高德）、bd09（百度）…")
    p.add_argument("--encoding", help="属性表/文本编码（默认：.cpg，否则自动识别 UTF-8 或 GBK）")
    p.add_argument("--replace", action="store_true", help="整层替换（默认：按编号新增或更新）")
    p.add_argument("--source-layer", help="文件中有多个图层时，要导入的那个")
    p.add_argument("--user", help=USER_HELP)
    p.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入")
    p.add_argument("--precision", metavar="CODE",
                   help="文件中位置的精度（带位置的行没有“位置精度”值时必填，不会默认按实测）："
                        + "|".join(PRECISION_CODES) + "（或中文名称）")
    p.add_argument("--default", action="append", metavar="FIELD=VALUE",
                   help="文件中为空的字段按此填写，可重复：--default 类别=工业（也可写 category=工业）")
    p.add_argument("--accept-matches", action="store_true",
                   help="名称与已有项目相近（不完全相同）的行，确认对应到那些项目（先不加此项运行，核对列出的名单）")
    p.add_argument("--kind", help="--layer constraints：管控类型（如 永久基本农田），该类型原有数据被整体替换")
    p.add_argument("--rule", help="--layer constraints：管控规则 forbidden / restricted / must-be-inside（默认按类型）")

    e = sub.add_parser("export", help="导出图层：gpkg、geojson、shp（zip）、xlsx、csv、kml")
    e.add_argument("--layer", required=True)
    e.add_argument("--format", required=True, choices=("gpkg", "geojson", "shp", "xlsx", "csv", "kml"))
    e.add_argument("--out", required=True, help="输出文件（或目录）")
    add_store_arg(e)
    e.add_argument("--township", help="乡镇名称、简称或代码")
    e.add_argument("--category", help="项目类别")
    e.add_argument("--public-only", action="store_true", help="只导出公开项目和公开字段")
    e.add_argument("--user", help=USER_HELP)

    s = sub.add_parser("set", help="修改一个要素的属性：FIELD=VALUE …（lon=/lat= 移动位置）")
    s.add_argument("--layer", required=True)
    s.add_argument("--id", required=True, dest="feature_id")
    s.add_argument("assignments", nargs="+", metavar="FIELD=VALUE")
    s.add_argument("--user", help=USER_HELP)
    add_store_arg(s)
    s.add_argument("--expected-version", type=int, help="您编辑时看到的版本；不一致时拒绝修改")

    r = sub.add_parser("restore", help="列出备份，或恢复其中一个")
    r.add_argument("backup", nargs="?", metavar="BACKUP")
    add_store_arg(r)
    r.add_argument("--user", help=USER_HELP)

    u = sub.add_parser("undo", help="撤销最近一次修改（编辑或导入）")
    u.add_argument("--user", help=USER_HELP)
    add_store_arg(u)
    u.add_argument("--dry-run", action="store_true", help="只显示将撤销什么")
    return {"import": cmd_import, "export": cmd_export, "set": cmd_set, "restore": cmd_restore, "undo": cmd_undo}


def _user(args) -> str:
    """The name written into the audit log: ``--user``, else ``XXGEO_USER`` (``settings().default_user``)."""
    return args.user or settings().default_user


def _store(args):
    """The store as the command's user sees it: an account's role when ``--user`` names one (see
    :func:`xxgeo.policy.cli_actor`); every write is checked by :class:`~xxgeo.policy.GuardedStore`."""
    from ..policy import GuardedStore, cli_actor
    from ..store import open_store

    store = open_store(args.store)
    return GuardedStore(store, cli_actor(store, getattr(args, "user", None)))


def cmd_import(args) -> int:
    """Import a file; notes on stdout, one-line refusal on stderr."""
    from ..importers import commit_import, prepare_import, refusal

    store = _store(args)
    if args.layer == "constraints" or args.kind:
        from .check import import_constraints

        return import_constraints(args, store, _user(args))
    plan = prepare_import(args.file, args.layer, store, crs=args.crs, encoding=args.encoding, replace=args.replace,
                          source_layer=args.source_layer, user=_user(args), precision=args.precision,
                          defaults=args.default, accept_matches=args.accept_matches)
    en = lang_of(args) == "en"
    for n in plan.notes:
        print(f"Note: {note_text(n, 'en')}" if en else f"提示：{n}")
    for c in plan.candidates:
        if en:
            print(f"{'Confirmed' if args.accept_matches else 'To confirm'}: {c.text('en')}")
        else:
            print(f"{'已确认' if args.accept_matches else '待确认'}：{c.text()}")
    if args.dry_run:
        for p in plan.problems:
            print(f"Problem: {note_text(p, 'en')}" if en else f"问题：{p}")
        if en:
            print(f"Checked (nothing written): {plan.summary_text('en') or 'problems found, cannot import'}.")
        else:
            print(f"检查完成（未写入）：{plan.summary or '有问题，不能导入'}。")
        return 0 if plan.ok else 1
    if not plan.ok:
        exc = refusal(plan)
        if len(plan.problems) > 3:
            exc = ValidationFailed(exc.message.rstrip("。") + "；加 --dry-run 可列出全部问题。", plan.problems,
                                   english=(exc.english or "").rstrip(".") + "; add --dry-run to list every problem.")
        raise exc
    res = commit_import(plan, store, user=_user(args))
    if en:
        print(f"Imported into {args.layer}: {res.inserted} added, {res.updated} updated, {res.unchanged} unchanged"
              + (f", {res.deleted} deleted" if args.replace else "") + ". Backup taken before the import: "
              f"{res.backup.name if res.backup else 'none'}")
        return 0
    print(f"已导入到 {args.layer}：新增 {res.inserted} 行，更新 {res.updated} 行，未变 {res.unchanged} 行"
          + (f"，删除 {res.deleted} 行" if args.replace else "") + f"。导入前的备份："
          f"{res.backup.name if res.backup else '无'}")
    return 0


def cmd_export(args) -> int:
    """Export a layer."""
    from ..export import export_layer, write

    store = _store(args)
    res = export_layer(store, args.layer, args.format, township=args.township, category=args.category,
                       public_only=args.public_only)
    path = write(res, args.out)
    en = lang_of(args) == "en"
    for n in res.notes:
        print(f"Note: {note_text(n, 'en')}" if en else f"提示：{n}")
    print(f"Exported {res.rows} rows to {path}" if en else f"已导出 {res.rows} 行到 {path}")
    return 0


def cmd_set(args) -> int:
    """Edit one feature (version-checked, audited)."""
    from ..edits import set_fields

    store = _store(args)
    version, changes = set_fields(store, args.layer, args.feature_id, args.assignments, user=_user(args),
                                  expected_version=args.expected_version)
    shown = "，".join(f"{k}={'（空）' if v is None else v}" for k, v in changes.items())
    moved = [a for a in args.assignments if a.split("=", 1)[0].strip().lower() in ("lon", "lat", "经度", "纬度")]
    print(f"已修改 {args.feature_id}：{shown}{'，位置 ' + ' '.join(moved) if moved else ''}（现为版本 {version}）")
    return 0


def cmd_restore(args) -> int:
    """List backups, or restore one (the current store is backed up first)."""
    store = _store(args)
    if not args.backup:
        backups = store.list_backups()
        if not backups:
            print("没有备份。")
            return 0
        print("备份（最新在前）：")
        for b in backups:
            print(f"  {b.name}  {b.stat().st_size / 1024:.0f} KB")
        print("恢复：python -m xxgeo restore 备份名")
        return 0
    src = store.restore(args.backup, user=_user(args))
    print(f"已恢复备份 {src.name}（恢复前的数据已另存为备份）。")
    return 0


def cmd_undo(args) -> int:
    """Undo the last change."""
    from ..edits import last_change, undo_last

    store = _store(args)
    if args.dry_run:
        ch = last_change(store)
        print(f"将撤销：{ch.describe()}" if ch else "没有可以撤销的修改。")
        return 0
    print(undo_last(store, user=_user(args)))  # the guarded store lets editors and admins only
    sys.stdout.flush()
    return 0
