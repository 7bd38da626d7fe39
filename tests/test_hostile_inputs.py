"""Hostile inputs, faults and kill -9 (issue 18 items 1, 2, 3, 9 and 10).

Every file is generated here (nothing binary is committed). Each case runs through :func:`xxgeo.cli.main` (or a
real ``python -m xxgeo`` process) with the limits set low through the ``XXGEO_MAX_*`` / ``XXGEO_WORKER_*``
variables, so the files stay small; each asserts one line on stderr, no "Traceback", a non-zero exit and the
store byte-for-byte unchanged. The parsing worker's faults (a crash by SIGSEGV, a runaway loop, memory, a hang)
are produced by pointing :data:`xxgeo.io.worker.READER` at a hostile reader in this module: the worker process
imports it by name.

Read-only stores: CI runs as root, where ``chmod`` stops no write. The cases here are SQLite opening the store
read-only (``mode=ro``, a real "attempt to write a readonly database"), ``os.access`` answering "not writable"
for the store file (as it does for a user without write permission), the store's folder answering EROFS to
the write of the working copy (monkeypatched ``tempfile.mkstemp``: no read-only mount is possible here), and a
regular file where the backups folder must be (real).
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from datafactory import TOWNSHIPS, make_store, points_in, shapefile_zip
from shapely.geometry import Point

from xxgeo.cli import main
from xxgeo.io import worker
from xxgeo.store import GpkgStore

ROOT = Path(__file__).resolve().parent.parent


def digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def fails(capsys, store: GpkgStore, *argv) -> str:
    """Run a command that must fail in one sentence with the store unchanged; returns that line."""
    before = digest(store.path)
    backups = sorted(p.name for p in store.list_backups())
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert code != 0, out
    assert err.startswith(("错误：", "Error: ")) and err.count("\n") == 1 and "Traceback" not in err, err
    assert digest(store.path) == before
    assert sorted(p.name for p in store.list_backups()) == backups
    return err


def refused_import(capsys, store: GpkgStore, path: Path, *extra) -> str:
    return fails(capsys, store, "import", path, "--layer", "projects",
                 "--precision", "surveyed", "--store", store.path, *extra)


@pytest.fixture
def store(tmp_path):
    return make_store(tmp_path / "store" / "xxgeo.gpkg")


# ----------------------------------------------------------------------------- limits (item 2)
def test_too_many_rows(capsys, store, tmp_path, monkeypatch):
    monkeypatch.setenv("XXGEO_MAX_ROWS", "50")
    p = tmp_path / "many.csv"
    rows = "".join(f"XM{i:05d},项目{i},工业\n" for i in range(200))
    p.write_text("项目编号,项目名称,类别\n" + rows, encoding="utf-8")
    err = refused_import(capsys, store, p)
    assert "XXGEO_MAX_ROWS" in err and "50" in err


def test_a_line_of_commas(capsys, store, tmp_path):
    """The issue's 4 MB line of commas (here 400 KB): refused by the column limit at its first line."""
    p = tmp_path / "commas.csv"
    p.write_text("项目编号,项目名称\n" + "," * 400_000 + "\n", encoding="utf-8")
    err = refused_import(capsys, store, p)
    assert "XXGEO_MAX_COLUMNS" in err and "第2行" in err


def test_a_line_too_long(capsys, store, tmp_path, monkeypatch):
    monkeypatch.setenv("XXGEO_MAX_LINE_CHARS", "100000")
    p = tmp_path / "long.csv"
    p.write_text("项目编号,项目名称\nXM1," + "长" * 150_000 + "\n", encoding="utf-8")
    err = refused_import(capsys, store, p)
    assert "XXGEO_MAX_LINE_CHARS" in err


def test_a_cell_over_131072_characters(capsys, store, tmp_path):
    """Once ``_csv.Error: field larger than field limit``; now the cell limit (default 32,767), one sentence."""
    p = tmp_path / "cell.csv"
    p.write_text("项目编号,项目名称,类别\nXM1," + "名" * 140_000 + ",工业\n", encoding="utf-8")
    err = refused_import(capsys, store, p)
    assert "XXGEO_MAX_CELL_CHARS" in err and "32767" in err
    err = refused_import(capsys, store, p, "--lang", "en")
    assert err.startswith("Error: ") and "XXGEO_MAX_CELL_CHARS" in err


def test_a_wkt_cell_over_131072_characters_is_read(capsys, store, tmp_path):
    """A real geometry longer than the csv module's default field limit (and than the cell limit) still imports:
    WKT cells are held to the line limit."""
    lon, lat = points_in(TOWNSHIPS[2][0])[0].coords[0]
    wkt = "MULTIPOINT (" + ", ".join(f"{lon + i * 1e-7:.7f} {lat:.7f}" for i in range(6000)) + ")"
    assert len(wkt) > 131_072
    p = tmp_path / "longwkt.csv"
    p.write_text(f'项目编号,项目名称,类别,WKT\nXM7777,长几何,工业,"{wkt}"\n', encoding="utf-8")
    assert main(["import", str(p), "--layer", "projects", "--precision", "surveyed", "--store", str(store.path)]) == 0
    assert "XM7777" in set(store.read("projects")["project_id"])


def test_xlsx_with_a_cell_in_column_xfd(capsys, store, tmp_path):
    """The issue's .xlsx with one cell in column XFD on 20,000 rows (here 300): refused at its first row."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["项目编号", "项目名称", "类别"])
    for i in range(300):
        ws.append([f"XM{i}", f"项目{i}", "工业"])
        ws.cell(row=i + 2, column=16384, value="x")
    p = tmp_path / "wide.xlsx"
    wb.save(p)
    err = refused_import(capsys, store, p)
    assert "XXGEO_MAX_COLUMNS" in err and "16384" in err


def test_xlsx_larger_unpacked_than_allowed(capsys, store, tmp_path, monkeypatch):
    """The issue's 290 MB .xlsx under the zip-ratio limit (here 3 MB of sheet against a 1 MB limit)."""
    import openpyxl

    monkeypatch.setenv("XXGEO_MAX_UNPACKED_MB", "1")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["项目编号", "项目名称", "类别"])
    for i in range(20_000):
        ws.append([f"XM{i}", os.urandom(40).hex(), "工业"])
    p = tmp_path / "big.xlsx"
    wb.save(p)
    err = refused_import(capsys, store, p)
    assert "XXGEO_MAX_UNPACKED_MB" in err


def test_xlsx_rows_are_streamed_and_limited(capsys, store, tmp_path, monkeypatch):
    import openpyxl

    monkeypatch.setenv("XXGEO_MAX_ROWS", "100")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["项目编号", "项目名称", "类别"])
    for i in range(1000):
        ws.append([f"XM{i}", f"项目{i}", "工业"])
    p = tmp_path / "rows.xlsx"
    wb.save(p)
    err = refused_import(capsys, store, p)
    assert "XXGEO_MAX_ROWS" in err


def test_geopackage_view_with_unbounded_rows(capsys, store, tmp_path, monkeypatch):
    """A view over a recursive query never ends; no more than the feature limit plus one row is read."""
    monkeypatch.setenv("XXGEO_MAX_FEATURES", "1000")
    p = tmp_path / "view.gpkg"
    gpd.GeoDataFrame({"project_id": ["XM1"]}, geometry=[Point(111.3, 35.1)], crs=4326).to_file(p, layer="base")
    con = sqlite3.connect(p)
    con.execute("CREATE VIEW projects AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
                "SELECT x AS fid, 'XM' || x AS project_id, '项目' AS name, '工业' AS category FROM c")
    con.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier) VALUES ('projects', 'attributes', "
                "'projects')")
    con.commit()
    con.close()
    err = refused_import(capsys, store, p, "--source-layer", "projects")
    assert "XXGEO_MAX_FEATURES" in err


# ----------------------------------------------------------------------------- nesting (items 2, 3)
def test_geojson_nested_900_levels(capsys, store, tmp_path):
    """Once a RecursionError inside ``json.loads``."""
    p = tmp_path / "deep.geojson"
    deep = "[" * 950 + "]" * 950
    p.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"x": ' + deep
                 + '}, "geometry": {"type": "Point", "coordinates": [111.3, 35.1]}}]}', encoding="utf-8")
    err = refused_import(capsys, store, p)
    assert "XXGEO_MAX_NESTING" in err


def test_kml_nested_folders(capsys, store, tmp_path, monkeypatch):
    monkeypatch.setenv("XXGEO_MAX_NESTING", "20")
    p = tmp_path / "deep.kml"
    p.write_text('<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
                 + "<Folder>" * 40 + "<Placemark><name>x</name><Point><coordinates>111.3,35.1</coordinates></Point>"
                 "</Placemark>" + "</Folder>" * 40 + "</Document></kml>", encoding="utf-8")
    err = refused_import(capsys, store, p)
    assert "XXGEO_MAX_NESTING" in err


def test_deeply_nested_wkt_in_a_geopackage_attribute(capsys, store, tmp_path):
    """The issue's 30k-level WKT in a GeoPackage attribute (which killed GDAL with SIGSEGV)."""
    wkt = "GEOMETRYCOLLECTION(" * 30_000 + "POINT(111.3 35.1)" + ")" * 30_000
    p = tmp_path / "wkt.gpkg"
    gpd.GeoDataFrame({"project_id": ["XM9"], "name": ["x"], "wkt": [wkt]}, geometry=[Point(111.3, 35.1)],
                     crs=4326).to_file(p, layer="projects")
    err = refused_import(capsys, store, p)
    assert "XXGEO_MAX_NESTING" in err


def test_nested_wkt_column_in_a_csv(capsys, store, tmp_path):
    p = tmp_path / "wkt.csv"
    p.write_text("项目编号,项目名称,类别,WKT\nXM1,项目,工业,\"" + "MULTIPOINT(" * 200 + "111.3 35.1"
                 + ")" * 200 + "\"\n", encoding="utf-8")
    err = refused_import(capsys, store, p)
    assert "XXGEO_MAX_NESTING" in err


# ----------------------------------------------------------------------------- coordinate systems (item 3)
@pytest.mark.parametrize("prj", [
    'LOCAL_CS["Non-Earth (Meter)",LOCAL_DATUM["Local Datum",0],UNIT["Meter",1.0],AXIS["X",EAST],AXIS["Y",NORTH]]',
    'GEOGCS["Mars 2000",DATUM["D_Mars_2000",SPHEROID["Mars_2000_IAU_IAG",3396190.0,169.894447]],'
    'PRIMEM["Greenwich",0],UNIT["Degree",0.0174532925199433]]',
], ids=["local_cs", "mars"])
def test_unusable_prj(capsys, store, tmp_path, prj):
    gdf = gpd.GeoDataFrame({"project_id": ["XM9"], "name": ["x"], "category": ["工业"]}, geometry=[Point(1000, 2000)])
    p = shapefile_zip(gdf, tmp_path / "odd.zip", prj=False)
    with zipfile.ZipFile(p, "a") as zf:
        zf.writestr("data.prj", prj)
    err = refused_import(capsys, store, p)
    assert "无法换算为经纬度" in err
    err = refused_import(capsys, store, p, "--lang", "en")
    assert "cannot be converted" in err


# ----------------------------------------------------------------------------- the worker (item 1)
def crash(path, **kw):
    """A reader that dies as GDAL did on the nested WKT: SIGSEGV."""
    os.kill(os.getpid(), signal.SIGSEGV)


def spin(path, **kw):
    """A runaway parser."""
    while True:
        pass


def hoard(path, **kw):
    """A parser that wants all the memory there is."""
    return bytearray(64 * 2**30)


def hang(path, **kw):
    """A parser that waits for ever (no CPU used)."""
    signal.pause()


def bug(path, **kw):
    """A programming error nobody gave a sentence to."""
    raise ZeroDivisionError("a bug")


@pytest.fixture
def a_csv(tmp_path) -> Path:
    p = tmp_path / "ok.csv"
    lon, lat = points_in(TOWNSHIPS[2][0])[0].coords[0]
    p.write_text(f"项目编号,项目名称,类别,经度,纬度\nXM0100,新项目,工业,{lon},{lat}\n", encoding="utf-8")
    return p


@pytest.mark.parametrize("reader, env, words", [
    ("crash", {}, "崩溃（SIGSEGV）"),
    ("spin", {"XXGEO_WORKER_CPU_S": "1"}, "XXGEO_WORKER_CPU_S"),
    ("hoard", {"XXGEO_WORKER_MEMORY_MB": "2500"}, "XXGEO_WORKER_MEMORY_MB"),
    ("hang", {"XXGEO_WORKER_WALL_S": "2"}, "XXGEO_WORKER_WALL_S"),
])
def test_a_failing_worker_ends_in_one_sentence(capsys, store, a_csv, monkeypatch, reader, env, words):
    """The worker dies, the caller (this pytest process) lives on and can import the next file."""
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setattr(worker, "READER", f"{__name__}:{reader}")
    err = refused_import(capsys, store, a_csv)
    assert words in err
    # the next import runs with the usual limits: a real read under seconds-long test limits would fail on a
    # loaded machine (it did: the second import of [spin]/[hang] ran with a 1 s CPU / 2 s wall limit)
    for k in env:
        monkeypatch.delenv(k)
    monkeypatch.setattr(worker, "READER", "xxgeo.io.readers:read_for_worker")
    assert main(["import", str(a_csv), "--layer", "projects",
                 "--precision", "surveyed", "--store", str(store.path)]) == 0


def test_a_bug_in_the_worker_still_propagates(store, a_csv, monkeypatch):
    monkeypatch.setattr(worker, "READER", f"{__name__}:bug")
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        main(["import", str(a_csv), "--layer", "projects", "--precision", "surveyed", "--store", str(store.path)])


def test_worker_crash_in_english(capsys, store, a_csv, monkeypatch):
    monkeypatch.setattr(worker, "READER", f"{__name__}:crash")
    err = refused_import(capsys, store, a_csv, "--lang", "en")
    assert err.startswith("Error: ") and "crashed" in err and "SIGSEGV" in err


# ----------------------------------------------------------------------------- read-only stores (item 3)
def read_only_sqlite(monkeypatch) -> None:
    real = sqlite3.connect

    def connect(database, *args, **kw):
        return real(f"file:{database}?mode=ro", *args, uri=True, **kw)

    monkeypatch.setattr(sqlite3, "connect", connect)


def store_file_not_writable(monkeypatch, store: GpkgStore) -> None:
    """``os.access`` says what it says to a user without write permission on the store file."""
    real = os.access

    def access(path, mode, *a, **kw):
        if Path(path) == store.path and mode & os.W_OK:
            return False
        return real(path, mode, *a, **kw)

    monkeypatch.setattr(os, "access", access)


def folder_read_only(monkeypatch) -> None:
    """The store's folder is on a read-only disk: creating the working copy beside the store fails with EROFS."""
    def mkstemp(*a, dir=None, **kw):  # noqa: A002 - tempfile's own name
        raise OSError(errno.EROFS, "Read-only file system", str(Path(dir or "/") / ".xxgeo-x.gpkg"))

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)


def _backup(store: GpkgStore) -> str:
    return store.backup("test").name


@pytest.mark.parametrize("how", ["store_file", "folder_erofs"])
def test_import_and_restore_on_a_read_only_store(capsys, store, a_csv, monkeypatch, how):
    name = _backup(store)
    if how == "store_file":
        store_file_not_writable(monkeypatch, store)
    else:
        folder_read_only(monkeypatch)
    err = refused_import(capsys, store, a_csv)
    assert "只读" in err and str(store.path) in err
    err = fails(capsys, store, "restore", name, "--store", store.path)
    assert "只读" in err and str(store.path) in err
    err = fails(capsys, store, "--lang", "en", "restore", name, "--store", store.path)
    assert "read-only" in err


def test_set_undo_and_users_add_on_a_read_only_store(capsys, store, tmp_path, monkeypatch):
    assert main(["set", "--layer", "projects", "--id", "XM0002", "状态=在建", "--store", str(store.path)]) == 0
    capsys.readouterr()
    pw = tmp_path / "pw.txt"
    pw.write_text("a-long-password-1\n", encoding="utf-8")
    for patch in (read_only_sqlite, lambda m: store_file_not_writable(m, store)):
        with monkeypatch.context() as m:
            patch(m)
            for argv in (["set", "--layer", "projects", "--id", "XM0003", "状态=在建"], ["undo"],
                         ["users", "add", "li", "--role", "editor", "--password-file", str(pw)]):
                err = fails(capsys, store, *argv, "--store", store.path)
                assert "只读" in err and str(store.path) in err, (argv, err)


def test_backups_folder_is_a_file(capsys, store, a_csv):
    """Real, as root too: a regular file stands where the backups folder must go."""
    store.backup_dir.write_text("", encoding="utf-8")
    err = refused_import(capsys, store, a_csv)
    assert str(store.backup_dir) in err


# ----------------------------------------------------------------------------- kill -9 (items 9, 10)
def _projects_csv(path: Path, n: int) -> Path:
    lon, lat = points_in(TOWNSHIPS[2][0])[0].coords[0]
    rows = "".join(f"XM{10000 + i},导入项目{i},工业,{lon + (i % 50) * 1e-4},{lat}\n" for i in range(n))
    path.write_text("项目编号,项目名称,类别,经度,纬度\n" + rows, encoding="utf-8")
    return path


def _wait_for(proc: subprocess.Popen, found) -> bool:
    """Poll until ``found()`` is true (True) or the process has ended (False)."""
    while proc.poll() is None:
        if found():
            return True
        time.sleep(0.002)
    return bool(found())


MOMENTS = {
    "parsing": lambda store, tmp: any(tmp.glob("xxgeo-worker-*")),
    "backup": lambda store, tmp: any(store.backup_dir.glob(".*.part")),
    "writing": lambda store, tmp: any(p.stat().st_size > 0 for p in store.path.parent.glob(".xxgeo-*.gpkg")),
}


@pytest.mark.parametrize("moment", list(MOMENTS))
def test_kill_9_during_an_import_leaves_the_last_committed_store(capsys, tmp_path, moment):
    store = make_store(tmp_path / "store" / "xxgeo.gpkg")
    before = digest(store.path)
    src = _projects_csv(tmp_path / "big.csv", 30000)  # long enough (the import is fast now) to be caught at each moment
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = dict(os.environ, TMPDIR=str(tmp), XXGEO_STORE=str(store.path), PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "xxgeo", "import", str(src), "--layer", "projects",
                             "--precision", "surveyed"], cwd=ROOT,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        seen = _wait_for(proc, lambda: MOMENTS[moment](store, tmp))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(60)
        proc.stderr.close()
    if not seen or proc.returncode == 0:
        pytest.skip(f"the import finished before the moment “{moment}” was seen")
    assert proc.returncode == -signal.SIGKILL
    # the next command: the store opens, validates and equals the last committed state; no litter is offered
    assert main(["validate", "--store", str(store.path)]) == 0
    capsys.readouterr()
    assert digest(store.path) == before
    assert store.list_backups() == []
    assert main(["restore", "--store", str(store.path)]) == 0
    assert "没有备份" in capsys.readouterr().out
    assert not list(store.path.parent.glob(".xxgeo-*")) and not list(store.backup_dir.glob(".*.part"))


def test_a_committed_import_whose_backup_was_not_yet_renamed_keeps_it(store, a_csv):
    """kill -9 between the swap and the rename: the store names the backup in its audit log, so the next
    writer gives the hidden copy its real name instead of deleting it."""
    from xxgeo.store.gpkgtidy import PendingBackup, tidy

    assert main(["import", str(a_csv), "--layer", "projects",
                 "--precision", "surveyed", "--store", str(store.path)]) == 0
    real = store.list_backups()[0]
    pending = PendingBackup(real)
    os.replace(real, pending.part)  # as if killed before the rename
    orphan = PendingBackup(store.backup_dir / f"{store.path.stem}-20200101T000000000000-import.gpkg")
    orphan.part.write_bytes(real.with_name(pending.part.name).read_bytes())
    with store.lock():
        pass
    assert [p.name for p in store.list_backups()] == [real.name]
    assert not orphan.part.exists() and not tidy(store.path, store.backup_dir)
    audit = json.dumps([e.before for e in store.audit_entries()], ensure_ascii=False)
    assert real.name in audit
