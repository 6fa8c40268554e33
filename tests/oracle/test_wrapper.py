"""The Python binding (tspar.lowlevel) and the C API conventions it relies on: negative codes
become TsparError with the thread's message, buffers that are too small
are refused without being written, NULL is an error and not a crash."""

import numpy as np
import pytest

from tspar.lowlevel import C, Tables, ffi, out_ptr
from tspar.lowlevel import LibraryError as TsparError


def test_error_carries_code_name_and_message(lib, tmp_path):
    path = tmp_path / "nope.trees"
    with pytest.raises(TsparError) as e:
        Tables.load(path)
    assert (e.value.code, e.value.name) == (C.TSPAR_ERR_FILE_NOT_FOUND, "TSPAR_ERR_FILE_NOT_FOUND")
    assert str(path) in e.value.message
    # A call that succeeds clears the message.
    with Tables.new(1.0) as t:
        t.num_rows("nodes")
        assert lib.raw.tspar_last_error_message() == b""


def test_freed_tables_refuse_use(lib):
    t = Tables.new(1.0)
    t.free()
    t.free()  # a second free is a no-op
    with pytest.raises(ValueError):
        t.num_rows("nodes")
    lib.tspar_tables_free(None)  # NULL is a no-op


def test_column_buffers_and_types(lib):
    with Tables.new(10.0) as t:
        for j in range(5):
            t.add_node(flags=1, time=float(j))
        assert np.array_equal(t.column("nodes/time"), np.arange(5.0))
        assert t.column_info("nodes/time") == (C.TSPAR_DTYPE_FLOAT64, 5)
        short = np.full(4, -1.0)
        with pytest.raises(TsparError) as e:
            lib.tspar_tables_get_column(t.handle, b"nodes/time", C.TSPAR_DTYPE_FLOAT64, out_ptr(short), 4)
        assert e.value.name == "TSPAR_ERR_BUFFER_TOO_SMALL"
        assert np.all(short == -1.0), "nothing may be written into a short buffer"
        with pytest.raises(TsparError) as e:
            t.column("nodes/time", dtype=C.TSPAR_DTYPE_INT32)
        assert e.value.name == "TSPAR_ERR_BAD_DTYPE"
        with pytest.raises(TsparError) as e:
            t.column("nodes/nothing")
        assert e.value.name == "TSPAR_ERR_COLUMN_NOT_FOUND"
        # Byte columns may be read as int8 or uint8.
        t.add_population(b"\xffab")
        assert t.column("populations/metadata", dtype=C.TSPAR_DTYPE_INT8).tolist() == [-1, 97, 98]

        buf = ffi.new("char[]", 3)
        n = ffi.new("tspar_size_t *")
        with pytest.raises(TsparError) as e:
            lib.tspar_tables_get_field(t.handle, b"time_units", buf, 3, n)
        assert e.value.name == "TSPAR_ERR_BUFFER_TOO_SMALL"
        assert ffi.buffer(buf)[:] == b"\0\0\0"


def test_null_pointers_are_errors(lib):
    out = ffi.new("tspar_tables_t **")
    with pytest.raises(TsparError) as e:
        lib.tspar_tables_load(None, 0, None, out)
    assert e.value.name == "TSPAR_ERR_NULL_POINTER"
    with pytest.raises(TsparError) as e:
        lib.tspar_tables_num_rows(None, C.TSPAR_TABLE_NODES)
    assert e.value.name == "TSPAR_ERR_NULL_POINTER"
    with pytest.raises(TsparError) as e:
        lib.tspar_tables_new(1.0, None)
    assert e.value.name == "TSPAR_ERR_NULL_POINTER"
    assert out[0] == ffi.NULL


def test_rows_unchecked_on_add_bad_arguments_refused(lib):
    """tskit's tables accept any ids when rows are added (checks come with
    integrity checking); tspar's add functions do the same, and refuse only
    what cannot be stored."""
    with Tables.new(10.0) as t:
        assert t.add_edge(0.0, 1.0, 7, 9) == 0
        with pytest.raises(TsparError) as e:
            t.num_rows(99)
        assert e.value.name == "TSPAR_ERR_BAD_PARAM_VALUE"
        with pytest.raises(TsparError) as e:
            t.sequence_length = -1.0
        assert e.value.name == "TSPAR_ERR_BAD_SEQUENCE_LENGTH"
        assert t.sequence_length == 10.0
