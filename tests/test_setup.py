"""Set-up as a new user meets it (issue 17, item 8): ``make run`` says what it is doing before each step and
lets pip show its progress; it listens on this machine unless told otherwise (PORT, ADDRESS, SERVER_NAME), the
README says how in both languages, and the line "Did not auto detect external IP" is neither printed by the
default start nor left unexplained."""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time

import pytest
from kit import ROOT, free_port

MAKE = shutil.which("make")


def _dry_run(*overrides: str) -> str:
    # -B: as on a fresh clone (every step due), -n: print the commands only
    return subprocess.run([MAKE, "-Bn", "run", *overrides], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout


@pytest.mark.skipif(MAKE is None, reason="make is not installed")
def test_make_run_announces_each_step_and_shows_pip_progress():
    out = _dry_run()
    lines = out.splitlines()
    for step in ("python3 -m venv", "pip install", "-m xxgeo build", "streamlit run app.py"):
        i = next(n for n, ln in enumerate(lines) if step in ln)
        assert lines[i - 1].startswith("echo \"==>") or lines[i - 2].startswith("echo \"==>"), (step, lines[i - 2:i])
    assert not [ln for ln in lines if "pip install" in ln and " -q" in ln], "pip must show its progress"


@pytest.mark.skipif(MAKE is None, reason="make is not installed")
def test_make_run_listens_on_this_machine_unless_told():
    assert "--server.port 8501 --server.address 127.0.0.1" in _dry_run()
    shared = _dry_run("PORT=8600", "ADDRESS=0.0.0.0", "SERVER_NAME=192.168.1.20")
    assert "--server.port 8600 --server.address 0.0.0.0" in shared
    assert "--browser.serverAddress 192.168.1.20" in shared


def test_readme_says_how_to_choose_port_and_address_in_both_languages():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    zh, en = text.split("\n# English", 1)
    for part in (zh, en):
        assert "make run PORT=8600 ADDRESS=0.0.0.0 SERVER_NAME=" in part
        assert "--server.port 8600 --server.address 0.0.0.0 --browser.serverAddress" in part
        assert "Did not auto detect external IP" in part
    assert "不是错误" in zh and "not an error" in en


def _start_output(args: list[str], timeout_s: float = 120) -> str:
    """What ``streamlit run app.py ARGS`` prints until it says where it listens; the server is then stopped."""
    log = ROOT / f".setup-test-{os.getpid()}.log"
    with open(log, "wb") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", *args], cwd=ROOT,
                                stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and proc.poll() is None:
            text = log.read_text(errors="replace")
            if re.search(r"URL: http", text):
                return text
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=0.5)
        raise AssertionError("streamlit did not say where it listens: " + log.read_text(errors="replace")[-2000:])
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=15)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        log.unlink(missing_ok=True)


@pytest.mark.skipif(MAKE is None, reason="make is not installed")
def test_the_default_start_prints_no_external_ip_complaint(built_store_path, monkeypatch):
    monkeypatch.setenv("XXGEO_STORE", str(built_store_path))
    cmd = next(ln for ln in _dry_run(f"PORT={free_port()}").replace("\\\n", " ").splitlines()
               if "streamlit run app.py" in ln)
    args = shlex.split(cmd.split("streamlit run app.py", 1)[1])
    out = _start_output(args)
    assert "Did not auto detect external IP" not in out and "URL: http://127.0.0.1:" in out, out
