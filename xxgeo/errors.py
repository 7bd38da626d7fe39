"""Named exceptions that carry the sentence a user sees.

Every error a user can cause (a bad file, an unknown township, a stale edit) is raised as a subclass of
:class:`XxgeoError` whose ``message`` is a complete Chinese sentence saying what is wrong and what to do.
The CLI prints that one line to stderr and exits non-zero; the app shows it with ``st.error``. No
traceback ever reaches a user.
"""

from __future__ import annotations

import errno
import re
import sqlite3
import sys
from collections.abc import Callable


class XxgeoError(Exception):
    """Base of every user-facing error; ``message`` is shown as is (Chinese first)."""

    exit_code = 2

    def __init__(self, message: str, *, english: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.english = english

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.message


class StoreError(XxgeoError):
    """The store is missing, unreadable, locked too long or not an xxgeo store."""


class ValidationFailed(XxgeoError):
    """Data failed schema validation; ``problems`` lists every finding."""

    def __init__(self, message: str, problems: list | None = None, **kw) -> None:
        super().__init__(message, **kw)
        self.problems = list(problems or [])


class NotFound(XxgeoError):
    """A township, park, layer or feature named by the user does not exist."""


class Ambiguous(XxgeoError):
    """A name the user typed matches more than one thing."""


class ImportRefused(XxgeoError):
    """An input file was refused (format, CRS, encoding, hostile archive, content)."""


class PrecisionNotStated(ImportRefused):
    """A file's rows carry locations but nobody stated their precision (no column, no ``--precision``): never
    assumed 实测; ``rows`` is how many such rows."""

    def __init__(self, message: str, *, rows: int = 0, **kw) -> None:
        super().__init__(message, **kw)
        self.rows = rows


class CoordinatesNotUnderstood(XxgeoError):
    """Typed or pasted coordinates that cannot be read as one place (the sentence says what was understood)."""


class MoveNotConfirmed(XxgeoError):
    """A placement would move a project to another township and the user has not confirmed it."""


class StaleEdit(XxgeoError):
    """An edit was made against an older version of a feature than the one stored."""


class FeatureExists(StaleEdit):
    """A new feature's id is taken already (someone else added it meanwhile); nothing was written."""


class PermissionDenied(XxgeoError):
    """The signed-in user's role does not allow this action."""


class DispatchError(XxgeoError):
    """A 调度 request cannot be used: a month not written YYYY-MM, a warning-rules file missing or malformed."""


class SignInRefused(XxgeoError):
    """A sign-in was refused (wrong name or password, or too many failures); ``wait`` seconds until retry."""

    def __init__(self, message: str, *, wait: float = 0.0, **kw) -> None:
        super().__init__(message, **kw)
        self.wait = wait


# ----------------------------------------------------------------------------- exception -> user sentence
#: One table, registered once (as titiler's ``core/errors.py``): exception class -> the sentence a user sees.
#: The CLI's boundary (:func:`xxgeo.cli.main`) prints it; the app can show the same. A class of a library
#: not imported here is keyed by its dotted name. A handler returns ``None`` for an exception it does not
#: know (e.g. an ``OperationalError`` from a bad query), and anything without a sentence propagates: a
#: programming bug stays visible.
Handler = Callable[[BaseException, str, "str | None"], "str | None"]
_TABLE: dict[type | str, Handler] = {}


def user_error(*types: type | str) -> Callable[[Handler], Handler]:
    """Register ``handler(exc, lang, path) -> sentence | None`` for exceptions of ``types``."""
    def register(handler: Handler) -> Handler:
        for t in types:
            _TABLE[t] = handler
        return handler
    return register


def user_message(exc: BaseException, lang: str = "zh", *, path: str | None = None) -> str | None:
    """The one-line sentence for ``exc`` in ``lang`` (``zh`` or ``en``), or ``None`` when it has none.

    ``path`` names what was being worked on (the CLI passes the store) for errors that do not carry a
    path themselves, such as SQLite's "attempt to write a readonly database"."""
    for cls in type(exc).__mro__:
        handler = _TABLE.get(cls) or _TABLE.get(f"{cls.__module__}.{cls.__qualname__}")
        if handler is not None:
            msg = handler(exc, lang, path)
            if msg is not None:
                return " ".join(msg.splitlines())
    return None


@user_error(XxgeoError)
def _xxgeo(exc: BaseException, lang: str, path: str | None) -> str:
    assert isinstance(exc, XxgeoError)
    return exc.english if lang == "en" and exc.english else exc.message


#: (zh, en) sentences of the file-system failures; ``{p}`` is the path, ``{why}`` the system's words.
_IO = {
    "denied": ("没有权限读写 {p}：请换一个有写权限的位置，或请管理员放开该文件或文件夹的权限。",
               "Permission denied: {p}. Choose a location you may write to, or ask an administrator for access."),
    "full": ("磁盘已满，无法写入 {p}：请清理磁盘空间，或换一块有空间的磁盘后重试。",
             "The disk is full, so {p} cannot be written. Free some space or choose another disk, then try again."),
    "rofs": ("{p} 所在的磁盘是只读的，无法写入：请换一个可写的位置。",
             "{p} is on a read-only disk. Choose a writable location."),
    "notdir": ("无法写入 {p}：路径中有一段是文件而不是文件夹；请换一个位置，或先移走那个文件。",
               "Cannot write {p}: part of the path is a file, not a folder. Choose another location or move it."),
    "isdir": ("{p} 是一个文件夹，这里需要文件名：请在路径末尾写上文件名。",
              "{p} is a folder; a file name is needed here. Add a file name to the path."),
    "exists": ("{p} 已经存在但不是文件夹，无法在其中写入：请换一个位置，或先移走它。",
               "{p} exists and is not a folder, so nothing can be written inside it. Choose another location."),
    "missing": ("找不到 {p}：请检查路径是否写对。", "{p} does not exist. Check the path."),
    "long": ("路径太长：{p}。请换一个短一些的路径。", "The path is too long: {p}. Choose a shorter one."),
    "other": ("无法读写 {p}：{why}。请检查路径、权限和磁盘空间。",
              "Cannot read or write {p}: {why}. Check the path, permissions and free disk space."),
    # the store (SQLite / GDAL say what happened, not where: ``{p}`` is the store the command worked on)
    "db_readonly": ("数据库{p}是只读的，无法写入：请检查该文件及其所在文件夹的写权限（或换一份可写的副本），然后重试。",
                    "The store{p}is read-only. Check write permission on the file and its folder, then try again."),
    "db_locked": ("数据库{p}正被其他程序锁定，请稍后再试；若一直如此，请关闭正在使用它的程序。",
                  "The store{p}is locked by another program. Try again later, or close the program using it."),
    "db_open": ("无法打开数据库{p}：请检查路径是否存在、是否有读写权限。",
                "The store{p}cannot be opened. Check that the path exists and that you may read and write it."),
    "db_io": ("读写数据库{p}时磁盘出错：请检查磁盘空间和磁盘状态后重试。",
              "A disk error occurred while reading or writing the store{p}. Check the disk, then try again."),
}
_ERRNO = {errno.EACCES: "denied", errno.EPERM: "denied", errno.ENOSPC: "full", errno.EDQUOT: "full",
          errno.EROFS: "rofs", errno.ENOTDIR: "notdir", errno.EISDIR: "isdir", errno.EEXIST: "exists",
          errno.ENOENT: "missing", errno.ENAMETOOLONG: "long"}
#: words in SQLite's and GDAL's messages -> which sentence (first match wins)
_DB_WORDS = (("readonly", "db_readonly"), ("read-only", "db_readonly"), ("database is locked", "db_locked"),
             ("database is busy", "db_locked"), ("database or disk is full", "full"),
             ("no space left", "full"), ("permission denied", "denied"), ("unable to open database", "db_open"),
             ("not a directory", "notdir"), ("is a directory", "isdir"), ("disk i/o error", "db_io"))


def _say(kind: str, lang: str, path: str | None, why: str = "") -> str:
    zh, en = _IO[kind]
    if kind.startswith("db_"):
        p = f" {path} " if path else ("" if lang != "en" else " ")
    else:
        p = path or ("the file" if lang == "en" else "该文件")
    return (en if lang == "en" else zh).format(p=p, why=why)


@user_error(OSError)
def _os_error(exc: BaseException, lang: str, path: str | None) -> str | None:
    assert isinstance(exc, OSError)
    if exc.errno is None:
        return None
    # of two paths (a rename or copy) the second is the destination, the one that could not be written
    where = next((f for f in (exc.filename2, exc.filename, path) if f is not None), None)
    return _say(_ERRNO.get(exc.errno, "other"), lang, None if where is None else str(where),
                exc.strerror or str(exc))


@user_error(sqlite3.OperationalError, "pyogrio.errors.DataSourceError", "pyogrio.errors.DataLayerError")
def _store_write(exc: BaseException, lang: str, path: str | None) -> str | None:
    text = str(exc)
    opened = re.search(r"sqlite3_open\((.+?)\) failed", text)
    where = opened.group(1) if opened else path
    low = text.lower()
    kind = next((k for w, k in _DB_WORDS if w in low), None)
    return None if kind is None else _say(kind, lang, where)


def store_read_only(path: str | None) -> StoreError:
    """The named error for a store that cannot be written (read-only file, folder or disk), in both languages."""
    return StoreError(_say("db_readonly", "zh", path), english=_say("db_readonly", "en", path))


def pg_read_only(display: str) -> StoreError:
    """The named error for a PostgreSQL store that takes no writes (a read-only replica, or a server or role
    with ``default_transaction_read_only``), in both languages; nothing was written."""
    return StoreError(f"数据库 {display} 是只读的（只读副本，或服务器设置为只读事务），无法写入，数据未改动："
                      "请连接可写的主库，或请管理员开放写入后重试。",
                      english=f"The store {display} is read-only (a read-only replica, or the server makes "
                              "transactions read-only), so nothing was written. Connect to the writable primary, "
                              "or ask an administrator to allow writes, then try again.")


def handled_types() -> tuple[type, ...]:
    """The exception classes the table has sentences for (for an ``except`` clause); a class keyed by name
    counts once its module is imported (before that, nothing can raise it)."""
    found: list[type] = []
    for key in _TABLE:
        if isinstance(key, str):
            module, _, name = key.rpartition(".")
            key = getattr(sys.modules.get(module), name, None)
        if isinstance(key, type) and issubclass(key, BaseException):
            found.append(key)
    return tuple(found)


def exit_code(exc: BaseException) -> int:
    """The exit status for an error that has a sentence (2 unless the error says otherwise)."""
    return int(getattr(exc, "exit_code", 2))
