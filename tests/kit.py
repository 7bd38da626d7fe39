"""Helpers shared by several test modules: threads started together, the app in a real process, and a
Chromium page with the network cut (Debian's chromium, driven by Playwright; never a downloaded browser)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
BROWSER_TIMEOUT_S = 120  # generous: the app and Chromium share two busy cores with other test runs


def run_together(fns: list, timeout_s: float = 90) -> list:
    """Call every function at the same moment, each in its own thread; results (or raised exceptions) in order."""
    barrier = threading.Barrier(len(fns))
    results: list = [None] * len(fns)

    def run(i, fn):
        barrier.wait()
        try:
            results[i] = fn()
        except Exception as exc:  # collected and asserted by the caller
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout_s)
    return results


def free_port() -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_app(store_location: str, start_timeout_s: float = 120, **env):
    """``streamlit run app.py`` on a free port with ``XXGEO_STORE=store_location``; yields its base URL.

    The server runs in its own process group, and the whole group is stopped when the block ends, also when
    the test failed: SIGTERM, a wait for it to exit, then SIGKILL if it did not (streamlit may ignore SIGTERM).
    Its output goes to a file (a pipe nobody reads would fill up and stall the server)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port",
                                 str(port), "--server.address", "127.0.0.1", "--server.headless", "true"],
                                cwd=ROOT, env={**os.environ, "XXGEO_STORE": store_location, **env},
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            _wait_healthy(proc, url, start_timeout_s, log)
            yield url
        finally:
            stop_group(proc)


def _wait_healthy(proc: subprocess.Popen, url: str, timeout_s: float, log) -> None:
    """Wait until the server answers its health check; fail at once, with its output, if it exits."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=0.25)  # the poll interval, and a wait for the process to exit early
        if proc.poll() is not None:
            break
    log.seek(0)
    output = log.read().decode(errors="replace")[-3000:]
    raise RuntimeError(f"streamlit did not start (exit code {proc.poll()}): {output}")


def stop_group(proc: subprocess.Popen, grace_s: float = 15) -> None:
    """Stop ``proc``'s whole process group: SIGTERM, wait up to ``grace_s``, then SIGKILL; never leaves it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=grace_s)
    with contextlib.suppress(ProcessLookupError):  # what is left of the group (children too)
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


@contextlib.contextmanager
def chromium():
    """Debian's Chromium, headless (the ``browser`` fixture skips, or in CI fails, when it is missing)."""
    assert Path(CHROMIUM).exists(), "Debian chromium is required for browser tests: sudo apt-get install chromium"
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=BROWSER_TIMEOUT_S * 1000)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()


def offline_page(browser):
    """A page whose every request to anything but this machine is refused (the network is cut)."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.set_default_timeout(BROWSER_TIMEOUT_S * 1000)
    blocked, errors = [], []

    def route(r):
        host = urlparse(r.request.url).hostname
        if r.request.url.startswith(("data:", "blob:", "file:", "about:")) or host in ("127.0.0.1", "localhost"):
            return r.continue_()
        blocked.append(r.request.url)
        return r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return page, blocked, errors


# Whether some window of the page (its iframes too, nested; the app's are same-origin) satisfies PRED.
_FIND = """(arg) => { const test = PRED; let found = false;
  const walk = (w) => { try { if (test(w, arg)) found = true; } catch (e) { /* a frame navigating */ }
    for (const f of w.document.querySelectorAll('iframe')) { try { if (f.contentWindow) walk(f.contentWindow); }
      catch (e) { /* not reachable */ } } };
  walk(window); return found; }"""

DRAWN_MAP = ("(w) => !!w.document.querySelector('.leaflet-container') "
             "&& w.document.querySelectorAll('canvas').length > 0")


def frame_where(page, pred: str, arg=None, timeout_s: float = 90):
    """The frame whose window satisfies the JavaScript predicate ``pred`` (``(window, arg) => bool``), once one
    does: Playwright waits for that state (polling every 250 ms); a frame replaced meanwhile is looked for again."""
    from playwright.sync_api import Error as PlaywrightError

    deadline = time.monotonic() + timeout_s
    while True:
        left = max(deadline - time.monotonic(), 1)
        page.wait_for_function(_FIND.replace("PRED", pred), arg=arg, polling=250, timeout=left * 1000)
        for f in page.frames:
            try:
                if f.evaluate(f"(arg) => !!({pred})(window, arg)", arg):
                    return f
            except PlaywrightError:  # the frame navigated away while it was read
                continue
        if time.monotonic() > deadline:
            raise AssertionError(f"no frame where {pred}")


def map_frame(page, timeout_s: float = 90):
    """The frame holding a drawn Leaflet map (waits for it)."""
    return frame_where(page, DRAWN_MAP, timeout_s=timeout_s)


def wait_for_app_run(page, timeout_s: float = 90) -> None:
    """Wait until the app is connected and its script run has finished (Streamlit's own e2e tests wait so)."""
    from playwright.sync_api import expect

    app = page.locator('[data-testid="stApp"]')
    expect(app).to_have_attribute("data-test-connection-state", "CONNECTED", timeout=timeout_s * 1000)
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=timeout_s * 1000)


def app_test(timeout_s: float = 90, **params):
    """The app under ``streamlit.testing`` with ``params`` in the URL, run once and checked for exceptions
    (the store comes from ``XXGEO_STORE``)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout_s)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def sign_in(page, name: str, password: str, lang: str = "zh", shown: str | None = None) -> None:
    """Sign in as ``name`` through the sidebar form (labels in ``lang``) and wait until the sidebar says so
    (``shown``: a text to wait for instead of "signed in", e.g. the role's name)."""
    from xxgeo.i18n import tr

    sidebar = page.locator("section[data-testid='stSidebar']")
    sidebar.get_by_label(tr("auth.user", lang), exact=True).wait_for(timeout=BROWSER_TIMEOUT_S * 1000)
    wait_for_app_run(page)
    sidebar.get_by_label(tr("auth.user", lang), exact=True).fill(name)
    sidebar.get_by_label(tr("auth.password", lang), exact=True).fill(password)
    sidebar.get_by_role("button", name=tr("auth.submit", lang)).click()
    sidebar.get_by_text(shown or tr("auth.signed_in", lang)).first.wait_for(timeout=BROWSER_TIMEOUT_S * 1000)
    wait_for_app_run(page)


def drop_schemas(url: str, schema: str) -> None:
    """Drop the PostGIS ``schema`` and its backup and accounts schemas (``<schema>_*``)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as con:
        rows = con.execute("SELECT nspname FROM pg_namespace WHERE nspname = %s OR starts_with(nspname, %s)",
                           (schema, f"{schema}_")).fetchall()
        for (name,) in rows:
            con.execute(f'DROP SCHEMA "{name}" CASCADE')
