"""How xxgeo starts its helper processes — the parsing worker (:mod:`xxgeo.io.worker`) and the background layer
writer (:mod:`xxgeo.store.writehelper`) — light enough to run before anything else.

:func:`warm` starts the ``forkserver`` at once, so its one-time imports (:data:`PRELOAD`) run beside the
caller's own imports and reads rather than before the first worker: ``python -m xxgeo import`` calls it before
it imports the importer. :func:`start` starts a process of :func:`context`. Only the standard library is
imported here.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import sys
import threading
import types

#: modules the forkserver imports once, so each helper starts in milliseconds
PRELOAD = ["xxgeo.io.readers", "xxgeo.store.writehelper", "openpyxl", "fiona"]

_START = threading.Lock()


def context():
    """The ``forkserver`` context with :data:`PRELOAD` set (``spawn`` where there is no forkserver)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")  # pragma: no cover - Windows


def warm() -> None:
    """Start the forkserver now (it imports :data:`PRELOAD` while the caller goes on). Nothing happens where
    there is no forkserver; a failure here is left to the worker's own start, which would meet it again."""
    if "forkserver" not in multiprocessing.get_all_start_methods():  # pragma: no cover - Windows
        return
    from multiprocessing import forkserver

    context()
    with contextlib.suppress(OSError):
        forkserver.ensure_running()


def wants_worker(argv: list[str]) -> bool:
    """Whether a ``python -m xxgeo`` command line reads a file in the worker: ``import`` or ``progress import``
    (its words after the options; ``--lang en import f.gpkg`` too). A miss only costs the head start."""
    words, skip = [], False
    for a in argv:
        if skip:
            skip = False
        elif a in ("--lang", "--store"):
            skip = True
        elif not a.startswith("-"):
            words.append(a)
    return words[:1] == ["import"] or words[:2] == ["progress", "import"]


def start(proc) -> None:
    """Start ``proc`` (a process of :func:`context`), one start at a time, with a bare ``__main__``
    (:func:`_no_main`)."""
    with _START, _no_main():
        proc.start()


@contextlib.contextmanager
def _no_main():
    """A bare ``__main__`` while a helper starts. multiprocessing makes each child import the parent's main
    script first; under Streamlit that is the running page's script (``app.py``, which Streamlit installs as
    ``__main__``), under AppTest a throw-away script — the child would run the app first, or fail. Every
    helper's target lives in a module of ours, so the child needs no main at all."""
    main = sys.modules.get("__main__")
    stub = types.ModuleType("__main__")
    sys.modules["__main__"] = stub
    try:
        yield
    finally:
        if sys.modules.get("__main__") is stub:  # (a Streamlit rerun may have installed its own meanwhile)
            sys.modules["__main__"] = main
