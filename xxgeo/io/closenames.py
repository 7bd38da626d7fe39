"""The best close stored name of each query name (:func:`xxgeo.io.attach._close`), comparing only lengths that can.

rapidfuzz's ``fuzz.ratio`` of two strings of lengths ``a`` and ``b`` is at most ``200·min(a, b) / (a + b)`` (their
Indel distance is at least ``|a − b|``), so a query can only reach the cutoff against stored keys of a compatible
length. :func:`best_matches` groups the queries by length and compares each group with those stored keys only,
giving what the argmax of a full ``process.cdist`` row would: the first stored key with the highest score, or a
score of 0 when none reaches the cutoff.
"""

from __future__ import annotations

import numpy as np

#: pairs whose length bound is this far below the cutoff are compared anyway (rounding; costs only time)
MARGIN = 1.0


def best_matches(queries: list[str], keys: list[str], cutoff: float) -> tuple[list[int], list[int]]:
    """For each query, the index of its best key (``fuzz.ratio`` ≥ ``cutoff``; the first of equals) and that
    score as a ``uint8`` (as ``cdist(..., dtype=np.uint8)`` gives it); index 0 and score 0 when none reaches it."""
    from rapidfuzz import fuzz, process

    best = np.zeros(len(queries), dtype=np.int64)
    score = np.zeros(len(queries), dtype=np.uint8)
    if not queries or not keys:
        return best.tolist(), score.tolist()
    qlen = np.fromiter(map(len, queries), dtype=np.int64, count=len(queries))
    klen = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))
    order = np.argsort(qlen, kind="stable")
    starts = np.flatnonzero(np.r_[True, qlen[order][1:] != qlen[order][:-1]])
    for lo, hi in zip(starts, [*starts[1:], len(order)]):
        rows = order[lo:hi]
        n = int(qlen[rows[0]])
        bound = 200.0 * np.minimum(n, klen) / np.maximum(n + klen, 1)
        cols = np.flatnonzero(bound >= cutoff - MARGIN)
        if not len(cols):
            continue
        sub = process.cdist([queries[r] for r in rows], [keys[c] for c in cols], scorer=fuzz.ratio,
                            score_cutoff=cutoff, dtype=np.uint8, workers=-1)
        at = sub.argmax(axis=1)
        top = sub[np.arange(len(rows)), at]
        hit = top > 0
        best[rows[hit]] = cols[at[hit]]
        score[rows[hit]] = top[hit]
    return best.tolist(), score.tolist()
