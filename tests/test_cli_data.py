"""The data commands of the CLI contract: import, export, set, restore, undo (DESIGN.md section 4)."""

from __future__ import annotations

import os
import zipfile

import pandas as pd
import pytest
from datafactory import make_store, points_in

from xxgeo.cli import main


@pytest.fixture
def store(tmp_path):
    return make_store(tmp_path / "store.gpkg")


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def refused(capsys, store, *argv) -> str:
    before = store.path.read_bytes()
    code, out, err = run(capsys, *argv, "--store", store.path)
    assert code != 0
    assert err.startswith("错误：") and err.count("\n") == 1 and "Traceback" not in err
    assert store.path.read_bytes() == before
    return err


def test_import_csv_then_export_public_only(capsys, store, tmp_path):
    q = points_in("140828200")[0]
    src = tmp_path / "p.csv"
    src.write_text(f"项目名称,类别,乡镇,经度,纬度,是否公开\n尉郭乡物流中心,商贸物流,尉郭,{q.x},{q.y},是\n"
                   f"尉郭乡内部项目,工业,尉郭,{q.x},{q.y},否\n", encoding="utf-8")
    code, out, _ = run(capsys, "import", src, "--layer", "projects",
                       "--precision", "surveyed", "--store", store.path, "--user", "张三")
    assert code == 0 and "新增 2 行" in out and "提示：" in out
    out_path = tmp_path / "pub.csv"
    code, out, _ = run(capsys, "export", "--layer", "projects", "--format", "csv", "--out", out_path,
                       "--store", store.path, "--township", "尉郭", "--public-only")
    assert code == 0 and "已导出 1 行" in out
    df = pd.read_csv(out_path, encoding="utf-8-sig")
    assert df["项目名称"].tolist() == ["尉郭乡物流中心"] and "是否公开" not in df.columns
    assert store.read("audit_log")["user"].iloc[-1] == "张三"


def test_import_dry_run_lists_all_problems_and_writes_nothing(capsys, store, tmp_path):
    src = tmp_path / "bad.csv"
    src.write_text("项目名称,类别\n" + "".join(f"项目{i},太空\n" for i in range(5)), encoding="utf-8")
    before = store.path.read_bytes()
    code, out, _ = run(capsys, "import", src, "--layer", "projects",
                       "--precision", "surveyed", "--store", store.path, "--dry-run")
    assert code == 1 and out.count("问题：") == 5 and "未写入" in out
    assert store.path.read_bytes() == before
    err = refused(capsys, store, "import", src, "--layer", "projects", "--precision", "surveyed")
    assert "共 5 处问题" in err and "--dry-run" in err


def bomb(tmp_path):
    p = tmp_path / "bomb.zip"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("x.shp", b"\0" * (30 * 1024 * 1024))
    return p, "压缩炸弹"


def traversal(tmp_path):
    p = tmp_path / "t.zip"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("../../x.shp", b"x")
    return p, "不安全的路径"


def random_bytes(tmp_path):
    p = tmp_path / "r.dat"
    p.write_bytes(os.urandom(3000) + b"\0")
    return p, "无法识别文件"


def truncated(tmp_path):
    p = tmp_path / "cut.zip"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.shp", os.urandom(5000))
    p.write_bytes(p.read_bytes()[:2000])
    return p, "不完整或已损坏"


def renamed_text(tmp_path):
    p = tmp_path / "readme.zip"
    p.write_text("hello 你好\n", encoding="utf-8")
    return p, "扩展名是 .zip"


@pytest.mark.parametrize("make", [bomb, traversal, random_bytes, truncated, renamed_text])
def test_hostile_files_exit_non_zero(capsys, store, tmp_path, make):
    path, words = make(tmp_path)
    err = refused(capsys, store, "import", path, "--layer", "projects", "--precision", "surveyed")
    assert words in err


def test_unknown_layer_and_crs(capsys, store, tmp_path):
    src = tmp_path / "p.csv"
    src.write_text("项目名称,类别\n甲,工业\n", encoding="utf-8")
    assert "没有名为“parking”的图层" in refused(capsys, store, "import", src, "--layer", "parking")
    assert "不认识的坐标系" in refused(capsys, store, "import", src, "--layer", "projects",
                                "--precision", "surveyed", "--crs", "EPSG:999999")


def test_set_undo_restore(capsys, store):
    code, out, _ = run(capsys, "set", "--layer", "projects", "--id", "XM0003", "状态=在建", "start_year=2024",
                       "--user", "李四", "--store", store.path)
    assert code == 0 and "现为版本 2" in out
    err = refused(capsys, store, "set", "--layer", "projects", "--id", "XM0003", "status=完工", "--user", "王五",
                  "--expected-version", "1")
    assert "已被他人修改" in err
    code, out, _ = run(capsys, "undo", "--user", "王五", "--store", store.path, "--dry-run")
    assert code == 0 and "将撤销" in out and "李四" in out
    code, out, _ = run(capsys, "undo", "--user", "王五", "--store", store.path)
    assert code == 0 and "已撤销" in out
    p = store.read("projects").set_index("project_id")
    assert pd.isna(p.loc["XM0003", "status"]) and p.loc["XM0003", "start_year"] == 2022
    code, out, _ = run(capsys, "restore", "--store", store.path)
    assert code == 0 and "没有备份" in out
    src = store.path.parent / "one.csv"
    src.write_text("项目编号,状态\nXM0003,投产\n", encoding="utf-8")
    assert run(capsys, "import", src, "--layer", "projects", "--precision", "surveyed", "--store", store.path)[0] == 0
    code, out, _ = run(capsys, "restore", "--store", store.path)
    name = store.list_backups()[0].name
    assert code == 0 and name in out
    code, out, _ = run(capsys, "restore", name, "--store", store.path)
    assert code == 0 and "已恢复" in out
    assert pd.isna(store.read("projects").set_index("project_id").loc["XM0003", "status"])
    assert "没有找到备份" in refused(capsys, store, "restore", "nope.gpkg")


def test_missing_store(capsys, tmp_path):
    code, _, err = run(capsys, "export", "--layer", "projects", "--format", "csv", "--out", tmp_path / "x.csv",
                       "--store", tmp_path / "none.gpkg")
    assert code != 0 and "找不到数据库文件" in err


def test_undo_defaults_to_xxgeo_user(capsys, store, monkeypatch):
    """``undo`` needs no --user: as its help says, it acts as XXGEO_USER (issue 17, item 7)."""
    monkeypatch.setenv("XXGEO_USER", "赵六")
    code, out, _ = run(capsys, "set", "--layer", "projects", "--id", "XM0003", "status=在建", "--store", store.path)
    assert code == 0, out
    code, out, err = run(capsys, "undo", "--store", store.path)
    assert code == 0 and "已撤销" in out, (out, err)
    log = store.read("audit_log")
    assert list(log["user"].tail(2)) == ["赵六", "赵六"] and log["action"].iloc[-1] == "undo"
