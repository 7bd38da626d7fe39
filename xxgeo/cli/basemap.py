"""``basemap``: the store's basemap packages (add, list, remove, default) and intranet tile servers (add-url)."""

from __future__ import annotations

import sys

from . import add_store_arg, lang_of


def register(sub) -> dict:
    """Add the commands to the CLI."""
    b = sub.add_parser("basemap", help="离线底图包与内网瓦片服务（添加、列出、删除、设为默认）")
    bsub = b.add_subparsers(dest="basemap_command", required=True)
    a = bsub.add_parser("add", help="添加底图包：MBTiles、PMTiles、z/x/y 瓦片 zip（或文件夹）、GeoTIFF 影像或高程")
    a.add_argument("file", help="底图包文件")
    a.add_argument("--name", help="名称（默认：文件名）")
    a.add_argument("--crs", choices=("wgs84", "gcj02"), default="wgs84",
                   help="瓦片的坐标基准：wgs84（默认，含天地图/CGCS2000）或 gcj02（高德等下载的瓦片）")
    a.add_argument("--scheme", choices=("auto", "xyz", "tms"), default="auto",
                   help="z/x/y 文件夹的行号：xyz（自上而下）、tms（自下而上）；auto：有 tilemapresource.xml 即 tms")
    a.add_argument("--as", dest="render", choices=("auto", "image", "hillshade"), default="auto",
                   help="GeoTIFF 作为影像（image）或高程晕渲（hillshade）；auto：单波段高程自动晕渲")
    a.add_argument("--default", action="store_true", help="同时设为本数据库地图的默认底图")
    add_store_arg(a)
    ls = bsub.add_parser("list", help="列出底图（离线包、内网服务与在线服务）")
    add_store_arg(ls)
    r = bsub.add_parser("remove", help="删除一个底图包")
    r.add_argument("name")
    add_store_arg(r)
    d = bsub.add_parser("default", help="设定本数据库地图默认使用的底图（none：无底图）")
    d.add_argument("name")
    add_store_arg(d)
    u = bsub.add_parser("add-url", help="添加内网瓦片服务（XYZ 地址模板，含 {z}{x}{y}）")
    u.add_argument("name")
    u.add_argument("url")
    u.add_argument("--label", help="中文名称")
    u.add_argument("--label-en", help="英文名称")
    u.add_argument("--crs", choices=("wgs84", "gcj02"), default="wgs84", help="坐标基准")
    u.add_argument("--attribution", default="", help="版权说明")
    u.add_argument("--max-zoom", type=int, default=18, help="最大缩放级别")
    u.add_argument("--subdomains", default="", help="{s} 的子域名，如 1234")
    add_store_arg(u)
    return {"basemap": cmd_basemap}


def _registry(args):
    from ..basemaps import Registry, registry_dir

    return Registry(registry_dir(args.store))


def cmd_basemap(args) -> int:
    """Dispatch ``basemap add|list|remove|default|add-url``."""
    en = lang_of(args) == "en"
    reg = _registry(args)
    cmd = args.basemap_command
    if cmd == "add":
        tms = {"auto": None, "xyz": False, "tms": True}[args.scheme]
        def progress(n: int) -> None:
            print(f"… {n:,} tiles" if en else f"… 已读 {n:,} 张瓦片", file=sys.stderr, flush=True)

        pkg = reg.add(args.file, name=args.name, datum=args.crs, tms=tms, render=args.render, progress=progress)
        if args.default:
            reg.set_default(pkg.name)
        mb = pkg.bytes / 1048576
        print(f"Added basemap package “{pkg.name}”: {pkg.tiles:,} tiles ({mb:.1f} MB), zoom {pkg.min_zoom}–"
              f"{pkg.max_zoom}, {pkg.datum.upper()}." if en else
              f"已添加底图包“{pkg.name}”：{pkg.tiles:,} 张瓦片（{mb:.1f} MB），缩放级别 {pkg.min_zoom}–{pkg.max_zoom}，"
              f"{pkg.datum.upper()}。")
    elif cmd == "list":
        print(list_text(reg, en))
    elif cmd == "remove":
        pkg = reg.remove(args.name)
        print(f"Removed basemap package “{pkg.name}”." if en else f"已删除底图包“{pkg.name}”。")
    elif cmd == "default":
        reg.set_default(args.name)
        print(f"Default basemap: {args.name}." if en else f"默认底图：{args.name}。")
    else:
        bm = reg.add_url(args.name, args.url, label_zh=args.label, label_en=args.label_en, datum=args.crs,
                         attribution=args.attribution, max_zoom=args.max_zoom, subdomains=args.subdomains)
        print(f"Added intranet basemap “{bm.name}”." if en else f"已添加内网底图“{bm.name}”。")
    return 0


def list_text(reg, en: bool) -> str:
    """The basemaps of a store as lines: packages (tiles, size, zooms, datum, added), intranet, online."""
    from ..basemaps import shipped_providers
    from ..vocab import local_time

    default = reg.default
    lines = ["Offline packages:" if en else "离线底图包："]
    pkgs = reg.packages()
    for p in pkgs:
        mark = " *" if p.name == default else ""
        kind = ("hillshade" if en else "地形晕渲") if p.hillshade else p.format
        lines.append(f"  {p.name}{mark}  {kind}  {p.tiles:,} {'tiles' if en else '张'}  {p.bytes / 1048576:.1f} MB  "
                     f"z{p.min_zoom}–{p.max_zoom}  {p.datum.upper()}  {p.source}  {local_time(p.added_at)}")
    if not pkgs:
        lines.append("  (none)" if en else "  （无）")
    intranet = reg.intranet()
    if intranet:
        lines.append("Intranet:" if en else "内网服务：")
        lines += [f"  {k}{' *' if k == default else ''}  {b.label('en' if en else 'zh')}  {b.datum.upper()}"
                  for k, b in intranet.items()]
    lines.append("Online:" if en else "在线服务：")
    lines += [f"  {k}{' *' if k == default else ''}  {b.label('en' if en else 'zh')}  {b.datum.upper()}"
              for k, b in shipped_providers().items()]
    lines.append(("* default of this store; times Asia/Shanghai" if en else "* 本数据库的默认底图；时间为北京时间")
                 if default else ("Times: Asia/Shanghai" if en else "时间为北京时间"))
    return "\n".join(lines)
