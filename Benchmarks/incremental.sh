#!/usr/bin/env bash
# Incremental runs against full runs on the benchmark corpus (Benchmarks/make_corpus.py: 50 MB of
# markdown archives + 100 MB of Slack HTML by default, as compare.sh uses).
#
#   Benchmarks/incremental.sh                 # the corpus of compare.sh, 3 runs of each kind
#   Benchmarks/incremental.sh --runs 5 --no-build
#
# For each of two pipelines (the corpus's own: the messages table as JSON Lines, CSV and zstd
# Parquet; and every table in the three formats plus the report), it times under `/usr/bin/time -v`:
#   full        a run without incremental (the reference);
#   first       the first incremental run (reads everything and records it);
#   unchanged   incremental re-runs with nothing changed;
#   one-changed incremental re-runs after one markdown file's text changed (a different file each time);
# and prints a markdown table of the medians (wall, CPU, peak RSS) with each kind's share of the
# full run's wall time. It checks that every incremental run's tables are byte for byte those of the
# full run on the same inputs. The corpus is cached in Benchmarks/.work/ (as compare.sh caches it).
#
# Options: --markdown-mb N (50), --slack-html-mb N (100), --seed N (7), --runs N (3), --work DIR, --no-build.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
markdown_mb=50 slack_html_mb=100 seed=7 runs=3 work="$here/.work" build=1
while (($#)); do
    case "$1" in
        --markdown-mb) markdown_mb=$2; shift 2 ;;
        --slack-html-mb) slack_html_mb=$2; shift 2 ;;
        --seed) seed=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --work) work=$2; shift 2 ;;
        --no-build) build=0; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "incremental.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
done
say() { echo "incremental.sh: $*" >&2; }
source "$here/common.sh"

threadline=$(release_threadline "$build")

python=$(benchmark_python)
dir="$work/corpus-md${markdown_mb}-html${slack_html_mb}-json0-seed${seed}"
if [[ ! -f "$dir/.complete" ]]; then
    say "generating $dir"
    rm -rf "$dir"
    "$python" "$here/make_corpus.py" --markdown-mb "$markdown_mb" --slack-html-mb "$slack_html_mb" --slack-json-mb 0 \
        --seed "$seed" --seeds "$root/seeds" --out "$dir/input" --output-root "$dir/out-threadline" >&2
    touch "$dir/.complete"
fi
bench="$dir/incremental"
rm -rf "$bench"
mkdir -p "$bench"
# A copy of the corpus whose files the one-changed runs edit, its times those of a corpus at rest.
cp -a "$dir/input" "$bench/input"
touch -d '1 hour ago' "$bench"/input/books/*.md "$bench"/input/slack-html/channel/*/index.html
sed "s#^input_root: .*#input_root: $bench/input#" "$dir/input/pipeline.yaml" > "$bench/messages.yaml"
sed -n '/^load:/q;p' "$bench/messages.yaml" > "$bench/all.yaml"
printf 'load:\n  - type: jsonl\n  - type: csv\n  - type: parquet\n  - type: report\n' >> "$bench/all.yaml"

timed() {  # timed NAME COMMAND... -> appends NAME wall cpu rss to $bench/times
    local name=$1; shift
    sync
    /usr/bin/time -v -o "$bench/time.txt" "$@" >"$bench/log.txt" 2>&1 || { say "$name failed:"; tail -20 "$bench/log.txt" >&2; exit 1; }
    local wall cpu rss
    wall=$(sed -n 's/.*Elapsed (wall clock) time.*: //p' "$bench/time.txt" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f", s }')
    cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$bench/time.txt")
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$bench/time.txt" | awk '{ printf "%.0f", $1 / 1024 }')
    echo "$name $wall $cpu $rss" >>"$bench/times"
}
same_tables() {  # same_tables A B: every table file of B is byte for byte A's
    local file
    for file in "$2"/*.jsonl "$2"/*.csv "$2"/*.parquet; do
        [[ $(basename "$file") == _* ]] && continue
        cmp -s "$file" "$1/$(basename "$file")" || { say "DIFFERS: $file"; exit 1; }
    done
}
median() { awk 'NF' | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

books=("$bench"/input/books/*.md)
for pipeline in messages all; do
    p="$bench/$pipeline.yaml" out="$bench/out-$pipeline" full="$bench/full-$pipeline"
    : >"$bench/times"
    say "$pipeline: $runs full runs"
    for ((i = 1; i <= runs; i++)); do timed full "$threadline" run -q "$p" --set "output_root=$full"; done
    say "$pipeline: incremental runs"
    for ((i = 1; i <= runs; i++)); do
        rm -rf "$out"
        timed first "$threadline" run -q --incremental "$p" --set "output_root=$out"
    done
    sleep 2.1   # the inputs and the state are older than 2 s: the stat of an input is enough
    for ((i = 1; i <= runs; i++)); do timed unchanged "$threadline" run -q --incremental "$p" --set "output_root=$out"; done
    same_tables "$full" "$out"
    for ((i = 1; i <= runs; i++)); do
        book=${books[$((i * 97 % ${#books[@]}))]}
        sed -i '0,/^- name: /s//- name: Edited /' "$book"
        timed one-changed "$threadline" run -q --incremental "$p" --set "output_root=$out"
    done
    "$threadline" run -q "$p" --set "output_root=$full"
    same_tables "$full" "$out"
    full_wall=$(awk '$1 == "full" { print $2 }' "$bench/times" | median)
    echo
    echo "Pipeline \`$pipeline\` ($(du -sb --exclude='*.yaml' --exclude=comparator.json "$bench/input" | awk '{ printf "%.1f", $1 / 1e6 }') MB), medians of $runs runs:"
    echo
    echo "| run | wall s | CPU s | peak RSS MB | of the full run's wall time |"
    echo "| --- | ---: | ---: | ---: | ---: |"
    for kind in full first unchanged one-changed; do
        wall=$(awk -v k="$kind" '$1 == k { print $2 }' "$bench/times" | median)
        cpu=$(awk -v k="$kind" '$1 == k { print $3 }' "$bench/times" | median)
        rss=$(awk -v k="$kind" '$1 == k { print $4 }' "$bench/times" | median)
        echo "| $kind | $wall | $cpu | $rss | $(awk -v a="$wall" -v b="$full_wall" 'BEGIN { printf "%.0f%%", 100 * a / b }') |"
    done
done
say "state size: $(du -sh "$bench/out-all/.threadline" | cut -f1) for the all-tables pipeline"
