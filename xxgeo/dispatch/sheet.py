"""Reading the monthly sheets units send in (xlsx, xls, csv) into report rows, matched to nothing yet.

:func:`read_rows` runs in the isolated import worker (:func:`xxgeo.io.worker.read_isolated`): it reads the cells
of the best sheet (python-calamine for .xlsx and the old .xls, the io text reader's decoding for .csv). The caller
then finds the header row (:mod:`.headers`: full/half-width brackets, spaces, 万元 with or without brackets,
English), reads each row's values (:mod:`xxgeo.dispatch_values`: a blank stays empty, never 0) and takes the
month from the 月份 column, else the month asked for, else the one month the title rows or the file name name.
A bad file or a bad value is refused with one sentence naming the row and the column.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from ..dispatch_values import blank, clean_values, month_in_text, month_of, text_of
from ..errors import ImportRefused, ValidationFailed, XxgeoError
from ..io import limits
from ..io.encoding import decode_text
from ..io.sniff import MAX_FILE_BYTES, content_kind
from .headers import KEYS, VALUE_FIELDS_OF_SHEET, header_field

READER = "xxgeo.dispatch.sheet:read_rows"
SKIP_SHEETS = ("说明", "填表说明", "字段说明", "readme")
TOTALS = frozenset({"合计", "总计", "小计", "全县合计", "total", "Total", "TOTAL"})
NO_PROBLEM = frozenset({"无", "暂无", "没有", "无问题", "none", "no", "n/a"})


@dataclass
class RawRows:
    """The cells of one sheet, as read in the worker."""

    name: str
    sheet: str
    fmt: str
    rows: list


@dataclass
class SheetRow:
    """One data row of a monthly sheet: the keys it gives, its month and its values (``progress`` fields)."""

    label: str
    code: str | None
    project_id: str | None
    name: str | None
    month: str | None
    values: dict
    problem: str | None = None
    needs: str | None = None

    def given(self) -> str:
        """What the row names its project by (for the list of unmatched rows)."""
        parts = [v for v in (self.code, self.project_id, self.name) if v]
        return " / ".join(parts) or "（无项目编号、代码或名称）"


@dataclass
class ParsedSheet:
    """A monthly sheet read: its rows, which header each field came from, the columns left out."""

    name: str
    rows: list
    columns: dict = field(default_factory=dict)
    ignored: list = field(default_factory=list)
    notes: list = field(default_factory=list)  # (Chinese, English)


def _bad_file(name: str, why: str = "") -> ImportRefused:
    return ImportRefused(f"文件“{name}”不是可读取的 Excel（.xlsx/.xls）或 CSV 表格{why}，未导入。",
                         english=f"“{name}” is not a readable Excel (.xlsx/.xls) or CSV sheet; nothing was imported.")


def read_rows(path: str, *, name: str) -> RawRows:
    """The cells of the monthly sheet at ``path`` (the worker's reader)."""
    p = Path(path)
    size = p.stat().st_size
    if size == 0:
        raise ImportRefused(f"文件“{name}”是空的，未导入。",
                            english=f"The file “{name}” is empty; nothing was imported.")
    if size > MAX_FILE_BYTES:
        raise ImportRefused(f"文件“{name}”太大（{size / 2**20:.0f} MB），未导入。",
                            english=f"The file “{name}” is too large ({size / 2**20:.0f} MB); nothing was imported.")
    with p.open("rb") as fh:
        kind = content_kind(fh.read(65536))
    if kind in ("zip", "ole"):
        return _workbook(p, name, "xls" if kind == "ole" else "xlsx")
    if kind == "text":
        return _csv(p, name)
    raise _bad_file(name)


def _workbook(path: Path, name: str, fmt: str) -> RawRows:
    import python_calamine

    what = f"Excel 文件“{name}”"
    try:
        wb = python_calamine.CalamineWorkbook.from_path(str(path))
        best = None
        for sname in wb.sheet_names:
            if str(sname).strip().lower() in SKIP_SHEETS:
                continue
            rows = wb.get_sheet_by_name(sname).to_python(skip_empty_area=False)
            limits.check("rows", len(rows), what)
            if rows and max(map(len, rows)) > limits.current().columns:
                raise limits.over("columns", max(map(len, rows)), what)
            score = _header_at(rows)[1]
            if best is None or score > best[0]:
                best = (score, str(sname), rows)
    except XxgeoError:
        raise
    except (ValueError, OSError, RuntimeError, TypeError) as exc:  # calamine's errors for a damaged workbook
        raise _bad_file(name, f"（{type(exc).__name__}）") from None
    if best is None:
        raise ImportRefused(f"{what}里没有数据，未导入。",
                            english=f"Excel file “{name}” has no data; nothing was imported.")
    return RawRows(name, best[1], fmt, [[None if c == "" else c for c in r] for r in best[2]])


def _csv(path: Path, name: str) -> RawRows:
    text, _codec = decode_text(path.read_bytes(), None, what=f"表格“{name}”")
    sample = text[:20000]
    try:
        delim = csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
    except csv.Error:
        delim = "\t" if sample.count("\t") > sample.count(",") else ","
    csv.field_size_limit(max(limits.current().line_chars, 131072))
    try:
        rows = [[c.strip() or None for c in r] for r in csv.reader(io.StringIO(text), delimiter=delim)]
    except csv.Error:
        raise _bad_file(name) from None
    limits.check("rows", len(rows), f"表格“{name}”")
    return RawRows(name, "", "csv", rows)


def _header_at(rows: list) -> tuple[int, int]:
    """(index, number of recognised headers) of the best header row among the first 15."""
    best = (0, 0)
    for i, row in enumerate(rows[:15]):
        n = len({f for c in row if (f := header_field(c)[0])})
        if n > best[1]:
            best = (i, n)
    return best


def _plain(v):
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return int(v)
    return v


def _key(v) -> str | None:
    if blank(v):
        return None
    v = _plain(v)
    return str(v).strip() or None


def parse_rows(raw: RawRows, month: str | None = None) -> ParsedSheet:
    """The report rows of a sheet's cells; ``month`` for rows without a 月份 (else the title's or file name's)."""
    rows = raw.rows
    h, found = _header_at(rows)
    header = rows[h] if rows else []
    cols: dict[str, tuple[int, float]] = {}
    ignored: list[str] = []
    for j, cell in enumerate(header):
        f, factor = header_field(cell)
        if f and f not in cols:
            cols[f] = (j, factor)
        elif not blank(cell):
            ignored.append(str(cell).strip())
    if not any(k in cols for k in KEYS):
        raise ImportRefused(f"表格“{raw.name}”没有找到“项目代码”“项目编号”或“项目名称”列，无法对应项目，未导入；"
                            "请用 python -m xxgeo progress template 下载模板。",
                            english=f"The sheet “{raw.name}” has no 项目代码 (project code), 项目编号 (project id) or "
                                    "项目名称 (project name) column, so no row can be matched; nothing was imported. "
                                    "Download the template with python -m xxgeo progress template.")
    title = " ".join(str(c) for r in rows[:h] for c in r if not blank(c))
    default = month_of(month, what="--month") if month else (month_in_text(title) or month_in_text(raw.name))
    notes = [(f"读取了工作表“{raw.sheet}”。", f"Read the sheet “{raw.sheet}”.")] if raw.sheet else []
    if not month and default and "month" not in cols:
        notes.append((f"月份取自表头或文件名：{default}。",
                      f"The month comes from the title or the file name: {default}."))
    out = []
    for i, row in enumerate(rows[h + 1:], start=h + 2):
        if not any(not blank(c) for c in row):
            continue
        cell = {f: (row[j] if j < len(row) else None) for f, (j, _) in cols.items()}
        label = f"第{i}行"
        code, pid, name = _key(cell.get("project_code")), _key(cell.get("project_id")), _key(cell.get("name"))
        if not (code or pid) and name and name.replace(" ", "") in TOTALS:
            continue  # 合计: the sheet's own sum, not a project
        if not (code or pid or name):
            if any(not blank(cell.get(f)) for f in VALUE_FIELDS_OF_SHEET):
                out.append(SheetRow(label, None, None, None, None, {}))
            continue  # a totals or notes row
        try:
            m = month_of(_plain(cell["month"])) if not blank(cell.get("month")) else default
            values = clean_values({f: _plain(cell[f]) for f in VALUE_FIELDS_OF_SHEET if f in cell},
                                  factors={f: fac for f, (_, fac) in cols.items()})
            problem = text_of(cell.get("problem"), what=f"{label}的存在问题")
            needs = text_of(cell.get("needs"), what=f"{label}的需协调事项")
        except ValidationFailed as exc:
            raise ValidationFailed(f"{label}：{exc.message}整张表未导入。", exc.problems,
                                   english=f"Row {i}: {exc.english} Nothing was imported.") from None
        if m is None:
            raise ValidationFailed(f"{label}没有月份：请在表中加“月份”列，或指定月份（--month YYYY-MM）。"
                                   "整张表未导入。",
                                   english=f"Row {i} has no month: add a 月份 (month) column or give --month YYYY-MM. "
                                           "Nothing was imported.")
        out.append(SheetRow(label, code, pid, name, m, values,
                            None if problem and problem.lower() in NO_PROBLEM else problem,
                            None if needs and needs.lower() in NO_PROBLEM else needs))
    if not out:
        raise ImportRefused(f"表格“{raw.name}”没有数据行，未导入。",
                            english=f"The sheet “{raw.name}” has no data rows; nothing was imported.")
    if ignored:
        notes.append((f"未使用的列：{'、'.join(ignored)}。", f"Columns not used: {', '.join(ignored)}."))
    return ParsedSheet(raw.name, out, {f: str(header[j]) for f, (j, _) in cols.items()}, ignored, notes)


def read_sheet(path, month: str | None = None, *, name: str | None = None) -> ParsedSheet:
    """Read and parse a monthly sheet (the file is opened in the isolated worker)."""
    from ..io.worker import read_isolated

    raw = read_isolated(path, name=name or Path(path).name, reader=READER)
    return parse_rows(raw, month)
