"""An analyst's first look at threadline's outputs: the busiest threads and the top answerers.

Run the default pipeline first (`threadline run`), then:

    python examples/analyst_start.py            # reads output/
    python examples/analyst_start.py some/dir   # or another output_root

Needs `pip install duckdb pandas pyarrow`.
"""

import sys
from pathlib import Path

import duckdb
import pandas as pd

output = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "output"

# DuckDB queries the Parquet files in place; timestamps are TIMESTAMPTZ, so pin the session to UTC.
con = duckdb.connect()
con.execute("SET TimeZone = 'UTC'")
busiest = con.execute(
    """
    SELECT thread_id, author, reply_count, participant_count,
           strftime(started_at, '%Y-%m-%d %H:%M') AS started_utc,
           left(replace(question, chr(10), ' '), 50) AS question
    FROM read_parquet(?)
    ORDER BY reply_count DESC, thread_id
    LIMIT 5
    """,
    [str(output / "threads.parquet")],
).df()
print("Busiest threads")
print(busiest.to_string(index=False))

# pandas loads a whole table; types come through as they are (int32, bool, datetime64[us, UTC]).
messages = pd.read_parquet(output / "messages.parquet")
replies = messages[messages["position"] > 0]
top = (
    replies.groupby(["author_id", "author"])
    .agg(replies=("message_id", "size"), threads=("thread_id", "nunique"), hosts=("is_host", "any"))
    .reset_index()
    .sort_values(["replies", "author_id"], ascending=[False, True])
    .head(5)
)
print()
print("Top answerers")
print(top.to_string(index=False))
