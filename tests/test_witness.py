"""Tests for lineage.witness: which of a copy's shingles another copy and the top hold.

Exact counts on small shingle sets, and a property test against Python sets.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from lineage.witness import innovation_counts


def _sets(*values: list[int]) -> list[np.ndarray]:
    return [np.unique(np.array(v, dtype=np.uint32)) for v in values]


def test_inherited_and_rejected_wording_are_counted_per_row():
    # 0: the top; 1: a copy that changed 5 and 6 into 50 and 60; 2: a copy of 1 (keeps
    # 50, 60, adds 70); 3: a copy of the top that changed 2 into 20
    shingles = _sets([1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 50, 60], [1, 2, 3, 50, 60, 70],
                     [1, 20, 3, 4, 5, 6])
    inherited, rejected = innovation_counts(shingles, np.array([2, 3, 2]), np.array([1, 1, 3]),
                                            np.array([0, 0, 0]))
    # 2 shares 50 and 60 with 1, which the top lacks; nothing of the top that 1 lacks
    assert (inherited[0], rejected[0]) == (2, 0)
    # 3 reads 5 and 6 as the top does where 1 changed them; shares nothing new with 1
    assert (inherited[1], rejected[1]) == (0, 2)
    # against 3: 2 keeps the top's 2 where 3 changed it, and shares nothing new with 3
    assert (inherited[2], rejected[2]) == (0, 1)


def test_no_rows_and_empty_documents():
    inherited, rejected = innovation_counts(_sets([1, 2], []), np.array([], dtype=np.int64),
                                            np.array([], dtype=np.int64),
                                            np.array([], dtype=np.int64))
    assert len(inherited) == len(rejected) == 0
    # an empty copy shares nothing; against an empty copy, all the top's wording is
    # what that copy lacks
    inherited, rejected = innovation_counts(_sets([1, 2], []), np.array([1, 0]),
                                            np.array([0, 1]), np.array([0, 0]))
    assert inherited.tolist() == [0, 0] and rejected.tolist() == [0, 2]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 40), max_size=30), min_size=3, max_size=6),
       st.data())
def test_counts_equal_set_arithmetic(docs, data):
    shingles = _sets(*docs)
    n = len(shingles)
    triples = data.draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1),
                                           st.integers(0, n - 1)), max_size=12))
    x = np.array([t[0] for t in triples], dtype=np.int64)
    y = np.array([t[1] for t in triples], dtype=np.int64)
    t = np.array([t[2] for t in triples], dtype=np.int64)
    inherited, rejected = innovation_counts(shingles, x, y, t)
    sets = [set(s.tolist()) for s in shingles]
    for k, (a, b, c) in enumerate(triples):
        assert inherited[k] == len((sets[a] & sets[b]) - sets[c])
        assert rejected[k] == len((sets[a] & sets[c]) - sets[b])
