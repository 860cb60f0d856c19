"""The CSV tables load typed in DuckDB, polars and pandas as docs/tables.md says, timestamps included.

Timestamps are ISO 8601 with `Z`, with six fractional digits only when the instant has a sub-second
part; the default run's sources mix both forms in one column (Slack JSON `ts` against the viewer's
seconds), so the run here writes every source's rows (its transforms, `dedupe` among them, left out).
"""

import json
import subprocess

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
