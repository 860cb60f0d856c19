"""Runs of the pipeline over every shared sample (Tests/Samples), and how the partitioned, sharded
and incremental suites read a table back with each engine: as rows of the table's own columns in
primary-key order, so a folder of partitions and the single file compare equal when they hold the
same table."""

import json
import subprocess
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "Tests" / "Samples"
FORMATS = ["parquet", "jsonl", "csv"]
PARTITION_COLUMNS = ["document_id", "source", "sent_month"]
# The tables that have each partition column; the others are written as one file.
PARTITIONED_TABLES = {"document_id": ["messages", "threads", "documents"], "source": ["messages", "threads", "documents"],
                      "sent_month": ["messages", "threads"]}
PRIMARY_KEYS = {"messages": "message_id", "threads": "thread_id", "documents": "document_id", "authors": "author_id"}


def samples_pipeline(output_root, load, name="samples"):
    """The pipeline of Tests/ThreadlineCoreTests/Support/SamplesPipeline.swift: eight inputs of every
    source, with rejects and a repeated document."""
    return f"""version: 1
name: {name}
input_root: {SAMPLES}
output_root: {output_root}
on_error: quarantine
extract:
  - type: markdown
    include: ["books/*.md"]
  - type: slack_html
    include: ["slack-html/**/*.html", "slack-html-single/*.html", "slackdump/**/*.html"]
    timezone: UTC
  - type: slack_json
    include: ["slack-export", "slack-export.zip", "slack-json/*"]
transform:
  - type: clean_text
  - type: clean_emoji
  - type: normalise_authors
load:
{load}
"""


def writers(partition_by=None, report=False):
    """The load section: every table as Parquet, JSON Lines and CSV, partitioned by `partition_by`."""
    lines = []
    for fmt in FORMATS:
        lines.append(f"  - type: {fmt}")
        if partition_by:
            lines.append(f"    partition_by: [{partition_by}]")
    if report:
        lines.append("  - type: report")
    return "\n".join(lines)


def run(threadline, folder, load, *arguments, name="samples", check=True):
    """Writes the pipeline into `folder` and runs it (with `arguments`) into `folder/out`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    pipeline = folder / "pipeline.yaml"
    pipeline.write_text(samples_pipeline(folder / "out", load, name=name))
    result = subprocess.run([str(threadline), "run", str(pipeline), "--quiet", *arguments], capture_output=True, text=True)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def month(value):
    """`YYYY-MM` of a timestamp as an engine gives it, or None."""
    if value is None:
        return None
    if isinstance(value, str):
        return value[:7]
    return value.astimezone(timezone.utc).strftime("%Y-%m") if isinstance(value, datetime) else str(value)[:7]


def canonical(rows, columns, table):
    """Rows (dicts) as tuples of `columns`, ordered by the table's primary key."""
    key = PRIMARY_KEYS[table]
    return [tuple(json.dumps(row[c], default=str, sort_keys=True) for c in columns) for row in sorted(rows, key=lambda r: r[key])]


def table_path(root, table, fmt):
    return Path(root) / f"{table}.{fmt}"


def read_duckdb(path, fmt):
    import duckdb
    reader = {"parquet": "read_parquet", "jsonl": "read_json", "csv": "read_csv"}[fmt]
    target = f"{path}/**/*.{fmt}" if path.is_dir() else str(path)
    relation = duckdb.sql(f"SELECT * FROM {reader}('{target}'{', hive_partitioning = true' if path.is_dir() else ''})")
    return [dict(zip(relation.columns, row)) for row in relation.fetchall()]


def read_polars(path, fmt, single_schema=None):
    """Parquet with polars' Hive partitioning; JSON Lines and CSV, whose readers have none, as the
    glob of their part files (the partition columns are in the files), with the single file's schema
    (polars takes a multi-file schema from the first files, where a column may be all null)."""
    import polars as pl
    if fmt == "parquet":
        return pl.read_parquet(path, hive_partitioning=True) if path.is_dir() else pl.read_parquet(path)
    if not path.is_dir():
        return pl.read_ndjson(path, infer_schema_length=None) if fmt == "jsonl" else pl.read_csv(path, infer_schema_length=None)
    if fmt == "jsonl":
        return pl.scan_ndjson(f"{path}/**/*.jsonl", schema=single_schema).collect()
    return pl.scan_csv(f"{path}/**/*.csv", schema=single_schema).collect()


def read_pyarrow(path, fmt, single_schema=None):
    """A pyarrow dataset with Hive partitioning. For JSON Lines and CSV, whose per-file type inference
    differs between files (a column null in one part, a timestamp in another), the file's schema is
    the single file's, as an analyst would give it; the partition fields are strings."""
    import pyarrow as pa
    import pyarrow.dataset as ds
    kind = {"parquet": "parquet", "jsonl": "json", "csv": "csv"}[fmt]
    if not path.is_dir():
        return ds.dataset(path, format=kind).to_table()
    names = [part.split("=")[0] for part in next(p for p in path.rglob(f"*.{fmt}")).relative_to(path).parts[:-1]]
    partitioning = ds.partitioning(pa.schema([(name, pa.string()) for name in names]), flavor="hive")
    if single_schema is None:
        return ds.dataset(path, format=kind, partitioning=partitioning).to_table()
    schema = single_schema
    for name in names:
        if schema.get_field_index(name) < 0:
            schema = schema.append(pa.field(name, pa.string()))
    return ds.dataset(path, format=kind, partitioning=partitioning, schema=schema).to_table()
