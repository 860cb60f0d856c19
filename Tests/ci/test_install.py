"""scripts/install into a temporary prefix, from a clean clone: the binary runs, `man -l` renders the
generated page, and the bash completion loads. The release build is the clone's, shared with the
Action test."""

import os
import shutil
import subprocess

import pytest

from ci_support import REPO

INSTALLED = [
    "bin/threadline",
    "share/man/man1/threadline.1",
    "share/bash-completion/completions/threadline",
    "share/zsh/site-functions/_threadline",
    "share/fish/vendor_completions.d/threadline.fish",
]


def require(tool):
    if shutil.which(tool) is None:
        message = f"{tool} is not installed (scripts/setup-ci installs it)"
        if os.environ.get("THREADLINE_REQUIRE_TOOLS") == "1":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def prefix(clean_clone, tmp_path_factory):
    prefix = tmp_path_factory.mktemp("prefix")
    result = subprocess.run([str(clean_clone / "scripts" / "install"), str(prefix)], cwd=clean_clone,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for path in INSTALLED:
        assert f"{prefix}/{path}" in result.stdout
    return prefix


def test_install_refuses_two_prefixes():
    result = subprocess.run([str(REPO / "scripts" / "install"), "/tmp/a", "/tmp/b"], capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.startswith("usage: scripts/install [PREFIX]")


@pytest.mark.slow
def test_the_installed_binary_runs(prefix, clean_clone):
    for path in INSTALLED:
        assert (prefix / path).is_file(), path
    assert os.access(prefix / "bin" / "threadline", os.X_OK)
    version = subprocess.run([prefix / "bin" / "threadline", "--version"], check=True, capture_output=True, text=True)
    assert version.stdout.strip() == subprocess.run(
        [clean_clone / ".build" / "release" / "threadline", "--version"], check=True, capture_output=True, text=True).stdout.strip()
    # With the default pipeline, whose validate.custom_emoji lists the workspace's own emoji of the seeds.
    validate = subprocess.run(
        [prefix / "bin" / "threadline", "validate", "--pipeline", "pipelines/default.yaml", "seeds"], cwd=clean_clone, capture_output=True, text=True)
    assert validate.returncode == 0, validate.stdout + validate.stderr
    assert validate.stdout.endswith("files checked: 0 errors, 0 warnings\n")


@pytest.mark.slow
def test_man_renders_the_page(prefix):
    require("man")
    env = dict(os.environ, MANPAGER="cat", PAGER="cat", MANWIDTH="100", LANG="C.UTF-8")
    page = subprocess.run(["man", "-l", str(prefix / "share/man/man1/threadline.1")], env=env,
                          check=True, capture_output=True, text=True).stdout
    for heading in ["NAME", "SYNOPSIS", "DESCRIPTION"]:
        assert f"\n{heading}\n" in f"\n{page}", heading
    assert "threadline" in page
    # Every subcommand of the command line is in the page, from the same definitions as --help.
    help_text = subprocess.run([prefix / "bin" / "threadline", "--help"], check=True, capture_output=True, text=True).stdout
    subcommands = [line.split()[0] for line in help_text.split("SUBCOMMANDS:")[1].splitlines()
                   if line.startswith("  ") and line.split() and not line.strip().startswith("See ")]
    assert {"run", "check", "validate", "schema", "steps"} <= set(subcommands)
    for subcommand in subcommands:
        assert subcommand in page, subcommand
    # And `man` finds it by name under the prefix's man path.
    by_name = subprocess.run(["man", "-M", str(prefix / "share/man"), "threadline"], env=env, capture_output=True, text=True)
    assert by_name.returncode == 0 and by_name.stdout == page


@pytest.mark.slow
def test_the_bash_completion_loads(prefix):
    completion = prefix / "share/bash-completion/completions/threadline"
    result = subprocess.run(["bash", "--norc", "-c", f'source "{completion}" && complete -p threadline'],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("complete ")
    assert result.stdout.rstrip().endswith(" threadline")
    # The function it names completes the subcommands.
    function = result.stdout.split("-F ")[1].split()[0]
    words = subprocess.run(
        ["bash", "--norc", "-c",
         f'source "{completion}"; COMP_WORDS=(threadline va); COMP_CWORD=1; COMP_LINE="threadline va"; '
         f'COMP_POINT=${{#COMP_LINE}}; {function} threadline va threadline; printf "%s\\n" "${{COMPREPLY[@]}}"'],
        capture_output=True, text=True)
    assert "validate" in words.stdout.split(), words.stdout + words.stderr


@pytest.mark.slow
def test_zsh_and_fish_completions_name_the_command(prefix):
    assert (prefix / "share/zsh/site-functions/_threadline").read_text().startswith("#compdef threadline")
    fish = (prefix / "share/fish/vendor_completions.d/threadline.fish").read_text()
    assert "complete -c 'threadline' -n " in fish
    assert "-fa 'validate'" in fish
    for shell, path in [("zsh", "share/zsh/site-functions/_threadline"), ("fish", "share/fish/vendor_completions.d/threadline.fish")]:
        if shutil.which(shell):
            check = ["zsh", "-n"] if shell == "zsh" else ["fish", "--no-execute"]
            assert subprocess.run([*check, str(prefix / path)]).returncode == 0
