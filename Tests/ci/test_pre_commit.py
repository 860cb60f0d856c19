"""The pre-commit hook: `pre-commit try-repo` builds the clean clone the way it builds any
`language: swift` hook (`swift build -c release` into its own store) and runs the hook on the seed
files it selects. try-repo builds afresh each call, so the bad-file case runs the hook's `entry`
with the binary the Action test built, exactly as pre-commit would (PATH, then the file names).
"""

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ci_support import REPO, seed_files

HOOK = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())[0]


def test_the_hook_is_built_by_pre_commit_and_selects_what_validate_reads():
    assert HOOK["id"] == "threadline-validate"
    assert HOOK["language"] == "swift"
    assert shlex.split(HOOK["entry"])[:2] == ["threadline", "validate"]
    selects = re.compile(HOOK["files"])
    for path in ["seeds/books/20210308-x.md", "a/page.html", "a/page.htm", "export/general/2021-01-02.json", "export.zip"]:
        assert selects.search(path), path
    for path in ["Package.swift", "notes.txt", "seeds/books/x.md.orig", "pipelines/default.yaml"]:
        assert not selects.search(path), path
    # Templates and drafts are left out, as a folder walk of `threadline validate` leaves them out.
    excludes = re.compile(HOOK["exclude"])
    for path in ["_books/_template.md", "seeds/people/_draft.md", "_template.md"]:
        assert excludes.search(path), path
    for path in ["_books/20210308-x.md", "seeds/people/ana_souza.md", "seeds/_x/page.html"]:
        assert not excludes.search(path), path


@pytest.mark.slow
def test_the_hook_passes_on_the_seeds_with_their_pipeline(clean_clone):
    files = seed_files(clean_clone)
    assert len(files) == 10
    # As docs/ci.md shows it: the hook with the pipeline whose validate.custom_emoji lists the
    # workspace's own emoji (the seeds' Slack export has one), from a config outside the clone.
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=clean_clone, check=True, capture_output=True, text=True).stdout.strip()
    config = clean_clone.parent / "pre-commit-config.yaml"
    config.write_text(yaml.safe_dump({"repos": [{
        "repo": str(clean_clone), "rev": head,
        "hooks": [{"id": HOOK["id"], "args": ["--pipeline", "pipelines/default.yaml"]}],
    }]}))
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "-c", str(config), HOOK["id"], "--verbose", "--files", *files],
        cwd=clean_clone, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert re.search(r"^threadline validate\.+Passed$", result.stdout, re.M), result.stdout
    # --verbose shows the hook's output: validate's summary of each batch of files pre-commit gave it
    # (an export folder's files count as the export they are read with), and a note for each file the
    # pipeline does not read: the zip (the pipeline reads the folder) and the people profile.
    summaries = re.findall(r"^(\d+) files? checked: (\d+) errors?, (\d+) warnings?$", result.stdout, re.M)
    assert summaries and all(errors == "0" and warnings == "0" for _, errors, warnings in summaries)
    not_read = re.findall(r"^(\S+): note: not an input of pipelines/default\.yaml", result.stdout, re.M)
    assert sorted(not_read) == ["seeds/people/martinkleppmann.md", "seeds/slack-export.zip"]


@pytest.mark.slow
def test_the_hook_entry_fails_on_a_bad_file(clean_clone, tmp_path):
    binary = clean_clone / ".build" / "release" / "threadline"
    if not binary.exists():
        subprocess.run(["swift", "build", "-c", "release", "--product", "threadline"], cwd=clean_clone, check=True)
    bad = tmp_path / "seeds" / "books" / "20210315-broken.md"
    bad.parent.mkdir(parents=True)
    bad.write_text("---\ntitle: From X: to Y\nstart: 2021-03-15\n---\n")
    good = "seeds/books/20210308-designing-data-intensive-applications.md"
    (tmp_path / good).write_bytes((clean_clone / good).read_bytes())
    files = [good, "seeds/books/20210315-broken.md"]
    assert all(re.search(HOOK["files"], path) for path in files)
    entry = shlex.split(HOOK["entry"])
    result = subprocess.run([str(binary), *entry[1:], *files], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert "seeds/books/20210315-broken.md:2:14: error: invalid YAML in front matter" in output
    assert good not in output
