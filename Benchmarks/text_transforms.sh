#!/usr/bin/env bash
# Measures what the text transforms cost next to the extraction they follow.
#
# Runs the release `threadline` on COPIES copies of the seed archive twice over: once with
# only the markdown source (and link_threads, which always runs), writing just the tiny
# documents table; once with clean_text, clean_emoji and normalise_authors added. The
# difference is the transforms' cost. Each pipeline runs RUNS times; the fastest run counts.
# CPU time (user + system) is the measure, as wall time moves with whatever else the machine
# runs; wall time is printed too.
#
#   Benchmarks/text_transforms.sh            # COPIES=1500 (about 60 MB), RUNS=3
#   COPIES=300 RUNS=5 Benchmarks/text_transforms.sh
set -euo pipefail
cd "$(dirname "$0")/.."
copies=${COPIES:-1500}
runs=${RUNS:-3}

swift build -c release --product threadline >/dev/null
bin=$(pwd)/.build/release/threadline

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/seeds/books" "$work/pipelines"
cp -R seeds/people "$work/seeds/people"
for i in $(seq -w 1 "$copies"); do
  cp seeds/books/20210308-designing-data-intensive-applications.md "$work/seeds/books/20210308-copy-$i.md"
done
bytes=$(cat "$work"/seeds/books/*.md | wc -c)

pipeline() { # name, transform steps
  cat >"$work/pipelines/$1.yaml" <<YAML
version: 1
name: $1
input_root: ../seeds
output_root: ../out-$1
extract:
  - type: markdown
    include: ["books/*.md"]
transform:
$2
  - type: link_threads
load:
  - type: jsonl
    tables: [documents]
YAML
}
pipeline extract-only ""
pipeline with-transforms "  - type: clean_text
  - type: clean_emoji
  - type: normalise_authors
    people: ../seeds/people"

python3 - "$bin" "$work" "$bytes" "$copies" "$runs" <<'PY'
import os, resource, subprocess, sys, time

binary, work, size, copies, runs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])

def measure(name):
    """The fastest of `runs` runs: (CPU seconds, user + system, of the process; wall seconds)."""
    best_cpu, best_wall = float("inf"), float("inf")
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([binary, "run", f"{work}/pipelines/{name}.yaml"], check=True, capture_output=True)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best_cpu, best_wall = min(best_cpu, cpu), min(best_wall, wall)
    return best_cpu, best_wall

base_cpu, base_wall = measure("extract-only")
full_cpu, full_wall = measure("with-transforms")
cost = full_cpu - base_cpu
print(f"corpus: {copies} copies of the seed, {size / 1e6:.1f} MB, {copies * 96} messages; fastest of {runs} runs")
print(f"extract + link_threads:  CPU {base_cpu:.2f} s, wall {base_wall:.2f} s ({size / 1e6 / base_wall:.1f} MB/s)")
print(f"+ clean_text, clean_emoji, normalise_authors:  CPU {full_cpu:.2f} s, wall {full_wall:.2f} s")
print(f"transforms by CPU difference: {cost:.2f} s = {100 * cost / base_cpu:.0f}% of the extraction they follow "
      f"(noisy on a shared machine: see the profile below)")
PY

# A sampling profile of the full pipeline is not disturbed by other processes: it gives each
# step's share of this process's own samples (children included).
if command -v perf >/dev/null; then
  perf record -q -g -o "$work/perf.data" "$bin" run "$work/pipelines/with-transforms.yaml" >/dev/null 2>&1
  perf report -i "$work/perf.data" --children --sort symbol -g none 2>/dev/null | python3 -c '
import re, sys
steps = {"markdown extraction": "MarkdownSourceV7extract_4into", "clean_text": "9CleanTextV5apply2to",
         "clean_emoji": "10CleanEmojiV5apply2to", "normalise_authors": "16NormaliseAuthorsV5apply2to"}
share = dict.fromkeys(steps, 0.0)
for line in sys.stdin:
    match = re.match(r"\s*([0-9.]+)%", line)
    if not match:
        continue
    for step, symbol in steps.items():
        if symbol in line:
            share[step] = max(share[step], float(match.group(1)))
print("profile (share of samples, callees included):")
for step, value in share.items():
    print(f"  {step:20} {value:5.1f}%")
transforms = share["clean_text"] + share["clean_emoji"] + share["normalise_authors"]
extraction = share["markdown extraction"]
print(f"transforms: {transforms:.1f}% of samples = {100 * transforms / extraction:.0f}% of the extraction they follow")
'
fi
