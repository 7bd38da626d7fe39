"""Parse an untrusted file in a separate, limited process, so a hostile file can end only that process.

:func:`read_isolated` (or :func:`start_isolated`, which returns at once while the worker parses) runs
:func:`xxgeo.io.readers.read_source` in a worker started from a ``forkserver`` (``spawn`` where there is none;
:mod:`xxgeo.forkstart`), with the address space (``RLIMIT_AS``), CPU time (``RLIMIT_CPU``) and the size
of any file it writes (``RLIMIT_FSIZE``) capped, a wall-clock deadline, and a cap on the size of the result it
hands back (a pickle of the :class:`~.rawtable.RawTable`, written to a private temporary folder). The limits
are the settings' :class:`~xxgeo.config.ImportLimits`, passed to the worker explicitly (its environment may be
older than the caller's). The caller merges, validates and writes as before; the store is never open in the
worker.

Whatever happens in the worker becomes one sentence in the caller: a refusal (:class:`ImportRefused` and the
other named errors) is carried across as is; too deep nesting (``RecursionError``), memory exhaustion, the CPU
or wall-clock limit, an oversized result, and a crash (``SIGSEGV`` inside GDAL) each get their own sentence.
An exception of a kind nobody named is a bug: it is raised in the caller as a ``RuntimeError`` with the worker's
traceback (as :func:`xxgeo.cli.main` lets unknown errors through). The worker's stderr (GDAL's chatter) goes to
a log file that is deleted with the folder.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import pickle
import signal
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

import numpy as np
import shapely

from .. import forkstart
from ..config import ImportLimits, settings
from ..errors import ImportRefused, XxgeoError
from . import limits as _limits
from .arrowread import PendingTable

try:  # Unix only; elsewhere the deadline and the result cap still hold
    import resource
except ImportError:  # pragma: no cover - Windows
    resource = None  # type: ignore[assignment]

#: what the worker runs: ``module:function`` called as ``function(path, **kwargs)`` (tests point it elsewhere);
#: :func:`~xxgeo.io.readers.read_source`, with a GeoPackage table handed back as read (:mod:`.arrowread`)
READER = "xxgeo.io.readers:read_for_worker"
_CRASH_SIGNALS = {getattr(signal, n) for n in ("SIGSEGV", "SIGBUS", "SIGABRT", "SIGILL", "SIGFPE")
                  if hasattr(signal, n)}


def _context():
    return forkstart.context()  # a function of this module: scripts/bench_import_pair.py swaps it


def read_isolated(path: str | os.PathLike, *, name: str | None = None, reader: str | None = None, **kwargs):
    """``read_source(path, name=name, **kwargs)`` in a limited worker process; returns its ``RawTable`` or
    raises one named error (see the module docstring). ``reader`` (``module:function``) runs another reader
    of ours instead (the monthly-sheet import's, :func:`xxgeo.dispatch.sheet.read_rows`; the constraints import's,
    which hands geometries back as WKB: :mod:`xxgeo.constraints.reading`)."""
    with start_isolated(path, name=name, reader=reader, **kwargs) as job:
        return job.result()


def start_isolated(path: str | os.PathLike, *, name: str | None = None, reader: str | None = None,
                   **kwargs) -> Isolated:
    """Start :func:`read_isolated`'s worker and return at once, so the caller can do its own reads meanwhile;
    use it as ``with start_isolated(...) as job: ...; raw = job.result()`` (leaving the block stops the worker
    whatever happened, and removes its folder). The wall-clock deadline counts from the start."""
    return Isolated(path, name=name or Path(path).name, reader=reader or READER, kwargs=kwargs)


class Isolated:
    """A running worker (:func:`start_isolated`): :meth:`result` waits for its outcome, :meth:`close` stops it.

    The process is started from a thread: a start waits for the forkserver, which the first time imports
    :data:`~xxgeo.forkstart.PRELOAD` (about a second) — time the caller spends on its own reads instead."""

    def __init__(self, path: str | os.PathLike, *, name: str, reader: str, kwargs: dict) -> None:
        self.name = name
        self.lim = lim = settings().import_limits
        self._tmp = tempfile.TemporaryDirectory(prefix="xxgeo-worker-")
        self._out = Path(self._tmp.name) / "result.pickle"
        log = Path(self._tmp.name) / "stderr.log"
        self._proc = _context().Process(target=_child, args=(reader, str(path), dict(kwargs, name=name), lim,
                                                             str(self._out), str(log)), daemon=True)
        self._failed: BaseException | None = None
        self._deadline = 0.0
        self._starting = threading.Thread(target=self._start, name="xxgeo-worker-start", daemon=True)
        self._starting.start()

    def _start(self) -> None:
        try:
            forkstart.start(self._proc)
            self._deadline = time.monotonic() + self.lim.wall_s  # as long as read_isolated always gave it
        except BaseException as exc:  # noqa: BLE001 - raised in the caller by result()
            self._failed = exc

    def result(self):
        """The worker's ``RawTable`` (or the one named error its outcome is), waiting up to the deadline."""
        self._starting.join()
        if self._failed is not None:
            raise self._failed
        proc, name, lim = self._proc, self.name, self.lim
        proc.join(max(self._deadline - time.monotonic(), 0.0))
        if proc.is_alive():
            self.close()
            raise _refused("wall", name, lim)
        code = proc.exitcode
        if code == 0 and self._out.is_file():
            return _unpack(self._out.read_bytes(), name, lim)
        raise _died(code, name, lim)

    def close(self) -> None:
        """Stop the worker if it still runs and remove its folder (idempotent)."""
        self._starting.join()
        if self._failed is None:
            if self._proc.is_alive():
                self._proc.kill()
            self._proc.join()
        self._tmp.cleanup()

    def __enter__(self) -> Isolated:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _unpack(data: bytes, name: str, lim: ImportLimits):
    kind, *rest = pickle.loads(data)  # written by our own worker into our own private folder
    if kind == "ok":
        return rest[0]
    if kind == "ok-pending":  # a GeoPackage table as GDAL read it (its WKB proven sound there): pandas and shapely here
        return rest[0].finish()
    if kind == "ok-wkb":  # the table's geometries came as one WKB array: decoded in one call
        table = rest[0]
        table.geometry = np.asarray(shapely.from_wkb(table.geometry), dtype=object)
        return table
    if kind == "named":
        cls_name, message, english = rest
        cls = getattr(importlib.import_module("xxgeo.errors"), cls_name, ImportRefused)
        named = cls(message, english=english)  # the worker's named error, both sentences as it built them
        raise named
    if kind == "os":
        raise rest[0]
    if kind == "limit":
        raise _refused(rest[0], name, lim)
    raise RuntimeError(f"the import worker failed reading {name}:\n{rest[0]}")


def _died(code: int | None, name: str, lim: ImportLimits) -> ImportRefused:
    if code is not None and code < 0:
        sig = -code
        if sig in (getattr(signal, "SIGXCPU", -1), signal.SIGKILL):
            return _refused("cpu", name, lim)
        if sig == getattr(signal, "SIGXFSZ", -1):
            return _refused("output", name, lim)
        if sig == signal.SIGALRM:
            return _refused("wall", name, lim)
        if sig in _CRASH_SIGNALS:
            return _refused("crash", name, lim, signal.Signals(sig).name)
    return _refused("exit", name, lim, str(code))


_SAY = {
    "wall": ("读取文件“{n}”用时超过 {wall:.0f} 秒（XXGEO_WORKER_WALL_S），已停止，未导入任何数据；"
             "文件可能过大或构造异常，请拆分后再导入。",
             "Reading “{n}” took longer than {wall:.0f} s (XXGEO_WORKER_WALL_S) and was stopped; nothing was "
             "imported. The file may be too large or malformed; split it and try again."),
    "cpu": ("读取文件“{n}”耗用的计算时间超过 {cpu} 秒（XXGEO_WORKER_CPU_S），已停止，未导入任何数据；"
            "文件可能过大或构造异常，请拆分后再导入。",
            "Reading “{n}” used more than {cpu} s of CPU time (XXGEO_WORKER_CPU_S) and was stopped; nothing was "
            "imported. The file may be too large or malformed; split it and try again."),
    "memory": ("读取文件“{n}”需要的内存超过上限 {mem} MB（XXGEO_WORKER_MEMORY_MB），已停止，未导入任何数据；"
               "请拆分文件后分批导入。",
               "Reading “{n}” needed more memory than the limit of {mem} MB (XXGEO_WORKER_MEMORY_MB) and was "
               "stopped; nothing was imported. Split the file and import it in parts."),
    "output": ("文件“{n}”读出的数据超过上限 {outmb} MB（XXGEO_WORKER_OUTPUT_MB），已拒绝，未导入任何数据；"
               "请拆分文件后分批导入。",
               "The data read from “{n}” is larger than the limit of {outmb} MB (XXGEO_WORKER_OUTPUT_MB); "
               "nothing was imported. Split the file and import it in parts."),
    "nesting": ("文件“{n}”的嵌套层数过深（超过上限 {nest} 层，XXGEO_MAX_NESTING），可能是损坏或恶意构造的文件，"
                "已拒绝，未导入任何数据。",
                "“{n}” is nested too deeply (over {nest} levels, XXGEO_MAX_NESTING); it may be damaged or "
                "hostile. Nothing was imported."),
    "crash": ("读取文件“{n}”时解析程序崩溃（{why}），文件可能已损坏或是恶意构造的；已停止，未导入任何数据，"
              "数据库和应用均不受影响。",
              "The parser crashed reading “{n}” ({why}); the file may be damaged or hostile. Nothing was "
              "imported; the store and the app are unaffected."),
    "exit": ("读取文件“{n}”的进程意外退出（代码 {why}），未导入任何数据；文件可能已损坏，或内存不足。",
             "The process reading “{n}” stopped unexpectedly (code {why}); nothing was imported. The file may be "
             "damaged, or memory ran out."),
}


def _refused(kind: str, name: str, lim: ImportLimits, why: str = "") -> ImportRefused:
    zh, en = _SAY[kind]
    values = {"n": name, "why": why, "wall": lim.wall_s, "cpu": lim.cpu_s, "mem": lim.memory_bytes // 2**20,
              "outmb": lim.output_bytes // 2**20, "nest": lim.nesting}
    return ImportRefused(zh.format(**values), english=en.format(**values))


# ----------------------------------------------------------------------------- in the worker
def _apply(lim: ImportLimits, log: str) -> None:
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 2)  # GDAL's and Python's chatter stays out of the caller's one line
    os.close(fd)
    if resource is None:  # pragma: no cover - Windows
        return
    # its own deadline too: a worker whose caller was killed (kill -9) still ends (SIGALRM terminates it)
    signal.alarm(int(lim.wall_s) + 5)
    # soft limits: past them an allocation fails (MemoryError), SIGXCPU or SIGXFSZ ends the worker
    for what, value in ((resource.RLIMIT_AS, lim.memory_bytes), (resource.RLIMIT_CPU, lim.cpu_s),
                        (resource.RLIMIT_FSIZE, max(lim.unpacked_bytes, lim.output_bytes) + 2**20)):
        _, hard = resource.getrlimit(what)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(what, (value, hard))


def _as_wkb(table) -> tuple:
    """``("ok-wkb", table)`` with the table's shapely geometries as one WKB array (pickling 10^5 geometries one by
    one costs a Python call each way per geometry); ``("ok", table)`` when there are none (or they are already
    bytes, as the constraints reader hands them back); ``("ok-pending", table)`` for a table still as read
    (:class:`~.arrowread.PendingTable`: Arrow columns pickle as buffers)."""
    if isinstance(table, PendingTable):
        return ("ok-pending", table)
    geoms = getattr(table, "geometry", None)
    if geoms is None:
        return ("ok", table)
    arr = np.asarray(geoms, dtype=object)
    if arr.ndim != 1 or not len(arr) or not shapely.is_valid_input(arr).all() or (
            shapely.get_type_id(arr) == 2).any():  # a LinearRing would come back a LineString: pickled as is
        return ("ok", table)
    dims = 4 if shapely.has_m(arr).any() else 3  # Z and M kept as read (2-D geometries stay 2-D)
    table.geometry = shapely.to_wkb(arr, output_dimension=dims)
    return ("ok-wkb", table)


def _child(reader: str, path: str, kwargs: dict, lim: ImportLimits, out: str, log: str) -> None:
    """The worker's body: limits, read, pickle the outcome to ``out`` (never raises for a known outcome)."""
    _apply(lim, log)
    module, _, func = reader.partition(":")
    try:
        with _limits.using(lim):
            table = getattr(importlib.import_module(module), func)(path, **kwargs)
        outcome: tuple = _as_wkb(table)
    except XxgeoError as exc:
        outcome = ("named", type(exc).__name__, exc.message, exc.english)
    except RecursionError:
        outcome = ("limit", "nesting")
    except MemoryError:
        outcome = ("limit", "memory")
    except OSError as exc:
        outcome = ("os", exc)
    except BaseException:  # noqa: BLE001 - a kind nobody named: handed to the caller as a bug, with its traceback
        outcome = ("bug", traceback.format_exc())
    try:
        data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        data = pickle.dumps(("limit", "memory"))
    if len(data) > lim.output_bytes:
        data = pickle.dumps(("limit", "output"))
    Path(out).write_bytes(data)
    sys.stderr.flush()
