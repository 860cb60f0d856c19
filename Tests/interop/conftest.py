"""Fixtures of the Parquet interop suite: the threadline binary, pipeline runs, and sample files.

Environment:
- THREADLINE_BIN: a built `threadline` binary (default: `swift build --product threadline`).
- THREADLINE_PARQUET_SAMPLES: a folder already holding the Swift sample files (default: written by
  `swift test --filter ParquetSampleFileTests` into a temporary folder).
"""

import json
import os
import subprocess
from pathlib import Path

import pytest

from cases import CODECS, RUN_VARIANTS, TABLES

REPO = Path(__file__).resolve().parents[2]


def _swift_bin_path():
    out = subprocess.run(["swift", "build", "--show-bin-path"], cwd=REPO, check=True, capture_output=True, text=True)
    return Path(out.stdout.strip())


@pytest.fixture(scope="session")
def threadline():
    if os.environ.get("THREADLINE_BIN"):
        return Path(os.environ["THREADLINE_BIN"])
    subprocess.run(["swift", "build", "--product", "threadline"], cwd=REPO, check=True)
    return _swift_bin_path() / "threadline"


@pytest.fixture(scope="session")
def table_columns(threadline):
    """{table: [{"name", "type", "nullable"}]} from `threadline schema --format json`."""
    out = subprocess.run([threadline, "schema", "--format", "json"], check=True, capture_output=True, text=True)
    return {entry["table"]: entry["columns"] for entry in json.loads(out.stdout)}


def run_pipeline(threadline, output_root, parquet_options):
    """Runs the default pipeline into `output_root`, writing JSON Lines and Parquet of every table."""
    options = ", ".join(f"{key}: {value}" for key, value in parquet_options.items())
    load = f"[{{type: jsonl, tables: all}}, {{type: parquet, tables: all, {options}}}]"
    result = subprocess.run(
        [threadline, "run", str(REPO / "pipelines" / "default.yaml"), "--quiet",
         "--set", f"output_root={output_root}", "--set", f"load={load}"],
        capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return Path(output_root)


@pytest.fixture(scope="session")
def runs(threadline, tmp_path_factory):
    """{variant id: output folder} for every codec x dictionary setting, plus small row groups."""
    outputs = {}
    for variant, options in RUN_VARIANTS.items():
        outputs[variant] = run_pipeline(threadline, tmp_path_factory.mktemp(variant), options)
    return outputs


@pytest.fixture(scope="session")
def samples(tmp_path_factory):
    """The folder of Swift-written edge-case samples (`*.parquet`, `*.jsonl`, `*.schema.json`)."""
    if os.environ.get("THREADLINE_PARQUET_SAMPLES"):
        return Path(os.environ["THREADLINE_PARQUET_SAMPLES"])
    folder = tmp_path_factory.mktemp("samples")
    env = dict(os.environ, THREADLINE_PARQUET_OUT=str(folder))
    result = subprocess.run(["swift", "test", "--filter", "ParquetSampleFileTests"], cwd=REPO, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return folder


@pytest.fixture
def case(request, runs, samples, table_columns):
    """(parquet path, jsonl path, columns) of one case id: `run/<variant>/<table>` or `sample/<name>`."""
    kind, *rest = request.param.split("/")
    if kind == "run":
        variant, table = rest
        folder = runs[variant]
        return folder / f"{table}.parquet", folder / f"{table}.jsonl", table_columns[table]
    name = rest[0]
    stem = name.split("-")[0]
    columns = json.loads((samples / f"{stem}.schema.json").read_text())
    return samples / f"{name}.parquet", samples / f"{stem}.jsonl", columns


def pytest_generate_tests(metafunc):
    if "case" in metafunc.fixturenames:
        ids = [f"run/{variant}/{table}" for variant in RUN_VARIANTS for table in TABLES]
        ids += [f"sample/sample-{codec}-{d}" for codec in CODECS for d in ("dict", "plain")]
        ids += ["sample/fallback-snappy-dict", "sample/empty-zstd-dict"]
        metafunc.parametrize("case", ids, indirect=True, ids=ids)


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: runs when THREADLINE_SLOW_TESTS=1 (Spark in local mode, release builds)")


@pytest.fixture(scope="session")
def spark():
    """A Spark session in local mode (two threads), for the slow tests that read threadline's datasets
    with Spark's own readers: they run when THREADLINE_SLOW_TESTS=1, which installs pyspark into the
    venv (Tests/interop/requirements-spark.txt) and needs a Java runtime (scripts/setup-ci installs
    openjdk-17-jre-headless). Without pyspark or Java they are skipped, unless
    THREADLINE_REQUIRE_TOOLS=1 (as in CI), when they fail."""
    if os.environ.get("THREADLINE_SLOW_TESTS") != "1":
        pytest.skip("Spark tests are slow: set THREADLINE_SLOW_TESTS=1 to run them")
    import warnings
    # pyspark warns about pandas 3 on import; its pandas conversions are not used here.
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        message = "pyspark is not installed (scripts/test installs it when THREADLINE_SLOW_TESTS=1)"
        if os.environ.get("THREADLINE_REQUIRE_TOOLS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    import shutil
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        message = "no Java runtime for Spark (scripts/setup-ci installs openjdk-17-jre-headless)"
        if os.environ.get("THREADLINE_REQUIRE_TOOLS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    session = (SparkSession.builder.master("local[2]").appName("threadline-tests")
               .config("spark.ui.enabled", "false").config("spark.sql.session.timeZone", "UTC").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
