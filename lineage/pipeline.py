"""``analyze``: the whole pipeline, from documents to the five output tables.

load -> normalize -> shingle -> sketch -> candidates -> score -> align -> relation
-> family -> direction -> tree. Each stage is a plain function in its own module;
this module only wires them together and shapes the output tables.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lineage import (
    align,
    boilerplate,
    direction,
    family,
    relation,
    score,
    sketch,
    story,
    tree,
    verbatim,
)
from lineage import candidates as candidate_pairs
from lineage.config import Config
from lineage.load import load_documents
from lineage.normalize import quoted_spans, sentence_table
from lineage.schema import (
    DOCUMENT_COLUMNS,
    DOCUMENTS_OUT,
    FAMILY_COLUMNS,
    PAIR_COLUMNS,
    PASSAGE_COLUMNS,
    REUSE_RELATIONS,
    require_columns,
)
from lineage.shingle import hashed_tokens, positional_hashes, size_for
from lineage.vectorize import BucketFrequencies, HashedCharTfidf
from lineage.wordvectors import DocumentFrequencies, span_tokens, word_tfidf

__all__ = [
    "Analysis",
    "Priors",
    "Progress",
    "analyze",
    "families_table",
    "prepare",
    "run_summary",
]

#: ``progress(stage, total)`` is called when a stage starts and returns a function
#: that advances it by ``n`` steps.
Progress = Callable[[str, int], Callable[[int], None]]


@dataclass(frozen=True)
class Priors:
    """Document frequencies counted over documents outside those given to :func:`analyze`.

    An index keeps its archive's counts; with them, each TF-IDF model of an
    ``analyze`` over a few new documents (and stored partners) is weighted by the
    IDF of a run over the archive and the new documents together. Each count is
    optional (``None``: that model is fitted on the documents at hand, as without
    priors).

    Attributes
    ----------
    word : DocumentFrequencies, optional
        Documents holding each word 1-2 gram, boilerplate left out (the document
        word TF-IDF: ``tfidf_cosine``, blocking).
    char : BucketFrequencies, optional
        Documents holding each character n-gram bucket of their boilerplate-blanked
        text (:class:`~lineage.vectorize.HashedCharTfidf`: ``char_cosine``).
    sentence_word : DocumentFrequencies, optional
        Sentences (all of each document's, boilerplate included) holding each word
        1-2 gram (sentence matching, addition coherence).
    sentence_char : BucketFrequencies, optional
        Sentences holding each character n-gram bucket (sentence matching).
    counted : collection of str
        Ids of documents given to ``analyze`` that the counts already include
        (stored partners): they, and their sentences, are not counted again. The
        ``counted`` of ``word`` and ``sentence_word`` is not used.
    """

    word: DocumentFrequencies | None = None
    char: BucketFrequencies | None = None
    sentence_word: DocumentFrequencies | None = None
    sentence_char: BucketFrequencies | None = None
    counted: frozenset[str] = frozenset()


@dataclass
class Analysis:
    """The result of :func:`analyze`: five tables and a summary.

    Attributes
    ----------
    documents : DataFrame
        :data:`~lineage.schema.DOCUMENTS_OUT` columns, then ``text``.
    pairs : DataFrame
        :data:`~lineage.schema.PAIR_COLUMNS`, then detail columns.
    families : DataFrame
        :data:`~lineage.schema.FAMILY_COLUMNS`.
    tree : DataFrame
        :data:`~lineage.schema.TREE_COLUMNS`.
    passages : DataFrame
        :data:`~lineage.schema.PASSAGE_COLUMNS`.
    latent : DataFrame
        Unseen common sources: ``family, id, children, text`` (the reconstructed text),
        ``credit`` (agencies two or more children credit).
    summary : dict
        Counts, the config used, the lineage version, input and run time.
    """

    documents: pd.DataFrame
    pairs: pd.DataFrame
    families: pd.DataFrame
    tree: pd.DataFrame
    passages: pd.DataFrame
    latent: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=list(tree.LATENT_COLUMNS)))
    summary: dict[str, Any] = field(default_factory=dict)


def analyze(
    documents: str | Path | pd.DataFrame | Iterable[Mapping[str, Any]],
    *,
    config: Config | None = None,
    progress: Progress | None = None,
    warn: Callable[[str], None] | None = None,
    candidates: np.ndarray | None = None,
    jobs: int | None = None,
    priors: Priors | None = None,
    prepared: tuple[Sequence[str], _Corpus] | None = None,
) -> Analysis:
    """Find reuse between articles and infer who copied whom.

    Parameters
    ----------
    documents : path, DataFrame or iterable of dicts
        A folder of ``.txt/.md/.html`` files, a JSONL/CSV/Parquet table, or rows
        with ``id``, ``text`` and optional ``title, source, url, published``.
    config : Config, optional
        Settings; defaults to ``Config()``.
    progress : callable, optional
        See :data:`Progress`.
    warn : callable, optional
        Receives one-line warnings about the input (skipped files, bad dates).
    candidates : ndarray of int64, shape (n_pairs, 2), optional
        Candidate pairs found elsewhere (the Spark engine, the index), as positions
        into the documents sorted by id, ``a < b``. When given, they replace this
        run's own sketch and candidate stages; everything after is the same.
    jobs : int, optional
        Threads for MinHash; ``None`` uses every core. Results do not depend on it.
    priors : Priors, optional
        Document frequencies of documents outside ``documents`` (an index's
        archive): each TF-IDF model they are given for (document and sentence
        level, word and character) then uses the IDF of those documents and these
        together, as a run over all of them would. Default: the IDF of
        ``documents`` alone.
    prepared : (ids, corpus), optional
        Some of the documents as :func:`prepare` made them (an index's new batch,
        prepared to sketch it) with their ids: their tokens and sentences are taken
        from it instead of being found again. Boilerplate and everything after it are
        found over all the documents, so the result is the same.

    Returns
    -------
    Analysis

    Examples
    --------
    >>> result = analyze("examples/seeds")  # doctest: +SKIP
    >>> result.pairs[["a", "b", "relation"]]  # doctest: +SKIP
    """
    config = config or Config()
    started = time.perf_counter()
    tick = progress or _silent
    docs = load_documents(documents, warn=warn)
    require_columns(docs, DOCUMENT_COLUMNS, table="documents")
    docs = docs.sort_values("id", kind="stable").reset_index(drop=True)

    corpus = _prepare(docs, config, tick, prepared)
    tick("vectorize", 1)
    priors = priors or Priors()
    counted = docs["id"].isin(list(priors.counted)).to_numpy()
    word_vecs = word_tfidf(*corpus.evidence_tokens(), prior=priors.word,
                           counted=None if priors.word is None else counted)
    # only the idf: character rows are built later for the pairs that need them
    clean = corpus.clean_texts()
    char_model = (HashedCharTfidf().fit(clean) if priors.char is None else
                  HashedCharTfidf().fit([clean[i] for i in np.flatnonzero(~counted)],
                                        prior=priors.char))
    tick("candidates", 1)
    wire = direction.is_wire(docs["source"], config.tree)
    # likely sources first: wire services, then the earliest published
    rank = direction.source_rank(docs["published"], wire)
    if candidates is None:
        signatures = sketch.minhash_signatures(
            corpus.shingles, num_perm=config.sketch.num_perm, seed=config.seed, jobs=jobs
        )
        pairs = candidate_pairs.union_pairs(
            candidate_pairs.lsh_candidates(signatures, threshold=config.sketch.threshold,
                                           priority=rank),
            candidate_pairs.tfidf_candidates(
                word_vecs, config.candidates,
                candidate_pairs.fingerprint_matrix(corpus.shingles,
                                                   config.candidates.fingerprint_sample)),
        )
    else:
        pairs = candidate_pairs.union_pairs(np.asarray(candidates, dtype=np.int64).reshape(-1, 2))
    tick("score", 1)
    scores = score.score_pairs(pairs, score.shingle_matrix(corpus.shingles), word_vecs, None)
    if config.candidates.max_partners > 0:
        # near-duplicates of one text (a wire story many papers ran) are all LSH
        # candidates of each other: keep each document's strongest partners only
        strong = candidate_pairs.strongest_partners(
            scores, config.candidates.max_partners, rank)
        if not strong.all():
            pairs, scores = pairs[strong], scores[strong].reset_index(drop=True)
    del word_vecs  # the sentence stages build their own
    tick("align", 1)
    passages, sent_word = _align(corpus, pairs, scores, config, priors, counted)
    tick("relations", 1)
    feats = _relate(corpus, docs, pairs, scores, passages, config, char_model)
    docs["family"] = family.assign_families(docs["id"], feats)
    when = direction.trusted_times(docs["published"], docs["family"])
    _direct(feats, corpus, passages, sent_word, when, wire, config,
            docs["family"].fillna(-1).to_numpy(dtype=np.int64), docs["source"].tolist())
    docs["boilerplate_chars"] = corpus.boiler_chars
    docs["story"] = story.assign_stories(docs["id"], docs["family"], feats, config.story,
                                         seed=config.seed, published=when)
    ids, texts = docs["id"].to_numpy(), corpus.texts

    tick("lineage", 1)
    tree_table = tree.build_tree(docs.assign(published=when), feats, wire, config.tree,
                                 shingles=corpus.shingles)
    _follow_tree(feats, tree_table)
    _mark_siblings(feats, tree_table)
    passage_table = _passages_table(passages, feats, ids, texts)
    result = Analysis(
        documents=_documents_table(docs, corpus.n_words),
        pairs=_pairs_table(feats),
        families=families_table(docs, tree_table),
        tree=tree_table,
        passages=passage_table,
        latent=tree.latent_sources(tree_table, passage_table, dict(zip(ids, texts, strict=True)),
                                   config.tree),
    )
    result.summary = run_summary(result, config, documents, time.perf_counter() - started)
    return result


# -- stages of one run -------------------------------------------------------------


@dataclass
class _Corpus:
    """Per-document state of one run, by document position (documents sorted by id)."""

    texts: list[str]
    starts: list[np.ndarray]  # per document: token start offsets
    ends: list[np.ndarray]  # per document: token end offsets
    hashes: list[np.ndarray]  # per document: token hashes (uint64)
    n_words: np.ndarray  # tokens per document
    sizes: np.ndarray  # tokens per shingle
    sentences: pd.DataFrame
    boiler: np.ndarray  # per sentence: outlet boilerplate
    spans: list[np.ndarray]  # per document: boilerplate spans
    positional: list[np.ndarray]  # per document: shingle hash at each token
    skips: list[np.ndarray]  # per document: shingle positions reaching into boilerplate
    shingles: list[np.ndarray]  # per document: distinct shingles outside boilerplate
    boiler_chars: np.ndarray
    n_chars: np.ndarray  # characters that can carry evidence

    @property
    def n_shingle(self) -> int:
        """The usual shingle size of this corpus (for the evidence sentence)."""
        return int(np.bincount(self.sizes).argmax()) if len(self.sizes) else 5

    def clean_texts(self) -> _Cleaned:
        """The texts with boilerplate blanked out, made one at a time when read."""
        return _Cleaned(self.texts, self.spans)

    def evidence_tokens(self) -> tuple[np.ndarray, np.ndarray]:
        """Token hashes outside boilerplate, all documents laid end to end, and counts.

        The tokens of :meth:`clean_texts` (boilerplate spans are whole sentences).
        """
        kept = [h[~boilerplate.mask_tokens(st, sp)]
                for h, st, sp in zip(self.hashes, self.starts, self.spans, strict=True)]
        lengths = np.fromiter(map(len, kept), dtype=np.int64, count=len(kept))
        return (np.concatenate(kept) if kept else np.empty(0, np.uint64)), lengths

    def sentence_tokens(self) -> tuple[np.ndarray, np.ndarray]:
        """Token hashes of every sentence, sentence after sentence, and counts."""
        s = self.sentences
        index, lengths = span_tokens(self.starts, s["doc"].to_numpy(), s["start"].to_numpy(),
                                     s["end"].to_numpy())
        flat = np.concatenate(self.hashes) if self.hashes else np.empty(0, np.uint64)
        return flat[index], lengths


@dataclass
class _Cleaned(Sequence):
    """``strip_boilerplate`` of each text, computed on access (nothing kept)."""

    texts: list[str]
    spans: list[np.ndarray]

    def __len__(self) -> int:
        return len(self.texts)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        return boilerplate.strip_boilerplate(self.texts[i], self.spans[i])


@dataclass
class _Slices(Sequence):
    """``texts[doc[i]][start[i]:end[i]]`` for each ``i``, cut on access (nothing kept)."""

    texts: list[str]
    doc: np.ndarray
    start: np.ndarray
    end: np.ndarray

    def __len__(self) -> int:
        return len(self.doc)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        return self.texts[self.doc[i]][self.start[i] : self.end[i]]


def prepare(docs: pd.DataFrame, config: Config | None = None) -> _Corpus:
    """Tokens, boilerplate and evidence shingles of ``docs`` (in their order), as
    :func:`analyze` prepares them: ``evidence_tokens()``, ``shingles`` and ``spans``
    (boilerplate found among ``docs``) are what it counts and sketches."""
    return _prepare(docs, config or Config(), _silent)


def _prepare(docs: pd.DataFrame, config: Config, tick: Progress,
             prepared: tuple[Sequence[str], _Corpus] | None = None) -> _Corpus:
    """Tokens, sentences, boilerplate and shingles of every document; the tokens and
    sentences of the documents in ``prepared`` (ids, corpus) with the same text are
    taken from it."""
    texts = docs["text"].tolist()
    advance = tick("tokenize", len(texts))
    known = np.full(len(texts), -1, dtype=np.int64)
    if prepared is not None:
        ids, done = prepared
        at = pd.Series(np.arange(len(ids)), index=pd.Index(ids)).reindex(docs["id"])
        known = at.fillna(-1).to_numpy(dtype=np.int64, copy=True)
        changed = [k >= 0 and done.texts[k] != t for k, t in zip(known, texts, strict=True)]
        known[np.asarray(changed, dtype=bool)] = -1
    # keep offsets and hashes only: the token strings of a large corpus would take
    # gigabytes (and, freed late, leave the heap fragmented)
    starts, ends, hashes, sizes = [], [], [], []
    for text, k in zip(texts, known, strict=True):
        if k >= 0:
            st, en, h, size = done.starts[k], done.ends[k], done.hashes[k], done.sizes[k]
        else:
            st, en, h, unspaced = hashed_tokens(text)
            size = size_for(unspaced, config.shingle)
        starts.append(st)
        ends.append(en)
        hashes.append(h)
        sizes.append(size)
        advance(1)
    sizes = np.asarray(sizes, dtype=np.int64)
    n_words = np.fromiter(map(len, starts), dtype=np.int64, count=len(starts))
    tick("boilerplate", 1)
    sentences = _sentences(texts, known, None if prepared is None else done)
    boiler = boilerplate.find_boilerplate(sentences, texts, docs["source"],
                                          min_docs=config.boilerplate_min_docs,
                                          max_changed=config.boilerplate_max_changed,
                                          seed=config.seed)
    spans = boilerplate.spans_by_doc(sentences[boiler], len(texts))
    _release_arrow_memory()  # the sentence keys went through Arrow strings
    sketched = [_evidence_shingles(h, st, size, sp)
                for h, st, size, sp in zip(hashes, starts, sizes, spans, strict=True)]
    boiler_chars = np.array([int((sp[:, 1] - sp[:, 0]).sum()) for sp in spans], dtype=np.int64)
    return _Corpus(
        texts=texts, starts=starts, ends=ends, hashes=hashes, n_words=n_words, sizes=sizes,
        sentences=sentences, boiler=boiler, spans=spans,
        positional=[x[0] for x in sketched], skips=[x[1] for x in sketched],
        shingles=[x[2] for x in sketched],
        boiler_chars=boiler_chars,
        n_chars=np.array([len(t) for t in texts], dtype=np.int64) - boiler_chars,
    )


def _sentences(texts: list[str], known: np.ndarray, done: _Corpus | None) -> pd.DataFrame:
    """:func:`sentence_table` of ``texts``; a text at ``known[i] >= 0`` has its rows in
    ``done`` under that position."""
    fresh = np.flatnonzero(known < 0)
    table = sentence_table([texts[i] for i in fresh])
    table["doc"] = fresh[table["doc"].to_numpy()]
    if done is None or len(fresh) == len(texts):
        return table
    back = np.full(len(done.texts), -1, dtype=np.int64)  # done's position -> ours
    back[known[known >= 0]] = np.flatnonzero(known >= 0)
    mine = back[done.sentences["doc"].to_numpy()]
    held = done.sentences[mine >= 0].assign(doc=mine[mine >= 0])
    return (pd.concat([table, held], ignore_index=True)
            .sort_values(["doc", "start"], kind="stable").reset_index(drop=True))


def evidence_shingles(texts: Sequence[str], spans: Sequence[np.ndarray], config: Config
                      ) -> list[np.ndarray]:
    """Each text's distinct evidence shingles (sorted), as :func:`prepare` counts them,
    with its boilerplate ``spans`` (shape (k, 2), character offsets) given rather than
    found: for a persistent index, whose stored spans are those each add found."""
    out = []
    for text, sp in zip(texts, spans, strict=True):
        starts, _, hashes, unspaced = hashed_tokens(text)
        out.append(_evidence_shingles(hashes, starts, size_for(unspaced, config.shingle), sp)[2])
    return out


def _release_arrow_memory() -> None:
    """Give the memory Arrow keeps cached after pandas string work back to the system."""
    from lineage.load import _release_arrow_memory as release

    release()


def _evidence_shingles(hashes: np.ndarray, starts: np.ndarray, size: int, spans: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`lineage.boilerplate.evidence_shingles` from token hashes and offsets."""
    positional = positional_hashes(hashes, size)
    skip = boilerplate.shingle_skips(boilerplate.mask_tokens(starts, spans), len(positional))
    return positional, skip, np.unique(positional[~skip])


def _align(corpus: _Corpus, pairs: np.ndarray, scores: pd.DataFrame, config: Config,
           priors: Priors, counted: np.ndarray):
    """Passages of every candidate pair (sentence matches + verbatim runs), quotes marked.

    ``counted``: per document, whether ``priors`` include it already.
    """
    sentences, texts = corpus.sentences, corpus.texts
    doc, start, end = (sentences[c].to_numpy() for c in ("doc", "start", "end"))
    sent_texts = _Slices(texts, doc, start, end)
    old = counted[doc] if len(counted) else np.zeros(len(doc), dtype=bool)
    sent_word = word_tfidf(*corpus.sentence_tokens(), prior=priors.sentence_word,
                           counted=None if priors.sentence_word is None else old)
    if priors.sentence_char is None:
        sent_char = HashedCharTfidf().fit(sent_texts)
    else:
        fresh = ~old
        sent_char = HashedCharTfidf().fit(_Slices(texts, doc[fresh], start[fresh], end[fresh]),
                                          prior=priors.sentence_char)
    matches = align.match_sentences(
        pairs, sentences, sent_word,
        lambda rows: sent_char.transform([sent_texts[i] for i in rows]),
        config.sentences, exclude=corpus.boiler)
    min_shared = max(1, config.sentences.verbatim_min_tokens - corpus.n_shingle + 1)
    rows = np.flatnonzero(scores["shared_shingles"].to_numpy() >= min_shared)
    by_tokens = verbatim.verbatim_passages(
        texts, pairs, rows, corpus.positional, corpus.skips, corpus.starts, corpus.ends,
        corpus.sizes,
        min_tokens=config.sentences.verbatim_min_tokens, gap=config.sentences.verbatim_gap,
        boilerplate=corpus.spans,
    )
    # sentence passages are built from the matches the verbatim runs leave, so that they
    # fill the gaps between runs rather than be dropped whole beside them
    matches = align.uncovered_matches(matches, sentences, by_tokens)
    by_sentence = align.build_passages(matches, pairs, sentences, config.sentences)
    passages = align.combine_passages(by_tokens, by_sentence)
    passages["quote"] = _quote_flags(passages, texts, config.relation.min_verbatim_words)
    return passages, sent_word


def _relate(corpus: _Corpus, docs: pd.DataFrame, pairs: np.ndarray, scores: pd.DataFrame,
            passages: pd.DataFrame, config: Config, char_model: HashedCharTfidf
            ) -> pd.DataFrame:
    """Coverage, character cosine, relation label and ids of every related pair.

    Unrelated pairs are dropped. The character cosine only ever helps a pair to
    ``duplicate`` (a higher cosine never unrelates a pair), so it is computed for
    the pairs that are related when it is 1, and left NaN for the rest, which are
    unrelated whatever it is: the document character rows are never all built.
    """
    chars_a, chars_b = corpus.n_chars[pairs[:, 0]], corpus.n_chars[pairs[:, 1]]
    cov = align.coverage(passages, len(pairs), chars_a, chars_b)
    # without quotes: only the coverage the relation reads (verbatim shares are whole)
    strong = align.coverage(passages[~passages["quote"]], len(pairs), chars_a, chars_b,
                            verbatim=False)
    cov["n_quotes"] = cov["n_passages"] - strong["n_passages"]
    strong = strong.rename(columns={"aligned_a": "evidence_a", "aligned_b": "evidence_b"})
    feats = pd.concat([scores, cov[["aligned_a", "aligned_b", "verbatim_a", "verbatim_b",
                                    "n_quotes"]],
                       strong], axis=1)
    could = relation.classify(feats.assign(char_cosine=1.0), config.relation,
                              shingle_size=corpus.n_shingle).notna().to_numpy()
    feats.loc[could, "char_cosine"] = _char_cosines(corpus, char_model, pairs[could])
    feats["relation"] = relation.classify(feats, config.relation,
                                          shingle_size=corpus.n_shingle)
    feats = feats[feats["relation"].notna()].copy()
    ids = docs["id"].to_numpy()
    feats["a"], feats["b"] = ids[feats["ai"]], ids[feats["bi"]]
    return feats


def _char_cosines(corpus: _Corpus, model: HashedCharTfidf, pairs: np.ndarray, *,
                  chunk_docs: int = 20_000) -> np.ndarray:
    """Document character TF-IDF cosine of ``pairs``, rows built for their documents only.

    Pairs are taken in order of their first document, at most ``chunk_docs``
    documents' rows at a time.
    """
    out = np.empty(len(pairs), dtype=np.float64)
    clean = corpus.clean_texts()
    order = np.argsort(pairs[:, 0], kind="stable")
    lo = 0
    while lo < len(order):
        hi, seen = lo, set()
        while hi < len(order) and len(seen) < chunk_docs:  # grow the chunk pair by pair
            seen.update(pairs[order[hi]].tolist())
            hi += 1
        part = pairs[order[lo:hi]]
        docs = np.unique(part)
        rows = model.transform([clean[d] for d in docs])
        out[order[lo:hi]] = candidate_pairs.rowwise_cosine(rows, np.searchsorted(docs, part))
        lo = hi
    return out


def _direct(feats: pd.DataFrame, corpus: _Corpus, passages: pd.DataFrame, sent_word,
            when: pd.Series, wire: np.ndarray, config: Config, docs_family: np.ndarray,
            sources: list[str]) -> None:
    """Add direction (``likely_source``, ``confidence``, ``direction_p``) and evidence."""
    reuse = feats["relation"].isin(REUSE_RELATIONS).to_numpy()
    feats["credit"] = 0
    feats.loc[reuse, "credit"] = direction.credits(
        corpus.texts, sources, feats.loc[reuse, "ai"].to_numpy(), feats.loc[reuse, "bi"].to_numpy())
    feats["excl_a"], feats["excl_b"] = 0.0, 0.0
    reuse_passages = passages[passages["pair"].isin(feats.index[reuse]) & ~passages["quote"]]
    feats.loc[reuse, "excl_a"], feats.loc[reuse, "excl_b"] = direction.exclusive_shares(
        reuse_passages, feats[reuse], corpus.n_chars)
    sentences = corpus.sentences
    # headings and scraps are nobody's additions; an outlet's boilerplate stays in, as
    # lines of its own that it added
    long_enough = (sentences["n_chars"] >= config.sentences.min_chars).to_numpy()
    fit = direction.addition_coherence(reuse_passages, feats[reuse], sentences, sent_word,
                                       long_enough)
    feats[list(fit.columns)] = fit.reindex(feats.index)
    feats["support_a"], feats["support_b"] = np.nan, np.nan
    feats.loc[reuse, "support_a"], feats.loc[reuse, "support_b"] = direction.variant_support(
        corpus.shingles, feats[reuse], docs_family)
    terms = direction.direction_terms(feats, when, wire, config.tree)
    signed = terms[list(direction.TERMS)].sum(axis=1).to_numpy()
    side, conf = direction.likely_sources(signed)
    feats["likely_source"] = np.where(
        reuse & (side == "a"), feats["a"], np.where(reuse & (side == "b"), feats["b"], "")
    )
    feats["confidence"] = np.where(reuse, conf, 0.0)
    feats["direction_p"] = (1 + np.tanh(2 * signed)) / 2
    eligible = long_enough & ~corpus.boiler
    n_sent = np.bincount(sentences["doc"].to_numpy()[eligible], minlength=len(corpus.texts))
    feats["evidence"] = [
        relation.describe(row, row["a"], row["b"], n_sent[row["ai"]], n_sent[row["bi"]],
                          corpus.n_shingle)
        for row in feats.to_dict("records")
    ]
    why = pd.Series(direction.explain_direction(terms[reuse], feats.loc[reuse, "a"],
                                                feats.loc[reuse, "b"]),
                    index=feats.index[reuse], dtype=object)
    why = why[why != ""]
    if len(why):
        feats.loc[why.index, "evidence"] = (feats.loc[why.index, "evidence"]
                                            + "; on this pair alone, " + why)


# -- helpers ---------------------------------------------------------------------


def _follow_tree(feats: pd.DataFrame, tree_table: pd.DataFrame) -> None:
    """Give each reuse pair the direction of the family tree where one is the other's
    ancestor there: the tree weighs every member's evidence at once, so it overrides
    what one pair alone suggests. ``confidence`` stays the pair's own evidence for
    that direction (0 when the pair alone leans the other way, which the evidence
    then says); ``direction_p`` stays the pair's own probability."""
    if feats.empty or tree_table.empty:
        return
    reuse = feats["relation"].isin(REUSE_RELATIONS).to_numpy()
    above = tree.tree_sources(tree_table, feats["a"], feats["b"])
    use = reuse & (above != "")
    if not use.any():
        return
    p = feats["direction_p"].to_numpy()
    q = np.where(above == feats["a"].to_numpy(), p, 1 - p)
    overridden = use & (feats["likely_source"].to_numpy() != above)
    feats.loc[use, "likely_source"] = above[use]
    feats.loc[use, "confidence"] = np.round(np.clip(2 * q[use] - 1, 0.0, 1.0), 4)
    if overridden.any():
        feats.loc[overridden, "evidence"] = feats.loc[overridden, "evidence"] + (
            "; the family tree puts " + pd.Series(above[overridden], index=feats.index[
                overridden]) + " above the other: the rest of the family outweighs this "
            "pair's own evidence")


def _mark_siblings(feats: pd.DataFrame, tree_table: pd.DataFrame) -> None:
    """Pairs the tree reads as two copies of an unseen source get no likely source."""
    if feats.empty or tree_table.empty:
        return
    parent = dict(zip(tree_table["child"], tree_table["parent"], strict=True))
    pa = feats["a"].map(parent).fillna("").astype(str)
    pb = feats["b"].map(parent).fillna("").astype(str)
    sib = (pa == pb) & pa.str.startswith("latent:")
    feats.loc[sib, "likely_source"] = ""
    feats.loc[sib, "confidence"] = 0.0
    feats.loc[sib, "evidence"] = feats.loc[sib, "evidence"] + "; neither is the other's " + (
        "source: both most likely copied an unseen common source (" + pa[sib] + ")")


def _quote_flags(passages: pd.DataFrame, texts: list[str], min_words: int) -> np.ndarray:
    """True for passages that are mostly direct quotation on either side, unless what
    they share outside quotation marks is itself ``min_words`` words (at six characters
    a word) or more: the quote is then part of a copied passage, not all of it."""
    if passages.empty:
        return np.zeros(0, dtype=bool)
    covered = _QuoteCover(texts, np.union1d(passages["ai"], passages["bi"]))
    share_a = covered.share(passages["ai"], passages["a_start"], passages["a_end"])
    share_b = covered.share(passages["bi"], passages["b_start"], passages["b_end"])
    plain = np.minimum((passages["a_end"] - passages["a_start"]).to_numpy() * (1 - share_a),
                       (passages["b_end"] - passages["b_start"]).to_numpy() * (1 - share_b))
    return (np.maximum(share_a, share_b) >= 0.5) & (plain < 6 * min_words)


class _QuoteCover:
    """Characters inside direct quotations up to any position of some documents.

    Every document's quotation spans (:func:`lineage.normalize.quoted_spans`, which
    do not overlap) are laid end to end on one axis (document ``d``'s position ``x``
    at ``d * 2**32 + x``) with their running total length, so the quoted characters
    inside any ``[start, end)`` are two lookups, for all passages at once.
    """

    def __init__(self, texts: list[str], docs: np.ndarray) -> None:
        spans = [quoted_spans(texts[d]) for d in docs]
        sizes = np.fromiter(map(len, spans), np.int64, len(spans))
        flat = np.concatenate([*spans, np.empty((0, 2), np.int64)])
        base = np.repeat(np.asarray(docs, dtype=np.int64) << 32, sizes)
        self.start = flat[:, 0] + base
        self.length = flat[:, 1] - flat[:, 0]
        self.before = np.cumsum(self.length) - self.length  # total of earlier spans

    def upto(self, doc: np.ndarray, x: np.ndarray) -> np.ndarray:
        """Quoted characters of all documents' spans laid before ``(doc, x)``."""
        key = (doc << 32) + x
        k = np.searchsorted(self.start, key, side="right") - 1
        inside = k >= 0
        out = np.zeros(len(key), dtype=np.int64)
        kk = k[inside]
        out[inside] = self.before[kk] + np.clip(key[inside] - self.start[kk], 0,
                                                self.length[kk])
        return out

    def share(self, doc, start, end) -> np.ndarray:
        """Share of each ``[start, end)`` of ``doc`` inside quotations (0 when empty)."""
        doc = np.asarray(doc, dtype=np.int64)
        start, end = np.asarray(start, dtype=np.int64), np.asarray(end, dtype=np.int64)
        quoted = self.upto(doc, end) - self.upto(doc, start)
        width = end - start
        return np.where(width > 0, quoted / np.maximum(width, 1), 0.0)


# -- output tables -----------------------------------------------------------------


def _documents_table(docs: pd.DataFrame, n_words: np.ndarray) -> pd.DataFrame:
    out = docs.copy()
    out["n_chars"] = out["text"].str.len().astype(np.int64)
    out["n_words"] = np.asarray(n_words, dtype=np.int64)
    return out[[*DOCUMENTS_OUT, "url", "text"]]


def _pairs_table(feats: pd.DataFrame) -> pd.DataFrame:
    extra = ["shared_shingles", "n_passages", "n_sentences", "n_verbatim", "ai", "bi",
             "direction_p"]
    out = feats[list(PAIR_COLUMNS) + extra].copy()
    for col in ("jaccard", "containment_ab", "containment_ba", "tfidf_cosine", "char_cosine",
                "aligned_a", "aligned_b", "direction_p"):
        out[col] = out[col].astype(float).round(4)
    order = pd.Categorical(out["relation"], ["duplicate", "wholly-derived", "partially-derived",
                                             "same-story"], ordered=True)
    out = out.assign(_o=order).sort_values(["_o", "a", "b"]).drop(columns="_o")
    return out.reset_index(drop=True)


def families_table(docs: pd.DataFrame, tree_table: pd.DataFrame) -> pd.DataFrame:
    """The ``families`` table from documents with a ``family`` column and the tree.

    Returns
    -------
    DataFrame
        :data:`~lineage.schema.FAMILY_COLUMNS`; a family's unseen common source is a
        row of its own with role ``latent``.
    """
    members = docs[docs["family"].notna()][["family", "id"]].copy()
    roots = set(tree_table.loc[tree_table["parent"] == "", "child"])
    members["role"] = np.where(members["id"].isin(roots), "root", "member")
    child = tree_table["child"].astype(str)
    latent = child[child.str.startswith("latent:")]
    extra = pd.DataFrame({"family": latent.str.split(":").str[1].astype(np.int64), "id": latent,
                          "role": "latent"})
    members["family"] = members["family"].astype(np.int64)
    out = pd.concat([members, extra], ignore_index=True)
    out["_latent"] = out["role"] != "latent"
    out = out.sort_values(["family", "_latent", "id"]).drop(columns="_latent")
    return out.reset_index(drop=True)[list(FAMILY_COLUMNS)]


def _passages_table(passages: pd.DataFrame, feats: pd.DataFrame, ids, texts) -> pd.DataFrame:
    keep = passages[passages["pair"].isin(feats.index[feats["relation"].isin(REUSE_RELATIONS)])]
    if keep.empty:
        return pd.DataFrame(columns=list(PASSAGE_COLUMNS))
    out = pd.DataFrame(
        {
            "a": ids[keep["ai"]],
            "b": ids[keep["bi"]],
            "a_start": keep["a_start"].to_numpy(),
            "a_end": keep["a_end"].to_numpy(),
            "b_start": keep["b_start"].to_numpy(),
            "b_end": keep["b_end"].to_numpy(),
            "kind": keep["kind"].to_numpy(),
            "similarity": keep["similarity"].to_numpy(),
        }
    )
    out["a_text"] = [texts[i][s:e] for i, s, e in zip(keep["ai"], out["a_start"], out["a_end"],
                                                       strict=True)]
    out["b_text"] = [texts[i][s:e] for i, s, e in zip(keep["bi"], out["b_start"], out["b_end"],
                                                       strict=True)]
    return out.sort_values(["a", "b", "a_start"]).reset_index(drop=True)[list(PASSAGE_COLUMNS)]


def run_summary(result: Analysis, config: Config, source: Any, seconds: float) -> dict[str, Any]:
    """``summary.json``: counts, the config used, lineage's version, input and run time."""
    from lineage import __version__

    counts = result.pairs["relation"].value_counts()
    return {
        "lineage_version": __version__,
        "input": str(source) if isinstance(source, str | Path) else "<table>",
        "documents": len(result.documents),
        "pairs": {r: int(counts.get(r, 0)) for r in
                  ("duplicate", "wholly-derived", "partially-derived", "same-story")},
        "reuse_pairs": int(result.pairs["relation"].isin(REUSE_RELATIONS).sum()),
        "families": int(result.families["family"].nunique()) if len(result.families) else 0,
        "stories": int(result.documents["story"].nunique()) if "story" in result.documents
        else 0,
        "passages": len(result.passages),
        "latent_sources": len(result.latent),
        "copying": _copying(result.tree),
        "run_seconds": round(seconds, 3),
        "config": config.to_dict(),
    }


def _copying(tree_table: pd.DataFrame) -> dict[str, Any]:
    """How this corpus copies, as the tree read it: of the copies whose text chose
    clearly between the top of their family's tree and another copy (by their wording,
    :func:`lineage.tree.witness_choices`, or a clear lead in fidelity), how many took
    from the top (wire copy run by papers: nearly all; chains of reprints: fewer).
    The tree weighs equally faithful candidates by this rate (``lineage.tree``)."""
    seen = tree_table.attrs.get("copying", {})
    clear, top = int(seen.get("clear_copies", 0)), int(seen.get("from_top", 0))
    return {"clear_copies": clear, "from_top": top,
            "rate": round((top + 1.0) / (clear + 2.0), 4)}


def _silent(stage: str, total: int) -> Callable[[int], None]:
    return lambda n: None
