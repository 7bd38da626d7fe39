"""English for the investor brochure: park names, industry keywords and places (category and status names
are :mod:`xxgeo.vocab`'s).

Only words are translated; figures come from the data unchanged. Free text the glossary does not cover is
left in Chinese and marked as such, never paraphrased.
"""

from __future__ import annotations

import re

PARK_NAMES_EN = {
    "peijie": "Peijie “Six New” Industrial Cluster",
    "shuitou": "Shuitou Industrial Park",
    "yaofeng": "Yaofeng Light Industry Park",
    "miaoqian": "Miaoqian Electronic Technology Innovation and Start-up Base",
}

#: Industry keywords, longest first when matching.
INDUSTRY_EN = {
    "先进装备制造": "advanced equipment manufacturing", "高端装备制造": "high-end equipment manufacturing",
    "装备制造": "equipment manufacturing", "农副产品加工": "agricultural product processing",
    "汽车配件": "auto parts", "汽配": "auto parts", "生物医药": "biomedicine", "大健康": "health industry",
    "新能源": "new energy", "新材料": "new materials", "电子科技智能设备": "smart electronic devices",
    "电子信息": "electronic information", "电子材料": "electronic materials", "电子设备": "electronic equipment",
    "电子元器件": "electronic components", "数字智能化产品": "digital smart products",
    "研发": "R&D", "制造": "manufacturing", "新基建": "new infrastructure", "新技术": "new technology",
    "新装备": "new equipment", "新产品": "new products", "新业态": "new business models",
    "战略性新兴产业": "strategic emerging industries", "未来产业": "future industries",
    "轻工业": "light industry", "物流": "logistics", "食品": "food",
}

PLACES_EN = {"运城市市中心": "Yuncheng city centre", "运城市中心": "Yuncheng city centre",
             "运城关公机场": "Yuncheng Guangong Airport", "运城张孝机场": "Yuncheng Zhangxiao Airport",
             "夏县县城": "Xia County seat"}


def park_name_en(park_id: str, name: str) -> str:
    """The park's English name (known parks), else the Chinese name as is."""
    return PARK_NAMES_EN.get(str(park_id), str(name))


def industries_en(text) -> str:
    """Industry keywords of ``text`` (items separated by ；) in English; items with no known keyword are
    reported as “(further items in Chinese)”."""
    if text is None or not str(text).strip():
        return "not stated"
    keys = sorted(INDUSTRY_EN, key=len, reverse=True)
    out, missed = [], False
    for item in re.split(r"[；;]", str(text)):
        item, found = item.strip(), []
        rest = item
        for k in keys:
            if k in rest:
                en = INDUSTRY_EN[k]
                if en not in found:
                    found.append(en)
                rest = rest.replace(k, "")
        if found:
            out.append(", ".join(found))
        elif item:
            missed = True
    s = "; ".join(dict.fromkeys(out))
    if missed:
        s += ("; " if s else "") + "(further items in Chinese)"
    return s


def stated_distance_en(text) -> str:
    """“距离运城市市中心14公里” -> “14 km to Yuncheng city centre (as stated)”; else '' (not translated)."""
    if text is None:
        return ""
    parts = []
    for m in re.finditer(r"距(?:离)?([^，,；;0-9]+?)(?:约)?(\d+(?:\.\d+)?)\s*(?:公里|千米|km)", str(text)):
        place = m.group(1).strip()
        parts.append(f"{m.group(2)} km to {PLACES_EN.get(place, place)}")
    return "; ".join(parts)
