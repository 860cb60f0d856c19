#!/usr/bin/env python3
"""How far two messages tables agree: threadline's and the comparator's JSON Lines, row by row.

Prints one line: the row counts, whether the columns and row order match, and for each column the
number of rows whose values differ (with one example). This keeps the comparison honest: both sides
must have done the same work. It reads both files line by line, in step, so memory stays flat.

With two Parquet files after them, it also checks that their Arrow schemas (names, types,
nullability) and row counts are equal.

Usage: agree.py THREADLINE.jsonl COMPARATOR.jsonl [THREADLINE.parquet COMPARATOR.parquet]
"""

from __future__ import annotations

import sys
from itertools import zip_longest
from pathlib import Path

import orjson
import pyarrow.parquet as pq


def parquet_agreement(left: Path, right: Path) -> str:
    """Whether two Parquet files have the same Arrow schema (metadata aside) and row count."""
    if not left.exists() or not right.exists():
        return "parquet: a file is missing"
    a, b = pq.ParquetFile(left), pq.ParquetFile(right)
    same_schema = a.schema_arrow.remove_metadata().equals(b.schema_arrow.remove_metadata())
    same_rows = a.metadata.num_rows == b.metadata.num_rows
    return f"parquet schemas {'equal' if same_schema else 'DIFFER'}, rows {'equal' if same_rows else 'DIFFER'}"


def main() -> int:
    if len(sys.argv) not in (3, 5):
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    differing: dict[str, int] = {}
    examples: dict[str, tuple[object, object, str]] = {}
    counts = [0, 0]
    columns_match = True
    with open(sys.argv[1], "rb") as left, open(sys.argv[2], "rb") as right:
        for a, b in zip_longest(left, right):
            if a is not None:
                counts[0] += 1
            if b is not None:
                counts[1] += 1
            if a is None or b is None:
                continue
            x, y = orjson.loads(a), orjson.loads(b)
            columns_match &= list(x) == list(y)
            for column in x.keys() | y.keys():
                if x.get(column) != y.get(column):
                    differing[column] = differing.get(column, 0) + 1
                    examples.setdefault(column, (x.get(column), y.get(column), x.get("message_id", "?")))
    summary = f"rows: threadline {counts[0]}, python {counts[1]}; columns {'match' if columns_match else 'DIFFER'}"
    if len(sys.argv) == 5:
        summary += "; " + parquet_agreement(Path(sys.argv[3]), Path(sys.argv[4]))
    if not differing:
        print(f"{summary}; every value agrees")
        return 0
    details = "; ".join(
        f"{column}: {n} rows differ (e.g. {examples[column][2]}: {str(examples[column][0])[:60]!r} vs "
        f"{str(examples[column][1])[:60]!r})" for column, n in sorted(differing.items()))
    print(f"{summary}; {details}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
