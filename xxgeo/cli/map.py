"""``map``: the same map as the app, as one self-contained HTML file that draws offline."""

from __future__ import annotations

from pathlib import Path

from ..config import settings
from ..errors import NotFound
from . import add_store_arg, lang_of


def register(sub) -> dict:
    """Add the commands to the CLI."""
    m = sub.add_parser("map", help="导出离线可用的单文件 HTML 地图")
    m.add_argument("--out", required=True, help="输出 HTML 文件")
    add_store_arg(m)
    m.add_argument("--township", action="append", help="只显示该乡镇（名称、简称或代码；可重复）")
    m.add_argument("--category", action="append", help="只显示该类别（可重复）")
    m.add_argument("--public-only", action="store_true", help="只含公开项目（对外发布用）")
    m.add_argument("--overlay", help="乡镇专题图指标：project_count / investment_wan / village_units / area_km2，"
                                     "或已导入的乡镇指标名称")
    m.add_argument("--villages", action="store_true", help="显示村点（仅有位置的村）")
    m.add_argument("--basemap", help="底图：离线底图包名称（瓦片写在 HTML 旁或嵌入文件，断网可用）、"
                                     "内网或在线底图名称；默认为本数据库的默认底图（basemap list）")
    return {"map": cmd_map}


def cmd_map(args) -> int:
    """Write the map HTML (assets inlined; the basemap's tiles beside it or inside it, for a package)."""
    from ..analysis import township_indicator_values
    from ..county import county
    from ..files import write_atomic
    from ..mapping import MapFilter, MapRequest, Overlay, build_map, map_html
    from ..names import resolve_township
    from ..schema import CATEGORIES
    from ..store import open_store
    from ..vocab import categories_en

    store = open_store(args.store)
    ds = store.load()
    codes = tuple(resolve_township(t, ds["townships"]) for t in (args.township or []))
    cats = tuple(args.category or ())
    bad = [c for c in cats if c not in CATEGORIES]
    if bad:
        raise NotFound(f"没有类别“{'、'.join(bad)}”。类别有：{'、'.join(CATEGORIES)}。",
                       english=f"No category “{', '.join(bad)}”. Categories: {categories_en()}.")
    flt = MapFilter(townships=codes, categories=cats)
    overlay = None
    if args.overlay:
        try:
            values, label, unit = township_indicator_values(ds, args.overlay, None)
        except KeyError:
            from ..analysis import overlay_choices

            raise NotFound(f"没有乡镇指标“{args.overlay}”。可用：{'、'.join(overlay_choices(ds))}。",
                           english=f"No township indicator “{args.overlay}”. Available: "
                                   f"{', '.join(overlay_choices(ds))}.") from None
        overlay = Overlay(label=label, unit=unit, values=values)
    role = "public" if args.public_only else "editor"
    lang = lang_of(args)
    spec, folder = _basemap(args, ds, Path(args.out), lang)
    m = build_map(ds, MapRequest(
        flt, role=role, lang=lang, overlay=overlay, assets="inline",
        highlight_township=codes[0] if len(codes) == 1 else None, show_villages=args.villages,
        title=county().title(lang), basemap_spec=spec, tianditu_key=settings().tianditu_key))
    out = write_atomic(Path(args.out), map_html(m))
    print(f"已写出 {out}（{out.stat().st_size / 1024:.0f} KB，项目 {m.counts['projects']} 个，"
          f"其中有位置 {m.counts['projects_drawn']} 个）" if lang != "en" else
          f"Wrote {out} ({out.stat().st_size / 1024:.0f} KB, {m.counts['projects']} projects, "
          f"{m.counts['projects_drawn']} with a place)")
    if folder is not None:
        print(f"底图瓦片在 {folder}（与 HTML 一起复制）" if lang != "en" else
              f"Basemap tiles in {folder} (copy it with the HTML file)")
    return 0


def _basemap(args, ds, out: Path, lang: str):
    """The basemap of the exported file (``--basemap``, else the store's default) and the folder of tiles
    written beside it (``None`` when embedded, online or none)."""
    from ..basemaps import NONE, Registry, choices, registry_dir
    from ..basemaps.export import export_basemap

    reg = Registry(registry_dir(args.store))
    name = args.basemap or reg.default or NONE
    known = choices(args.store)
    if name not in known:
        raise NotFound(f"没有名为“{name}”的底图。可用：{'、'.join(known)}。",
                       english=f"No basemap named “{name}”. Available: {', '.join(known)}.")
    pkg = reg.get(name)
    if pkg is None:
        return known[name], None
    return export_basemap(reg, pkg, ds["county"].total_bounds, out)
