"""Local accounts kept in the store: salted argon2 password hashes, roles, slowed-down retries (issue 6).

One table of accounts per store, beside the data but **not part of the data's backups**: restoring a
backup or rebuilding the default dataset must never bring back a removed account or an old password.

- GeoPackage: a plain SQLite table ``xxgeo_accounts`` inside the ``.gpkg`` file (not registered as a
  GeoPackage layer, so GIS tools do not list it). ``GpkgStore`` carries the current table across a
  restore, an undo of an import and a fresh build (:func:`carry_accounts`).
- PostGIS: the table ``accounts`` in a sibling schema ``<schema>_accounts`` (the data schema's tables
  are what backups copy and restores swap).

Every account change is one transaction with an ``audit_log`` row naming who made it (the hash never
appears in the log).

Sign-in failures are counted in a table of their own (``xxgeo_signin_failures``; PostGIS:
``<schema>_accounts.signin_failures``), keyed by a hash of the name typed and by the **source** the attempt
came from (the browser's address as the app sees it). From the third failure of one (name, source) pair on,
that pair refuses attempts for 10 s, then 20 s, 40 s … up to 15 minutes, whatever password is tried; a source
that fails on many names (:data:`FREE_SOURCE_FAILURES`) is slowed down the same way for every name. A stranger's
failures therefore lock only the stranger's own address: the colleague signing in from their own computer is
never refused. The delays live in the store, so a page reload or a new browser session does not reset them.
An unknown name is counted in the same table, costs the same hash computation and write as a wrong password
and gets the same sentence, so names cannot be told from the answers.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import functools
import hashlib
import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .errors import NotFound, PermissionDenied, SignInRefused, ValidationFailed
from .i18n import tr
from .schema import ROLES

TABLE = "xxgeo_accounts"  #: the GeoPackage table; PostGIS keeps ``<schema>_accounts.accounts``
MIN_PASSWORD = 8
FREE_FAILURES = 2  # failures before an account starts refusing attempts for a while
FREE_SOURCE_FAILURES = 20  # failures (any names) from one source before the source itself is slowed down
MAX_LOCK_S = 15 * 60
FAILURES_TABLE = "xxgeo_signin_failures"  #: the GeoPackage table; PostGIS keeps ``<schema>_accounts.signin_failures``
ANY_NAME = "*"  # the row of one source counting failures on every name
_FORGET_S = 24 * 3600  # failure rows untouched this long are pruned
_HASHER = PasswordHasher()
_COLUMNS = ("name", "role", "township_code", "password_hash", "sso", "created_at", "created_by", "last_login",
            "failures", "locked_until")
DDL = ("CREATE TABLE IF NOT EXISTS {t} (name TEXT PRIMARY KEY, role TEXT NOT NULL, township_code TEXT, "
        "password_hash TEXT, sso INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, created_by TEXT, "
        "last_login TEXT, failures INTEGER NOT NULL DEFAULT 0, locked_until DOUBLE PRECISION NOT NULL DEFAULT 0)")
FAILURES_DDL = ("CREATE TABLE IF NOT EXISTS {t} (name_key TEXT NOT NULL, source TEXT NOT NULL, "
                "failures INTEGER NOT NULL DEFAULT 0, locked_until DOUBLE PRECISION NOT NULL DEFAULT 0, "
                "last_failure DOUBLE PRECISION NOT NULL DEFAULT 0, PRIMARY KEY (name_key, source))")


@dataclass(frozen=True)
class Account:
    """One account as the app and the CLI see it (never the hash)."""

    name: str
    role: str
    township_code: str | None = None
    sso: bool = False
    created_at: str = ""
    created_by: str | None = None
    last_login: str | None = None

    @property
    def role_label(self) -> str:
        """The role in Chinese (管理员, 规划局编辑 …)."""
        return tr(f"role.{self.role}")


def lock_seconds(failures: int, free: int = FREE_FAILURES) -> float:
    """How long a (name, source) pair refuses attempts after ``failures`` consecutive failures (``free`` of
    them cost nothing)."""
    if failures <= free:
        return 0.0
    return float(min(10 * 2 ** min(failures - free - 1, 20), MAX_LOCK_S))


def name_key(name: str) -> str:
    """What the failures table keeps of a typed name: a hash (unknown names are never stored as typed)."""
    return hashlib.sha256(("xxgeo-signin\0" + (name or "").strip()).encode("utf-8")).hexdigest()


def read_password_file(path: str | Path) -> str:
    """The password in ``path`` (its first line, without the line end), checked for length."""
    p = Path(path)
    if not p.is_file():
        raise NotFound(f"找不到密码文件 {p}。请把密码写在一个只有自己能读的文件里，再用 --password-file 指定。",
                       english=f"Password file {p} not found. Write the password in a file only you can read, "
                               "then name it with --password-file.")
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(f"密码文件 {p.name} 不是 UTF-8 文本。",
                               english=f"The password file {p.name} is not UTF-8 text.") from exc
    lines = text.splitlines()
    password = lines[0] if lines else ""
    check_password(password)
    return password


def check_password(password: str) -> None:
    """Refuse passwords that are too short or blank."""
    if len(password.strip()) < MIN_PASSWORD:
        raise ValidationFailed(f"密码太短：至少 {MIN_PASSWORD} 个字符（不算首尾空格）。",
                               english=f"The password is too short: at least {MIN_PASSWORD} characters (not counting "
                                       "leading and trailing spaces).")


def _now_iso() -> str:
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")


# ----------------------------------------------------------------------------- storage
class _Cursor:
    """What account operations need inside one transaction of the store's accounts table (its backend hook
    ``store.account_table()``): run SQL written with ``?`` marks and ``{t}`` for the table, write audit rows."""

    def __init__(self, run, audit, table) -> None:
        self._run, self.audit, self._t = run, audit, table
        self.row_lock = table.row_lock

    def __call__(self, q: str, params=()) -> list:
        q = q.replace("{t}", self._t.table).replace("{f}", self._t.failures)
        return self._run(q.replace("?", self._t.mark), tuple(params))

    def has_table(self) -> bool:
        return self._t.has_table(self)


@contextlib.contextmanager
def _tx(table, *, write: bool):
    with table.tx(write=write) as (run, audit):
        yield _Cursor(run, audit, table)


def _account(row) -> Account:
    d = dict(zip(_COLUMNS, row))
    return Account(d["name"], d["role"], d["township_code"] or None, bool(d["sso"]), d["created_at"] or "",
                   d["created_by"], d["last_login"])


# ----------------------------------------------------------------------------- the book of accounts
class Accounts:
    """The accounts of one store."""

    def __init__(self, store) -> None:
        self.store = store
        self._t = store.account_table()

    def _select(self, cur, where: str = "", params=(), *, lock: bool = False) -> list[tuple]:
        if not cur.has_table():
            return []
        tail = cur.row_lock if lock else ""  # SQLite's BEGIN IMMEDIATE already serialises writers
        return cur(f"SELECT {', '.join(_COLUMNS)} FROM {{t}} {where} ORDER BY name{tail}", params)

    def list(self) -> list[Account]:
        """Every account, by name."""
        with _tx(self._t, write=False) as cur:
            return [_account(r) for r in self._select(cur)]

    def get(self, name: str) -> Account | None:
        """The account called ``name`` (None when there is none)."""
        with _tx(self._t, write=False) as cur:
            rows = self._select(cur, "WHERE name = ?", (name,))
        return _account(rows[0]) if rows else None

    def add(self, name: str, role: str, *, password: str | None = None, township: str | None = None,
            sso: bool = False, by: str = "cli") -> Account:
        """Create an account. ``township`` (name or code) is required for, and only for, township heads.

        ``sso=True`` makes an account that signs in only through the identity provider (no password)."""
        name = (name or "").strip()
        if not name or len(name) > 64 or any(c.isspace() for c in name):
            raise ValidationFailed("用户名不能为空、不能含空格，且不超过 64 个字符。",
                                   english="The user name must not be empty, contain spaces or be longer than 64 "
                                           "characters.")
        if role not in ROLES or role == "public":
            raise ValidationFailed(f"角色“{role}”不可用：账号的角色只能是 township（乡镇负责人）、editor（规划局编辑）"
                                   "或 admin（管理员）；公众无需账号。",
                                   english=f"Role “{role}” is not available: an account's role is township "
                                           "(township head), editor (planning bureau editor) or admin "
                                           "(administrator); the public needs no account.")
        code = self._township_code(township) if township else None
        if role == "township" and not code:
            raise ValidationFailed("乡镇负责人账号必须用 --township 指定所属乡镇。",
                                   english="A township head account needs its township: give it with --township.")
        if role != "township" and code:
            raise ValidationFailed("只有乡镇负责人（township）账号才指定乡镇。",
                                   english="Only township head (township) accounts have a township.")
        if sso and password:
            raise ValidationFailed("统一身份认证账号不设密码：去掉 --password-file，或去掉 --sso。",
                                   english="A single sign-on account has no password: drop --password-file, or drop "
                                           "--sso.")
        if not sso:
            if password is None:
                raise ValidationFailed("请用 --password-file 给出密码（或用 --sso 表示通过统一身份认证登录）。",
                                       english="Give the password with --password-file (or use --sso for single "
                                               "sign-on).")
            check_password(password)
        digest = None if sso else _HASHER.hash(password)
        acct = Account(name, role, code, sso, _now_iso(), by)
        with _tx(self._t, write=True) as cur:
            if self._select(cur, "WHERE name = ?", (name,)):
                raise ValidationFailed(f"账号“{name}”已经存在；要改角色或密码，先 users remove 再 users add。",
                                       english=f"The account “{name}” already exists; to change its role or password, "
                                               "run users remove and then users add.")
            cur("INSERT INTO {t} (name, role, township_code, password_hash, sso, created_at, created_by, failures, "
                "locked_until) VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0)",
                (name, role, code, digest, int(sso), acct.created_at, by))
            cur.audit([{"at": acct.created_at, "user": by, "layer": "accounts", "feature_id": name,
                        "action": "account-add", "before": None, "after": _public_json(acct)}])
        return acct

    def remove(self, name: str, *, by: str = "cli") -> Account:
        """Delete an account (its sessions end at their next page action)."""
        with _tx(self._t, write=True) as cur:
            rows = self._select(cur, "WHERE name = ?", (name,))
            if not rows:
                raise NotFound(f"没有账号“{name}”。运行 python -m xxgeo users list 查看全部账号。",
                               english=f"No account “{name}”. Run python -m xxgeo users list to see all accounts.")
            acct = _account(rows[0])
            if acct.role == "admin" and len(self._select(cur, "WHERE role = 'admin'")) == 1 and \
                    len(self._select(cur)) > 1:
                raise PermissionDenied(f"“{name}”是最后一个管理员，删除后就没有人能管理账号了；请先添加另一个管理员。",
                                       english=f"“{name}” is the last administrator: without it nobody could "
                                               "manage accounts. Add another administrator first.")
            cur("DELETE FROM {t} WHERE name = ?", (name,))
            cur.audit([{"at": _now_iso(), "user": by, "layer": "accounts", "feature_id": name,
                        "action": "account-remove", "before": _public_json(acct), "after": None}])
        return acct

    def sign_in(self, name: str, password: str, *, source: str = "local", now: float | None = None) -> Account:
        """Check a name and password typed at ``source`` (the client's address; ``local`` for this computer and
        the command line); returns the account or raises :class:`SignInRefused` (the same sentences, and the
        same work, for an unknown name as for a wrong password)."""
        now = time.time() if now is None else now
        name = (name or "").strip()
        source = str(source or "local")[:100]
        key = name_key(name)
        refused = None
        with _tx(self._t, write=True) as cur:
            pair, by_source = _failure_row(cur, key, source), _failure_row(cur, ANY_NAME, source)
            wait = max(pair[1], by_source[1]) - now
            if wait > 0:
                raise SignInRefused(f"连续登录失败次数过多，请 {int(wait) + 1} 秒后再试。", wait=wait,
                                    english=f"Too many failed sign-ins: try again in {int(wait) + 1} s.")
            rows = self._select(cur, "WHERE name = ?", (name,), lock=True) if name else []
            d = dict(zip(_COLUMNS, rows[0])) if rows else {}
            if d.get("sso"):
                raise SignInRefused("该账号通过统一身份认证登录，请用“单位账号登录”。",
                                    english="This account signs in through the organisation: use "
                                            "“Sign in with your organisation account”.")
            # an unknown name costs what a wrong password costs: one hash check and one write
            ok = _verify(d.get("password_hash") or _dummy_hash(), password or "") and bool(rows)
            if not ok:
                failures = pair[0] + 1
                lock = lock_seconds(failures)
                src_lock = lock_seconds(by_source[0] + 1, FREE_SOURCE_FAILURES)
                _count_failure(cur, key, source, failures, now + lock if lock else 0.0, now)
                _count_failure(cur, ANY_NAME, source, by_source[0] + 1, now + src_lock if src_lock else 0.0, now)
                cur("DELETE FROM {f} WHERE last_failure < ? AND locked_until < ?", (now - _FORGET_S, now))
                lock = max(lock, src_lock)
                extra = f"为安全起见，该账号 {int(lock)} 秒内不能再登录。" if lock else ""
                refused = SignInRefused("用户名或密码不正确。" + extra, wait=lock,
                                        english="Wrong user name or password."
                                                + (f" For safety, no sign-in for {int(lock)} s." if lock else ""))
            else:
                if _HASHER.check_needs_rehash(d["password_hash"]):
                    cur("UPDATE {t} SET password_hash = ? WHERE name = ?", (_HASHER.hash(password), name))
                cur("UPDATE {t} SET failures = 0, locked_until = 0, last_login = ? WHERE name = ?", (_now_iso(), name))
                cur("DELETE FROM {f} WHERE source = ? AND name_key IN (?, ?)", (source, key, ANY_NAME))
        if refused is not None:  # raised after the commit, so the failure counter is kept
            raise refused
        return _account(rows[0])

    def identity(self, email: str | None, name: str | None = None) -> Account | None:
        """The account an identity-provider user maps to: by e-mail, else by name (None: no account)."""
        for key in (email, name):
            if key:
                acct = self.get(str(key).strip())
                if acct is not None:
                    return acct
        return None

    def _township_code(self, township: str) -> str:
        from .names import resolve_township

        return resolve_township(township, self.store.read("townships"))


def _failure_row(cur, key: str, source: str) -> tuple[int, float]:
    """(failures, locked_until) of one (name key, source) pair, its row made and locked for this transaction."""
    cur("INSERT INTO {f} (name_key, source, failures, locked_until, last_failure) VALUES (?, ?, 0, 0, 0) "
        "ON CONFLICT (name_key, source) DO NOTHING", (key, source))
    row = cur(f"SELECT failures, locked_until FROM {{f}} WHERE name_key = ? AND source = ?{cur.row_lock}",
              (key, source))[0]
    return int(row[0] or 0), float(row[1] or 0)


def _count_failure(cur, key: str, source: str, failures: int, locked_until: float, now: float) -> None:
    cur("UPDATE {f} SET failures = ?, locked_until = ?, last_failure = ? WHERE name_key = ? AND source = ?",
        (failures, locked_until, now, key, source))


@functools.cache
def _dummy_hash() -> str:
    return _HASHER.hash("xxgeo: a password nobody has")


def _verify(digest: str, password: str) -> bool:
    try:
        return _HASHER.verify(digest, password)
    except (VerificationError, InvalidHashError):
        return False


def _public_json(a: Account) -> str:
    return json.dumps({"name": a.name, "role": a.role, "township_code": a.township_code, "sso": a.sso},
                      ensure_ascii=False)


def carry_accounts(current: Path, target: Path) -> None:
    """Copy the accounts table of the GeoPackage ``current`` into ``target`` (replacing ``target``'s own).

    Called by ``GpkgStore`` before a restored, undone or rebuilt file replaces the store, so accounts are
    never rolled back with the data."""
    if not Path(current).is_file():
        return
    with contextlib.closing(sqlite3.connect(str(target), isolation_level=None)) as con:
        con.execute("ATTACH DATABASE ? AS cur", (str(current),))
        con.execute("BEGIN IMMEDIATE")
        for table, ddl, cols in ((TABLE, DDL, ", ".join(_COLUMNS)), (FAILURES_TABLE, FAILURES_DDL, "*")):
            has = con.execute("SELECT 1 FROM cur.sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
            con.execute(f"DROP TABLE IF EXISTS main.{table}")
            if has:
                con.execute(ddl.format(t=f"main.{table}"))
                con.execute(f"INSERT INTO main.{table} SELECT {cols} FROM cur.{table}")
        con.execute("COMMIT")
        con.execute("DETACH DATABASE cur")
