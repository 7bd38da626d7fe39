"""A big layer written by GDAL in a helper process, while the caller goes on (issue 16 item 3).

GDAL's Arrow write (``pyogrio.write_arrow``) holds the GIL the whole time: 10^5 polygons take ~0.65 s during which
nothing else in the process runs, not even a thread. An import has ~0.4 s of work the write does not need — the
new rows' audit texts (JSON and WKT, :class:`~xxgeo.store.auditbatch.Later`) — so the layer goes to a process of
:func:`xxgeo.forkstart.context` as one Arrow table and GDAL writes it into the transaction's temporary copy there,
while the caller makes those texts; the audit insert waits for the write (one SQLite file, one writer).

The table is the one ``pyogrio.write_dataframe(..., use_arrow=True)`` builds from a coerced store frame: its columns
as ``pyarrow.Table.from_pandas`` makes them (an all-empty column as text), the geometries as WKB, GDAL given the
geometry type and CRS. A frame this module does not take as it is (dates, an object column Arrow cannot type) is
written in the caller as before (:func:`start` returns None). The write is the transaction's: a failure raises
:class:`~xxgeo.errors.StoreError` in the caller, which rolls the transaction back; a transaction that fails while
the write runs stops it (:meth:`BackgroundWrite.stop`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa

from .. import forkstart
from ..errors import StoreError

#: frames with fewer rows are written in the caller (a helper's start and the table's trip cost ~0.02 s)
BACKGROUND_ROWS = 20_000


def arrow_table(df) -> pa.Table | None:
    """``df`` (a GeoDataFrame coerced to its layer's schema) as the Arrow table pyogrio's Arrow write makes of it,
    the geometry column last as WKB; None for a frame with a column that write converts first (dates, objects
    that are not all text)."""
    from geopandas.array import to_wkb

    name = df.geometry.name
    plain = pd.DataFrame(df.drop(columns=[name]), copy=False)
    for col, dtype in plain.dtypes.items():
        if isinstance(dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(dtype):
            return None
        if dtype == "object" and pd.api.types.infer_dtype(plain[col]) not in ("string", "empty"):
            return None
    table = pa.Table.from_pandas(plain, preserve_index=False)
    for i, field in enumerate(table.schema):
        if pa.types.is_null(field.type):
            table = table.set_column(i, field.with_type(pa.string()), table[i].cast(pa.string()))
    return table.append_column(pa.field(name, pa.binary()), pa.array(to_wkb(df.geometry.values), type=pa.binary()))


def start(path, layer: str, df, **options) -> BackgroundWrite | None:
    """Start writing ``df`` as ``layer`` of the GeoPackage ``path`` in a helper process (``options``: GDAL's
    ``geometry_type``, ``promote_to_multi``); None when the caller should write it itself (a small or non-spatial
    frame, one :func:`arrow_table` does not take, no CRS)."""
    if len(df) < BACKGROUND_ROWS or getattr(df, "crs", None) is None or "geometry" not in df.columns:
        return None
    epsg = df.crs.to_epsg()
    if epsg is None:
        return None
    table = arrow_table(df)
    if table is None:
        return None
    options = dict(options, crs=f"EPSG:{epsg}", geometry_name=df.geometry.name)
    options.pop("promote_to_multi", None)  # (Arrow writes take the geometries as given)
    return BackgroundWrite(str(path), layer, table, options)


class BackgroundWrite:
    """A running layer write (:func:`start`): :meth:`wait` for its outcome, :meth:`stop` to end it. The table goes
    to the helper as an Arrow IPC file beside the store's temporary copy (handed over through the process start,
    20 MB held it up ~0.2 s; the file is written in ~0.02 s and mapped by the helper), removed when it ends."""

    def __init__(self, path: str, layer: str, table: pa.Table, options: dict) -> None:
        self.layer = layer
        self._table_path = Path(path).with_suffix(".arrow")
        with pa.OSFile(str(self._table_path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as out:
            out.write_table(table)
        ctx = forkstart.context()
        self._recv, send = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=_child, args=(send, path, layer, str(self._table_path), options),
                                 daemon=True)
        try:
            forkstart.start(self._proc)
        except BaseException:
            self._table_path.unlink(missing_ok=True)
            raise
        finally:
            send.close()  # (the child holds its own end: its death ends the pipe)

    def wait(self) -> None:
        """Wait for the write; raise :class:`StoreError` when GDAL failed or the process died."""
        try:
            failure = self._recv.recv()
        except EOFError:
            failure = f"the writer process ended (exit code {self._finish()})"
        else:
            self._finish()
        if failure is not None:
            raise StoreError(f"写入图层“{self.layer}”失败，数据库未改动（{failure}）。",
                             english=f"Writing layer “{self.layer}” failed; nothing was changed ({failure}).")

    def stop(self) -> None:
        """End the write if it still runs (the transaction failed meanwhile); idempotent."""
        if self._proc.is_alive():
            self._proc.kill()
        self._finish()

    def _finish(self):
        self._proc.join()
        self._recv.close()
        self._table_path.unlink(missing_ok=True)
        return self._proc.exitcode


def _child(conn, path: str, layer: str, table_path: str, options: dict) -> None:
    """The helper's body: GDAL writes the table of ``table_path``; ``None`` sent back, or why it failed."""
    import pyogrio

    try:
        with pa.memory_map(table_path) as source:
            table = pa.ipc.open_file(source).read_all()
        pyogrio.write_arrow(table, path, layer=layer, driver="GPKG", **options)
        failure = None
    except Exception as exc:  # noqa: BLE001 - any failure is the caller's StoreError, with GDAL's reason
        failure = f"{type(exc).__name__}: {exc}"
    conn.send(failure)
    conn.close()
