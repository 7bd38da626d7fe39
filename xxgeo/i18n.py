"""UI strings, Chinese first with English beside. ``tr(key, lang)``; unknown keys fall back to the key."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    "app.title": ("夏县项目一张图", "Xia County Projects Map"),
    "view.planning": ("规划总览", "Planning"),
    "view.township": ("乡镇", "Townships"),
    "view.investor": ("招商", "Investors"),
    "view.indicators": ("指标", "Indicators"),
    "view.data": ("数据", "Data"),
    "lang.toggle": ("English", "中文"),
    "unknown": ("未注明", "not stated"),
    "schematic": ("示意", "schematic"),
    "filter.township": ("乡镇", "Township"),
    "filter.category": ("类别", "Category"),
    "filter.status": ("状态", "Status"),
    "filter.source": ("出处（专栏）", "Source (box)"),
    "filter.investment": ("总投资（万元）", "Investment (10k CNY)"),
    "filter.search": ("搜索项目名称", "Search project names"),
    "filter.public_only": ("仅公开数据", "Public data only"),
    "all": ("全部", "All"),
    "count.projects": ("项目数", "Projects"),
    "count.investment": ("已注明总投资", "Stated investment"),
    "count.with_investment": ("注明投资的项目", "Projects with stated investment"),
    "unit.wan": ("万元", "10k CNY"),
    "unit.yi": ("亿元", "100M CNY"),
    "basemap": ("底图", "Basemap"),
    "basemap.none": ("无底图（离线）", "None (offline)"),
    "overlay": ("乡镇专题图", "Township overlay"),
    "overlay.none": ("不显示", "None"),
    "auth.heading": ("**登录**（公众无需登录，可查看招商视图）", "**Sign in** (the public can use the investor view)"),
    "auth.user": ("用户名", "User name"),
    "auth.password": ("密码", "Password"),
    "auth.submit": ("登录", "Sign in"),
    "auth.sso": ("单位账号登录", "Sign in with your organisation account"),
    "auth.signout": ("退出登录", "Sign out"),
    "auth.signed_in": ("已登录", "Signed in"),
    "auth.open": ("本机单用户模式（未设置账号）：以“{user}”身份使用全部功能。"
                  "添加账号后即需登录：python -m xxgeo users add …",
                  "Single-user mode (no accounts): working as “{user}” with every function. Once an account "
                  "exists everyone signs in: python -m xxgeo users add …"),
    "auth.needs": ("“{view}”需要登录；公众可查看招商视图。",
                   "“{view}” needs sign-in; the public can use the investor view."),
    "role.public": ("公众", "public"),
    "role.township": ("乡镇负责人", "township head"),
    "role.editor": ("规划局编辑", "bureau editor"),
    "role.admin": ("管理员", "administrator"),
}


#: Category and location-precision values in English (the stored values stay Chinese).
VALUES_EN: dict[str, str] = {
    "工业": "Industry", "农业": "Agriculture", "文旅": "Culture & tourism", "交通": "Transport", "能源": "Energy",
    "生态水利": "Ecology & water", "新基建数字": "New infrastructure & digital", "城建": "Urban construction",
    "社会民生": "Social services", "商贸物流": "Trade & logistics",
    "实测": "surveyed", "村级位置": "village point", "园区示意位置": "park (schematic)",
    "乡镇示意点": "township point (schematic)", "全县（无具体位置）": "county-wide (no site)", "示意": "schematic",
    "全县/未注明": "county-wide / not stated",
}


def value_text(value, lang: str = "zh"):
    """A stored Chinese code value as shown in ``lang`` (unknown values unchanged)."""
    return VALUES_EN.get(value, value) if lang == "en" and isinstance(value, str) else value


def tr(key: str, lang: str = "zh", **kw) -> str:
    """The string for ``key`` in ``lang`` ('zh' or 'en'), formatted with ``kw``."""
    pair = STRINGS.get(key)
    s = key if pair is None else (pair[1] if lang == "en" else pair[0])
    return s.format(**kw) if kw else s
