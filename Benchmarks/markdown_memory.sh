#!/usr/bin/env bash
# Runs one markdown file of many tiny archive entries through `threadline run` and reports the peak
# memory, writing (a) JSON Lines of the messages only, (b) every table in JSON Lines, CSV and Parquet.
#
#   Benchmarks/markdown_memory.sh [ENTRIES] [WORK_DIR]
#   AUTHORS=150000 Benchmarks/markdown_memory.sh     # draw the authors from 150,000 names (default 400)
#   RUNS=5 Benchmarks/markdown_memory.sh             # runs of each pipeline (default 3)
#   BIN=/tmp/old/threadline Benchmarks/markdown_memory.sh   # another build (default: release build here)
#
# Generates one file of at least ENTRIES messages (default 190,000: about 8.2 MB, near the one million
# YAML values a front matter may hold): questions of one to five words, one in ten with a reply,
# one in twenty with an HTML entity and trailing spaces. Prints each run's wall time and peak resident
# set size (`/usr/bin/time`), then the median peak of each pipeline.
set -euo pipefail

entries="${1:-190000}"
authors="${AUTHORS:-400}"
runs="${RUNS:-3}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${2:-}"
if [[ -z "$work" ]]; then
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work/input/books"

python3 - "$work/input/books/archive.md" "$entries" "$authors" <<'PY'
import os, random, sys
out, target, authors = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(7)
words = "hi ok thanks yes no maybe great question data book chapter index log stream batch why how what".split()
names = [f"user{i}" for i in range(authors)] + ["Martin Kleppmann", "Tino", "pie_f11235", "Zoë"]
lines = ['---', 'title: "A huge archive"', 'description: "Synthetic: many tiny entries"',
         'start: 2021-03-08 00:00:00', 'end: 2021-03-12 22:59:58', 'authors: [martinkleppmann]',
         'links:', '  - text: site', '    link: https://example.org/', '', 'archive:']
messages = 0
while messages < target:
    text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 5)))
    if rng.random() < 0.05:
        text += " &amp; more  "
    lines += [f"- name: {rng.choice(names)}", f"  text: '{text}'"]
    messages += 1
    if rng.random() < 0.1:
        lines += ["  replies:", f"  - name: {rng.choice(names)}"]
        lines.append("    text: " + " ".join(rng.choice(words) for _ in range(rng.randint(1, 5))))
        messages += 1
lines += ['---', '', 'Body text.', '']
with open(out, "w", encoding="utf-8") as f:
    f.write("\n".join(lines))
print(f"generated {out}: {os.path.getsize(out) / 1e6:.1f} MB, {messages} messages, names drawn from {len(names)}")
PY

pipeline() { # NAME LOAD_STEPS
    cat >"$work/$1.yaml" <<YAML
version: 1
name: markdown-memory-$1
input_root: input
output_root: out-$1
on_error: quarantine
max_rejects: 100%
extract:
  - type: markdown
    include: ["books/*.md"]
transform:
  - type: clean_text
  - type: clean_emoji
  - type: normalise_authors
  - type: link_threads
load:
$2
YAML
}
pipeline messages-jsonl '  - type: jsonl
    tables: [messages]'
pipeline all-tables '  - type: jsonl
    tables: all
  - type: csv
    tables: all
  - type: parquet
    tables: all'

bin="${BIN:-}"
if [[ -z "$bin" ]]; then
    swift build -c release --product threadline --package-path "$root" >"$work/build.txt" 2>&1 || { cat "$work/build.txt" >&2; exit 3; }
    bin="$(swift build -c release --show-bin-path --package-path "$root")/threadline"
fi

for name in messages-jsonl all-tables; do
    peaks=()
    for _ in $(seq "$runs"); do
        /usr/bin/time -f "%e %M" -o "$work/time.txt" "$bin" run "$work/$name.yaml" --quiet
        read -r seconds kb <"$work/time.txt"
        peaks+=("$kb")
        awk -v n="$name" -v s="$seconds" -v kb="$kb" 'BEGIN { printf "%-15s %6.2f s  peak %6.1f MB\n", n, s, kb / 1024 }'
    done
    printf '%s\n' "${peaks[@]}" | sort -n | awk -v n="$name" '{ v[NR] = $1 } END { printf "%-15s median peak %.1f MB over %d runs\n", n, v[int((NR + 1) / 2)] / 1024, NR }'
done
