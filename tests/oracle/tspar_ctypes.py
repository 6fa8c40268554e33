"""ctypes bindings to tspar's C API, for the oracle tests against tskit.

What is here
  * ``library()``: the built shared library, loaded once, with the
    argument and result types of every function in ``PROTOTYPES``
    declared. Its path is ``$TSPAR_LIB``, else
    ``<repo>/target/release/libtspar.so`` (conftest.py builds it with
    ``cargo build --release`` when it is missing).
  * ``C``: every ``#define TSPAR_...`` constant of ``include/tspar.h``,
    parsed from the header so that tests name error codes and flags exactly
    as C callers do (``C.TSPAR_ERR_BAD_MAGIC``); ``error_name(code)`` is the
    reverse lookup for error codes.
  * ``TsparError(code, name, message)``: raised by every checked call that
    returns a negative code; ``message`` is ``tspar_last_error_message()``
    read on the same thread straight after the call.
  * ``Tables``: an owned ``tspar_tables_t *`` with a method per C function,
    freed by ``free()``, by leaving a ``with`` block, or by the garbage
    collector, whichever comes first.

How later suites extend it
  * Declare more functions with ``declare(name, restype, argtypes, check)``
    (or add them to ``PROTOTYPES``); ``library().name(...)`` then calls the
    function and raises ``TsparError`` on a negative result when ``check``
    is true. ``library().raw`` is the unchecked ``ctypes.CDLL``.
  * Wrap a new handle type the way ``Tables`` is wrapped: a class holding the
    pointer, a ``weakref.finalize`` calling its ``_free`` function, and
    methods that call ``library().<function>``.
  * Arrays go in and out as numpy arrays: ``as_pointer(array, dtype)`` gives
    a pointer for an input (None for NULL), ``DTYPES`` maps the C API's
    ``TSPAR_DTYPE_*`` codes to numpy dtypes.
"""

import ctypes
import os
import re
import threading
import weakref
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
HEADER = REPO / "include" / "tspar.h"


def library_path():
    """``$TSPAR_LIB`` if set, else the release build in the repository."""
    env = os.environ.get("TSPAR_LIB")
    return Path(env) if env else REPO / "target" / "release" / "libtspar.so"


# ------------------------------------------------------------ constants


def soname():
    """The shared library's SONAME, by the rule build.rs applies to the
    version in Cargo.toml: libtspar.so.<major>.<minor> while the major
    version is 0, else libtspar.so.<major>."""
    text = (REPO / "Cargo.toml").read_text()
    major, minor = re.search(r'^version = "(\d+)\.(\d+)\.', text, re.M).groups()
    return f"libtspar.so.{major}.{minor}" if major == "0" else f"libtspar.so.{major}"


def parse_header_constants(path=HEADER):
    """Every ``#define TSPAR_NAME value`` of the header whose value is an
    integer expression (digits, parentheses, ``<<``, ``|``, unary minus),
    as ``{name: int}``."""
    constants = {}
    pattern = re.compile(r"^#define\s+(TSPAR_\w+)\s+(.+?)\s*$")
    allowed = re.compile(r"[-0-9xXa-fA-F()<|\s]+")
    for line in Path(path).read_text().splitlines():
        m = pattern.match(line)
        if m and allowed.fullmatch(m.group(2)):
            constants[m.group(1)] = int(eval(m.group(2), {"__builtins__": {}}, {}))
    return constants


class _Constants:
    """Attribute access to the header's constants: ``C.TSPAR_ERR_IO``. A
    name the header lacks is an AttributeError, so a test that names a
    constant also checks that the header defines it."""

    def __init__(self, values):
        self.__dict__.update(values)

    def __getitem__(self, name):
        return self.__dict__[name]

    def items(self):
        return self.__dict__.items()


C = _Constants(parse_header_constants())
_ERROR_NAMES = {v: k for k, v in C.items() if k.startswith("TSPAR_ERR_")}


def error_name(code):
    """The header's name of an error code, or ``"<unknown code N>"``."""
    return _ERROR_NAMES.get(code, f"<unknown code {code}>")


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


class TsparError(Exception):
    """A tspar call returned a negative code."""

    def __init__(self, code, name, message):
        super().__init__(f"{name} ({code}): {message}")
        self.code = code
        self.name = name
        self.message = message


# ------------------------------------------------------------ prototypes

c_int, c_double, c_char_p, c_void_p = ctypes.c_int, ctypes.c_double, ctypes.c_char_p, ctypes.c_void_p
c_id = ctypes.c_int32  # tspar_id_t
c_size = ctypes.c_uint64  # tspar_size_t
c_flags = ctypes.c_uint32  # tspar_flags_t
P = ctypes.POINTER
handle_p = c_void_p  # any opaque tspar handle

# name: (restype, argtypes, check). With check, a negative result raises
# TsparError. Array arguments are c_void_p: pass as_pointer(array).
PROTOTYPES = {
    "tspar_version": (c_char_p, [], False),
    "tspar_strerror": (c_char_p, [c_int], False),
    "tspar_last_error_message": (c_char_p, [], False),
    "tspar_unknown_time": (c_double, [], False),
    "tspar_is_unknown_time": (c_int, [c_double], False),
    "tspar_tables_new": (c_int, [c_double, P(handle_p)], True),
    "tspar_tables_load": (c_int, [c_char_p, c_flags, handle_p, P(handle_p)], True),
    "tspar_tables_dump": (c_int, [handle_p, c_char_p, c_flags], True),
    "tspar_tables_copy": (c_int, [handle_p, P(handle_p)], True),
    "tspar_tables_equals": (c_int, [handle_p, handle_p, c_flags], True),
    "tspar_tables_clear": (c_int, [handle_p, c_flags], True),
    "tspar_tables_free": (None, [handle_p], False),
    "tspar_tables_num_rows": (ctypes.c_int64, [handle_p, c_int], True),
    "tspar_tables_get_sequence_length": (c_double, [handle_p], True),
    "tspar_tables_set_sequence_length": (c_int, [handle_p, c_double], True),
    "tspar_tables_get_field": (c_int, [handle_p, c_char_p, c_void_p, c_size, P(c_size)], True),
    "tspar_tables_set_field": (c_int, [handle_p, c_char_p, c_char_p, c_size], True),
    "tspar_tables_column_info": (c_int, [handle_p, c_char_p, P(c_int), P(c_size)], True),
    "tspar_tables_get_column": (ctypes.c_int64, [handle_p, c_char_p, c_int, c_void_p, c_size], True),
    "tspar_tables_has_index": (c_int, [handle_p], True),
    "tspar_tables_drop_index": (c_int, [handle_p], True),
    "tspar_tables_add_individual": (
        c_id,
        [handle_p, c_flags, c_void_p, c_size, c_void_p, c_size, c_char_p, c_size],
        True,
    ),
    "tspar_tables_add_node": (c_id, [handle_p, c_flags, c_double, c_id, c_id, c_char_p, c_size], True),
    "tspar_tables_add_edge": (c_id, [handle_p, c_double, c_double, c_id, c_id, c_char_p, c_size], True),
    "tspar_tables_add_migration": (
        c_id,
        [handle_p, c_double, c_double, c_id, c_id, c_id, c_double, c_char_p, c_size],
        True,
    ),
    "tspar_tables_add_site": (c_id, [handle_p, c_double, c_char_p, c_size, c_char_p, c_size], True),
    "tspar_tables_add_mutation": (
        c_id,
        [handle_p, c_id, c_id, c_id, c_double, c_char_p, c_size, c_char_p, c_size],
        True,
    ),
    "tspar_tables_add_population": (c_id, [handle_p, c_char_p, c_size], True),
    "tspar_tables_add_provenance": (c_id, [handle_p, c_char_p, c_size, c_char_p, c_size], True),
}

# Whole-column functions, tspar_tables_{set,append}_<table>(tables,
# num_rows, columns...): the columns in argument order with their dtypes.
# A ragged column is two arguments, `<name>` and `<name>_offset`.
BULK_COLUMNS = {
    "individuals": [
        ("flags", np.uint32),
        ("location", np.float64),
        ("location_offset", np.uint64),
        ("parents", np.int32),
        ("parents_offset", np.uint64),
        ("metadata", np.int8),
        ("metadata_offset", np.uint64),
    ],
    "nodes": [
        ("flags", np.uint32),
        ("time", np.float64),
        ("population", np.int32),
        ("individual", np.int32),
        ("metadata", np.int8),
        ("metadata_offset", np.uint64),
    ],
    "edges": [
        ("left", np.float64),
        ("right", np.float64),
        ("parent", np.int32),
        ("child", np.int32),
        ("metadata", np.int8),
        ("metadata_offset", np.uint64),
    ],
    "migrations": [
        ("left", np.float64),
        ("right", np.float64),
        ("node", np.int32),
        ("source", np.int32),
        ("dest", np.int32),
        ("time", np.float64),
        ("metadata", np.int8),
        ("metadata_offset", np.uint64),
    ],
    "sites": [
        ("position", np.float64),
        ("ancestral_state", np.int8),
        ("ancestral_state_offset", np.uint64),
        ("metadata", np.int8),
        ("metadata_offset", np.uint64),
    ],
    "mutations": [
        ("site", np.int32),
        ("node", np.int32),
        ("parent", np.int32),
        ("time", np.float64),
        ("derived_state", np.int8),
        ("derived_state_offset", np.uint64),
        ("metadata", np.int8),
        ("metadata_offset", np.uint64),
    ],
    "populations": [("metadata", np.int8), ("metadata_offset", np.uint64)],
    "provenances": [
        ("timestamp", np.int8),
        ("timestamp_offset", np.uint64),
        ("record", np.int8),
        ("record_offset", np.uint64),
    ],
}
for _table, _cols in BULK_COLUMNS.items():
    for _verb in ("set", "append"):
        PROTOTYPES[f"tspar_tables_{_verb}_{_table}"] = (c_int, [handle_p, c_size] + [c_void_p] * len(_cols), True)


def exec_handle(exec):
    """The tspar_exec_t handle of an Exec, or None (NULL: the default)."""
    return None if exec is None else exec.handle


class Library:
    """The loaded library. ``lib.name(...)`` calls a declared function,
    raising TsparError on a negative result when it is a checked one."""

    def __init__(self, path):
        self.path = Path(path)
        self.raw = ctypes.CDLL(str(self.path))
        self._checked = {}
        for name, (restype, argtypes, check) in PROTOTYPES.items():
            self.declare(name, restype, argtypes, check)

    def declare(self, name, restype, argtypes, check=True):
        """Declares one more function (for suites covering more of the API)."""
        fn = getattr(self.raw, name)
        fn.restype = restype
        fn.argtypes = argtypes
        self._checked[name] = check

    def __getattr__(self, name):
        if name.startswith("_") or name not in self._checked:
            raise AttributeError(f"{name} is not a declared tspar function")
        fn = getattr(self.raw, name)
        if not self._checked[name]:
            return fn

        def call(*args):
            result = fn(*args)
            if result < 0:
                raise self.error(int(result))
            return result

        call.__name__ = name
        return call

    def error(self, code):
        """A TsparError for `code`, with this thread's last error message."""
        message = self.raw.tspar_last_error_message()
        return TsparError(code, error_name(code), message.decode("utf-8", "replace") if message else "")

    def strerror(self, code):
        return self.raw.tspar_strerror(code).decode()

    def unknown_time(self):
        return self.raw.tspar_unknown_time()


_library = None
_lock = threading.Lock()


def library():
    """The library at ``library_path()``, loaded on first use."""
    global _library
    with _lock:
        if _library is None:
            _library = Library(library_path())
        return _library


# ------------------------------------------------------------ helpers


def as_pointer(array, dtype):
    """(array, pointer) for passing `array` as a C array of `dtype`: the
    array is converted (and must be kept alive until the call returns); None
    gives a NULL pointer."""
    if array is None:
        return None, None
    if isinstance(array, (bytes, bytearray, str)):
        if isinstance(array, str):
            array = array.encode()
        array = np.frombuffer(bytes(array), dtype=np.int8)
    a = np.ascontiguousarray(array, dtype=dtype)
    return a, a.ctypes.data_as(c_void_p)


def _bytes_arg(value):
    """(char pointer argument, length) for a bytes-like or str value."""
    if value is None:
        return None, 0
    if isinstance(value, str):
        value = value.encode()
    value = bytes(value)
    return value, len(value)


def _table_id(table):
    return TABLES[table] if isinstance(table, str) else int(table)


class Tables:
    """An owned ``tspar_tables_t``. Make one with ``Tables.new``,
    ``Tables.load`` or ``copy()``."""

    def __init__(self, handle):
        self._lib = library()
        self._handle = c_void_p(handle)
        self._finalizer = weakref.finalize(self, self._lib.raw.tspar_tables_free, self._handle)

    # ---- lifetime

    @property
    def handle(self):
        if not self._finalizer.alive:
            raise ValueError("tables already freed")
        return self._handle

    def free(self):
        """Frees the handle now (later calls raise ValueError)."""
        self._finalizer()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.free()

    # ---- constructors

    @classmethod
    def new(cls, sequence_length):
        out = c_void_p()
        library().tspar_tables_new(sequence_length, ctypes.byref(out))
        return cls(out.value)

    @classmethod
    def load(cls, path, options=0, exec=None):
        out = c_void_p()
        library().tspar_tables_load(os.fsencode(path), options, exec_handle(exec), ctypes.byref(out))
        return cls(out.value)

    def copy(self):
        out = c_void_p()
        self._lib.tspar_tables_copy(self.handle, ctypes.byref(out))
        return Tables(out.value)

    # ---- whole collection

    def dump(self, path, options=0):
        self._lib.tspar_tables_dump(self.handle, os.fsencode(path), options)

    def equals(self, other, options=0):
        return bool(self._lib.tspar_tables_equals(self.handle, other.handle, options))

    def clear(self, options=0):
        self._lib.tspar_tables_clear(self.handle, options)

    def num_rows(self, table):
        return int(self._lib.tspar_tables_num_rows(self.handle, _table_id(table)))

    @property
    def sequence_length(self):
        return self._lib.tspar_tables_get_sequence_length(self.handle)

    @sequence_length.setter
    def sequence_length(self, value):
        self._lib.tspar_tables_set_sequence_length(self.handle, value)

    def has_index(self):
        return bool(self._lib.tspar_tables_has_index(self.handle))

    def drop_index(self):
        self._lib.tspar_tables_drop_index(self.handle)

    # ---- fields and columns by file key

    def get_field(self, name):
        """A collection-level byte field ("time_units", "metadata",
        "nodes/metadata_schema", "reference_sequence/data", ...) as bytes."""
        length = c_size()
        self._lib.tspar_tables_get_field(self.handle, name.encode(), None, 0, ctypes.byref(length))
        buf = ctypes.create_string_buffer(max(length.value, 1))
        self._lib.tspar_tables_get_field(self.handle, name.encode(), buf, length.value, ctypes.byref(length))
        return buf.raw[: length.value]

    def set_field(self, name, value):
        data, n = _bytes_arg(value)
        self._lib.tspar_tables_set_field(self.handle, name.encode(), data, n)

    def column_info(self, name):
        """(TSPAR_DTYPE_* code, number of elements) of a column."""
        dtype, length = c_int(), c_size()
        self._lib.tspar_tables_column_info(self.handle, name.encode(), ctypes.byref(dtype), ctypes.byref(length))
        return dtype.value, length.value

    def column(self, name, dtype=None):
        """A copy of a column ("nodes/time", "sites/ancestral_state_offset",
        "sequence_length", ...) as a numpy array of its own type, or of
        `dtype` (a TSPAR_DTYPE_* code) when given."""
        code, n = self.column_info(name)
        code = code if dtype is None else dtype
        out = np.empty(n, dtype=DTYPES[code])
        got = self._lib.tspar_tables_get_column(self.handle, name.encode(), code, out.ctypes.data_as(c_void_p), n)
        if got != n:
            raise AssertionError(f"{name}: column_info gave {n} elements, get_column copied {got}")
        return out

    # ---- rows

    def add_individual(self, flags=0, location=(), parents=(), metadata=b""):
        loc, loc_p = as_pointer(location, np.float64)
        par, par_p = as_pointer(parents, np.int32)
        md, md_n = _bytes_arg(metadata)
        return self._lib.tspar_tables_add_individual(self.handle, flags, loc_p, loc.size, par_p, par.size, md, md_n)

    def add_node(self, flags=0, time=0.0, population=-1, individual=-1, metadata=b""):
        md, md_n = _bytes_arg(metadata)
        return self._lib.tspar_tables_add_node(self.handle, flags, time, population, individual, md, md_n)

    def add_edge(self, left, right, parent, child, metadata=b""):
        md, md_n = _bytes_arg(metadata)
        return self._lib.tspar_tables_add_edge(self.handle, left, right, parent, child, md, md_n)

    def add_migration(self, left, right, node, source, dest, time, metadata=b""):
        md, md_n = _bytes_arg(metadata)
        return self._lib.tspar_tables_add_migration(self.handle, left, right, node, source, dest, time, md, md_n)

    def add_site(self, position, ancestral_state, metadata=b""):
        a, a_n = _bytes_arg(ancestral_state)
        md, md_n = _bytes_arg(metadata)
        return self._lib.tspar_tables_add_site(self.handle, position, a, a_n, md, md_n)

    def add_mutation(self, site, node, parent=-1, time=None, derived_state=b"", metadata=b""):
        """`time` None means unknown (tspar_unknown_time())."""
        if time is None:
            time = self._lib.unknown_time()
        d, d_n = _bytes_arg(derived_state)
        md, md_n = _bytes_arg(metadata)
        return self._lib.tspar_tables_add_mutation(self.handle, site, node, parent, time, d, d_n, md, md_n)

    def add_population(self, metadata=b""):
        md, md_n = _bytes_arg(metadata)
        return self._lib.tspar_tables_add_population(self.handle, md, md_n)

    def add_provenance(self, timestamp, record):
        t, t_n = _bytes_arg(timestamp)
        r, r_n = _bytes_arg(record)
        return self._lib.tspar_tables_add_provenance(self.handle, t, t_n, r, r_n)

    # ---- whole columns

    def set_columns(self, table, num_rows=None, **columns):
        """Replaces `table`'s rows with the given columns (numpy arrays named
        as in BULK_COLUMNS; a column left out is passed as NULL). The row
        count is taken from the columns unless given."""
        self._bulk("set", table, num_rows, columns)

    def append_columns(self, table, num_rows=None, **columns):
        """Appends rows to `table` (offsets relative to the data given)."""
        self._bulk("append", table, num_rows, columns)

    def _bulk(self, verb, table, num_rows, columns):
        spec = BULK_COLUMNS[table]
        names = [name for name, _ in spec]
        unknown = set(columns) - set(names)
        if unknown:
            raise TypeError(f"{table} has no columns {sorted(unknown)}")
        keep, pointers = {}, []
        for name, dtype in spec:
            keep[name], p = as_pointer(columns.get(name), dtype)
            pointers.append(p)
        if num_rows is None:
            # A fixed-width column has one entry per row, an offset column
            # one more; ragged data columns say nothing about rows.
            fixed = [n for n in names if not n.endswith("_offset") and f"{n}_offset" not in names]
            offsets = [n for n in names if n.endswith("_offset")]
            given = [keep[n].size for n in fixed if keep[n] is not None]
            given += [keep[n].size - 1 for n in offsets if keep[n] is not None]
            num_rows = max(given[0], 0) if given else 0
        getattr(self._lib, f"tspar_tables_{verb}_{table}")(self.handle, num_rows, *pointers)

    # ---- convenience

    def table_columns(self, table):
        """Every column of `table` (named as in BULK_COLUMNS) as numpy arrays."""
        return {name: self.column(f"{table}/{name}") for name, _ in BULK_COLUMNS[table]}


# ------------------------------------------------------------ sort, integrity, tree sequences, cursors

PROTOTYPES_TREES = {
    "tspar_tables_sort": (c_int, [handle_p, c_size, c_flags, handle_p], True),
    "tspar_tables_simplify": (c_int, [handle_p, c_void_p, c_size, c_flags, handle_p, c_void_p, c_size], True),
    "tspar_tables_record_num_rows": (c_int, [handle_p, c_void_p], True),
    "tspar_tables_truncate": (c_int, [handle_p, c_void_p], True),
    # Returns the number of trees (with TSPAR_CHECK_TREES) or a negative code.
    "tspar_tables_check_integrity": (c_id, [handle_p, c_flags], True),
    "tspar_tables_build_index": (c_int, [handle_p, c_flags, handle_p], True),
    "tspar_tables_compute_mutation_parents": (c_int, [handle_p, c_flags], True),
    "tspar_tables_deduplicate_sites": (c_int, [handle_p, c_flags], True),
    "tspar_treeseq_from_tables": (c_int, [handle_p, c_flags, handle_p, P(handle_p)], True),
    "tspar_treeseq_load": (c_int, [c_char_p, c_flags, handle_p, P(handle_p)], True),
    "tspar_treeseq_dump": (c_int, [handle_p, c_char_p, c_flags], True),
    "tspar_treeseq_free": (None, [handle_p], False),
    "tspar_treeseq_copy_tables": (c_int, [handle_p, P(handle_p)], True),
    "tspar_treeseq_num_trees": (ctypes.c_int64, [handle_p], True),
    "tspar_treeseq_num_samples": (ctypes.c_int64, [handle_p], True),
    "tspar_treeseq_num_nodes": (ctypes.c_int64, [handle_p], True),
    "tspar_treeseq_num_edges": (ctypes.c_int64, [handle_p], True),
    "tspar_treeseq_num_sites": (ctypes.c_int64, [handle_p], True),
    "tspar_treeseq_num_mutations": (ctypes.c_int64, [handle_p], True),
    "tspar_treeseq_num_rows": (ctypes.c_int64, [handle_p, c_int], True),
    "tspar_treeseq_sequence_length": (c_double, [handle_p], True),
    "tspar_treeseq_samples": (P(c_id), [handle_p], False),
    "tspar_treeseq_breakpoints": (P(c_double), [handle_p], False),
    "tspar_treeseq_column": (c_int, [handle_p, c_char_p, P(c_int), P(c_void_p), P(c_size)], True),
    "tspar_tree_new": (c_int, [handle_p, c_flags, P(handle_p)], True),
    "tspar_tree_free": (None, [handle_p], False),
    "tspar_tree_first": (c_int, [handle_p], True),
    "tspar_tree_last": (c_int, [handle_p], True),
    "tspar_tree_next": (c_int, [handle_p], True),
    "tspar_tree_prev": (c_int, [handle_p], True),
    "tspar_tree_seek": (c_int, [handle_p, c_double, c_flags], True),
    "tspar_tree_seek_index": (c_int, [handle_p, c_size, c_flags], True),
    "tspar_tree_get_interval": (c_int, [handle_p, P(ctypes.c_int64), P(c_double), P(c_double)], True),
    "tspar_tree_get_arrays": (c_int, [handle_p, c_void_p], True),
    "tspar_tree_get_roots": (ctypes.c_int64, [handle_p, c_void_p, c_size], True),
    "tspar_tree_preorder": (ctypes.c_int64, [handle_p, c_id, c_void_p, c_size], True),
    "tspar_tree_postorder": (ctypes.c_int64, [handle_p, c_id, c_void_p, c_size], True),
    "tspar_tree_get_mrca": (c_int, [handle_p, c_id, c_id, P(c_id)], True),
    "tspar_tree_get_branch_length": (c_int, [handle_p, c_id, P(c_double)], True),
    "tspar_tree_get_total_branch_length": (c_int, [handle_p, c_id, P(c_double)], True),
    "tspar_tree_get_sites": (c_int, [handle_p, P(c_id), P(c_id), P(c_id), P(c_id)], True),
}
PROTOTYPES.update(PROTOTYPES_TREES)


def _tables_sort(self, edge_start=0, options=0, exec=None):
    self._lib.tspar_tables_sort(self.handle, edge_start, options, exec_handle(exec))


def _tables_simplify(self, samples=None, options=0, node_map=None, exec=None):
    """Simplifies in place; ``samples`` None means the current samples.
    ``node_map``, when given, is an int32 array the length of the node
    table before simplification, filled with the map."""
    if samples is None:
        sp, ns = None, 0
    else:
        samples = np.ascontiguousarray(samples, dtype=np.int32)
        sp, ns = samples.ctypes.data, len(samples)
    mp, nm = (None, 0) if node_map is None else (node_map.ctypes.data, len(node_map))
    self._lib.tspar_tables_simplify(self.handle, sp, ns, options, exec_handle(exec), mp, nm)


def _tables_check_integrity(self, options=0):
    """The number of trees with TSPAR_CHECK_TREES, else 0; raises TsparError."""
    return int(self._lib.tspar_tables_check_integrity(self.handle, options))


def _tables_build_index(self, options=0, exec=None):
    self._lib.tspar_tables_build_index(self.handle, options, exec_handle(exec))


def _tables_compute_mutation_parents(self, options=0):
    self._lib.tspar_tables_compute_mutation_parents(self.handle, options)


def _tables_deduplicate_sites(self, options=0):
    self._lib.tspar_tables_deduplicate_sites(self.handle, options)


Tables.sort = _tables_sort
Tables.simplify = _tables_simplify
Tables.check_integrity = _tables_check_integrity
Tables.build_index = _tables_build_index
Tables.compute_mutation_parents = _tables_compute_mutation_parents
Tables.deduplicate_sites = _tables_deduplicate_sites


class TreeArrays(ctypes.Structure):
    """``tspar_tree_arrays_t``."""

    _fields_ = [
        ("parent", P(c_id)),
        ("left_child", P(c_id)),
        ("right_child", P(c_id)),
        ("left_sib", P(c_id)),
        ("right_sib", P(c_id)),
        ("num_children", P(c_id)),
        ("num_samples", P(c_id)),
        ("length", c_size),
        ("virtual_root", c_id),
    ]


TREE_ARRAY_NAMES = ["parent", "left_child", "right_child", "left_sib", "right_sib", "num_children", "num_samples"]


def _view(pointer, n, dtype):
    """A read-only numpy view of n elements at a C pointer (no copy)."""
    if n == 0:
        return np.empty(0, dtype=dtype)
    ctype = np.ctypeslib.as_ctypes_type(np.dtype(dtype))
    array = np.ctypeslib.as_array(ctypes.cast(pointer, P(ctype)), shape=(n,))
    array.flags.writeable = False
    return array


class TreeSequence:
    """An owned ``tspar_treeseq_t``."""

    def __init__(self, handle):
        self._lib = library()
        self._handle = c_void_p(handle)
        self._finalizer = weakref.finalize(self, self._lib.raw.tspar_treeseq_free, self._handle)

    @property
    def handle(self):
        if not self._finalizer.alive:
            raise ValueError("tree sequence already freed")
        return self._handle

    def free(self):
        self._finalizer()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.free()

    @classmethod
    def load(cls, path, options=0, exec=None):
        out = c_void_p()
        library().tspar_treeseq_load(os.fsencode(path), options, exec_handle(exec), ctypes.byref(out))
        return cls(out.value)

    @classmethod
    def from_tables(cls, tables, options=0, exec=None):
        out = c_void_p()
        library().tspar_treeseq_from_tables(tables.handle, options, exec_handle(exec), ctypes.byref(out))
        return cls(out.value)

    def dump(self, path, options=0):
        self._lib.tspar_treeseq_dump(self.handle, os.fsencode(path), options)

    def copy_tables(self):
        out = c_void_p()
        self._lib.tspar_treeseq_copy_tables(self.handle, ctypes.byref(out))
        return Tables(out.value)

    @property
    def num_trees(self):
        return int(self._lib.tspar_treeseq_num_trees(self.handle))

    @property
    def num_samples(self):
        return int(self._lib.tspar_treeseq_num_samples(self.handle))

    @property
    def num_nodes(self):
        return int(self._lib.tspar_treeseq_num_nodes(self.handle))

    @property
    def num_edges(self):
        return int(self._lib.tspar_treeseq_num_edges(self.handle))

    @property
    def num_sites(self):
        return int(self._lib.tspar_treeseq_num_sites(self.handle))

    @property
    def num_mutations(self):
        return int(self._lib.tspar_treeseq_num_mutations(self.handle))

    def num_rows(self, table):
        return int(self._lib.tspar_treeseq_num_rows(self.handle, _table_id(table)))

    @property
    def sequence_length(self):
        return self._lib.tspar_treeseq_sequence_length(self.handle)

    def samples(self):
        """Zero-copy view of the sample ids (valid while this object lives)."""
        return _view(self._lib.tspar_treeseq_samples(self.handle), self.num_samples, np.int32)

    def breakpoints(self):
        """Zero-copy view of the num_trees + 1 tree boundaries."""
        return _view(self._lib.tspar_treeseq_breakpoints(self.handle), self.num_trees + 1, np.float64)

    def column_pointer(self, name):
        """(dtype code, address, length) of a column, without copying."""
        dtype, data, length = c_int(), c_void_p(), c_size()
        self._lib.tspar_treeseq_column(self.handle, name.encode(), ctypes.byref(dtype), ctypes.byref(data),
                                       ctypes.byref(length))
        return dtype.value, data.value, length.value

    def column(self, name):
        """Zero-copy read-only view of a column (valid while this object lives)."""
        code, address, n = self.column_pointer(name)
        return _view(c_void_p(address), n, DTYPES[code])

    def tree(self, options=0):
        return Tree(self, options)


class Tree:
    """An owned ``tspar_tree_t`` cursor; keeps its tree sequence object alive."""

    def __init__(self, ts, options=0):
        self._lib = library()
        self.ts = ts
        out = c_void_p()
        self._lib.tspar_tree_new(ts.handle, options, ctypes.byref(out))
        self._handle = c_void_p(out.value)
        self._finalizer = weakref.finalize(self, self._lib.raw.tspar_tree_free, self._handle)
        self._ids = np.empty(ts.num_nodes + 1, dtype=np.int32)

    @property
    def handle(self):
        if not self._finalizer.alive:
            raise ValueError("tree already freed")
        return self._handle

    def free(self):
        self._finalizer()

    def first(self):
        return bool(self._lib.tspar_tree_first(self.handle))

    def last(self):
        return bool(self._lib.tspar_tree_last(self.handle))

    def next(self):
        return bool(self._lib.tspar_tree_next(self.handle))

    def prev(self):
        return bool(self._lib.tspar_tree_prev(self.handle))

    def seek(self, position, options=0):
        return bool(self._lib.tspar_tree_seek(self.handle, position, options))

    def seek_index(self, index, options=0):
        return bool(self._lib.tspar_tree_seek_index(self.handle, index, options))

    def interval(self):
        """(index, left, right); index -1 in the null state."""
        index, left, right = ctypes.c_int64(), c_double(), c_double()
        self._lib.tspar_tree_get_interval(self.handle, ctypes.byref(index), ctypes.byref(left), ctypes.byref(right))
        return index.value, left.value, right.value

    @property
    def index(self):
        return self.interval()[0]

    def arrays(self):
        """{name: copy of the array} for TREE_ARRAY_NAMES, plus "virtual_root"."""
        a = TreeArrays()
        self._lib.tspar_tree_get_arrays(self.handle, ctypes.byref(a))
        out = {name: _view(getattr(a, name), a.length, np.int32).copy() for name in TREE_ARRAY_NAMES}
        out["virtual_root"] = a.virtual_root
        return out

    def _ids_call(self, name, *args):
        n = getattr(self._lib, name)(self.handle, *args, self._ids.ctypes.data_as(c_void_p), self._ids.size)
        return self._ids[:n].copy()

    def roots(self):
        return self._ids_call("tspar_tree_get_roots")

    def preorder(self, node):
        return self._ids_call("tspar_tree_preorder", node)

    def postorder(self, node):
        return self._ids_call("tspar_tree_postorder", node)

    def mrca(self, u, v):
        out = c_id()
        self._lib.tspar_tree_get_mrca(self.handle, u, v, ctypes.byref(out))
        return out.value

    def branch_length(self, u):
        out = c_double()
        self._lib.tspar_tree_get_branch_length(self.handle, u, ctypes.byref(out))
        return out.value

    def total_branch_length(self, u):
        out = c_double()
        self._lib.tspar_tree_get_total_branch_length(self.handle, u, ctypes.byref(out))
        return out.value

    def sites(self):
        """((site start, stop), (mutation start, stop)) of the current tree."""
        v = [c_id() for _ in range(4)]
        self._lib.tspar_tree_get_sites(self.handle, *[ctypes.byref(x) for x in v])
        return (v[0].value, v[1].value), (v[2].value, v[3].value)


# ------------------------------------------------------------ statistics

_ONE_WAY = ["diversity", "segregating_sites", "Y1", "Tajimas_D"]
_K_WAY = {
    "divergence": 2,
    "Fst": 2,
    "Y2": 2,
    "f2": 2,
    "genetic_relatedness": 2,
    "Y3": 3,
    "f3": 3,
    "f4": 4,
}
_SETS = [c_size, c_void_p, c_void_p]  # num_sample_sets, sizes, ids
_TAIL = [c_size, c_void_p, c_flags, handle_p, c_void_p, c_size]  # windows, options, exec, result
STAT_PROTOTYPES = {
    "tspar_treeseq_load": (c_int, [c_char_p, c_flags, handle_p, P(handle_p)], True),
    "tspar_treeseq_free": (None, [handle_p], False),
    "tspar_exec_new": (c_int, [c_size, c_void_p, c_void_p, P(handle_p)], True),
    "tspar_exec_free": (None, [handle_p], False),
    "tspar_treeseq_allele_frequency_spectrum": (c_int, [handle_p] + _SETS + _TAIL, True),
    "tspar_treeseq_divergence_matrix": (c_int, [handle_p] + _SETS + _TAIL, True),
    "tspar_treeseq_genetic_relatedness_matrix": (c_int, [handle_p] + _SETS + _TAIL, True),
    "tspar_treeseq_trait_covariance": (c_int, [handle_p, c_size, c_void_p] + _TAIL, True),
    "tspar_treeseq_trait_correlation": (c_int, [handle_p, c_size, c_void_p] + _TAIL, True),
    "tspar_treeseq_genetic_relatedness_weighted": (
        c_int,
        [handle_p, c_size, c_void_p, c_size, c_void_p] + _TAIL,
        True,
    ),
    "tspar_treeseq_general_stat": (
        c_int,
        [handle_p, c_size, c_void_p, c_size, c_void_p, c_void_p] + _TAIL,
        True,
    ),
}
for _name in _ONE_WAY:
    STAT_PROTOTYPES[f"tspar_treeseq_{_name}"] = (c_int, [handle_p] + _SETS + _TAIL, True)
for _name in _K_WAY:
    STAT_PROTOTYPES[f"tspar_treeseq_{_name}"] = (c_int, [handle_p] + _SETS + [c_size, c_void_p] + _TAIL, True)

PROGRESS_FUNC = ctypes.CFUNCTYPE(c_int, c_double, c_void_p)
SUMMARY_FUNC = ctypes.CFUNCTYPE(c_int, c_size, P(c_double), c_size, P(c_double), c_void_p)

_MODES = {"site": "TSPAR_STAT_SITE", "branch": "TSPAR_STAT_BRANCH", "node": "TSPAR_STAT_NODE"}


def stat_options(mode="site", span_normalise=True, polarised=False, extra=0):
    opts = C[_MODES[mode]] | extra
    if span_normalise:
        opts |= C["TSPAR_STAT_SPAN_NORMALISE"]
    if polarised:
        opts |= C["TSPAR_STAT_POLARISED"]
    return opts


class Exec:
    """A tspar_exec_t, fixed when made: thread count (0: the default) and an
    optional progress callback ``progress(fraction) -> bool`` (True cancels).
    Pass it as ``exec=`` to any call that may use worker threads."""

    def __init__(self, threads=0, progress=None):
        lib = library()
        _declare_stats(lib)
        h = handle_p()
        self._cb = None
        if progress is not None:
            self._cb = PROGRESS_FUNC(lambda f, _u: 1 if progress(f) else 0)
        cb = ctypes.cast(self._cb, c_void_p) if self._cb is not None else None
        lib.tspar_exec_new(threads, cb, None, ctypes.byref(h))
        self.handle = h

    def __del__(self):
        if getattr(self, "handle", None):
            library().tspar_exec_free(self.handle)
            self.handle = None


_stats_declared = False


def _declare_stats(lib):
    global _stats_declared
    if not _stats_declared:
        for name, (restype, argtypes, check) in STAT_PROTOTYPES.items():
            lib.declare(name, restype, argtypes, check)
        _stats_declared = True


def _flatten_sets(sample_sets):
    sizes = np.array([len(s) for s in sample_sets], dtype=np.uint64)
    ids = np.concatenate([np.asarray(s, dtype=np.int32) for s in sample_sets]) if len(sample_sets) else np.zeros(0, np.int32)
    return sizes, ids


class StatsTreeSequence:
    """A tspar_treeseq_t with statistics named and shaped as in tskit's
    Python API, always with the windows (and, for node mode, node) axis."""

    def __init__(self, path, options=0):
        self.lib = library()
        _declare_stats(self.lib)
        h = handle_p()
        self.lib.tspar_treeseq_load(str(path).encode(), options, None, ctypes.byref(h))
        self.handle = h
        import tskit as _tskit  # only for shapes: number of nodes and samples

        self._ts = _tskit.load(str(path))

    def free(self):
        if self.handle:
            self.lib.tspar_treeseq_free(self.handle)
            self.handle = None

    def __del__(self):
        self.free()

    def _windows(self, windows):
        if windows is None:
            return 1, None, None
        w = np.ascontiguousarray(windows, dtype=np.float64)
        return len(w) - 1, w, w.ctypes.data_as(c_void_p)

    def _run(self, fname, args, row, windows, mode, options, exec, result_length=None):
        nw, w, wp = self._windows(windows)
        n = nw * row * (self._ts.num_nodes if mode == "node" else 1)
        out = np.zeros(max(n, 1), dtype=np.float64)
        length = n if result_length is None else result_length
        getattr(self.lib, fname)(
            self.handle, *args, nw if w is not None else 0, wp, options, exec.handle if exec else None,
            out.ctypes.data_as(c_void_p), length,
        )
        shape = (nw, self._ts.num_nodes, row) if mode == "node" else (nw, row)
        return out[:n].reshape(shape)

    def one_way(self, name, sample_sets, windows=None, mode="site", span_normalise=True, polarised=False,
                exec=None, extra=0, result_length=None):
        sizes, ids = _flatten_sets(sample_sets)
        opts = stat_options(mode, span_normalise, polarised, extra)
        args = [len(sizes), sizes.ctypes.data_as(c_void_p), ids.ctypes.data_as(c_void_p)]
        return self._run(f"tspar_treeseq_{name}", args, len(sizes), windows, mode, opts, exec, result_length)

    def k_way(self, name, sample_sets, indexes, windows=None, mode="site", span_normalise=True,
              polarised=False, exec=None, extra=0, result_length=None):
        sizes, ids = _flatten_sets(sample_sets)
        idx = np.ascontiguousarray(indexes, dtype=np.int32).reshape(-1, _K_WAY[name])
        opts = stat_options(mode, span_normalise, polarised, extra)
        args = [len(sizes), sizes.ctypes.data_as(c_void_p), ids.ctypes.data_as(c_void_p), len(idx),
                idx.ctypes.data_as(c_void_p)]
        return self._run(f"tspar_treeseq_{name}", args, len(idx), windows, mode, opts, exec, result_length)

    def weighted(self, name, W, windows=None, mode="site", span_normalise=True, polarised=False, exec=None):
        W = np.ascontiguousarray(W, dtype=np.float64)
        opts = stat_options(mode, span_normalise, polarised)
        args = [W.shape[1], W.ctypes.data_as(c_void_p)]
        return self._run(f"tspar_treeseq_{name}", args, W.shape[1], windows, mode, opts, exec)

    def genetic_relatedness_weighted(self, W, indexes, windows=None, mode="site", span_normalise=True,
                                     polarised=False, centre=True, exec=None):
        W = np.ascontiguousarray(W, dtype=np.float64)
        idx = np.ascontiguousarray(indexes, dtype=np.int32).reshape(-1, 2)
        opts = stat_options(mode, span_normalise, polarised, 0 if centre else C["TSPAR_STAT_NONCENTRED"])
        args = [W.shape[1], W.ctypes.data_as(c_void_p), len(idx), idx.ctypes.data_as(c_void_p)]
        return self._run("tspar_treeseq_genetic_relatedness_weighted", args, len(idx), windows, mode, opts, exec)

    def allele_frequency_spectrum(self, sample_sets, windows=None, mode="site", span_normalise=True,
                                  polarised=False, exec=None):
        sizes, ids = _flatten_sets(sample_sets)
        dims = [int(s) + 1 for s in sizes]
        opts = stat_options(mode, span_normalise, polarised)
        args = [len(sizes), sizes.ctypes.data_as(c_void_p), ids.ctypes.data_as(c_void_p)]
        out = self._run("tspar_treeseq_allele_frequency_spectrum", args, int(np.prod(dims)), windows, "site",
                        opts, exec)
        return out.reshape([out.shape[0]] + dims)

    def matrix(self, name, sample_sets, windows=None, mode="site", span_normalise=True, exec=None):
        sizes, ids = _flatten_sets(sample_sets)
        k = len(sizes)
        opts = stat_options(mode, span_normalise, False)
        args = [k, sizes.ctypes.data_as(c_void_p), ids.ctypes.data_as(c_void_p)]
        out = self._run(f"tspar_treeseq_{name}", args, k * k, windows, "site", opts, exec)
        return out.reshape(out.shape[0], k, k)

    def general_stat(self, W, f, output_dim, windows=None, mode="site", span_normalise=True, polarised=False,
                     exec=None):
        """``f(x) -> array`` of length output_dim, called through the C callback."""
        W = np.ascontiguousarray(W, dtype=np.float64)

        def cb(state_dim, state, result_dim, result, _params):
            x = np.ctypeslib.as_array(state, shape=(state_dim,))
            y = np.asarray(f(x), dtype=np.float64)
            for j in range(result_dim):
                result[j] = y[j]
            return 0

        cfunc = SUMMARY_FUNC(cb)
        opts = stat_options(mode, span_normalise, polarised)
        args = [W.shape[1], W.ctypes.data_as(c_void_p), output_dim, ctypes.cast(cfunc, c_void_p), None]
        return self._run("tspar_treeseq_general_stat", args, output_dim, windows, mode, opts, exec)
