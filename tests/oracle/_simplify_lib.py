"""What the simplify oracle tests use of libtspar, on top of tspar.lowlevel
(the suite's one loader): option and error constants under short names,
read from include/tspar.h, and a tables handle made from tskit tables.
Tables move between tskit and tspar through .trees files.
"""

import pathlib

import numpy as np
import tskit

import tspar.lowlevel as ll
from tspar.lowlevel import C, ffi
from tspar.lowlevel import LibraryError as TsparError  # noqa: F401  (part of this module's API)

# TSPAR_SIMPLIFY_<NAME> as <NAME>, TSPAR_ERR_<NAME> as ERR_<NAME>.
for _name, _value in C.items():
    if _name.startswith("TSPAR_SIMPLIFY_"):
        globals()[_name[len("TSPAR_SIMPLIFY_"):]] = _value
    elif _name.startswith("TSPAR_ERR_"):
        globals()[_name[len("TSPAR_"):]] = _value


class Bookmark:
    """tspar_bookmark_t: ``Bookmark.new()`` is a cffi struct whose fields
    (named in ``_fields_``) are read and written as attributes."""

    _fields_ = [
        (name, "tspar_size_t")
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

    @staticmethod
    def new():
        return ffi.new("tspar_bookmark_t *")


class Tables:
    """A tspar_tables_t handle made from tskit tables through a file."""

    def __init__(self, tables, tmp_path):
        self.tmp = pathlib.Path(tmp_path)
        src = self.tmp / "to_tspar.trees"
        tables.dump(str(src))
        self.lib = ll.library
        self.tables = ll.Tables.load(src)

    @property
    def handle(self):
        return self.tables.handle

    def close(self):
        self.tables.free()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def to_tskit(self):
        dst = self.tmp / "from_tspar.trees"
        self.tables.dump(dst)
        return tskit.TableCollection.load(str(dst))

    def simplify(self, samples, options, num_nodes, node_map_length=None, exec=None):
        """Returns the node map; raises TsparError. ``exec``: a
        tspar.lowlevel.Exec, or None for the default."""
        if node_map_length is None:
            node_map_length = num_nodes
        node_map = np.full(max(node_map_length, 1), -7, dtype=np.int32)
        if samples is None:
            sp, ns = None, 0
        else:
            samples = np.ascontiguousarray(samples, dtype=np.int32)
            sp, ns = ll.ptr(samples), len(samples)
        self.lib.tspar_tables_simplify(
            self.handle, sp, ns, options, ll.exec_handle(exec), ll.out_ptr(node_map), node_map_length
        )
        return node_map[:num_nodes]

    def record_num_rows(self):
        b = Bookmark.new()
        self.lib.tspar_tables_record_num_rows(self.handle, b)
        return b

    def truncate(self, bookmark):
        self.lib.tspar_tables_truncate(self.handle, bookmark)
