"""``progress`` and ``problems``: the monthly 调度 cycle on the command line (issue 12).

Every write goes through the guarded store (:mod:`xxgeo.policy_dispatch`): with ``--user`` on a store with
accounts, a township head reports only on their own township's projects. Refusals are one sentence on stderr
and a non-zero exit (the boundary in :func:`xxgeo.cli.main`); ``--lang en`` prints English.
"""

from __future__ import annotations

import sys

from ..errors import ImportRefused, NotFound
from ..i18n import tr
from . import add_store_arg, lang_of
from .data import USER_HELP, _store


def register(sub) -> dict:
    """Add the ``progress`` and ``problems`` commands."""
    p = sub.add_parser("progress", help="月度调度：导入单位报表、填报、提交、审核、下载模板")
    psub = p.add_subparsers(dest="progress_command", required=True)
    i = psub.add_parser("import", help="导入单位报送的月度进度表（xlsx、xls、csv）")
    i.add_argument("file", metavar="FILE")
    i.add_argument("--month", help="表中没有“月份”列时的月份，YYYY-MM")
    i.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入")
    s = psub.add_parser("set", help="填报一个项目一个月的数值：FIELD=VALUE …（如 本年累计完成=1200）")
    s.add_argument("assignments", nargs="+", metavar="FIELD=VALUE")
    s.add_argument("--expected-version", type=int, help="您编辑时看到的版本（新月报为 0）；不一致时拒绝")
    steps = {"submit": "提交月报（乡镇负责人或编辑）", "approve": "审核通过（规划局编辑）",
             "return": "退回修改，须写 --comment（规划局编辑）"}
    for name, help_ in steps.items():
        t = psub.add_parser(name, help=help_)
        t.add_argument("--comment", default="", help="审核意见（退回时必填）")
        t.set_defaults(step=name)
    for q in (s, *(psub.choices[n] for n in steps)):
        q.add_argument("--id", required=True, dest="project_id", help="项目编号")
        q.add_argument("--month", required=True, help="月份，YYYY-MM")
    t = psub.add_parser("template", help="下载空白月度进度表（可按乡镇预填项目）")
    t.add_argument("--out", required=True, help="输出 .xlsx 文件")
    t.add_argument("--township", help="预填该乡镇的项目（名称、简称或代码）")
    t.add_argument("--month", help="预填的月份，YYYY-MM")
    ls = psub.add_parser("list", help="列出月报")
    ls.add_argument("--month", help="只列该月，YYYY-MM")
    ls.add_argument("--id", dest="project_id", help="只列该项目")
    for q in psub.choices.values():
        q.add_argument("--user", help=USER_HELP)
        add_store_arg(q)

    b = sub.add_parser("problems", help="问题清单：添加、办结、列出")
    bsub = b.add_subparsers(dest="problems_command", required=True)
    a = bsub.add_parser("add", help="为项目添加一个问题")
    a.add_argument("--id", required=True, dest="project_id", help="项目编号")
    a.add_argument("--month", required=True, help="提出月份，YYYY-MM")
    a.add_argument("--text", required=True, help="存在问题")
    a.add_argument("--needs", default="", help="需协调事项")
    a.add_argument("--owner-unit", default="", help="责任单位")
    a.add_argument("--due", help="办结时限，YYYY-MM-DD")
    r = bsub.add_parser("resolve", help="办结一个问题（规划局编辑）")
    r.add_argument("--problem-id", required=True)
    r.add_argument("--resolution", required=True, help="解决情况")
    bl = bsub.add_parser("list", help="列出问题")
    bl.add_argument("--status", choices=("open", "resolved", "all"), default="open")
    bl.add_argument("--id", dest="project_id", help="只列该项目")
    for q in bsub.choices.values():
        q.add_argument("--user", help=USER_HELP)
        add_store_arg(q)
    return {"progress": cmd_progress, "problems": cmd_problems}


def _assignments(items: list[str]) -> dict:
    """``["本年累计完成=1200", "note=..."]`` -> ``{"year_done_wan": "1200", ...}`` (fields or sheet headers)."""
    from ..dispatch.headers import VALUE_FIELDS_OF_SHEET, header_field

    out = {}
    for item in items:
        if "=" not in item:
            raise NotFound(f"“{item}”不是“字段=值”的形式，例如 year_done_wan=1200。",
                           english=f"“{item}” is not of the form field=value, for example year_done_wan=1200.")
        k, v = item.split("=", 1)
        f = k.strip() if k.strip() in VALUE_FIELDS_OF_SHEET else header_field(k)[0]
        if f not in VALUE_FIELDS_OF_SHEET:
            raise NotFound(f"月度进度没有字段“{k}”；可填：{'、'.join(VALUE_FIELDS_OF_SHEET)}。",
                           english=f"A monthly report has no field “{k}”; fields: {', '.join(VALUE_FIELDS_OF_SHEET)}.")
        out[f] = v
    return out


def cmd_progress(args) -> int:
    """Run ``progress import|set|submit|approve|return|template|list``."""
    lang = lang_of(args)
    store = _store(args)
    cmd = args.progress_command
    if cmd == "import":
        return _import(store, args, lang)
    if cmd == "set":
        from ..dispatch_values import month_of, progress_id
        from ..policy_dispatch import state_text

        version = store.save_progress(args.project_id, args.month, _assignments(args.assignments),
                                      expected_version=args.expected_version)
        rid = progress_id(args.project_id, month_of(args.month))
        rows = store.read("progress")
        state = rows.loc[rows["progress_id"] == rid, "state"].iloc[0]
        print(tr("dispatch.saved", lang, rid=rid, version=version, state=state_text(state, lang)))
        return 0
    if cmd in ("submit", "approve", "return"):
        from ..dispatch_values import month_of, progress_id
        from ..policy_dispatch import state_text

        state = store.transition_progress(args.project_id, args.month, cmd, comment=args.comment)
        rid = progress_id(args.project_id, month_of(args.month))
        print(tr("dispatch.moved", lang, rid=rid, state=state_text(state, lang)))
        return 0
    if cmd == "template":
        return _template(store, args, lang)
    return _list_progress(store, args, lang)


def _import(store, args, lang: str) -> int:
    rep = store.import_progress(args.file, args.month, dry_run=args.dry_run)
    for zh, en in rep.notes:
        print(tr("dispatch.note", lang, text=en if lang == "en" else zh))
    for m in rep.matched:
        print(tr("dispatch.matched_row", lang, row=_row_label(m["row"], lang), project_id=m["project_id"],
                 month=m["month"], by=tr(f"dispatch.by_{m['by']}", lang)))
    if rep.unmatched:
        print(tr("dispatch.unmatched_head", lang, n=len(rep.unmatched)))
        for u in rep.unmatched:
            print(tr("dispatch.unmatched_row", lang, row=_row_label(u["row"], lang), given=u["given"],
                     reason=u["reason_en"] if lang == "en" else u["reason"]))
    if rep.blank:
        shown = "、".join(rep.blank[:10]) + ("…" if len(rep.blank) > 10 else "")
        print(tr("dispatch.blank_rows", lang, n=len(rep.blank),
                 rows=", ".join(_row_label(b, lang) for b in rep.blank[:10]) if lang == "en" else shown))
    if not rep.matched:
        sys.stdout.flush()
        raise ImportRefused(tr("dispatch.nothing_matched"), english=tr("dispatch.nothing_matched", "en"))
    if rep.dry_run:
        print(tr("dispatch.import_dry", lang, matched=len(rep.matched), inserted=rep.inserted, updated=rep.updated,
                 problems=rep.problems_added))
        return 0
    backup = getattr(rep.backup, "name", None) or tr("dispatch.none", lang)
    print(tr("dispatch.import_done", lang, file=rep.file, matched=len(rep.matched), inserted=rep.inserted,
             updated=rep.updated, unchanged=rep.unchanged, problems=rep.problems_added, backup=backup))
    return 0


def _row_label(label: str, lang: str) -> str:
    return label.replace("第", "row ").replace("行", "") if lang == "en" else label


def _template(store, args, lang: str) -> int:
    from pathlib import Path

    from ..dispatch.template import progress_template
    from ..dispatch_values import month_of
    from ..files import write_atomic
    from ..names import resolve_township

    projects = None
    if args.township:
        code = resolve_township(args.township, store.read("townships"))
        df = store.read("projects")
        projects = df[df["township_code"].astype(str) == code]
    month = month_of(args.month, what="--month") if args.month else None
    data = progress_template(lang, projects, month)
    out = Path(args.out)
    write_atomic(out, data)
    print(tr("dispatch.template_written", lang, path=out, n=0 if projects is None else len(projects)))
    return 0


def _list_progress(store, args, lang: str) -> int:
    from ..dispatch_values import month_of
    from ..policy_dispatch import state_text
    from ..vocab import fmt_wan, local_time

    df = store.read("progress")
    if args.month:
        df = df[df["month"] == month_of(args.month, what="--month")]
    if args.project_id:
        df = df[df["project_id"].astype(str) == args.project_id]
    if not len(df):
        print(tr("dispatch.no_rows", lang))
        return 0
    for r in df.sort_values(["month", "project_id"]).to_dict("records"):
        print(f"{r['progress_id']}\t{state_text(r['state'], lang)}\t{fmt_wan(r['annual_plan_wan'], lang)}\t"
              f"{fmt_wan(r['year_done_wan'], lang)}\t{r['reported_by'] or ''} {local_time(r['reported_at'])}")
    return 0


def cmd_problems(args) -> int:
    """Run ``problems add|resolve|list``."""
    lang = lang_of(args)
    store = _store(args)
    if args.problems_command == "add":
        qid = store.add_problem(args.project_id, args.month, args.text, needs=args.needs,
                                owner_unit=args.owner_unit, due=args.due)
        print(tr("dispatch.problem_added", lang, qid=qid))
        return 0
    if args.problems_command == "resolve":
        store.resolve_problem(args.problem_id, args.resolution)
        print(tr("dispatch.problem_resolved", lang, qid=args.problem_id))
        return 0
    from ..vocab import local_time

    df = store.read("problems")
    if args.status != "all":
        df = df[df["status"] == args.status]
    if args.project_id:
        df = df[df["project_id"].astype(str) == args.project_id]
    if not len(df):
        print(tr("dispatch.no_problems", lang))
        return 0
    for r in df.to_dict("records"):
        print(f"{r['problem_id']}\t{tr('dispatch.status_' + str(r['status']), lang)}\t{r['text']}\t"
              f"{r['needs'] or ''}\t{r['owner_unit'] or ''}\t{r['due'] or ''}\t{r['raised_by'] or ''} "
              f"{local_time(r['raised_at'])}")
    return 0
