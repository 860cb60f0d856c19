#!/usr/bin/env bash
# Benchmark (not a test) of a markdown mapping whose entries are often rejected: podcast transcripts
# (Benchmarks/make_transcripts.py: many files, many short entries, a third of them without an author),
# read with `archive_key: transcript`, `author_key: who`, `text_key: line`, every transform, every
# table in JSON Lines, CSV and zstd Parquet. Prints MB/s (median and range over the runs), CPU
# seconds, peak RSS and the rows read, written and rejected.
#
#   Benchmarks/transcripts.sh              # 20 MB, 3 runs
#   Benchmarks/transcripts.sh 50           # 50 MB
#   RUNS=5 Benchmarks/transcripts.sh
#
# The corpus is cached under Benchmarks/.work/ by size and seed (SEED, default 7). NO_BUILD=1 skips
# the release build; KEEP_OUTPUT=DIR copies the last run's outputs there (to compare two builds).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
size_mb=${1:-20}
runs=${RUNS:-3}
seed=${SEED:-7}
work="$here/.work/transcripts-${size_mb}mb-seed${seed}"

if [[ -z "${NO_BUILD:-}" ]]; then
    (cd "$root" && swift build -c release --product threadline >&2)
fi
bin="$(cd "$root" && swift build -c release --show-bin-path)/threadline"

# The generator needs PyYAML (with libyaml): the benchmark venv of compare.sh has it.
python=python3
[[ -x "$here/.venv/bin/python" ]] && python="$here/.venv/bin/python"
if [[ ! -f "$work/.complete" ]]; then
    rm -rf "$work"
    "$python" "$here/make_transcripts.py" --mb "$size_mb" --seed "$seed" --out "$work/input" --output-root "$work/out"
    touch "$work/.complete"
fi
bytes=$(du -sb "$work/input/transcripts" | cut -f1)

for ((i = 1; i <= runs; i++)); do
    rm -rf "$work/out"
    /usr/bin/time -f "%e %M %U %S" -o "$work/time-$i" "$bin" run "$work/input/pipeline.yaml" >"$work/summary" 2>&1 || {
        cat "$work/summary" >&2; exit 1; }
done
grep -E "^ *(rows|inputs)" "$work/summary" || true
if [[ -n "${KEEP_OUTPUT:-}" ]]; then
    mkdir -p "$KEEP_OUTPUT"
    cp -R "$work/out/." "$KEEP_OUTPUT/"
fi
cat "$work"/time-* | "$python" -c '
import statistics, sys
size = int(sys.argv[1])
runs = [tuple(map(float, line.split())) for line in sys.stdin if line.strip()]
walls = sorted(r[0] for r in runs)
cpus = sorted(r[2] + r[3] for r in runs)
rss = sorted(r[1] / 1024 for r in runs)
mb = size / 1e6
print(f"transcripts: {mb:.1f} MB, {len(runs)} runs: median {mb / statistics.median(walls):.1f} MB/s "
      f"(range {mb / walls[-1]:.1f}-{mb / walls[0]:.1f}); wall {statistics.median(walls):.2f} s, "
      f"CPU {statistics.median(cpus):.2f} s ({mb / statistics.median(cpus):.1f} MB per CPU second), "
      f"peak RSS {statistics.median(rss):.0f} MB")
' "$bytes"
