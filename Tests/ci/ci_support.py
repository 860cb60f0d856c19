"""Helpers of the CI-adoption suite."""

import re
import subprocess
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]


def seed_files(root):
    """The committed files under seeds/ that the pre-commit hook's `files` pattern selects."""
    hook = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())[0]
    listed = subprocess.run(["git", "ls-files", "seeds"], cwd=root, check=True, capture_output=True, text=True)
    return [path for path in listed.stdout.split() if re.search(hook["files"], path) and not re.search(hook["exclude"], path)]
