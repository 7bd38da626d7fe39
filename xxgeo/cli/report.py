"""``report``: the township one-pager, the bilingual park brochure (PDF) and the 挂图作战 print map (PNG)."""

from __future__ import annotations

from pathlib import Path

from . import add_store_arg, lang_of


def register(sub) -> dict:
    """Add the command to the CLI."""
    r = sub.add_parser("report", help="乡镇一页报告 / 园区招商手册（PDF），或挂图作战打印图（PNG）")
    r.add_argument("kind", choices=("township", "park", "parcel"),
                   help="township = 乡镇报告；park = 园区招商手册；parcel = 可供地块单页（仅公开地块）")
    r.add_argument("name", help="乡镇或园区名称（可写简称、代码或园区编号），或地块编号")
    r.add_argument("--out", required=True, help="输出文件（.pdf 或 .png）")
    add_store_arg(r)
    r.add_argument("--format", choices=("pdf", "png"), default=None,
                   help="pdf（默认）或 png（打印用地图，300 dpi）；不写时按 --out 的扩展名")
    r.add_argument("--paper", choices=("A4", "A3"), default="A4", help="png 的纸张（横向），默认 A4")
    r.add_argument("--basemap", help="底图包名称：画在报告地图之下（python -m xxgeo basemap list）")
    return {"report": cmd_report}


def cmd_report(args) -> int:
    """Write the report; one clear sentence and a non-zero exit when the name is unknown."""
    from ..files import write_atomic
    from ..names import resolve_park, resolve_township
    from ..store import open_store

    fmt = args.format or ("png" if str(args.out).lower().endswith(".png") else "pdf")
    ds = open_store(args.store).load()
    if args.kind == "parcel":
        return _parcel_sheet(ds, args)
    if args.kind == "township":
        key = resolve_township(args.name, ds["townships"])
        label = ds["townships"].set_index("code").loc[key, "name"]
    else:
        key = resolve_park(args.name, ds["parks"])
        label = ds["parks"].set_index("park_id").loc[key, "name"]
    from .. import reports
    from ..reports.printsources import basemap_background

    bg = basemap_background(args.basemap, args.store) if getattr(args, "basemap", None) else None
    if fmt == "png":
        data = reports.print_map_png(ds, args.kind, key, paper=args.paper, background=bg)
    elif args.kind == "township":
        from ..constraints.run import township_check

        data = reports.township_report_pdf(ds, key, township_check(open_store(args.store), key), background=bg,
                                           lang=lang_of(args))
    else:
        data = reports.park_brochure_pdf(ds, key, background=bg)
    out = write_atomic(Path(args.out), data)
    what = ({"township": "乡镇报告", "park": "园区招商手册"}[args.kind] if fmt == "pdf"
            else f"打印地图（{args.paper}，300 dpi）")
    print(f"已写出 {out}：{label} {what}，{len(data) / 1024:.0f} KB")
    return 0


def _parcel_sheet(ds, args) -> int:
    """The one-parcel sheet (PDF, public parcels only)."""
    from ..errors import ImportRefused
    from ..files import write_atomic
    from ..reports import parcel_sheet_pdf

    if args.format == "png" or str(args.out).lower().endswith(".png"):
        raise ImportRefused("地块单页只有 PDF 格式；请用 --out 文件名.pdf。",
                            english="The parcel sheet is a PDF only; use --out FILE.pdf.")
    data = parcel_sheet_pdf(ds, args.name)
    out = write_atomic(Path(args.out), data)
    print(f"已写出 {out}：地块 {args.name} 单页（PDF），{len(data) / 1024:.0f} KB")
    return 0
