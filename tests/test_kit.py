"""The test harness itself: the app server is always stopped, and CI lets no browser or PostGIS test skip."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import kit
import pytest

TESTS = Path(__file__).resolve().parent


def _gone(pid: int) -> bool:
    """True when ``pid`` has exited (no such process, or a zombie not yet reaped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


def _until(cond, timeout_s: float = 10) -> bool:
    """Poll ``cond`` until it holds (True) or ``timeout_s`` passes (False)."""
    deadline = time.monotonic() + timeout_s
    while not cond():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_stop_group_kills_a_server_that_ignores_sigterm_and_its_children(tmp_path):
    child_pid = tmp_path / "child.pid"
    code = textwrap.dedent(f"""
        import signal, subprocess, sys, time
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        child = subprocess.Popen([sys.executable, "-c",
            "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)"])
        open({str(child_pid)!r} + ".tmp", "w").write(str(child.pid))
        __import__("os").rename({str(child_pid)!r} + ".tmp", {str(child_pid)!r})
        time.sleep(600)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], start_new_session=True)
    try:
        assert _until(child_pid.exists, 60), "the fake server did not start its child"
        pid = int(child_pid.read_text())
        kit.stop_group(proc, grace_s=1)
        assert proc.returncode == -signal.SIGKILL  # it ignored SIGTERM, so it was killed
        assert _until(lambda: _gone(pid)), "the server's child outlived it"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)


def test_running_app_stops_the_server_when_the_test_fails(built_store_path, monkeypatch):
    started = []
    popen = subprocess.Popen

    def recording(*args, **kwargs):
        started.append(popen(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(kit.subprocess, "Popen", recording)
    with pytest.raises(RuntimeError, match="the test failed"), kit.running_app(str(built_store_path)) as url:
        assert url.startswith("http://127.0.0.1:")
        assert os.getpgid(started[0].pid) == started[0].pid  # the server leads its own process group
        raise RuntimeError("the test failed")
    (proc,) = started
    assert proc.returncode is not None
    with pytest.raises(ProcessLookupError):  # nothing of its process group is left
        os.killpg(proc.pid, 0)


def _run_inner(tmp_path, ci: bool) -> subprocess.CompletedProcess:
    """A one-test run with this suite's conftest: a browser test that skips."""
    (tmp_path / "test_inner.py").write_text(textwrap.dedent("""
        import pytest

        @pytest.mark.browser
        def test_needs_chromium():
            pytest.skip("no chromium here")
    """), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": f"{TESTS}{os.pathsep}{os.environ.get('PYTHONPATH', '')}", "XXGEO_TEST_PG": ""}
    env["CI"] = "true" if ci else ""
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "conftest", "-p", "no:cacheprovider",
                           "-m", "not postgis", "--rootdir", str(tmp_path), str(tmp_path / "test_inner.py")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


def test_a_skipped_browser_test_is_reported_once_and_fails_in_ci(tmp_path):
    local = _run_inner(tmp_path, ci=False)
    assert local.returncode == 0, local.stdout + local.stderr
    assert local.stdout.count("browser tests skipped: no chromium here") == 1, local.stdout
    ci = _run_inner(tmp_path, ci=True)
    assert ci.returncode == 1, ci.stdout + ci.stderr
    assert "CI=true: this test may not skip in CI, but it skipped: no chromium here" in ci.stdout
