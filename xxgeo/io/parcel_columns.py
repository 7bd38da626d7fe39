"""Parcels (可供地块) as surveyors and land offices write them: header aliases and the values read specially.

:mod:`.columns` maps headers for every layer; this module adds what only parcels have: 地块编号 / 宗地编号 …,
七通一平 cells written 是/否, 有/无, 已通/未通, √/× (blank or 未知 = unknown, never guessed), prices with their
unit in the header or the cell (``15万元/亩``), areas in 亩, m² or 公顷 (converted to 亩, reported), and the
usual words for supply (挂牌出让 -> 出让), status (已出让 -> 已供) and land use (工业用地 -> 工业).
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np

from ..vocab import CHECKLIST, M2_PER_MU, is_blank

#: aliases per parcels field (normalised by :func:`xxgeo.io.headers.header_key` when looked up)
PARCEL_ALIASES: dict[str, tuple] = {
    "parcel_id": ("地块编号", "宗地编号", "地块编码", "宗地代码", "地块号", "宗地号", "编号", "地块代码",
                  "dkbh", "zdbh", "id", "parcel_id"),
    "name": ("地块名称", "宗地名称", "名称", "地块", "dkmc", "name"),
    "stated_area_mu": ("面积", "地块面积", "用地面积", "出让面积", "宗地面积", "供地面积", "占地面积", "面积亩", "mj"),
    "land_use": ("用途", "土地用途", "用地性质", "规划用途", "用地类型", "规划性质", "土地性质", "用地用途"),
    "supply": ("供地方式", "供应方式", "出让方式", "供地类型", "供应类型"),
    "price": ("价格", "出让价格", "地价", "租金", "基准地价", "起始价", "挂牌价", "出让底价", "出让起始价", "单价"),
    "price_unit": ("价格单位", "计价单位", "地价单位"),
    "far": ("容积率", "容积率要求", "far"),
    "investment_intensity": ("投资强度", "固定资产投资强度", "投资强度要求", "亩均投资"),
    "tax_per_mu": ("亩均税收", "税收强度", "亩均税收要求", "亩均产出税收"),
    "road": ("通路", "道路", "通道路", "路"),
    "power": ("通电", "电力", "供电", "电"),
    "water": ("通水", "给水", "供水", "通给水", "上水"),
    "telecom": ("通讯", "通信", "电信", "通网络", "网络"),
    "drainage": ("排水", "通排水", "污水", "下水", "雨污水"),
    "gas": ("通燃气", "燃气", "通气", "天然气", "供气"),
    "heating": ("通热力", "热力", "供热", "通暖", "供暖"),
    "leveled": ("场地平整", "平整", "土地平整", "一平"),
    "status": ("供地状态", "地块状态", "供应状态", "状态", "出让状态"),
    "contact": ("联系人", "联系方式", "联系电话", "招商联系人", "咨询电话", "联系"),
    "photo": ("照片", "图片", "现场照片", "照片链接"),
    "panorama_url": ("全景", "全景链接", "全景图", "vr", "vr全景", "720全景"),
    "public": ("是否公开", "公开", "可公开", "对外公开", "公开与否"),
    "source": ("来源", "数据来源", "资料来源", "出处", "测绘单位"),
}

CHECK_FIELDS = tuple(name for name, _zh, _en in CHECKLIST)
NUMBER_FIELDS = ("stated_area_mu", "price", "investment_intensity", "tax_per_mu")
#: fields whose values this module reads (instead of the generic readers of :mod:`.columns`)
SPECIAL = (*CHECK_FIELDS, *NUMBER_FIELDS, "supply", "status", "land_use")

YES = {"是", "有", "已通", "通", "已", "√", "✓", "✔", "y", "yes", "true", "1", "具备", "已具备", "完成", "已完成",
       "已平整", "平整", "接通", "已接通"}
NO = {"否", "无", "未通", "未", "×", "✗", "✘", "x", "n", "no", "false", "0", "不具备", "没有", "未平整",
      "不通", "未接通"}
UNKNOWN = {"", "未知", "不详", "待定", "?", "？", "不清楚", "未注明", "-", "--", "—", "/", "待核实"}
SUPPLY_ALIASES = {"挂牌出让": "出让", "招拍挂": "出让", "招拍挂出让": "出让", "拍卖出让": "出让", "协议出让": "出让",
                  "出租": "租赁", "长期租赁": "租赁", "厂房": "标准厂房", "标准化厂房": "标准厂房",
                  "厂房租赁": "标准厂房"}
STATUS_ALIASES = {"可出让": "可供", "待供": "可供", "待出让": "可供", "空闲": "可供", "未供": "可供", "可供应": "可供",
                  "洽谈": "洽谈中", "意向": "洽谈中", "意向洽谈": "洽谈中", "已出让": "已供", "已签约": "已供",
                  "已租赁": "已供", "已供应": "已供", "已落地": "已供"}
AREA_FACTORS = {"亩": 1.0, "平方米": 1 / M2_PER_MU, "m2": 1 / M2_PER_MU, "m²": 1 / M2_PER_MU, "㎡": 1 / M2_PER_MU,
                "公顷": 15.0, "ha": 15.0, "hm2": 15.0, "hm²": 15.0}
_NUM_UNIT = re.compile(r"^(?:约|大约)?(-?\d+(?:\.\d+)?)(.*)$")


def _text(v) -> str | None:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    s = unicodedata.normalize("NFKC", str(v)).strip()
    return s or None


def check_value(v) -> tuple[object, bool]:
    """(True / False / None, understood) for one 七通一平 cell."""
    if isinstance(v, (bool, np.bool_)):
        return bool(v), True
    s = _text(v)
    if s is None:
        return None, True
    k = s.lower().replace(" ", "")
    if k in YES:
        return True, True
    if k in NO:
        return False, True
    if k in UNKNOWN:
        return None, True
    return None, False


def _number(v) -> tuple[float | None, str | None, bool]:
    """(number, unit written in the cell, understood)."""
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
        return (None, None, True) if np.isnan(float(v)) else (float(v), None, True)
    s = _text(v)
    if s is None or s.lower() in UNKNOWN:
        return None, None, True
    m = _NUM_UNIT.match(s.replace(",", "").replace("，", "").replace(" ", ""))
    if not m:
        return None, None, False
    return float(m.group(1)), (m.group(2) or None), True


def read(target: str, values: list, col: str, unit: str | None, frame, problem, notes: list) -> list:
    """The values of column ``col`` for parcels field ``target`` (one of :data:`SPECIAL`); ``problem(i, msg)``
    records a cell that cannot be understood; conversions are reported in ``notes``. The price's unit (from
    the header or the cell) goes to ``price_unit`` in ``frame``."""
    out: list = []
    if target in CHECK_FIELDS:
        for i, v in enumerate(values):
            b, ok = check_value(v)
            if not ok:
                problem(i, f"“{col}”应为“是/否”（有/无、√/×，不知道留空），实际为“{_text(v)}”")
            out.append(b)
        return out
    if target in NUMBER_FIELDS:
        units = []
        for i, v in enumerate(values):
            num, cell_unit, ok = _number(v)
            if not ok:
                problem(i, f"“{col}”应为数字，实际为“{_text(v)}”")
            u = cell_unit or unit
            if target == "stated_area_mu" and num is not None and u:
                factor = AREA_FACTORS.get(u.lower())
                if factor is None:
                    problem(i, f"“{col}”的单位“{u}”无法换算为亩（可用：亩、平方米、公顷）")
                    num = None
                elif factor != 1.0:
                    num = round(num * factor, 2)
                    note = f"“{col}”的{u}已换算为亩（1 亩 = 666.67 m²）。"
                    if note not in notes:
                        notes.append(note)
            out.append(None if num is None else round(num, 4))  # 0.0001 亩 < 0.1 m²: what files carry
            units.append(u)
        if target == "price" and any(units):
            frame["_price_unit"] = units
        return out
    aliases = {"supply": SUPPLY_ALIASES, "status": STATUS_ALIASES}.get(target, {})
    for v in values:
        s = _text(v)
        if s is not None and s.lower() in UNKNOWN:
            s = None
        if s is not None and target == "land_use" and s.endswith("用地") and len(s) > 2:
            s = s[:-2]
        out.append(aliases.get(s, s) if s is not None else None)
    return out


def finish(frame, provided: list) -> None:
    """After every column is read: a price unit written in the header or the cells fills ``price_unit`` where
    the file has no price-unit column (or leaves it blank)."""
    if "_price_unit" not in frame.columns:
        return
    units = frame.pop("_price_unit")
    if "price_unit" in frame.columns:
        frame["price_unit"] = [u if is_blank(p) else p for p, u in zip(frame["price_unit"], units)]
    else:
        frame["price_unit"] = units.tolist()
        provided.append("price_unit")
