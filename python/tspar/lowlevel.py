"""The low-level layer of tspar: one Python object per C handle and one
method per C function, with the C API's arguments (option bits, file keys,
``TSPAR_*`` constants) and numpy arrays in and out.

The tskit-like classes of :mod:`tspar` are built on this layer; the oracle
test suite uses it directly to check the C API itself. Nothing here is an
algorithm: every method converts its arguments and calls the library.

Lifetimes: each object owns its handle through a small ``_Handle`` that is
freed when the last Python reference to it goes, so a numpy view of a
tree sequence's column keeps the tree sequence's data alive even after
``free()`` or ``del`` of the object it came from. ``free()`` makes the object
unusable at once (ValueError), but the C handle lives on while views use it.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np

from ._ffi import C, HEADER_PATH, HEADER_TEXT, LIBRARY_PATH, ffi, lib, last_error_message, strerror, version
from ._ffi import parse_header_constants as _parse_constants
from .exceptions import LibraryError, check, error_from_code, error_name

__all__ = [
    "C", "ffi", "lib", "checked", "library", "version", "strerror", "last_error_message", "error_name",
    "LibraryError", "HEADER_PATH", "LIBRARY_PATH", "TABLES", "DTYPES", "BULK_COLUMNS",
    "Exec", "Tables", "TreeSequence", "Tree", "ONE_WAY", "K_WAY", "stat_options",
]

def parse_header_constants(path=HEADER_PATH):
    """Every integer ``#define TSPAR_...`` of a header (default: the one
    this binding was made from), as ``{name: value}``."""
    from pathlib import Path as _P

    return _parse_constants(_P(path).read_text())


# Table names as used in file keys, by their TSPAR_TABLE_* identifier.
TABLES = {
    "individuals": C.TSPAR_TABLE_INDIVIDUALS,
    "nodes": C.TSPAR_TABLE_NODES,
    "edges": C.TSPAR_TABLE_EDGES,
    "migrations": C.TSPAR_TABLE_MIGRATIONS,
    "sites": C.TSPAR_TABLE_SITES,
    "mutations": C.TSPAR_TABLE_MUTATIONS,
    "populations": C.TSPAR_TABLE_POPULATIONS,
    "provenances": C.TSPAR_TABLE_PROVENANCES,
}

# TSPAR_DTYPE_* code -> numpy dtype.
DTYPES = {
    C.TSPAR_DTYPE_INT8: np.dtype(np.int8),
    C.TSPAR_DTYPE_UINT8: np.dtype(np.uint8),
    C.TSPAR_DTYPE_INT32: np.dtype(np.int32),
    C.TSPAR_DTYPE_UINT32: np.dtype(np.uint32),
    C.TSPAR_DTYPE_UINT64: np.dtype(np.uint64),
    C.TSPAR_DTYPE_FLOAT64: np.dtype(np.float64),
}

_CTYPES = {
    np.dtype(np.int8): "char[]",
    np.dtype(np.uint8): "uint8_t[]",
    np.dtype(np.int32): "int32_t[]",
    np.dtype(np.uint32): "uint32_t[]",
    np.dtype(np.uint64): "uint64_t[]",
    np.dtype(np.float64): "double[]",
}

# Whole-column functions, tspar_tables_{set,append}_<table>(tables,
# num_rows, columns...): the columns in argument order with their dtypes.
# A ragged column is two arguments, `<name>` and `<name>_offset`.
BULK_COLUMNS = {
    "individuals": [
        ("flags", np.uint32), ("location", np.float64), ("location_offset", np.uint64),
        ("parents", np.int32), ("parents_offset", np.uint64),
        ("metadata", np.int8), ("metadata_offset", np.uint64),
    ],
    "nodes": [
        ("flags", np.uint32), ("time", np.float64), ("population", np.int32), ("individual", np.int32),
        ("metadata", np.int8), ("metadata_offset", np.uint64),
    ],
    "edges": [
        ("left", np.float64), ("right", np.float64), ("parent", np.int32), ("child", np.int32),
        ("metadata", np.int8), ("metadata_offset", np.uint64),
    ],
    "migrations": [
        ("left", np.float64), ("right", np.float64), ("node", np.int32), ("source", np.int32),
        ("dest", np.int32), ("time", np.float64), ("metadata", np.int8), ("metadata_offset", np.uint64),
    ],
    "sites": [
        ("position", np.float64), ("ancestral_state", np.int8), ("ancestral_state_offset", np.uint64),
        ("metadata", np.int8), ("metadata_offset", np.uint64),
    ],
    "mutations": [
        ("site", np.int32), ("node", np.int32), ("parent", np.int32), ("time", np.float64),
        ("derived_state", np.int8), ("derived_state_offset", np.uint64),
        ("metadata", np.int8), ("metadata_offset", np.uint64),
    ],
    "populations": [("metadata", np.int8), ("metadata_offset", np.uint64)],
    "provenances": [
        ("timestamp", np.int8), ("timestamp_offset", np.uint64),
        ("record", np.int8), ("record_offset", np.uint64),
    ],
}

BOOKMARK_FIELDS = list(TABLES)

TREE_ARRAY_NAMES = ["parent", "left_child", "right_child", "left_sib", "right_sib", "num_children", "num_samples"]


class _Checked:
    """``checked.tspar_x(...)`` calls ``lib.tspar_x`` (None arguments
    passed as NULL) and raises the matching LibraryError when it returns a
    negative code (for functions returning int, int64_t, tspar_id_t or
    double); functions returning void or a pointer are returned as they
    are. The library's raw functions are ``lib.tspar_x``."""

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        fn = getattr(lib, name)
        result = ffi.typeof(fn).result
        checks = result.kind == "primitive"

        def call(*args):
            r = fn(*[ffi.NULL if a is None else a for a in args])
            return check(r) if checks else r

        call.__name__ = name
        return call


checked = _Checked()


class _Raw:
    """``raw.tspar_x(...)``: the unchecked function, with None arguments
    passed as NULL and a ``char *`` result returned as bytes (None for
    NULL), for tests of the C API's own conventions."""

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        fn = getattr(lib, name)
        result = ffi.typeof(fn).result
        is_string = result.kind == "pointer" and result.item.cname == "char"

        def call(*args):
            r = fn(*[ffi.NULL if a is None else a for a in args])
            if is_string:
                return None if r == ffi.NULL else ffi.string(r)
            return r

        call.__name__ = name
        return call


class _Library:
    """The loaded library as one object: ``library.tspar_x(...)`` is
    ``checked.tspar_x``, ``library.raw.tspar_x`` unchecked (see ``_Raw``),
    ``library.path`` the file loaded."""

    raw = _Raw()
    ffi = ffi
    path = LIBRARY_PATH

    def __getattr__(self, name):
        return getattr(checked, name)

    @staticmethod
    def strerror(code):
        return strerror(code)

    @staticmethod
    def unknown_time():
        return lib.tspar_unknown_time()

    @staticmethod
    def error(code):
        return error_from_code(code)


library = _Library()


# ------------------------------------------------------------ helpers


def as_array(value, dtype, name="array"):
    """``value`` as a C-contiguous 1-d numpy array of ``dtype``: a value of
    another numeric kind is converted when numpy converts it safely
    (TypeError otherwise); bytes and str become int8 arrays."""
    dtype = np.dtype(dtype)
    if isinstance(value, str):
        value = value.encode()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return np.ascontiguousarray(np.frombuffer(bytes(value), dtype=np.int8), dtype=dtype)
    a = np.asarray(value)
    if a.dtype == object:
        raise TypeError(f"{name}: cannot convert objects to {dtype}")
    if a.size and a.dtype != dtype and not np.can_cast(a.dtype, dtype, casting="same_kind"):
        if not (a.dtype.kind in "iub" and dtype.kind in "iuf"):
            raise TypeError(f"{name}: cannot convert {a.dtype} to {dtype}")
    if a.size and a.dtype.kind in "iu" and dtype.kind in "iu" and a.dtype != dtype:
        info = np.iinfo(dtype)
        if a.min() < info.min or a.max() > info.max:
            raise ValueError(f"{name}: values out of the range of {dtype}")
    return np.ascontiguousarray(a.reshape(-1) if a.ndim != 1 else a, dtype=dtype)


def ptr(array, dtype=None):
    """A cffi pointer to a C-contiguous numpy array (NULL for None). The
    array must stay referenced until the call returns."""
    if array is None:
        return ffi.NULL
    if dtype is not None and array.dtype != np.dtype(dtype):
        raise TypeError(f"expected {np.dtype(dtype)}, got {array.dtype}")
    if not array.flags.c_contiguous:
        raise ValueError("array is not C-contiguous")
    return ffi.from_buffer(_CTYPES[array.dtype], array, require_writable=False)


def out_ptr(array):
    """A cffi pointer for writing into a C-contiguous, writeable array."""
    if not array.flags.c_contiguous or not array.flags.writeable:
        raise ValueError("output array must be C-contiguous and writeable")
    return ffi.from_buffer(_CTYPES[array.dtype], array, require_writable=True)


def _bytes_arg(value):
    """(char pointer argument, length) for a bytes-like or str value."""
    if value is None:
        return ffi.NULL, 0
    if isinstance(value, str):
        value = value.encode()
    value = bytes(value)
    return value, len(value)


def _path(path) -> bytes:
    return os.fsencode(os.fspath(path))


def _table_id(table):
    return TABLES[table] if isinstance(table, str) else int(table)


class _Handle:
    """Owns one C handle; frees it when the last reference goes."""

    __slots__ = ("ptr", "_free", "__weakref__")

    def __init__(self, ptr, free):
        self.ptr = ptr
        self._free = free

    def __del__(self):
        p, self.ptr = self.ptr, None
        if p is not None and self._free is not None:
            self._free(p)


class _View:
    """Exposes memory owned by a handle through ``__array_interface__``;
    numpy arrays made from it keep it (and so the handle) alive."""

    def __init__(self, owner, address, n, dtype):
        self.owner = owner
        self.__array_interface__ = {
            "data": (address, True),  # read-only
            "shape": (n,),
            "typestr": np.dtype(dtype).str,
            "version": 3,
        }


def view(owner, pointer, n, dtype):
    """A read-only numpy array of ``n`` elements at ``pointer``, without a
    copy; it keeps ``owner`` alive."""
    if n == 0 or pointer == ffi.NULL:
        a = np.empty(0, dtype=dtype)
        a.flags.writeable = False
        return a
    a = np.asarray(_View(owner, int(ffi.cast("uintptr_t", pointer)), n, dtype))
    assert not a.flags.writeable
    return a


class _Owned:
    """Base of the handle-owning objects."""

    _kind = "object"

    def _h(self) -> _Handle:
        h = self.__dict__.get("_handle_obj")
        if h is None:
            raise ValueError(f"{self._kind} already freed")
        return h

    @property
    def handle(self):
        """The C handle (a cffi pointer)."""
        return self._h().ptr

    @property
    def freed(self) -> bool:
        return self.__dict__.get("_handle_obj") is None

    def free(self):
        """Releases this object's handle now; later calls raise ValueError.
        Views made from it keep the C data alive until they go."""
        self.__dict__["_handle_obj"] = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.free()


# ------------------------------------------------------------ exec


class Exec:
    """A ``tspar_exec_t``, fixed when made: thread count (0: the default)
    and an optional progress callback ``progress(fraction) -> bool`` (True
    cancels the call). An exception raised by the callback cancels the
    call too; it is kept in ``exception`` so that the caller can raise it
    again once the call has returned."""

    def __init__(self, threads=0, progress=None):
        if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)):
            raise TypeError("num_threads must be an int")
        if threads < 0:
            raise ValueError("num_threads must be >= 0 (0: the default)")
        # The callback runs on the thread that made the call: what it
        # raised is kept per thread, so one exec serves many threads.
        self._local = threading.local()
        self._cb = ffi.NULL
        if progress is not None:

            def onerror(exc_type, exc_value, tb):
                if self.exception is None:
                    self.exception = exc_value if exc_value is not None else exc_type()
                return 1


            def cb(fraction, _user_data):
                return 1 if progress(fraction) else 0

            self._cb = ffi.callback("tspar_progress_func_t", cb, error=1, onerror=onerror)
        out = ffi.new("tspar_exec_t **")
        check(lib.tspar_exec_new(int(threads), self._cb, ffi.NULL, out))
        # The callback object must outlive the handle: keep both here.
        self._handle_obj = _Handle(out[0], lib.tspar_exec_free)
        self.threads = int(threads)

    @property
    def handle(self):
        return self._handle_obj.ptr

    @property
    def exception(self):
        """What the progress callback raised during this thread's last call."""
        return getattr(self._local, "exception", None)

    @exception.setter
    def exception(self, value):
        self._local.exception = value


def exec_handle(exec):
    """The tspar_exec_t of an Exec, or NULL (the default)."""
    return ffi.NULL if exec is None else exec.handle


# ------------------------------------------------------------ tables


class Tables(_Owned):
    """An owned ``tspar_tables_t``. Make one with ``Tables.new``,
    ``Tables.load`` or ``copy()``."""

    _kind = "tables"

    def __init__(self, ptr):
        self._handle_obj = _Handle(ptr, lib.tspar_tables_free)

    @classmethod
    def new(cls, sequence_length=0.0):
        out = ffi.new("tspar_tables_t **")
        check(lib.tspar_tables_new(float(sequence_length), out))
        return cls(out[0])

    @classmethod
    def load(cls, path, options=0, exec=None):
        out = ffi.new("tspar_tables_t **")
        check(lib.tspar_tables_load(_path(path), options, exec_handle(exec), out))
        return cls(out[0])

    def copy(self):
        out = ffi.new("tspar_tables_t **")
        h = self._h()
        check(lib.tspar_tables_copy(h.ptr, out))
        return Tables(out[0])

    def dump(self, path, options=0):
        h = self._h()
        check(lib.tspar_tables_dump(h.ptr, _path(path), options))

    def equals(self, other, options=0):
        a, b = self._h(), other._h()
        return bool(check(lib.tspar_tables_equals(a.ptr, b.ptr, options)))

    def clear(self, options=0):
        h = self._h()
        check(lib.tspar_tables_clear(h.ptr, options))

    def num_rows(self, table):
        h = self._h()
        return int(check(lib.tspar_tables_num_rows(h.ptr, _table_id(table))))

    @property
    def sequence_length(self):
        h = self._h()
        return check(lib.tspar_tables_get_sequence_length(h.ptr))

    @sequence_length.setter
    def sequence_length(self, value):
        h = self._h()
        check(lib.tspar_tables_set_sequence_length(h.ptr, float(value)))

    def has_index(self):
        h = self._h()
        return bool(check(lib.tspar_tables_has_index(h.ptr)))

    def drop_index(self):
        h = self._h()
        check(lib.tspar_tables_drop_index(h.ptr))

    # ---- fields and columns by file key

    def get_field(self, name):
        """A collection-level byte field ("time_units", "metadata",
        "nodes/metadata_schema", "reference_sequence/data", ...) as bytes."""
        h = self._h()
        key = name.encode()
        length = ffi.new("tspar_size_t *")
        check(lib.tspar_tables_get_field(h.ptr, key, ffi.NULL, 0, length))
        buf = ffi.new("char[]", max(length[0], 1))
        check(lib.tspar_tables_get_field(h.ptr, key, buf, length[0], length))
        return ffi.buffer(buf, length[0])[:]

    def set_field(self, name, value):
        h = self._h()
        data, n = _bytes_arg(value)
        check(lib.tspar_tables_set_field(h.ptr, name.encode(), data, n))

    def column_info(self, name):
        """(TSPAR_DTYPE_* code, number of elements) of a column."""
        h = self._h()
        dtype, length = ffi.new("int *"), ffi.new("tspar_size_t *")
        check(lib.tspar_tables_column_info(h.ptr, name.encode(), dtype, length))
        return dtype[0], length[0]

    def column(self, name, dtype=None):
        """A copy of a column ("nodes/time", "sites/ancestral_state_offset",
        ...) as a numpy array of its own type, or of ``dtype`` (a
        TSPAR_DTYPE_* code) when given."""
        code, n = self.column_info(name)
        code = code if dtype is None else dtype
        out = np.empty(n, dtype=DTYPES[code])
        h = self._h()
        got = check(lib.tspar_tables_get_column(h.ptr, name.encode(), code, out_ptr(out) if n else ffi.NULL, n))
        if got != n:
            raise LibraryError(C.TSPAR_ERR_INTERNAL, None, f"{name}: {n} elements announced, {got} copied")
        return out

    # ---- rows

    def add_individual(self, flags=0, location=(), parents=(), metadata=b""):
        loc = as_array(location, np.float64, "location")
        par = as_array(parents, np.int32, "parents")
        md, md_n = _bytes_arg(metadata)
        h = self._h()
        return check(lib.tspar_tables_add_individual(h.ptr, flags, ptr(loc), loc.size, ptr(par), par.size, md, md_n))

    def add_node(self, flags=0, time=0.0, population=-1, individual=-1, metadata=b""):
        md, md_n = _bytes_arg(metadata)
        h = self._h()
        return check(lib.tspar_tables_add_node(h.ptr, flags, time, population, individual, md, md_n))

    def add_edge(self, left, right, parent, child, metadata=b""):
        md, md_n = _bytes_arg(metadata)
        h = self._h()
        return check(lib.tspar_tables_add_edge(h.ptr, left, right, parent, child, md, md_n))

    def add_migration(self, left, right, node, source, dest, time, metadata=b""):
        md, md_n = _bytes_arg(metadata)
        h = self._h()
        return check(lib.tspar_tables_add_migration(h.ptr, left, right, node, source, dest, time, md, md_n))

    def add_site(self, position, ancestral_state, metadata=b""):
        a, a_n = _bytes_arg(ancestral_state)
        md, md_n = _bytes_arg(metadata)
        h = self._h()
        return check(lib.tspar_tables_add_site(h.ptr, position, a, a_n, md, md_n))

    def add_mutation(self, site, node, parent=-1, time=None, derived_state=b"", metadata=b""):
        """``time`` None means unknown (tspar_unknown_time())."""
        if time is None:
            time = lib.tspar_unknown_time()
        d, d_n = _bytes_arg(derived_state)
        md, md_n = _bytes_arg(metadata)
        h = self._h()
        return check(lib.tspar_tables_add_mutation(h.ptr, site, node, parent, time, d, d_n, md, md_n))

    def add_population(self, metadata=b""):
        md, md_n = _bytes_arg(metadata)
        h = self._h()
        return check(lib.tspar_tables_add_population(h.ptr, md, md_n))

    def add_provenance(self, timestamp, record):
        t, t_n = _bytes_arg(timestamp)
        r, r_n = _bytes_arg(record)
        h = self._h()
        return check(lib.tspar_tables_add_provenance(h.ptr, t, t_n, r, r_n))

    # ---- whole columns

    def set_columns(self, table, num_rows=None, **columns):
        """Replaces ``table``'s rows with the given columns (named as in
        BULK_COLUMNS; a column left out is passed as NULL). The row count is
        taken from the columns unless given."""
        self._bulk("set", table, num_rows, columns)

    def append_columns(self, table, num_rows=None, **columns):
        """Appends rows to ``table`` (offsets relative to the data given)."""
        self._bulk("append", table, num_rows, columns)

    def _bulk(self, verb, table, num_rows, columns):
        if table not in BULK_COLUMNS:
            raise ValueError(f"no table named {table!r}")
        spec = BULK_COLUMNS[table]
        names = [name for name, _ in spec]
        unknown = set(columns) - set(names)
        if unknown:
            raise TypeError(f"{table} has no columns {sorted(unknown)}")
        keep = {}
        for name, dtype in spec:
            value = columns.get(name)
            keep[name] = None if value is None else as_array(value, dtype, f"{table}.{name}")
        if num_rows is None:
            # A fixed-width column has one entry per row, an offset column
            # one more; ragged data columns say nothing about rows.
            fixed = [n for n in names if not n.endswith("_offset") and f"{n}_offset" not in names]
            offsets = [n for n in names if n.endswith("_offset")]
            given = [keep[n].size for n in fixed if keep[n] is not None]
            given += [keep[n].size - 1 for n in offsets if keep[n] is not None]
            num_rows = max(given[0], 0) if given else 0
        # The C function reads num_rows entries of each column (and the
        # ragged data up to the last offset): check every length first, so
        # that no call reads past the end of an array.
        for name, _ in spec:
            a = keep[name]
            if a is None:
                continue
            if name.endswith("_offset"):
                if a.size != num_rows + 1:
                    raise ValueError(f"{table}.{name}: {a.size} offsets for {num_rows} rows (need rows + 1)")
                data = keep[name[: -len("_offset")]]
                need = int(a[-1]) if a.size else 0
                if data is None and need:
                    raise ValueError(f"{table}.{name} given without its data column")
                if data is not None and (data.size < need or (a.size and (np.any(np.diff(a.astype(np.int64)) < 0)))):
                    raise ValueError(f"{table}.{name}: offsets beyond the {data.size} elements of the data column "
                                     "or not increasing")
            elif f"{name}_offset" in names:
                if a.size and keep[f"{name}_offset"] is None:
                    raise ValueError(f"{table}.{name} given without {name}_offset")
            elif a.size != num_rows:
                raise ValueError(f"{table}.{name}: {a.size} values for {num_rows} rows")
        pointers = [ptr(keep[name]) for name, _ in spec]
        h = self._h()
        check(getattr(lib, f"tspar_tables_{verb}_{table}")(h.ptr, num_rows, *pointers))

    def table_columns(self, table):
        """Every column of ``table`` (named as in BULK_COLUMNS) as numpy arrays."""
        return {name: self.column(f"{table}/{name}") for name, _ in BULK_COLUMNS[table]}

    # ---- sort, integrity, simplify

    def sort(self, edge_start=0, options=0, exec=None):
        h = self._h()
        check(lib.tspar_tables_sort(h.ptr, edge_start, options, exec_handle(exec)))

    def simplify(self, samples=None, options=0, node_map=None, exec=None):
        """Simplifies in place; ``samples`` None means the current samples.
        ``node_map``, when given, is an int32 array (at least the length of
        the node table before simplification), filled with the map."""
        s = None if samples is None else as_array(samples, np.int32, "samples")
        nm = ffi.NULL if node_map is None else out_ptr(node_map)
        if node_map is not None and node_map.dtype != np.int32:
            raise TypeError("node_map must be int32")
        h = self._h()
        check(lib.tspar_tables_simplify(
            h.ptr, ptr(s), 0 if s is None else s.size, options, exec_handle(exec),
            nm, 0 if node_map is None else node_map.size,
        ))

    def check_integrity(self, options=0):
        """The number of trees with TSPAR_CHECK_TREES, else 0."""
        h = self._h()
        return int(check(lib.tspar_tables_check_integrity(h.ptr, options)))

    def build_index(self, options=0, exec=None):
        h = self._h()
        check(lib.tspar_tables_build_index(h.ptr, options, exec_handle(exec)))

    def compute_mutation_parents(self, options=0):
        h = self._h()
        check(lib.tspar_tables_compute_mutation_parents(h.ptr, options))

    def deduplicate_sites(self, options=0):
        h = self._h()
        check(lib.tspar_tables_deduplicate_sites(h.ptr, options))

    def record_num_rows(self):
        """The row counts as a dict {table name: rows} (a tspar_bookmark_t)."""
        b = ffi.new("tspar_bookmark_t *")
        h = self._h()
        check(lib.tspar_tables_record_num_rows(h.ptr, b))
        return {name: getattr(b, name) for name in BOOKMARK_FIELDS}

    def truncate(self, bookmark):
        """Truncates every table to the row counts of ``bookmark`` (a dict as
        from record_num_rows; a table left out keeps its rows)."""
        b = ffi.new("tspar_bookmark_t *")
        current = self.record_num_rows()
        unknown = set(bookmark) - set(BOOKMARK_FIELDS)
        if unknown:
            raise ValueError(f"bookmark has unknown tables {sorted(unknown)}")
        for name in BOOKMARK_FIELDS:
            value = int(bookmark.get(name, current[name]))
            if value < 0:
                raise ValueError(f"bookmark: {name} must be >= 0")
            setattr(b, name, value)
        h = self._h()
        check(lib.tspar_tables_truncate(h.ptr, b))


# ------------------------------------------------------------ statistics

ONE_WAY = ["diversity", "segregating_sites", "Y1", "Tajimas_D"]
K_WAY = {
    "divergence": 2,
    "Fst": 2,
    "Y2": 2,
    "f2": 2,
    "genetic_relatedness": 2,
    "Y3": 3,
    "f3": 3,
    "f4": 4,
}
_MODES = {"site": C.TSPAR_STAT_SITE, "branch": C.TSPAR_STAT_BRANCH, "node": C.TSPAR_STAT_NODE}


def stat_options(mode="site", span_normalise=True, polarised=False, extra=0):
    """Option bits for a statistic."""
    if mode not in _MODES:
        raise ValueError(f"mode must be one of {sorted(_MODES)}, not {mode!r}")
    opts = _MODES[mode] | extra
    if span_normalise:
        opts |= C.TSPAR_STAT_SPAN_NORMALISE
    if polarised:
        opts |= C.TSPAR_STAT_POLARISED
    return opts


def flatten_sample_sets(sample_sets):
    """(sizes uint64, ids int32) of a list of sample sets."""
    arrays = [as_array(s, np.int32, "sample_sets") for s in sample_sets]
    sizes = np.array([a.size for a in arrays], dtype=np.uint64)
    ids = np.concatenate(arrays) if arrays else np.zeros(0, np.int32)
    return sizes, np.ascontiguousarray(ids, dtype=np.int32)


# ------------------------------------------------------------ tree sequences


class TreeSequence(_Owned):
    """An owned ``tspar_treeseq_t``."""

    _kind = "tree sequence"

    def __init__(self, ptr):
        self._handle_obj = _Handle(ptr, lib.tspar_treeseq_free)

    @classmethod
    def load(cls, path, options=0, exec=None):
        out = ffi.new("tspar_treeseq_t **")
        check(lib.tspar_treeseq_load(_path(path), options, exec_handle(exec), out))
        return cls(out[0])

    @classmethod
    def from_tables(cls, tables, options=0, exec=None):
        out = ffi.new("tspar_treeseq_t **")
        t = tables._h()
        check(lib.tspar_treeseq_from_tables(t.ptr, options, exec_handle(exec), out))
        return cls(out[0])

    def dump(self, path, options=0):
        h = self._h()
        check(lib.tspar_treeseq_dump(h.ptr, _path(path), options))

    def copy_tables(self):
        out = ffi.new("tspar_tables_t **")
        h = self._h()
        check(lib.tspar_treeseq_copy_tables(h.ptr, out))
        return Tables(out[0])

    def _count(self, fn):
        h = self._h()
        return int(check(fn(h.ptr)))

    @property
    def num_trees(self):
        return self._count(lib.tspar_treeseq_num_trees)

    @property
    def num_samples(self):
        return self._count(lib.tspar_treeseq_num_samples)

    @property
    def num_nodes(self):
        return self._count(lib.tspar_treeseq_num_nodes)

    @property
    def num_edges(self):
        return self._count(lib.tspar_treeseq_num_edges)

    @property
    def num_sites(self):
        return self._count(lib.tspar_treeseq_num_sites)

    @property
    def num_mutations(self):
        return self._count(lib.tspar_treeseq_num_mutations)

    def num_rows(self, table):
        h = self._h()
        return int(check(lib.tspar_treeseq_num_rows(h.ptr, _table_id(table))))

    @property
    def sequence_length(self):
        h = self._h()
        return check(lib.tspar_treeseq_sequence_length(h.ptr))

    def samples(self):
        """Zero-copy view of the sample ids (keeps the data alive)."""
        h = self._h()
        n = self.num_samples
        p = lib.tspar_treeseq_samples(h.ptr)
        if p == ffi.NULL:
            raise error_from_code(C.TSPAR_ERR_INTERNAL)
        return view(h, p, n, np.int32)

    def breakpoints(self):
        """Zero-copy view of the num_trees + 1 tree boundaries."""
        h = self._h()
        n = self.num_trees + 1
        p = lib.tspar_treeseq_breakpoints(h.ptr)
        if p == ffi.NULL:
            raise error_from_code(C.TSPAR_ERR_INTERNAL)
        return view(h, p, n, np.float64)

    def column_pointer(self, name):
        """(dtype code, address, length) of a column, without copying."""
        h = self._h()
        dtype, data, length = ffi.new("int *"), ffi.new("void **"), ffi.new("tspar_size_t *")
        check(lib.tspar_treeseq_column(h.ptr, name.encode(), dtype, data, length))
        return dtype[0], int(ffi.cast("uintptr_t", data[0])), length[0]

    def column(self, name):
        """Zero-copy read-only view of a column (keeps the data alive)."""
        h = self._h()
        dtype, data, length = ffi.new("int *"), ffi.new("void **"), ffi.new("tspar_size_t *")
        check(lib.tspar_treeseq_column(h.ptr, name.encode(), dtype, data, length))
        return view(h, data[0], length[0], DTYPES[dtype[0]])

    def tree(self, options=0):
        return Tree(self, options)

    # ---- statistics, with every dimension kept: [window][index] for site
    # and branch mode, [window][node][index] for node mode.

    def _windows(self, windows):
        if windows is None:
            return 1, None
        w = as_array(windows, np.float64, "windows")
        return len(w) - 1, w

    def _run(self, fname, args, row, windows, mode, options, exec, result_length=None):
        nw, w = self._windows(windows)
        nodes = self.num_nodes if mode == "node" else 1
        n = max(nw, 0) * row * nodes
        out = np.zeros(max(n, 1), dtype=np.float64)
        length = n if result_length is None else result_length
        h = self._h()
        rc = getattr(lib, f"tspar_treeseq_{fname}")(
            h.ptr, *args, nw if w is not None else 0, ptr(w), options, exec_handle(exec), out_ptr(out), length,
        )
        if rc < 0:
            if rc == C.TSPAR_ERR_CANCELLED and exec is not None and exec.exception is not None:
                e, exec.exception = exec.exception, None
                raise e
            raise error_from_code(rc)
        shape = (nw, nodes, row) if mode == "node" else (nw, row)
        return out[:n].reshape(shape)

    def one_way(self, name, sample_sets, windows=None, mode="site", span_normalise=True, polarised=False,
                exec=None, extra=0, result_length=None):
        if name not in ONE_WAY:
            raise ValueError(f"not a one-way statistic: {name}")
        sizes, ids = flatten_sample_sets(sample_sets)
        opts = stat_options(mode, span_normalise, polarised, extra)
        args = [len(sizes), ptr(sizes), ptr(ids)]
        return self._run(name, args, len(sizes), windows, mode, opts, exec, result_length)

    def k_way(self, name, sample_sets, indexes, windows=None, mode="site", span_normalise=True,
              polarised=False, exec=None, extra=0, result_length=None):
        if name not in K_WAY:
            raise ValueError(f"not a k-way statistic: {name}")
        sizes, ids = flatten_sample_sets(sample_sets)
        idx = np.ascontiguousarray(as_array(indexes, np.int32, "indexes").reshape(-1, K_WAY[name]))
        opts = stat_options(mode, span_normalise, polarised, extra)
        args = [len(sizes), ptr(sizes), ptr(ids), len(idx), ptr(idx.reshape(-1))]
        return self._run(name, args, len(idx), windows, mode, opts, exec, result_length)

    def weighted(self, name, W, windows=None, mode="site", span_normalise=True, polarised=False, exec=None):
        W = np.ascontiguousarray(W, dtype=np.float64)
        if W.ndim != 2:
            raise ValueError("W must be a 2-d array")
        opts = stat_options(mode, span_normalise, polarised)
        args = [W.shape[1], ptr(W.reshape(-1))]
        return self._run(name, args, W.shape[1], windows, mode, opts, exec)

    def genetic_relatedness_weighted(self, W, indexes, windows=None, mode="site", span_normalise=True,
                                     polarised=False, centre=True, exec=None):
        W = np.ascontiguousarray(W, dtype=np.float64)
        if W.ndim != 2:
            raise ValueError("W must be a 2-d array")
        idx = np.ascontiguousarray(as_array(indexes, np.int32, "indexes").reshape(-1, 2))
        opts = stat_options(mode, span_normalise, polarised, 0 if centre else C.TSPAR_STAT_NONCENTRED)
        args = [W.shape[1], ptr(W.reshape(-1)), len(idx), ptr(idx.reshape(-1))]
        return self._run("genetic_relatedness_weighted", args, len(idx), windows, mode, opts, exec)

    def genetic_relatedness_vector(self, W, windows=None, mode="site", span_normalise=True, centre=True,
                                   nodes=None, exec=None):
        """``[window][node][column]``: the relatedness matrix times ``W``."""
        W = np.ascontiguousarray(W, dtype=np.float64)
        if W.ndim != 2:
            raise ValueError("W must be a 2-d array")
        opts = stat_options(mode, span_normalise, False, 0 if centre else C.TSPAR_STAT_NONCENTRED)
        if nodes is None:
            num_nodes, nodes_ptr = self.num_samples, ffi.NULL
        else:
            nodes = np.ascontiguousarray(as_array(nodes, np.int32, "nodes"))
            num_nodes, nodes_ptr = len(nodes), ptr(nodes)
        args = [W.shape[1], ptr(W.reshape(-1))]
        nw, w = self._windows(windows)
        n = max(nw, 0) * num_nodes * W.shape[1]
        out = np.zeros(max(n, 1), dtype=np.float64)
        rc = lib.tspar_treeseq_genetic_relatedness_vector(
            self._h().ptr, *args, nw if w is not None else 0, ptr(w), num_nodes, nodes_ptr, opts,
            exec_handle(exec), out_ptr(out), n)
        if rc < 0:
            if rc == C.TSPAR_ERR_CANCELLED and exec is not None and exec.exception is not None:
                e, exec.exception = exec.exception, None
                raise e
            raise error_from_code(rc)
        return out[:n].reshape(nw, num_nodes, W.shape[1])

    def pca(self, num_components, windows=None, samples=None, individuals=None, mode="branch", centre=True,
            num_iterations=5, num_oversamples=10, random_seed=0, range_sketch=None, exec=None):
        """(factors, eigenvalues, range_sketch, error_bound), each with a
        leading windows dimension; ``range_sketch`` is ``[window][dim][nv]``."""
        opts = stat_options(mode, False, False, 0 if centre else C.TSPAR_STAT_NONCENTRED)
        nw, w = self._windows(windows)
        keep = []
        if samples is not None:
            samples = np.ascontiguousarray(as_array(samples, np.int32, "samples"))
            keep.append(samples)
            dim, sp, ip, ns, ni = len(samples), ptr(samples), ffi.NULL, len(samples), 0
        elif individuals is not None:
            individuals = np.ascontiguousarray(as_array(individuals, np.int32, "individuals"))
            keep.append(individuals)
            dim, sp, ip, ns, ni = len(individuals), ffi.NULL, ptr(individuals), 0, len(individuals)
        else:
            dim, sp, ip, ns, ni = self.num_samples, ffi.NULL, ffi.NULL, 0, 0
        nv = num_components + num_oversamples
        if range_sketch is not None:
            range_sketch = np.ascontiguousarray(range_sketch, dtype=np.float64).reshape(-1)
            if range_sketch.size != nw * dim * nv:
                raise ValueError(f"range_sketch must have {nw} x {dim} x {nv} values")
        factors = np.zeros(max(nw * dim * num_components, 1))
        eig = np.zeros(max(nw * num_components, 1))
        sketch = np.zeros(max(nw * dim * nv, 1))
        bound = np.zeros(max(nw, 1))
        rc = lib.tspar_treeseq_pca(
            self._h().ptr, num_components, nw if w is not None else 0, ptr(w), ns, sp, ni, ip, opts,
            num_iterations, num_oversamples, random_seed, ffi.NULL if range_sketch is None else ptr(range_sketch),
            exec_handle(exec), out_ptr(factors), factors.size, out_ptr(eig), eig.size, out_ptr(sketch),
            sketch.size, out_ptr(bound), bound.size)
        if rc < 0:
            if rc == C.TSPAR_ERR_CANCELLED and exec is not None and exec.exception is not None:
                e, exec.exception = exec.exception, None
                raise e
            raise error_from_code(rc)
        return (factors[:nw * dim * num_components].reshape(nw, dim, num_components),
                eig[:nw * num_components].reshape(nw, num_components),
                sketch[:nw * dim * nv].reshape(nw, dim, nv), bound[:nw])

    def allele_frequency_spectrum(self, sample_sets, windows=None, mode="site", span_normalise=True,
                                  polarised=False, exec=None):
        sizes, ids = flatten_sample_sets(sample_sets)
        dims = [int(s) + 1 for s in sizes]
        opts = stat_options(mode, span_normalise, polarised)
        args = [len(sizes), ptr(sizes), ptr(ids)]
        out = self._run("allele_frequency_spectrum", args, int(np.prod(dims)), windows, "site", opts, exec)
        return out.reshape([out.shape[0]] + dims)

    def matrix(self, name, sample_sets, windows=None, mode="site", span_normalise=True, exec=None, extra=0):
        sizes, ids = flatten_sample_sets(sample_sets)
        k = len(sizes)
        opts = stat_options(mode, span_normalise, False, extra)
        args = [k, ptr(sizes), ptr(ids)]
        out = self._run(name, args, k * k, windows, "site", opts, exec)
        return out.reshape(out.shape[0], k, k)

    def general_stat(self, W, f, output_dim, windows=None, mode="site", span_normalise=True, polarised=False,
                     exec=None):
        """``f(x) -> array`` of length output_dim, called through the C
        callback (from the library's worker threads when exec allows more
        than one). An exception in ``f`` stops the call and is raised."""
        W = np.ascontiguousarray(W, dtype=np.float64)
        if W.ndim != 2:
            raise ValueError("W must be a 2-d array")
        errors = []

        def cb(state_dim, state, result_dim, result, _params):
            x = np.frombuffer(ffi.buffer(state, state_dim * 8), dtype=np.float64)
            y = np.asarray(f(x), dtype=np.float64).reshape(-1)
            if y.size != result_dim:
                raise ValueError(f"summary function returned {y.size} values, expected {result_dim}")
            ffi.buffer(result, result_dim * 8)[:] = y.tobytes()
            return 0

        def onerror(exc_type, exc_value, tb):
            errors.append(exc_value if exc_value is not None else exc_type())
            return 1

        cfunc = ffi.callback("tspar_general_stat_func_t", cb, error=1, onerror=onerror)
        opts = stat_options(mode, span_normalise, polarised)
        args = [W.shape[1], ptr(W.reshape(-1)), output_dim, cfunc, ffi.NULL]
        try:
            return self._run("general_stat", args, output_dim, windows, mode, opts, exec)
        except LibraryError as e:
            if errors and e.code == C.TSPAR_ERR_SUMMARY_FUNC:
                raise errors[0] from e
            raise

    def ld_matrix(self, sample_sets, stat, indexes=None, row_sites=None, col_sites=None, row_positions=None,
                  col_positions=None, mode="site", exec=None):
        """tspar_treeseq_ld_matrix: ``[index][row][col]`` as a 3-d array.
        ``stat`` is a ``TSPAR_LD_*`` code; None for a list means the
        library's default (every site, or every tree's left end)."""
        sizes, ids = flatten_sample_sets(sample_sets)
        if indexes is None:
            idx = np.zeros(0, np.int32)
            nres = len(sizes)
        else:
            idx = np.ascontiguousarray(as_array(indexes, np.int32, "indexes").reshape(-1, 2))
            nres = len(idx)
        opts = stat_options(mode, False, False)
        default = self.num_sites if mode == "site" else self.num_trees

        def side(values, dtype):
            if values is None:
                return None, default
            a = as_array(values, dtype, "sites" if dtype == np.int32 else "positions")
            # A non-NULL pointer even for an empty list (NULL means the default).
            return (a if a.size else np.zeros(1, dtype)), a.size

        rs, nr = side(row_sites, np.int32)
        cs, nc = side(col_sites, np.int32)
        rp, nr2 = side(row_positions, np.float64)
        cp, nc2 = side(col_positions, np.float64)
        nr = nr if row_sites is not None else nr2
        nc = nc if col_sites is not None else nc2
        n = nres * nr * nc
        out = np.zeros(max(n, 1), dtype=np.float64)
        h = self._h()
        rc = lib.tspar_treeseq_ld_matrix(
            h.ptr, len(sizes), ptr(sizes), ptr(ids), len(idx), ptr(idx.reshape(-1)), int(stat), nr, ptr(rs),
            ptr(rp), nc, ptr(cs), ptr(cp), opts, exec_handle(exec), out_ptr(out), n,
        )
        if rc < 0:
            if rc == C.TSPAR_ERR_CANCELLED and exec is not None and exec.exception is not None:
                e, exec.exception = exec.exception, None
                raise e
            raise error_from_code(rc)
        return out[:n].reshape(nres, nr, nc)

    def pair_coalescence_counts(self, sample_sets, indexes, windows=None, node_bin_map=None, num_bins=0,
                                span_normalise=True, pair_normalise=False, exec=None):
        """tspar_treeseq_pair_coalescence_counts: ``[window][index][bin]``
        (bins: the nodes when ``node_bin_map`` is None)."""
        sizes, ids = flatten_sample_sets(sample_sets)
        idx = np.ascontiguousarray(as_array(indexes, np.int32, "indexes").reshape(-1, 2))
        opts = C.TSPAR_STAT_SPAN_NORMALISE if span_normalise else 0
        if pair_normalise:
            opts |= C.TSPAR_STAT_PAIR_NORMALISE
        nw, w = self._windows(windows)
        if node_bin_map is None:
            nb = self.num_nodes
            m = None
        else:
            m = as_array(node_bin_map, np.int32, "node_bin_map")
            nb = int(num_bins)
        n = nw * len(idx) * nb
        out = np.zeros(max(n, 1), dtype=np.float64)
        h = self._h()
        rc = lib.tspar_treeseq_pair_coalescence_counts(
            h.ptr, len(sizes), ptr(sizes), ptr(ids), len(idx), ptr(idx.reshape(-1)), nw if w is not None else 0,
            ptr(w), nb, ptr(m), opts, exec_handle(exec), out_ptr(out), n,
        )
        if rc < 0:
            if rc == C.TSPAR_ERR_CANCELLED and exec is not None and exec.exception is not None:
                e, exec.exception = exec.exception, None
                raise e
            raise error_from_code(rc)
        return out[:n].reshape(nw, len(idx), nb)

    def _pair_call(self, fname, sample_sets, indexes, windows, extra, width, exec):
        sizes, ids = flatten_sample_sets(sample_sets)
        idx = np.ascontiguousarray(as_array(indexes, np.int32, "indexes").reshape(-1, 2))
        nw, w = self._windows(windows)
        n = nw * len(idx) * width
        out = np.zeros(max(n, 1), dtype=np.float64)
        h = self._h()
        rc = getattr(lib, f"tspar_treeseq_{fname}")(
            h.ptr, len(sizes), ptr(sizes), ptr(ids), len(idx), ptr(idx.reshape(-1)), nw if w is not None else 0,
            ptr(w), *extra, 0, exec_handle(exec), out_ptr(out), n,
        )
        if rc < 0:
            if rc == C.TSPAR_ERR_CANCELLED and exec is not None and exec.exception is not None:
                e, exec.exception = exec.exception, None
                raise e
            raise error_from_code(rc)
        return out[:n].reshape(nw, len(idx), width)

    def pair_coalescence_quantiles(self, sample_sets, indexes, node_bin_map, num_bins, quantiles, windows=None,
                                   exec=None):
        """tspar_treeseq_pair_coalescence_quantiles: ``[window][index][quantile]``."""
        m = as_array(node_bin_map, np.int32, "node_bin_map")
        q = as_array(quantiles, np.float64, "quantiles")
        return self._pair_call("pair_coalescence_quantiles", sample_sets, indexes, windows,
                               [int(num_bins), ptr(m), len(q), ptr(q)], len(q), exec)

    def pair_coalescence_rates(self, sample_sets, indexes, node_bin_map, time_windows, windows=None, exec=None):
        """tspar_treeseq_pair_coalescence_rates: ``[window][index][time window]``."""
        m = as_array(node_bin_map, np.int32, "node_bin_map")
        tw = as_array(time_windows, np.float64, "time_windows")
        return self._pair_call("pair_coalescence_rates", sample_sets, indexes, windows,
                               [len(tw) - 1, ptr(m), ptr(tw)], len(tw) - 1, exec)


# ------------------------------------------------------------ tree cursors


class Tree(_Owned):
    """An owned ``tspar_tree_t`` cursor. A cursor belongs to one thread at
    a time (another thread's call gets BusyError); this object also
    serialises the Python-side reads of its arrays with its moves."""

    _kind = "tree"

    def __init__(self, ts, options=0):
        self.ts = ts
        out = ffi.new("tspar_tree_t **")
        t = ts._h()
        check(lib.tspar_tree_new(t.ptr, options, out))
        self._handle_obj = _Handle(out[0], lib.tspar_tree_free)
        self._ids = np.empty(ts.num_nodes + 1, dtype=np.int32)
        self.lock = threading.RLock()

    def _move(self, fn, *args):
        with self.lock:
            h = self._h()
            return bool(check(fn(h.ptr, *args)))

    def first(self):
        return self._move(lib.tspar_tree_first)

    def last(self):
        return self._move(lib.tspar_tree_last)

    def next(self):
        return self._move(lib.tspar_tree_next)

    def prev(self):
        return self._move(lib.tspar_tree_prev)

    def seek(self, position, options=0):
        return self._move(lib.tspar_tree_seek, float(position), options)

    def seek_index(self, index, options=0):
        if index < 0:
            raise ValueError("index must be >= 0")
        return self._move(lib.tspar_tree_seek_index, int(index), options)

    def interval(self):
        """(index, left, right); index -1 in the null state."""
        index, left, right = ffi.new("int64_t *"), ffi.new("double *"), ffi.new("double *")
        with self.lock:
            h = self._h()
            check(lib.tspar_tree_get_interval(h.ptr, index, left, right))
        return index[0], left[0], right[0]

    @property
    def index(self):
        return self.interval()[0]

    def array_views(self):
        """{name: read-only view} of the cursor's arrays, plus "virtual_root":
        the views follow the cursor's moves (and keep the cursor alive)."""
        a = ffi.new("tspar_tree_arrays_t *")
        with self.lock:
            h = self._h()
            check(lib.tspar_tree_get_arrays(h.ptr, a))
        out = {name: view(h, getattr(a, name), a.length, np.int32) for name in TREE_ARRAY_NAMES}
        out["virtual_root"] = a.virtual_root
        return out

    def arrays(self):
        """{name: copy of the array} for TREE_ARRAY_NAMES, plus "virtual_root"."""
        with self.lock:
            v = self.array_views()
            return {k: (x.copy() if isinstance(x, np.ndarray) else x) for k, x in v.items()}

    def _ids_call(self, fn, *args):
        with self.lock:
            h = self._h()
            n = check(fn(h.ptr, *args, out_ptr(self._ids), self._ids.size))
            return self._ids[:n].copy()

    def roots(self):
        return self._ids_call(lib.tspar_tree_get_roots)

    def preorder(self, node):
        return self._ids_call(lib.tspar_tree_preorder, node)

    def postorder(self, node):
        return self._ids_call(lib.tspar_tree_postorder, node)

    def mrca(self, u, v):
        out = ffi.new("tspar_id_t *")
        with self.lock:
            h = self._h()
            check(lib.tspar_tree_get_mrca(h.ptr, u, v, out))
        return out[0]

    def branch_length(self, u):
        out = ffi.new("double *")
        with self.lock:
            h = self._h()
            check(lib.tspar_tree_get_branch_length(h.ptr, u, out))
        return out[0]

    def total_branch_length(self, u):
        out = ffi.new("double *")
        with self.lock:
            h = self._h()
            check(lib.tspar_tree_get_total_branch_length(h.ptr, u, out))
        return out[0]

    def sites(self):
        """((site start, stop), (mutation start, stop)) of the current tree."""
        v = [ffi.new("tspar_id_t *") for _ in range(4)]
        with self.lock:
            h = self._h()
            check(lib.tspar_tree_get_sites(h.ptr, *v))
        return (v[0][0], v[1][0]), (v[2][0], v[3][0])
