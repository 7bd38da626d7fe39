"""AppTest: sign-in in the sidebar and what each role sees and may do in the app (issue 6)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from kit import app_test
from streamlit.testing.v1 import AppTest

from xxgeo.accounts import Accounts
from xxgeo.session import Session
from xxgeo.store import GpkgStore
from xxgeo.views.shell import VIEWS

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PW = "correct horse 9"
PEIJIE = "140828102"


@pytest.fixture
def store(built_store_path, tmp_path, monkeypatch) -> GpkgStore:
    """A store copy with four accounts: a township head of 裴介镇, two editors and an admin."""
    dest = tmp_path / "xxgeo.gpkg"
    shutil.copy2(built_store_path, dest)
    s = GpkgStore(dest)
    book = Accounts(s)
    book.add("zhang", "township", password=PW, township="裴介")
    book.add("li", "editor", password=PW)
    book.add("boss", "admin", password=PW)
    monkeypatch.setenv("XXGEO_STORE", str(dest))
    return s


def _sign_in(at: AppTest, name: str, password: str = PW, button: str = "登录") -> AppTest:
    at.sidebar.text_input(key="signin_name").input(name)
    at.sidebar.text_input(key="signin_password").input(password)
    next(b for b in at.sidebar.button if b.label == button).click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _tabs(at: AppTest) -> list[str]:
    return [t.label for t in at.tabs]


def test_public_sees_the_investor_view_only(store):
    at = app_test(view="data")
    assert at.sidebar.radio[0].options == ["招商"]
    assert any("需要登录" in i.value for i in at.info)
    assert "导入" not in _tabs(at) and "编辑项目" not in _tabs(at)
    assert [t.label for t in at.sidebar.text_input] == ["用户名", "密码"]


def test_wrong_password_is_refused_in_one_sentence(store):
    at = _sign_in(app_test(), "zhang", "wrong password")
    assert [e.value for e in at.error] == ["用户名或密码不正确。"]
    assert at.sidebar.radio[0].options == ["招商"]
    assert "xx_signin_failures" not in at.session_state  # the delays are the store's, not the session's


def test_a_reload_does_not_reset_the_sign_in_delay(store):
    """Three wrong passwords, each from a fresh page (a reload): the fourth attempt, even with the right
    password, is refused with the wait the store keeps; an unknown name answers in the same sentence."""
    for i in range(3):
        at = _sign_in(app_test(), "zhang", f"wrong password {i}")
        assert [e.value for e in at.error][0].startswith("用户名或密码不正确。")
    at = _sign_in(app_test(), "zhang")
    assert any("秒后再试" in e.value for e in at.error) and at.sidebar.radio[0].options == ["招商"]
    at = _sign_in(app_test(), "no-such-user", "wrong password")
    assert [e.value for e in at.error] == ["用户名或密码不正确。"]


def test_township_head_edits_own_township_only(store):
    at = _sign_in(app_test(view="data"), "zhang")
    assert any("已登录：**zhang**（乡镇负责人 · 裴介镇）" in m.value for m in at.sidebar.markdown)
    at.sidebar.radio[0].set_value("数据").run()
    assert _tabs(at) == ["编辑项目", "导出"]
    projects = store.read("projects").set_index("project_id")
    options = at.selectbox(key="edit_pid").options
    assert options and {projects.loc[o.split()[0], "township_code"] for o in options} == {PEIJIE}
    assert len(options) == int((projects["township_code"] == PEIJIE).sum())
    exp = at.checkbox(key="exp_public")
    assert exp.value is True and exp.disabled
    pid = options[0].split()[0]
    at.selectbox(key=f"ef_{pid}_status").set_value("__other__")  # a status of their own, on purpose
    at.text_input(key=f"ef_{pid}_other").input("在建（乡镇核实）")
    next(b for b in at.button if b.label.startswith(f"保存对 {pid}")).click()
    at.run()
    assert not at.exception
    after = store.read("projects").set_index("project_id").loc[pid]
    assert after["status"] == "在建（乡镇核实）"
    log = store.read("audit_log")
    assert log["user"].iloc[-1] == "zhang" and log["feature_id"].iloc[-1] == pid


@pytest.mark.slow
def test_editor_and_admin_sections(store):
    at = _sign_in(app_test(), "li")
    at.sidebar.radio[0].set_value("数据").run()
    assert _tabs(at) == ["导入", "导出", "编辑项目", "园区联系方式", "撤销与备份"]
    assert not at.checkbox(key="exp_public").disabled
    at = _sign_in(app_test(), "boss")
    at.sidebar.radio[0].set_value("数据").run()
    assert _tabs(at)[-1] == "账号"
    at.text_input(key="acct_name").input("wang")
    at.selectbox(key="acct_role").select("editor")
    at.text_input(key="acct_pw1").input("another pass 7")
    at.text_input(key="acct_pw2").input("another pass 7")
    next(b for b in at.button if b.label == "添加").click()
    at.run()
    assert not at.exception and any("已添加账号“wang”" in s.value for s in at.success)
    wang = Accounts(store).get("wang")
    assert wang.role == "editor" and wang.created_by == "boss"


def test_session_expires_after_idle_time(store):
    at = app_test()
    old = time.time() - 2 * 3600
    at.session_state["xx_session"] = Session("li", "editor", None, "local", old, old)
    at.run()
    assert any("登录已过期" in w.value for w in at.sidebar.warning)
    assert at.sidebar.radio[0].options == ["招商"]


def test_removed_account_is_signed_out(store):

    at = _sign_in(app_test(), "li")
    assert len(at.sidebar.radio[0].options) == len(VIEWS)  # every view, for a signed-in editor
    Accounts(store).remove("li", by="boss")
    at.run()
    assert any("已被删除" in w.value for w in at.sidebar.warning)
    assert at.sidebar.radio[0].options == ["招商"]


def test_signing_out(store):
    at = _sign_in(app_test(), "li")
    next(b for b in at.sidebar.button if b.label == "退出登录").click()
    at.run()
    assert at.sidebar.radio[0].options == ["招商"] and "xx_session" not in at.session_state


def test_no_accounts_means_open_single_user_mode(built_store_path, monkeypatch):
    monkeypatch.setenv("XXGEO_STORE", str(built_store_path))
    at = app_test(view="data")
    assert "导入" in _tabs(at) and any("本机单用户模式" in c.value for c in at.sidebar.caption)
    monkeypatch.setenv("XXGEO_AUTH", "required")
    at = app_test(view="data")
    assert at.sidebar.radio[0].options == ["招商"]


def test_identity_provider_button_when_configured(store):
    at = AppTest.from_file(APP, default_timeout=90)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "s" * 32,
                          "client_id": "xxgeo", "client_secret": "x",
                          "server_metadata_url": "https://id.example.invalid/.well-known/openid-configuration"}
    at.run()
    assert not at.exception
    labels = [b.label for b in at.sidebar.button]
    assert "单位账号登录" in labels and "登录" in labels  # local accounts keep working beside it


def test_sign_in_form_in_english(store):
    at = app_test(lang="en", view="planning")
    assert [t.label for t in at.sidebar.text_input] == ["User name", "Password"]
    assert any("needs sign-in" in i.value for i in at.info)
    at = _sign_in(at, "zhang", button="Sign in")
    assert any("Signed in: **zhang** (township head" in m.value for m in at.sidebar.markdown)  # no CJK punctuation



def test_township_view_opens_on_the_heads_own_township(store):
    at = _sign_in(app_test(), "zhang")
    at.sidebar.radio[0].set_value("乡镇").run()
    assert at.selectbox(key="tw_pick").value == PEIJIE
