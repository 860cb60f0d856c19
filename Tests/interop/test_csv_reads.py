"""The CSV tables load typed in DuckDB, polars and pandas as docs/tables.md says, timestamps included.

Timestamps are ISO 8601 with `Z`, with six fractional digits only when the instant has a sub-second
part; the default run's sources mix both forms in one column (Slack JSON `ts` against the viewer's
seconds), so the run here writes every source's rows (its transforms, `dedupe` among them, left out).
"""

import csv
import json
import subprocess
import sys

import duckdb
import pandas as pd
import polars as pl
import pytest

from cases import micros_from_iso
from conftest import REPO

TIMESTAMPS = {"messages": ["sent_at"], "threads": ["started_at", "last_reply_at"]}


@pytest.fixture(scope="module")
def csv_run(threadline, tmp_path_factory):
    output = tmp_path_factory.mktemp("csv")
    result = subprocess.run(
        [threadline, "run", str(REPO / "pipelines" / "default.yaml"), "--quiet", "--set", f"output_root={output}",
         "--set", "load=[{type: jsonl, tables: all}, {type: csv, tables: [messages, threads]}]", "--set", "transform=[]"],
        capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return output


def expected(folder, table, column):
    rows = [json.loads(line) for line in open(folder / f"{table}.jsonl", encoding="utf-8")]
    return [None if row[column] is None else micros_from_iso(row[column]) for row in rows]


def test_the_default_run_mixes_both_forms(csv_run):
    texts = [json.loads(line)["sent_at"] for line in open(csv_run / "messages.jsonl", encoding="utf-8")]
    assert any(t and "." in t for t in texts) and any(t and "." not in t for t in texts)


@pytest.mark.parametrize("table", TIMESTAMPS)
def test_duckdb_polars_and_pandas_read_timestamps(csv_run, table):
    path = str(csv_run / f"{table}.csv")
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for column in TIMESTAMPS[table]:
        want = expected(csv_run, table, column)
        kinds = con.sql(f"SELECT DISTINCT typeof({column}) FROM read_csv_auto('{path}') WHERE {column} IS NOT NULL").fetchall()
        assert kinds == [("TIMESTAMP WITH TIME ZONE",)]
        got = [row[0] for row in con.sql(f"SELECT epoch_us({column}) FROM read_csv_auto('{path}')").fetchall()]
        assert got == want

        frame = pl.read_csv(path, try_parse_dates=True)
        assert frame[column].dtype == pl.Datetime("us", "UTC")
        assert frame[column].dt.epoch("us").to_list() == want

        # pandas infers one format from the first value unless told ISO 8601 (docs/tables.md, Formats).
        series = pd.read_csv(path, parse_dates=[column], date_format="ISO8601")[column]
        assert str(series.dtype) == "datetime64[us, UTC]"
        assert [None if pd.isna(v) else v.value // 1000 for v in series] == want


# Texts that readers' defaults take for missing values, the empty text beside a null, and a text
# longer than Python's csv module takes by default (128 KiB).
WORDS = ["NA", "N/A", "null", "NULL", "None", "nan", "NaN", "#N/A", "-nan", "", " ", "long " * 40_000]


@pytest.fixture(scope="module")
def words_run(threadline, tmp_path_factory):
    folder = tmp_path_factory.mktemp("words")
    (folder / "in").mkdir()
    archive = "".join(f"- name: asker\n  text: {json.dumps(word)}\n  replies:\n  - name: host\n    text: {json.dumps(word)}\n"
                      for word in WORDS)
    (folder / "in" / "words.md").write_text(f"---\ntitle: Words\nauthors: [host]\narchive:\n{archive}---\n", encoding="utf-8")
    (folder / "pipeline.yaml").write_text(
        f"version: 1\nname: words\ninput_root: {folder / 'in'}\noutput_root: {folder / 'out'}\n"
        "extract:\n  - type: markdown\n    include: ['*.md']\nload:\n  - type: jsonl\n  - type: csv\n", encoding="utf-8")
    result = subprocess.run([threadline, "run", str(folder / "pipeline.yaml"), "--quiet"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return folder / "out"


def test_texts_and_nulls_read_back_with_the_documented_options(words_run):
    """Every message's text and parent_id (null for a thread's first message) as JSON Lines holds them,
    read with the options docs/tables.md gives each reader."""
    rows = [json.loads(line) for line in open(words_run / "messages.jsonl", encoding="utf-8")]
    want = [(row["text"], row["parent_id"]) for row in rows]
    assert sorted({text for text, _ in want}) == sorted(WORDS) and sum(parent is None for _, parent in want) == len(WORDS)
    path = str(words_run / "messages.csv")

    frame = pd.read_csv(path, parse_dates=["sent_at"], date_format="ISO8601", keep_default_na=False, na_values=[""])
    got = [(None if pd.isna(text) else text, None if pd.isna(parent) else parent) for text, parent in zip(frame["text"], frame["parent_id"])]
    # pandas reads an empty quoted field as it reads an empty field: only the empty text becomes null.
    assert got == [(None if text == "" else text, parent) for text, parent in want]

    assert list(zip(*pl.read_csv(path, try_parse_dates=True).select("text", "parent_id").to_dict(as_series=False).values())) == want

    got = duckdb.sql(f"SELECT text, parent_id FROM read_csv_auto('{path}', allow_quoted_nulls = false)").fetchall()
    assert got == want

    csv.field_size_limit(sys.maxsize)
    with open(path, newline="", encoding="utf-8") as file:
        got = [(row["text"], row["parent_id"]) for row in csv.DictReader(file)]
    # The csv module reads a null as the empty string.
    assert got == [(text, parent or "") for text, parent in want]


def test_json_lines_keep_ids_that_look_like_numbers_as_text(threadline, tmp_path):
    """A markdown file named `007.md` has the document_id "007": pandas' read_json, which guesses a
    column's type from its values, keeps it with the dtype docs/tables.md gives; DuckDB and polars
    keep it as written."""
    (tmp_path / "in").mkdir()
    for name in ["007", "2024", "1e3"]:
        (tmp_path / "in" / f"{name}.md").write_text(f"---\ntitle: {name}\narchive:\n- name: a\n  text: hi\n---\n", encoding="utf-8")
    (tmp_path / "pipeline.yaml").write_text(
        f"version: 1\nname: ids\ninput_root: {tmp_path / 'in'}\noutput_root: {tmp_path / 'out'}\n"
        "extract:\n  - type: markdown\n    include: ['*.md']\nload:\n  - type: jsonl\n", encoding="utf-8")
    result = subprocess.run([threadline, "run", str(tmp_path / "pipeline.yaml"), "--quiet"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    for table in ["messages", "threads", "documents"]:
        path = tmp_path / "out" / f"{table}.jsonl"
        want = [json.loads(line)["document_id"] for line in open(path, encoding="utf-8")]
        assert sorted(want) == ["007", "1e3", "2024"]
        assert pd.read_json(path, lines=True, dtype={"document_id": str})["document_id"].tolist() == want
        assert pl.read_ndjson(path)["document_id"].to_list() == want
        assert [row[0] for row in duckdb.sql(f"SELECT document_id FROM read_json('{path}')").fetchall()] == want
