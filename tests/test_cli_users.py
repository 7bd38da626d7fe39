"""``python -m xxgeo users …`` and ``--user`` with roles on the command line (issue 6)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from xxgeo.accounts import Accounts
from xxgeo.cli import main

ROOT = Path(__file__).resolve().parent.parent
PW = "correct horse 9"
PEIJIE = "140828102"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def pwfile(tmp_path) -> Path:
    p = tmp_path / "pw.txt"
    p.write_text(PW + "\n", encoding="utf-8")
    return p


def test_users_add_list_remove(any_store, pwfile, capsys):
    s = str(any_store.path) if any_store.kind == "gpkg" else any_store.url
    code, out, _ = run(capsys, "users", "list", "--store", s)
    assert code == 0 and "还没有账号" in out
    assert run(capsys, "users", "add", "boss", "--role", "admin", "--password-file", pwfile, "--store", s)[0] == 0
    code, out, _ = run(capsys, "users", "add", "zhang", "--role", "township", "--township", "裴介",
                       "--password-file", pwfile, "--store", s, "--user", "boss")
    assert code == 0 and "乡镇负责人" in out
    code, out, _ = run(capsys, "users", "list", "--store", s)
    assert code == 0 and "boss\t管理员" in out and "zhang\t乡镇负责人 裴介镇" in out and PW not in out
    # a township head cannot manage accounts; the refusal is one line, nothing changes
    code, out, err = run(capsys, "users", "remove", "boss", "--store", s, "--user", "zhang")
    assert code != 0 and err.count("\n") == 1 and "只有管理员" in err
    assert run(capsys, "users", "remove", "zhang", "--store", s, "--user", "boss")[0] == 0
    assert [a.name for a in Accounts(any_store).list()] == ["boss"]
    assert Accounts(any_store).sign_in("boss", PW).role == "admin"  # the file's first line, no newline


def test_users_add_refusals(store_copy, tmp_path, pwfile, capsys):
    s = store_copy.path
    code, _, err = run(capsys, "users", "add", "x", "--role", "editor", "--password-file", tmp_path / "none",
                       "--store", s)
    assert code != 0 and "找不到密码文件" in err
    short = tmp_path / "short.txt"
    short.write_text("abc\n")
    code, _, err = run(capsys, "users", "add", "x", "--role", "editor", "--password-file", short, "--store", s)
    assert code != 0 and "密码太短" in err
    code, _, err = run(capsys, "users", "add", "x", "--role", "township", "--password-file", pwfile, "--store", s)
    assert code != 0 and "--township" in err
    assert Accounts(store_copy).list() == []


def test_user_role_applies_to_set_export_import_undo(store_copy, pwfile, tmp_path, capsys):
    s = store_copy.path
    book = Accounts(store_copy)
    book.add("zhang", "township", password=PW, township="裴介")
    book.add("li", "editor", password=PW)
    p = store_copy.read("projects")
    own = str(p.loc[p["township_code"] == PEIJIE, "project_id"].iloc[0])
    other = str(p.loc[p["township_code"].notna() & (p["township_code"] != PEIJIE), "project_id"].iloc[0])
    code, _, _ = run(capsys, "set", "--layer", "projects", "--id", own, "status=在建", "--user", "zhang", "--store", s)
    assert code == 0
    before = store_copy.read("projects")
    code, _, err = run(capsys, "set", "--layer", "projects", "--id", other, "status=在建", "--user", "zhang",
                       "--store", s)
    assert code != 0 and "不属于您所在的乡镇" in err and "Traceback" not in err
    elsewhere = p.set_index("project_id").loc[other, "township_code"]
    code, _, err = run(capsys, "set", "--layer", "projects", "--id", own, f"township_code={elsewhere}",
                       "--user", "zhang", "--store", s)
    assert code != 0 and "其他乡镇" in err
    assert store_copy.read("projects").equals(before)
    code, _, err = run(capsys, "export", "--layer", "projects", "--format", "csv", "--out", tmp_path / "a.csv",
                       "--user", "zhang", "--store", s)
    assert code != 0 and "--public-only" in err and not (tmp_path / "a.csv").exists()
    assert run(capsys, "export", "--layer", "projects", "--format", "csv", "--out", tmp_path / "b.csv", "--public-only",
               "--user", "zhang", "--store", s)[0] == 0
    code, _, err = run(capsys, "undo", "--user", "zhang", "--store", s)
    assert code != 0 and "无权撤销修改" in err
    code, _, err = run(capsys, "set", "--layer", "projects", "--id", own, "status=x", "--user", "nobody", "--store", s)
    assert code != 0 and "没有账号“nobody”" in err
    assert run(capsys, "set", "--layer", "projects", "--id", other, "status=在建", "--user", "li", "--store", s)[0] == 0
    log = store_copy.read("audit_log")
    assert list(log["user"].tail(2)) == ["zhang", "li"]


def test_users_command_in_a_real_process(store_copy, pwfile):
    """The documented command, as a user types it (module entry point, exit status, stdout)."""
    r = subprocess.run([sys.executable, "-m", "xxgeo", "users", "add", "boss", "--role", "admin",
                        "--password-file", str(pwfile), "--store", str(store_copy.path)],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "已添加账号 boss（管理员）" in r.stdout, r.stderr
