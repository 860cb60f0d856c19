"""The README's analyst example runs on real outputs and prints what the JSON Lines say."""

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_analyst_start_prints_the_busiest_thread_and_top_answerer(runs):
    folder = runs["zstd-dict"]
    result = subprocess.run([sys.executable, str(REPO / "examples" / "analyst_start.py"), str(folder)],
                            capture_output=True, text=True, check=True)
    lines = result.stdout.splitlines()
    threads = [json.loads(line) for line in open(folder / "threads.jsonl", encoding="utf-8")]
    busiest = sorted(threads, key=lambda t: (-t["reply_count"], t["thread_id"]))[0]
    assert lines[0] == "Busiest threads"
    assert lines[2].split()[0] == busiest["thread_id"]
    assert f" {busiest['reply_count']} " in lines[2]

    messages = [json.loads(line) for line in open(folder / "messages.jsonl", encoding="utf-8")]
    replies = Counter(m["author_id"] for m in messages if m["position"] > 0)
    top_id, top_count = sorted(replies.items(), key=lambda item: (-item[1], item[0]))[0]
    section = lines.index("Top answerers")
    top_line = lines[section + 2].split()
    assert top_line[0] == top_id
    assert str(top_count) in top_line
    assert len(lines) == section + 2 + min(5, len(replies))
