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
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..dispatch_values import blank, clean_values, key_text, month_in_text, month_of, text_of
from ..errors import ImportRefused, ValidationFailed, XxgeoError
from ..io import limits
from ..io.encoding import decode_text
from ..io.sniff import MAX_FILE_BYTES, content_kind
from .headers import VALUE_FIELDS_OF_SHEET
from .layout import find_header, is_aside, is_totals, sheet_month, title_factor

READER = "xxgeo.dispatch.sheet:read_rows"
SKIP_SHEETS = ("说明", "填表说明", "字段说明", "readme")
NO_PROBLEM = frozenset({"无", "暂无", "没有", "无问题", "none", "no", "n/a"})


@dataclass
class RawRows:
    """The cells of one sheet, as read in the worker."""

    name: str
    sheet: str
    fmt: str
    rows: list
    #: every sheet of the workbook, and the other sheets whose headers are as good as this one's (sheet, rows)
    sheets: list = field(default_factory=list)
    alternatives: list = field(default_factory=list)


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
        scored = []
        for sname in wb.sheet_names:
            if str(sname).strip().lower() in SKIP_SHEETS:
                continue
            rows = wb.get_sheet_by_name(sname).to_python(skip_empty_area=False)
            limits.check("rows", len(rows), what)
            if rows and max(map(len, rows)) > limits.current().columns:
                raise limits.over("columns", max(map(len, rows)), what)
            scored.append((find_header(rows).score, str(sname), [[None if c == "" else c for c in r] for r in rows]))
    except XxgeoError:
        raise
    except (ValueError, OSError, RuntimeError, TypeError) as exc:  # calamine's errors for a damaged workbook
        raise _bad_file(name, f"（{type(exc).__name__}）") from None
    if not scored:
        raise ImportRefused(f"{what}里没有数据，未导入。",
                            english=f"Excel file “{name}” has no data; nothing was imported.")
    top = max(score for score, _, _ in scored)
    best = [(sname, rows) for score, sname, rows in scored if score == top]
    names = [str(n) for n in wb.sheet_names]
    return RawRows(name, best[0][0], fmt, best[0][1], sheets=names, alternatives=best[1:] if top[0] else [])


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


def _plain(v):
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return int(v)
    return v


def _choose(raw: RawRows, month: str | None) -> RawRows:
    """The sheet to read: the one with the best headers; of several as good, the one whose name names the month
    asked for (3月, 2026年3月); else refused, naming them (never guessed)."""
    if not raw.alternatives:
        return raw
    tied = [(raw.sheet, raw.rows), *raw.alternatives]
    if month:
        m = month_of(month, what="--month")
        hits = [t for t in tied if _names_month(t[0], m)]
        if len(hits) == 1:
            return RawRows(raw.name, hits[0][0], raw.fmt, hits[0][1], raw.sheets)
    listed = "、".join(f"“{n}”" for n, _ in tied)
    raise ImportRefused(f"Excel 文件“{raw.name}”有几张表头相同的工作表（{listed}），不知道该导入哪一张，未导入："
                        "请每个文件只放一张月报，或用 --month 指定月份（工作表名写明该月，如“3月”）。",
                        english=f"The Excel file “{raw.name}” has several sheets with the same headers "
                                f"({', '.join(n for n, _ in tied)}), so which one to import is not known; nothing "
                                "was imported. Put one monthly sheet in a file, or give --month with the month in "
                                "the sheet's name (such as 3月).")


def _names_month(sheet: str, month: str) -> bool:
    """True when a sheet's name names ``month`` (YYYY-MM): 2026年3月, 2026-03, 3月, 3月份."""
    full = month_in_text(sheet)
    if full:
        return full == month
    return bool(re.fullmatch(rf"0?{int(month[5:])}月(份)?", re.sub(r"\s+", "", sheet)))


def _no_keys(raw: RawRows) -> ImportRefused:
    if len(raw.sheets) > 1:
        listed = "、".join(f"“{n}”" for n in raw.sheets)
        return ImportRefused(f"Excel 文件“{raw.name}”的工作表（{listed}）都没有“项目代码”“项目编号”或“项目名称”列，"
                             "无法对应项目，未导入；请用 python -m xxgeo progress template 下载模板。",
                             english=f"No sheet of the Excel file “{raw.name}” ({', '.join(raw.sheets)}) has a "
                                     "项目代码 (project code), 项目编号 (project id) or 项目名称 (project name) "
                                     "column, so no row can be matched; nothing was imported. Download the template "
                                     "with python -m xxgeo progress template.")
    return ImportRefused(f"表格“{raw.name}”没有找到“项目代码”“项目编号”或“项目名称”列，无法对应项目，未导入；"
                         "请用 python -m xxgeo progress template 下载模板。",
                         english=f"The sheet “{raw.name}” has no 项目代码 (project code), 项目编号 (project id) or "
                                 "项目名称 (project name) column, so no row can be matched; nothing was imported. "
                                 "Download the template with python -m xxgeo progress template.")


def parse_rows(raw: RawRows, month: str | None = None) -> ParsedSheet:
    """The report rows of a sheet's cells; ``month`` for rows without a 月份 (else the title's or file name's)."""
    raw = _choose(raw, month)
    rows = raw.rows
    head = find_header(rows)
    if not head.score[0]:
        raise _no_keys(raw)
    title = " ".join(str(c) for r in rows[:head.start] for c in r if not blank(c))
    cols = {f: (j, fac if fac != 1.0 else title_factor(title, head.labels[f])) for f, (j, fac) in head.cols.items()}
    default = month_of(month, what="--month") if month else (month_in_text(title) or month_in_text(raw.name))
    notes = [(f"读取了工作表“{raw.sheet}”。", f"Read the sheet “{raw.sheet}”.")] if raw.sheet else []
    if head.depth == 2:
        notes.append((f"表头有两行（第{head.start + 1}、{head.start + 2}行）。",
                      f"The header takes two rows ({head.start + 1} and {head.start + 2})."))
    if not month and default and "month" not in cols:
        notes.append((f"月份取自表头或文件名：{default}。",
                      f"The month comes from the title or the file name: {default}."))
    out = []
    # 合计 is looked for outside the value columns: a 形象进度 of “合计完成60%” is a project's
    valued = {j for f, (j, _) in cols.items() if f not in ("project_code", "project_id", "name")}
    for i, row in enumerate(rows[head.data_start:], start=head.data_start + 1):
        if not any(not blank(c) for c in row):
            continue
        cell = {f: (row[j] if j < len(row) else None) for f, (j, _) in cols.items()}
        label = f"第{i}行"
        code, pid = key_text(cell.get("project_code")), key_text(cell.get("project_id"))
        name = None if blank(cell.get("name")) else str(_plain(cell.get("name"))).strip() or None
        if not (code or pid) and is_totals([c for j, c in enumerate(row) if j not in valued]):
            continue  # 合计: the sheet's own sum, not a project
        has_values = any(not blank(cell.get(f)) for f in VALUE_FIELDS_OF_SHEET)
        if not (code or pid) and is_aside(name) and not has_values:
            continue  # 一、工业项目 or 填报人：…
        if not (code or pid or name):
            if has_values:
                out.append(SheetRow(label, None, None, None, None, {}))
            continue  # a notes row
        try:
            m = sheet_month(_plain(cell["month"]), default) if not blank(cell.get("month")) else default
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
    if head.ignored:
        notes.append((f"未使用的列：{'、'.join(head.ignored)}。", f"Columns not used: {', '.join(head.ignored)}."))
    return ParsedSheet(raw.name, out, dict(head.labels), list(head.ignored), notes)


def read_sheet(path, month: str | None = None, *, name: str | None = None) -> ParsedSheet:
    """Read and parse a monthly sheet (the file is opened in the isolated worker)."""
    from ..io.worker import read_isolated

    raw = read_isolated(path, name=name or Path(path).name, reader=READER)
    return parse_rows(raw, month)
