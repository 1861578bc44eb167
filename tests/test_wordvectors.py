"""Tests for lineage.wordvectors: scikit-learn's word TF-IDF, columns numbered by hash."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from fixtures.corpus import CORPUS, ORIGINAL, PARAPHRASE, TRIMMED, UNRELATED

from lineage.normalize import sentence_table, tokenize
from lineage.shingle import _hash_form, token_hashes
from lineage.vectorize import word_features, word_vectorizer
from lineage.wordvectors import (
    DocumentFrequencies,
    document_frequencies,
    feature_hash,
    pair_hashes,
    span_tokens,
    text_token_hashes,
    word_tfidf,
)

TEXTS = [row["text"] for row in CORPUS] + [
    "", "!!!", "a a a b a", "東京都の港で 스트라이크 Straße STRASSE", "x", UNRELATED]


def term_hash(term: str) -> int:
    words = term.split(" ")
    if len(words) == 1:
        return _hash_form(words[0])
    first, second = (np.array([_hash_form(w)], dtype=np.uint64) for w in words)
    return int(pair_hashes(first, second)[0])


def assert_same_up_to_columns(want, got, vocabulary: dict[str, int]) -> None:
    """Equal rows, values and in-row order; column j of ``want`` is its term's hash rank."""
    terms = sorted(vocabulary, key=vocabulary.get)
    hashes = np.array([term_hash(t) for t in terms], dtype=np.uint64)
    ranked = np.unique(hashes)
    assert len(ranked) == len(terms)  # no collision in this corpus
    column = np.searchsorted(ranked, hashes)
    assert got.shape == want.shape and got.dtype == want.dtype == np.float32
    assert np.array_equal(got.indptr, want.indptr)
    assert np.array_equal(got.data, want.data)  # bit for bit
    assert np.array_equal(got.indices, column[want.indices])


@pytest.mark.parametrize("chunk_tokens", [1 << 21, 50, 1])
def test_equals_scikit_learn_up_to_column_order(chunk_tokens):
    model = word_vectorizer()
    want = model.fit_transform(TEXTS).tocsr()
    got = word_tfidf(*text_token_hashes(TEXTS), chunk_tokens=chunk_tokens)
    assert_same_up_to_columns(want, got, model.vocabulary_)


def test_dot_products_bit_for_bit():
    want = word_vectorizer().fit_transform(TEXTS).tocsr()
    got = word_tfidf(*text_token_hashes(TEXTS))
    assert np.array_equal((want @ want.T).toarray(), (got @ got.T).toarray())


def test_token_hashes_are_tokenize_and_shingle_hashes():
    hashes, lengths = text_token_hashes([ORIGINAL, "", TRIMMED])
    expected = [token_hashes(tokenize(t).forms) for t in (ORIGINAL, "", TRIMMED)]
    assert lengths.tolist() == [len(e) for e in expected]
    assert np.array_equal(hashes, np.concatenate(expected))


def test_no_terms_gives_one_empty_column():
    x = word_tfidf(*text_token_hashes(["!!!", ""]))
    assert x.shape == (2, 1) and x.nnz == 0
    assert word_tfidf(np.empty(0, np.uint64), np.empty(0, np.int64)).shape == (0, 1)


def test_lengths_must_match():
    with pytest.raises(ValueError, match="lengths"):
        word_tfidf(np.zeros(3, np.uint64), np.array([1, 1]))


def test_span_tokens_are_the_sentences_own_tokens():
    texts = [ORIGINAL, "", PARAPHRASE, "One. Two three.\n\nFour"]
    sentences = sentence_table(texts)
    starts = [tokenize(t).starts for t in texts]
    index, lengths = span_tokens(starts, sentences["doc"].to_numpy(),
                                 sentences["start"].to_numpy(), sentences["end"].to_numpy())
    flat = np.concatenate([token_hashes(tokenize(t).forms) for t in texts])
    sent_texts = [texts[d][s:e] for d, s, e in sentences[["doc", "start", "end"]].to_numpy()]
    want, want_lengths = text_token_hashes(sent_texts)
    assert np.array_equal(lengths, want_lengths)
    assert np.array_equal(flat[index], want)
    model = word_vectorizer()
    assert_same_up_to_columns(model.fit_transform(sent_texts).tocsr(),
                              word_tfidf(flat[index], lengths), model.vocabulary_)


def test_feature_hash_is_the_column_key():
    for term in ("strike", "port workers", "東", "straße strasse"):
        assert feature_hash(term) == term_hash(term)


def test_document_frequencies_count_each_term_once_per_row():
    terms, df = document_frequencies(*text_token_hashes(TEXTS), chunk_tokens=40)
    want = Counter(h for text in TEXTS for h in {term_hash(f) for f in word_features(text)})
    assert dict(zip(terms.tolist(), df.tolist(), strict=True)) == want
    assert np.all(np.diff(terms) > 0)


def test_prior_document_frequencies_weigh_rows_as_in_the_whole_corpus():
    hashes, lengths = text_token_hashes(TEXTS)
    full, vocabulary = word_tfidf(hashes, lengths, with_terms=True)
    split = 4
    rest = DocumentFrequencies.from_arrays(*document_frequencies(
        *text_token_hashes(TEXTS[split:])), len(TEXTS) - split)
    part, columns = word_tfidf(*text_token_hashes(TEXTS[:split]), prior=rest, with_terms=True)
    for i in range(split):
        want = dict(zip(vocabulary[full[i].indices].tolist(), full[i].data.tolist(),
                        strict=True))
        got = dict(zip(columns[part[i].indices].tolist(), part[i].data.tolist(), strict=True))
        assert got.keys() == want.keys()
        assert np.allclose([got[t] for t in want], list(want.values()), rtol=1e-6, atol=0)
    # rows already in the counts (counted) are not counted twice
    everything = DocumentFrequencies.from_arrays(*document_frequencies(hashes, lengths),
                                                 len(TEXTS))
    again = word_tfidf(hashes, lengths, prior=everything, counted=np.ones(len(TEXTS), bool))
    assert np.array_equal(again.indices, full.indices)
    assert np.array_equal(again.data, full.data)
