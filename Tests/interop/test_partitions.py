"""Hive-partitioned outputs read back as one table: every table the samples pipeline writes, in every
format, partitioned by each column, read by DuckDB (`hive_partitioning = true`), polars, pyarrow
datasets and Spark (slow), equals the single file the same engine reads. `sent_month`, which is
not a column of the tables, comes back from the folder names as the month of `sent_at`."""

import pytest

from datasets import FORMATS, PARTITION_COLUMNS, PARTITIONED_TABLES, canonical, read_duckdb, read_polars, read_pyarrow, run, table_path, writers

CASES = [(column, fmt, table) for column in PARTITION_COLUMNS for fmt in FORMATS for table in PARTITIONED_TABLES[column]]
IDS = [f"{column}-{fmt}-{table}" for column, fmt, table in CASES]
TIME_COLUMN = {"messages": "sent_at", "threads": "started_at"}


@pytest.fixture(scope="module")
def outputs(threadline, tmp_path_factory):
    """{None: the single files' folder, column: the folder partitioned by it}."""
    single = tmp_path_factory.mktemp("single-run")
    run(threadline, single, writers())
    folders = {None: single / "out"}
    for column in PARTITION_COLUMNS:
        folder = tmp_path_factory.mktemp(column)
        run(threadline, folder, writers(column))
        folders[column] = folder / "out"
    return folders


def columns_of(table_columns, table):
    return [column["name"] for column in table_columns[table]]


def check_equal(single_rows, partitioned_rows, columns, table, column):
    assert len(partitioned_rows) == len(single_rows) > 0
    assert canonical(partitioned_rows, columns, table) == canonical(single_rows, columns, table)
    if column == "sent_month":
        from datasets import month
        for row in partitioned_rows:
            assert row["sent_month"] == month(row[TIME_COLUMN[table]])


@pytest.mark.parametrize("column, fmt, table", CASES, ids=IDS)
def test_duckdb_reads_the_folder_as_the_table(outputs, table_columns, column, fmt, table):
    single = read_duckdb(table_path(outputs[None], table, fmt), fmt)
    folder = table_path(outputs[column], table, fmt)
    assert folder.is_dir()
    check_equal(single, read_duckdb(folder, fmt), columns_of(table_columns, table), table, column)


@pytest.mark.parametrize("column, fmt, table", CASES, ids=IDS)
def test_polars_reads_the_folder_as_the_table(outputs, table_columns, column, fmt, table):
    single = read_polars(table_path(outputs[None], table, fmt), fmt)
    partitioned = read_polars(table_path(outputs[column], table, fmt), fmt, single_schema=single.schema)
    columns = columns_of(table_columns, table)
    if fmt == "parquet":
        check_equal(single.to_dicts(), partitioned.to_dicts(), columns, table, column)
    else:
        check_equal(single.to_dicts(), partitioned.to_dicts(), columns, table, None)


@pytest.mark.parametrize("column, fmt, table", CASES, ids=IDS)
def test_pyarrow_reads_the_folder_as_the_table(outputs, table_columns, column, fmt, table):
    single = read_pyarrow(table_path(outputs[None], table, fmt), fmt)
    partitioned = read_pyarrow(table_path(outputs[column], table, fmt), fmt, single_schema=None if fmt == "parquet" else single.schema)
    check_equal(single.to_pylist(), partitioned.to_pylist(), columns_of(table_columns, table), table, column)


@pytest.mark.parametrize("column, table", [(c, t) for c, _, t in CASES if _ == "parquet"])
def test_pandas_reads_the_parquet_folder_with_a_partitioning_of_strings(outputs, table_columns, column, table):
    """pandas' read_parquet with docs/scale.md's partitioning (its default infers a dictionary type
    that does not merge with the column the part files hold)."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.dataset as ds
    def rows(frame):
        return frame.astype(object).where(frame.notna(), None).to_dict("records")
    single = pd.read_parquet(table_path(outputs[None], table, "parquet"))
    partitioning = ds.partitioning(pa.schema([(column, pa.string())]), flavor="hive")
    partitioned = pd.read_parquet(table_path(outputs[column], table, "parquet"), partitioning=partitioning)
    assert partitioned[column].dtype == object or str(partitioned[column].dtype).startswith("str")
    check_equal(rows(single), rows(partitioned), columns_of(table_columns, table), table, column)


def test_authors_is_one_file_whatever_the_partitioning(outputs):
    for column in PARTITION_COLUMNS:
        for fmt in FORMATS:
            path = table_path(outputs[column], "authors", fmt)
            assert path.is_file()
            assert path.read_bytes() == table_path(outputs[None], "authors", fmt).read_bytes()


@pytest.mark.slow
def test_spark_reads_every_folder_as_the_table(outputs, table_columns, spark):
    """Spark's own readers (Parquet, JSON, CSV with a header) on each folder and on the single file;
    partition column type inference off, so `document_id` values that look like numbers stay text."""
    spark.conf.set("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
    for column, fmt, table in CASES:
        def read(path):
            reader = spark.read
            if fmt == "csv":
                reader = reader.option("header", "true").option("multiLine", "true").option("escape", '"')
            frame = {"parquet": reader.parquet, "jsonl": reader.json, "csv": reader.csv}[fmt](str(path))
            return [row.asDict(recursive=True) for row in frame.collect()]
        single = read(table_path(outputs[None], table, fmt))
        partitioned = read(table_path(outputs[column], table, fmt))
        check_equal(single, partitioned, columns_of(table_columns, table), table, column)
