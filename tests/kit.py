"""Helpers shared by several test modules: threads started together, the app in a real process, and a
Chromium page with the network cut (Debian's chromium, driven by Playwright; never a downloaded browser)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]


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
def running_app(store_location: str, **env):
    """``streamlit run app.py`` on a free port with ``XXGEO_STORE=store_location``; yields its base URL."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port",
                             str(port), "--server.address", "127.0.0.1", "--server.headless", "true"],
                            cwd=ROOT, env={**os.environ, "XXGEO_STORE": store_location, **env},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        else:
            proc.kill()
            raise RuntimeError("streamlit did not start: " + proc.stdout.read().decode(errors="replace")[-2000:])
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@contextlib.contextmanager
def chromium():
    """Debian's Chromium, headless."""
    assert Path(CHROMIUM).exists(), "Debian chromium is required for browser tests (.ci/run installs it)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()


def offline_page(browser):
    """A page whose every request to anything but this machine is refused (the network is cut)."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
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


def map_frame(page, timeout_s: float = 60):
    """The frame holding a drawn Leaflet map (waits for it)."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        for f in page.frames:
            try:
                if f.locator(".leaflet-container").count() and f.evaluate(
                        "() => document.querySelectorAll('canvas').length") > 0:
                    return f
            except Exception:  # frame navigating
                pass
        time.sleep(0.5)
    raise AssertionError("no drawn Leaflet map appeared")


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
