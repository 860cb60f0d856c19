"""Fixtures of the CI-adoption suite: a clean clone of the repository (its committed HEAD, as CI and
pre-commit see it) and the `slow` marker for the tests that build it in release mode.

Slow tests run when THREADLINE_SLOW_TESTS=1 (.ci/run sets it); otherwise they are skipped.
"""

import os
import subprocess

import pytest

from ci_support import REPO


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: builds threadline in release mode; runs when THREADLINE_SLOW_TESTS=1")


def pytest_collection_modifyitems(config, items):
    if os.environ.get("THREADLINE_SLOW_TESTS") == "1":
        return
    skip = pytest.mark.skip(reason="builds in release mode: set THREADLINE_SLOW_TESTS=1 to run")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def clean_clone(tmp_path_factory):
    """A `git clone` of this repository's HEAD in a temporary folder: no build, no untracked files."""
    clone = tmp_path_factory.mktemp("clone") / "threadline"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True)
    return clone

