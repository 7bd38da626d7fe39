"""A GeoPackage table or a Shapefile read as GDAL's Arrow stream, finished into a :class:`~.rawtable.RawTable` by
the caller.

``pyogrio.read_dataframe(..., use_arrow=True)`` is ``read_arrow`` (GDAL's columns), ``Table.to_pandas`` and
``shapely.from_wkb``. Run in the parsing worker (:mod:`.worker`) as it was, the worker then turned the geometries
back into WKB to hand them over, and the caller decoded them a second time: 100,000 polygons cost ~0.1 s of
``to_wkb`` and a pickled pandas frame. Here the worker reads the Arrow table, decodes the WKB once only to prove
it sound — a hostile geometry (nesting that exhausts the stack) still ends the worker, never the caller — and
hands over the table as read: :meth:`PendingTable.finish` makes the pandas frame and the geometries in the
caller, exactly as ``read_dataframe`` does for these column types (tests/test_arrow_handoff.py compares the two).

A table with a column that ``read_dataframe`` post-processes (dates and times, parsed from text; JSON fields) is
read by ``read_dataframe`` itself (:func:`plain_fields` says which).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely

from .rawtable import RawTable, checked_table


def plain_fields(meta: dict) -> bool:
    """Whether ``read_dataframe`` would give the Arrow table's ``to_pandas`` as it is for every field of ``meta``
    (pyogrio's read metadata): no date/time column (read as text, then parsed) and no JSON subtype (parsed)."""
    dtypes = [str(d) for d in meta.get("dtypes", ())]
    subtypes = [str(s) for s in meta.get("ogr_subtypes", ())]
    return not any(d.startswith("datetime") for d in dtypes) and "OFSTJSON" not in subtypes


def geometry_name(meta: dict, table) -> str | None:
    """The table's geometry column (``read_dataframe``'s rule: the layer's name for it, else ``wkb_geometry``)."""
    name = meta.get("geometry_name") or "wkb_geometry"
    return name if name in table.column_names else None


def wkb_values(table, name: str | None) -> np.ndarray | None:
    """The geometry column as an object array of WKB bytes (None where a feature has none)."""
    if name is None:
        return None
    return table.column(name).to_numpy(zero_copy_only=False)


def prove_sound(meta: dict, table) -> None:
    """In the worker: what :meth:`PendingTable.finish` will parse, parsed once here — the WKB (a hostile geometry
    ends this process) and the declared CRS — so that the caller's parse cannot fail or crash; raises what GEOS or
    PROJ raise (the reader turns it into one sentence)."""
    import pyproj

    name = geometry_name(meta, table)
    shapely.from_wkb(wkb_values(table, name), on_invalid="raise")
    if meta.get("crs") and name is not None:
        pyproj.CRS.from_user_input(meta["crs"])


@dataclass
class PendingTable:
    """A read GeoPackage table or Shapefile on its way to the caller: attributes and WKB as Arrow, not yet pandas
    and shapely."""

    table: object  # pyarrow.Table, the geometry column among the attributes
    geometry_name: str | None
    crs: str | None
    fmt: str
    name: str
    notes: list = field(default_factory=list)

    def finish(self, decode: bool = True) -> RawTable:
        """The :class:`RawTable` ``read_dataframe`` would have given, with its checks (limits, garbled text);
        ``decode=False`` keeps the geometries as WKB bytes (the constraints import hands them on as such)."""
        import pyproj

        wkb = wkb_values(self.table, self.geometry_name)
        attrs = self.table.drop_columns([self.geometry_name]) if self.geometry_name else self.table
        frame = attrs.to_pandas()
        geoms = None
        if wkb is not None:
            geoms = np.asarray(shapely.from_wkb(wkb), dtype=object) if decode else wkb
        crs = pyproj.CRS.from_user_input(self.crs) if (self.crs and wkb is not None) else None
        return checked_table(frame, geoms, crs, self.fmt, self.name, self.notes)
