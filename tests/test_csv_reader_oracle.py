"""The CSV reader (:func:`xxgeo.io.tables.read_csv`, its records from :mod:`xxgeo.io.csvrows`) gives what the
line-by-line reader it replaced gave — the same frame, labels, notes and the same refusals — over generated
files: ragged rows, blank lines, quoted cells with line breaks and delimiters, Unicode blanks, title rows,
duplicate and empty headers, tab and semicolon delimiters, GBK, and every import limit crossed (alone and
together, so that which refusal comes first is compared too)."""

from __future__ import annotations

import csv
import io
import random
from dataclasses import replace

import pandas as pd
import pytest

from xxgeo.errors import ImportRefused
from xxgeo.io import columns as colmap
from xxgeo.io import limits
from xxgeo.io.encoding import check_no_mojibake, decode_text
from xxgeo.io.rawtable import RawTable
from xxgeo.io.tables import read_csv

# --- the oracle: the reader as it was before the column-wise rewrite, copied verbatim -----------------------


def _old_lines(text, what):
    cap = limits.current().line_chars
    for n, line in enumerate(io.StringIO(text), start=1):
        if len(line) > cap:
            raise limits.over("line_chars", len(line), what, where=f"第{n}行")
        yield line


def _old_bounded_rows(rows, what):
    lim = limits.current()
    for n, row in enumerate(rows, start=1):
        if len(row) > lim.columns:
            tail = row[lim.columns:]
            if tail.count(None) != len(tail):
                width = len(row) - next(i for i, v in enumerate(reversed(row)) if v is not None)
                raise limits.over("columns", width, what, where=f"第{n}行")
            row = row[: lim.columns]
        if n > lim.rows + 15:
            raise limits.over("rows", None, what)
        yield row


def _old_read_csv(path, name, encoding, score):
    text, codec = decode_text(path.read_bytes(), encoding, what=f"表格“{name}”")
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;|")
        delim = dialect.delimiter
    except csv.Error:
        delim = "\t" if sample.count("\t") > sample.count(",") else ","
    what = f"表格“{name}”"
    csv.field_size_limit(max(limits.current().line_chars, 131072))
    try:
        rows = list(_old_bounded_rows(csv.reader(_old_lines(text, what), delimiter=delim), what))
    except csv.Error as exc:
        raise ImportRefused(f"{what}格式错误（{exc}），未导入任何数据。",
                            english="The table is malformed (CSV); nothing was imported.") from None
    notes = [] if codec.startswith("utf") else ["表格不是 UTF-8 编码，已按 GBK/GB18030 解码。"]
    return _old_table(rows, "csv", name, notes, score)


def _old_header_row(rows, score):
    best = (0, -1)
    for i, row in enumerate(rows[:15]):
        cells = [c for c in row if c is not None and str(c).strip()]
        if len(cells) < 2:
            continue
        sc = score(row) if score else len(cells)
        if sc > best[1]:
            best = (i, sc)
    return best


def _old_filled(row):
    try:
        return bool("".join(row).strip())
    except TypeError:
        return any(c is not None and str(c).strip() for c in row)


def _old_cell(v):
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return v
    s = v if not isinstance(v, str) else v.strip()
    return None if isinstance(s, str) and not s else s


def _old_table(rows, fmt, name, notes, score):
    keep = [(i, r) for i, r in enumerate(rows or []) if _old_filled(r)]
    if len(keep) < 2:
        raise ImportRefused(f"表格“{name}”没有数据行（至少需要一行表头和一行数据），未导入。",
                            english=f"The table “{name}” has no data rows (it needs a header row and at least one "
                                    "data row); nothing was imported.")
    lines = [i + 1 for i, _ in keep]
    rows = [r for _, r in keep]
    h, _ = _old_header_row(rows, score)
    header = [("" if c is None else str(c).strip()) for c in rows[h]]
    seen: dict = {}
    cols = []
    for i, c in enumerate(header):
        c = c or f"列{i + 1}"
        seen[c] = seen.get(c, 0) + 1
        cols.append(c if seen[c] == 1 else f"{c}_{seen[c]}")
    body = [list(r) + [None] * (len(cols) - len(r)) for r in rows[h + 1:]]
    labels = [f"第{n}行" for n in lines[h + 1:]]
    limits.check("rows", len(body), f"表格“{name}”")
    n = len(cols)
    frame = pd.DataFrame([[(v.strip() or None) if type(v) is str else _old_cell(v) for v in r[:n]] for r in body],
                         columns=cols, dtype=object)
    limits.check_frame(frame, f"表格“{name}”", labels)
    check_no_mojibake(frame, f"表格“{name}”")
    return RawTable(frame=frame, geometry=None, crs=None, fmt=fmt, name=name, row_labels=labels, notes=notes)


# --- generated files ----------------------------------------------------------------------------------------

CELLS = ["甲", " 乙 ", "", " ", "\u3000", "\xa0丙\xa0", "\x1c", "\x1f丁\x1d", "a,b", "x;y", "p\tq", "第一行\n第二行",
         'say "hi"', "3.5", " 12 ", "工业", "农业", "\u3000\u3000", "\r\n", "名称", "x\u2028y", "\u200b", "e\u0301",
         "长" * 70, "(" * 5 + ")" * 5, "(" * 40 + ")" * 40]
HEADERS = ["项目名称", "类别", "总投资", "经度", "纬度", "", " ", "名称", "名称", "名称_2", "位置精度", "\u3000备注"]


def _records(rng: random.Random) -> list[list[str]]:
    rows: list[list[str]] = []
    for _ in range(rng.randint(0, 3)):  # title rows above the header
        rows.append([rng.choice(["某县项目表", "单位：万元", " "])] + [""] * rng.randint(0, 3))
    if rng.random() < 0.3:
        rows.append([])
    width = rng.randint(2, 7)
    rows.append([rng.choice(HEADERS) for _ in range(width)])
    for _ in range(rng.randint(0, 40)):
        r = rng.random()
        if r < 0.1:
            rows.append([])  # a blank line
        elif r < 0.15:
            rows.append([rng.choice(["", " ", "\u3000", "\xa0", "\x1c"]) for _ in range(rng.randint(1, 5))])
        else:  # ragged: shorter or longer than the header
            rows.append([rng.choice(CELLS) for _ in range(max(0, width + rng.randint(-3, 3)))])
    return rows


def _write(path, rows, rng: random.Random) -> str | None:
    delim = rng.choice([",", ",", "\t", ";"])
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delim, lineterminator=rng.choice(["\n", "\r\n"]),
                   quoting=rng.choice([csv.QUOTE_MINIMAL, csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    w.writerows(rows)
    text = buf.getvalue()
    if rng.random() < 0.1:
        text = text.replace("\n", "\n\n", 1)  # an empty line
    if rng.random() < 0.05:
        text += "尾巴\r未完"  # a lone carriage return: a csv.Error
    enc = rng.choice(["utf-8", "utf-8", "utf-8-sig", "gbk"])
    try:
        path.write_bytes(text.encode(enc))
    except UnicodeEncodeError:  # a character GBK does not have
        path.write_bytes(text.encode("gb18030"))
    return rng.choice([None, None, None, "gbk" if enc == "gbk" else "utf-8"])


def _outcome(read, path, encoding, score):
    """What a reader gives: the table's parts, or the refusal (or other error) with its message."""
    try:
        t = read(path, path.name, encoding, score)
    except ImportRefused as e:
        return ("refused", e.message, e.english)
    except Exception as e:  # noqa: BLE001 - the same failure is the same behaviour too
        return ("error", type(e).__name__, str(e))
    f = t.frame
    cells = [[(type(v).__name__, v) for v in row] for row in f.itertuples(index=False, name=None)]
    return ("ok", list(f.columns), [str(d) for d in f.dtypes], cells, type(f.index).__name__, len(f.index),
            t.row_labels, t.notes, t.fmt, t.name, t.geometry, t.crs)


LIMITS = [limits.current()] * 3 + [replace(limits.current(), rows=20, columns=9, line_chars=120),
                                   replace(limits.current(), rows=8, columns=6, line_chars=200),
                                   replace(limits.current(), columns=5), replace(limits.current(), rows=12),
                                   replace(limits.current(), cell_chars=75),
                                   replace(limits.current(), nesting=30)]


@pytest.mark.parametrize("seed", range(240))
def test_generated_csv_reads_as_the_old_reader_read_it(tmp_path, seed):
    rng = random.Random(seed)
    path = tmp_path / f"t{seed}.csv"
    encoding = _write(path, _records(rng), rng)
    score = colmap.header_scorer("projects") if seed % 2 else None
    with limits.using(LIMITS[seed % len(LIMITS)]):
        new, old = _outcome(read_csv, path, encoding, score), _outcome(_old_read_csv, path, encoding, score)
    if old[:2] == ("error", "AttributeError"):  # the old crash on a renamed header meeting a name the file has
        assert new[0] in ("ok", "refused")  # (a,a,a_2): now every name is unique, so the table reads or its
        assert new[0] == "refused" or len(set(new[1])) == len(new[1])  # limits refuse it in a sentence
        return
    assert new == old


def test_the_generated_files_cover_each_outcome(tmp_path):
    seen = set()
    for seed in range(240):
        rng = random.Random(seed)
        path = tmp_path / f"t{seed}.csv"
        encoding = _write(path, _records(rng), rng)
        with limits.using(LIMITS[seed % len(LIMITS)]):
            got = _outcome(read_csv, path, encoding, None)
        seen.add(got[0] if got[0] != "refused" else next(
            (w for w in ("XXGEO_MAX_ROWS", "XXGEO_MAX_COLUMNS", "XXGEO_MAX_LINE_CHARS", "XXGEO_MAX_CELL_CHARS",
                       "XXGEO_MAX_NESTING", "格式错误", "没有数据行")
             if w in got[1]), got[1]))
    assert {"ok", "XXGEO_MAX_ROWS", "XXGEO_MAX_COLUMNS", "XXGEO_MAX_LINE_CHARS", "XXGEO_MAX_CELL_CHARS",
            "XXGEO_MAX_NESTING", "格式错误", "没有数据行"} <= seen


def _same(tmp_path, text: str, lim=None, encoding=None, data: bytes | None = None):
    path = tmp_path / "h.csv"
    path.write_bytes(data if data is not None else text.encode("utf-8"))
    with limits.using(lim or limits.current()):
        new, old = _outcome(read_csv, path, encoding, None), _outcome(_old_read_csv, path, encoding, None)
    assert new == old
    return new


def test_refusals_in_the_order_a_streaming_read_meets_them(tmp_path):
    lim = replace(limits.current(), rows=5, columns=3, line_chars=40)
    body = "".join(f"甲{i},乙,丙\n" for i in range(30))
    assert "XXGEO_MAX_ROWS" in _same(tmp_path, "a,b,c\n" + body, lim)[1]
    wide = "a,b,c\n甲,乙,丙,丁\n" + "x" * 50 + "\n"  # the wide row comes before the long line
    assert "第2行" in _same(tmp_path, wide, lim)[1] and "XXGEO_MAX_COLUMNS" in _same(tmp_path, wide, lim)[1]
    long_first = "a,b,c\n" + "x" * 50 + "\n甲,乙,丙,丁\n"
    assert "XXGEO_MAX_LINE_CHARS" in _same(tmp_path, long_first, lim)[1]
    past_rows = "a,b,c\n" + body + "x" * 50 + "\n"  # the long line lies past the row limit: rows refused
    assert "XXGEO_MAX_ROWS" in _same(tmp_path, past_rows, lim)[1]
    assert "XXGEO_MAX_ROWS" in _same(tmp_path, "a,b,c\n" + body + "甲,乙,丙,丁\n", lim)[1]
    at_edge = "a,b,c\n" + "".join(f"甲{i},乙,丙\n" for i in range(lim.rows + 14)) + "甲,乙,丙,丁\n"
    assert "XXGEO_MAX_COLUMNS" in _same(tmp_path, at_edge, lim)[1]  # record rows + 16: its width is seen first
    exact = "a,b,c\n" + "".join(f"甲{i},乙,丙\n" for i in range(lim.rows))
    assert _same(tmp_path, exact, lim)[0] == "ok"
    blanks = "a,b,c\n" + "\n" * (lim.rows + 20) + "甲,乙,丙\n"  # blank records count towards the row limit
    assert "XXGEO_MAX_ROWS" in _same(tmp_path, blanks, lim)[1]


def test_malformed_tables_fail_as_before(tmp_path):
    lim = replace(limits.current(), line_chars=1000)  # the csv module's field limit stays at 131072
    huge = 'a,b\n"' + "字" * 50 + "\n" + ("字" * 50 + "\n") * 2700 + '",x\n'
    got = _same(tmp_path, huge, lim)
    assert got[0] == "refused" and "格式错误" in got[1] and "field larger" in got[1]
    wide_first = "a,b\n1,2,3,4,5\n" + huge[4:]
    assert "XXGEO_MAX_COLUMNS" in _same(tmp_path, wide_first, replace(lim, columns=3))[1]
    got = _same(tmp_path, "a,b\n甲,乙\n丙\r丁,戊\n")
    assert got[0] == "refused" and "格式错误" in got[1]
    assert _same(tmp_path, "")[0] == "refused" and _same(tmp_path, "\n\n \n")[0] == "refused"


def test_cells_headers_and_encodings_as_before(tmp_path):
    got = _same(tmp_path, "标题\n\n名称,,名称, ,类别\n 甲 ,\u3000,\x1c丙\x1c,\xa0,工业\n乙\n\n丁,1,,,,,6\n")
    assert got[0] == "ok" and got[1] == ["名称", "列2", "名称_2", "列4", "类别"]
    assert got[6] == ["第4行", "第5行", "第7行"]
    assert got[3][1] == [("str", "乙")] + [("NoneType", None)] * 4
    assert _same(tmp_path, '名称\t类别\n"甲\t乙"\t"第一\n第二"\n')[3] == [[("str", "甲\t乙"), ("str", "第一\n第二")]]
    assert _same(tmp_path, "名称;类别\n甲;工业\n")[1] == ["名称", "类别"]
    gbk = "名称,类别\n甲,工业\n".encode("gbk")
    assert _same(tmp_path, "", data=gbk)[7] == ["表格不是 UTF-8 编码，已按 GBK/GB18030 解码。"]
    assert _same(tmp_path, "", data=gbk, encoding="gbk")[0] == "ok"


def test_a_repeated_header_never_lands_on_a_name_the_file_has(tmp_path):
    """``a,a,a_2`` once gave two columns named a_2 and a traceback further on (the old reader still does)."""
    p = tmp_path / "d.csv"
    p.write_text("a,a,a_2,a\n1,2,3,4\n", encoding="utf-8")
    assert _outcome(_old_read_csv, p, None, None)[0] == "error"
    raw = read_csv(p, "d.csv", None, None)
    assert list(raw.frame.columns) == ["a", "a_2", "a_2_2", "a_3"]
    assert raw.frame.values.tolist() == [["1", "2", "3", "4"]]
    usual = read_csv(_csv_file(tmp_path, "名称,名称,类别\n甲,乙,工业\n"), "e.csv", None, None)
    assert usual.frame.columns.tolist() == ["名称", "名称_2", "类别"]  # the usual case named as before


def _csv_file(tmp_path, text: str):
    p = tmp_path / "e.csv"
    p.write_text(text, encoding="utf-8")
    return p


def test_a_larger_file_reads_as_before(tmp_path):
    rng = random.Random(7)
    rows = [["项目名称", "类别", "总投资", "经度", "纬度"]]
    rows += [[rng.choice(CELLS) for _ in range(rng.randint(0, 7))] for _ in range(3000)]
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    assert _same(tmp_path, buf.getvalue())[0] == "ok"


def test_garbled_stays_mojibake_per_value():
    import numpy as np

    from xxgeo.io.encoding import garbled, mojibake

    bad = "项目名称".encode().decode("gb18030", "replace")
    columns = [[None, None], ["", None, ""], ["工业", None, "工业", ""] * 30, ["工业", bad, None, "工业"] * 5,
               [np.str_(bad), "项目", np.str_("项目"), None, "项目"], ["项目", b"x", bad, "项目"],
               ["项目", b"x", bad, 3.5, np.str_("甲乙")], [f"导入测试项目{i}" for i in range(100)] + [None, bad]]
    for values in columns:
        assert garbled(values) == [mojibake(v) for v in values]
    assert any(garbled(columns[3])) and any(garbled(columns[4])) and garbled(columns[2]) == [False] * 120
