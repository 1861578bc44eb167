"""The accuracy benchmark, small: the generator's truth holds, and lineage meets floors.

The corpus (20 families, seed 3, about 100 articles) is built from the Lee news corpus
shipped in the ``gensim`` wheel; the tests are skipped when gensim is not installed.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("gensim") is None,
    reason="the benchmark's news text ships in gensim (pip install gensim)",
)

FAMILIES, SEED = 20, 3


@pytest.fixture(scope="module")
def corpus():
    from corpus import load_roots, make_corpus

    return make_corpus(load_roots(), n_families=FAMILIES, seed=SEED)


@pytest.fixture(scope="module")
def result(corpus):
    import lineage

    return lineage.analyze(corpus[0])


@pytest.fixture(scope="module")
def metrics(corpus, result):
    from accuracy import evaluate

    documents, truth = corpus
    return evaluate(documents, truth, result)


def test_pair_directions_agree_with_the_tree(result):
    parent = dict(zip(result.tree["child"], result.tree["parent"], strict=True))

    def ancestors(doc):
        out = []
        while parent.get(doc, ""):
            doc = parent[doc]
            out.append(doc)
        return out

    reuse = result.pairs[result.pairs["likely_source"] != ""]
    checked = 0
    for a, b, source in zip(reuse["a"], reuse["b"], reuse["likely_source"], strict=True):
        if a in ancestors(b) or b in ancestors(a):
            assert source == (a if a in ancestors(b) else b)
            checked += 1
    assert checked >= 10


def test_corpus_is_deterministic(corpus):
    from corpus import load_roots, make_corpus

    documents, truth = make_corpus(load_roots(), n_families=FAMILIES, seed=SEED)
    pd.testing.assert_frame_equal(documents, corpus[0])
    pd.testing.assert_frame_equal(truth.pairs, corpus[1].pairs)
    pd.testing.assert_frame_equal(truth.spans, corpus[1].spans)


def test_spans_index_matching_text(corpus):
    documents, truth = corpus
    text = documents.set_index("id")["text"]
    assert len(truth.spans) > 0
    for row in truth.spans.itertuples():
        a = text[row.a][row.a_start:row.a_end]
        b = text[row.b][row.b_start:row.b_end]
        assert row.a < row.b and a.strip() == a and b.strip() == b and a and b
        if row.kind == "verbatim":
            assert a == b
        else:
            wa, wb = set(a.lower().split()), set(b.lower().split())
            assert a != b and len(wa & wb) / len(wa | wb) > 0.4


def test_pairs_and_parents_are_consistent(corpus):
    from corpus import HIDDEN_PREFIX

    documents, truth = corpus
    ids = set(documents["id"])
    pairs, parents = truth.pairs, truth.parents
    assert (pairs["a"] < pairs["b"]).all() and not pairs.duplicated(["a", "b"]).any()
    assert set(pairs["a"]) | set(pairs["b"]) <= ids
    assert set(parents["child"]) == ids
    real = parents["parent"][(parents["parent"] != "")
                             & ~parents["parent"].str.startswith(HIDDEN_PREFIX)]
    assert set(real) <= ids  # hidden roots are absent from the corpus
    hidden = parents["parent"][parents["parent"].str.startswith(HIDDEN_PREFIX)]
    assert hidden.value_counts().min() >= 2  # a hidden root leaves at least two siblings
    reuse = pairs[pairs["relation"] != "none"]
    with_spans = set(zip(truth.spans["a"], truth.spans["b"], strict=True))
    assert set(zip(reuse["a"], reuse["b"], strict=True)) <= with_spans
    assert set(reuse["source"]) - {""} <= ids
    assert (pairs.loc[pairs["kind"].isin(["boilerplate", "same-story"]), "relation"]
            == "none").all()
    # each outlet's footer is shared by its unrelated articles: the boilerplate trap
    assert (pairs["kind"] == "boilerplate").sum() > 0


# Floors measured on the current pipeline with FAMILIES=20, SEED=3 (93 articles, 85
# directed pairs found): reuse-vs-not F1 0.972, 3-way macro F1 0.962, passage F1 0.983,
# parent accuracy 0.699, edge recall 0.759, direction accuracy 0.882. Each floor sits a
# little below the measured value; raise them as the pipeline improves. (Until session 6
# the corpus had 10 families; the generator's rewrites then changed, and 32 directed
# pairs proved too few to set a floor on: 0.63 to 0.95 across seeds. In session 8 edge
# recall here fell from 0.810 to 0.759, 3 of 58 edges, when shingles reaching into a
# footer stopped counting: two trims that end at the same sentence had shared them
# through footers that begin alike. Over the 60-family benchmark's seeds 1-5 the same
# change raised it, 0.836 to 0.841.)
FLOORS = {
    ("relations", "reuse-vs-not", "f1"): 0.95,
    ("relations", "macro_f1_3way"): 0.9,
    ("passages", "all", "f1"): 0.95,
    ("tree", "parent_accuracy"): 0.68,
    ("tree", "edge_recall"): 0.74,
    ("direction", "accuracy_found"): 0.85,
}


@pytest.mark.parametrize("path", list(FLOORS), ids=lambda p: ".".join(p))
def test_metric_floor(metrics, path):
    value = metrics
    for key in path:
        value = value[key]
    assert value >= FLOORS[path]


def _tie_case(c_dated_before_d: bool):
    """Root p with copies d (a duplicate) and c, which d reproduces as faithfully as p."""
    from types import SimpleNamespace

    from corpus import Truth

    t = pd.Timestamp("2024-03-01", tz="UTC")
    documents = pd.DataFrame({
        "id": ["c", "d", "p"], "text": ["x", "x", "x"],
        "published": [t + pd.Timedelta(hours=1 if c_dated_before_d else 3),
                      t + pd.Timedelta(hours=2), t]})
    parents = pd.DataFrame({"child": ["c", "d", "p"], "parent": ["p", "p", ""],
                            "family": ["0", "0", "0"], "op": ["trim", "duplicate", "root"]})
    truth = Truth(pairs=pd.DataFrame(), spans=pd.DataFrame(), parents=parents)
    # fidelity of the second to the first = 0.8 containment_ba + 0.2 aligned_b
    pairs = pd.DataFrame({
        "a": ["c", "c", "d"], "b": ["d", "p", "p"],
        "containment_ab": [0.9, 0.9, 0.99], "containment_ba": [0.6, 0.6, 0.99],
        "aligned_a": [1.0, 1.0, 1.0], "aligned_b": [0.6, 0.6, 1.0]})
    tree = pd.DataFrame({"child": ["c", "d", "p"], "parent": ["d", "p", ""]})
    return documents, truth, SimpleNamespace(pairs=pairs, tree=tree)


def test_tie_metrics_count_a_copy_its_parents_duplicate_reproduces_as_well():
    from accuracy import _tie_metrics

    m = _tie_metrics(*_tie_case(c_dated_before_d=False))
    # c is tied (d as faithful as p); d is not (c is a worse source of d than p)
    assert m["tied_copies"] == 1 and m["copies_with_visible_parent"] == 2
    assert m["parent_accuracy_tied"] == 0.0 and m["parent_accuracy_untied"] == 1.0
    assert m["fair_coin_parent_accuracy"] == round((1 + 1 + 0.5) / 3, 4)
    assert m["fair_coin_edge_recall"] == 0.75  # edges c-p (a coin) and d-p


def test_tie_metrics_a_rival_dated_after_the_copy_is_no_rival():
    from accuracy import _tie_metrics

    m = _tie_metrics(*_tie_case(c_dated_before_d=True))
    assert m["tied_copies"] == 0 and m["parent_accuracy_untied"] == 0.5
    assert m["fair_coin_parent_accuracy"] == 1.0 and m["fair_coin_edge_recall"] == 1.0


def test_same_story_additions_keep_the_truth_consistent():
    from corpus import load_roots, make_corpus

    documents, truth = make_corpus(load_roots(), n_families=FAMILIES, seed=SEED,
                                   additions="same-story")
    text = documents.set_index("id")["text"]
    for row in truth.spans.itertuples():
        a, b = text[row.a][row.a_start:row.a_end], text[row.b][row.b_start:row.b_end]
        assert a and b and (row.kind != "verbatim" or a == b)
    again, _ = make_corpus(load_roots(), n_families=FAMILIES, seed=SEED, additions="same-story")
    pd.testing.assert_frame_equal(documents, again)
    with pytest.raises(ValueError, match="additions"):
        make_corpus(load_roots(), n_families=FAMILIES, seed=SEED, additions="nearby")


def test_same_story_pool_hands_out_the_nearest_articles_sentences_first():
    from corpus import _Pool, _story_rank

    roots = ["Bushfires burn near Sydney as crews fight the blaze in strong winds today.",
             "The cricket team won the test match in Adelaide after a long batting day.",
             "Firefighters say the bushfires near Sydney could burn for days in the heat. "
             "Crews in Sydney expect the winds to ease by the weekend, officials said.",
             "Cricket selectors named the squad for the Adelaide test on Monday afternoon. "
             "The captain said the batting order would stay the same for the match."]
    rank = _story_rank(roots, [0, 1], [2, 3], "en")
    assert rank[0].tolist() == [0, 1] and rank[1].tolist() == [1, 0]  # fire -> 2, cricket -> 3
    pool = _Pool([roots[2], roots[3]], "en", rank)
    cricket = pool.take(2, family=1)
    assert [uid for uid, _ in cricket] == ["local:1:0", "local:1:1"]
    assert all("Adelaide" in text or "captain" in text for _, text in cricket)
    fire = pool.take(2, family=0)
    assert [uid for uid, _ in fire] == ["local:0:0", "local:0:1"]
    assert all("Sydney" in text for _, text in fire)
    with pytest.raises(ValueError, match="not enough"):  # each sentence goes out once
        pool.take(1, family=0)
    # without a ranking, sentences come from the unused articles in turn
    plain = _Pool([roots[2], roots[3]], "en")
    assert [uid for uid, _ in plain.take(3)] == ["local:0", "local:1", "local:2"]


def test_expanded_copies_hold_all_their_parent_and_add_their_own():
    from corpus import load_roots, make_corpus

    _, truth = make_corpus(load_roots(), n_families=FAMILIES, seed=SEED, expand_share=0.5)
    parents = truth.parents
    expanded = parents[(parents["op"] == "expand") & ~parents["parent"].str.startswith("hidden:")
                       & (parents["parent"] != "")]
    assert len(expanded) > 0
    pairs = truth.pairs.set_index(["a", "b"])
    for child, parent in zip(expanded["child"], expanded["parent"], strict=True):
        row = pairs.loc[(min(child, parent), max(child, parent))]
        cov_parent = row["cov_a"] if parent < child else row["cov_b"]
        cov_child = row["cov_b"] if parent < child else row["cov_a"]
        assert row["source"] == parent
        assert cov_parent > 0.95 > cov_child  # all of the parent, and more of its own
    # without the option the corpus is the one it always was
    plain, _ = make_corpus(load_roots(), n_families=FAMILIES, seed=SEED)
    zero, zero_truth = make_corpus(load_roots(), n_families=FAMILIES, seed=SEED,
                                   expand_share=0.0)
    pd.testing.assert_frame_equal(plain, zero)
    assert "expand" not in set(zero_truth.parents["op"])


def test_direction_by_operation_reads_each_copy_against_its_own_parent():
    from accuracy import _direction_by_operation
    from corpus import Truth

    parents = pd.DataFrame({
        "child": ["r", "c1", "c2", "c3", "c4", "h1"],
        "parent": ["", "r", "r", "c1", "r", "hidden:2"],
        "family": [1, 1, 1, 1, 1, 2],
        "op": ["", "trim", "trim", "expand", "edit", "trim"]})
    # c1 right (r above), c2 wrong, c3 right (b = c3 is the copy), c4's pair not found
    pairs = pd.DataFrame({"a": ["c1", "c2", "c1"], "b": ["r", "r", "c3"],
                          "direction_p": [0.2, 0.7, 0.9]})
    truth = Truth(pairs=pd.DataFrame(), spans=pd.DataFrame(), parents=parents)
    assert _direction_by_operation(truth, pairs) == {
        "expand": {"accuracy": 1.0, "n": 1}, "trim": {"accuracy": 0.5, "n": 2}}


def test_independent_paraphrases_of_one_sentence_seldom_agree():
    """Two papers that each rewrite the wire should not end up sharing the rewrite:
    that would read as one copying the other. Every rewrite changes its sentence."""
    import numpy as np
    from corpus import _sentences, load_roots, paraphrase

    sentences = [s for text in load_roots()[:40] for s in _sentences(text, "en")]
    first, second = np.random.default_rng(1), np.random.default_rng(2)
    one = [paraphrase(s, first) for s in sentences]
    two = [paraphrase(s, second) for s in sentences]
    assert all(a != s and b != s for s, a, b in zip(sentences, one, two, strict=True))
    agree = np.mean([a == b for a, b in zip(one, two, strict=True)])
    assert len(sentences) > 300 and agree < 0.4


def test_tie_metrics_a_root_and_its_undated_duplicate_are_a_coin():
    from accuracy import _tie_metrics

    documents, truth, result = _tie_case(c_dated_before_d=True)
    m = _tie_metrics(documents, truth, result)
    assert m["tied_roots"] == 0 and m["fair_coin_parent_accuracy_all"] == 1.0
    documents.loc[documents["id"] == "p", "published"] = pd.NaT  # p, d no longer ordered
    m = _tie_metrics(documents, truth, result)
    # p right and d right with one chance in two (both wrong when d comes up root)
    assert m["tied_roots"] == 1
    assert m["fair_coin_parent_accuracy_all"] == round((1 + 0.5 + 0.5) / 3, 4)


def test_credited_wire_roots_open_with_the_agencys_dateline():
    from corpus import OUTLETS, load_roots, make_corpus

    from lineage.config import TreeConfig
    from lineage.direction import agency_credits, agency_name

    docs, truth = make_corpus(load_roots(), n_families=FAMILIES, seed=SEED, credit_share=1.0)
    wire = {name for name, is_wire in OUTLETS if is_wire}
    roots = truth.parents[truth.parents["parent"] == ""]["child"]
    text = docs.set_index("id").loc[roots]
    wire_roots = text[text["source"].isin(wire) & (truth.parents.set_index("child").loc[
        roots, "family"] != "").to_numpy()]
    assert len(wire_roots) > 0
    credited = agency_credits(wire_roots["text"].tolist(), TreeConfig())
    for source, body, found in zip(wire_roots["source"], wire_roots["text"], credited,
                                   strict=True):
        assert body.split(" — ", 1)[0].endswith(f"({source})")
        assert {agency_name(k) for k in found} == {source}  # lineage reads the dateline
    # without the option the corpus is the one it always was
    plain, _ = make_corpus(load_roots(), n_families=FAMILIES, seed=SEED)
    zero, _ = make_corpus(load_roots(), n_families=FAMILIES, seed=SEED, credit_share=0.0)
    pd.testing.assert_frame_equal(plain, zero)


def test_reliability_pools_edges_into_bins():
    from calibration import edges_right, reliability

    tree = pd.DataFrame({"child": ["a", "b", "c", "d", "e", "latent:1"],
                         "parent": ["", "a", "a", "b", "latent:1", ""],
                         "confidence": [1.0, 0.96, 0.98, 0.55, 0.9, 1.0], "evidence": ""})
    parents = pd.DataFrame({"child": ["a", "b", "c", "d", "e"],
                            "parent": ["", "a", "b", "b", ""]})
    edges = edges_right(tree, parents)  # roots and unseen sources are no edges
    assert edges["confidence"].tolist() == [0.96, 0.98, 0.55]
    assert edges["right"].tolist() == [True, False, True]
    table, ece, brier = reliability(edges)
    assert table["n"].to_dict() == {"0.50-0.60": 1, "0.95-1.00": 2}
    assert table.loc["0.95-1.00", "right"] == 0.5
    # (1 x |0.55 - 1| + 2 x |0.97 - 0.5|) / 3
    assert ece == pytest.approx((0.45 + 2 * 0.47) / 3)
    assert brier == pytest.approx((0.04 ** 2 + 0.98 ** 2 + 0.45 ** 2) / 3)
