"""A real engine drives a sharded run: Apache Spark in local mode runs `threadline run --shard K/N` as
N tasks of one job, then `threadline merge` completes the run, and Spark's own Parquet reader reads
the dataset back (single files and a folder partitioned by document_id) equal to a single run read
the same way. Slow (a Spark session starts in about 10-40 s): runs with THREADLINE_SLOW_TESTS=1.
"""

import json
import subprocess

import pytest

from datasets import PRIMARY_KEYS, canonical, run, samples_pipeline

SHARDS = 3
LOAD = """  - type: parquet
  - type: parquet
    path: "{table}_by_document"
    partition_by: [document_id]
  - type: jsonl"""
TABLES = ["messages", "threads", "documents", "authors"]


@pytest.fixture(scope="module")
def spark_run(threadline, spark, tmp_path_factory):
    """(single run's output_root, sharded output_root, task results, merge result)."""
    single = tmp_path_factory.mktemp("spark-single")
    run(threadline, single, LOAD)
    sharded = tmp_path_factory.mktemp("spark-sharded")
    pipeline = sharded / "pipeline.yaml"
    pipeline.write_text(samples_pipeline(sharded / "out", LOAD))
    # One task per shard: each runs `threadline run --shard K/N` in the executor's own process.
    command = [str(threadline), "run", "--quiet", str(pipeline), "--shard"]
    tasks = (spark.sparkContext.parallelize(range(SHARDS), SHARDS)
             .map(lambda k, command=command, n=SHARDS: (
                 k + 1, subprocess.run(command + [f"{k + 1}/{n}"], capture_output=True, text=True).returncode))
             .collect())
    merge = subprocess.run([str(threadline), "merge", str(sharded / "out")], capture_output=True, text=True)
    return single / "out", sharded / "out", tasks, merge


@pytest.mark.slow
def test_spark_tasks_run_every_shard_and_merge_completes_the_run(spark_run):
    _, sharded, tasks, merge = spark_run
    assert sorted(shard for shard, _ in tasks) == [1, 2, 3]
    assert all(code == 0 for _, code in tasks), tasks
    assert merge.returncode == 0, merge.stderr
    manifest = json.loads((sharded / "_manifest.json").read_text())
    assert [shard["index"] for shard in manifest["shards"]] == [1, 2, 3]
    assert {input["shard"] for input in manifest["inputs"]} <= {1, 2, 3}
    assert not (sharded / ".threadline" / "shards" / "1-of-3").exists()


@pytest.mark.slow
def test_spark_reads_the_merged_dataset_as_the_single_run(spark_run, spark, table_columns):
    single, sharded, _, merge = spark_run
    assert merge.returncode == 0, merge.stderr
    spark.conf.set("spark.sql.sources.partitionColumnTypeInference.enabled", "false")

    def rows(path):
        return [row.asDict(recursive=True) for row in spark.read.parquet(str(path)).collect()]

    for table in TABLES:
        columns = [column["name"] for column in table_columns[table]]
        expected = rows(single / f"{table}.parquet")
        assert len(expected) > 0
        # The single files: what Spark reads, and the bytes.
        assert canonical(rows(sharded / f"{table}.parquet"), columns, table) == canonical(expected, columns, table)
        assert (sharded / f"{table}.parquet").read_bytes() == (single / f"{table}.parquet").read_bytes()
        assert (sharded / f"{table}.jsonl").read_bytes() == (single / f"{table}.jsonl").read_bytes()
        # The partitioned folders (authors has no document_id: one file there too).
        partitioned = sharded / f"{table}_by_document"
        if table == "authors":
            assert partitioned.is_file()
        else:
            assert partitioned.is_dir() and any(partitioned.glob("document_id=*/part-*.parquet"))
        assert canonical(rows(partitioned), columns, table) == canonical(expected, columns, table)
        assert canonical(rows(partitioned), columns, table) == canonical(rows(single / f"{table}_by_document"), columns, table)
