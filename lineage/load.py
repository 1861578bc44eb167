r"""Load a corpus into the ``documents`` table: a folder of text and HTML files, or a table file.

The result has exactly the columns :data:`lineage.schema.DOCUMENT_COLUMNS`. Text from
``.txt`` and ``.md`` files is kept as decoded (only a leading BOM is removed and ``"\\r\\n"``
becomes ``"\\n"``), because later stages report character offsets into it. Problems that can
be worked around (a file that is binary, empty or not UTF-8; a date that cannot be read) are
reported through ``warn``, one line each; problems that cannot raise :class:`LineageError`.

An HTML page gives its article, not the site around it: the page's ``<main>`` (or its
longest ``<article>``), without navigation, asides, forms and footers. Its outlet, date
and address come from the page's own metadata, as news sites publish them for search
engines and social networks: Open Graph and ``article:`` tags, ``<meta name=...>`` dates,
schema.org JSON-LD (``publisher``, ``datePublished``), ``<time datetime>`` and the
canonical link. A Markdown file's leading ``---`` front matter gives the same columns.
"""

from __future__ import annotations

import codecs
import datetime
import html
import io
import json
import re
import unicodedata
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
from bs4 import BeautifulSoup, NavigableString
from charset_normalizer import from_bytes

from lineage.errors import LineageError
from lineage.schema import DOCUMENT_COLUMNS

__all__ = ["COLUMN_ALIASES", "LineageWarning", "load_documents", "read_text_file"]

#: Name used in messages for a DataFrame or an iterable of mappings.
_TABLE_NAME = "<table>"

_TEXT_SUFFIXES = (".txt", ".md")
_HTML_SUFFIXES = (".html", ".htm")
_JSONL_SUFFIXES = (".jsonl", ".ndjson")
_SNIFF_BYTES = 8192
_SPACES = re.compile(r"\s+")
_NONSENSE_SHARE = 0.3
_DROP_TAGS = ("script", "style", "noscript", "template", "head")
#: Page furniture around an article: navigation, asides (related links), forms,
#: buttons and footers; a ``<header>`` only outside the article (the site's masthead).
_CHROME_TAGS = ("nav", "aside", "form", "button", "menu", "dialog", "footer", "iframe", "svg")
#: Where pages state their outlet, date and address (first found wins).
_META_SOURCE = (("property", "og:site_name"), ("name", "application-name"),
                ("name", "publisher"), ("itemprop", "publisher"))
_META_DATE = (("property", "article:published_time"), ("itemprop", "datePublished"),
              ("name", "article:published_time"), ("name", "pubdate"),
              ("name", "publishdate"), ("name", "publish-date"), ("name", "date"),
              ("name", "dc.date.issued"), ("name", "dc.date"), ("name", "dcterms.created"),
              ("name", "parsely-pub-date"), ("name", "sailthru.date"),
              ("property", "og:published_time"))
_META_URL = (("property", "og:url"),)
_BLOCK_TAGS = (
    "address", "article", "aside", "blockquote", "caption", "dd", "details", "div", "dl", "dt",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "td", "th", "tr", "ul",
)  # fmt: skip
_JSON_TYPES = {"list": "an array", "str": "a string", "int": "a number", "float": "a number",
               "bool": "a boolean", "NoneType": "null"}  # fmt: skip


class LineageWarning(UserWarning):
    """A problem lineage worked around: a file skipped, a value set to missing."""


def load_documents(
    source: str | Path | pd.DataFrame | Iterable[Mapping[str, Any]],
    *,
    warn: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Load a corpus as the ``documents`` table.

    Parameters
    ----------
    source : str, Path, DataFrame or iterable of mappings
        A folder (every ``.txt``, ``.md``, ``.html`` and ``.htm`` file below it, hidden files
        and folders excepted); one such file; a ``.jsonl``/``.ndjson``, ``.json`` (an array
        of objects, or an object holding one), ``.csv`` or ``.parquet`` table; or a
        DataFrame or records with at least ``id`` and ``text``
        (optional ``title``, ``source``, ``url``, ``published``; other columns are dropped).
    warn : callable, optional
        Receives each one-line warning. Default: :func:`warnings.warn` with
        :class:`LineageWarning`.

    Returns
    -------
    DataFrame
        Columns ``id, text, title, source, url`` (object dtype, ``""`` when missing) and
        ``published`` (``datetime64[ns, UTC]``, ``NaT`` when missing); one row per document,
        sorted by ``id`` for a folder, in input order for a table. ``id`` is unique: a file's
        stem, or its relative path without suffix where stems repeat.

    Raises
    ------
    LineageError
        Missing path, unsupported file type, unreadable table, no ``id`` or ``text`` column,
        duplicate ids, or no documents left to load.
    """
    warn = warn or _default_warn
    if isinstance(source, pd.DataFrame):
        docs, name = _from_frame(source, _TABLE_NAME, warn), _TABLE_NAME
    elif isinstance(source, (str, Path)):
        docs, name = _from_path(Path(source), warn), str(source)
    else:
        docs, name = _from_frame(_records_frame(source), _TABLE_NAME, warn), _TABLE_NAME
    return _cut_long(docs, name, warn)


#: Characters of a document that are read (about 33,000 words, fifty long news
#: articles): comparing a text's sentences with one another costs the square of their
#: number, and two copies of a 2 MB book ran a 24 GB machine out of memory.
MAX_CHARS = 200_000


def _cut_long(docs: pd.DataFrame, name: str, warn: Callable[[str], None]) -> pd.DataFrame:
    """``docs`` with each text longer than :data:`MAX_CHARS` cut there, with a warning."""
    long = np.flatnonzero(docs["text"].str.len().to_numpy() > MAX_CHARS)
    if not len(long):
        return docs
    ids = docs["id"].to_numpy()[long]
    shown = ", ".join(f"'{i}'" for i in ids[:3]) + (f" and {len(ids) - 3} more"
                                                   if len(ids) > 3 else "")
    warn(f"{name}: {len(ids)} document(s) longer than {MAX_CHARS:,} characters, read up to "
         f"there ({shown}): lineage compares news articles, not books")
    docs = docs.copy()
    docs.loc[docs.index[long], "text"] = [t[:MAX_CHARS] for t in docs["text"].to_numpy()[long]]
    return docs


def read_text_file(path: str | Path) -> tuple[str, str | None]:
    r"""Read and decode a text file the way :func:`load_documents` does.

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    text : str
        The decoded text, leading BOM removed and ``"\\r\\n"`` turned into ``"\\n"``.
    encoding : str or None
        ``None`` for UTF-8, else the codec used (``"cp1252"`` unless another is detected).

    Raises
    ------
    LineageError
        The file cannot be read or looks binary.
    """
    try:
        return _decode(Path(path).read_bytes())
    except (_Skipped, OSError) as exc:
        raise LineageError(f"{path}: {_reason(exc)}") from None


class _Skipped(Exception):
    """A document file that is left out; the message says why ("empty", "binary file")."""


def _default_warn(message: str) -> None:
    warnings.warn(message, LineageWarning, stacklevel=2)


def _reason(exc: Exception) -> str:
    return (exc.strerror or str(exc)) if isinstance(exc, OSError) else str(exc)


def _from_path(path: Path, warn: Callable[[str], None]) -> pd.DataFrame:
    if not path.exists():
        raise LineageError(f"{path}: no such file or folder")
    if path.is_dir():
        if path.suffix.lower() == ".parquet" or _parquet_only(path):
            out = _from_frame(_read_parquet(path), str(path), warn)
            _release_arrow_memory()
            return out
        return _from_folder(path, warn)
    suffix = path.suffix.lower()
    if suffix in _TEXT_SUFFIXES + _HTML_SUFFIXES:
        try:
            row = _read_document(path, warn)
        except (_Skipped, OSError) as exc:
            raise LineageError(f"{path}: {_reason(exc)}") from None
        return _documents_from_rows([(path.stem, *row)])
    if suffix in _JSONL_SUFFIXES:
        frame, labels = _read_jsonl(path, warn)
        return _from_frame(frame, str(path), warn, labels)
    if suffix == ".json":
        frame, labels = _read_json(path, warn)
        return _from_frame(frame, str(path), warn, labels)
    if suffix == ".csv":
        return _from_frame(_read_csv(path, warn), str(path), warn)
    if suffix == ".parquet":
        out = _from_frame(_read_parquet(path), str(path), warn)
        _release_arrow_memory()  # the Arrow table is gone; give its pages back
        return out
    raise LineageError(
        f"{path}: unsupported file type '{suffix}' (expected a folder, .txt, .md, .html, "
        ".json, .jsonl, .ndjson, .csv or .parquet)"
    )


def _from_folder(folder: Path, warn: Callable[[str], None]) -> pd.DataFrame:
    # a lineage report inside the corpus (lineage report . writes reports/ there) is
    # not news: its charts.txt and report.html would be read as articles
    reports = sorted({s.parent for s in folder.rglob("summary.json")
                      if (s.parent / "pairs.csv").is_file()})
    for report in reports:
        warn(f"{report}: a lineage report folder, skipped")
    files = sorted(
        (p for p in folder.rglob("*") if _is_document(p.relative_to(folder)) and p.is_file()
         and not any(r == p.parent or r in p.parents for r in reports)),
        key=lambda p: p.relative_to(folder).as_posix(),
    )
    if not files:
        raise LineageError(f"{folder}: no .txt, .md or .html documents found")
    rows = []
    for doc_id, path in sorted(zip(_file_ids(folder, files), files, strict=True)):
        try:
            rows.append((doc_id, *_read_document(path, warn)))
        except (_Skipped, OSError) as exc:
            warn(f"{path}: {_reason(exc)}, skipped")
    if not rows:
        raise LineageError(
            f"{folder}: no readable documents (all {len(files)} .txt, .md or .html files "
            "were skipped: empty, binary or unreadable)"
        )
    return _documents_from_rows(rows)


def _documents_from_rows(rows: Sequence[tuple]) -> pd.DataFrame:
    """The ``documents`` table from ``(id, text, title, source, url, published)`` rows."""
    ids, texts, titles, sources, urls, published = zip(*rows, strict=True)
    return _documents(ids, texts, titles, sources, urls,
                      pd.Series(list(published), dtype="datetime64[ns, UTC]"))


def _is_document(relative: Path) -> bool:
    """A text or HTML file with no hidden file or folder in its path."""
    hidden = any(part.startswith(".") for part in relative.parts)
    return not hidden and relative.suffix.lower() in _TEXT_SUFFIXES + _HTML_SUFFIXES


def _file_ids(folder: Path, files: Sequence[Path]) -> list[str]:
    stems = Counter(p.stem for p in files)
    ids = [
        p.stem if stems[p.stem] == 1 else p.relative_to(folder).with_suffix("").as_posix()
        for p in files
    ]
    seen: dict[str, Path] = {}
    for doc_id, path in zip(ids, files, strict=True):
        if doc_id in seen:
            raise LineageError(
                f"{folder}: duplicate id '{doc_id}' (files {seen[doc_id]} and {path})"
            )
        seen[doc_id] = path
    return ids


def _read_document(path: Path, warn: Callable[[str], None]
                   ) -> tuple[str, str, str, str, pd.Timestamp]:
    """Text, title, source, url and publication time of one document file (the last
    three from an HTML page's metadata); raise :class:`_Skipped` if it has no text."""
    text, encoding = _decode(path.read_bytes())
    if not text.strip():
        raise _Skipped("empty")
    if encoding is not None:
        warn(f"{path}: not UTF-8, decoded as {encoding}")
    if path.suffix.lower() in _HTML_SUFFIXES:
        page = _html_page(text)
        if not page["text"]:
            raise _Skipped("empty")
        published = _published(page["published"], f"{path}", "the page's metadata", warn)
        return page["text"], page["title"], page["source"], page["url"], published
    meta: dict[str, str] = {}
    if path.suffix.lower() == ".md":
        text, meta = _front_matter(text)
        if not text.strip():
            raise _Skipped("empty")
    title = meta.get("title") or _first_line(text)
    if path.suffix.lower() == ".md":
        title = title.lstrip("#").strip()
    published = _published(meta.get("published", ""), f"{path}", "the front matter", warn)
    return text, title, meta.get("source", ""), meta.get("url", ""), published


def _published(value: str, name: str, where: str, warn: Callable[[str], None]
               ) -> pd.Timestamp:
    """A file's publication date as :func:`_to_utc` reads it; ``NaT``, with a warning
    naming the file and ``where`` the date stood, if it cannot be read."""
    stamp = _to_utc(value)
    if stamp is None:
        warn(f"{name}: unparseable publication date {value[:40]!r} in {where}, set to missing")
        return pd.NaT
    return stamp


#: Other names tables give the document columns, most common first: a column is read
#: under its document name when the table has no column of that name. Names match
#: case-insensitively, with spaces and hyphens as underscores.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("doc_id", "document_id", "article_id", "docid", "uuid", "guid"),
    "text": ("body", "content", "full_text", "fulltext", "article_text", "body_text",
             "maintext"),
    "title": ("headline", "heading"),
    "source": ("outlet", "publication", "publisher", "newspaper", "source_name", "media",
               "site", "agency"),
    "url": ("link", "permalink", "uri"),
    "published": ("date", "published_at", "publish_date", "pub_date", "publication_date",
                  "date_published", "pubdate", "datetime", "timestamp"),
}


#: Front-matter keys read for each documents column (Jekyll, Hugo and the like): the
#: column's name and its other names, and two of Hugo's.
_FRONT_KEYS = {key: column for column in ("title", "source", "url", "published")
               for key in (column, *COLUMN_ALIASES[column])} | {"canonical": "url",
                                                                  "publishdate": "published"}
_FRONT = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)


def _front_matter(text: str) -> tuple[str, dict[str, str]]:
    """A Markdown file's text without its leading ``---`` front matter, and the
    documents columns that front matter gives (``key: value`` lines; quotes removed;
    other keys and nested values ignored)."""
    match = _FRONT.match(text)
    if match is None:
        return text, {}
    meta: dict[str, str] = {}
    for line in match.group(1).split("\n"):
        key, sep, value = line.partition(":")
        column = _FRONT_KEYS.get(key.strip().lower())
        value = value.strip().strip("'\"").strip()
        if sep and column and value and column not in meta and not line[:1].isspace():
            meta[column] = value
    return text[match.end():].lstrip("\n"), meta


def _decode(data: bytes) -> tuple[str, str | None]:
    """Decoded text and the codec (``None`` for UTF-8); raise :class:`_Skipped` if binary."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, encoding = data.decode("utf-16", errors="replace"), "utf-16"
    elif b"\0" in data[:_SNIFF_BYTES]:
        raise _Skipped("binary file")
    else:
        try:
            text, encoding = data.decode("utf-8-sig"), None
        except UnicodeDecodeError:
            text, encoding = _decode_legacy(data)
    if _is_nonsense(text[:_SNIFF_BYTES]):
        raise _Skipped("binary file")
    return text.removeprefix("\ufeff").replace("\r\n", "\n"), encoding


def _decode_legacy(data: bytes) -> tuple[str, str]:
    """Decode non-UTF-8 bytes: cp1252 unless detection finds coherent non-Latin text."""
    match = from_bytes(data).best()
    try:
        western = data.decode("cp1252")
    except UnicodeDecodeError:
        western = None
    if match is not None and (
        western is None or (match.coherence > 0 and not _is_latin(str(match)))
    ):
        return str(match), match.encoding
    return western or data.decode("cp1252", errors="replace"), "cp1252"


def _is_latin(text: str) -> bool:
    letters = (c for c in set(text) if ord(c) > 127 and c.isalpha())
    return all(unicodedata.name(c, "").startswith("LATIN") for c in letters)


def _is_nonsense(text: str) -> bool:
    bad = sum(c == "\ufffd" or (unicodedata.category(c) == "Cc" and not c.isspace()) for c in text)
    return bad > _NONSENSE_SHARE * len(text)


def _html_page(markup: str) -> dict[str, str]:
    """``text``, ``title``, ``source``, ``url`` and ``published`` (as written) of a page.

    The text is the page's ``<main>``, else its longest ``<article>``, else its body,
    without scripts, navigation, asides, forms, footers and the site's header.
    """
    soup = BeautifulSoup(markup, "html.parser")
    meta = _page_metadata(soup)
    heading = soup.title or soup.find("h1")
    title = meta.pop("title") or _without_site(
        " ".join(heading.get_text().split()) if heading else "", meta["source"])
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    root = _article_root(soup)
    if root.name not in ("main", "article"):  # the site's masthead, not the article's
        for tag in root.find_all("header"):
            tag.decompose()
    for tag in root.find_all(_CHROME_TAGS):
        tag.decompose()
    for node in root.find_all(string=True):
        if type(node) is NavigableString and node.find_parent("pre") is None:
            node.replace_with(_SPACES.sub(" ", node))
    for tag in root.find_all("br"):
        tag.replace_with("\n")
    for tag in root.find_all(_BLOCK_TAGS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    text = _collapse_blank_lines(" ".join(line.split()) for line in root.get_text().split("\n"))
    return {"text": text, "title": title or _first_line(text), **meta}


def _without_site(title: str, site: str) -> str:
    """``title`` less a trailing "| Site", "- Site" or "— Site" naming the outlet."""
    if site:
        match = re.search(rf"\s+[|\-\u2013\u2014:]+\s+{re.escape(site)}\s*$", title, re.I)
        if match and match.start() > 0:
            return title[: match.start()]
    return title


def _article_root(soup: BeautifulSoup) -> Any:
    """The element that holds the article: the one ``<main>``, else the ``<article>``
    with the most text (teasers for other stories are articles too), else the body."""
    mains = soup.find_all("main")
    if len(mains) == 1:
        return mains[0]
    articles = soup.find_all("article")
    if articles:
        return max(articles, key=lambda tag: len(tag.get_text(" ", strip=True)))
    return soup.body or soup


def _page_metadata(soup: BeautifulSoup) -> dict[str, str]:
    """``title``, ``source``, ``url`` and ``published`` from a page's metadata ("" when
    absent): meta tags first, then schema.org JSON-LD, then ``<time datetime>``."""

    def meta(keys: tuple[tuple[str, str], ...]) -> str:
        for attr, name in keys:
            tag = soup.find("meta", attrs={attr: re.compile(f"^{re.escape(name)}$", re.I)})
            value = tag.get("content", "") if tag else ""
            if isinstance(value, str) and value.strip():
                return " ".join(value.split())
        return ""

    linked = _json_ld(soup)
    canonical = soup.find("link", rel="canonical")
    time_tag = soup.find("time", attrs={"datetime": True})
    return {
        "title": meta((("property", "og:title"),)) or _ld_text(linked, "headline"),
        "source": meta(_META_SOURCE) or _ld_text(linked, "publisher", "name"),
        "url": (canonical.get("href", "").strip() if canonical else "") or meta(_META_URL)
        or _ld_text(linked, "url"),
        "published": meta(_META_DATE) or _ld_text(linked, "datePublished")
        or (time_tag["datetime"].strip() if time_tag else ""),
    }


def _json_ld(soup: BeautifulSoup) -> list[dict]:
    """The schema.org objects of a page's JSON-LD scripts (``@graph`` unfolded); a
    script that is not valid JSON is passed over."""
    found: list[dict] = []
    for script in soup.find_all("script", type=re.compile("ld\\+json", re.I)):
        try:
            data = json.loads(script.string or "")
        except (ValueError, RecursionError):
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, dict):
                found.append(item)
                stack.extend(x for x in item.get("@graph", []) if isinstance(x, dict))
    # an article's own object first (NewsArticle, Article, ...), then the rest
    return sorted(found, key=lambda x: "Article" not in str(x.get("@type", "")))


def _ld_text(objects: list[dict], key: str, inner: str | None = None) -> str:
    """The first plain-text value of ``key`` (or of ``key.inner``) among ``objects``."""
    for obj in objects:
        value = obj.get(key)
        if isinstance(value, list) and value:
            value = value[0]
        if inner is not None:
            value = value.get(inner) if isinstance(value, dict) else None
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return ""


def _collapse_blank_lines(lines: Iterable[str]) -> str:
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    return "\n".join(kept).strip("\n")


#: A title guessed from a text's first line is cut to its first sentence, and to this
#: many characters at a word boundary: a file whose first line is a paragraph has none.
_TITLE_CHARS = 150


def _at(message: str) -> str:
    """A JSON error message followed by where ("... starting at" already says "at")."""
    return message if message.endswith(" at") else f"{message} at"


def _first_line(text: str) -> str:
    """A title guessed from ``text``: its first non-empty line, or that line's first
    sentence when it is longer than :data:`_TITLE_CHARS` (then cut there, with "…")."""
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if len(line) <= _TITLE_CHARS:
        return line
    from lineage.normalize import split_sentences

    spans = split_sentences(line)
    first = line[spans[0][0]:spans[0][1]].strip() if spans else line
    if len(first) <= _TITLE_CHARS:
        return first
    cut = first.rfind(" ", 0, _TITLE_CHARS)
    return first[: cut if cut > _TITLE_CHARS // 2 else _TITLE_CHARS].rstrip(" ,;:") + "…"


def _read_table_text(path: Path, warn: Callable[[str], None], kind: str) -> str:
    try:
        text, encoding = _decode(path.read_bytes())
    except (_Skipped, OSError) as exc:
        raise LineageError(f"{path}: not a readable {kind} file ({_reason(exc)})") from None
    if encoding is not None:
        warn(f"{path}: not UTF-8, decoded as {encoding}")
    return text


def _read_jsonl(path: Path, warn: Callable[[str], None]) -> tuple[pd.DataFrame, list[str]]:
    return _jsonl_records(_read_table_text(path, warn, "JSONL"), path)


def _jsonl_records(text: str, path: Path) -> tuple[pd.DataFrame, list[str]]:
    """One JSON object per line of ``text`` (blank lines skipped), labelled by line."""
    records, labels = [], []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise LineageError(
                f"{path}: line {number} is not valid JSON ({_at(exc.msg)} column {exc.colno})"
            ) from None
        except RecursionError:
            raise LineageError(f"{path}: line {number} is JSON nested too deeply") from None
        if not isinstance(record, dict):
            kind = _JSON_TYPES.get(type(record).__name__, type(record).__name__)
            raise LineageError(f"{path}: line {number} is not a JSON object (got {kind})")
        records.append(record)
        labels.append(f"line {number}")
    return pd.DataFrame(records, dtype=object), labels


def _read_json(path: Path, warn: Callable[[str], None]) -> tuple[pd.DataFrame, list[str]]:
    """A ``.json`` file: an array of objects, or an object holding one such array (an
    API dump's ``{"articles": [...]}``); one object per line is read as JSONL."""
    text = _read_table_text(path, warn, "JSON")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":  # one object per line: JSON Lines under .json
            return _jsonl_records(text, path)
        raise LineageError(f"{path}: not valid JSON ({_at(exc.msg)} line {exc.lineno} "
                           f"column {exc.colno})") from None
    except RecursionError:
        raise LineageError(f"{path}: JSON nested too deeply") from None
    if isinstance(data, dict):
        lists = [k for k, v in data.items()
                 if isinstance(v, list) and v and all(isinstance(x, dict) for x in v)]
        if len(lists) != 1:
            raise LineageError(f"{path}: expected an array of objects, or an object holding "
                               f"one (got an object with {len(lists)} arrays of objects)")
        data = data[lists[0]]
    if not isinstance(data, list):
        kind = _JSON_TYPES.get(type(data).__name__, type(data).__name__)
        raise LineageError(f"{path}: expected an array of objects (got {kind})")
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            kind = _JSON_TYPES.get(type(item).__name__, type(item).__name__)
            raise LineageError(f"{path}: item {number} is not a JSON object (got {kind})")
    return (pd.DataFrame(data, dtype=object),
            [f"item {number}" for number in range(1, len(data) + 1)])


def _read_csv(path: Path, warn: Callable[[str], None]) -> pd.DataFrame:
    text = _read_table_text(path, warn, "CSV")
    try:
        # index_col=False: a row with more fields than the header would otherwise
        # make its first fields an index, and shift its id and text silently
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                                index_col=False)
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    except pd.errors.ParserError as exc:
        raise LineageError(f"{path}: not a readable CSV file ({_first_line(str(exc))})") from None
    if any(issubclass(w.category, pd.errors.ParserWarning) for w in caught):
        raise LineageError(f"{path}: {_long_row(text)}")
    return frame


def _long_row(text: str) -> str:
    """Which row of a CSV has more fields than its header (read again, only on error)."""
    import csv

    rows = csv.reader(io.StringIO(text))
    width = len(next(rows, []))
    for n, row in enumerate(rows, start=1):
        if len(row) > width:
            return (f"row {n} has {len(row)} fields where the header has {width} (a comma "
                    "in an unquoted text?)")
    return f"a row has more fields than the header's {width}"


def _release_arrow_memory() -> None:
    """Return Arrow's cached free memory to the system (it keeps it otherwise)."""
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - pandas reads Parquet through pyarrow
        return
    pa.default_memory_pool().release_unused()


def _read_parquet(path: Path, batch_rows: int = 20_000) -> pd.DataFrame:
    """The table as Python values (object columns), read a batch of rows at a time.

    ``path`` is a file, or a folder of them (a dataset as Spark writes it, partitions
    in ``key=value`` folders read as columns).
    ``pd.read_parquet`` holds the Arrow table and its Python strings at once, and
    pandas' Arrow-backed strings are slow to iterate: together about four times the
    text in memory. Here only one batch of Arrow data is alive at a time.
    """
    import pyarrow.dataset as pads
    import pyarrow.parquet as pq

    try:
        if path.is_dir():  # a dataset: Spark's part files, Hive-style partitions
            table = pads.dataset(path, format="parquet", partitioning="hive")
            names = table.schema.names
            batches = table.to_batches(batch_size=batch_rows)
        else:
            table = pq.ParquetFile(path)
            names = table.schema_arrow.names
            batches = table.iter_batches(batch_size=batch_rows)
        columns: dict[str, list] = {name: [] for name in names}
        for batch in batches:
            for name, values in zip(batch.schema.names, batch.columns, strict=True):
                columns[name] += values.to_pylist()
    except (OSError, ValueError) as exc:
        raise LineageError(
            f"{path}: not a readable Parquet file ({_first_line(str(exc))})"
        ) from None
    return pd.DataFrame({name: pd.Series(values, dtype=object)
                         for name, values in columns.items()})


def _parquet_only(folder: Path) -> bool:
    """A folder holding Parquet files and no article files: a Parquet dataset."""
    found = {p.suffix.lower() for p in folder.rglob("*")
             if p.is_file() and not any(part.startswith((".", "_"))
                                        for part in p.relative_to(folder).parts)}
    return ".parquet" in found and not found & set(_TEXT_SUFFIXES + _HTML_SUFFIXES)


def _records_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    try:
        rows = list(records)
    except TypeError:
        raise LineageError(
            f"{_TABLE_NAME}: expected a path, a DataFrame or an iterable of mappings, "
            f"got {type(records).__name__}"
        ) from None
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, Mapping):
            raise LineageError(
                f"{_TABLE_NAME}: row {number} is not a mapping ({type(row).__name__})"
            )
    return pd.DataFrame([dict(row) for row in rows], dtype=object)


def _from_frame(
    frame: pd.DataFrame, name: str, warn: Callable[[str], None], labels: list[str] | None = None
) -> pd.DataFrame:
    """Check and convert a table of documents; ``labels`` name rows in messages."""
    if frame.empty and len(frame.columns) == 0:
        raise LineageError(f"{name}: no documents (the table is empty)")
    frame = _canonical_columns(frame, name, warn)
    for column in ("text", "id"):
        if column not in frame.columns:
            names = [" ".join(str(c).split()) for c in frame.columns]
            found = ", ".join(n if len(n) <= 30 else n[:29] + "…" for n in names[:8])
            found += f" and {len(names) - 8} more" if len(names) > 8 else ""
            raise LineageError(f"{name}: no '{column}' column (columns: {found})")
    labels = labels or [f"row {n}" for n in range(1, len(frame) + 1)]
    ids = [_to_str(v) for v in frame["id"]]
    texts, odd = zip(*map(_as_text, frame["text"]), strict=True) if len(frame) else ((), ())
    texts = [t.replace("\r\n", "\n") for t in texts]
    not_text = [f"{labels[i]} ({kind})" for i, kind in enumerate(odd) if kind]
    if not_text:
        shown = ", ".join(not_text[:3]) + (f" and {len(not_text) - 3} more"
                                           if len(not_text) > 3 else "")
        warn(f"{name}: {len(not_text)} row(s) whose text is not text skipped ({shown})")
    texts = _unmarked(texts, labels, ids, name, warn)
    keep = [i for i, text in enumerate(texts) if text.strip()]
    skipped = [i for i, text in enumerate(texts) if not text.strip() and not odd[i]]
    _warn_no_text(
        name, [f"{labels[i]} id '{ids[i]}'" if ids[i] else labels[i] for i in skipped], warn
    )
    if not keep:
        raise LineageError(f"{name}: no documents ({len(frame)} rows, none with text)")
    kept = frame.iloc[keep]
    labels, ids, texts = ([seq[i] for i in keep] for seq in (labels, ids, texts))
    _check_ids(ids, labels, name)
    optional = {c: [_to_str(v) for v in kept[c]] for c in ("title", "source", "url") if c in kept}
    if "published" in kept:
        optional["published"] = _parse_published(list(kept["published"]), labels, name, warn)
    return _documents(ids, texts, **optional)


def _canonical_columns(frame: pd.DataFrame, name: str, warn: Callable[[str], None]
                       ) -> pd.DataFrame:
    """``frame`` with its columns for ``id, text, title, source, url, published`` under
    those names (:data:`COLUMN_ALIASES`); one warning lists what was read as what."""
    key = {c: re.sub(r"[\s-]+", "_", str(c).strip().casefold()) for c in frame.columns}
    renames: dict[Any, str] = {}
    for column in DOCUMENT_COLUMNS:
        if column in frame.columns:
            continue
        for wanted in (column, *COLUMN_ALIASES.get(column, ())):
            match = [c for c in frame.columns if key[c] == wanted and c not in renames
                     and c not in DOCUMENT_COLUMNS]
            if match:
                renames[match[0]] = column
                break
    if not renames:
        return frame
    warn(f"{name}: read " + ", ".join(f"column '{c}' as {d}" for c, d in renames.items()))
    return frame.rename(columns=renames)


#: Block tags that show a table's text is HTML (a CMS or feed export), not plain text
#: (inline tags alone, a ``<b>`` quoted in a story, do not).
_MARKUP = re.compile(r"</?(?:p|br|div|li|ul|ol|h[1-6]|table|tr|td|article|section|"
                     r"blockquote|figure|html|body)\b[^<>]*>", re.I)
_ENTITY = re.compile(r"&(?:#\d{2,7}|#x[0-9a-fA-F]{2,6}|[A-Za-z][A-Za-z0-9]{1,7});")


def _unmarked(texts: list[str], labels: list[str], ids: list[str], name: str,
              warn: Callable[[str], None]) -> list[str]:
    """Table texts that hold HTML (two block tags or more) as their visible text, and HTML
    entities (``&#8217;``, ``&amp;``) decoded, so that a feed's ``don&#8217;t`` is the
    wire's ``don't``; one warning names how many and the first."""
    out, marked = [], []
    for i, text in enumerate(texts):
        if len(_MARKUP.findall(text, 0, 100_000)) >= 2:
            text = _html_page(text)["text"]
            marked.append(i)
        elif "&" in text and _ENTITY.search(text):
            text = html.unescape(text)
            marked.append(i)
        out.append(text)
    if marked:
        first = marked[0]
        warn(f"{name}: {len(marked)} text(s) held HTML markup or entities, read as HTML "
             f"(first: {labels[first]} id '{ids[first]}')")
    return out


def _warn_no_text(name: str, rows: list[str], warn: Callable[[str], None]) -> None:
    if rows:
        shown = ", ".join(rows[:3]) + (f" and {len(rows) - 3} more" if len(rows) > 3 else "")
        warn(f"{name}: {len(rows)} row(s) with no text skipped ({shown})")


def _check_ids(ids: list[str], labels: list[str], name: str) -> None:
    seen: dict[str, str] = {}
    for doc_id, label in zip(ids, labels, strict=True):
        if not doc_id:
            raise LineageError(f"{name}: {label} has no id")
        if doc_id in seen:
            raise LineageError(f"{name}: duplicate id '{doc_id}' ({_both(seen[doc_id], label)})")
        seen[doc_id] = label


def _both(first: str, second: str) -> str:
    """``"rows 3 and 7"`` from ``"row 3"`` and ``"row 7"``."""
    kind, number = first.split(" ", 1)
    if second.startswith(f"{kind} "):
        return f"{kind}s {number} and {second.split(' ', 1)[1]}"
    return f"{first} and {second}"


def _parse_published(
    values: list[Any], labels: list[str], name: str, warn: Callable[[str], None]
) -> pd.Series:
    values = _day_month_order(values, name, warn)
    stamps, bad = [], []
    for label, value in zip(labels, values, strict=True):
        stamp = _to_utc(value)
        if stamp is None:
            bad.append(f"{label} {str(value)[:40]!r}")
        stamps.append(pd.NaT if stamp is None else stamp)
    if bad:
        warn(
            f"{name}: {len(bad)} unparseable 'published' value(s) set to missing (first: {bad[0]})"
        )
    return pd.Series(stamps, dtype="datetime64[ns, UTC]")


#: A date written with its day and month as numbers first: 03/04/2024, 25.12.2024.
_NUMERIC_DATE = re.compile(r"\s*(\d{1,2})([/.])(\d{1,2})\2(\d{4})\b(.*)", re.S)


def _day_month_order(values: list[Any], name: str, warn: Callable[[str], None]) -> list[Any]:
    """``values`` with dates like 03/04/2024 in ISO order, read by the column's own
    order: day first when some value has a first number above 12 (25/12/2024), month
    first when some has a second number above 12, else month first with a warning
    (03/04/2024 alone could be either)."""
    found = [(i, m) for i, v in enumerate(values)
             if isinstance(v, str) and (m := _NUMERIC_DATE.fullmatch(v))]
    if not found:
        return values
    day_first = any(int(m.group(1)) > 12 for _, m in found)
    month_first = any(int(m.group(3)) > 12 for _, m in found)
    if day_first and month_first:
        warn(f"{name}: 'published' mixes day/month and month/day dates; each read as it "
             "can be (month first when both could be)")
    elif not day_first and not month_first:
        warn(f"{name}: 'published' dates such as {found[0][1].group(0).strip()[:10]!r} could "
             "be day/month or month/day; read as month/day (write ISO dates to be sure)")
    out = list(values)
    for i, m in found:
        first, second = int(m.group(1)), int(m.group(3))
        day, month = ((first, second) if (day_first and not month_first) or first > 12
                      else (second, first))
        out[i] = f"{m.group(4)}-{month:02d}-{day:02d}{m.group(5)}"
    return out


#: A Unix time as feeds give it: seconds (9-10 digits, 1973-2286) or milliseconds
#: (12-13 digits), perhaps with a fraction. Eight digits stay a date (20241118).
_EPOCH = re.compile(r"(\d{9,10}|\d{12,13})(?:\.\d+)?")


#: Time-zone abbreviations that feeds append to a time, as UTC offsets (only the
#: unambiguous ones: IST is India, Ireland and Israel, and is left unread).
_ZONES = {"EST": "-05:00", "EDT": "-04:00", "CST": "-06:00", "CDT": "-05:00",
          "MST": "-07:00", "MDT": "-06:00", "PST": "-08:00", "PDT": "-07:00",
          "BST": "+01:00", "CET": "+01:00", "CEST": "+02:00", "EET": "+02:00",
          "EEST": "+03:00", "MSK": "+03:00", "JST": "+09:00", "KST": "+09:00",
          "HKT": "+08:00", "SGT": "+08:00", "AEST": "+10:00", "AEDT": "+11:00",
          "PKT": "+05:00"}
_ZONE = re.compile(r"\s+([A-Z]{3,4})\s*$")


def _to_utc(value: Any) -> pd.Timestamp | None:
    """A UTC timestamp, ``NaT`` for a missing value, ``None`` if ``value`` cannot be read."""
    if _is_missing(value):
        return pd.NaT
    epoch = _EPOCH.fullmatch(_to_str(value)) if not isinstance(value, datetime.date) else None
    if epoch is not None:  # Unix time: 10 digits of seconds or 13 of milliseconds
        unit = "s" if len(epoch.group(1)) <= 10 else "ms"
        return pd.Timestamp(float(epoch.group(0)), unit=unit, tz="UTC").as_unit("ns")
    if not isinstance(value, datetime.date):
        value = _to_str(value)
        if not value:
            return pd.NaT
        if value.lower() in ("now", "today"):  # pandas would read these as the current time
            return None
        zone = _ZONE.search(value)
        if zone is not None and zone.group(1) in _ZONES:  # "08:00 EST", as RSS feeds write
            value = value[: zone.start()] + " " + _ZONES[zone.group(1)]
    try:
        stamp = pd.Timestamp(value)
        stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
        return stamp.as_unit("ns")
    except (ValueError, TypeError, OverflowError):
        return None


def _as_text(value: Any) -> tuple[str, str]:
    """A text cell as ``(text, "")``; bytes are read as UTF-8. Anything else (a
    number, a list, a record, bytes that are not UTF-8) is ``("", what it is)``:
    its printed form is not the article."""
    if _is_missing(value):
        return "", ""
    if isinstance(value, str):
        return value, ""
    if isinstance(value, bytes | bytearray):
        try:
            return bytes(value).decode("utf-8"), ""
        except UnicodeDecodeError:
            return "", "bytes that are not UTF-8"
    if isinstance(value, bool | np.bool_):
        return "", "a true/false value"
    if isinstance(value, int | float | np.number):
        return "", "a number"
    return "", f"a {type(value).__name__}"


def _to_str(value: Any, *, strip: bool = True) -> str:
    """``value`` as text: ``""`` when missing, ``"3"`` for the float ``3.0``."""
    if _is_missing(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = value if isinstance(value, str) else str(value)
    return text.strip() if strip else text


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, (str, list, tuple, dict, set)):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


_HOST_PREFIX = re.compile(r"^(?:www\d*|m|mobile|amp)\.")


def _outlet_of(url: str) -> str:
    """The host of ``url`` without a leading ``www.``, ``m.`` or ``amp.`` ("" if none)."""
    if not url:
        return ""
    try:
        host = urlsplit(url if "//" in url else f"//{url}").hostname or ""
    except ValueError:
        return ""
    host = _HOST_PREFIX.sub("", host.lower().rstrip("."))
    return host if "." in host else ""


def _documents(
    ids: Sequence[str],
    texts: Sequence[str],
    title: Sequence[str] | None = None,
    source: Sequence[str] | None = None,
    url: Sequence[str] | None = None,
    published: pd.Series | None = None,
) -> pd.DataFrame:
    """The ``documents`` table from its columns; a column left as ``None`` is all missing.

    A document without a ``source`` but with a ``url`` gets the address's host as its
    outlet (``www.`` and the like dropped): the outlet is what boilerplate is found
    by, and a wire service's own site names it.
    """
    blank = [""] * len(ids)
    url = list(url or blank)
    source = [s or _outlet_of(u) for s, u in zip(source or blank, url, strict=True)]
    columns = {"id": ids, "text": texts, "title": title, "source": source, "url": url}
    frame = pd.DataFrame({k: pd.Series(list(v or blank), dtype=object) for k, v in columns.items()})
    if published is None:
        published = pd.Series([pd.NaT] * len(ids), dtype="datetime64[ns, UTC]")
    frame["published"] = published.reset_index(drop=True)
    return frame[list(DOCUMENT_COLUMNS)]
