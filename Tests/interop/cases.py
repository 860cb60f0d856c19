"""The combinations the interop suite covers, and how to read a JSON Lines file canonically."""

import json
from datetime import datetime, timezone

TABLES = ["messages", "threads", "documents", "authors"]
CODECS = ["none", "snappy", "gzip", "zstd"]

# Every codec with the dictionary on and off, then small row groups (several per file).
RUN_VARIANTS = {
    f"{codec}-{'dict' if dictionary else 'plain'}": {"compression": codec, "dictionary": str(dictionary).lower()}
    for codec in CODECS
    for dictionary in (True, False)
}
RUN_VARIANTS["zstd-dict-rows7"] = {"compression": "zstd", "compression_level": 9, "dictionary": "true",
                                   "row_group_rows": 7}
RUN_VARIANTS["gzip-plain-rows7"] = {"compression": "gzip", "compression_level": 1, "dictionary": "false",
                                    "row_group_rows": 7}
RUN_VARIANTS["snappy-dict-bytes"] = {"compression": "snappy", "dictionary": "true", "row_group_bytes": 4096}

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def micros_from_iso(text):
    """Microseconds since the epoch of `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`, computed exactly."""
    assert text.endswith("Z"), text
    base, _, fraction = text[:-1].partition(".")
    instant = datetime.strptime(base, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    delta = instant - EPOCH
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000
    return micros + (int(fraction.ljust(6, "0")) if fraction else 0)


def canonical(value, column_type):
    """A JSON Lines value as the suite compares it: timestamps as integer microseconds."""
    if value is None:
        return None
    if column_type == "timestamp":
        return value if isinstance(value, int) else micros_from_iso(value)
    if column_type in ("int32", "int64"):
        assert isinstance(value, int) and not isinstance(value, bool), value
    return value


def read_jsonl(path, columns):
    """Rows as lists in column order, canonical values; checks each line has exactly the columns."""
    names = [c["name"] for c in columns]
    rows = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            assert list(record) == names, f"{path}: keys {list(record)}"
            rows.append([canonical(record[c["name"]], c["type"]) for c in columns])
    return rows
