"""Tests for lineage.verbatim: runs of shared shingles and the passages they widen to.

The passages of every pair are found together, as array code; ``reference_verbatim``
is the loop over pairs it replaced, and the property tests hold the two equal on
random corpora of copies with edits, repeated phrases, misread letters, changed case,
footers and texts in two scripts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import reference_verbatim
from hypothesis import given, settings
from hypothesis import strategies as st

from lineage import verbatim
from lineage.boilerplate import mask_tokens, shingle_skips
from lineage.config import ShingleConfig
from lineage.normalize import tokenize
from lineage.shingle import hashed_tokens, positional_hashes, positional_shingles

WORDS = ("the port strike closed harbour on monday officials said union talks wages "
         "straße STRASSE ministry workers ships cargo delayed night").split()
CJK = "港口工人罢工周一关闭官员表示工会谈判工资船只货物延误"


def _corpus(seed: int) -> list[str]:
    """A few source texts and copies of them: cut, words changed, inserted and
    deleted, a phrase repeated, letters misread, case changed, a footer added."""
    rng = np.random.default_rng(seed)
    texts = []
    for _ in range(3):
        words = list(rng.choice(WORDS, size=int(rng.integers(30, 120))))
        texts.append(" ".join(words) + ".")
        for _ in range(int(rng.integers(2, 5))):
            copy = list(words)
            for _ in range(int(rng.integers(0, 5))):
                at = int(rng.integers(len(copy)))
                edit = rng.integers(4)
                if edit == 0:
                    copy.insert(at, str(rng.choice(WORDS)))
                elif edit == 1 and len(copy) > 10:
                    del copy[at]
                elif edit == 2:
                    copy[at] = copy[at].upper()
                else:  # a phrase repeated further on
                    copy[at:at] = copy[max(0, at - 12):at]
            text = " ".join(copy[int(rng.integers(0, 5)):])
            if rng.random() < 0.4:  # letters misread, one in 70
                chars = list(text)
                for k in range(int(rng.integers(0, 70)), len(chars), 70):
                    chars[k] = "1" if chars[k] != "1" else "l"
                text = "".join(chars)
            if rng.random() < 0.5:
                text += "\n\nCopyright the Daily Post, all rights reserved."
            texts.append(text)
    source = "".join(rng.choice(list(CJK), size=60))
    texts += [source, source[5:] + "。另有报道。"]
    return texts


def _inputs(texts: list[str], seed: int):
    """What the pipeline hands :func:`lineage.verbatim.verbatim_passages`, with
    boilerplate spans from the footers and some spans at random."""
    rng = np.random.default_rng(seed)
    starts, ends, positional, skips, spans, sizes = [], [], [], [], [], []
    for text in texts:
        st_, en, h, unspaced = hashed_tokens(text)
        size = 2 if unspaced else 5
        at = text.find("\n\nCopyright")
        sp = [[at + 2, len(text)]] if at >= 0 else []
        if rng.random() < 0.3 and len(text) > 40:
            s0 = int(rng.integers(0, len(text) - 20))
            sp.append([s0, s0 + int(rng.integers(5, 20))])
        sp = np.array(sorted(sp), dtype=np.int64).reshape(-1, 2)
        pos = positional_hashes(h, size)
        starts.append(st_)
        ends.append(en)
        positional.append(pos)
        skips.append(shingle_skips(mask_tokens(st_, sp), len(pos)))
        spans.append(sp)
        sizes.append(size)
    n = len(texts)
    pairs = np.array([(i, j) for i in range(n) for j in range(i + 1, n)], dtype=np.int64)
    return (texts, pairs, np.arange(len(pairs)), positional, skips, starts, ends,
            np.array(sizes, dtype=np.int64)), {"boilerplate": spans}


def _equal_to_reference(args, kwargs):
    got = verbatim.verbatim_passages(*args, **kwargs)
    want = reference_verbatim.verbatim_passages(*args, **kwargs)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True))
    return got


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000))
def test_passages_of_all_pairs_at_once_equal_the_loop_over_pairs(seed):
    args, kwargs = _inputs(_corpus(seed), seed)
    got = _equal_to_reference(args, kwargs)
    _equal_to_reference(args, {"boilerplate": None, "min_tokens": 6, "gap": 2})
    # passages index the texts, and a pair of two scripts has none
    texts, pairs = args[0], args[1]
    for row in got.itertuples():
        assert 0 <= row.a_start < row.a_end <= len(texts[row.ai])
        assert 0 <= row.b_start < row.b_end <= len(texts[row.bi])
    assert not (got["ai"].map(args[7].__getitem__) != got["bi"].map(args[7].__getitem__)).any()
    assert set(got["pair"]) <= set(range(len(pairs)))


def test_passages_found_in_small_batches_equal_one_batch(monkeypatch):
    args, kwargs = _inputs(_corpus(7), 7)
    whole = verbatim.verbatim_passages(*args, **kwargs)
    assert len(whole) > 10
    monkeypatch.setattr(verbatim, "_BATCH_TOKENS", 150)
    pd.testing.assert_frame_equal(verbatim.verbatim_passages(*args, **kwargs), whole)


def test_no_pairs_no_passages():
    args, kwargs = _inputs(["one text only, with words enough to shingle it well"], 0)
    got = verbatim.verbatim_passages(*args, **kwargs)
    assert got.empty and list(got.columns) == list(reference_verbatim.verbatim_passages(
        *args, **kwargs).columns)


def test_a_copy_with_one_changed_word_is_one_run():
    a = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron"
    b = a.replace("theta", "changed")
    ha, hb = (positional_shingles(tokenize(t), ShingleConfig()) for t in (a, b))
    assert verbatim.verbatim_runs(ha, hb, 5, min_tokens=8, gap=3).tolist() == [[0, 15, 0, 15]]


def test_verbatim_runs_do_not_bridge_more_than_gap_tokens():
    a = "alpha beta gamma delta epsilon zeta p1 p2 p3 p4 p5 eta theta iota kappa lambda"
    b = "alpha beta gamma delta epsilon zeta q1 q2 eta theta iota kappa lambda"
    ha, hb = (positional_shingles(tokenize(t), ShingleConfig()) for t in (a, b))
    assert verbatim.verbatim_runs(ha, hb, 5, min_tokens=8, gap=3).shape == (0, 4)


def _resolve(runs, min_tokens=8):
    """:func:`lineage.verbatim._resolve_overlaps` of one pair's runs."""
    runs = np.asarray(runs, dtype=np.int64)
    return verbatim._resolve_overlaps(np.c_[np.zeros(len(runs), np.int64), runs],
                                      min_tokens)[:, 1:].tolist()


def test_runs_touching_at_an_insertion_keep_both_passages():
    """Two runs on either side of an insertion that share one token of ``b`` (the
    shingles around the edit happened to match): the shorter loses that token, not
    its whole passage (it used to be dropped, losing a whole paragraph of evidence)."""
    # (token spans of a real pair: a paragraph inserted in a after token 80)
    runs = [[0, 80, 0, 80], [96, 180, 79, 163], [180, 267, 173, 260]]
    # the longer runs are kept whole; the first loses its last token in b (and in a)
    assert _resolve(runs) == [[0, 79, 0, 79], [96, 180, 79, 163], [180, 267, 173, 260]]
    # a run overlapping a longer one in its middle is still dropped
    assert _resolve([[0, 100, 0, 100], [10, 30, 200, 220]]) == [[0, 100, 0, 100]]
    # what is left after trimming must still be min_tokens long
    assert _resolve([[0, 100, 0, 100], [95, 104, 300, 309]]) == [[0, 100, 0, 100]]
    # runs apart in both texts are kept, those shorter than min_tokens in b dropped;
    # a lone run is kept as it is
    assert _resolve([[0, 20, 50, 70], [30, 60, 0, 5]]) == [[0, 20, 50, 70]]
    assert _resolve([[30, 60, 0, 5]]) == [[30, 60, 0, 5]]


def test_pairs_resolve_apart():
    runs = np.array([[0, 0, 80, 0, 80], [0, 96, 180, 79, 163],  # pair 0: tangled
                     [3, 0, 20, 50, 70], [3, 30, 60, 0, 5],  # pair 3: one too short in b
                     [4, 5, 50, 5, 50]])
    assert verbatim._resolve_overlaps(runs, 8).tolist() == [
        [0, 0, 79, 0, 79], [0, 96, 180, 79, 163], [3, 0, 20, 50, 70], [4, 5, 50, 5, 50]]


def _chained_spans(rows, *, by_start: bool = False) -> np.ndarray:
    """Rows ``pair, a0, a1, b0, b1`` in order, each starting near where the one
    before in its pair started, on an alignment that drifts by a token or two: runs
    that touch, overlap, hold one another or end before the one before them."""
    out, at = [], {}
    for k, step, la, drift, lb in rows:
        a0, off = at.get(k, (0, 0))
        a0, off = a0 + step, off + drift
        at[k] = (a0, off)
        out.append((k, a0, a0 + la, max(a0 + off, 0), max(a0 + off, 0) + lb))
    spans = np.array(out, dtype=np.int64).reshape(-1, 5)
    if by_start:  # as runs come: by pair, then start in a, then start in b
        return spans[np.lexsort((spans[:, 3], spans[:, 1], spans[:, 0]))]
    return spans[np.lexsort((spans[:, 4], spans[:, 3], spans[:, 2], spans[:, 1], spans[:, 0]))]


_CHAINS = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 8), st.integers(1, 14),
                             st.integers(-2, 2), st.integers(1, 14)), max_size=40)


def _per_pair(spans: np.ndarray, merge) -> list[list[int]]:
    out = []
    for k in np.unique(spans[:, 0]).tolist():
        merged = np.asarray(merge(spans[spans[:, 0] == k, 1:]), dtype=np.int64).reshape(-1, 4)
        out += [[k, *m] for m in merged.tolist()]
    return out


#: The three order-dependent steps, each with its pair-at-a-time loop: (name, runs
#: ordered by start, array code over all pairs, the loop over one pair's runs).
_STEPS = {
    "neighbour merge": (True, lambda r: verbatim._merge_neighbours(r, 3),
                        lambda r: reference_verbatim._merge_neighbours(r, 3)),
    "aligned merge": (False, verbatim._merge_aligned,
                      lambda r: reference_verbatim._merge_aligned([tuple(x) for x in r.tolist()])),
    "overlap resolution": (True, lambda r: verbatim._resolve_overlaps(r, 8),
                           lambda r: reference_verbatim._resolve_overlaps(r, 8)),
}


@pytest.mark.parametrize("step", list(_STEPS))
@settings(max_examples=200, deadline=None)
@given(rows=_CHAINS)
def test_array_steps_equal_the_loop(step, rows):
    by_start, array_step, loop = _STEPS[step]
    runs = _chained_spans(rows, by_start=by_start)
    assert array_step(runs).tolist() == _per_pair(runs, loop)


def test_a_run_joins_the_merged_run_before_it_not_only_its_last_part():
    # the second run joins the first (two tokens back in both texts) but ends before
    # it in a; the third starts three tokens after the first's end: it joins too
    runs = np.array([[0, 0, 20, 0, 20], [0, 18, 19, 18, 24], [0, 23, 40, 27, 44]])
    assert reference_verbatim._merge_neighbours(runs[:, 1:], 3).tolist() == [[0, 40, 0, 44]]
    assert verbatim._merge_neighbours(runs, 3).tolist() == [[0, 0, 40, 0, 44]]




def test_sort3_packs_or_falls_back_to_lexsort():
    rng = np.random.default_rng(0)
    x, y, z = rng.integers(0, 5, 200), rng.integers(-50, 50, 200), rng.integers(0, 1000, 200)
    order = np.lexsort((z, y, x))
    for big in (0, 1 << 40):  # packed, then too wide to pack
        got = verbatim._sort3(x + big, y, z + big)
        assert [g.tolist() for g in got] == [(x + big)[order].tolist(), y[order].tolist(),
                                             (z + big)[order].tolist()]


def _widen(ta: str, tb: str, a0: int, a1: int, b0: int, b1: int):
    """:func:`lineage.verbatim._widen` of one passage in two whole texts."""
    chars = verbatim._Chars([ta, tb], np.array([0, 1]))
    one = [np.array([v]) for v in (a0, a1, b0 + len(ta), b1 + len(ta), 0, len(ta),
                                   len(ta), len(ta) + len(tb))]
    wa0, wa1, wb0, wb1 = (int(v[0]) for v in verbatim._widen(chars, *one))
    return wa0, wa1, wb0 - len(ta), wb1 - len(ta)


def test_a_passage_widens_past_a_misread_letter_not_past_a_changed_word():
    src = "The strike closed the port on Monday, officials said late on Tuesday night."
    # OCR read "l" as "1" in "late": the shared text goes on four letters later
    ocr = src.replace("late", "1ate")
    start = src.index("officials")
    assert _widen(src, ocr, 0, start, 0, start) == (0, len(src), 0, len(src))
    # ... and backwards, from a run that starts after the misread
    ocr = src.replace("closed", "c1osed")
    assert _widen(src, ocr, 30, len(src), 30, len(src)) == (0, len(src), 0, len(src))
    # a different word is an edit, not a misread: the passage stops before it
    edited = src.replace("late on", "early on")
    assert _widen(src, edited, 0, start, 0, start)[1] == src.index(" late")
    # a misread within four letters of the end stops the passage there
    tail = src.replace("night.", "nigh1.")
    assert _widen(src, tail, 0, start, 0, start)[1] == src.index("nigh") + 4


def test_a_passage_widens_over_case_not_over_a_letter_folded_to_two():
    src = "  Die Straße war am Montag gesperrt, sagte die Polizei.  "
    copy = "  DIE STRASSE war am Montag gesperrt, sagte die Polizei.  "
    # "ß" folds to "ss", one character to two: it differs from "S", and the "ass"
    # before it is not "STR", so the passage grows back over " war" to the "e" and no
    # further; forward it takes the full stop and leaves the spaces out
    start = src.index("am")
    got = _widen(src, copy, start, start + 5, copy.index("am"), copy.index("am") + 5)
    assert got == (src.index("ße") + 1, len(src) - 2, copy.index("SE") + 1, len(copy) - 2)
    assert got == reference_verbatim._widen(src, copy, start, start + 5, copy.index("am"),
                                            copy.index("am") + 5)
    # the capital "ẞ" folds to "ss" as "ß" does: the two are the same letter
    assert _widen("x ẞ y", "x ß y", 4, 5, 4, 5) == (0, 5, 0, 5)


def test_a_passage_widens_over_more_than_one_window():
    text = "word " * 40 + "end"
    n = len(text)
    assert _widen(text, text, n - 3, n, n - 3, n) == (0, n, 0, n)
    assert _widen(text, text, 0, 4, 0, 4) == (0, n, 0, n)


def _merge(spans):
    return verbatim._merge_aligned(
        np.array([(0, *s) for s in spans], dtype=np.int64).reshape(-1, 5))[:, 1:].tolist()


def test_passages_join_where_one_runs_into_the_next_on_its_alignment():
    # widened past misreads, the first run reached into the second (same alignment)
    assert _merge([(0, 500, 10, 510), (300, 800, 310, 810)]) == [[0, 800, 10, 810]]
    # a run held whole by another is one passage
    assert _merge([(0, 800, 0, 800), (300, 500, 300, 500)]) == [[0, 800, 0, 800]]
    # runs either side of an insertion that share a character stay apart
    assert _merge([(0, 101, 0, 101), (100, 200, 140, 240)]) == [
        [0, 101, 0, 101], [100, 200, 140, 240]]
    assert _merge([]) == []


def test_a_run_held_by_a_passage_widened_before_it_is_not_a_passage():
    k = np.array([0, 0, 0, 1])
    runs = np.array([[0, 10, 0, 10], [20, 30, 20, 30], [40, 50, 40, 50], [20, 30, 20, 30]])
    wide = np.array([[0, 35, 0, 35], [15, 55, 15, 55], [40, 50, 40, 50], [20, 30, 20, 30]])
    # the second is inside the first's widening; the third is inside the second's,
    # which is not kept, so the third is
    assert verbatim._not_held(k, runs, wide).tolist() == [True, False, True, True]


@pytest.mark.parametrize("text", ["", "short"])
def test_texts_too_short_to_shingle_have_no_passages(text):
    args, kwargs = _inputs([text, text, "a b c d e f g h i j k"], 0)
    assert verbatim.verbatim_passages(*args, **kwargs).empty
