"""The structural checker itself: it accepts what pyarrow writes and rejects broken files."""

import struct

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from parquet_check import check


@pytest.fixture
def arrow_table():
    return pa.table({
        "s": pa.array(["a", None, "b", "a"] * 50, pa.string()),
        "n": pa.array(list(range(200)), pa.int32()),
        "tags": pa.array([None, [], ["x", "y"], ["z"]] * 50, pa.list_(pa.string())),
        "at": pa.array([0, None, -1, 10**15] * 50, pa.timestamp("us", tz="UTC")),
        "flag": pa.array([True, False, None, True] * 50, pa.bool_()),
    })


@pytest.mark.parametrize("codec", ["NONE", "SNAPPY", "GZIP", "ZSTD"])
@pytest.mark.parametrize("dictionary", [True, False])
def test_accepts_pyarrow_files(tmp_path, arrow_table, codec, dictionary):
    path = tmp_path / "arrow.parquet"
    pq.write_table(arrow_table, path, compression=codec, use_dictionary=dictionary, row_group_size=64,
                   data_page_size=100, data_page_version="1.0")
    assert check(path) == []


def test_rejects_a_truncated_file(tmp_path, arrow_table):
    path = tmp_path / "t.parquet"
    pq.write_table(arrow_table, path)
    path.write_bytes(path.read_bytes()[:-3])
    assert check(path) == ["missing PAR1 magic"]


def test_rejects_a_wrong_footer_length(tmp_path, arrow_table):
    path = tmp_path / "t.parquet"
    pq.write_table(arrow_table, path, store_schema=False)
    data = bytearray(path.read_bytes())
    length = struct.unpack("<I", data[-8:-4])[0]
    data[-8:-4] = struct.pack("<I", length + 1)
    path.write_bytes(bytes(data))
    assert check(path)  # one byte of the last chunk is taken for the footer


def test_rejects_a_corrupt_compressed_page(tmp_path, arrow_table):
    path = tmp_path / "t.parquet"
    pq.write_table(arrow_table, path, compression="ZSTD", use_dictionary=False)
    column = pq.read_metadata(path).row_group(0).column(1)
    data = bytearray(path.read_bytes())
    frame = data.index(b"\x28\xb5\x2f\xfd", column.data_page_offset)
    data[frame + 5] ^= 0xFF  # the frame header: the content size no longer matches
    path.write_bytes(bytes(data))
    assert any("zstd" in problem or "decompress" in problem for problem in check(path))
