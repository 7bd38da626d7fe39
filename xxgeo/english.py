"""English for the notes and problem lines that xxgeo/io/*, the importer and the validation write in Chinese (issue 17).

The modules keep writing one Chinese sentence per note (their lists of strings stay as they are); a note that
carries its own twin is a :class:`~xxgeo.io.wording.Note`. For the others :func:`english` reads the sentence
against the table below: a row label (第3行, 第2条数值) becomes "Row 3", and the sentence after it is matched
whole against each pattern. A sentence no pattern matches is returned as written (tests/test_import_english.py
walks every note and problem the importer writes for the test files and requires an English one).
"""

from __future__ import annotations

import re

_LIST = re.compile(r"、")


def _list(s: str) -> str:
    return _LIST.sub(", ", s).replace("等", " …")


#: (Chinese sentence pattern, English template); groups are passed through (``\1``); ``{L1}`` lists group 1
PATTERNS: tuple = (
    (r"文件没有声明坐标系，坐标是经纬度，按 CGCS2000/WGS84 处理（两者在地图上相差几厘米）。",
     "The file declares no coordinate system; its coordinates are longitude/latitude, read as CGCS2000/WGS84 "
     "(the two differ by a few centimetres on the map)."),
    (r"坐标按测绘习惯 X 为北坐标、Y 为东坐标，已对调为东、北。",
     "The coordinates follow the surveyors' habit (X north, Y east) and were swapped to east, north."),
    (r"文件没有声明坐标系；东坐标带有带号 (\d+)，按 CGCS2000 (\d+)度带第(\d+)带（EPSG:(\d+)）处理。"
     r"如果实际是西安80或北京54坐标，请用 --crs 指定。",
     r"The file declares no coordinate system; the eastings carry zone number \1, read as CGCS2000 \2-degree zone "
     r"\3 (EPSG:\4). If they are Xi'an 80 or Beijing 54 coordinates, give --crs."),
    (r"坐标基准是(.+?)（(.+?)）：只换算了投影，没有做基准转换（没有本地转换参数），位置可能偏差几十米到一百多米；"
     r"如有七参数，请用 --crs 给出带 \+towgs84 的 PROJ 串。",
     r"The datum is \2: only the projection was converted, not the datum (no local parameters), so positions may "
     r"be off by tens of metres to over a hundred; with seven parameters give --crs a PROJ string with +towgs84."),
    (r"坐标基准 (.+) 已按 PROJ 的标准方法转换为 WGS84。",
     r"The datum \1 was converted to WGS84 by PROJ's standard method."),
    (r"按 --crs 指定的 (.+) 处理（文件声明为 (.+)）。", r"Read as \1 as given by --crs (the file declares \2)."),
    (r"已把高德/腾讯（GCJ-02）坐标换算为 WGS84。", "GCJ-02 (Amap/Tencent) coordinates were converted to WGS84."),
    (r"已把百度（BD-09）坐标换算为 WGS84。", "BD-09 (Baidu) coordinates were converted to WGS84."),
    (r"(\d+) 个要素的经纬度写反了（纬度在前），已自动对调。",
     r"\1 feature(s) had latitude before longitude; swapped automatically."),
    (r"KML 文件夹名称是项目类别，已作为“类别”导入。",
     "The KML folder names are project categories: imported as the category."),
    (r"以下列没有对应字段，未导入：(.+)。", "These columns match no field and were not imported: {L1}."),
    (r"“(.+)”的(?:亿元|亿)已换算为万元（原值记入“投资原文”）。",
     r"“\1” in 100 million yuan was converted to 10,000 yuan (the original value kept as the investment note)."),
    (r"“(.+)”的元已换算为万元（原值记入“投资原文”）。",
     r"“\1” in yuan was converted to 10,000 yuan (the original value kept as the investment note)."),
    (r"没有“乡镇”列，已从“建设地点”中识别乡镇（只认唯一提到的乡镇）。",
     "No township column: the township was read from the place description (only when it names exactly one)."),
    (r"(.+?)没有编号，按名称匹配到已有的 (\S+)。", r"\1 has no id; matched by name to the stored \2."),
    (r"(\d+) 行没有编号，已分配新编号（(\S+) 起）。", r"\1 row(s) without an id got new ids (from \2)."),
    (r"(\d+) 个新项目没有坐标，已放在所在乡镇的示意点上（位置精度：乡镇示意点）。",
     r"\1 new project(s) without coordinates were put on their township's schematic point (precision: township)."),
    (r"地块 (\S+)：文件所述面积 (\S+) 亩，按边界计算为 (\S+) 亩，相差超过 5%，请核对。",
     r"Parcel \1: the file states \2 mu, the boundary gives \3 mu, more than 5 % apart; please check."),
    (r"几何图形无效（(.+)），已自动修复。?", r"Invalid geometry (\1), repaired automatically."),
    (r"坐标取自“(.+?)”、“(.+?)”列（该列为空的行取自“(.+?)”、“(.+?)”列）。",
     r"Coordinates from the columns “\1”, “\2” (rows where it is empty from “\3”, “\4”)."),
    (r"坐标取自“(.+?)”、“(.+?)”列。", r"Coordinates from the columns “\1” and “\2”."),
    (r"坐标取自“(.+?)”列。", r"Coordinates from the column “\1”."),
    (r"图层“(.+)”没有几何，文件中的位置信息被忽略。",
     r"Layer “\1” has no geometry: the file's locations were ignored."),
    (r"乡镇按代码或名称对应到已有乡镇，名称和类型统一为标准写法。",
     "Townships matched to the stored ones by code or name; names and kinds written the standard way."),
    (r"Shapefile 缺少 \.shx 索引文件，已根据 \.shp 重建。",
     "The Shapefile has no .shx index; it was rebuilt from the .shp."),
    (r"属性表按 --encoding 指定的 (.+) 解码。", r"Attribute table decoded as \1 (--encoding)."),
    (r"属性表按 \.cpg 声明的 (.+) 解码。", r"Attribute table decoded as \1, as its .cpg declares."),
    (r"没有 \.cpg 文件，属性表文字按 (.+) 解码。", r"No .cpg file: attribute text decoded as \1."),
    (r"属性表的部分字段名在 10 字节处被截断成半个汉字，已去掉残缺部分。",
     "Some field names were cut at 10 bytes in the middle of a character; the broken part was removed."),
    (r"Shapefile 没有 \.prj 文件（未声明坐标系）。", "The shapefile has no .prj file (no coordinate system declared)."),
    (r"表格按“每年一列”的宽表读取，已转为每行一个数值。",
     "A wide table (one column per year) was read as one value per row."),
    (r"表格按“每个指标一列”的宽表读取，已转为每行一个数值；列名括号中的是单位。",
     "A wide table (one column per indicator) was read as one value per row; units are in the headers' brackets."),
    (r"(\d+) 个空白单元格没有导入（没有数值不记录）。", r"\1 blank cell(s) not imported (no value, nothing recorded)."),
    (r"“(.+)”的(.+)已换算为亩（1 亩 = 666\.67 m²）。", r"“\1” in \2 was converted to mu (1 mu = 666.67 m²)."),
    # problem lines
    (r"“(.+)”应为数字，实际为“(.*)”", r"“\1” should be a number, not “\2”"),
    (r"“(.+)”的单位“(.+)”无法换算为万元", r"“\1”: the unit “\2” cannot be converted to 10,000 yuan"),
    (r"“(.+)”应为年份，实际为“(.*)”", r"“\1” should be a year, not “\2”"),
    (r"“(.+)”应为整数，实际为“(.*)”", r"“\1” should be a whole number, not “\2”"),
    (r"“(.+)”应为“是”或“否”，实际为“(.*)”", r"“\1” should be yes or no, not “\2”"),
    (r"建设年限“(.*)”无法识别（应如 2021-2025）", r"Construction period “\1” not understood (write it like 2021-2025)"),
    (r"乡镇“(.+)”不存在（(.+)的乡镇：(.*)）", r"No township “\1” (the townships: {L3})"),
    (r"一行只能对应一个乡镇，实际为“(.*)”", r"A row names one township only, not “\1”"),
    (r"坐标“(.*)”无法识别（应为数字或度分秒）",
     r"Coordinate “\1” not understood (a number or degrees-minutes-seconds)"),
    (r"坐标不完整（(.*)）", r"Incomplete coordinates (\1)"),
    (r"“(.+)”列不是有效的 WKT 几何：(.*)", r"The column “\1” holds no valid WKT geometry: \2"),
    (r"必填字段“(.+)”（(\w+)）为空", r"The required field \2 is empty"),
    (r"字段“(.+)”（(\w+)）应为数字，实际为“(.*)”", r"The field \2 should be a number, not “\3”"),
    (r"字段“(.+)”（(\w+)）不能为负数：(.*)", r"The field \2 must not be negative: \3"),
    (r"字段“(.+)”（(\w+)）不是有效年份：(.*)", r"The field \2 is not a valid year: \3"),
    (r"字段“(.+)”（(\w+)）应为是/否，实际为“(.*)”", r"The field \2 should be yes/no, not “\3”"),
    (r"字段“(.+)”（(\w+)）的值“(.*)”不在允许范围（(.*)）内", r"The field \2: “\3” is not one of {L4}"),
    (r"字段“(.+)”（(\w+)）的值“(.*)”格式不对", r"The field \2: “\3” is not in the right format"),
    (r"字段“(.+)”（(\w+)）含有控制字符（不可见的特殊字符，如 (U\+\w+)）；请删去后重试",
     r"The field \2 holds a control character (an invisible special character such as \3); remove it and retry"),
    (r"字段“(.+)”（(\w+)）太长：(\d+) 个字符，最多 (\d+) 个", r"The field \2 is too long: \3 characters, at most \4"),
    (r"缺少几何图形", "No geometry"),
    (r"几何类型 (\w+) 不适用于本图层（允许：(.*)）", r"Geometry type \1 does not fit this layer (allowed: {L2})"),
    (r"几何图形无效：(.*)", r"Invalid geometry: \1"),
    (r"字段“(.+)”（(\w+)）的值“(.*)”不是有效日期（应为 YYYY-MM-DD）",
     r"The field \2: “\3” is not a valid date (YYYY-MM-DD)"),
    (r"图层“(\w+)”没有几何字段", r"Layer “\1” has no geometry field"),
    (r"位置不在(.+)范围内（距县界超过约5公里）",
     "Location outside the county (more than about 5 km from its boundary)"),
    (r"编号“(.+)”与(.+)重复", r"Id “\1” repeats \2"),
    (r"缺少必需的列：(.+)", "Required columns missing: {L1}"),
    # the control-line import (xxgeo/constraints/importer.py)
    (r"(\d+) 个面的几何图形无效（如自相交），已自动修复。",
     r"\1 polygon(s) had an invalid geometry (such as a self-intersection) and were repaired."),
    (r"(\d+) 个面与同一文件中的其他面互相重叠；检查时重叠部分只计一次。",
     r"\1 polygons overlap others in the same file; the check counts each overlap once."),
    (r"名称取自“(.+)”列。", r"Names taken from the column “\1”."),
    # exports (xxgeo/io/writers.py, xxgeo/export.py)
    (r"(\d+) 个几何图形太长，超出 Excel 单元格上限，未写入 Excel；请导出为 gpkg 或 shp。",
     r"\1 geometries are too long for an Excel cell and were left out of the workbook; export as gpkg or shp."),
    (r"(\d+) 个文字值超过 Shapefile 的 254 字节上限，已被截断；完整内容请导出为 gpkg 或 xlsx。",
     r"\1 text value(s) exceed the Shapefile limit of 254 bytes and were cut; export as gpkg or xlsx for the "
     r"full text."),
    (r"Shapefile 每个文件只能有一种几何类型，已分成 (\d+) 个文件：(.+)。",
     r"A Shapefile holds one geometry type per file: split into \1 files ({L2})."),
    (r"Shapefile 字段名最长 10 个字符，长字段名已缩写，对照见压缩包内“字段对照表.csv”；本系统导入时会自动还原。",
     "Shapefile field names are at most 10 characters: long names were shortened, with the mapping in the "
     "field table (.csv) in the zip; xxgeo restores them on import."),
    (r"Shapefile 由 \.shp、\.shx、\.dbf、\.prj、\.cpg 几个文件组成，已打包写为 (.+)（而不是 (.+)），"
     r"解压后即可在 GIS 软件中打开。",
     r"A Shapefile is several files (.shp, .shx, .dbf, .prj, .cpg): written as the zip \1 (not \2); unpack it "
     r"to open it in GIS software."),
)
_COMPILED = tuple((re.compile(p), e) for p, e in PATTERNS)
_ROW = re.compile(r"^第(\d+)(行|条数值)")


def row_en(label: str) -> str:
    """``第3行`` -> ``Row 3``; ``第2条数值`` -> ``Value 2``; any other label as written."""
    return _ROW.sub(lambda m: ("Row " if m.group(2) == "行" else "Value ") + m.group(1), str(label))


def _sentence(s: str) -> str | None:
    for rx, en in _COMPILED:
        m = rx.fullmatch(s)
        if m:
            out = m.expand(re.sub(r"\{L(\d)\}", r"\\\1", en))
            for k in re.findall(r"\{L(\d)\}", en):
                out = out.replace(m.group(int(k)), _list(m.group(int(k))), 1)
            return out
    return None


def english(text: str) -> str:
    """The English of an import note or problem line, or ``text`` as written when no pattern knows it."""
    out = _english(str(text))
    out = re.sub(r"第(\d+)行", r"row \1", out) if out != str(text) else out
    return out[:1].upper() + out[1:]


def _english(s: str) -> str:
    whole = _sentence(s)
    if whole is not None:
        return whole
    head, sep, body = s.partition("：")
    if sep:
        rest = _sentence(body) or _sentence(body.rstrip("。"))
        if rest is not None:
            lead = row_en(head)
            lead = re.sub(r"（(\S+)）$", r" (\1)", lead)
            return f"{lead}: {rest}"
    m = re.fullmatch(r"(第\d+行|“.+?”)(.+)", s)
    if m and (rest := _sentence(m.group(2))):
        return f"{row_en(m.group(1))}: {rest}"
    return s
