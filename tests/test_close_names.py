"""Close-name matching compares only the stored keys whose length can reach the cutoff
(:mod:`xxgeo.io.closenames`): the same best key and score as a plain ``process.cdist`` over every stored key, for
names of many lengths, the lengths at the bound (``200·min/(a+b)`` exactly 80) among them; and
:func:`xxgeo.io.attach._close` gives the same candidates in the same order as it did with the plain cdist."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from xxgeo.io import attach
from xxgeo.io.closenames import best_matches


def _plain(queries: list, keys: list, cutoff: float) -> tuple[list, list]:
    scores = process.cdist(queries, keys, scorer=fuzz.ratio, score_cutoff=cutoff, dtype=np.uint8)
    best = scores.argmax(axis=1)
    return best.tolist(), scores[np.arange(len(queries)), best].tolist()


def _names(rng: random.Random, n: int, alphabet: str, lengths=range(1, 31)) -> list:
    return ["".join(rng.choice(alphabet) for _ in range(rng.choice(lengths))) for _ in range(n)]


def test_pruned_equals_plain_cdist_over_varied_lengths() -> None:
    rng = random.Random(16)
    keys = _names(rng, 300, "甲乙丙丁戊ab") + ["", "甲"]
    base = [k for k in keys if k]
    queries = _names(rng, 700, "甲乙丙丁戊ab")
    queries += [k[: max(1, len(k) - rng.randint(0, 3))] + "乙" * rng.randint(0, 4) for k in base[:200]]
    best, score = best_matches(queries, keys, attach.CLOSE)
    assert (best, score) == _plain(queries, keys, attach.CLOSE)
    assert sum(s >= attach.CLOSE for s in score) > 100  # many close pairs: the comparison means something


def test_lengths_at_the_bound_are_compared() -> None:
    # 2 vs 3, 4 vs 6, 10 vs 15 characters (either way round): the best ratio possible is exactly 80, and reached
    for short, long in (("ab", "abc"), ("abcd", "abcdef"), ("abcdefghij", "abcdefghijklmno")):
        for q, k in ((short, long), (long, short)):
            keys = ["zz", k]
            assert best_matches([q], keys, attach.CLOSE) == _plain([q], keys, attach.CLOSE) == ([1], [80])
    # 10 vs 16: below 80 whatever the characters, so never compared, and the answer is still the plain one's
    keys = ["abcdefghijklmnop"]
    assert fuzz.ratio("abcdefghij", keys[0]) < attach.CLOSE
    assert best_matches(["abcdefghij"], keys, attach.CLOSE) == _plain(["abcdefghij"], keys, attach.CLOSE) == ([0], [0])


def test_first_of_equal_scores_wins() -> None:
    keys = ["甲乙丙丁戊己", "甲乙丙丁戊庚", "甲乙丙丁戊己"]
    best, score = best_matches(["甲乙丙丁戊"], keys, attach.CLOSE)
    assert (best, score) == _plain(["甲乙丙丁戊"], keys, attach.CLOSE) == ([0], [91])  # 90.9, rounded as cdist rounds


def _close_with_plain_cdist(open_rows, ids, names, inc) -> list:
    """attach._close as it was: one cdist of every distinct query key against every stored key."""
    stored = [n.strip() if isinstance(n, str) else "" for n in names]
    qkeys = attach._keys([nm for _, nm in open_rows])
    keys = list(dict.fromkeys(qkeys))
    scores = process.cdist(keys, attach._keys(stored), scorer=fuzz.ratio, score_cutoff=attach.CLOSE,
                           dtype=np.uint8)
    where = {k: r for r, k in enumerate(keys)}
    labels = inc["_row"].tolist()
    best = scores.argmax(axis=1)
    out = []
    for (i, nm), k in zip(open_rows, qkeys):
        r = where[k]
        j, row = int(best[r]), scores[r]
        if row[j] >= attach.CLOSE and stored[j] != nm:
            out.append(attach.Candidate(i, str(labels[i]), nm, ids[j], stored[j], float(row[j])))
    return out


def test_close_candidates_as_with_a_plain_cdist() -> None:
    rng = random.Random(3)
    names = _names(rng, 120, "水头镇工业园区建设项目一二三", range(2, 25)) + [None, "（项目）"]
    ids = [f"XM{i:04d}" for i in range(len(names))]
    rows = [n[: len(n) - rng.randint(0, 2)] + rng.choice(["", "二期", "（项目）", "扩建"]) for n in names[:120]]
    rows += _names(rng, 300, "水头镇工业园区建设项目一二三", range(1, 30)) + rows[:20]  # repeated names too
    inc = pd.DataFrame({"name": rows, "_row": [f"第{i + 1}行" for i in range(len(rows))]})
    open_rows = list(enumerate(rows))
    got = attach._close(open_rows, ids, names, inc)
    assert got == _close_with_plain_cdist(open_rows, ids, names, inc)
    assert len(got) > 50


def test_keys_drop_what_the_python_pattern_did() -> None:
    """``_keys`` (one Arrow RE2 call) gives what the Python regular expression it replaced gave, on names made of
    the word 项目, its two characters apart, every dropped mark and plain characters; its whitespace is exactly
    ``re``'s ``\\s`` over every codepoint."""
    import re
    import sys

    every = "".join(map(chr, range(sys.maxunicode + 1)))
    assert set(re.findall(r"\s", every)) == set(attach._WHITESPACE)
    pattern = re.compile(r"[\s（）()【】\[\]“”\"'‘’、，,。.·:：;；-]+|项目")
    rng = random.Random(3)
    alphabet = ["项目", "项", "目", "天", "a", *attach._PUNCTUATION, "\u3000", "\t", "\xa0"]
    names = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 9))) for _ in range(20000)]
    names += ["项（目", "项项目目", "（项目）", "项目", "  ", "天嘟生物（项目）"]
    names += ["\U0001F600项目", "a\u2028b", "\x85"]
    assert [pattern.sub("", n) or n for n in names] == attach._keys(names)
    assert attach._keys(["项（目", "天嘟生物（项目）", "（）"]) == ["项目", "天嘟生物", "（）"]
    odd = [n + "\udc80" for n in names[:2000]]  # a lone surrogate (not UTF-8): the same keys, by Python's re
    assert attach._keys(odd) == [pattern.sub("", n) or n for n in odd]
