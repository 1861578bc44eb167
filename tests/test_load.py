"""Tests for lineage.load: folders of text/HTML files, table files, DataFrames and records."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lineage.errors import LineageError
from lineage.load import LineageWarning, load_documents, read_text_file
from lineage.schema import DOCUMENT_COLUMNS

UTC = pd.DatetimeTZDtype("ns", "UTC")
CP1252_TEXT = "café naïve résumé " * 6
GERMAN = "Grüße aus München! Die Straße ist schön und die Bäume sind grün. Über alles. " * 3
URDU = "یہ ایک اردو جملہ ہے۔\nدوسری سطر یہاں ہے۔\n"
CHINESE = "这是一个中文句子。\n第二行在这里。\n"
HTML = """<!DOCTYPE html>
<html><head><title> Storm  hits coast </title><style>p { color: red }</style></head>
<body><h1>Headline</h1>
<p>The storm hit the <b>coast</b> on
Monday.</p><script>var tracking = "SECRET";</script>
<div><p>Residents were evacuated.</p></div><noscript>Enable JS</noscript>
</body></html>"""


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC").as_unit("ns")


def check_schema(frame: pd.DataFrame) -> None:
    assert list(frame.columns) == list(DOCUMENT_COLUMNS)
    assert [frame[c].dtype for c in DOCUMENT_COLUMNS[:5]] == [np.dtype(object)] * 5
    assert frame["published"].dtype == UTC
    assert list(frame.index) == list(range(len(frame)))
    for column in DOCUMENT_COLUMNS[:5]:
        assert all(isinstance(v, str) for v in frame[column])


# ---------------------------------------------------------------- folders


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    write(tmp_path / "b-plain.txt", "\n  Plain title  \nBody line.\n")
    write(tmp_path / "a-notes.md", "## Markdown title\n\nSome *text*.\n")
    write(tmp_path / "sub" / "c-page.HTML", HTML)
    write(tmp_path / "sub" / "ignored.pdf", b"%PDF-1.4 \x00\x01")
    write(tmp_path / "readme.rst", "not a document")
    write(tmp_path / ".hidden" / "secret.txt", "hidden folder")
    write(tmp_path / ".dotfile.txt", "hidden file")
    return tmp_path


def test_folder_loads_txt_md_html_sorted_by_id(corpus: Path) -> None:
    messages: list[str] = []
    docs = load_documents(corpus, warn=messages.append)
    check_schema(docs)
    assert messages == []
    assert docs["id"].tolist() == ["a-notes", "b-plain", "c-page"]
    assert docs["title"].tolist() == ["Markdown title", "Plain title", "Storm hits coast"]
    assert docs["text"].tolist()[:2] == [
        "## Markdown title\n\nSome *text*.\n",
        "\n  Plain title  \nBody line.\n",
    ]
    assert docs["source"].tolist() == ["", "", ""]
    assert docs["url"].tolist() == ["", "", ""]
    assert docs["published"].isna().all()


def test_html_is_stripped_to_visible_text_with_block_structure(corpus: Path) -> None:
    text = load_documents(corpus).set_index("id").loc["c-page", "text"]
    assert text == ("Headline\n\nThe storm hit the coast on Monday.\n\nResidents were evacuated.")
    for hidden in ("SECRET", "color", "Enable JS", "Storm hits coast"):
        assert hidden not in text


def test_html_title_falls_back_to_h1_then_first_line(tmp_path: Path) -> None:
    write(tmp_path / "h1.html", "<body><p>Intro</p><h1>The <i>headline</i></h1></body>")
    write(tmp_path / "none.htm", "<body><p>\n  First words  </p><p>More</p></body>")
    docs = load_documents(tmp_path).set_index("id")
    assert docs.loc["h1", "title"] == "The headline"
    assert docs.loc["none", "title"] == "First words"
    assert docs.loc["none", "text"] == "First words\n\nMore"


def test_a_title_guessed_from_a_paragraph_is_its_first_sentence(tmp_path: Path) -> None:
    long_sentence = "The council " + "voted again " * 20 + "on Monday."
    write(tmp_path / "para.txt", "The storm hit the coast on Monday, flooding the old town "
          "and closing the harbour for the rest of the week. Residents were told to stay "
          "indoors while crews cleared the roads and restored power to the district.\nMore.")
    write(tmp_path / "long.txt", long_sentence + " Then it rained.\nMore.")
    docs = load_documents(tmp_path).set_index("id")
    assert docs.loc["para", "title"] == ("The storm hit the coast on Monday, flooding the old "
                                         "town and closing the harbour for the rest of the week.")
    title = docs.loc["long", "title"]
    assert title.endswith("…") and len(title) <= 151  # cut at a word boundary
    assert long_sentence.startswith(title[:-1]) and long_sentence[len(title) - 1] == " "


def test_nested_duplicate_stems_use_relative_paths(tmp_path: Path) -> None:
    write(tmp_path / "wire" / "story.txt", "Wire story")
    write(tmp_path / "paper" / "2024" / "story.md", "Paper story")
    write(tmp_path / "other.txt", "Other")
    docs = load_documents(tmp_path)
    assert docs["id"].tolist() == ["other", "paper/2024/story", "wire/story"]
    assert docs["text"].tolist() == ["Other", "Paper story", "Wire story"]


def test_same_stem_in_one_folder_is_a_duplicate_naming_both_files(tmp_path: Path) -> None:
    write(tmp_path / "story.txt", "one")
    write(tmp_path / "story.md", "two")
    with pytest.raises(LineageError) as info:
        load_documents(tmp_path)
    assert str(info.value) == (
        f"{tmp_path}: duplicate id 'story' (files {tmp_path / 'story.md'} and "
        f"{tmp_path / 'story.txt'})"
    )


@pytest.mark.parametrize("text", [CP1252_TEXT, GERMAN, "café " * 2])
def test_cp1252_file_is_decoded_with_a_warning(tmp_path: Path, text: str) -> None:
    path = write(tmp_path / "latin.txt", text.encode("cp1252"))
    write(tmp_path / "ok.txt", "fine")
    messages: list[str] = []
    docs = load_documents(tmp_path, warn=messages.append)
    assert docs["text"].tolist() == [text, "fine"]
    assert messages == [f"{path}: not UTF-8, decoded as cp1252"]


def test_cyrillic_cp1251_file_is_detected(tmp_path: Path) -> None:
    text = "Привет, как дела? Это тестовый текст на русском языке для проверки. " * 3
    path = write(tmp_path / "ru.txt", text.encode("cp1251"))
    messages: list[str] = []
    docs = load_documents(tmp_path, warn=messages.append)
    assert docs["text"].tolist() == [text]
    assert messages == [f"{path}: not UTF-8, decoded as cp1251"]


def test_binary_and_empty_files_are_skipped_with_warnings(tmp_path: Path) -> None:
    junk = write(tmp_path / "junk.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    controls = write(tmp_path / "controls.md", bytes(range(1, 9)) * 50)
    empty = write(tmp_path / "empty.txt", b"")
    blank = write(tmp_path / "blank.md", " \n\t\r\n")
    no_text = write(tmp_path / "script-only.html", "<script>x = 1</script>")
    write(tmp_path / "real.txt", "Real text.")
    messages: list[str] = []
    docs = load_documents(tmp_path, warn=messages.append)
    assert docs["id"].tolist() == ["real"]
    assert messages == [
        f"{blank}: empty, skipped",
        f"{controls}: binary file, skipped",
        f"{empty}: empty, skipped",
        f"{junk}: binary file, skipped",
        f"{no_text}: empty, skipped",
    ]


def test_urdu_and_chinese_load_intact(tmp_path: Path) -> None:
    write(tmp_path / "urdu.txt", URDU)
    write(tmp_path / "chinese.txt", CHINESE)
    messages: list[str] = []
    docs = load_documents(tmp_path, warn=messages.append).set_index("id")
    assert messages == []
    assert docs.loc["urdu", "text"] == URDU
    assert docs.loc["chinese", "text"] == CHINESE
    assert docs.loc["urdu", "title"] == "یہ ایک اردو جملہ ہے۔"
    assert docs.loc["chinese", "title"] == "这是一个中文句子。"


def test_crlf_and_bom_are_normalised_but_nothing_else(tmp_path: Path) -> None:
    write(tmp_path / "win.txt", b"\xef\xbb\xbfTitle\r\n\r\n  Body\ttext  \r\nend\r")
    assert load_documents(tmp_path)["text"].tolist() == ["Title\n\n  Body\ttext  \nend\r"]


def test_utf16_with_bom_is_decoded(tmp_path: Path) -> None:
    path = write(tmp_path / "wide.txt", "Wide text\r\nsecond".encode("utf-16"))
    messages: list[str] = []
    docs = load_documents(tmp_path, warn=messages.append)
    assert docs["text"].tolist() == ["Wide text\nsecond"]
    assert messages == [f"{path}: not UTF-8, decoded as utf-16"]


def test_single_text_file_is_a_one_document_corpus(tmp_path: Path) -> None:
    path = write(tmp_path / "only.md", "# Heading\nbody")
    docs = load_documents(str(path))
    check_schema(docs)
    assert docs[["id", "title", "text"]].values.tolist() == [["only", "Heading", "# Heading\nbody"]]


def test_single_empty_file_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "empty.txt", "   ")
    with pytest.raises(LineageError, match=r"empty\.txt: empty$"):
        load_documents(path)


def test_default_warn_uses_lineage_warning(tmp_path: Path) -> None:
    path = write(tmp_path / "empty.txt", "")
    write(tmp_path / "real.txt", "text")
    with pytest.warns(LineageWarning) as record:
        load_documents(tmp_path)
    assert [str(w.message) for w in record] == [f"{path}: empty, skipped"]


def test_read_text_file(tmp_path: Path) -> None:
    assert read_text_file(write(tmp_path / "u.txt", "a\r\nb")) == ("a\nb", None)
    latin = write(tmp_path / "l.txt", CP1252_TEXT.encode("cp1252"))
    assert read_text_file(latin) == (CP1252_TEXT, "cp1252")
    binary = write(tmp_path / "b.txt", b"\x00\x01\x02")
    with pytest.raises(LineageError, match=r"b\.txt: binary file$"):
        read_text_file(binary)


# ---------------------------------------------------------------- folder errors


def test_nonexistent_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(LineageError) as info:
        load_documents(missing)
    assert str(info.value) == f"{missing}: no such file or folder"


def test_empty_folder(tmp_path: Path) -> None:
    write(tmp_path / "notes.pdf", b"%PDF")
    with pytest.raises(LineageError) as info:
        load_documents(tmp_path)
    assert str(info.value) == f"{tmp_path}: no .txt, .md or .html documents found"


def test_folder_where_every_document_is_skipped(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "")
    write(tmp_path / "b.txt", b"\x00binary")
    messages: list[str] = []
    with pytest.raises(LineageError, match=r"no readable documents \(all 2 .*skipped"):
        load_documents(tmp_path, warn=messages.append)
    assert len(messages) == 2


def test_unsupported_file_type(tmp_path: Path) -> None:
    path = write(tmp_path / "data.xlsx", b"PK")
    with pytest.raises(LineageError, match=r"data\.xlsx: unsupported file type '\.xlsx'"):
        load_documents(path)


# ---------------------------------------------------------------- tables

ROWS = [
    {"id": 1, "text": "First text.", "title": "One", "source": "Wire", "url": "http://a/1",
     "published": "2024-03-01T12:00:00+02:00", "extra": "dropped"},
    {"id": "b", "text": "Second\r\ntext.", "title": "", "source": "Paper", "url": "",
     "published": "2024-03-02"},
]  # fmt: skip
EXPECTED = pd.DataFrame(
    {
        "id": ["1", "b"],
        "text": ["First text.", "Second\ntext."],
        "title": ["One", ""],
        "source": ["Wire", "Paper"],
        "url": ["http://a/1", ""],
        "published": [ts("2024-03-01 10:00"), ts("2024-03-02")],
    }
).astype({c: object for c in DOCUMENT_COLUMNS[:5]})


def write_jsonl(path: Path, rows: list[dict], *, blank_first: bool = False) -> Path:
    lines = ([""] if blank_first else []) + [json.dumps(row, ensure_ascii=False) for row in rows]
    return write(path, "\n".join(lines) + "\n")


@pytest.mark.parametrize("suffix", [".jsonl", ".ndjson", ".csv", ".parquet"])
def test_table_files_with_all_optional_columns(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"articles{suffix}"
    if suffix == ".csv":
        pd.DataFrame(ROWS).to_csv(path, index=False)
    elif suffix == ".parquet":
        pd.DataFrame(ROWS).astype({"id": str}).to_parquet(path)
    else:
        write_jsonl(path, ROWS)
    messages: list[str] = []
    docs = load_documents(path, warn=messages.append)
    check_schema(docs)
    assert messages == []
    pd.testing.assert_frame_equal(docs, EXPECTED)


def test_parquet_native_types(tmp_path: Path) -> None:
    path = tmp_path / "native.parquet"
    pd.DataFrame(
        {
            "id": [10, 20],
            "text": ["a", "b"],
            "published": pd.to_datetime(["2024-01-01 05:00", None]),
        }
    ).to_parquet(path)
    docs = load_documents(path)
    check_schema(docs)
    assert docs["id"].tolist() == ["10", "20"]
    assert docs["published"].tolist()[0] == ts("2024-01-01 05:00")
    assert docs["published"].isna().tolist() == [False, True]
    assert docs["title"].tolist() == ["", ""]


def test_csv_keeps_empty_strings_and_string_ids(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", 'id,text,url\n007,"Quoted, text\nover lines",\nNA,x,NA\n')
    docs = load_documents(path)
    assert docs["id"].tolist() == ["007", "NA"]
    assert docs["text"].tolist() == ["Quoted, text\nover lines", "x"]
    assert docs["url"].tolist() == ["", "NA"]


def test_bad_dates_become_nat_with_one_warning(tmp_path: Path) -> None:
    rows = [
        {"id": "a", "text": "t", "published": "2024-01-05"},
        {"id": "b", "text": "t", "published": "not a date"},
        {"id": "c", "text": "t", "published": ""},
        {"id": "d", "text": "t", "published": "5 March 2024 10:30"},
        {"id": "e", "text": "t", "published": "yesterday"},
        {"id": "f", "text": "t", "published": "today"},
        {"id": "g", "text": "t", "published": None},
    ]
    path = write_jsonl(tmp_path / "dates.jsonl", rows, blank_first=True)
    messages: list[str] = []
    docs = load_documents(path, warn=messages.append)
    assert docs["published"].tolist()[0] == ts("2024-01-05")
    assert docs["published"].tolist()[3] == ts("2024-03-05 10:30")
    assert docs["published"].isna().tolist() == [False, True, True, False, True, True, True]
    assert messages == [
        f"{path}: 3 unparseable 'published' value(s) set to missing (first: line 3 'not a date')"
    ]


def test_malformed_jsonl_line_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.jsonl", '{"id": 1, "text": "ok"}\n\n{"id": 2, "text": \n')
    with pytest.raises(LineageError) as info:
        load_documents(path)
    assert str(info.value).startswith(f"{path}: line 3 is not valid JSON (")


def test_jsonl_line_that_is_not_an_object(tmp_path: Path) -> None:
    path = write(tmp_path / "list.jsonl", '{"id": 1, "text": "ok"}\n[1, 2]\n')
    with pytest.raises(LineageError) as info:
        load_documents(path)
    assert str(info.value) == f"{path}: line 2 is not a JSON object (got an array)"


def test_missing_text_column(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "id,words\n1,hello\n")
    with pytest.raises(LineageError) as info:
        load_documents(path)
    assert str(info.value) == f"{path}: no 'text' column (columns: id, words)"


def test_columns_under_other_names_are_read_and_named(tmp_path: Path) -> None:
    path = write(tmp_path / "feed.csv",
                 "Doc ID,Headline,Body,Outlet,Date,text_length\n"
                 "a1,Strike,Dockworkers walked out.,Daily Post,2024-03-12T08:00:00Z,24\n")
    warnings: list[str] = []
    docs = load_documents(path, warn=warnings.append)
    row = docs.iloc[0]
    assert (row["id"], row["title"], row["text"], row["source"]) == (
        "a1", "Strike", "Dockworkers walked out.", "Daily Post")
    assert row["published"] == ts("2024-03-12T08:00:00Z")
    assert warnings == [f"{path}: read column 'Doc ID' as id, column 'Body' as text, "
                        "column 'Headline' as title, column 'Outlet' as source, "
                        "column 'Date' as published"]


def test_a_document_column_wins_over_its_other_names() -> None:
    warnings: list[str] = []
    frame = pd.DataFrame({"id": ["x"], "text": ["the text"], "body": ["not this"],
                          "Source": ["Daily Post"]})
    docs = load_documents(frame, warn=warnings.append)
    assert docs["text"].tolist() == ["the text"] and docs["source"].tolist() == ["Daily Post"]
    assert warnings == ["<table>: read column 'Source' as source"]


def test_missing_id_column() -> None:
    with pytest.raises(LineageError) as info:
        load_documents(pd.DataFrame({"text": ["a"]}))
    assert str(info.value) == "<table>: no 'id' column (columns: text)"


def test_duplicate_ids_name_both_rows(tmp_path: Path) -> None:
    path = write(tmp_path / "d.csv", "id,text\na,1\nb,2\na,3\n")
    with pytest.raises(LineageError) as info:
        load_documents(path)
    assert str(info.value) == f"{path}: duplicate id 'a' (rows 1 and 3)"
    jsonl = write_jsonl(tmp_path / "d.jsonl", [{"id": 1, "text": "x"}, {"id": "1", "text": "y"}])
    with pytest.raises(LineageError) as info:
        load_documents(jsonl)
    assert str(info.value) == f"{jsonl}: duplicate id '1' (lines 1 and 2)"


def test_rows_without_text_are_skipped_with_one_warning(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "id,text\na,keep\nb,\nc,  \nd,also\n")
    messages: list[str] = []
    docs = load_documents(path, warn=messages.append)
    assert docs["id"].tolist() == ["a", "d"]
    assert messages == [f"{path}: 2 row(s) with no text skipped (row 2 id 'b', row 3 id 'c')"]


def test_table_with_no_text_at_all(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "id,text\na,\n")
    with pytest.raises(LineageError) as info:
        load_documents(path, warn=lambda message: None)
    assert str(info.value) == f"{path}: no documents (1 rows, none with text)"


def test_row_without_id(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "id,text\na,x\n,y\n")
    with pytest.raises(LineageError) as info:
        load_documents(path)
    assert str(info.value) == f"{path}: row 2 has no id"


def test_unreadable_parquet(tmp_path: Path) -> None:
    path = write(tmp_path / "x.parquet", b"this is not parquet")
    with pytest.raises(LineageError, match=r"x\.parquet: not a readable Parquet file \("):
        load_documents(path)


def test_empty_table_files(tmp_path: Path) -> None:
    for name in ("e.jsonl", "e.csv"):
        path = write(tmp_path / name, "\n")
        with pytest.raises(LineageError) as info:
            load_documents(path)
        assert str(info.value) == f"{path}: no documents (the table is empty)"


# ---------------------------------------------------------------- library inputs


def test_dataframe_input_keeps_order_and_drops_extra_columns() -> None:
    frame = pd.DataFrame(
        {
            "extra": [1, 2, 3],
            "text": ["z text", "a text", "m text"],
            "id": [3, 1, 2],
            "source": ["S", None, np.nan],
            "published": ["2024-01-01", pd.NaT, "2024-06-01T00:00:00Z"],
        },
        index=[10, 20, 30],
    )
    docs = load_documents(frame)
    check_schema(docs)
    assert docs["id"].tolist() == ["3", "1", "2"]
    assert docs["text"].tolist() == ["z text", "a text", "m text"]
    assert docs["source"].tolist() == ["S", "", ""]
    assert docs["title"].tolist() == ["", "", ""]
    assert docs["published"].isna().tolist() == [False, True, False]
    assert docs["published"].iloc[2] == ts("2024-06-01")
    assert frame.columns.tolist() == ["extra", "text", "id", "source", "published"]


def test_iterable_of_mappings() -> None:
    docs = load_documents(
        iter([{"id": "x", "text": "one"}, {"id": "y", "text": "two", "url": "u"}])
    )
    check_schema(docs)
    assert docs[["id", "text", "url"]].values.tolist() == [["x", "one", ""], ["y", "two", "u"]]


def test_iterable_with_a_non_mapping_row() -> None:
    with pytest.raises(LineageError) as info:
        load_documents([{"id": "x", "text": "one"}, "oops"])
    assert str(info.value) == "<table>: row 2 is not a mapping (str)"


def test_empty_records() -> None:
    with pytest.raises(LineageError) as info:
        load_documents([])
    assert str(info.value) == "<table>: no documents (the table is empty)"


NEWS_PAGE = """<!DOCTYPE html>
<html lang="en"><head>
<title>Storm hits coast | The Harbour Herald</title>
<meta property="og:site_name" content="The Harbour Herald">
<meta property="og:title" content="Storm hits coast">
<meta property="article:published_time" content="2024-11-18T09:30:00+01:00">
<link rel="canonical" href="https://herald.example/2024/11/storm">
<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
  {"@type": "WebSite", "name": "Herald site"},
  {"@type": "NewsArticle", "headline": "Storm hits coast (LD)",
   "datePublished": "2024-11-18T07:00:00Z", "publisher": {"name": "Herald (LD)"}}]}</script>
</head><body>
<header><a href="/">The Harbour Herald</a><nav><a>World</a> | <a>Sport</a></nav></header>
<main>
<article>
<header><h1>Storm hits coast</h1><p>By Jane Doe</p></header>
<p>The storm hit the coast on Monday.</p>
<aside><h2>Related</h2><article><p>Earlier storms this year</p></article></aside>
<p>Residents were evacuated overnight.</p>
<footer>Tags: weather, coast</footer>
</article>
<form><p>Sign up for our newsletter</p><button>Subscribe</button></form>
</main>
<footer><p>Copyright The Harbour Herald. All rights reserved.</p></footer>
</body></html>"""


def test_html_page_gives_its_article_outlet_date_and_address(tmp_path: Path) -> None:
    write(tmp_path / "storm.html", NEWS_PAGE)
    doc = load_documents(tmp_path).iloc[0]
    assert doc["text"] == ("Storm hits coast\n\nBy Jane Doe\n\nThe storm hit the coast on "
                           "Monday.\n\nResidents were evacuated overnight.")
    assert (doc["title"], doc["source"], doc["url"]) == (
        "Storm hits coast", "The Harbour Herald", "https://herald.example/2024/11/storm")
    assert doc["published"] == pd.Timestamp("2024-11-18T08:30:00Z")


def test_html_metadata_falls_back_to_json_ld_then_time_tag(tmp_path: Path) -> None:
    write(tmp_path / "titled.html",  # "<title> | site" less the site
          "<html><head><title>Storm hits coast | The Harbour Herald</title><meta "
          "property='og:site_name' content='The Harbour Herald'></head><body><p>Text.</p>"
          "</body></html>")
    bare = (NEWS_PAGE.replace('<meta property="og:site_name" content="The Harbour Herald">', "")
            .replace('<meta property="article:published_time" '
                     'content="2024-11-18T09:30:00+01:00">', "")
            .replace('<meta property="og:title" content="Storm hits coast">', ""))
    write(tmp_path / "ld.html", bare)
    only_time = ("<html><body><article><time datetime='2024-11-19'>Tuesday</time>"
                 "<p>Some text of the article.</p></article>"
                 "<article><p>A teaser.</p></article></body></html>")
    write(tmp_path / "time.html", only_time)
    write(tmp_path / "bad.html", "<html><head><meta name='date' content='soon'></head>"
                                 "<body><p>Text.</p></body></html>")
    messages: list[str] = []
    docs = load_documents(tmp_path, warn=messages.append).set_index("id")
    assert (docs.loc["ld", "title"], docs.loc["ld", "source"]) == (
        "Storm hits coast (LD)", "Herald (LD)")
    assert docs.loc["titled", "title"] == "Storm hits coast"
    assert docs.loc["ld", "published"] == pd.Timestamp("2024-11-18T07:00:00Z")
    assert docs.loc["time", "published"] == pd.Timestamp("2024-11-19T00:00:00Z")
    assert docs.loc["time", "text"] == "Tuesday\nSome text of the article."  # not the teaser
    assert pd.isna(docs.loc["bad", "published"]) and docs.loc["bad", "source"] == ""
    assert messages == [f"{tmp_path / 'bad.html'}: unparseable publication date 'soon' in "
                        "the page's metadata, set to missing"]


def test_markdown_front_matter_gives_title_outlet_date_and_address(tmp_path: Path) -> None:
    write(tmp_path / "post.md", "---\ntitle: \"Storm hits coast\"\noutlet: Harbour Herald\n"
                                "date: 2024-11-18 09:30:00+01:00\nlink: https://h.example/s\n"
                                "tags:\n  - weather\n---\n\n# Storm\n\nThe storm hit.\n")
    write(tmp_path / "plain.md", "# Just a heading\n\n---\n\nText after a rule.\n")
    write(tmp_path / "bad.md", "---\ndate: someday\n---\nBody.\n")
    messages: list[str] = []
    docs = load_documents(tmp_path, warn=messages.append).set_index("id")
    post = docs.loc["post"]
    assert post["text"] == "# Storm\n\nThe storm hit.\n"
    assert (post["title"], post["source"], post["url"]) == (
        "Storm hits coast", "Harbour Herald", "https://h.example/s")
    assert post["published"] == pd.Timestamp("2024-11-18T08:30:00Z")
    plain = docs.loc["plain"]
    assert plain["text"].startswith("# Just a heading") and plain["title"] == "Just a heading"
    assert docs.loc["bad", "text"] == "Body.\n" and pd.isna(docs.loc["bad", "published"])
    assert messages == [f"{tmp_path / 'bad.md'}: unparseable publication date 'someday' in "
                        "the front matter, set to missing"]


def test_an_address_names_the_outlet_when_the_source_is_missing(tmp_path: Path) -> None:
    table = pd.DataFrame({
        "id": ["a", "b", "c", "d", "e"], "text": ["Some text."] * 5,
        "source": ["Herald", "", "", "", None],
        "url": ["https://www.reuters.com/x", "https://www.apnews.com/article/1",
                "m.example.co.uk/story", "n/a", ""]})
    docs = load_documents(table)
    assert docs["source"].tolist() == ["Herald", "apnews.com", "example.co.uk", "", ""]


def test_table_texts_holding_html_are_read_as_html(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    rows = [{"id": "a", "text": "<p>Ukraine&#8217;s president <b>said</b> so.</p><p>More.</p>"},
            {"id": "b", "text": "Ukraine&#8217;s president said so &amp; more."},
            {"id": "c", "text": "x < y and y > z, AT&T said."}]
    write(path, "\n".join(json.dumps(r) for r in rows))
    messages: list[str] = []
    docs = load_documents(path, warn=messages.append)
    assert docs["text"].tolist() == ["Ukraine\u2019s president said so.\n\nMore.",
                                     "Ukraine\u2019s president said so & more.",
                                     "x < y and y > z, AT&T said."]
    assert messages == [f"{path}: 2 text(s) held HTML markup or entities, read as HTML "
                        "(first: line 1 id 'a')"]


def test_unix_times_in_seconds_or_milliseconds_are_read() -> None:
    messages: list[str] = []
    docs = load_documents(pd.DataFrame({
        "id": list("abcde"), "text": ["Some text."] * 5,
        "published": [1700000000, 1700000000000, "1700000000.5", 20241118, "12345"]}),
        warn=messages.append)
    assert docs["published"].tolist()[:4] == [
        pd.Timestamp("2023-11-14T22:13:20Z"), pd.Timestamp("2023-11-14T22:13:20Z"),
        pd.Timestamp("2023-11-14T22:13:20.5Z"), pd.Timestamp("2024-11-18", tz="UTC")]
    assert pd.isna(docs["published"][4])  # five digits: neither a date nor a Unix time
    assert messages == ["<table>: 1 unparseable 'published' value(s) set to missing "
                        "(first: row 5 '12345')"]


def test_time_zone_abbreviations_that_feeds_append_are_read() -> None:
    messages: list[str] = []
    docs = load_documents(pd.DataFrame({
        "id": list("abcd"), "text": ["Some text."] * 4,
        "published": ["2024-11-18 08:00:00 EST", "Mon, 18 Nov 2024 08:00:00 PST",
                      "18 Nov 2024 08:00 GMT", "2024-11-18 08:00 IST"]}), warn=messages.append)
    assert docs["published"].tolist()[:3] == [
        pd.Timestamp("2024-11-18T13:00Z"), pd.Timestamp("2024-11-18T16:00Z"),
        pd.Timestamp("2024-11-18T08:00Z")]
    assert pd.isna(docs["published"][3])  # IST: India, Ireland or Israel
    assert len(messages) == 1 and "row 4" in messages[0]


def test_json_array_and_api_dump(tmp_path: Path) -> None:
    rows = [{"id": "a", "text": "First story."}, {"id": "b", "text": "Second story."}]
    array = write(tmp_path / "array.json", json.dumps(rows))
    dump = write(tmp_path / "dump.json", json.dumps({"status": "ok", "total": 2,
                                                     "articles": rows}))
    lines = write(tmp_path / "lines.json", "\n".join(json.dumps(r) for r in rows) + "\n")
    for path in (array, dump, lines):
        assert load_documents(path)["id"].tolist() == ["a", "b"], path


@pytest.mark.parametrize(("content", "message"), [
    ('{"a": 1}', "expected an array of objects, or an object holding one (got an object "
                 "with 0 arrays of objects)"),
    ('"text"', "expected an array of objects (got a string)"),
    ('[{"id": "a", "text": "t"}, 5]', "item 2 is not a JSON object (got a number)"),
    ('[{"id": 1,}', "not valid JSON (Expecting property name enclosed in double quotes at "
                    "line 1 column 11)"),
])
def test_json_errors_name_the_file_and_the_problem(tmp_path: Path, content: str,
                                                   message: str) -> None:
    path = write(tmp_path / "bad.json", content)
    with pytest.raises(LineageError) as info:
        load_documents(path)
    assert str(info.value) == f"{path}: {message}"


def test_json_lines_under_json_are_decoded_and_warned_about_once(tmp_path: Path) -> None:
    rows = [{"id": "a", "text": "Café story."}, {"id": "b", "text": "Second story."}]
    path = write(tmp_path / "feed.json",
                 ("\n".join(json.dumps(r, ensure_ascii=False) for r in rows)).encode("cp1252"))
    warnings: list[str] = []
    docs = load_documents(path, warn=warnings.append)
    assert docs["text"].tolist() == ["Café story.", "Second story."]
    assert [w for w in warnings if "not UTF-8" in w] == [f"{path}: not UTF-8, decoded as cp1252"]


def test_cells_that_are_not_text_are_skipped_and_bytes_read_as_utf8() -> None:
    frame = pd.DataFrame({"id": ["a", "b", "c", "d", "e"],
                          "text": ["Plain text.", "Bytes text – UTF-8.".encode(), 123,
                                   {"a": 1}, b"\xff\xfe bad"]})
    messages: list[str] = []
    docs = load_documents(frame, warn=messages.append)
    assert docs["text"].tolist() == ["Plain text.", "Bytes text – UTF-8."]
    assert messages == ["<table>: 3 row(s) whose text is not text skipped (row 3 (a number), "
                        "row 4 (a dict), row 5 (bytes that are not UTF-8))"]


def test_a_csv_row_with_more_fields_than_its_header_is_named(tmp_path: Path) -> None:
    write(tmp_path / "t.csv", "id,text\na,hello,extra,cols\nb,x\n")
    with pytest.raises(LineageError) as caught:
        load_documents(tmp_path / "t.csv")
    assert str(caught.value) == (f"{tmp_path / 't.csv'}: row 1 has 4 fields where the header "
                                 "has 2 (a comma in an unquoted text?)")


def test_a_missing_column_lists_short_names_on_one_line(tmp_path: Path) -> None:
    write(tmp_path / "t.csv", "000_x,\"A whole article\nover two lines, and long enough to cut\"\n"
          "1,2\n")
    with pytest.raises(LineageError) as caught:
        load_documents(tmp_path / "t.csv")
    assert str(caught.value) == (f"{tmp_path / 't.csv'}: no 'text' column (columns: 000_x, "
                                 "A whole article over two line…)")


def test_json_nested_too_deeply_is_a_one_line_error(tmp_path: Path) -> None:
    deep = '{"id": "a", "text": ' + "[" * 100_000 + "]" * 100_000 + "}\n"
    write(tmp_path / "d.jsonl", deep)
    with pytest.raises(LineageError, match=r"d\.jsonl: line 1 is JSON nested too deeply$"):
        load_documents(tmp_path / "d.jsonl")
    write(tmp_path / "u.jsonl", '{"id": "a", "text": "abc}\n')
    with pytest.raises(LineageError, match=r"\(Unterminated string starting at column 21\)$"):
        load_documents(tmp_path / "u.jsonl")


def test_a_document_longer_than_a_book_chapter_is_cut_with_a_warning() -> None:
    from lineage.load import MAX_CHARS

    long = "word " * (MAX_CHARS // 5 + 10)
    messages: list[str] = []
    docs = load_documents(pd.DataFrame({"id": ["book", "news"], "text": [long, "Short."]}),
                          warn=messages.append)
    assert docs["text"].str.len().tolist() == [MAX_CHARS, 6]
    assert messages == [f"<table>: 1 document(s) longer than {MAX_CHARS:,} characters, read "
                        "up to there ('book'): lineage compares news articles, not books"]


@pytest.mark.parametrize(("values", "expected", "warned"), [
    (["03/04/2024", "05/06/2024 10:00"], ["2024-03-04 00:00", "2024-05-06 10:00"], True),
    (["25/12/2024", "03/04/2024"], ["2024-12-25 00:00", "2024-04-03 00:00"], False),
    (["12/25/2024", "03/04/2024"], ["2024-12-25 00:00", "2024-03-04 00:00"], False),
    (["25.12.2024", "03.04.2024"], ["2024-12-25 00:00", "2024-04-03 00:00"], False),
])
def test_numeric_dates_are_read_in_the_columns_own_order(values, expected, warned) -> None:
    messages: list[str] = []
    docs = load_documents(pd.DataFrame({"id": [f"x{i}" for i in range(len(values))],
                                        "text": ["Some text."] * len(values),
                                        "published": values}), warn=messages.append)
    assert docs["published"].dt.strftime("%Y-%m-%d %H:%M").tolist() == expected
    assert bool(messages) == warned
    if warned:
        assert "could be day/month or month/day; read as month/day" in messages[0]


def test_a_parquet_dataset_folder_is_read_as_one_table(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = pd.DataFrame({"id": ["a", "b", "c"], "source": ["X", "Y", "X"],
                          "text": ["One text here.", "Two text here.", "Three text."]})
    pq.write_to_dataset(pa.Table.from_pandas(frame), tmp_path / "news.parquet",
                        partition_cols=["source"])  # Hive-style: source=X/, source=Y/
    docs = load_documents(tmp_path / "news.parquet").sort_values("id")
    assert docs[["id", "source", "text"]].values.tolist() == frame[["id", "source",
                                                                     "text"]].values.tolist()
    spark = tmp_path / "out"  # Spark's part files and marker
    spark.mkdir()
    pq.write_table(pa.Table.from_pandas(frame.iloc[:2]), spark / "part-00000.snappy.parquet")
    pq.write_table(pa.Table.from_pandas(frame.iloc[2:]), spark / "part-00001.snappy.parquet")
    (spark / "_SUCCESS").write_text("", encoding="utf-8")
    assert sorted(load_documents(spark)["id"]) == ["a", "b", "c"]
