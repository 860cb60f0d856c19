#!/usr/bin/env python3
"""Counts messages, threads and replies of a Slack export folder, independently of threadline.

Usage: scripts/slack_export_counts.py seeds/slack-export
Prints one line per conversation and the totals that Tests/ThreadlineCoreTests expects.
"""
import collections
import glob
import json
import os
import re
import sys

SKIP = {"channel_join", "channel_leave", "channel_topic", "channel_purpose", "channel_name",
        "channel_archive", "channel_unarchive", "channel_convert_to_private", "channel_convert_to_public",
        "group_join", "group_leave", "group_topic", "group_purpose", "group_name", "group_archive",
        "group_unarchive", "bot_add", "bot_remove", "pinned_item", "unpinned_item", "reminder_add",
        "sh_room_created", "joiner_notification"}


def main(root):
    totals = collections.Counter()
    for folder in sorted(os.listdir(root)):
        path = os.path.join(root, folder)
        if not os.path.isdir(path):
            continue
        messages = []
        for day in sorted(glob.glob(os.path.join(path, "*.json"))):
            if re.fullmatch(r"\d{4}-\d\d-\d\d\.json", os.path.basename(day)):
                messages += json.load(open(day, encoding="utf-8"))
        c = collections.Counter(read=len(messages))
        kept = [m for m in messages if m.get("subtype") not in SKIP]
        c["skipped"] = len(messages) - len(kept)
        by_ts = {m["ts"]: m for m in kept}
        threads = collections.defaultdict(list)
        for m in kept:
            threads[m.get("thread_ts", m["ts"])].append(m)
        c["threads"] = len(threads)
        c["replies"] = sum(1 for m in kept if m.get("thread_ts", m["ts"]) != m["ts"])
        c["threads_with_replies"] = sum(1 for k, ms in threads.items() if any(m["ts"] != k for m in ms))
        c["missing_parents"] = sum(1 for k in threads if k not in by_ts)
        c["broadcasts"] = sum(1 for m in kept if m.get("subtype") == "thread_broadcast")
        c["kept"] = len(kept)
        print(folder, dict(c))
        totals += c
    print("total", dict(totals))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "seeds/slack-export")
