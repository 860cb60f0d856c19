#!/usr/bin/env python3
"""An independent structural checker for Parquet files (no pyarrow, no thrift library).

It decodes the footer with its own minimal Thrift compact reader and checks what readers rely on:
the magic bytes and footer length; that row groups and column chunks are contiguous and start where
the metadata says; that the pages of every chunk tile it exactly, with at most one dictionary page,
first; data_page_offset / dictionary_page_offset; that every page decompresses to exactly its
uncompressed_page_size (zlib from the standard library, zstd and snappy through ctypes); that the
page value counts add up to the chunk's num_values; that every chunk yields the row group's row count
(counted from the repetition levels for lists); that the encodings list is exactly the set used; the
total sizes; column_orders and the schema's num_children.

Usage: parquet_check.py FILE...   (prints one line per problem; exit status 1 if any)
"""

import ctypes
import ctypes.util
import struct
import sys
import zlib

# --- Thrift compact protocol -------------------------------------------------------------------


class ThriftError(Exception):
    pass


class Reader:
    def __init__(self, data, pos=0):
        self.data = data
        self.pos = pos

    def byte(self):
        if self.pos >= len(self.data):
            raise ThriftError(f"end of data at {self.pos}")
        b = self.data[self.pos]
        self.pos += 1
        return b

    def varint(self):
        result = shift = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                return result
            shift += 7
            if shift > 63:
                raise ThriftError("varint too long")

    def zigzag(self):
        n = self.varint()
        return (n >> 1) ^ -(n & 1)

    def value(self, t):
        if t == 1:
            return True
        if t == 2:
            return False
        if t == 3:
            return struct.unpack("b", bytes([self.byte()]))[0]
        if t in (4, 5, 6):
            return self.zigzag()
        if t == 7:
            raw = bytes(self.byte() for _ in range(8))
            return struct.unpack("<d", raw)[0]
        if t == 8:
            n = self.varint()
            if self.pos + n > len(self.data):
                raise ThriftError("binary runs past the end")
            out = bytes(self.data[self.pos:self.pos + n])
            self.pos += n
            return out
        if t == 9:
            header = self.byte()
            size = header >> 4
            if size == 15:
                size = self.varint()
            et = header & 0x0F
            if et in (1, 2):
                return [self.byte() == 1 for _ in range(size)]
            return [self.value(et) for _ in range(size)]
        if t == 12:
            return self.struct()
        raise ThriftError(f"unsupported compact type {t} at {self.pos}")

    def struct(self):
        fields = {}
        last = 0
        while True:
            header = self.byte()
            if header == 0:
                return fields
            delta = header >> 4
            fid = last + delta if delta else self.zigzag()
            if fid <= last:
                raise ThriftError(f"field ids not ascending ({last} then {fid}) at {self.pos}")
            fields[fid] = self.value(header & 0x0F)
            last = fid


# --- Codecs ------------------------------------------------------------------------------------


def _load(names):
    for name in names:
        try:
            return ctypes.CDLL(name)
        except OSError:
            continue
    found = ctypes.util.find_library(names[0].split(".")[0].removeprefix("lib"))
    return ctypes.CDLL(found) if found else None


_zstd = _load(["libzstd.so.1", "libzstd.so"])
_snappy = _load(["libsnappy.so.1", "libsnappy.so"])


def decompress(codec, body, expected):
    """The decompressed body, or raises ValueError."""
    if codec == 0:
        return body
    if codec == 1:
        out_len = ctypes.c_size_t(0)
        if _snappy.snappy_uncompressed_length(body, len(body), ctypes.byref(out_len)) != 0:
            raise ValueError("not a raw snappy block")
        out = ctypes.create_string_buffer(max(out_len.value, 1))
        if _snappy.snappy_uncompress(body, len(body), out, ctypes.byref(out_len)) != 0:
            raise ValueError("snappy block does not decompress")
        return out.raw[:out_len.value]
    if codec == 2:
        if body[:2] != b"\x1f\x8b":
            raise ValueError("not a gzip member (RFC 1952)")
        d = zlib.decompressobj(16 + 15)
        out = d.decompress(body) + d.flush()
        if d.unused_data or not d.eof:
            raise ValueError("gzip page is not exactly one member")
        return out
    if codec == 6:
        if body[:4] != b"\x28\xb5\x2f\xfd":
            raise ValueError("not a zstd frame")
        _zstd.ZSTD_decompress.restype = ctypes.c_size_t
        _zstd.ZSTD_isError.restype = ctypes.c_uint
        out = ctypes.create_string_buffer(max(expected, 1))
        n = _zstd.ZSTD_decompress(out, ctypes.c_size_t(expected), body, ctypes.c_size_t(len(body)))
        if _zstd.ZSTD_isError(ctypes.c_size_t(n)):
            raise ValueError("zstd frame does not decompress to the declared size")
        return out.raw[:n]
    raise ValueError(f"unexpected codec {codec}")


# --- RLE / bit-packing hybrid ------------------------------------------------------------------


def decode_hybrid(data, bit_width, count):
    """Decodes `count` values; returns (values, bytes consumed)."""
    r = Reader(data)
    values = []
    while len(values) < count:
        header = r.varint()
        if header & 1:
            groups = header >> 1
            nbytes = groups * bit_width
            packed = int.from_bytes(data[r.pos:r.pos + nbytes], "little")
            if r.pos + nbytes > len(data):
                raise ValueError("bit-packed run past the end")
            r.pos += nbytes
            mask = (1 << bit_width) - 1
            values.extend((packed >> (i * bit_width)) & mask for i in range(groups * 8))
        else:
            width = (bit_width + 7) // 8
            value = int.from_bytes(data[r.pos:r.pos + width], "little")
            r.pos += width
            values.extend([value] * (header >> 1))
    return values[:count], r.pos


# --- The checks --------------------------------------------------------------------------------

ENCODING_PLAIN, ENCODING_RLE, ENCODING_RLE_DICTIONARY = 0, 3, 8


def leaves(schema):
    """(path, max_def, max_rep) of every leaf, walking the flattened schema depth-first."""
    out = []
    index = 1

    def walk(prefix, dlevel, rlevel):
        nonlocal index
        element = schema[index]
        index += 1
        rep = element.get(3, 0)
        d = dlevel + (1 if rep in (1, 2) else 0)
        r = rlevel + (1 if rep == 2 else 0)
        path = prefix + [element[4].decode()]
        children = element.get(5)
        if children is None:
            out.append((path, d, r))
        else:
            for _ in range(children):
                walk(path, d, r)

    for _ in range(schema[0].get(5, 0)):
        walk([], 0, 0)
    if index != len(schema):
        raise ValueError(f"schema has {len(schema)} elements but num_children accounts for {index}")
    return out


def check(path):
    """Returns a list of problems (empty when the file is sound)."""
    problems = []
    data = open(path, "rb").read()
    if len(data) < 12 or data[:4] != b"PAR1" or data[-4:] != b"PAR1":
        return ["missing PAR1 magic"]
    footer_len = struct.unpack("<I", data[-8:-4])[0]
    footer_start = len(data) - 8 - footer_len
    if footer_start < 4:
        return ["footer length is larger than the file"]
    reader = Reader(data, footer_start)
    try:
        meta = reader.struct()
    except ThriftError as error:
        return [f"footer does not decode: {error}"]
    if reader.pos != len(data) - 8:
        problems.append(f"footer decodes to {reader.pos - footer_start} bytes, length says {footer_len}")
    schema = meta[2]
    try:
        leaf_info = leaves(schema)
    except (ValueError, KeyError, IndexError) as error:
        return problems + [f"schema: {error}"]
    if meta.get(1) not in (1, 2):
        problems.append(f"version is {meta.get(1)}, expected 1 (or 2)")
    if len(meta.get(7, [])) != len(leaf_info):
        problems.append(f"{len(meta.get(7, []))} column orders for {len(leaf_info)} leaves")
    if not isinstance(meta.get(6), bytes) or b" version " not in meta[6]:
        problems.append("created_by is missing or not '<app> version <x>'")

    offset = 4
    total_rows = 0
    for g, group in enumerate(meta.get(4, [])):
        where = f"row group {g}"
        num_rows = group[3]
        total_rows += num_rows
        if group.get(5) != offset:
            problems.append(f"{where}: file_offset {group.get(5)} != first chunk at {offset}")
        columns = group[1]
        if len(columns) != len(leaf_info):
            problems.append(f"{where}: {len(columns)} chunks for {len(leaf_info)} leaves")
            continue
        sum_uncompressed = sum_compressed = 0
        for c, (chunk, (leaf_path, max_def, max_rep)) in enumerate(zip(columns, leaf_info)):
            where = f"row group {g} column {'.'.join(leaf_path)}"
            cm = chunk[3]
            if [p.decode() for p in cm[3]] != leaf_path:
                problems.append(f"{where}: path_in_schema {cm[3]}")
            start = cm.get(11, cm[9])
            if 11 in cm and cm[11] == 0:
                problems.append(f"{where}: dictionary_page_offset is 0")
            if start != offset:
                problems.append(f"{where}: chunk starts at {start}, previous chunk ended at {offset}")
            end = start + cm[7]
            pos = start
            pages = []
            uncompressed_total = 0
            try:
                while pos < end:
                    r = Reader(data, pos)
                    header = r.struct()
                    body = data[r.pos:r.pos + header[3]]
                    if r.pos + header[3] > end:
                        raise ValueError(f"page at {pos} runs past the chunk end {end}")
                    raw = decompress(cm[4], body, header[2])
                    if len(raw) != header[2]:
                        raise ValueError(f"page at {pos} decompresses to {len(raw)} bytes, header says {header[2]}")
                    pages.append((pos, header, raw))
                    uncompressed_total += (r.pos - pos) + header[2]
                    pos = r.pos + header[3]
            except (ValueError, ThriftError) as error:
                problems.append(f"{where}: {error}")
                offset = end
                continue
            if pos != end:
                problems.append(f"{where}: pages end at {pos}, chunk at {end}")
            offset = end
            if uncompressed_total != cm[6]:
                problems.append(f"{where}: total_uncompressed_size {cm[6]} != {uncompressed_total}")
            sum_uncompressed += cm[6]
            sum_compressed += cm[7]

            kinds = [h[1] for _, h, _ in pages]
            dict_pages = [i for i, k in enumerate(kinds) if k == 2]
            if dict_pages not in ([], [0]):
                problems.append(f"{where}: dictionary pages at positions {dict_pages}")
            if bool(dict_pages) != (11 in cm):
                problems.append(f"{where}: dictionary_page_offset present={11 in cm}, dictionary page={bool(dict_pages)}")
            data_pages = [(p, h, raw) for p, h, raw in pages if h[1] == 0]
            if not data_pages:
                problems.append(f"{where}: no data pages")
                continue
            if cm[9] != data_pages[0][0]:
                problems.append(f"{where}: data_page_offset {cm[9]} != first data page at {data_pages[0][0]}")
            used = set()
            if dict_pages:
                used.add(pages[0][1][7][2])
            values = rows = 0
            for p, h, raw in data_pages:
                dph = h[5]
                values += dph[1]
                used.add(dph[2])
                body_pos = 0
                if max_rep > 0:
                    used.add(ENCODING_RLE)
                    n = struct.unpack("<I", raw[:4])[0]
                    reps, _ = decode_hybrid(raw[4:4 + n], max_rep.bit_length(), dph[1])
                    if reps and reps[0] != 0:
                        problems.append(f"{where}: page at {p} does not start at a row boundary")
                    rows += sum(1 for level in reps if level == 0)
                    body_pos = 4 + n
                else:
                    rows += dph[1]
                if max_def > 0:
                    used.add(ENCODING_RLE)
                    n = struct.unpack("<I", raw[body_pos:body_pos + 4])[0]
                    defs, consumed = decode_hybrid(raw[body_pos + 4:body_pos + 4 + n], max_def.bit_length(), dph[1])
                    if consumed != n:
                        problems.append(f"{where}: page at {p}: definition levels use {consumed} of {n} bytes")
                    if any(level > max_def for level in defs):
                        problems.append(f"{where}: page at {p}: definition level above {max_def}")
            if values != cm[5]:
                problems.append(f"{where}: pages hold {values} values, num_values says {cm[5]}")
            if rows != num_rows:
                problems.append(f"{where}: pages hold {rows} rows, row group says {num_rows}")
            if set(cm[2]) != used:
                problems.append(f"{where}: encodings {sorted(cm[2])} != used {sorted(used)}")
            if len(cm[2]) != len(set(cm[2])):
                problems.append(f"{where}: encodings listed twice")
        if group[2] != sum_uncompressed:
            problems.append(f"row group {g}: total_byte_size {group[2]} != {sum_uncompressed}")
        if group.get(6) is not None and group[6] != sum_compressed:
            problems.append(f"row group {g}: total_compressed_size {group[6]} != {sum_compressed}")
    if offset != footer_start:
        problems.append(f"the last chunk ends at {offset}, the footer starts at {footer_start}")
    if total_rows != meta[3]:
        problems.append(f"row groups hold {total_rows} rows, num_rows says {meta[3]}")
    return problems


def main(paths):
    failed = False
    for path in paths:
        problems = check(path)
        for problem in problems:
            print(f"{path}: {problem}")
        failed = failed or bool(problems)
        if not problems:
            print(f"{path}: ok")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
