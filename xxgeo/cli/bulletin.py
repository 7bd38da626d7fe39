"""``bulletin``: the monthly 调度通报 as Excel (.xlsx) or PDF (issue 12 item 5; docs/DISPATCH.md)."""

from __future__ import annotations

from pathlib import Path

from . import add_store_arg, lang_of


def register(sub) -> dict:
    """Add ``bulletin`` to the CLI."""
    b = sub.add_parser("bulletin", help="月度调度通报：Excel（项目进度表、乡镇排名、分类汇总、未报项目）"
                                        "或 PDF（概况、预警分布图）")
    b.add_argument("--month", required=True, help="月份 YYYY-MM，例如 2026-06")
    b.add_argument("--out", required=True, help="输出文件：.xlsx 或 .pdf")
    b.add_argument("--township", help="只列这个乡镇的项目（名称、简称或代码）；乡镇排名仍为全县")
    b.add_argument("--today", help="按哪一天判断逾期未报（YYYY-MM-DD，默认今天，Asia/Shanghai）")
    b.add_argument("--rules", help="预警规则文件（默认：县域配置 [files] dispatch_rules）")
    add_store_arg(b)
    return {"bulletin": cmd_bulletin}


def cmd_bulletin(args) -> int:
    """Write the bulletin; one sentence and a non-zero exit for a bad month, township, rules file or suffix."""
    from ..dispatch.rules import load_rules
    from ..errors import DispatchError
    from ..files import write_atomic
    from ..i18n import tr
    from ..reports.bulletin import bulletin_data
    from ..reports.bulletin_pdf import bulletin_pdf_pages
    from ..reports.bulletin_xlsx import bulletin_xlsx
    from ..store import open_store

    lang = lang_of(args)
    suffix = Path(args.out).suffix.lower()
    if suffix not in (".xlsx", ".pdf"):
        raise DispatchError(f"通报只能写成 .xlsx 或 .pdf，而不是“{args.out}”：请用 --out 通报.xlsx 或 --out 通报.pdf。",
                            english=f"The bulletin is written as .xlsx or .pdf, not “{args.out}”; use --out "
                                    "bulletin.xlsx or --out bulletin.pdf.")
    rules = load_rules(args.rules)
    ds = open_store(args.store).load()
    b = bulletin_data(ds, args.month, township=args.township, today=args.today, rules=rules)
    if suffix == ".xlsx":
        data = bulletin_xlsx(ds, b.month, lang=lang, data=b)
        what = tr("bulletin.what_xlsx", lang, month=b.month, n=len(b.figures))
    else:
        data, pages = bulletin_pdf_pages(ds, b.month, lang=lang, data=b)
        what = tr("bulletin.what_pdf", lang, month=b.month, pages=pages, n=len(b.figures))
    out = write_atomic(Path(args.out), data)
    print(tr("bulletin.written", lang, out=out, what=what, kb=f"{len(data) / 1024:.0f}"))
    return 0
