"""``python -m xxgeo progress|problems`` (issue 12): the cycle on the command line, a township head held to their
own township by ``--user`` on a store with accounts (both backends), one-sentence refusals, English output."""

from __future__ import annotations

import pytest
from dispatchkit import OTHER, OWN, PEIJIE, snapshot, write_xlsx

from xxgeo.cli import main

PW = "correct horse 9"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def _loc(store) -> str:
    return str(store.path) if store.kind == "gpkg" else store.url


@pytest.fixture
def with_accounts(any_store):
    book = any_store.accounts()
    book.add("boss", "admin", password=PW)
    book.add("li", "editor", password=PW, by="boss")
    book.add("zhang", "township", password=PW, township=PEIJIE, by="boss")
    return any_store


def test_the_cycle_by_command_line(with_accounts, capsys, tmp_path):
    s = _loc(with_accounts)
    code, out, _ = run(capsys, "progress", "set", "--id", OWN, "--month", "2026-03", "本年累计完成=1200",
                       "annual_plan_wan=5000", "--user", "zhang", "--store", s)
    assert code == 0 and "已保存" in out and "草稿" in out
    assert run(capsys, "progress", "submit", "--id", OWN, "--month", "2026-03", "--user", "zhang", "--store", s)[0] == 0
    code, _, err = run(capsys, "progress", "approve", "--id", OWN, "--month", "2026-03", "--user", "zhang",
                       "--store", s)
    assert code != 0 and err.startswith("错误：只有规划局编辑") and len(err.strip().splitlines()) == 1
    code, out, _ = run(capsys, "--lang", "en", "progress", "return", "--id", OWN, "--month", "2026-03", "--comment",
                       "check the total", "--user", "li", "--store", s)
    assert code == 0 and out.strip() == f"{OWN}/2026-03 is now returned."
    code, out, _ = run(capsys, "problems", "add", "--id", OWN, "--month", "2026-03", "--text", "征地",
                       "--needs", "协调", "--due", "2026-04-30", "--user", "zhang", "--store", s)
    assert code == 0 and f"{OWN}/2026-03/1" in out
    code, _, err = run(capsys, "problems", "resolve", "--problem-id", f"{OWN}/2026-03/1", "--resolution", "好",
                       "--user", "zhang", "--store", s)
    assert code != 0 and "只有规划局编辑" in err
    assert run(capsys, "problems", "resolve", "--problem-id", f"{OWN}/2026-03/1", "--resolution", "已征地",
               "--user", "li", "--store", s)[0] == 0
    code, out, _ = run(capsys, "--lang", "en", "problems", "list", "--status", "all", "--store", s)
    assert "resolved" in out and "征地" in out
    code, out, _ = run(capsys, "progress", "list", "--store", s)
    assert code == 0 and "已退回" in out and "1,200 万元" in out


def test_a_township_head_cannot_report_for_another_township(with_accounts, capsys, tmp_path):
    s = _loc(with_accounts)
    before = snapshot(with_accounts)
    code, _, err = run(capsys, "progress", "set", "--id", OTHER, "--month", "2026-03", "本年累计完成=1",
                       "--user", "zhang", "--store", s)
    assert code != 0 and "不属于您所在的乡镇" in err
    code, _, err = run(capsys, "--lang", "en", "problems", "add", "--id", OTHER, "--month", "2026-03", "--text", "x",
                       "--user", "zhang", "--store", s)
    assert code != 0 and err.startswith("Error: Project") and "not in your township" in err
    sheet = write_xlsx(tmp_path / "s.xlsx", [["项目编号", "月份", "本年累计完成"], [OTHER, "2026-03", 5]])
    code, _, err = run(capsys, "progress", "import", sheet, "--user", "zhang", "--store", s)
    assert code != 0 and "整张表未导入" in err
    code, _, err = run(capsys, "progress", "set", "--id", OWN, "--month", "2026-03", "state=approved",
                       "--user", "zhang", "--store", s)
    assert code != 0 and "没有字段" in err
    code, _, err = run(capsys, "set", "--layer", "progress", "--id", f"{OWN}/2026-03", "state=approved",
                       "--user", "li", "--store", s)
    assert code != 0
    assert snapshot(with_accounts) == before


def test_import_and_template_commands(store_copy, capsys, tmp_path):
    s = str(store_copy.path)
    out_file = tmp_path / "t.xlsx"
    code, out, _ = run(capsys, "progress", "template", "--out", out_file, "--township", "裴介", "--month", "2026-03",
                       "--store", s)
    assert code == 0 and out_file.stat().st_size > 0 and "个项目" in out
    sheet = write_xlsx(tmp_path / "u.xlsx", [["项目编号", "项目名称", "月份", "本年累计完成（万元）", "存在问题"],
                                             [OWN, None, "2026-03", 10, "缺资金"],
                                             [None, "没有这个项目", "2026-03", 5, None]])
    code, out, _ = run(capsys, "progress", "import", sheet, "--dry-run", "--store", s)
    assert code == 0 and "未写入" in out and "没有这个项目" in out and len(store_copy.read("progress")) == 0
    code, out, _ = run(capsys, "--lang", "en", "progress", "import", sheet, "--store", s)
    assert code == 0 and "Imported u.xlsx: 1 rows matched" in out and "match no project (1" in out
    assert len(store_copy.read("progress")) == 1 and len(store_copy.read("problems")) == 1
    nothing = write_xlsx(tmp_path / "n.xlsx", [["项目名称", "月份", "本年累计完成"], ["乱写", "2026-03", 1]])
    code, out, err = run(capsys, "progress", "import", nothing, "--store", s)
    assert code != 0 and "没有一行对应到项目" in err and "乱写" in out
    code, _, err = run(capsys, "progress", "import", tmp_path / "missing.xlsx", "--store", s)
    assert code != 0 and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("layer", ["progress", "problems", "photos"])
def test_the_generic_import_refuses_the_cycles_layers(store_copy, capsys, tmp_path, layer):
    """``python -m xxgeo import FILE --layer progress`` would skip the sheet matching, the township checks and the
    cycle's audit: refused in one sentence naming ``progress import``, in both languages, nothing written."""
    s = str(store_copy.path)
    sheet = write_xlsx(tmp_path / "s.xlsx", [["项目编号", "月份", "本年累计完成"], [OWN, "2026-03", 5]])
    before = snapshot(store_copy)
    code, _, err = run(capsys, "import", sheet, "--layer", layer, "--store", s)
    assert code != 0 and "python -m xxgeo progress import" in err and "调度" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    code, _, err = run(capsys, "--lang", "en", "import", sheet, "--layer", layer, "--store", s)
    assert code != 0 and "python -m xxgeo progress import" in err and "dispatch cycle" in err
    assert len(err.strip().splitlines()) == 1
    assert snapshot(store_copy) == before
