"""``python -m xxgeo users add|list|remove``: the store's local accounts (issue 6)."""

from __future__ import annotations

from . import add_store_arg


def register(sub) -> dict:
    """Add the ``users`` command."""
    u = sub.add_parser("users", help="管理登录账号：add / list / remove")
    usub = u.add_subparsers(dest="users_command", required=True)
    a = usub.add_parser("add", help="添加账号（密码从文件读取，不出现在命令行和历史记录里）")
    a.add_argument("name", help="用户名（统一身份认证账号用其电子邮箱）")
    a.add_argument("--role", required=True, choices=("township", "editor", "admin"),
                   help="township 乡镇负责人 / editor 规划局编辑 / admin 管理员")
    a.add_argument("--township", help="乡镇负责人所属乡镇（名称、简称或代码）")
    a.add_argument("--password-file", help="密码文件（第一行为密码，至少 8 个字符）")
    a.add_argument("--sso", action="store_true", help="只通过统一身份认证（st.login）登录，不设密码")
    r = usub.add_parser("remove", help="删除账号")
    r.add_argument("name")
    ls = usub.add_parser("list", help="列出账号")
    for p in (a, r, ls):
        add_store_arg(p)
        p.add_argument("--user", help="以哪个管理员账号操作（记入修改记录；默认为持有数据库的操作者）")
    return {"users": cmd_users}


def cmd_users(args) -> int:
    """Run ``users add|list|remove``."""
    from ..accounts import read_password_file
    from ..policy import ROLE_LABELS, GuardedStore, cli_actor
    from ..store import open_store

    store = open_store(args.store)
    actor = cli_actor(store, args.user)
    book = GuardedStore(store, actor).accounts()
    if args.users_command == "list":
        accounts = book.list()
        if not accounts:
            mode = "PostGIS 数据库总是要求登录，目前谁也登录不了" if store.kind == "postgis" else \
                "本机单用户模式：打开应用无需登录"
            print(f"还没有账号（{mode}）。添加：python -m xxgeo users add 名字 --role admin --password-file 文件")
            return 0
        towns = dict(zip(*(store.read("townships")[c] for c in ("code", "name"))))
        for a in accounts:
            town = f" {towns.get(a.township_code, a.township_code)}" if a.township_code else ""
            how = "统一身份认证" if a.sso else "密码"
            print(f"{a.name}\t{ROLE_LABELS[a.role]}{town}\t{how}\t最近登录：{a.last_login or '从未'}")
        return 0
    if args.users_command == "add":
        password = read_password_file(args.password_file) if args.password_file else None
        a = book.add(args.name, args.role, password=password, township=args.township, sso=args.sso, by=actor.user)
        print(f"已添加账号 {a.name}（{a.role_label}）。")
        return 0
    a = book.remove(args.name, by=actor.user)
    print(f"已删除账号 {a.name}（{a.role_label}）。")
    return 0
