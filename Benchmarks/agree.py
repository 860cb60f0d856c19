#!/usr/bin/env python3
"""How far two messages tables agree: threadline's and the comparator's JSON Lines, row by row.

Prints one line: the row counts, whether the columns and row order match, and for each column the
number of rows whose values differ (with one example). This keeps the comparison honest: both sides
must have done the same work. It reads both files line by line, in step, so memory stays flat.

Usage: agree.py THREADLINE.jsonl COMPARATOR.jsonl
"""

from __future__ import annotations

import sys
from itertools import zip_longest

import orjson


def main() -> int:
    if len(sys.argv) != 3:
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
