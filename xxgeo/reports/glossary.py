"""English for the investor brochure: park names, industry keywords and places (category and status names
are :mod:`xxgeo.vocab`'s).

Only words are translated; figures come from the data unchanged. Free text the glossary does not cover is
left in Chinese and marked as such, never paraphrased. The county's own names (its parks by ``park_id``, the
places its plan measures distances from) are data: ``[glossary]`` of the county profile.
"""

from __future__ import annotations

import csv
import re

from ..county import county

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


def park_name_en(park_id: str, name: str) -> str:
    """The park's English name (the profile's ``[glossary.parks_en]``), else the Chinese name as is."""
    return str(_glossary("parks_en").get(str(park_id), name))


def _glossary(part: str) -> dict:
    return county().setting("glossary", {}).get(part, {})


def places_en() -> dict:
    """Chinese place name -> English: the reference places (``files.places``: full name and the name before
    its bracket, e.g. 运城市中心（市政府） and 运城市中心), then the profile's ``[glossary.places_en]``."""
    c = county()
    out = {}
    if "places" in c.files:
        with open(c.path("places"), encoding="utf-8-sig", newline="") as fh:
            for r in csv.DictReader(fh):
                zh, en = (r.get("name") or "").strip(), (r.get("name_en") or "").strip()
                if zh and en:
                    out[zh] = en
                    out.setdefault(zh.split("（")[0], en.split(" (")[0])
    out.update(_glossary("places_en"))
    return out


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
    parts, names = [], places_en()
    for m in re.finditer(r"距(?:离)?([^，,；;0-9]+?)(?:约)?(\d+(?:\.\d+)?)\s*(?:公里|千米|km)", str(text)):
        place = m.group(1).strip()
        parts.append(f"{m.group(2)} km to {names.get(place, place)}")
    return "; ".join(parts)
