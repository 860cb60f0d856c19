#!/usr/bin/env bash
# Benchmark of the slack_json source (not a test): generates a synthetic Slack export of about
# SIZE_MB megabytes (default 100) with threads spread across day files, runs the default writers
# over it with a release build, and prints throughput (MB/s), CPU seconds and peak memory (max RSS).
#
# Usage: Benchmarks/slack_json.sh [SIZE_MB]
#   CHANNELS=N     conversations in the export (default 4); the data for a given SIZE_MB and N is
#                  always the same, so builds can be compared
#   USERS=N        users.json lists N people as Slack writes them (about 20 keys each, a profile of
#                  about 20), instead of 2,000 short entries: a big workspace's directory, which every
#                  conversation waits for (USERS=20000 CHANNELS=1 Benchmarks/slack_json.sh 1: 32 MB)
#   KEEP_OUTPUT=DIR  copy the run's output folder (tables, _manifest.json, _rejects.jsonl) and its
#                  summary to DIR, e.g. to compare two builds' outputs byte for byte
#   WORK_DIR=DIR   generate the export in DIR and keep it there (a later run with the same DIR,
#                  SIZE_MB and CHANNELS reuses it; delete DIR when done: 1 GB is 1 GB)
#   THREADLINE=PATH  run this threadline executable instead of building the release one, e.g. an
#                  earlier build's copy for a before/after comparison
#
# Peak RSS is `/usr/bin/time`'s maximum resident set size of the whole run.
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-100}
channel_count=${CHANNELS:-4}
user_count=${USERS:-}
if [ -n "${WORK_DIR:-}" ]; then
    work=$WORK_DIR
    mkdir -p "$work"
    rm -rf "$work/out"
else
    work=$(mktemp -d "${TMPDIR:-/tmp}/threadline-bench-slack-json.XXXXXX")
    trap 'rm -rf "$work"' EXIT
fi

if [ "$(cat "$work/inputs/generated" 2>/dev/null)" != "$size_mb $channel_count $user_count" ]; then
rm -rf "$work/inputs"
python3 - "$work/inputs/export" "$size_mb" "$channel_count" "$user_count" <<'PY'
import json, os, random, sys
root, size_mb, channel_count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
random.seed(7)
os.makedirs(root)
users = [{"id": f"U{i:08d}", "name": f"user{i}", "real_name": f"User {i}",
          "profile": {"display_name": f"User {i}" if i % 3 else "", "real_name": f"User Number {i}"}}
         for i in range(2000)]
if sys.argv[4]:
    # The keys a real export gives each person (its profile's images and status included).
    image = "https://secure.gravatar.com/avatar/0123456789abcdef.jpg?s={}"
    users = [{"id": f"U{i:08d}", "team_id": "T0", "name": f"user{i}", "deleted": i % 50 == 0, "color": "9f69e7",
              "real_name": f"User {i}", "tz": "Europe/Berlin", "tz_label": "Central European Time", "tz_offset": 3600,
              "profile": {"title": "", "phone": "", "skype": "", "real_name": f"User Number {i}",
                          "real_name_normalized": f"User Number {i}", "display_name": f"User {i}" if i % 3 else "",
                          "display_name_normalized": f"User {i}" if i % 3 else "", "fields": None, "status_text": "",
                          "status_emoji": "", "status_expiration": 0, "avatar_hash": f"g{i:011x}",
                          "first_name": "User", "last_name": str(i), "team": "T0",
                          **{f"image_{size}": image.format(size) for size in (24, 32, 48, 72, 192, 512)}},
              "is_admin": False, "is_owner": False, "is_primary_owner": False, "is_restricted": False,
              "is_ultra_restricted": False, "is_bot": False, "is_app_user": False, "updated": 1600000000}
             for i in range(int(sys.argv[4]))]
json.dump(users, open(f"{root}/users.json", "w"), indent=1)
channels = [{"id": f"C{i:04d}", "name": f"channel-{i}", "created": 1600000000} for i in range(channel_count)]
json.dump(channels, open(f"{root}/channels.json", "w"), indent=1)
words = "the a data stream log replica leader follower commit snapshot isolation partition".split()
target = size_mb * 1_000_000
written = 0
day = 0
base = 1_600_000_000
open_threads = {c["name"]: [] for c in channels}
while written < target:
    for channel in channels:
        name = channel["name"]
        os.makedirs(f"{root}/{name}", exist_ok=True)
        messages = []
        for n in range(2000):
            ts = f"{base + day * 86_400 + n * 40}.{random.randrange(1_000_000):06d}"
            text = " ".join(random.choices(words, k=random.randrange(5, 60)))
            if n % 7 == 0:
                text = f"<@U{random.randrange(2000):08d}> " + text + " <https://example.com/x?a=1&amp;b=2|a link> &lt;3"
            message = {"type": "message", "user": f"U{random.randrange(2000):08d}", "text": text, "ts": ts,
                       "team": "T0", "blocks": [{"type": "rich_text", "elements": []}]}
            threads = open_threads[name]
            if threads and random.random() < 0.6:
                parent = random.choice(threads)
                message["thread_ts"] = parent
                message["parent_user_id"] = "U00000001"
            else:
                message["thread_ts"] = ts
                message["reply_count"] = 1
                threads.append(ts)
                del threads[:-200]
            messages.append(message)
        path = f"{root}/{name}/{2020 + day // 365}-{(day % 365) // 28 % 12 + 1:02d}-{day % 28 + 1:02d}.json"
        text = json.dumps(messages, indent=1)
        open(path, "w").write(text)
        written += len(text)
    day += 1
print(f"generated {written / 1e6:.1f} MB in {day * len(channels)} day files", file=sys.stderr)
PY
echo "$size_mb $channel_count $user_count" >"$work/inputs/generated"
fi

cat > "$work/pipeline.yaml" <<YAML
version: 1
name: bench-slack-json
input_root: inputs
output_root: out
on_error: quarantine
extract:
  - type: slack_json
    include: ["export"]
load:
  - type: jsonl
    tables: all
YAML

if [ -n "${THREADLINE:-}" ]; then
    bin=$THREADLINE
else
    swift build -c release --product threadline >/dev/null
    bin=$(swift build -c release --show-bin-path)/threadline
fi
bytes=$(du -sb "$work/inputs/export" | cut -f1)
/usr/bin/time -f "%e %M %U %S" -o "$work/time" "$bin" run "$work/pipeline.yaml" >"$work/summary" 2>&1
read -r seconds max_kib user_s system_s <"$work/time"
grep -E "^(rows|inputs)" "$work/summary" || cat "$work/summary"
if [ -n "${KEEP_OUTPUT:-}" ]; then
    mkdir -p "$KEEP_OUTPUT"
    cp -R "$work/out/." "$KEEP_OUTPUT/"
    cp "$work/summary" "$KEEP_OUTPUT/summary.txt"
fi
python3 - "$bytes" "$seconds" "$max_kib" "$user_s" "$system_s" <<'PY'
import sys
size, seconds, kib = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
cpu = float(sys.argv[4]) + float(sys.argv[5])
print(f"slack_json: {size / 1e6:.1f} MB in {seconds:.2f} s wall, {cpu:.2f} s CPU = {size / 1e6 / seconds:.1f} MB/s, peak RSS {kib / 1024:.0f} MB")
PY
