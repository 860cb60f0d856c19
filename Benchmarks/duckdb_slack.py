#!/usr/bin/env python3
"""The DuckDB query a user would write to flatten a native Slack export into one Parquet file.

Every day file (`<channel>/YYYY-MM-DD.json`) is read with `read_json`, joined to `users.json` for
the author's name (profile display name, then real name, then user name, then the id), and written to
a zstd Parquet file: one row per message with its channel, ts, time sent, thread, author, text and
reply count. This is the peer threadline's `slack_json` source is measured against
(`Benchmarks/slack_json_duckdb.sh`): it shares none of threadline's code.

Usage:
    duckdb_slack.py EXPORT_FOLDER OUT.parquet [--threads N]
Prints the rows written.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb

QUERY = """
COPY (
    SELECT
        regexp_extract(m.filename, '([^/]+)/[^/]+$', 1) AS channel,
        m.ts,
        to_timestamp(CAST(m.ts AS DOUBLE)) AS sent_at,
        coalesce(m.thread_ts, m.ts) AS thread_ts,
        m.user AS author_id,
        coalesce(nullif(trim(u.profile.display_name), ''), nullif(trim(u.profile.real_name), ''),
                 nullif(trim(u.real_name), ''), u.name, m.username, m.user) AS author,
        m.text,
        m.reply_count,
        m.subtype
    FROM read_json($days, format = 'array', filename = true, union_by_name = true) AS m
    LEFT JOIN read_json($users, format = 'array') AS u ON m.user = u.id
) TO '{out}' (FORMAT parquet, COMPRESSION zstd)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("export", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--threads", type=int, help="DuckDB's threads (default: its own, all cores)")
    args = parser.parse_args()
    connection = duckdb.connect()
    if args.threads:
        connection.execute(f"SET threads = {args.threads}")
    out = str(args.out.resolve()).replace("'", "''")
    result = connection.execute(QUERY.format(out=out),
                                {"days": str(args.export / "*" / "*.json"), "users": str(args.export / "users.json")})
    print(f"rows: {result.fetchone()[0]}")


if __name__ == "__main__":
    main()
