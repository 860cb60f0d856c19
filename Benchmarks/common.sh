# Sourced by the benchmark scripts (after they set `here`, `root` and `say`): the steps they share
# before measuring. A step that fails makes the function fail, and with `set -e` the script.

# release_threadline BUILD: builds threadline in release mode when BUILD is 1; prints the binary's path.
release_threadline() {
    if (($1)); then
        say "building threadline (release)"
        (cd "$root" && swift build -c release --product threadline >&2) || return 1
    fi
    echo "$(cd "$root" && swift build -c release --show-bin-path)/threadline"
}

# benchmark_python: Benchmarks/.venv, made again when requirements.txt changed; prints its python.
benchmark_python() {
    local venv="$here/.venv"
    if ! cmp -s "$here/requirements.txt" "$venv/requirements.installed" 2>/dev/null; then
        say "making $venv"
        python3 -m venv "$venv" || return 1
        "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt" >&2 || return 1
        cp "$here/requirements.txt" "$venv/requirements.installed"
    fi
    echo "$venv/bin/python"
}
