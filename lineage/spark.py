"""The Spark engine: sketch and candidate stages as PySpark jobs, then the local stages.

This is the only module that imports pyspark. What runs where:

driver
    loads and checks the input with :func:`lineage.load.load_documents`, sorts it by
    ``id``, finds each outlet's boilerplate over the whole corpus
    (:func:`lineage.boilerplate.boilerplate_spans`) and writes it as Parquet
    (``pos, id, text, bp``: ``bp`` the boilerplate spans) for the executors (a local
    temporary folder, or ``staging`` on shared storage for a cluster); at the end it
    collects the candidate pairs (never the signatures or vectors) and runs
    :func:`lineage.pipeline.analyze` with ``candidates=``: exact scoring, TF-IDF fits,
    sentence alignment, relations, families, direction and the tree, as the local engine.
executors
    per partition, lineage's own stage functions (:func:`~lineage.normalize.tokenize`,
    :func:`~lineage.boilerplate.evidence_shingles`, so boilerplate is left out exactly as
    locally, :func:`~lineage.sketch.minhash_signatures`,
    the LSH band keys of :mod:`lineage.candidates`, :func:`~lineage.vectorize.word_features`);
    band keys exploded to rows and grouped by ``(band, key)`` into LSH pairs; document
    frequencies and the word TF-IDF weights (the same float32 arithmetic as
    scikit-learn's ``TfidfVectorizer``); the rare-term blocks, their pairs, the pairs'
    word cosines (:func:`lineage.candidates.rowwise_cosine`) and the top-``neighbours``
    filter; the union of both candidate sets.

The candidate set equals the local engine's, so ``pairs.csv`` is the same.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from lineage import candidates as candidate_pairs
from lineage.boilerplate import boilerplate_spans
from lineage.config import Config
from lineage.direction import is_wire, source_rank
from lineage.load import load_documents

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from lineage.pipeline import Analysis, Progress

__all__ = ["analyze_spark", "spark_candidates", "spark_session"]

_MAX_BUCKET = candidate_pairs._MAX_BUCKET
_COSINE_CHUNK = 1_000  # pairs per scipy call in an executor
_KEY_SHIFT = 24  # a term's first occurrence: (document position << 24) + feature offset


def spark_session(master: str = "local[*]", *, app_name: str = "lineage",
                  conf: dict[str, str] | None = None) -> SparkSession:
    """Get or start a Spark session for the engine.

    Parameters
    ----------
    master : str, default ``"local[*]"``
        Any Spark master URL (``local[2]``, ``spark://host:7077``, ``yarn``...).
    app_name : str, default ``"lineage"``
    conf : dict, optional
        Extra Spark settings, e.g. ``{"spark.driver.memory": "4g"}``.

    Returns
    -------
    SparkSession
    """
    from pyspark.sql import SparkSession

    settings = {"spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "8",
                "spark.sql.execution.arrow.pyspark.enabled": "true",
                **(conf or {})}
    builder = SparkSession.builder.master(master).appName(app_name)
    for key, value in settings.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def analyze_spark(
    documents: Any,
    *,
    config: Config | None = None,
    spark: SparkSession | None = None,
    master: str = "local[*]",
    staging: str | None = None,
    progress: Progress | None = None,
    warn: Callable[[str], None] | None = None,
) -> Analysis:
    """:func:`lineage.pipeline.analyze` with the sketch and candidate stages on Spark.

    Parameters
    ----------
    documents : path, DataFrame or iterable of dicts
        As for :func:`~lineage.pipeline.analyze`; converted to Parquet for Spark.
    config : Config, optional
    spark : SparkSession, optional
        Defaults to :func:`spark_session` with ``master``.
    master : str, default ``"local[*]"``
        Used only when ``spark`` is not given.
    staging : str, optional
        A folder URI every executor can read (``hdfs:///tmp``, ``s3a://bucket/tmp``)
        where the documents are written as Parquet by Spark. Needed on a cluster;
        by default the driver writes the Parquet to a local temporary folder, which
        is enough for a ``local[...]`` master. The staged copy is left in place.
    progress, warn : callable, optional
        As for :func:`~lineage.pipeline.analyze`.

    Returns
    -------
    Analysis
        The same tables as the local engine; ``summary["engine"]`` is ``"spark"`` and
        ``summary["spark"]`` holds the Spark stage times in seconds.
    """
    from lineage.pipeline import analyze

    config = config or Config()
    spark = spark or spark_session(master)
    t0 = time.perf_counter()
    docs = load_documents(documents, warn=warn)
    docs = docs.sort_values("id", kind="stable").reset_index(drop=True)
    # Outlet boilerplate is a corpus-level fact: found here, on the driver, and passed
    # to the executors so they sketch exactly the evidence the local engine sketches.
    spans = boilerplate_spans(docs["text"].tolist(), docs["source"],
                              min_docs=config.boilerplate_min_docs,
                              max_changed=config.boilerplate_max_changed, seed=config.seed)
    table = pd.DataFrame({"pos": np.arange(len(docs), dtype=np.int64),
                          "id": docs["id"].astype(str), "text": docs["text"].astype(str),
                          "bp": [sp.ravel().tolist() for sp in spans],
                          "rank": source_rank(docs["published"],
                                              is_wire(docs["source"], config.tree))})
    if progress is not None:
        progress("spark", 1)
    work = None if staging else Path(tempfile.mkdtemp(prefix="lineage-spark-"))
    try:
        if work is not None:  # a local master: the driver's disk is the executors' disk
            path = str(work / "documents.parquet")
            table.to_parquet(path, index=False, row_group_size=2_000)
        else:  # a cluster: Spark writes the table to shared storage
            path = f"{str(staging).rstrip('/')}/lineage-{uuid.uuid4().hex}.parquet"
            spark.createDataFrame(table).write.parquet(path)
        t1 = time.perf_counter()
        pairs = spark_candidates(spark, path, config=config, n_docs=len(docs))
        t2 = time.perf_counter()
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
    result = analyze(docs, config=config, progress=progress, candidates=pairs)
    t3 = time.perf_counter()
    if isinstance(documents, str | Path):
        result.summary["input"] = str(documents)
    result.summary["engine"] = "spark"
    result.summary["spark"] = {"master": spark.sparkContext.master,
                               "to_parquet_s": round(t1 - t0, 3),
                               "candidates_s": round(t2 - t1, 3),
                               "driver_analyze_s": round(t3 - t2, 3),
                               "candidate_pairs": len(pairs)}
    result.summary["run_seconds"] = round(t3 - t0, 3)
    return result


def spark_candidates(spark: SparkSession, parquet: str, *, config: Config | None = None,
                     n_docs: int | None = None) -> np.ndarray:
    """Candidate pairs of a Parquet corpus, computed with Spark.

    Parameters
    ----------
    spark : SparkSession
    parquet : str
        Parquet path (any Spark URI) with columns ``pos`` (int64, the position of the
        document when sorted by id, ``0..n-1``), ``text`` and optionally ``bp``
        (the document's boilerplate spans, flattened ``[start, end, ...]``, from
        :func:`lineage.boilerplate.boilerplate_spans`) and ``rank`` (int64, the order
        in which a huge LSH group links its members, as
        :func:`lineage.candidates.lsh_candidates`' ``priority``; ``pos`` when absent).
    config : Config, optional
    n_docs : int, optional
        Number of documents (counted when not given).

    Returns
    -------
    ndarray of int64, shape (n_pairs, 2)
        Positions ``a < b``, sorted, distinct: the union of LSH pairs and TF-IDF
        blocking neighbours, equal to the local engine's candidates.
    """
    config = config or Config()
    from pyspark.sql import functions as F

    docs = spark.read.parquet(parquet)
    if "bp" not in docs.columns:  # no boilerplate spans given: none are left out
        docs = docs.withColumn("bp", F.expr("cast(array() as array<long>)"))
    if "rank" not in docs.columns:
        docs = docs.withColumn("rank", F.col("pos"))
    docs = docs.select("pos", "rank", "text", "bp")
    if n_docs is None:
        n_docs = docs.count()
    parts = max(spark.sparkContext.defaultParallelism, 1) * 2
    feats = docs.repartition(parts).mapInPandas(
        _featurize(config), schema="pos long, rank long, keys array<long>, "
                                   "terms array<string>, tfs array<int>, firsts array<int>, "
                                   "fps array<long>"
    ).persist()
    found = [_lsh_pairs(feats)]
    if n_docs >= 2:
        found.append(_tfidf_pairs(feats, config, n_docs))
    union = found[0] if len(found) == 1 else found[0].unionByName(found[1])
    pdf = union.distinct().toPandas()
    feats.unpersist()
    pairs = pdf[["a", "b"]].to_numpy(dtype=np.int64).reshape(-1, 2)
    return candidate_pairs.union_pairs(pairs)


# -- executor side: per-partition functions ----------------------------------------


def _featurize(config: Config) -> Callable[[Iterator[pd.DataFrame]], Iterator[pd.DataFrame]]:
    """Per partition: LSH band keys and word-feature counts of each document (with its
    ``pos`` and ``rank``)."""
    shingle_cfg, num_perm, seed = config.shingle, config.sketch.num_perm, config.seed
    threshold = config.sketch.threshold
    sample = config.candidates.fingerprint_sample

    def run(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        from lineage.boilerplate import evidence_shingles, strip_boilerplate
        from lineage.normalize import tokenize
        from lineage.sketch import minhash_signatures
        from lineage.vectorize import word_features

        bands, rows = candidate_pairs.lsh_params(threshold, num_perm)
        for batch in batches:
            texts = batch["text"].tolist()
            spans = [np.asarray(b if b is not None else [], dtype=np.int64).reshape(-1, 2)
                     for b in batch["bp"]]
            shingles = [evidence_shingles(tokenize(t), sp, shingle_cfg)[2]
                        for t, sp in zip(texts, spans, strict=True)]
            texts = [strip_boilerplate(t, sp) for t, sp in zip(texts, spans, strict=True)]
            sigs = minhash_signatures(shingles, num_perm=num_perm, seed=seed, jobs=1)
            keys = np.column_stack(
                [candidate_pairs._row_keys(np.ascontiguousarray(sigs[:, b * rows:(b + 1) * rows]))
                 for b in range(bands)]
            ).view(np.int64) if len(texts) else np.empty((0, bands), dtype=np.int64)
            empty = np.array([len(s) == 0 for s in shingles], dtype=bool)
            out_keys, terms, tfs, firsts = [], [], [], []
            fps = [candidate_pairs.fingerprints(s, sample).astype(np.int64).tolist()
                   if sample > 0 else [] for s in shingles]
            for i, text in enumerate(texts):
                out_keys.append(None if empty[i] else keys[i].tolist())
                counts: Counter[str] = Counter()
                first: dict[str, int] = {}
                for k, f in enumerate(word_features(text)):
                    counts[f] += 1
                    first.setdefault(f, k)
                terms.append(list(counts))
                tfs.append(list(counts.values()))
                firsts.append([first[f] for f in counts])
            yield pd.DataFrame({"pos": batch["pos"].to_numpy(),
                                "rank": batch["rank"].to_numpy(), "keys": out_keys,
                                "terms": terms, "tfs": tfs, "firsts": firsts, "fps": fps})

    return run


def _weights(n_docs: int, block_terms: int
             ) -> Callable[[Iterator[pd.DataFrame]], Iterator[pd.DataFrame]]:
    """Per partition: scikit-learn's TF-IDF row of each document, and its top terms.

    Float32 throughout, terms stored in the local engine's in-row order (first
    occurrence in the corpus), normalised by scikit-learn itself: bit-identical rows.
    Top terms of equal weight are taken in term-hash order, the local engine's column
    order.
    """

    def run(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        from sklearn.preprocessing import normalize

        from lineage.wordvectors import feature_hash

        def hashes(terms) -> np.ndarray:
            return np.fromiter(map(feature_hash, terms), dtype=np.uint64, count=len(terms))

        for batch in batches:
            out_w, out_top = [], []
            for terms, tfs, dfs in zip(batch["terms"], batch["tfs"], batch["dfs"],
                                       strict=True):
                tf = np.asarray(tfs, dtype=np.float32)
                df = np.asarray(dfs, dtype=np.float32) + np.float32(1)
                idf = np.full_like(df, n_docs + 1, dtype=np.float32)
                idf /= df
                np.log(idf, out=idf)
                idf += np.float32(1)
                np.log(tf, out=tf)
                tf += np.float32(1)
                tf *= idf
                row = sp.csr_matrix((tf, np.arange(len(tf)), [0, len(tf)]),
                                    shape=(1, len(tf)))
                w = normalize(row, norm="l2", copy=False).data
                # equal weights by term hash, as the local engine's columns
                order = np.lexsort((hashes(terms), -w))
                out_w.append(w.tolist())
                out_top.append(order[:block_terms].tolist())
            yield pd.DataFrame({"pos": batch["pos"].to_numpy(), "terms": batch["terms"],
                                "okeys": batch["okeys"], "weights": out_w, "top": out_top})

    return run


def _cosines(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """Per partition: word cosine of each pair with the local engine's own function.

    Each pair's two rows keep the local in-row term order; columns are numbered in
    the local (alphabetical) order; a guard row keeps scipy on the same code path
    (rows with unsorted indices) as for the corpus-wide matrix. The cosines are
    therefore bit-identical to :func:`lineage.candidates.tfidf_candidates`'s.
    """
    for batch in batches:
        for lo in range(0, len(batch), _COSINE_CHUNK):
            yield _cosine_chunk(batch.iloc[lo:lo + _COSINE_CHUNK])


def _cosine_chunk(batch: pd.DataFrame) -> pd.DataFrame:
    n = len(batch)
    rows = [*batch["terms_a"], *batch["terms_b"], ["\uffff1", "\uffff0"]]
    weights = [*batch["w_a"], *batch["w_b"], [1.0, 1.0]]
    flat = np.concatenate([np.asarray(r, dtype=object) for r in rows])
    names, cols = np.unique(flat, return_inverse=True)
    indptr = np.r_[0, np.cumsum([len(r) for r in rows])]
    data = np.concatenate([np.asarray(w, dtype=np.float32) for w in weights])
    matrix = sp.csr_matrix((data, cols.astype(np.int32), indptr), shape=(len(rows), len(names)))
    pairs = np.column_stack([np.r_[np.arange(n), 2 * n], np.r_[np.arange(n) + n, 2 * n]])
    cos = candidate_pairs.rowwise_cosine(matrix, pairs)[:n]
    return pd.DataFrame({"a": batch["a"].to_numpy(), "b": batch["b"].to_numpy(), "cos": cos})


# -- the Spark jobs ---------------------------------------------------------------


def _pairs_of(members: str, first: int | None = None) -> str:
    """SQL for all pairs ``(m[i], m[j])``, ``i < j``, of an array column.

    With ``first``, only ``i < first`` (a huge group linked to its first members).
    """
    last = f"least(size({members}) - 1, {first})" if first else f"size({members}) - 1"
    return (f"flatten(transform(sequence(0, {last} - 1), i -> transform("
            f"sequence(i + 1, size({members}) - 1), j -> "
            f"named_struct('a', {members}[i], 'b', {members}[j]))))")


def _lsh_pairs(feats: DataFrame) -> DataFrame:
    """Pairs sharing a band key: exploded ``(band, key, pos, rank)`` rows grouped by
    key, members in ``rank`` order (then by position), so that a huge group links every
    member to the same first members as the local engine."""
    from pyspark.sql import functions as F

    groups = (feats.where(F.col("keys").isNotNull())
              .select("pos", "rank", F.posexplode("keys").alias("band", "key"))
              .groupBy("band", "key")
              .agg(F.array_sort(F.collect_list(F.struct("rank", "pos"))).alias("s"))
              .where(F.size("s") > 1)
              .select(F.expr("transform(s, x -> x.pos)").alias("m")))
    return groups.select(F.explode(F.expr(_pairs_of("m", _MAX_BUCKET))).alias("p")).select(
        F.least("p.a", "p.b").alias("a"), F.greatest("p.a", "p.b").alias("b"))


def _tfidf_pairs(feats: DataFrame, config: Config, n_docs: int) -> DataFrame:
    """Rare-term blocking on Spark: TF-IDF neighbours as :func:`tfidf_candidates`."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    cfg = config.candidates
    by_term = Window.partitionBy("term")
    zipped = (
        feats.select("pos", F.explode(F.arrays_zip("terms", "tfs", "firsts")).alias("t"))
        .select("pos", F.col("t.terms").alias("term"), F.col("t.tfs").alias("tf"),
                F.col("t.firsts").alias("first"))
        .withColumn("df", F.count("*").over(by_term))
        .withColumn("okey", F.min(F.col("pos") * F.lit(1 << _KEY_SHIFT) + F.col("first"))
                    .over(by_term))
    )
    vectors = (
        zipped.groupBy("pos")
        .agg(F.sort_array(F.collect_list(F.struct("okey", "term", "tf", "df"))).alias("v"))
        .select("pos", F.col("v.term").alias("terms"), F.col("v.tf").alias("tfs"),
                F.col("v.df").alias("dfs"), F.col("v.okey").alias("okeys"))
        .mapInPandas(_weights(n_docs, cfg.block_terms),
                     schema="pos long, terms array<string>, okeys array<long>, "
                            "weights array<float>, top array<int>")
        .persist()
    )
    # fingerprints block like terms (a prefix no word feature has keeps them apart)
    prefix = F.lit(candidate_pairs.FINGERPRINT_PREFIX)
    fingerprints = feats.select("pos", F.explode("fps").alias("fp")).select(
        "pos", F.concat(prefix, F.col("fp").cast("string")).alias("term"))
    blocks = (vectors.select("pos", F.explode(F.expr("transform(top, i -> terms[i])"))
                             .alias("term"))
              .unionByName(fingerprints)
              .groupBy("term").agg(F.array_sort(F.collect_list("pos")).alias("m"))
              .where((F.size("m") >= 2) & (F.size("m") <= cfg.max_block_df)))
    blocked = (blocks.select(F.explode(F.expr(_pairs_of("m"))).alias("p"))
               .groupBy("p.a", "p.b").count()
               .where(F.col("count") >= cfg.min_shared_terms))
    va = vectors.select(F.col("pos").alias("a"), F.col("terms").alias("terms_a"),
                        F.col("weights").alias("w_a"))
    vb = vectors.select(F.col("pos").alias("b"), F.col("terms").alias("terms_b"),
                        F.col("weights").alias("w_b"))
    scored = (blocked.join(va, "a").join(vb, "b")
              .select("a", "b", "terms_a", "w_a", "terms_b", "w_b")
              .mapInPandas(_cosines, schema="a long, b long, cos double")
              .where(F.col("cos") >= cfg.min_cosine))
    sides = scored.select(F.col("a").alias("node"), "a", "b", "cos", F.lit(0).alias("side"),
                          F.col("b").alias("other")).unionByName(
        scored.select(F.col("b").alias("node"), "a", "b", "cos", F.lit(1).alias("side"),
                      F.col("a").alias("other")))
    best = Window.partitionBy("node").orderBy(F.desc("cos"), "side", "other")
    return (sides.withColumn("r", F.row_number().over(best))
            .where(F.col("r") <= cfg.neighbours).select("a", "b"))
