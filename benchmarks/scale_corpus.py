"""A generated news corpus of any size for the scale benchmarks (not a test fixture).

Real sentences from ``examples/seeds`` are recombined into articles of about 450
words. So that unrelated articles do not share copy by accident, every article
rewrites its sentences: each plain word is swapped, with probability ``swap``, for a
word drawn from a Zipf-distributed vocabulary of real seed words and made-up ones,
capitalised names become the article's own randomised people and places, and
numbers are redrawn. A share ``copies`` of the articles are near-copies of an
earlier one, published 1-72 hours after it: half trimmed to a partial copy, a
quarter reworded heavily (paraphrase), the rest lightly edited; each gets one to
three local sentences.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["generate_corpus"]

_SEEDS = Path(__file__).resolve().parent.parent / "examples" / "seeds"
_SYLLABLES = ("ka ri to na me lo su vi de ran mor tel pas gan bri stu fen dol ca ver "
              "lin gro hal ben set mar cu po ze").split()
_OUTLETS = [f"Outlet {i}" for i in range(60)] + ["Reuters", "Associated Press", "AFP"]


def _seed_sentences() -> list[list[str]]:
    from lineage.normalize import split_sentences

    out = []
    for path in sorted(_SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        out += [text[s:e].split() for s, e in split_sentences(text)]
    return [s for s in out if len(s) >= 6]


def _vocabulary(rng: np.random.Generator, sentences: list[list[str]], size: int) -> np.ndarray:
    real = sorted({w.lower() for s in sentences for w in s if w.isalpha()})
    syl = np.array(_SYLLABLES, dtype=object)
    made = {"".join(syl[rng.integers(0, len(syl), size=k)])
            for k in rng.integers(2, 5, size=size)}
    return np.array(real + sorted(made - set(real)), dtype=object)


def generate_corpus(n: int, *, seed: int = 0, words: int = 450, copies: float = 0.10,
                    swap: float = 0.5) -> pd.DataFrame:
    """``n`` articles with columns ``id, text, source, published, copy_of``.

    Parameters
    ----------
    n : int
        Number of articles.
    seed : int, default 0
    words : int, default 450
        Approximate words per article.
    copies : float, default 0.10
        Share of articles that are near-copies of another.
    swap : float, default 0.5
        Probability that a plain word of a recombined sentence is replaced.

    Returns
    -------
    DataFrame
        ``copy_of`` is the source's id, or empty.
    """
    rng = np.random.default_rng(seed)
    sentences = _seed_sentences()
    kinds = [np.array([_kind(t) for t in s], dtype=np.int8) for s in sentences]
    vocab = _vocabulary(rng, sentences, 60_000)
    cdf = np.cumsum(1.0 / np.arange(1, len(vocab) + 1) ** 1.05)
    cdf /= cdf[-1]
    syl = np.array(_SYLLABLES, dtype=object)
    names = np.array(["".join(syl[rng.integers(0, len(syl), size=k)]).title()
                      for k in rng.integers(2, 4, size=200_000)], dtype=object)
    ctx = (rng, sentences, kinds, vocab, cdf, names)
    per_doc = max(1, round(words / np.mean([len(s) for s in sentences])))
    n_copies = int(n * copies)
    originals = n - n_copies
    texts = [_article(ctx, per_doc, swap) for _ in range(originals)]
    copy_of = np.full(n, -1, dtype=np.int64)
    copy_of[originals:] = rng.integers(0, max(originals, 1), size=n_copies)
    texts += [_near_copy(ctx, texts[src]) for src in copy_of[originals:]]
    order = rng.permutation(n)
    ids = np.array([f"doc{i:07d}" for i in range(n)], dtype=object)
    hours = rng.integers(0, 365 * 24, size=n)
    copied = copy_of >= 0
    hours[copied] = hours[copy_of[copied]] + rng.integers(1, 72, size=int(copied.sum()))
    published = pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(hours, unit="h")
    return pd.DataFrame({
        "id": ids[order],
        "text": np.array(texts, dtype=object)[order],
        "source": np.array(_OUTLETS, dtype=object)[rng.integers(0, len(_OUTLETS), size=n)],
        "published": published[order].strftime("%Y-%m-%dT%H:%M:%SZ"),
        "copy_of": np.where(copied, ids[np.maximum(copy_of, 0)], "")[order],
    })


def _kind(tok: str) -> int:
    if tok.replace(",", "").replace(".", "").isdigit():
        return 1
    if tok.isalpha() and tok[0].isupper() and tok[1:].islower():
        return 2
    return 3 if tok.isalpha() else 0


def _rewrite(ctx, picks, cast, swap) -> list[str]:
    rng, sentences, kinds, vocab, cdf, _ = ctx
    out = []
    for i in picks:
        toks, kind = sentences[i], kinds[i]
        r = rng.random(len(toks))
        words = vocab[np.minimum(np.searchsorted(cdf, rng.random(len(toks))), len(vocab) - 1)]
        nums = rng.integers(2, 5000, size=len(toks))
        new = list(toks)
        for j in np.flatnonzero(kind == 1):
            new[j] = str(nums[j])
        for j in np.flatnonzero((kind == 2) & (r < 0.6)):
            new[j] = cast[j % len(cast)]
        for j in np.flatnonzero((kind == 3) & (r < swap)):
            new[j] = words[j]
        out.append(" ".join(new))
    return out


def _article(ctx, per_doc, swap) -> str:
    rng, sentences, names = ctx[0], ctx[1], ctx[5]
    cast = list(names[rng.integers(0, len(names), size=6)])
    paras = _rewrite(ctx, rng.integers(0, len(sentences), size=per_doc), cast, swap)
    title = " ".join(paras[0].split()[:8])
    return title + "\n" + "\n".join(" ".join(paras[i : i + 3]) for i in range(0, len(paras), 3))


def _near_copy(ctx, text) -> str:
    rng, sentences, vocab, cdf, names = ctx[0], ctx[1], ctx[3], ctx[4], ctx[5]
    lines = text.split("\n")
    kind = rng.random()
    if kind < 0.5:  # partial copy: the first part, then local text
        lines = lines[: max(2, int(len(lines) * rng.uniform(0.3, 0.8)))]
    reword = 0.25 if kind > 0.75 else 0.02  # a quarter are heavy rewrites
    out = []
    for line in lines:
        toks = line.split()
        r = rng.random(len(toks))
        words = vocab[np.minimum(np.searchsorted(cdf, rng.random(len(toks))), len(vocab) - 1)]
        for j in np.flatnonzero(r < reword):
            if toks[j].isalpha():
                toks[j] = words[j]
        out.append(" ".join(toks))
    cast = list(names[rng.integers(0, len(names), size=3)])
    extra = _rewrite(ctx, rng.integers(0, len(sentences), size=int(rng.integers(1, 4))), cast,
                     0.35)
    return "\n".join([*out, " ".join(extra)])
