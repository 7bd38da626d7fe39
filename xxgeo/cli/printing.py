"""``print``: the wall map (挂图作战) on A4 … A0 as a vector PDF or a PNG (xxgeo/reports/printlayout.py)."""

from __future__ import annotations

from pathlib import Path

from ..errors import ImportRefused
from . import add_store_arg, lang_of

SIZES = ("A4", "A3", "A2", "A1", "A0")


def register(sub) -> dict:
    """Add the command to the CLI."""
    p = sub.add_parser("print", help="挂图作战打印图：A4–A0 矢量 PDF 或 PNG（图例、比例尺、指北针、审图号）")
    p.add_argument("--size", choices=SIZES, default="A4", help="纸张：A4（默认）、A3、A2、A1、A0")
    p.add_argument("--orient", choices=("landscape", "portrait"), default="landscape",
                   help="方向：landscape 横向（默认）或 portrait 纵向")
    p.add_argument("--theme", default="category",
                   help="专题：category 类别（默认）、stage 阶段、warning 调度预警、township:指标（乡镇专题图，"
                        "如 township:project_count）")
    p.add_argument("--township", help="只印该乡镇（名称、简称或代码）；不写为全县")
    p.add_argument("--basemap", help="底图包名称（python -m xxgeo basemap list）；不写为无底图")
    p.add_argument("--title", help="标题（不写时按县名/乡镇名与专题生成）")
    p.add_argument("--subtitle", help="副标题（不写时写项目个数与定位情况）")
    p.add_argument("--approval-no", dest="approval_no", help="审图号（不写时图上写“审图号：未注明”）")
    p.add_argument("--month", help="warning 专题的月份 YYYY-MM（不写为最近一个有进度数据的月份）")
    p.add_argument("--out", required=True, help="输出文件：.pdf（矢量）或 .png")
    add_store_arg(p)
    return {"print": cmd_print}


def out_format(out: str) -> str:
    """pdf or png from the output file's extension; one sentence for anything else."""
    ext = Path(out).suffix.lower()
    if ext not in (".pdf", ".png"):
        raise ImportRefused(f"打印图只能写成 .pdf 或 .png：请把 --out 改为“文件名.pdf”或“文件名.png”（现为“{out}”）。",
                            english=f"A print is written as .pdf or .png only: give --out FILE.pdf or FILE.png "
                                    f"(not “{out}”).")
    return ext[1:]


def cmd_print(args) -> int:
    """Write the print; one sentence and a non-zero exit for an unknown township, theme or basemap."""
    from ..files import write_atomic
    from ..names import resolve_township
    from ..reports.printlayout import PrintRequest, render_print
    from ..reports.printsources import basemap_background, warning_lights
    from ..reports.printthemes import parse_theme
    from ..store import open_store

    fmt = out_format(args.out)
    theme, _arg = parse_theme(args.theme)
    ds = open_store(args.store).load()
    code = resolve_township(args.township, ds["townships"]) if args.township else None
    background = basemap_background(args.basemap, args.store) if args.basemap else None
    lights = warning_lights(ds, args.month) if theme == "warning" else None
    lang = lang_of(args)
    req = PrintRequest(size=args.size, orient=args.orient, theme=args.theme, township=code, title=args.title,
                       subtitle=args.subtitle, approval_no=args.approval_no, lang=lang, basemap=args.basemap,
                       fmt=fmt)
    res = render_print(ds, req, background=background, lights=lights)
    out = write_atomic(Path(args.out), res.data)
    kb = len(res.data) / 1024
    if lang == "en":
        print(f"Wrote {out}: {args.size} {args.orient} {fmt.upper()}, {kb:.0f} KB, scale about "
              f"1:{res.scale_denominator:,}; {res.pins} projects drawn at their position, {res.counted} counted "
              "at their township, park or county.")
    else:
        print(f"已写出 {out}：{args.size} {'横向' if args.orient == 'landscape' else '纵向'} {fmt.upper()}，"
              f"{kb:.0f} KB，比例尺约 1:{res.scale_denominator:,}；按位置画出项目 {res.pins} 个，"
              f"计数于乡镇、园区或全县的 {res.counted} 个。")
    return 0
