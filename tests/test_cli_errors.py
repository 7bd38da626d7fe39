"""No traceback from any CLI command (DESIGN.md section 4; issue 11 items 3 and 8).

An output that cannot be written (a path under a regular file, a folder where a file is expected, a full
disk: ``/dev/full``), a read-only or locked store: each ends in one sentence on stderr naming the path and
what to do, a non-zero exit, and the store byte-for-byte as it was. Anything the error table does not know
still propagates, and a command module that fails to import fails loudly.

CI runs as root, where ``chmod`` stops no write: the failures here are ones root meets too (``/dev/full``,
``file/x.html``, a folder as the output), SQLite opening the store read-only (``mode=ro``), GDAL's own
error sentences, and the store's writer lock held by another thread.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pyogrio
import pyogrio.errors
import pytest
from datafactory import make_store, points_in

from xxgeo import cli
from xxgeo.cli import main
from xxgeo.files import write_atomic
from xxgeo.store import open_store

ROOT = Path(__file__).resolve().parent.parent


def digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def fails(capsys, store: Path, *argv) -> str:
    """Run a command that must fail cleanly; returns its one line of stderr."""
    before = digest(store)
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert code != 0, out
    assert err.startswith(("错误：", "Error: ")) and err.count("\n") == 1 and "Traceback" not in err, err
    assert digest(store) == before
    return err


@pytest.fixture
def store(tmp_path):
    return make_store(tmp_path / "store.gpkg")


@pytest.fixture
def a_file(tmp_path) -> Path:
    p = tmp_path / "some_file"
    p.write_text("not a folder", encoding="utf-8")
    return p


def a_csv(folder: Path) -> Path:
    """A one-project CSV that imports cleanly into :func:`make_store`'s store."""
    q = points_in("140828200")[0]
    src = folder / "p.csv"
    src.write_text(f"项目名称,类别,乡镇,经度,纬度\n尉郭乡物流中心,商贸物流,尉郭,{q.x},{q.y}\n", encoding="utf-8")
    return src


def _map(out, s):
    return ["map", "--out", out, "--store", s]


def _export(out, s):
    return ["export", "--layer", "projects", "--format", "csv", "--out", out, "--store", s]


def _report(out, s):
    return ["report", "township", "庙前", "--out", out, "--store", s]


OUTPUT_COMMANDS = {"map": _map, "export": _export, "report": _report}


# ----------------------------------------------------------------------------- outputs that cannot be written
@pytest.mark.parametrize("command", OUTPUT_COMMANDS)
def test_output_on_a_full_disk(command, capsys, built_store_path):
    err = fails(capsys, built_store_path, *OUTPUT_COMMANDS[command]("/dev/full", built_store_path))
    assert "磁盘已满" in err and "/dev/full" in err
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)  # written through, never renamed over


@pytest.mark.parametrize("command", OUTPUT_COMMANDS)
def test_output_under_a_regular_file(command, capsys, built_store_path, a_file):
    err = fails(capsys, built_store_path, *OUTPUT_COMMANDS[command](a_file / "x.out", built_store_path))
    assert str(a_file) in err and "不是文件夹" in err
    assert a_file.read_text(encoding="utf-8") == "not a folder"


@pytest.mark.parametrize("command", ["map", "report"])
def test_output_is_a_folder(command, capsys, built_store_path, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    err = fails(capsys, built_store_path, *OUTPUT_COMMANDS[command](folder, built_store_path))
    assert str(folder) in err and "文件夹" in err and "文件名" in err
    assert list(folder.iterdir()) == [] and [p.name for p in tmp_path.iterdir()] == ["out"]


def test_full_disk_in_english(capsys, built_store_path):
    err = fails(capsys, built_store_path, "--lang", "en", *_map("/dev/full", built_store_path))
    assert err.startswith("Error: ") and "disk is full" in err and "/dev/full" in err


def test_map_to_dev_full_in_a_real_process(built_store_path):
    """``python -m xxgeo`` as a user runs it: no traceback, one line, non-zero."""
    env = {k: v for k, v in os.environ.items() if k != "XXGEO_LANG"}
    res = subprocess.run([sys.executable, "-m", "xxgeo", "map", "--out", "/dev/full", "--store",
                          str(built_store_path)], cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
    assert res.returncode != 0
    assert "Traceback" not in res.stderr and res.stderr.count("\n") == 1 and "/dev/full" in res.stderr
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_a_bug_inside_an_output_write_leaves_no_file(monkeypatch, capsys, built_store_path, tmp_path):
    """An exception the table does not know propagates, and the half-written output is removed."""
    def boom(fd):
        raise RuntimeError("bug while writing")

    monkeypatch.setattr(os, "fsync", boom)
    out = tmp_path / "m.html"
    with pytest.raises(RuntimeError, match="bug while writing"):
        main([str(a) for a in _map(out, built_store_path)])
    assert list(tmp_path.iterdir()) == []


def test_write_atomic_keeps_the_old_file_when_a_write_fails(monkeypatch, tmp_path):
    out = write_atomic(tmp_path / "a" / "r.txt", "旧内容")
    assert out.read_text(encoding="utf-8") == "旧内容"

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError) as ei:
        write_atomic(out, "新内容")
    assert ei.value.filename == str(out)  # the user's path, not the hidden temporary file
    assert out.read_text(encoding="utf-8") == "旧内容" and [p.name for p in out.parent.iterdir()] == ["r.txt"]


# ----------------------------------------------------------------------------- the store cannot be written
def test_build_where_the_store_cannot_be(capsys, tmp_path, a_file):
    err = fails(capsys, a_file, "build", "--store", a_file / "x.gpkg")
    assert str(a_file) in err and "不是文件夹" in err
    folder = tmp_path / "folder.gpkg"
    folder.mkdir()
    err = fails(capsys, a_file, "build", "--store", folder)
    assert str(folder) in err and "文件夹" in err


@pytest.mark.parametrize("gdal_says, expected", [
    ("sqlite3_exec(COMMIT) failed: database or disk is full", "磁盘已满"),
    ("sqlite3_exec(BEGIN) failed: attempt to write a readonly database", "只读"),
])
def test_build_and_import_when_gdal_cannot_write(monkeypatch, capsys, store, tmp_path, gdal_says, expected):
    def refuse(*a, **kw):
        raise pyogrio.errors.DataLayerError(gdal_says)

    monkeypatch.setattr(pyogrio, "write_dataframe", refuse)
    err = fails(capsys, store.path, "build", "--store", store.path)
    assert expected in err and str(store.path) in err
    src = a_csv(tmp_path)
    err = fails(capsys, store.path, "import", src, "--layer", "projects",
                "--precision", "surveyed", "--store", store.path)
    assert expected in err


def read_only_sqlite(monkeypatch) -> None:
    """From now on SQLite opens the store read-only (``file:...?mode=ro``), as a file the user may not write."""
    real = sqlite3.connect

    def connect(database, *args, **kw):
        return real(f"file:{database}?mode=ro", *args, uri=True, **kw)

    monkeypatch.setattr(sqlite3, "connect", connect)


def test_set_and_undo_on_a_read_only_store(capsys, store, monkeypatch):
    assert main(["set", "--layer", "projects", "--id", "XM0002", "状态=在建", "--store", str(store.path)]) == 0
    capsys.readouterr()
    read_only_sqlite(monkeypatch)
    err = fails(capsys, store.path, "undo", "--store", store.path)
    assert "只读" in err and str(store.path) in err
    err = fails(capsys, store.path, "set", "--layer", "projects", "--id", "XM0003", "状态=在建", "--store", store.path)
    assert "只读" in err and str(store.path) in err and "权限" in err
    err = fails(capsys, store.path, "--lang", "en", "set", "--layer", "projects", "--id", "XM0003", "状态=在建",
                "--store", store.path)
    assert err.startswith("Error: ") and "read-only" in err


def test_store_folder_that_cannot_be_written(capsys, store, tmp_path):
    """A write that needs the store's folder (the backup an import takes first) fails in one sentence. Not as
    root, the folder is made read-only; as root (CI), where chmod stops nothing, a file stands where the
    backups folder must go."""
    src = a_csv(tmp_path)
    folder = store.path.parent
    if os.geteuid() != 0:
        folder.chmod(0o555)
    else:
        open_store(store.path).backup_dir.write_text("", encoding="utf-8")
    try:
        err = fails(capsys, store.path, "import", src, "--layer", "projects",
                    "--precision", "surveyed", "--store", store.path)
    finally:
        folder.chmod(0o755)
    assert str(folder) in err


@pytest.fixture
def held_lock(monkeypatch):
    """Hold the store's writer lock from another thread; this process waits 0.3 s for it instead of 30."""
    stack = contextlib.ExitStack()

    def hold(path: Path) -> None:
        s = open_store(path)
        cls = type(s)
        real = cls.lock
        taken, done = threading.Event(), threading.Event()

        def holder():
            with real(s, timeout=5):
                taken.set()
                done.wait(30)

        t = threading.Thread(target=holder, daemon=True)
        t.start()
        assert taken.wait(10)
        monkeypatch.setattr(cls, "lock", lambda self, timeout=0.3: real(self, timeout=min(timeout, 0.3)))
        stack.callback(t.join, 10)
        stack.callback(done.set)

    with stack:
        yield hold


def test_locked_store(capsys, store, held_lock, tmp_path):
    held_lock(store.path)
    err = fails(capsys, store.path, "set", "--layer", "projects", "--id", "XM0003", "状态=在建", "--store", store.path)
    assert "正被其他用户写入" in err
    src = a_csv(tmp_path)
    err = fails(capsys, store.path, "import", src, "--layer", "projects",
                "--precision", "surveyed", "--store", store.path)
    assert "正被其他用户写入" in err


def test_a_bug_in_a_command_propagates(monkeypatch, store):
    def buggy(args):
        raise ValueError("a programming bug")

    parser_of = cli._parser

    def patched(lang):
        parser, handlers = parser_of(lang)
        return parser, {**handlers, "validate": buggy}

    monkeypatch.setattr(cli, "_parser", patched)
    with pytest.raises(ValueError, match="a programming bug"):
        main(["validate", "--store", str(store.path)])


# ----------------------------------------------------------------------------- --lang / XXGEO_LANG
@pytest.fixture
def unknown_format(tmp_path) -> Path:
    p = tmp_path / "data.xyz"
    p.write_bytes(b"\x00\x01 not a geodata file")
    return p


def test_lang_shows_the_english_twin(capsys, store, unknown_format, monkeypatch):
    monkeypatch.delenv("XXGEO_LANG", raising=False)
    zh = fails(capsys, store.path, "import", unknown_format, "--layer", "projects", "--store", store.path)
    assert zh.startswith("错误：")
    en = fails(capsys, store.path, "--lang", "en", "import", unknown_format, "--layer", "projects",
               "--store", store.path)
    assert en.startswith("Error: ") and en.isascii()  # the error's English twin
    after = fails(capsys, store.path, "import", unknown_format, "--layer", "projects", "--store", store.path,
                  "--lang", "en")
    assert after == en
    monkeypatch.setenv("XXGEO_LANG", "en")
    assert fails(capsys, store.path, "import", unknown_format, "--layer", "projects", "--store", store.path) == en
    assert fails(capsys, store.path, "--lang", "zh", "import", unknown_format, "--layer", "projects",
                 "--store", store.path) == zh


# ----------------------------------------------------------------------------- defaults and the county
def test_user_defaults_to_the_settings_user(capsys, store, monkeypatch):
    monkeypatch.setenv("XXGEO_USER", "审核员")
    assert main(["set", "--layer", "projects", "--id", "XM0003", "状态=在建", "--store", str(store.path)]) == 0
    assert store.read("audit_log")["user"].iloc[-1] == "审核员"
    assert main(["undo", "--dry-run", "--store", str(store.path)]) == 0
    assert "审核员" in capsys.readouterr().out
    assert main(["undo", "--store", str(store.path)]) == 0
    assert store.read("audit_log")["user"].iloc[-1] == "审核员"
    monkeypatch.delenv("XXGEO_USER")
    assert main(["set", "--layer", "projects", "--id", "XM0003", "状态=在建", "--store", str(store.path)]) == 0
    assert store.read("audit_log")["user"].iloc[-1] == "planner"


def test_titles_come_from_the_county_profile(capsys, monkeypatch, tmp_path, built_store_path):
    profile = (ROOT / "geodata" / "county.toml").read_text(encoding="utf-8")
    profile = profile.replace('app_title = "夏县项目一张图"', 'app_title = "样例县项目图"').replace(
        'app_title_en = "Xia County Projects Map"', 'app_title_en = "Sample County Map"')
    assert "样例县项目图" in profile and "Sample County Map" in profile
    (tmp_path / "county.toml").write_text(profile, encoding="utf-8")
    shutil.copytree(ROOT / "geodata" / "sources", tmp_path / "sources")
    monkeypatch.setenv("XXGEO_COUNTY", str(tmp_path / "county.toml"))
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "样例县项目图 xxgeo 命令行" in capsys.readouterr().out
    for lang, title in (("zh", "样例县项目图"), ("en", "Sample County Map")):
        out = tmp_path / f"m-{lang}.html"
        assert main(["map", "--out", str(out), "--lang", lang, "--store", str(built_store_path)]) == 0
        html = out.read_text(encoding="utf-8")
        assert title in html or json.dumps(title)[1:-1] in html  # the title control's text is JSON-escaped


def test_cli_package_names_no_county():
    for p in (ROOT / "xxgeo" / "cli").glob("*.py"):
        text = p.read_text(encoding="utf-8")
        assert "夏县" not in text and "140828" not in text and "Xia County" not in text, p.name


# ----------------------------------------------------------------------------- the command list
def test_a_command_module_that_fails_to_import_is_an_error(monkeypatch):
    monkeypatch.setattr(cli, "COMMAND_MODULES", (*cli.COMMAND_MODULES, "xxgeo.cli.no_such_commands"))
    with pytest.raises(ModuleNotFoundError, match="no_such_commands"):
        main(["validate", "--help"])


def test_every_command_group_is_listed():
    mods = {p.stem for p in (ROOT / "xxgeo" / "cli").glob("*.py") if p.stem != "__init__"}
    assert {m.rpartition(".")[2] for m in cli.COMMAND_MODULES} == mods


def test_a_database_url_is_named_without_its_password(capsys, monkeypatch, store):
    def full(args):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    parser_of = cli._parser
    monkeypatch.setattr(cli, "_parser", lambda lang: (parser_of(lang)[0], {"validate": full}))
    err = fails(capsys, store.path, "validate", "--store", "postgresql://boss:s3cret@127.0.0.1:5432/xxgeo")
    assert "磁盘已满" in err and "s3cret" not in err and "boss" not in err and "127.0.0.1:5432/xxgeo" in err
