"""The GitHub Action without GitHub: action.yml's steps run in order, the way a runner runs a composite
action's `run:` steps (bash -eo pipefail, `${{ }}` expressions substituted, GITHUB_OUTPUT collected),
on a clean clone of the repository. `uses:` steps (the build cache) are skipped, their inputs still
resolved. The inputs are those of .github/workflows/validate-seeds.yml, which runs the Action on
this repository's seeds/.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from ci_support import REPO

ACTION = yaml.safe_load((REPO / "action.yml").read_text())
WORKFLOW = yaml.safe_load((REPO / ".github" / "workflows" / "validate-seeds.yml").read_text())
EXPRESSION = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")


class ActionRun:
    def __init__(self):
        self.steps = []  # (name, CompletedProcess)
        self.skipped = []  # (uses, resolved with:)
        self.outputs = {}

    def step(self, name):
        return dict(self.steps)[name]


def substitute(text, values):
    def value(match):
        expression = match.group(1)
        assert expression in values, f"unknown expression in action.yml: {expression}"
        return values[expression]
    return EXPRESSION.sub(value, str(text))


def run_action(action_path, workspace, inputs, scratch):
    """Runs the action's steps; stops at the first step that fails, as a runner does."""
    values = {f"inputs.{name}": str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    for name, value in inputs.items():
        assert f"inputs.{name}" in values, f"the action has no input '{name}'"
        values[f"inputs.{name}"] = str(value)
    values.update({"github.action_path": str(action_path), "runner.os": "Linux", "runner.arch": "X64"})
    run = ActionRun()
    for index, step in enumerate(ACTION["runs"]["steps"]):
        if "uses" in step:
            resolved = {key: substitute(value, values) for key, value in step.get("with", {}).items()}
            run.skipped.append((step["uses"], resolved))
            continue
        assert "if" not in step, "a run step with a condition: teach this harness to evaluate it"
        assert step["shell"] == "bash"
        script = scratch / f"step-{index}.sh"
        script.write_text(substitute(step["run"], values))
        output = scratch / f"output-{index}"
        output.write_text("")
        env = dict(os.environ, GITHUB_OUTPUT=str(output), GITHUB_ACTION_PATH=str(action_path),
                   GITHUB_WORKSPACE=str(workspace), RUNNER_OS="Linux", CI="true", GITHUB_ACTIONS="true")
        env.update({key: substitute(value, values) for key, value in step.get("env", {}).items()})
        cwd = substitute(step.get("working-directory", str(workspace)), values)
        result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                                cwd=cwd, env=env, capture_output=True, text=True)
        run.steps.append((step["name"], result))
        for line in output.read_text().splitlines():
            key, _, value = line.partition("=")
            values[f"steps.{step['id']}.outputs.{key}"] = value
            run.outputs[f"{step['id']}.{key}"] = value
        if result.returncode != 0:
            break
    return run


def workflow_inputs():
    """The `with:` of the workflow step that uses this repository's Action, after a checkout."""
    steps = WORKFLOW["jobs"]["validate"]["steps"]
    uses = [step.get("uses") for step in steps]
    assert uses[0].startswith("actions/checkout@")
    action_steps = [step for step in steps if step.get("uses") == "./"]
    assert len(action_steps) == 1
    return action_steps[0].get("with", {})


@pytest.fixture(scope="module")
def seeds_run(clean_clone, tmp_path_factory):
    """The workflow's run: the Action on the clone's own seeds/, built in the clone."""
    return run_action(clean_clone, clean_clone, workflow_inputs(), tmp_path_factory.mktemp("action"))


@pytest.mark.slow
def test_the_workflow_validates_the_seeds(seeds_run, clean_clone):
    names = [name for name, _ in seeds_run.steps]
    assert names == [step["name"] for step in ACTION["runs"]["steps"] if "uses" not in step]
    for name, result in seeds_run.steps:
        assert result.returncode == 0, f"{name}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    validate = seeds_run.step("Validate")
    lines = validate.stdout.splitlines()
    # Annotations only, at seed files; the seeds hold no error or warning (strict) by the default
    # pipeline's rules (its custom emoji), one notice about the page, and one for each seed file
    # that pipeline does not read.
    assert lines and all(re.match(r"::(notice|warning|error) file=seeds/[^,]+,(line=\d+,col=\d+,)?title=threadline validate \([a-z-]+\)::", line)
                         for line in lines), validate.stdout
    assert [line.split("::", 2)[1] for line in lines] == [
        "notice file=seeds/slack-html/channel/book-of-the-week/index.html,line=1906,col=17,title=threadline validate (markup-caveat)",
        "notice file=seeds/people/martinkleppmann.md,title=threadline validate (not-read)",
        "notice file=seeds/slack-export.zip,title=threadline validate (not-read)",
    ]
    assert (clean_clone / ".build" / "release" / "threadline").is_file()


@pytest.mark.slow
def test_the_cache_is_keyed_on_the_sources(seeds_run, clean_clone):
    (uses, cache), = [(uses, inputs) for uses, inputs in seeds_run.skipped if uses.startswith("actions/cache@")]
    key = seeds_run.outputs["sources.hash"]
    assert re.fullmatch(r"[0-9a-f]{32}", key)
    assert cache["path"] == f"{clean_clone}/.build"
    assert cache["key"] == f"threadline-Linux-X64-{key}"
    assert cache["key"].startswith(cache["restore-keys"])


@pytest.mark.slow
def test_the_action_fails_on_a_bad_seed(seeds_run, clean_clone, tmp_path):
    # A project of its own: a good archive and one whose front matter is not YAML (an unquoted colon).
    workspace = tmp_path / "project"
    (workspace / "seeds").mkdir(parents=True)
    shutil.copytree(clean_clone / "seeds" / "books", workspace / "seeds" / "books")
    broken = workspace / "seeds" / "books" / "20210315-broken.md"
    broken.write_text("---\ntitle: From X: to Y\nstart: 2021-03-15\nend: 2021-03-19\nauthors: [someone]\n---\nBody.\n")
    column = "title: From X: to Y".index(": to") + 1
    run = run_action(clean_clone, workspace, {"paths": "seeds"}, tmp_path)
    validate = run.step("Validate")
    assert validate.returncode == 1, validate.stdout + validate.stderr
    assert validate.stdout.splitlines() == [
        f"::error file=seeds/books/20210315-broken.md,line=2,col={column},title=threadline validate (not-yaml)::"
        "invalid YAML in front matter: mapping values are not allowed in this context"
        "%0Aa ': ' inside an unquoted value reads as a new key: put the value in quotes (title: \"From X: to Y\")"]


@pytest.mark.slow
def test_paths_split_on_whitespace_and_globs_reach_threadline(seeds_run, clean_clone, tmp_path):
    run = run_action(clean_clone, clean_clone, {"paths": "seeds/books/*.md\n  seeds/slack-export.zip", "format": "json"}, tmp_path)
    validate = run.step("Validate")
    assert validate.returncode == 0, validate.stderr
    import json
    report = json.loads(validate.stdout)
    books = sorted(path.relative_to(clean_clone).as_posix() for path in (clean_clone / "seeds" / "books").glob("*.md"))
    assert report["files"] == books + ["seeds/slack-export.zip"]


def test_every_run_step_is_bash_and_expressions_are_known():
    """Cheap checks that need no build: the harness can run every step, and inputs reach the Validate
    step through the environment, never pasted into its script."""
    for step in ACTION["runs"]["steps"]:
        if "uses" in step:
            continue
        assert step.get("shell") == "bash"
        for match in EXPRESSION.finditer(step["run"]):
            pytest.fail(f"{step['name']}: expression {match.group(0)} inside a script")
    assert set(ACTION["inputs"]) == {"paths", "format", "strict", "pipeline"}
    assert ACTION["inputs"]["format"]["default"] == "github"
    assert set(workflow_inputs()) <= set(ACTION["inputs"])
