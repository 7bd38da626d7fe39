"""Faults of issue 18: a read-only store file gets one sentence and is never replaced; restores at the same
moment are serialised and every one is audited (both backends)."""

from __future__ import annotations

import os
import stat

import pytest
from datafactory import make_store, points_in
from kit import run_together

from xxgeo.cli import main


@pytest.fixture
def ro_store(tmp_path):
    store = make_store(tmp_path / "store.gpkg")
    store.backup("t")
    os.chmod(store.path, stat.S_IRUSR | stat.S_IRGRP)  # only the file is read-only; its folder stays writable
    yield store
    os.chmod(store.path, stat.S_IRUSR | stat.S_IWUSR)


def _refused(capsys, store, *argv) -> str:
    before = store.path.read_bytes()
    ino = store.path.stat().st_ino
    code = main([str(a) for a in argv] + ["--store", str(store.path)])
    _, err = capsys.readouterr()
    assert code != 0 and err.count("\n") == 1 and "Traceback" not in err, err
    assert store.path.read_bytes() == before and store.path.stat().st_ino == ino  # not replaced
    return err


def test_read_only_store_file_is_never_replaced(capsys, ro_store, tmp_path):
    q = points_in("140828200")[0]
    src = tmp_path / "p.csv"
    src.write_text(f"项目名称,类别,乡镇,经度,纬度\n物流中心,商贸物流,尉郭,{q.x},{q.y}\n", encoding="utf-8")
    backup = ro_store.list_backups()[0].name
    pid = str(ro_store.read("projects")["project_id"].iloc[0])
    for argv in (("import", src, "--layer", "projects", "--precision", "surveyed"), ("restore", backup),
                 ("set", "--layer", "projects", "--id", pid, "status=在建")):
        err = _refused(capsys, ro_store, *argv)
        assert "是只读的" in err and "重建" not in err, (argv, err)
    assert "read-only" in _refused(capsys, ro_store, "--lang", "en", "restore", backup)


def test_restores_at_once_are_serialised_and_each_audited(any_store):
    saved = [any_store.backup(f"t{i}") for i in range(2)]
    names = [b.name for b in saved] * 3
    res = run_together([lambda n=n, i=i: any_store.restore(n, user=f"u{i}") for i, n in enumerate(names)])
    assert not [r for r in res if isinstance(r, Exception)], res
    log = any_store.read("audit_log")
    rows = log[log["action"] == "restore"]
    assert sorted(rows["user"]) == sorted(f"u{i}" for i in range(6))  # six restores, six audit rows
    assert len(any_store.read("projects")) > 0 and any_store.validate().ok
