#!/usr/bin/env bash
# threadline against the equivalent Python pipeline, side by side on one corpus, in one run.
#
#   Benchmarks/compare.sh                      # 50 MB markdown + 100 MB Slack HTML
#   Benchmarks/compare.sh --markdown-mb 10 --slack-html-mb 0
#   Benchmarks/compare.sh --scale 4            # also a 4x corpus: threadline's peak RSS must stay <= 1.2x
#   Benchmarks/compare.sh --runs 1             # one run of each tool instead of three (quicker, noisier)
#
# Steps: builds threadline in release mode; makes Benchmarks/.venv with requirements.txt; generates
# the corpus with make_corpus.py (cached under Benchmarks/.work/ by size and seed); runs `threadline
# run` and comparator.py on it, each under `/usr/bin/time -v` (wall time, CPU time, peak RSS), the two
# taking turns, --runs times each; prints a markdown table with the median times, throughput, peak
# RSS, rows and the ratio, the range over the runs, and how far the two outputs agree (agree.py).
# The pipeline uses only the step types the built threadline has (`threadline steps`), and the
# comparator does exactly those.
#
# Options: --markdown-mb N (50), --slack-html-mb N (100), --slack-json-mb N (0), --seed N (7),
#          --scale K (1: no memory check), --runs N (3: runs of each tool per corpus, medians reported),
#          --jobs N (comparator processes; default: all cores),
#          --work DIR (Benchmarks/.work), --no-build.
# Exit status: 0 done (and the memory bound holds with --scale); 1 a run failed or the bound does
# not hold; 2 a bad option.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
markdown_mb=50 slack_html_mb=100 slack_json_mb=0 seed=7 scale=1 runs=3 jobs=$(nproc) work="$here/.work" build=1
while (($#)); do
    case "$1" in
        --markdown-mb) markdown_mb=$2; shift 2 ;;
        --slack-html-mb) slack_html_mb=$2; shift 2 ;;
        --slack-json-mb) slack_json_mb=$2; shift 2 ;;
        --seed) seed=$2; shift 2 ;;
        --scale) scale=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --jobs) jobs=$2; shift 2 ;;
        --work) work=$2; shift 2 ;;
        --no-build) build=0; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "compare.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
done
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "compare.sh: --runs takes a positive number, not '$runs'" >&2; exit 2; }
mkdir -p "$work"

say() { echo "compare.sh: $*" >&2; }
source "$here/common.sh"

# 1. threadline, release build.
threadline=$(release_threadline "$build")
# parser-floor is in the benchmark tools' own package (Benchmarks/Package.swift).
if ((build)); then (cd "$here" && swift build -c release --product parser-floor >&2); fi
parser_floor="$(cd "$here" && swift build -c release --show-bin-path)/parser-floor"
[[ -x "$threadline" ]] || { say "no threadline binary at $threadline"; exit 1; }

# 2. The comparator's virtual environment, rebuilt when requirements.txt changes.
python=$(benchmark_python)

# 3. The step types both sides run: those this threadline has.
wanted=(markdown slack_html slack_json clean_text clean_emoji normalise_authors jsonl csv parquet)
available=$("$threadline" steps | sed -n 's/^  \([a-z_]*\) — .*/\1/p')
steps=()
for step in "${wanted[@]}"; do
    grep -qx "$step" <<<"$available" && steps+=("$step")
done
steps_csv=$(IFS=,; echo "${steps[*]}")
missing=$(for step in "${wanted[@]}"; do grep -qx "$step" <<<"$available" || echo "$step"; done | paste -sd, -)
[[ -z "$missing" ]] || say "threadline has no $missing yet: neither side runs them"

# 4. A corpus of the given size (cached), its pipeline rewritten for the steps above.
corpus_for() {  # corpus_for FACTOR -> prints the corpus folder, generating it if needed
    local factor=$1
    local md html json dir
    md=$(awk -v a="$markdown_mb" -v f="$factor" 'BEGIN { print a * f }')
    html=$(awk -v a="$slack_html_mb" -v f="$factor" 'BEGIN { print a * f }')
    json=$(awk -v a="$slack_json_mb" -v f="$factor" 'BEGIN { print a * f }')
    # Sources threadline cannot read are not generated: both sides read the same files.
    grep -qx markdown <<<"$available" || md=0
    grep -qx slack_html <<<"$available" || html=0
    grep -qx slack_json <<<"$available" || json=0
    dir="$work/corpus-md${md}-html${html}-json${json}-seed${seed}"
    if [[ ! -f "$dir/.complete" ]]; then
        say "generating $dir"
        rm -rf "$dir"
        "$python" "$here/make_corpus.py" --markdown-mb "$md" --slack-html-mb "$html" --slack-json-mb "$json" --seed "$seed" \
            --seeds "$root/seeds" --out "$dir/input" --steps "$steps_csv" --output-root "$dir/out-threadline" >&2
        touch "$dir/.complete"
    fi
    "$python" "$here/make_corpus.py" --markdown-mb "$md" --slack-html-mb "$html" --slack-json-mb "$json" --out "$dir/input" \
        --steps "$steps_csv" --output-root "$dir/out-threadline" --pipeline-only
    echo "$dir"
}

# 5. One timed run: timed NAME DIR COMMAND... -> writes DIR/time-NAME.txt
timed() {
    local name=$1 dir=$2; shift 2
    say "running $name"
    sync
    if ! /usr/bin/time -v -o "$dir/time-$name.txt" "$@" >"$dir/log-$name.txt" 2>&1; then
        say "$name failed; its log:"; tail -20 "$dir/log-$name.txt" >&2; return 1
    fi
}
seconds() {  # wall time in seconds from a `time -v` report
    sed -n 's/.*Elapsed (wall clock) time.*: //p' "$1" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f", s }'
}
cpu_seconds() {  # user + system CPU seconds (children included) from a `time -v` report
    awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$1"
}
peak_mb() {  # peak RSS in MB from a `time -v` report
    sed -n 's/.*Maximum resident set size (kbytes): //p' "$1" | awk '{ printf "%.0f", $1 / 1024 }'
}
rows() { [[ -f "$1" ]] && wc -l <"$1" | tr -d ' ' || echo "-"; }
ratio() {  # ratio A B -> A / B to one decimal (B of 0 counts as 0.01)
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / (b > 0 ? b : 0.01) }'
}
median() {  # the median of the numbers on stdin (blank lines skipped), or "-" if there are none
    awk 'NF' | sort -g | awk '{ a[NR] = $1 } END {
        if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
over_runs() {  # over_runs FUNCTION DIR NAME -> FUNCTION of each run's time report, one per line
    local i
    for ((i = 1; i <= runs; i++)); do "$1" "$2/time-$3-$i.txt"; echo; done
}
range() {  # range FUNCTION DIR NAME -> "low–high" over the runs
    over_runs "$@" | awk 'NF' | sort -g | sed -n '1p;$p' | paste -sd' ' | awk '{ print ($2 == "" ? $1 : $1 "–" $2) }'
}

floor_line() {  # floor_line DIR PYTHON_WALL -> adds what libyaml and libxml2 alone cost on the corpus to notes
    local dir=$1 t_py=$2 floor
    [[ -x "$parser_floor" ]] || return 0
    local args=()
    [[ -d "$dir/input/books" ]] && args+=(--markdown "$dir/input/books")
    [[ -d "$dir/input/slack-html" ]] && args+=(--html "$dir/input/slack-html")
    ((${#args[@]})) || return 0
    floor=$("$parser_floor" "${args[@]}") || return 0
    local read yaml html total best
    read=$(sed -n 's/.*read_cpu_s=\([0-9.]*\).*/\1/p' <<<"$floor")
    yaml=$(sed -n 's/.*yaml_cpu_s=\([0-9.]*\).*/\1/p' <<<"$floor")
    html=$(sed -n 's/.*html_cpu_s=\([0-9.]*\).*/\1/p' <<<"$floor")
    total=$(awk -v a="$read" -v b="$yaml" -v c="$html" 'BEGIN { printf "%.2f", a + b + c }')
    best=$(awk -v t="$total" -v n="$(nproc)" 'BEGIN { printf "%.2f", t / n }')
    floors+=("floor ($(basename "$dir")): reading the files and running libyaml's event parser and libxml2's HTML push parser with callbacks that only count (\`parser-floor\`) takes $total CPU s (read $read, YAML $yaml, HTML $html), so no tool built on these parsers can do this corpus in under $best s wall on $(nproc) cores: at most $(ratio "$t_py" "$best")× the comparator's time even if everything after parsing (cleaning, ids, three output formats, zstd) were free")
}

compare() {  # compare FACTOR -> runs both sides on that corpus, prints a table row pair; sets last_rss
    local dir input_mb t_tl t_py c_tl c_py i
    dir=$(corpus_for "$1")
    input_mb=$(du -sb --exclude=pipeline.yaml --exclude=comparator.json "$dir/input" | awk '{ printf "%.1f", $1 / 1e6 }')
    rm -f "$dir"/time-*.txt
    # The two take turns, so a busy spell on the machine does not fall on one side only.
    for ((i = 1; i <= runs; i++)); do
        rm -rf "$dir/out-threadline" "$dir/out-python"
        timed "threadline-$i" "$dir" "$threadline" run "$dir/input/pipeline.yaml"
        timed "python-$i" "$dir" "$python" "$here/comparator.py" --corpus "$dir/input" --out "$dir/out-python" --jobs "$jobs"
    done
    t_tl=$(over_runs seconds "$dir" threadline | median) t_py=$(over_runs seconds "$dir" python | median)
    c_tl=$(over_runs cpu_seconds "$dir" threadline | median) c_py=$(over_runs cpu_seconds "$dir" python | median)
    last_rss=$(over_runs peak_mb "$dir" threadline | median)
    printf '| %s× (%s MB) | threadline | %s | %s | %s | %s | %s |\n' "$1" "$input_mb" "$t_tl" "$c_tl" \
        "$(ratio "$input_mb" "$t_tl")" \
        "$last_rss" "$(rows "$dir/out-threadline/messages.jsonl")"
    printf '| %s× (%s MB) | python (%s processes) | %s | %s | %s | %s | %s |\n' "$1" "$input_mb" "$jobs" "$t_py" "$c_py" \
        "$(ratio "$input_mb" "$t_py")" \
        "$(over_runs peak_mb "$dir" python | median)" "$(rows "$dir/out-python/messages.jsonl")"
    ((runs == 1)) || spreads+=("$1× over $runs runs each: threadline wall $(range seconds "$dir" threadline) s, peak RSS $(range peak_mb "$dir" threadline) MB; python wall $(range seconds "$dir" python) s")
    notes+=("$1× outputs (messages.jsonl, agree.py): $("$python" "$here/agree.py" "$dir/out-threadline/messages.jsonl" \
        "$dir/out-python/messages.jsonl" \
        $(grep -qx parquet <<<"$available" && echo "$dir/out-threadline/messages.parquet $dir/out-python/messages.parquet") || true)")
    floor_line "$dir" "$t_py"
    ratios+=("$1×: python wall / threadline wall = **$(ratio "$t_py" "$t_tl")×** (goal ≥ 7×); CPU: $(ratio "$c_py" "$c_tl")×")
}

ratios=() notes=() floors=() spreads=()
table="$work/results.md"
{
    echo "Machine: $(nproc) cores, $(uname -sr); threadline $(cd "$root" && git rev-parse --short HEAD 2>/dev/null || echo '?');"
    echo "steps: ${steps_csv}; seed $seed; $(date -u '+%Y-%m-%d %H:%M UTC')."
    echo
    echo "| corpus | tool | wall s | CPU s | MB/s | peak RSS MB | messages |"
    echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
} >"$table"
compare 1 >>"$table"
rss_1=$last_rss
status=0
if [[ "$scale" != 1 ]]; then
    compare "$scale" >>"$table"
    rss_k=$last_rss
    verdict=$(awk -v a="$rss_k" -v b="$rss_1" 'BEGIN { r = a / b; printf "%.2f %s", r, (r <= 1.2 ? "holds" : "DOES NOT hold") }')
    ratios+=("memory: threadline's peak RSS at ${scale}× is ${verdict%% *}× the 1× one: the ≤ 1.2× bound ${verdict#* }")
    [[ "$verdict" == *"holds" && "$verdict" != *"NOT"* ]] || status=1
fi
{
    echo
    for line in "${ratios[@]}" "${spreads[@]}" "${floors[@]}" "${notes[@]}"; do echo "- $line"; done
    echo
    echo "The machine's load average when the table was made: $(cut -d' ' -f1-3 /proc/loadavg) (other builds share the cores; CPU s is less sensitive to that than wall s)."
    echo "Times and peak RSS are medians over $runs run(s) of each tool. Peak RSS is \`/usr/bin/time -v\`'s maximum resident set size: for the comparator, that of its largest process."
} >>"$table"
cat "$table"
say "table saved to $table"
exit $status
