"""Every Parquet file threadline writes must read back, in every analyst's tool, exactly as the JSON
Lines file of the same rows: values, types, nulls, lists, timestamps and byte-exact strings. Statistics
must match the data, and filters that prune by statistics must count what a full scan counts.

Cases: each table of a `threadline run` for every codec x dictionary on/off and with small row groups,
plus the Swift writer's edge-case samples (see conftest.py).
"""

import math
from collections import Counter

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from cases import read_jsonl
from parquet_check import check

ARROW_TYPES = {
    "string": pa.string(),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "bool": pa.bool_(),
    "timestamp": pa.timestamp("us", tz="UTC"),
    "list<string>": pa.list_(pa.field("element", pa.string())),
}
DUCKDB_TYPES = {
    "string": "VARCHAR",
    "int32": "INTEGER",
    "int64": "BIGINT",
    "bool": "BOOLEAN",
    "timestamp": "TIMESTAMP WITH TIME ZONE",
    "list<string>": "VARCHAR[]",
}
POLARS_TYPES = {
    "string": pl.String,
    "int32": pl.Int32,
    "int64": pl.Int64,
    "bool": pl.Boolean,
    "timestamp": pl.Datetime("us", "UTC"),
    "list<string>": pl.List(pl.String),
}


def quoted(name):
    return '"' + name.replace('"', '""') + '"'


def arrow_rows(table, columns):
    """Rows from an Arrow table, timestamps as integer microseconds."""
    arrays = []
    for c in columns:
        array = table.column(c["name"])
        if c["type"] == "timestamp":
            array = array.cast(pa.int64())
        arrays.append(array.to_pylist())
    return [list(row) for row in zip(*arrays)] if arrays and table.num_rows else []


def test_structure(case):
    path, _, _ = case
    assert check(path) == []


def test_pyarrow_reads_the_jsonl_rows(case):
    path, jsonl, columns = case
    expected = read_jsonl(jsonl, columns)
    parquet_file = pq.ParquetFile(path)
    expected_schema = pa.schema(
        [pa.field(c["name"], ARROW_TYPES[c["type"]], nullable=c["nullable"]) for c in columns])
    assert parquet_file.schema_arrow == expected_schema
    metadata = parquet_file.metadata
    assert metadata.format_version == "1.0"
    assert metadata.created_by.startswith("threadline version ")
    assert metadata.num_rows == len(expected)
    table = pq.read_table(path)
    table.validate(full=True)
    assert arrow_rows(table, columns) == expected


def test_duckdb_reads_the_jsonl_rows(case):
    path, jsonl, columns = case
    expected = read_jsonl(jsonl, columns)
    con = duckdb.connect()
    con.execute("SET TimeZone='UTC'")
    described = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
    assert [(row[0], row[1]) for row in described] == [(c["name"], DUCKDB_TYPES[c["type"]]) for c in columns]
    select = ", ".join(
        f"epoch_us({quoted(c['name'])})" if c["type"] == "timestamp" else quoted(c["name"]) for c in columns)
    rows = con.execute(f"SELECT {select} FROM read_parquet(?)", [str(path)]).fetchall()
    assert [list(row) for row in rows] == expected
    kv = dict(con.execute("SELECT key, value FROM parquet_kv_metadata(?)", [str(path)]).fetchall())
    if "/run/" in str(path) or b"threadline.version" in kv:
        assert kv[b"threadline.version"]


def test_polars_and_pandas_read_the_jsonl_rows(case):
    path, jsonl, columns = case
    expected = read_jsonl(jsonl, columns)
    frame = pl.read_parquet(path)
    assert list(frame.schema.items()) == [(c["name"], POLARS_TYPES[c["type"]]) for c in columns]
    casted = frame.with_columns([pl.col(c["name"]).cast(pl.Int64) for c in columns if c["type"] == "timestamp"])
    assert [list(row) for row in casted.rows()] == expected
    pandas_frame = pd.read_parquet(path)
    assert len(pandas_frame) == len(expected)
    for c in columns:
        if c["type"] == "timestamp":
            assert str(pandas_frame[c["name"]].dtype) == "datetime64[us, UTC]"


def leaf_values(row_value, column_type):
    """(values, missing entries) one row adds to a leaf's statistics."""
    if column_type == "list<string>":
        if not row_value:  # a null or empty list is one level entry without a value
            return [], 1
        return row_value, 0
    return ([], 1) if row_value is None else ([row_value], 0)


def sort_key(value, column_type):
    if column_type in ("string", "list<string>"):
        return value.encode("utf-8")  # unsigned byte-wise order
    return value


def test_statistics_match_the_data(case):
    path, jsonl, columns = case
    expected = read_jsonl(jsonl, columns)
    metadata = pq.ParquetFile(path).metadata
    start = 0
    for g in range(metadata.num_row_groups):
        group = metadata.row_group(g)
        rows = expected[start:start + group.num_rows]
        start += group.num_rows
        for index, c in enumerate(columns):
            stats = group.column(index).statistics
            values, missing = [], 0
            for row in rows:
                row_values, row_missing = leaf_values(row[index], c["type"])
                values += row_values
                missing += row_missing
            assert stats is not None and stats.has_null_count
            assert stats.null_count == missing, (g, c["name"])
            if not values:
                assert not stats.has_min_max, (g, c["name"])
                continue
            low = min(values, key=lambda v: sort_key(v, c["type"]))
            high = max(values, key=lambda v: sort_key(v, c["type"]))
            if c["type"] in ("string", "list<string>") and max(len(low.encode()), len(high.encode())) > 4096:
                assert not stats.has_min_max, (g, c["name"])  # bounds over 4 KiB are left out
                continue
            assert stats.has_min_max, (g, c["name"])
            if c["type"] == "timestamp":
                assert (stats.min_raw, stats.max_raw) == (low, high), (g, c["name"])
            elif c["type"] in ("string", "list<string>"):
                assert (stats.min_raw, stats.max_raw) == (low.encode(), high.encode()), (g, c["name"])
            else:
                assert (stats.min, stats.max) == (low, high), (g, c["name"])
    assert start == len(expected)


def predicates(rows, columns):
    """(SQL where clause, polars expression, pyarrow filter, python test) for a few revealing filters."""
    out = []
    for index, c in enumerate(columns):
        name = c["name"]
        present = [row[index] for row in rows if row[index] is not None]
        if c["nullable"]:
            out.append((f"{quoted(name)} IS NULL", pl.col(name).is_null(), pc.field(name).is_null(),
                        lambda row, i=index: row[i] is None))
        if c["type"] == "string" and present:
            common = Counter(present).most_common(1)[0][0]
            for value in (common, present[-1], "no such value"):
                out.append((f"{quoted(name)} = '{value.replace(chr(39), chr(39) * 2)}'", pl.col(name) == value,
                            pc.field(name) == value, lambda row, i=index, v=value: row[i] == v))
        if c["type"] in ("int32", "int64") and present:
            pivot = sorted(present)[len(present) // 2]
            out.append((f"{quoted(name)} >= {pivot}", pl.col(name) >= pivot, pc.field(name) >= pivot,
                        lambda row, i=index, p=pivot: row[i] is not None and row[i] >= p))
        if c["type"] == "timestamp" and present:
            pivot = sorted(present)[len(present) // 3]
            out.append((f"epoch_us({quoted(name)}) < {pivot}", pl.col(name).cast(pl.Int64) < pivot, None,
                        lambda row, i=index, p=pivot: row[i] is not None and row[i] < p))
            out.append((f"{quoted(name)} >= make_timestamptz({pivot})",
                        pl.col(name) >= pl.lit(pivot).cast(pl.Datetime("us", "UTC")), None,
                        lambda row, i=index, p=pivot: row[i] is not None and row[i] >= p))
    return out


def test_filters_count_what_a_full_scan_counts(case):
    path, jsonl, columns = case
    rows = read_jsonl(jsonl, columns)
    con = duckdb.connect()
    con.execute("SET TimeZone='UTC'")
    checked = 0
    for where, expression, arrow_filter, matches in predicates(rows, columns):
        expected = sum(1 for row in rows if matches(row))
        assert con.execute(f"SELECT count(*) FROM read_parquet(?) WHERE {where}", [str(path)]).fetchone()[0] \
            == expected, where
        assert pl.scan_parquet(path).filter(expression).collect().height == expected, where
        if arrow_filter is not None:
            assert pq.read_table(path, filters=arrow_filter).num_rows == expected, where
        checked += 1
    assert checked > 0 or not rows


def test_run_files_carry_pipeline_metadata(runs):
    metadata = pq.read_metadata(runs["zstd-dict"] / "messages.parquet").metadata
    assert metadata[b"threadline.pipeline"]
    assert metadata[b"threadline.table"] == b"messages"


def test_small_row_groups_split_every_table(runs):
    for table in ("messages", "threads", "authors"):
        metadata = pq.read_metadata(runs["zstd-dict-rows7"] / f"{table}.parquet")
        assert metadata.num_row_groups == math.ceil(metadata.num_rows / 7)
        assert all(metadata.row_group(g).num_rows == 7 for g in range(metadata.num_row_groups - 1))


def test_codecs_and_dictionaries_are_what_the_pipeline_asked_for(runs):
    for variant, folder in runs.items():
        codec, dictionary = variant.split("-")[:2]
        column = pq.read_metadata(folder / "messages.parquet").row_group(0).column(0)
        assert column.compression == {"none": "UNCOMPRESSED"}.get(codec, codec.upper())
        assert column.has_dictionary_page == (dictionary == "dict")


def test_schema_and_statistics_match_what_pyarrow_writes(case, tmp_path):
    """pyarrow, writing the same rows with the same row groups, must produce the same column types,
    levels and chunk statistics (null counts, and min/max where both write them)."""
    path, _, _ = case
    ours = pq.ParquetFile(path)
    groups = [ours.metadata.row_group(g).num_rows for g in range(ours.metadata.num_row_groups)]
    reference = tmp_path / "pyarrow.parquet"
    pq.write_table(pq.read_table(path), reference, row_group_size=max(groups, default=1), data_page_version="1.0",
                   store_schema=False)
    theirs = pq.ParquetFile(reference)
    for i in range(ours.metadata.num_columns):
        a, b = ours.schema.column(i), theirs.schema.column(i)
        assert (a.path, a.physical_type, str(a.logical_type), a.converted_type, a.max_definition_level,
                a.max_repetition_level) == (b.path, b.physical_type, str(b.logical_type), b.converted_type,
                                            b.max_definition_level, b.max_repetition_level)
    if groups != [theirs.metadata.row_group(g).num_rows for g in range(theirs.metadata.num_row_groups)]:
        return  # split by bytes: the groups differ, so their statistics cannot be compared
    for g in range(len(groups)):
        for i in range(ours.metadata.num_columns):
            a = ours.metadata.row_group(g).column(i).statistics
            b = theirs.metadata.row_group(g).column(i).statistics
            assert a.null_count == b.null_count, (g, i)
            if a.has_min_max and b.has_min_max:
                assert (a.min_raw, a.max_raw) == (b.min_raw, b.max_raw), (g, i)
            elif b.has_min_max:  # we leave out bounds over 4 KiB only
                assert max(len(b.min_raw), len(b.max_raw)) > 4096, (g, i)
            else:
                assert not a.has_min_max, (g, i)
