"""The one exception -> sentence table (``xxgeo.errors.user_message``) that the CLI's boundary and the app share:
file-system, SQLite and GDAL failures get one sentence naming the path, in Chinese or English; anything
else has none, so a bug stays visible."""

from __future__ import annotations

import errno
import os
import sqlite3

import pyogrio.errors
import pytest

from xxgeo.errors import NotFound, StoreError, handled_types, user_message


@pytest.mark.parametrize("code, zh, en", [
    (errno.EACCES, "没有权限", "Permission denied"),
    (errno.ENOSPC, "磁盘已满", "disk is full"),
    (errno.EROFS, "只读", "read-only disk"),
    (errno.ENOTDIR, "不是文件夹", "not a folder"),
    (errno.EISDIR, "是一个文件夹", "is a folder"),
    (errno.ENOENT, "找不到", "does not exist"),
    (errno.EIO, "无法读写", "Cannot read or write"),
])
def test_os_errors_have_a_sentence_naming_the_path(code, zh, en):
    exc = OSError(code, os.strerror(code), "/data/out/x.html")
    for lang, words in (("zh", zh), ("en", en)):
        msg = user_message(exc, lang)
        assert words in msg and "/data/out/x.html" in msg and "\n" not in msg
    assert isinstance(exc, handled_types())


@pytest.mark.parametrize("text, zh", [
    ("attempt to write a readonly database", "只读"),
    ("database is locked", "锁定"),
    ("database or disk is full", "磁盘已满"),
    ("unable to open database file", "无法打开"),
])
def test_sqlite_errors_name_the_store(text, zh):
    msg = user_message(sqlite3.OperationalError(text), path="/srv/xxgeo.gpkg")
    assert zh in msg and "/srv/xxgeo.gpkg" in msg


def test_gdal_error_names_the_file_it_opened():
    exc = pyogrio.errors.DataSourceError("sqlite3_open(/srv/a/b.gpkg) failed: unable to open database file")
    assert "/srv/a/b.gpkg" in user_message(exc, path="/elsewhere.gpkg")
    assert pyogrio.errors.DataSourceError in handled_types() and pyogrio.errors.DataLayerError in handled_types()


def test_unknown_errors_have_no_sentence():
    """A bug stays visible: a bad query, a plain ValueError, an OSError without errno are not swallowed."""
    assert user_message(sqlite3.OperationalError("no such table: projcts")) is None
    assert user_message(pyogrio.errors.DataLayerError("unsupported field type")) is None
    assert user_message(ValueError("bug")) is None
    assert user_message(OSError("no errno")) is None
    assert not isinstance(ValueError("bug"), handled_types())


def test_english_twin_is_shown_when_asked():
    exc = NotFound("没有这个乡镇。", english="No such township.")
    assert user_message(exc) == "没有这个乡镇。" and user_message(exc, "en") == "No such township."
    assert user_message(StoreError("只有中文。"), "en") == "只有中文。"

