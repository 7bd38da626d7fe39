"""Accounts, sign-in rules, role-filtered reads and three users at once, on both store backends (issue 6)."""

from __future__ import annotations

import dataclasses
import sqlite3

import pytest
from kit import run_together

from xxgeo.accounts import MAX_LOCK_S, Accounts, lock_seconds
from xxgeo.errors import NotFound, PermissionDenied, SignInRefused, ValidationFailed
from xxgeo.policy import Actor, GuardedStore, account_actor, cli_actor, visible_frame
from xxgeo.session import Session, auth_mode, expiry, retry_delay_s

PW = "correct horse 9"


def _town(store, short: str) -> str:
    t = store.read("townships")
    return str(t.loc[t["name"].str.startswith(short), "code"].iloc[0])


def test_add_list_remove_with_audit_and_no_plain_password(any_store):
    book = Accounts(any_store)
    assert book.list() == []
    a = book.add("zhang", "township", password=PW, township="裴介", by="admin1")
    assert a.township_code == _town(any_store, "裴介") and a.role_label == "乡镇负责人"
    book.add("li", "editor", password=PW, by="admin1")
    assert [x.name for x in book.list()] == ["li", "zhang"]
    log = any_store.read("audit_log")
    adds = log[log["action"] == "account-add"]
    assert list(adds["feature_id"]) == ["zhang", "li"] and set(adds["user"]) == {"admin1"}
    assert not log.astype(str).apply(lambda c: c.str.contains("argon2|correct horse", regex=True)).any().any()
    book.remove("li", by="admin1")
    assert [x.name for x in book.list()] == ["zhang"]
    assert any_store.read("audit_log")["action"].iloc[-1] == "account-remove"


def test_hash_is_salted_argon2(store_copy):
    book = Accounts(store_copy)
    book.add("a1", "editor", password=PW)
    book.add("a2", "editor", password=PW)
    with sqlite3.connect(store_copy.path) as con:
        hashes = [r[0] for r in con.execute("SELECT password_hash FROM xxgeo_accounts ORDER BY name")]
    assert all(h.startswith("$argon2id$") for h in hashes) and hashes[0] != hashes[1]
    assert PW not in "".join(hashes)


@pytest.mark.parametrize("kw, words", [
    ({"role": "township", "password": PW}, "必须用 --township"),
    ({"role": "editor", "password": PW, "township": "裴介"}, "只有乡镇负责人"),
    ({"role": "editor", "password": "short"}, "密码太短"),
    ({"role": "editor"}, "--password-file"),
    ({"role": "public", "password": PW}, "公众无需账号"),
    ({"role": "editor", "password": PW, "sso": True}, "不设密码"),
])
def test_bad_accounts_are_refused_with_a_sentence(store_copy, kw, words):
    with pytest.raises(ValidationFailed) as e:
        Accounts(store_copy).add("x", **kw)
    assert words in e.value.message
    assert Accounts(store_copy).list() == []


def test_duplicate_and_unknown_township(store_copy):
    book = Accounts(store_copy)
    book.add("x", "editor", password=PW)
    with pytest.raises(ValidationFailed, match="已经存在"):
        book.add("x", "admin", password=PW)
    with pytest.raises(NotFound):
        book.add("y", "township", password=PW, township="不存在镇")
    with pytest.raises(NotFound):
        book.remove("nobody")


def test_last_admin_cannot_be_removed_while_others_remain(store_copy):
    book = Accounts(store_copy)
    book.add("boss", "admin", password=PW)
    book.add("li", "editor", password=PW)
    with pytest.raises(PermissionDenied, match="最后一个管理员"):
        book.remove("boss")
    book.remove("li")
    book.remove("boss")  # the very last account: the store goes back to open single-user mode
    assert book.list() == []


def test_sign_in_and_slowed_retries(any_store):
    book = Accounts(any_store)
    book.add("zhang", "township", password=PW, township="裴介")
    t0 = 1_000_000.0
    assert account_actor(book.sign_in("zhang", PW, now=t0)) == Actor("zhang", "township", _town(any_store, "裴介"))
    assert book.get("zhang").last_login
    for i in range(2):  # two free failures
        with pytest.raises(SignInRefused) as e:
            book.sign_in("zhang", "wrong password", now=t0 + i)
        assert e.value.message == "用户名或密码不正确。"
    with pytest.raises(SignInRefused) as e:
        book.sign_in("zhang", "wrong again!", now=t0 + 2)
    assert e.value.wait == 10 and "10 秒内不能再登录" in e.value.message
    with pytest.raises(SignInRefused, match="秒后再试"):  # locked: even the right password is refused
        book.sign_in("zhang", PW, now=t0 + 5)
    with pytest.raises(SignInRefused) as e:  # the 4th failure doubles the wait
        book.sign_in("zhang", "wrong", now=t0 + 13)
    assert e.value.wait == 20
    assert book.sign_in("zhang", PW, now=t0 + 34).name == "zhang"  # after the wait; the counter resets
    with pytest.raises(SignInRefused) as e:
        book.sign_in("zhang", "wrong", now=t0 + 35)
    assert e.value.wait == 0


def test_unknown_name_gets_the_same_sentence(store_copy):
    Accounts(store_copy).add("zhang", "editor", password=PW)
    with pytest.raises(SignInRefused) as e:
        Accounts(store_copy).sign_in("nobody", PW)
    assert e.value.message == "用户名或密码不正确。"


def test_sso_account_has_no_password_and_maps_by_email(store_copy):
    book = Accounts(store_copy)
    book.add("wang@xiaxian.gov.cn", "editor", sso=True)
    with pytest.raises(SignInRefused, match="统一身份认证"):
        book.sign_in("wang@xiaxian.gov.cn", "")
    assert book.identity("wang@xiaxian.gov.cn", "王").role == "editor"
    assert book.identity("other@x.cn", None) is None


def test_lock_schedule():
    assert [lock_seconds(n) for n in range(1, 7)] == [0, 0, 10, 20, 40, 80]
    assert lock_seconds(50) == MAX_LOCK_S
    assert [retry_delay_s(n) for n in range(0, 6)] == [0, 0, 0, 1, 2, 4]


def test_restore_and_rebuild_keep_accounts(store_copy):
    book = Accounts(store_copy)
    book.add("old", "editor", password=PW)
    backup = store_copy.backup("t")
    book.remove("old")
    book.add("new", "admin", password=PW)
    store_copy.restore(backup.name, user="t")
    assert [a.name for a in book.list()] == ["new"]  # the removed account does not come back
    frames = {n: store_copy.read(n) for n in store_copy.layer_names()}
    store_copy.write_layers(frames, fresh=True, audit=False)
    assert [a.name for a in book.list()] == ["new"]


def test_restore_keeps_accounts_on_postgis(pg_store):
    book = Accounts(pg_store)
    backup = pg_store.backup("t")
    book.add("new", "admin", password=PW)
    pg_store.restore(backup.name, user="t")
    assert [a.name for a in book.list()] == ["new"]


def test_public_reads_only_public_rows_and_fields(any_store):
    hidden = str(any_store.read("projects")["project_id"].iloc[3])
    any_store.update_feature("projects", hidden, {"public": False}, user="t")  # the plan's projects are all public
    full = any_store.read("projects")
    pub = GuardedStore(any_store, Actor("公众", "public"))
    p = pub.read("projects")
    assert len(p) == len(full) - 1 and bool(p["public"].all()) and hidden not in set(p["project_id"])
    for f in ("version", "investment_note", "source_text", "subgroup"):  # known internal fields
        if f in p.columns and f != "public":
            assert p[f].isna().all(), f
    assert p["name"].notna().all()
    for layer in ("villages", "audit_log", "plan_villages"):
        assert len(pub.read(layer)) == 0 and len(any_store.read(layer)) > 0
    head = GuardedStore(any_store, Actor("zhang", "township", _town(any_store, "裴介")))
    assert len(head.read("projects")) == len(full) and len(head.load()["villages"]) > 0


def test_visible_frame_keeps_columns_for_every_view(dataset):
    p = visible_frame(Actor("公众", "public"), "projects", dataset["projects"])
    assert list(p.columns) == list(dataset["projects"].columns)


def test_only_admins_manage_accounts(store_copy):
    with pytest.raises(PermissionDenied, match="只有管理员"):
        GuardedStore(store_copy, Actor("li", "editor")).accounts()
    assert GuardedStore(store_copy, Actor("boss", "admin")).accounts().list() == []


def test_cli_actor(store_copy):
    assert cli_actor(store_copy, None).role == "admin"  # the operator who holds the file
    assert cli_actor(store_copy, "anyone") == Actor("anyone", "admin")  # no accounts: the name is recorded
    Accounts(store_copy).add("zhang", "township", password=PW, township="裴介")
    assert cli_actor(store_copy, "zhang").role == "township"
    with pytest.raises(NotFound, match="没有账号"):
        cli_actor(store_copy, "anyone")


def test_session_rules(monkeypatch):
    s = Session("zhang", "township", "140828102", "local", started=0.0, last_seen=0.0)
    assert expiry(s, 59 * 60) is None
    assert "分钟没有操作" in expiry(s, 61 * 60)
    assert "小时" in expiry(dataclasses.replace(s, last_seen=13 * 3600), 13 * 3600)
    monkeypatch.setenv("XXGEO_SESSION_IDLE_MIN", "5")
    assert expiry(s, 6 * 60)
    assert auth_mode("gpkg", False, False) == "open"
    assert auth_mode("gpkg", True, False) == "local"
    assert auth_mode("postgis", False, False) == "local"
    assert auth_mode("gpkg", False, True) == "sso"
    monkeypatch.setenv("XXGEO_AUTH", "required")
    assert auth_mode("gpkg", False, False) == "local"


def test_two_editors_and_a_township_head_at_once(any_store):
    """Two editors change different fields of one project while a township head edits one of their own
    projects and tries one of another township: every allowed change lands, the other is refused."""
    p = any_store.read("projects")
    town = _town(any_store, "裴介")
    shared = str(p.loc[p["township_code"] == town, "project_id"].iloc[0])
    own = str(p.loc[p["township_code"] == town, "project_id"].iloc[1])
    other = str(p.loc[p["township_code"].notna() & (p["township_code"] != town), "project_id"].iloc[0])
    a = GuardedStore(any_store, Actor("甲", "editor"))
    b = GuardedStore(any_store, Actor("乙", "editor"))
    head = GuardedStore(any_store, Actor("zhang", "township", town))
    res = run_together([
        lambda: a.update_feature("projects", shared, {"status": "在建"}),
        lambda: b.update_feature("projects", shared, {"investment_wan": 321.0}),
        lambda: head.update_feature("projects", own, {"status": "前期"}),
        lambda: head.update_feature("projects", other, {"status": "前期"}),
    ])
    assert isinstance(res[3], PermissionDenied) and "不属于您所在的乡镇" in res[3].message
    assert sorted(res[:2]) == [2, 3] and res[2] == 2, res
    after = any_store.read("projects").set_index("project_id")
    assert after.loc[shared, "status"] == "在建" and after.loc[shared, "investment_wan"] == 321.0
    assert after.loc[own, "status"] == "前期"
    assert after.loc[other, "status"] == p.set_index("project_id").loc[other, "status"]
    log = any_store.read("audit_log")
    assert sorted(log.loc[log["feature_id"] == shared, "user"]) == ["乙", "甲"]
    assert list(log.loc[log["feature_id"] == own, "user"]) == ["zhang"]
    assert other not in set(log["feature_id"].dropna())


def test_concurrent_failures_are_all_counted(any_store):
    book = Accounts(any_store)
    book.add("zhang", "editor", password=PW)
    res = run_together([lambda: Accounts(any_store).sign_in("zhang", "wrong", now=1000.0) for _ in range(4)])
    assert all(isinstance(r, SignInRefused) for r in res), res
    # no failure lost to a race: two free ones, the third locks the account, the fourth finds it locked
    assert sorted(r.wait for r in res) == [0, 0, 10, 10]
    assert sum("秒内不能再登录" in r.message for r in res) == 1 and sum("秒后再试" in r.message for r in res) == 1


def test_independent_run_in_separate_processes(any_store):
    """scripts/concurrency_check.py: two editors and a township head, each in its own OS process."""
    import subprocess
    import sys

    from kit import ROOT

    location = str(any_store.path) if any_store.kind == "gpkg" else any_store.url
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "concurrency_check.py"), "--store", location,
                        "--rounds", "4"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "FAIL" not in r.stdout and "12 edits from 3 processes" in r.stdout


def test_undo_is_for_editors_in_the_store_layer(any_store):
    from xxgeo.edits import undo_last

    town = _town(any_store, "裴介")
    p = any_store.read("projects")
    own = str(p.loc[p["township_code"] == town, "project_id"].iloc[0])
    head = GuardedStore(any_store, Actor("zhang", "township", town))
    head.update_feature("projects", own, {"status": "在建"})
    with pytest.raises(PermissionDenied, match="无权撤销修改"):
        undo_last(head, user="zhang")
    assert any_store.read("projects").set_index("project_id").loc[own, "status"] == "在建"
    assert "撤销" in undo_last(GuardedStore(any_store, Actor("li", "editor")), user="li")
    assert any_store.read("audit_log")["user"].iloc[-1] == "li"


# ------------------------------------------------------------------------ issue 18: a back-off strangers cannot use
def test_a_strangers_failures_never_lock_out_a_colleague(any_store):
    """Thirty wrong passwords (and one more each time the lock expires) from a stranger's address lock that
    address only: the admin signs in from their own computer at every moment, the stranger stays refused."""
    book = Accounts(any_store)
    book.add("boss", "admin", password=PW)
    t = 1_000_000.0
    for i in range(30):
        with pytest.raises(SignInRefused):
            book.sign_in("boss", f"guess {i}", source="10.0.0.66", now=t)
        if i % 10 == 9:  # (every hash check costs a second on a busy machine)
            assert book.sign_in("boss", PW, source="10.0.0.7", now=t).name == "boss"
        t += 1
    with pytest.raises(SignInRefused, match="秒后再试") as e:  # the stranger's own address stays locked
        book.sign_in("boss", PW, source="10.0.0.66", now=t)
    assert e.value.wait > 0 and "try again" in e.value.english
    for _ in range(3):  # one wrong attempt each time the lock expires: the colleague is never refused
        t += MAX_LOCK_S + 1
        with pytest.raises(SignInRefused):
            book.sign_in("boss", "again", source="10.0.0.66", now=t)
        assert book.sign_in("boss", PW, source="10.0.0.7", now=t + 0.5).name == "boss"


def test_unknown_names_answer_like_real_ones(any_store):
    """The same sentences at every step for a real name and an unknown one, and the same lock schedule."""
    Accounts(any_store).add("zhang", "editor", password=PW)
    book = Accounts(any_store)
    answers = {}
    for who in ("zhang", "nobody-here"):
        seen = []
        for i in range(5):
            with pytest.raises(SignInRefused) as e:
                book.sign_in(who, "wrong!!", source="10.1.1.1", now=2_000_000.0 + i)
            seen.append((e.value.message, e.value.wait))
        answers[who] = seen
    assert answers["zhang"] == answers["nobody-here"]
    assert [w for _, w in answers["zhang"][:3]] == [0, 0, 10]


def test_delays_survive_a_new_session_and_the_store_keeps_no_names(any_store):
    """The delay is kept in the store (a fresh Accounts object, as after a page reload, still refuses), and
    the failures table keeps hashes, never the typed names."""
    Accounts(any_store).add("zhang", "editor", password=PW)
    for i in range(3):
        with pytest.raises(SignInRefused):
            Accounts(any_store).sign_in("someone-unknown", "x" * 9, source="10.2.2.2", now=3_000_000.0 + i)
    with pytest.raises(SignInRefused, match="秒后再试"):
        Accounts(any_store).sign_in("someone-unknown", "x" * 9, source="10.2.2.2", now=3_000_003.0)
    if any_store.kind == "gpkg":
        with sqlite3.connect(any_store.path) as con:
            rows = con.execute("SELECT name_key, source FROM xxgeo_signin_failures").fetchall()
        assert rows and not any("someone" in r[0] for r in rows)


def test_one_source_spraying_many_names_is_slowed_down(store_copy, monkeypatch):
    import xxgeo.accounts

    monkeypatch.setattr(xxgeo.accounts, "FREE_SOURCE_FAILURES", 4)  # 20 in use; 4 keeps the test quick
    book = Accounts(store_copy)
    book.add("zhang", "editor", password=PW)
    for i in range(5):
        with pytest.raises(SignInRefused):
            book.sign_in(f"name{i}", "wrong!!!", source="10.3.3.3", now=4_000_000.0)
    with pytest.raises(SignInRefused, match="秒后再试"):
        book.sign_in("zhang", PW, source="10.3.3.3", now=4_000_001.0)
    assert book.sign_in("zhang", PW, source="10.3.3.4", now=4_000_001.0).name == "zhang"


def test_source_of_an_attempt():
    from xxgeo.session import client_source, serves_open

    assert client_source(None) == "local" and serves_open(None)
    assert client_source("192.168.1.5", {"X-Forwarded-For": "1.2.3.4"}) == "192.168.1.5"  # a remote cannot choose
    assert client_source(None, {"X-Forwarded-For": "6.6.6.6, 192.168.1.9"}) == "192.168.1.9"  # our proxy's hop
    assert not serves_open("192.168.1.5") and not serves_open(None, {"X-Real-IP": "192.168.1.9"})
