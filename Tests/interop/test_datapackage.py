"""The Frictionless Data Package a run writes beside its tables: `frictionless validate` accepts it on
the default run (types, primary and foreign keys, sizes and hashes of every CSV and JSON Lines file),
and refuses it once a key is broken on purpose."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from frictionless import validate

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def default_run(threadline, tmp_path_factory):
    out = tmp_path_factory.mktemp("default-run")
    run = subprocess.run([threadline, "run", "--quiet", "pipelines/default.yaml"], cwd=REPO, capture_output=True, text=True,
                         env=dict(os.environ, THREADLINE_OUTPUT=str(out)))
    assert run.returncode == 0, run.stderr
    return out


def errors(report):
    return sorted({(task.name, error.type) for task in report.tasks for error in task.errors})


def test_the_default_runs_package_validates(default_run):
    package = json.loads((default_run / "datapackage.json").read_text())
    names = [resource["name"] for resource in package["resources"]]
    assert names == [f"{table}-{fmt}" for fmt in ("jsonl", "csv", "parquet")
                     for table in ("messages", "threads", "documents", "authors")]
    messages = next(r for r in package["resources"] if r["name"] == "messages-csv")
    assert messages["schema"]["primaryKey"] == ["message_id"]
    assert {key["fields"][0]: key["reference"]["resource"] for key in messages["schema"]["foreignKeys"]} == {
        "thread_id": "threads-csv", "parent_id": "", "document_id": "documents-csv", "author_id": "authors-csv"}
    report = validate(default_run / "datapackage.json")
    assert report.valid, errors(report)
    assert len(report.tasks) == 12


def broken_copy(default_run, tmp_path, resource, edit):
    """A copy of the run whose `resource` file `edit` changed, its size and hash dropped from the package."""
    copy = tmp_path / "run"
    shutil.copytree(default_run, copy)
    package = json.loads((copy / "datapackage.json").read_text())
    entry = next(r for r in package["resources"] if r["name"] == resource)
    entry.pop("bytes")
    entry.pop("hash")
    (copy / "datapackage.json").write_text(json.dumps(package))
    path = copy / entry["path"]
    path.write_text(edit(path.read_text()))
    return copy / "datapackage.json"


def test_a_duplicated_message_id_fails_the_primary_key(default_run, tmp_path):
    def duplicate_second_row(text):
        lines = text.splitlines(keepends=True)
        first, second = json.loads(lines[0]), json.loads(lines[1])
        second["message_id"] = first["message_id"]
        lines[1] = json.dumps(second, ensure_ascii=False) + "\n"
        return "".join(lines)
    report = validate(broken_copy(default_run, tmp_path, "messages-jsonl", duplicate_second_row))
    assert not report.valid
    assert errors(report) == [("messages-jsonl", "primary-key")]


def test_a_reply_to_a_missing_thread_fails_the_foreign_key(default_run, tmp_path):
    def orphan_last_row(text):
        lines = text.splitlines(keepends=True)
        row = json.loads(lines[-1])
        row["thread_id"] = "0000000000000000"
        lines[-1] = json.dumps(row, ensure_ascii=False) + "\n"
        return "".join(lines)
    report = validate(broken_copy(default_run, tmp_path, "messages-jsonl", orphan_last_row))
    assert errors(report) == [("messages-jsonl", "foreign-key")]


def test_a_partitioned_runs_package_validates(threadline, tmp_path):
    """A table partitioned by document_id is one resource whose path lists its part files (each CSV
    part with its header): frictionless reads them as one table and checks its keys across them."""
    from datasets import run, writers
    run(threadline, tmp_path, writers("document_id"))
    package = json.loads((tmp_path / "out" / "datapackage.json").read_text())
    messages = next(r for r in package["resources"] if r["name"] == "messages-csv")
    assert isinstance(messages["path"], list) and len(messages["path"]) > 3
    assert all(path.startswith("messages.csv/document_id=") for path in messages["path"])
    report = validate(tmp_path / "out" / "datapackage.json")
    assert report.valid, errors(report)
    assert len(report.tasks) == 12
