"""Writing an output file whole or not at all.

:func:`write_atomic` writes to a temporary file beside the target and renames it into place, so a failure
part-way (a full disk, an interrupted run, a bug) never leaves a half-written file under the user's name,
and an existing file is replaced only by a complete one. A target that exists and is not a regular file
(``/dev/stdout``, a FIFO, ``/dev/full``) is written directly: renaming over a device would replace it.
An :class:`OSError` carries the target's path, so the sentence the user sees names it
(:func:`xxgeo.errors.user_message`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from pathlib import Path


def write_atomic(path: str | os.PathLike, data: bytes | str, *, encoding: str = "utf-8") -> Path:
    """Write ``data`` (bytes, or text in ``encoding``) to ``path``, creating its folder; returns the path."""
    out = Path(path)
    raw = data.encode(encoding) if isinstance(data, str) else data
    tmp = None
    try:
        if out.is_dir():
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(out))
        if out.exists() and not out.is_file():
            with open(out, "wb") as fh:
                fh.write(raw)
            return out
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}.{secrets.token_hex(4)}.part")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies, as for open()
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(raw)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, out)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
    except OSError as exc:
        if exc.filename is None or (tmp is not None and str(exc.filename) == str(tmp)):
            exc.filename, exc.filename2 = str(out), None  # the user's path, not the hidden temporary one
        raise
    return out
