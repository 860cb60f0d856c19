#!/usr/bin/env python3
"""Compares the size of threadline's zstd Parquet file with what pyarrow writes for the same rows.

    python Benchmarks/parquet_size.py [output/messages.parquet] [--max-ratio 1.1]

The rows are read back from threadline's file and written again by pyarrow with zstd at its default
level, its default dictionary and page settings, V1 data pages, and without the `ARROW:schema`
metadata (threadline does not write it either). Prints both sizes and the ratio; exits 1 when the
ratio is over --max-ratio.
"""

import argparse
import sys
import tempfile
from pathlib import Path

import pyarrow.parquet as pq


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default=str(Path(__file__).resolve().parents[1] / "output" / "messages.parquet"))
    parser.add_argument("--max-ratio", type=float, default=1.1)
    args = parser.parse_args()

    ours = Path(args.file)
    metadata = pq.read_metadata(ours)
    codecs = {metadata.row_group(g).column(c).compression
              for g in range(metadata.num_row_groups) for c in range(metadata.num_columns)}
    if codecs != {"ZSTD"}:
        print(f"{ours} is not zstd-compressed (codecs: {sorted(codecs)})", file=sys.stderr)
        return 2
    table = pq.read_table(ours)
    with tempfile.TemporaryDirectory() as folder:
        reference = Path(folder) / "pyarrow.parquet"
        pq.write_table(table, reference, compression="zstd", data_page_version="1.0", store_schema=False,
                       row_group_size=max(metadata.row_group(0).num_rows if metadata.num_row_groups else 1, 1))
        theirs = reference.stat().st_size
    size = ours.stat().st_size
    ratio = size / theirs
    print(f"rows: {table.num_rows}, row groups: {metadata.num_row_groups}")
    print(f"threadline: {size} bytes")
    print(f"pyarrow:    {theirs} bytes")
    print(f"ratio:      {ratio:.3f} (limit {args.max_ratio})")
    return 0 if ratio <= args.max_ratio else 1


if __name__ == "__main__":
    sys.exit(main())
