"""A small reader and writer for kastore 1.0 files, the container of
tskit's ``.trees`` format, for the oracle tests.

The tests use it to look inside files (which keys, which types, where the
uuid is) and to make damaged files by removing, retyping or resizing one
item. It is written here, in a few lines, instead of depending on the
``kastore`` package, so the suite needs only tskit, msprime, numpy and
pytest; ``test_files.py`` checks that it reproduces tskit's files byte for
byte, so what it writes is what kastore would write.

Layout (all little-endian): a 64-byte header (magic, major and minor
version as uint16, number of items as uint32, file size as uint64, then
zeros); one 64-byte descriptor per item, sorted by key (type code as uint8,
7 zero bytes, then key start, key length, array start and array length in
elements, each uint64, then zeros); the keys packed together; then each
array, starting at a multiple of 8 bytes.
"""

import struct
from dataclasses import dataclass

import numpy as np

MAGIC = b"\x89KAS\r\n\x1a\n"
VERSION = (1, 0)
HEADER_SIZE = 64
DESCRIPTOR_SIZE = 64
ALIGN = 8

# kastore type code -> numpy dtype (little-endian).
DTYPES = {
    0: np.dtype("<i1"),
    1: np.dtype("<u1"),
    2: np.dtype("<i2"),
    3: np.dtype("<u2"),
    4: np.dtype("<i4"),
    5: np.dtype("<u4"),
    6: np.dtype("<i8"),
    7: np.dtype("<u8"),
    8: np.dtype("<f4"),
    9: np.dtype("<f8"),
}
CODES = {dtype: code for code, dtype in DTYPES.items()}


@dataclass
class Descriptor:
    """Where one item lies in a file."""

    key: str
    type_code: int
    key_start: int
    key_len: int
    array_start: int
    array_len: int  # elements, not bytes

    @property
    def byte_range(self):
        size = DTYPES[self.type_code].itemsize
        return range(self.array_start, self.array_start + self.array_len * size)


def descriptors(data):
    """The item descriptors of a well-formed kastore, in file order."""
    data = bytes(data)
    if data[:8] != MAGIC:
        raise ValueError("not a kastore file")
    (num_items,) = struct.unpack_from("<I", data, 12)
    out = []
    for j in range(num_items):
        at = HEADER_SIZE + DESCRIPTOR_SIZE * j
        code = data[at]
        key_start, key_len, array_start, array_len = struct.unpack_from("<4Q", data, at + 8)
        key = data[key_start : key_start + key_len].decode()
        out.append(Descriptor(key, code, key_start, key_len, array_start, array_len))
    return out


def loads(data):
    """Every item of a kastore as ``{key: numpy array}``, in file order."""
    data = bytes(data)
    items = {}
    for d in descriptors(data):
        r = d.byte_range
        items[d.key] = np.frombuffer(data[r.start : r.stop], dtype=DTYPES[d.type_code]).copy()
    return items


def load(path):
    with open(path, "rb") as f:
        return loads(f.read())


def dumps(items):
    """A kastore holding ``{key: numpy array}`` (any supported dtype), laid
    out as kastore's own writer does: keys sorted bytewise, arrays aligned
    to 8 bytes, no padding after the last array."""
    keys = sorted(items, key=lambda k: k.encode())
    arrays = []
    for key in keys:
        a = np.asarray(items[key])
        dtype = a.dtype.newbyteorder("<") if a.dtype.byteorder == ">" else a.dtype
        if dtype not in CODES:
            raise TypeError(f"{key}: dtype {a.dtype} has no kastore type code")
        arrays.append(np.ascontiguousarray(a, dtype=dtype).reshape(-1))
    offset = HEADER_SIZE + DESCRIPTOR_SIZE * len(keys)
    key_starts = []
    for key in keys:
        key_starts.append(offset)
        offset += len(key.encode())
    array_starts = []
    for a in arrays:
        offset = -(-offset // ALIGN) * ALIGN
        array_starts.append(offset)
        offset += a.nbytes
    size = offset

    out = bytearray(size)
    struct.pack_into("<8sHHIQ", out, 0, MAGIC, VERSION[0], VERSION[1], len(keys), size)
    for j, (key, a) in enumerate(zip(keys, arrays)):
        at = HEADER_SIZE + DESCRIPTOR_SIZE * j
        out[at] = CODES[a.dtype]
        struct.pack_into("<4Q", out, at + 8, key_starts[j], len(key.encode()), array_starts[j], a.size)
        out[key_starts[j] : key_starts[j] + len(key.encode())] = key.encode()
        out[array_starts[j] : array_starts[j] + a.nbytes] = a.tobytes()
    return bytes(out)


def dump(items, path):
    with open(path, "wb") as f:
        f.write(dumps(items))
