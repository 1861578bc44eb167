"""Tests for lineage.shingle: stable, normalisation-insensitive word n-gram hashes."""

from __future__ import annotations

import numpy as np
from fixtures.corpus import ORIGINAL, PARAPHRASE

from lineage.config import ShingleConfig
from lineage.normalize import tokenize
from lineage.shingle import shingle_hashes, shingle_size, token_hashes

DEFAULT = ShingleConfig()
WORDS = "dockworkers at the port of calveston walked off the job on tuesday"  # 12 distinct
HAN = "码头工人周二罢工港口停止运作谈判何时恢复"  # 20 distinct characters


def shingles(text: str, config: ShingleConfig = DEFAULT) -> np.ndarray:
    return shingle_hashes(tokenize(text), config)


def test_identical_texts_give_identical_sets_and_different_texts_differ():
    first, second = shingles(ORIGINAL), shingles("".join(list(ORIGINAL)))
    assert first.dtype == np.uint32
    np.testing.assert_array_equal(first, second)
    assert len(np.intersect1d(first, shingles(PARAPHRASE))) < 10
    assert not np.array_equal(first, shingles(PARAPHRASE))


def test_output_is_sorted_and_distinct():
    out = shingles(ORIGINAL)
    np.testing.assert_array_equal(out, np.unique(out))


def test_count_is_tokens_minus_size_plus_one():
    assert len(shingles(WORDS)) == 12 - 5 + 1
    assert len(shingles(WORDS, ShingleConfig(size=3))) == 12 - 3 + 1


def test_case_nfkc_and_punctuation_insensitive():
    plain = shingles(WORDS)
    np.testing.assert_array_equal(plain, shingles(WORDS.upper()))
    fullwidth = "".join(chr(ord(c) + 0xFEE0) if "a" <= c <= "z" else c for c in WORDS)
    np.testing.assert_array_equal(plain, shingles(fullwidth))
    np.testing.assert_array_equal(plain, shingles("Dockworkers, at the Port of — CALVESTON: "
                                                  "walked off\nthe job on Tuesday!"))
    assert np.array_equal(shingles("STRASSE strasse straße"), shingles("straße STRASSE strasse"))


def test_order_matters():
    swapped = "at dockworkers the port of calveston walked off the job on tuesday"
    assert len(np.intersect1d(shingles(WORDS), shingles(swapped))) == len(shingles(WORDS)) - 2


def test_hash_depends_only_on_the_shingle_not_the_text():
    words = WORDS.split()
    inner = shingles(" ".join(words[2:9]))  # 7 tokens -> 3 shingles
    assert len(inner) == 3
    assert set(inner.tolist()) <= set(shingles(WORDS).tolist())


def test_short_text_gives_one_shingle():
    out = shingles("port strike")
    assert out.shape == (1,)
    assert len(shingles("port")) == 1
    # the short shingle is not the same as any shingle of a longer text
    assert not set(out.tolist()) & set(shingles(WORDS).tolist())


def test_empty_text_gives_empty_set():
    for text in ("", "  \n", "?!"):
        out = shingles(text)
        assert out.shape == (0,) and out.dtype == np.uint32


def test_cjk_text_uses_cjk_size():
    toks = tokenize(HAN)
    assert shingle_size(toks, DEFAULT) == DEFAULT.cjk_size == 8
    assert shingle_size(tokenize(WORDS), DEFAULT) == DEFAULT.size == 5
    assert len(shingles(HAN)) == 20 - 8 + 1
    assert len(shingles(HAN, ShingleConfig(size=5, cjk_size=3))) == 20 - 3 + 1
    # changing the word size leaves CJK shingles alone
    np.testing.assert_array_equal(shingles(HAN), shingles(HAN, ShingleConfig(size=2)))


def test_mostly_latin_text_with_some_han_uses_word_size():
    text = WORDS + " 导弹"  # 14 tokens, 2 unspaced
    assert shingle_size(tokenize(text), DEFAULT) == 5
    assert len(shingles(text)) == 14 - 5 + 1


def test_token_hashes_are_stable_per_form():
    th = token_hashes(["port", "strike", "port"])
    assert th.dtype == np.uint64
    assert th[0] == th[2] != th[1]
    assert token_hashes([]).shape == (0,)


def test_hashed_tokens_equal_tokenize_and_token_hashes():
    from lineage.normalize import is_unspaced
    from lineage.shingle import hashed_tokens, positional_hashes, positional_shingles

    for text in (ORIGINAL, PARAPHRASE, HAN, "", "!!", "Biden’s U.S. missiles 导弹 ＡＢＣ"):
        tokens = tokenize(text)
        starts, ends, hashes, unspaced = hashed_tokens(text)
        np.testing.assert_array_equal(starts, tokens.starts)
        np.testing.assert_array_equal(ends, tokens.ends)
        np.testing.assert_array_equal(hashes, token_hashes(tokens.forms))
        assert unspaced == is_unspaced(tokens)
        np.testing.assert_array_equal(
            positional_hashes(hashes, shingle_size(tokens, DEFAULT)),
            positional_shingles(tokens, DEFAULT))
