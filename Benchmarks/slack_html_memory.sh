#!/usr/bin/env bash
# Extracts a large slack-export-viewer page and reports throughput and peak memory.
#
#   Benchmarks/slack_html_memory.sh [SIZE_MB] [WORK_DIR]
#   THROUGH_CORE=1 Benchmarks/slack_html_memory.sh ...   # also time `threadline run` on the page
#   THROUGH_CORE=1 READER=0 THREADLINE=path ...          # only `threadline run`, with that build
#
# Generates a page of at least SIZE_MB megabytes (default 210) in WORK_DIR (default a temporary
# folder, removed afterwards; a page already there from an earlier run of the same size is reused) by repeating the real sample page's messages
# (seeds/slack-html/channel/book-of-the-week/index.html) with each copy moved one day later, so
# times and ids vary. Then builds the release `threadline-html-bench` and runs it under
# `/usr/bin/time -v`. Prints MB/s, messages, and the peak resident set size; exits 1 when the peak
# is not under 200 MB.
set -euo pipefail

size_mb="${1:-210}"
root="$(cd "$(dirname "$0")/.." && pwd)"
sample="$root/seeds/slack-html/channel/book-of-the-week/index.html"
work="${2:-}"
if [[ -z "$work" ]]; then
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"
page="$work/big-channel.html"
kept="$work/input/slack-html/big-channel.html"
if [[ -f "$kept" && "$(cat "$work/generated" 2>/dev/null)" == "$size_mb" ]]; then
    mv "$kept" "$page"
else
rm -f "$kept"
python3 - "$sample" "$page" "$size_mb" <<'PY'
import re, sys, datetime
sample, out, size_mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
text = open(sample, encoding="utf-8").read()
start = text.index('<div class="message-container')
end = text.rindex("</div>\n</div>\n\n<script>")
head, body, tail = text[:start], text[start:end], text[end:]
stamp = re.compile(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)")
target = size_mb * 1_000_000
with open(out, "w", encoding="utf-8") as f:
    f.write(head)
    written, copy = len(head.encode()), 0
    while written < target:
        def shift(m, days=copy):
            t = datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S") + datetime.timedelta(days=days)
            return t.strftime("%Y-%m-%d %H:%M:%S")
        chunk = stamp.sub(shift, body)
        f.write(chunk)
        written += len(chunk.encode())
        copy += 1
    f.write(tail)
print(f"generated {out}: {written / 1e6:.1f} MB, {copy} copies of the sample's messages")
PY
echo "$size_mb" >"$work/generated"
fi

if [[ "${READER:-1}" == 1 ]]; then
# The bench is in the benchmark tools' own package (Benchmarks/Package.swift).
swift build -c release --product threadline-html-bench --package-path "$root/Benchmarks" >"$work/build.txt" 2>&1 || { cat "$work/build.txt" >&2; exit 3; }
bench="$(swift build -c release --show-bin-path --package-path "$root/Benchmarks")/threadline-html-bench"

/usr/bin/time -v "$bench" "$page" 2>"$work/time.txt" | tee "$work/bench.txt"
peak_kb="$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")"
peak_mb="$(awk -v kb="$peak_kb" 'BEGIN { printf "%.1f", kb / 1024 }')"
echo "peak_rss_mb=$peak_mb"
fi

if [[ "${THROUGH_CORE:-0}" == 1 ]]; then
    # The same page through the pipeline: slack_html step, link_threads, JSON Lines of every table.
    mkdir -p "$work/input/slack-html" "$work/output"
    mv "$page" "$work/input/slack-html/big-channel.html"
    page="$work/input/slack-html/big-channel.html"
    cat >"$work/pipeline.yaml" <<YAML
version: 1
name: slack-html-benchmark
input_root: input
output_root: output
extract:
  - type: slack_html
    include: ["slack-html/*.html"]
load:
  - type: jsonl
    tables: all
YAML
    threadline="${THREADLINE:-}"
    if [[ -z "$threadline" ]]; then
        swift build -c release --product threadline --package-path "$root" >"$work/build.txt" 2>&1 || { cat "$work/build.txt" >&2; exit 3; }
        threadline="$root/.build/release/threadline"
    fi
    rm -rf "$work/output"
    mkdir -p "$work/output"
    start=$(date +%s.%N)
    /usr/bin/time -v "$threadline" run "$work/pipeline.yaml" 2>"$work/time-core.txt" >/dev/null || { cat "$work/time-core.txt" >&2; exit 3; }
    end=$(date +%s.%N)
    core_kb="$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time-core.txt")"
    awk -v s="$start" -v e="$end" -v kb="$core_kb" -v bytes="$(stat -c %s "$page")" 'BEGIN {
        printf "threadline run: seconds=%.2f mb_per_s=%.2f peak_rss_mb=%.1f\n", e - s, bytes / 1e6 / (e - s), kb / 1024 }'
    grep -h "rows:" "$work/time-core.txt" || true
fi

if [[ "${READER:-1}" != 1 ]]; then
    exit 0
elif awk -v kb="$peak_kb" 'BEGIN { exit !(kb / 1024 < 200) }'; then
    echo "ok: the Slack HTML reader's peak memory is under 200 MB"
else
    echo "FAIL: the Slack HTML reader's peak memory $peak_mb MB is not under 200 MB" >&2
    exit 1
fi
