"""Many audit rows held as columns: an import's 10^5 ``import-insert`` rows (issue 16 item 3).

Made a dict per row, the rows of a big import cost a dict each to build, another to stamp with the time and a pass
to turn back into columns for the bulk insert. An :class:`AuditBatch` keeps them as the columns they are made from
— a list of one value per row, or one value shared by every row (the user, the layer, the action, the time) — and
is still a sequence of row dicts to anything that reads it row by row. A list of audit rows may hold batches among
its dicts: :func:`rows_of` gives the dicts, :func:`stamped` the time, :func:`columns_of` the columns (the bulk
insert finds the columns of one value itself: :func:`xxgeo.store.gpkgsql._insert_many`). A column may be
:class:`Later`: made when first read, so a store can have it made while GDAL writes the layer (:func:`force`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Same:
    """A column holding one value in every row."""

    value: object


class Later:
    """A column made when first read (:meth:`values`): ``make()`` gives its list of values, once."""

    def __init__(self, make) -> None:
        self._make, self._values = make, None

    def values(self) -> list:
        if self._values is None:
            self._values, self._make = self._make(), None
        return self._values


class AuditBatch(Sequence):
    """``n`` audit rows as columns: each a list of ``n`` values, a :class:`Same` value or a :class:`Later` list;
    a row is a dict of every column (in the columns' order) when asked for."""

    def __init__(self, n: int, columns: dict) -> None:
        bad = [k for k, v in columns.items() if not isinstance(v, (Same, Later)) and len(v) != n]
        if bad:
            raise ValueError(f"audit columns {bad} do not have {n} values")
        self.n, self.columns = n, dict(columns)

    def _made(self, name: str):
        col = self.columns[name]
        if isinstance(col, Later):
            col = self.columns[name] = col.values()
            if len(col) != self.n:
                raise ValueError(f"audit column {name!r} does not have {self.n} values")
        return col

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self.n))]
        if i < 0:
            i += self.n
        if not 0 <= i < self.n:
            raise IndexError(i)
        return {k: v.value if isinstance(v, Same) else self._made(k)[i] for k, v in self.columns.items()}

    def column(self, name: str):
        """The column ``name``: a list, or a :class:`Same` (``Same(None)`` for a column the rows lack)."""
        return self._made(name) if name in self.columns else Same(None)


def force(rows) -> None:
    """Make every :class:`Later` column of the batches among ``rows`` now."""
    for r in rows:
        if isinstance(r, AuditBatch):
            for name in list(r.columns):
                r.column(name)


def rows_of(rows) -> list[dict]:
    """Every row of ``rows`` (dicts and batches) as a dict, in order."""
    out: list[dict] = []
    for r in rows:
        if isinstance(r, AuditBatch):
            out.extend(r)
        else:
            out.append(r)
    return out


def count(rows) -> int:
    """How many rows ``rows`` holds (a batch counts its rows)."""
    return sum(len(r) if isinstance(r, AuditBatch) else 1 for r in rows)


def stamped(rows, at: str) -> list:
    """``rows`` with the time ``at`` on every row that has none (a row's own time is kept)."""
    out: list = []
    for r in rows:
        if isinstance(r, AuditBatch):
            out.append(r if "at" in r.columns else AuditBatch(r.n, {"at": Same(at), **r.columns}))
        else:
            out.append(r if "at" in r else {"at": at, **r})
    return out


def columns_of(rows, names: tuple) -> list:
    """The columns ``names`` of ``rows`` (dicts and batches) end to end, each a list of one value per row (a
    :class:`Same` repeated, a dict row's missing key None)."""
    out = []
    for name in names:
        col: list = []
        for p in rows:
            if isinstance(p, AuditBatch):
                c = p.column(name)
                col.extend([c.value] * p.n if isinstance(c, Same) else c)
            else:
                col.append(p.get(name))
        out.append(col)
    return out
