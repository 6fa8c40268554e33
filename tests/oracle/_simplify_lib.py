"""Minimal ctypes access to libtspar for the simplify oracle tests.

The library is the one named by the TSPAR_LIB environment variable, else
target/release/libtspar.so of this checkout (built first if missing). Tables move between tskit and
tspar through .trees files.
"""

import ctypes
import os
import pathlib
import subprocess

import numpy as np
import tskit

ROOT = pathlib.Path(__file__).resolve().parents[2]

id_t = ctypes.c_int32
size_t = ctypes.c_uint64
flags_t = ctypes.c_uint32

# Option bits, as in include/tspar.h (tskit's values).
FILTER_SITES = 1 << 0
FILTER_POPULATIONS = 1 << 1
FILTER_INDIVIDUALS = 1 << 2
REDUCE_TO_SITE_TOPOLOGY = 1 << 3
KEEP_UNARY = 1 << 4
KEEP_INPUT_ROOTS = 1 << 5
KEEP_UNARY_IN_INDIVIDUALS = 1 << 6
NO_FILTER_NODES = 1 << 7
NO_UPDATE_SAMPLE_FLAGS = 1 << 8

ERR_BUFFER_TOO_SMALL = -4
ERR_NODE_OUT_OF_BOUNDS = -205
ERR_EDGES_NOT_SORTED_PARENT_TIME = -303
ERR_UNSORTED_SITES = -315
ERR_DUPLICATE_SITE_POSITION = -316
ERR_DUPLICATE_SAMPLE = -500
ERR_KEEP_UNARY_MUTUALLY_EXCLUSIVE = -501
ERR_CANT_PROCESS_EDGES_WITH_METADATA = -502
ERR_SIMPLIFY_MIGRATIONS_NOT_SUPPORTED = -503
ERR_BAD_TABLE_POSITION = -504


class Bookmark(ctypes.Structure):
    _fields_ = [
        (name, size_t)
        for name in (
            "individuals",
            "nodes",
            "edges",
            "migrations",
            "sites",
            "mutations",
            "populations",
            "provenances",
        )
    ]


def _load():
    path = os.environ.get("TSPAR_LIB") or str(ROOT / "target" / "release" / "libtspar.so")
    if "TSPAR_LIB" not in os.environ and not pathlib.Path(path).exists():
        subprocess.run(["cargo", "build", "--release"], cwd=ROOT, check=True)
    lib = ctypes.CDLL(path)
    h = ctypes.c_void_p
    lib.tspar_tables_load.argtypes = [ctypes.c_char_p, flags_t, ctypes.POINTER(h)]
    lib.tspar_tables_dump.argtypes = [h, ctypes.c_char_p, flags_t]
    lib.tspar_tables_free.argtypes = [h]
    lib.tspar_tables_free.restype = None
    lib.tspar_tables_simplify.argtypes = [
        h,
        ctypes.POINTER(id_t),
        size_t,
        flags_t,
        ctypes.POINTER(id_t),
        size_t,
    ]
    lib.tspar_tables_record_num_rows.argtypes = [h, ctypes.POINTER(Bookmark)]
    lib.tspar_tables_truncate.argtypes = [h, ctypes.POINTER(Bookmark)]
    lib.tspar_last_error_message.restype = ctypes.c_char_p
    return lib


LIB = _load()


class TsparError(Exception):
    def __init__(self, code):
        self.code = code
        msg = LIB.tspar_last_error_message().decode()
        super().__init__(f"tspar error {code}: {msg}")


def check(code):
    if code < 0:
        raise TsparError(code)
    return code


class Tables:
    """A tspar_tables_t handle made from tskit tables through a file."""

    def __init__(self, tables, tmp_path):
        self.tmp = pathlib.Path(tmp_path)
        src = self.tmp / "to_tspar.trees"
        tables.dump(str(src))
        self.handle = ctypes.c_void_p()
        check(LIB.tspar_tables_load(str(src).encode(), 0, ctypes.byref(self.handle)))

    def close(self):
        if self.handle:
            LIB.tspar_tables_free(self.handle)
            self.handle = ctypes.c_void_p()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def to_tskit(self):
        dst = self.tmp / "from_tspar.trees"
        check(LIB.tspar_tables_dump(self.handle, str(dst).encode(), 0))
        return tskit.TableCollection.load(str(dst))

    def simplify(self, samples, options, num_nodes, node_map_length=None):
        """Returns the node map; raises TsparError."""
        if node_map_length is None:
            node_map_length = num_nodes
        node_map = np.full(max(node_map_length, 1), -7, dtype=np.int32)
        if samples is None:
            sp, ns = None, 0
        else:
            samples = np.ascontiguousarray(samples, dtype=np.int32)
            sp, ns = samples.ctypes.data_as(ctypes.POINTER(id_t)), len(samples)
        check(
            LIB.tspar_tables_simplify(
                self.handle,
                sp,
                ns,
                options,
                node_map.ctypes.data_as(ctypes.POINTER(id_t)),
                node_map_length,
            )
        )
        return node_map[:num_nodes]

    def record_num_rows(self):
        b = Bookmark()
        check(LIB.tspar_tables_record_num_rows(self.handle, ctypes.byref(b)))
        return b

    def truncate(self, bookmark):
        check(LIB.tspar_tables_truncate(self.handle, ctypes.byref(bookmark)))
