"""The Kubernetes example (examples/kubernetes) as Kubernetes would run it, short of a cluster: the
Indexed Job's N pods are N shells, each with its JOB_COMPLETION_INDEX, running the container's
command; then the merge Job's command. The example's pipeline, over the shared samples laid out as
its volume expects, gives what one run of it gives."""

import os
import shutil
import subprocess
from pathlib import Path

import yaml

from datasets import SAMPLES

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "kubernetes"


def documents(name):
    return list(yaml.safe_load_all((EXAMPLE / name).read_text()))


def container(job):
    spec = job["spec"]["template"]["spec"]
    assert spec["restartPolicy"] == "Never"
    (container,) = spec["containers"]
    assert container["command"] == ["/bin/sh", "-c"]
    return container


def test_the_indexed_job_runs_one_shard_per_index_and_the_merge_job_completes_it(threadline, tmp_path):
    config, claim, shards = documents("threadline-shards.yaml")
    (merge,) = documents("threadline-merge.yaml")
    assert (config["kind"], claim["kind"], shards["kind"], merge["kind"]) == ("ConfigMap", "PersistentVolumeClaim", "Job", "Job")
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    count = shards["spec"]["completions"]
    assert shards["spec"]["completionMode"] == "Indexed" and shards["spec"]["parallelism"] == count
    (script,) = container(shards)["args"]
    assert f"--shard $((JOB_COMPLETION_INDEX+1))/{count} " in script
    (merge_script,) = container(merge)["args"]
    volume = lambda job: job["spec"]["template"]["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"]
    assert volume(shards) == volume(merge) == claim["metadata"]["name"]

    # The volume: the samples where the example's pipeline looks for them.
    data = tmp_path / "data"
    shutil.copytree(SAMPLES / "books", data / "archives" / "books")
    (data / "archives" / "slack").mkdir(parents=True)
    shutil.copy(SAMPLES / "slack-export.zip", data / "archives" / "slack" / "workspace.zip")
    pipeline = config["data"]["pipeline.yaml"].replace("/data", str(data))
    (tmp_path / "pipeline.yaml").write_text(pipeline)
    (tmp_path / "single.yaml").write_text(pipeline.replace(str(data / "output"), str(tmp_path / "single")))
    env = dict(os.environ, PATH=f"{Path(threadline).parent}:{os.environ['PATH']}")

    def shell(command, **extra):
        command = command.replace("/config/pipeline.yaml", str(tmp_path / "pipeline.yaml")).replace("/data", str(data))
        return subprocess.run(["/bin/sh", "-c", command], env=dict(env, **extra), capture_output=True, text=True)

    pods = [shell(script, JOB_COMPLETION_INDEX=str(index)) for index in range(count)]
    assert [pod.returncode for pod in pods] == [0] * count, [pod.stderr for pod in pods]
    assert sorted(p.name for p in (data / "output").glob("_manifest.*-of-*.json")) == [f"_manifest.{k}-of-{count}.json" for k in range(1, count + 1)]
    merged = shell(merge_script)
    assert merged.returncode == 0, merged.stderr
    single = subprocess.run([str(threadline), "run", "--quiet", str(tmp_path / "single.yaml")], capture_output=True, text=True)
    assert single.returncode == 0, single.stderr
    for name in ["messages.jsonl", "threads.jsonl", "documents.jsonl", "authors.jsonl", "authors.parquet", "_rejects.jsonl"]:
        assert (data / "output" / name).read_bytes() == (tmp_path / "single" / name).read_bytes(), name
    parts = sorted(p.relative_to(data / "output").as_posix() for p in (data / "output" / "messages.parquet").rglob("*.parquet"))
    assert parts and all(p.startswith("messages.parquet/document_id=") for p in parts)
