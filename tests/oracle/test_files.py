"""File compatibility with tskit 1.0.3, the reference.

* What tskit writes, tspar loads: every column of every table, every
  collection-level field and schema, bit for bit (floats compared as their
  uint64 bit patterns, so NaNs such as the unknown mutation time count).
* What tspar writes, tskit loads, and the tables compare equal in full
  (metadata, schemas, provenances, reference sequence, indexes).
* Loading a tskit file and writing it again gives tskit's bytes except for
  the 36-byte uuid, which every write makes anew: same keys, order, types,
  offsets widths and alignment.
* Tables built row by row through the C API equal the same tables built
  with tskit's Python API; tables set and appended as whole columns equal
  the originals.
* Damaged files fail with the specific code the header names; where tskit
  also reports the damage, the code is the one matching tskit's error.
"""

import os
import re

import numpy as np
import pytest
import tskit

import kastore_codec as kas
from conftest import CASES, case
from tspar.lowlevel import BULK_COLUMNS, C, DTYPES, TABLES, Tables, error_name
from tspar.lowlevel import LibraryError as TsparError

# Keys of a .trees file that are not table columns or fields.
FORMAT_KEYS = {"format/name", "format/version", "uuid"}

# Every collection-level byte field tspar_tables_get_field knows.
FIELDS = [
    "time_units",
    "metadata",
    "metadata_schema",
    "reference_sequence/data",
    "reference_sequence/url",
    "reference_sequence/metadata",
    "reference_sequence/metadata_schema",
] + [f"{t}/metadata_schema" for t in TABLES if t != "provenances"]


def bits(a):
    """An array's bytes, with its element size: equal bits means equal."""
    a = np.ascontiguousarray(a)
    return a.dtype.itemsize, a.shape, a.tobytes()


def tskit_value(tables, key):
    """What tskit's Python API holds under a file key: a numpy array for a
    column, bytes for a text field."""
    ll = tables._ll_tables
    if key == "sequence_length":
        return np.array([tables.sequence_length])
    if key == "time_units":
        return ll.time_units.encode()
    if key == "metadata":
        return bytes(ll.metadata)
    if key == "metadata_schema":
        return ll.metadata_schema.encode()
    head, name = key.split("/", 1)
    if head == "reference_sequence":
        value = getattr(ll.reference_sequence, name)
        return value.encode() if isinstance(value, str) else bytes(value)
    if head == "indexes":
        return getattr(tables.indexes, name)
    table = getattr(tables, head)
    if name == "metadata_schema":
        return table.ll_table.metadata_schema.encode()
    return getattr(table, name)


def as_bytes(value):
    return value if isinstance(value, bytes) else np.ascontiguousarray(value).tobytes()


def tspar_column_or_none(t, key):
    try:
        return t.column(key)
    except TsparError as e:
        assert e.code == C.TSPAR_ERR_COLUMN_NOT_FOUND, e
        return None


# ------------------------------------------------------------ tskit -> tspar


def test_tspar_reads_every_column_of_a_tskit_file(lib, case_name, case_file):
    original = case(case_name)
    items = kas.load(case_file)
    with Tables.load(case_file) as t:
        assert t.sequence_length == original.sequence_length
        for table, tid in TABLES.items():
            assert t.num_rows(table) == getattr(original, table).num_rows, table
        checked = 0
        for key, stored in items.items():
            if key in FORMAT_KEYS:
                continue
            ours = t.column(key)
            # Same type as the file, except offsets, which tspar keeps as
            # uint64 whatever width the file used.
            if key.endswith("_offset"):
                assert ours.dtype == np.uint64, key
                assert stored.dtype in (np.uint32, np.uint64), key
                assert np.array_equal(ours, stored.astype(np.uint64)), key
            else:
                assert ours.dtype == stored.dtype, key
                assert bits(ours) == bits(stored), key
            theirs = tskit_value(original, key)
            if isinstance(theirs, bytes):
                assert ours.tobytes() == theirs, key
            else:
                assert ours.dtype.itemsize == theirs.dtype.itemsize, key
                assert bits(ours) == bits(theirs), key
            checked += 1
        assert checked == len(items) - len(FORMAT_KEYS)

        # Keys the file lacks: tspar has no such column, or one holding
        # what tskit holds.
        every_key = set(kas.load(_full_file())) - FORMAT_KEYS
        for key in sorted(every_key - set(items)):
            ours = tspar_column_or_none(t, key)
            if ours is not None:
                assert as_bytes(ours) == as_bytes(tskit_value(original, key)), key

        for name in FIELDS:
            assert t.get_field(name) == as_bytes(tskit_value(original, name)), name
        assert t.has_index() == original.has_index()


_FULL = {}


@pytest.fixture(scope="session", autouse=True)
def _write_full_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("full") / "full.trees"
    case("metadata_everywhere").dump(path)
    _FULL["path"] = path


def _full_file():
    """A tskit file with every key there is (the metadata_everywhere case)."""
    return _FULL["path"]


def test_unknown_time_bits(lib, tmp_path):
    """tspar's unknown time is tskit's NaN, bit for bit, in both directions."""
    ours = np.float64(lib.unknown_time()).view(np.uint64)
    theirs = np.float64(tskit.UNKNOWN_TIME).view(np.uint64)
    assert hex(ours) == hex(theirs)
    assert lib.tspar_is_unknown_time(tskit.UNKNOWN_TIME) == 1
    assert lib.tspar_is_unknown_time(float("nan")) == 0
    assert lib.tspar_is_unknown_time(1.0) == 0

    tables = case("partly_unknown_times")
    path = tmp_path / "a.trees"
    tables.dump(path)
    with Tables.load(path) as t:
        time = t.column("mutations/time").view(np.uint64)
    unknown = tables.mutations.site % 2 == 0
    assert unknown.any() and (~unknown).any()
    assert np.all(time[unknown] == theirs)
    assert np.array_equal(time[~unknown], tables.mutations.time[~unknown].view(np.uint64))


def test_old_file_without_mutation_times(lib, tmp_path):
    """A file without mutations/time (written before tskit recorded them)
    loads with every time unknown, in both libraries."""
    items = kas.load(_full_file())
    del items["mutations/time"]
    path = tmp_path / "old.trees"
    kas.dump(items, path)
    theirs = tskit.TableCollection.load(path)
    assert np.all(np.isnan(theirs.mutations.time))
    with Tables.load(path) as t:
        assert bits(t.column("mutations/time")) == bits(theirs.mutations.time)
        out = tmp_path / "again.trees"
        t.dump(out)
    back = tskit.TableCollection.load(out)
    back.assert_equals(theirs)


@pytest.mark.parametrize(
    "options,kwargs",
    [
        ("TSPAR_LOAD_SKIP_TABLES", {"skip_tables": True}),
        ("TSPAR_LOAD_SKIP_REFERENCE_SEQUENCE", {"skip_reference_sequence": True}),
    ],
)
def test_load_options_match_tskit(lib, tmp_path, options, kwargs):
    theirs = tskit.TableCollection.load(_full_file(), **kwargs)
    with Tables.load(_full_file(), C[options]) as t:
        out = tmp_path / "out.trees"
        t.dump(out)
    back = tskit.TableCollection.load(out)
    back.assert_equals(theirs)
    assert back.equals(theirs)


# ------------------------------------------------------------ tspar -> tskit


def test_tskit_reads_a_tspar_file(lib, case_name, case_file, tmp_path):
    original = case(case_name)
    out = tmp_path / "tspar.trees"
    with Tables.load(case_file) as t:
        t.dump(out)
    back = tskit.TableCollection.load(out)
    back.assert_equals(original)  # a readable message on failure
    assert back.equals(original)  # full equality: metadata, provenances, all
    assert back.has_index() == original.has_index()
    if original.has_index():
        ix, ox = back.indexes, original.indexes
        assert np.array_equal(ix.edge_insertion_order, ox.edge_insertion_order)
        assert np.array_equal(ix.edge_removal_order, ox.edge_removal_order)
    assert back.file_uuid != tskit.TableCollection.load(case_file).file_uuid
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", back.file_uuid)
    # tskit accepts it as a tree sequence too.
    ts = back.tree_sequence()
    assert ts.num_trees >= 1
    if original.has_index():
        assert tskit.load(out).tables.equals(original)


def test_force_offset_64(lib, case_name, case_file, tmp_path):
    """TSPAR_DUMP_FORCE_OFFSET_64 writes every offset column as uint64,
    and tskit reads such a file (as it must read files whose offsets do not
    fit in 32 bits)."""
    original = case(case_name)
    out = tmp_path / "wide.trees"
    with Tables.load(case_file) as t:
        t.dump(out, C.TSPAR_DUMP_FORCE_OFFSET_64)
        items = kas.load(out)
        offsets = {k: v.dtype for k, v in items.items() if k.endswith("_offset")}
        assert len(offsets) >= 13
        assert set(offsets.values()) == {np.dtype(np.uint64)}, offsets
        # Only the offsets differ from a default dump.
        narrow = kas.load(case_file)
        assert set(items) == set(narrow)
        for key, value in items.items():
            if key.endswith("_offset"):
                assert np.array_equal(value, narrow[key].astype(np.uint64)), key
            elif key != "uuid":
                assert bits(value) == bits(narrow[key]), key
        with Tables.load(out) as again:
            assert again.equals(t)
    back = tskit.TableCollection.load(out)
    assert back.equals(original)
    back.tree_sequence()


def test_rewrite_gives_tskits_bytes(lib, case_name, case_file, tmp_path):
    """Loading a tskit file and dumping it gives the same file except for
    the uuid: tspar writes the same keys, in the same order, with the same
    types, offset widths and alignment as tskit."""
    theirs = case_file.read_bytes()
    out = tmp_path / "again.trees"
    with Tables.load(case_file) as t:
        t.dump(out)
    ours = out.read_bytes()
    assert len(ours) == len(theirs)
    d_theirs, d_ours = kas.descriptors(theirs), kas.descriptors(ours)
    assert [(d.key, d.type_code, d.array_start, d.array_len) for d in d_ours] == [
        (d.key, d.type_code, d.array_start, d.array_len) for d in d_theirs
    ]
    (uuid,) = [d.byte_range for d in d_theirs if d.key == "uuid"]
    assert len(uuid) == 36
    assert ours[: uuid.start] == theirs[: uuid.start]
    assert ours[uuid.stop :] == theirs[uuid.stop :]
    assert ours[uuid.start : uuid.stop] != theirs[uuid.start : uuid.stop]


def test_dump_over_an_existing_file(lib, case_file, tmp_path):
    target = tmp_path / "x.trees"
    case("no_sites").dump(target)
    with Tables.load(case_file) as t:
        t.dump(target)
        with Tables.load(target) as again:
            assert again.equals(t)
    tskit.TableCollection.load(target).assert_equals(tskit.TableCollection.load(case_file), ignore_provenance=False)


def test_equals_agrees_with_tskit(lib, tmp_path):
    """tspar_tables_equals and its options give tskit's answer on pairs
    that differ in one respect."""
    base = case("metadata_everywhere")
    variants = {}
    t = base.copy()
    t.provenances.add_row(record="{}", timestamp="later")
    variants["provenance"] = t
    t = base.copy()
    t.metadata = {"name": "other"}
    variants["ts_metadata"] = t
    t = base.copy()
    t.nodes.packset_metadata([b""] * t.nodes.num_rows)
    variants["metadata"] = t
    t = base.copy()
    t.sites.metadata_schema = tskit.MetadataSchema({"codec": "json", "type": "object"})
    variants["metadata_schema"] = t
    t = base.copy()
    t.reference_sequence.url = "https://example.org/other.fa"
    variants["reference"] = t
    t = base.copy()
    t.nodes.time = t.nodes.time + 1e-9
    variants["tables"] = t
    t = base.copy()
    ts = t.provenances.timestamp.copy()
    ts[0] = ord("9")
    t.provenances.set_columns(
        timestamp=ts, timestamp_offset=t.provenances.timestamp_offset,
        record=t.provenances.record, record_offset=t.provenances.record_offset,
    )
    variants["timestamps"] = t

    flags = {
        "ignore_ts_metadata": C.TSPAR_CMP_IGNORE_TS_METADATA,
        "ignore_provenance": C.TSPAR_CMP_IGNORE_PROVENANCE,
        "ignore_metadata": C.TSPAR_CMP_IGNORE_METADATA,
        "ignore_timestamps": C.TSPAR_CMP_IGNORE_TIMESTAMPS,
        "ignore_tables": C.TSPAR_CMP_IGNORE_TABLES,
        "ignore_reference_sequence": C.TSPAR_CMP_IGNORE_REFERENCE_SEQUENCE,
    }
    base.dump(tmp_path / "base.trees")
    with Tables.load(tmp_path / "base.trees") as a:
        for name, other in variants.items():
            path = tmp_path / f"{name}.trees"
            other.dump(path)
            with Tables.load(path) as b:
                assert not base.equals(other), name
                assert not a.equals(b), name
                for kw, bit in flags.items():
                    assert a.equals(b, bit) == base.equals(other, **{kw: True}), (name, kw)
                    assert b.equals(a, bit) == other.equals(base, **{kw: True}), (name, kw)


# ------------------------------------------------------------ built from scratch


def _build_row_by_row(lib):
    """The same rows through tspar's C API and tskit's Python API."""
    L = 100.0
    ours = Tables.new(L)
    theirs = tskit.TableCollection(sequence_length=L)
    ours.set_field("time_units", "generations")
    theirs.time_units = "generations"
    schema = tskit.MetadataSchema.permissive_json()
    ours.set_field("metadata_schema", repr(schema))
    theirs.metadata_schema = schema
    ours.set_field("metadata", b'{"a":1}')
    theirs.metadata = {"a": 1}
    ours.set_field("reference_sequence/data", "ACGT" * 25)
    theirs.reference_sequence.data = "ACGT" * 25

    def both(method, kind, **kw):
        a = getattr(ours, method)(**kw)
        tk_kw = {k: v for k, v in kw.items()}
        b = getattr(theirs, kind).add_row(**tk_kw)
        assert a == b, (method, kw)
        return a

    both("add_population", "populations", metadata=b"")
    both("add_population", "populations", metadata=b"\x00\x01binary")
    both("add_individual", "individuals", flags=0, location=[], parents=[], metadata=b"")
    both("add_individual", "individuals", flags=5, location=[0.5, -1.25], parents=[0], metadata=b"ind")
    both("add_individual", "individuals", flags=1, location=[1e300], parents=[0, 1], metadata=b"")
    for j in range(6):
        both(
            "add_node", "nodes",
            flags=int(j < 4), time=float(j // 2 * 2 + (j >= 4)), population=j % 2,
            individual=j // 2 if j < 4 else -1, metadata=b"n" * j,
        )
    both("add_edge", "edges", left=0.0, right=50.0, parent=4, child=0, metadata=b"")
    both("add_edge", "edges", left=0.0, right=100.0, parent=4, child=1, metadata=b"edge")
    both("add_edge", "edges", left=50.0, right=100.0, parent=5, child=0)
    both("add_edge", "edges", left=0.0, right=100.0, parent=5, child=2)
    both("add_migration", "migrations", left=0.0, right=100.0, node=2, source=0, dest=1, time=0.5, metadata=b"m")
    both("add_migration", "migrations", left=10.0, right=20.0, node=3, source=1, dest=0, time=2.5)
    both("add_site", "sites", position=5.0, ancestral_state=b"A", metadata=b"")
    both("add_site", "sites", position=17.0, ancestral_state=b"", metadata=b"site")
    both("add_site", "sites", position=60.0, ancestral_state=b"GATTACA")
    a = ours.add_mutation(site=0, node=0, parent=-1, time=None, derived_state=b"T")
    b = theirs.mutations.add_row(site=0, node=0, parent=-1, time=tskit.UNKNOWN_TIME, derived_state="T")
    assert a == b
    both("add_mutation", "mutations", site=1, node=1, parent=-1, time=1.25, derived_state=b"CC", metadata=b"mut")
    both("add_mutation", "mutations", site=2, node=2, parent=-1, time=3.0, derived_state=b"")
    both("add_provenance", "provenances", timestamp="2026-01-01T00:00:00", record='{"software":"tspar"}')
    both("add_provenance", "provenances", timestamp="", record="")
    return ours, theirs


def test_tables_built_through_the_c_api_equal_tskits(lib, tmp_path):
    ours, theirs = _build_row_by_row(lib)
    with ours:
        assert ours.num_rows("mutations") == 3
        path = tmp_path / "built.trees"
        ours.dump(path)
        back = tskit.TableCollection.load(path)
        back.assert_equals(theirs)
        assert back.equals(theirs)
        assert not back.has_index()
        # And the other way: tskit's file loads equal to ours.
        theirs_path = tmp_path / "theirs.trees"
        theirs.dump(theirs_path)
        with Tables.load(theirs_path) as t:
            assert t.equals(ours)
    theirs.sort()
    theirs.build_index()
    theirs.tree_sequence()


def _tskit_columns(tables, table):
    t = getattr(tables, table)
    return {name: getattr(t, name) for name, _ in BULK_COLUMNS[table]}


def _split(columns, k):
    """Rows [0, k) and [k, n) of a table given as columns; the offsets of
    each part start at 0."""
    first, second = {}, {}
    for name, values in columns.items():
        if name.endswith("_offset"):
            continue
        offset = columns.get(f"{name}_offset")
        if offset is None:
            first[name], second[name] = values[:k], values[k:]
        else:
            cut = int(offset[k])
            first[name], second[name] = values[:cut], values[cut:]
            first[f"{name}_offset"] = offset[: k + 1]
            second[f"{name}_offset"] = offset[k:] - offset[k]
    return first, second


@pytest.mark.parametrize("how", ["set", "append_in_two_parts"])
def test_tables_set_as_whole_columns(lib, case_name, tmp_path, how):
    original = case(case_name)
    with Tables.new(original.sequence_length) as t:
        for name in FIELDS:
            t.set_field(name, tskit_value(original, name))
        for table in TABLES:
            columns = _tskit_columns(original, table)
            if how == "set":
                t.set_columns(table, **columns)
            else:
                n = getattr(original, table).num_rows
                first, second = _split(columns, n // 3)
                t.set_columns(table, num_rows=n // 3, **first)
                t.append_columns(table, num_rows=n - n // 3, **second)
            assert t.num_rows(table) == getattr(original, table).num_rows
        path = tmp_path / "cols.trees"
        t.dump(path)
    back = tskit.TableCollection.load(path)
    back.assert_equals(original)
    assert back.equals(original)


# ------------------------------------------------------------ bad files


def _tskit_error_to_tspar(message):
    """The tspar error name for a tskit load error, matched on tskit's
    message (tskit's C error names end its messages)."""
    pairs = {
        "TSK_ERR_REQUIRED_COL_NOT_FOUND": "TSPAR_ERR_REQUIRED_COL_NOT_FOUND",
        "TSK_ERR_BOTH_COLUMNS_REQUIRED": "TSPAR_ERR_BOTH_COLUMNS_REQUIRED",
        "TSK_ERR_BAD_COLUMN_TYPE": "TSPAR_ERR_BAD_COLUMN_TYPE",
        "TSK_ERR_BAD_OFFSET": "TSPAR_ERR_BAD_OFFSET",
        "TSK_ERR_BAD_SEQUENCE_LENGTH": "TSPAR_ERR_BAD_SEQUENCE_LENGTH",
    }
    for tsk, ours in pairs.items():
        if tsk in message:
            return ours
    return None


def _load_both(path):
    """(tskit's exception or None, tspar's TsparError or None)."""
    try:
        tskit.TableCollection.load(path)
        theirs = None
    except Exception as e:  # tskit raises several exception types
        theirs = e
    try:
        Tables.load(path).free()
        ours = None
    except TsparError as e:
        ours = e
    return theirs, ours


def test_each_key_removed_as_tskit_does(lib, tmp_path):
    """Removing any one key: where tskit loads the file tspar loads the same
    tables; where tskit fails, tspar fails with the matching code."""
    items = kas.load(_full_file())
    path = tmp_path / "less.trees"
    outcomes = {}
    for key in items:
        less = dict(items)
        del less[key]
        kas.dump(less, path)
        theirs, ours = _load_both(path)
        if theirs is None:
            assert ours is None, (key, ours)
            out = tmp_path / "ours.trees"
            with Tables.load(path) as t:
                t.dump(out)
            tskit.TableCollection.load(out).assert_equals(tskit.TableCollection.load(path))
            outcomes[key] = "loads"
        else:
            expected = _tskit_error_to_tspar(str(theirs))
            assert expected is not None, (key, theirs)
            assert ours is not None, key
            assert ours.name == expected, (key, ours, theirs)
            assert key in ours.message and str(path) in ours.message
            outcomes[key] = ours.name
    # The optional keys, as tskit 1.0.3 treats them.
    optional = sorted(k for k, v in outcomes.items() if v == "loads")
    assert optional == sorted(
        ["metadata", "metadata_schema", "time_units", "mutations/time"]
        + [k for k in items if k.startswith("reference_sequence/")]
        + [f"{t}/metadata_schema" for t in TABLES if t != "provenances"]
    )


def _edited(tmp_path, edit, source=None):
    items = kas.load(source or _full_file())
    edit(items)
    path = tmp_path / "edited.trees"
    kas.dump(items, path)
    return path


def _raw(tmp_path, data, name="raw.trees"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _expect(path, name, tskit_fails=True):
    theirs, ours = _load_both(path)
    assert ours is not None, f"tspar loaded a file it should reject with {name}"
    assert ours.name == name, ours
    assert ours.code == C[name]
    assert ours.message and str(path) in ours.message
    if tskit_fails:
        assert theirs is not None, "tskit loads this file"
    return ours, theirs


def _retype(key, dtype):
    def edit(items):
        items[key] = items[key].astype(dtype)

    return edit


def _shorten(key):
    def edit(items):
        items[key] = items[key][:-1]

    return edit


def _set(key, value):
    def edit(items):
        items[key] = value

    return edit


def _offsets(key, change):
    def edit(items):
        o = items[key].copy()
        change(o)
        items[key] = o

    return edit


def _swap(o):
    o[3], o[4] = o[4], o[3]


def _bump_last(o):
    o[-1] += 1


def _bump_first(o):
    o[0] = 1


EDITS = {
    "float64_as_float32": (_retype("nodes/time", np.float32), "TSPAR_ERR_BAD_COLUMN_TYPE"),
    "uint32_as_int32": (_retype("nodes/flags", np.int32), "TSPAR_ERR_BAD_COLUMN_TYPE"),
    "int32_as_int64": (_retype("edges/parent", np.int64), "TSPAR_ERR_BAD_COLUMN_TYPE"),
    "offset_as_int32": (_retype("sites/ancestral_state_offset", np.int32), "TSPAR_ERR_BAD_COLUMN_TYPE"),
    "metadata_as_float64": (_retype("nodes/metadata", np.float64), "TSPAR_ERR_BAD_COLUMN_TYPE"),
    "column_short": (_shorten("nodes/time"), "TSPAR_ERR_COLUMN_LENGTH_MISMATCH"),
    "mutation_time_short": (_shorten("mutations/time"), "TSPAR_ERR_COLUMN_LENGTH_MISMATCH"),
    "offset_column_short": (_shorten("individuals/parents_offset"), "TSPAR_ERR_COLUMN_LENGTH_MISMATCH"),
    "offsets_decrease": (_offsets("nodes/metadata_offset", _swap), "TSPAR_ERR_BAD_OFFSET"),
    "last_offset_past_data": (_offsets("sites/ancestral_state_offset", _bump_last), "TSPAR_ERR_BAD_OFFSET"),
    "first_offset_not_zero": (_offsets("provenances/record_offset", _bump_first), "TSPAR_ERR_BAD_OFFSET"),
    "index_short": (_shorten("indexes/edge_insertion_order"), "TSPAR_ERR_FILE_FORMAT"),
    "format_version_13": (_set("format/version", np.array([13, 0], np.uint32)), "TSPAR_ERR_FILE_VERSION_TOO_NEW"),
    "format_version_11": (_set("format/version", np.array([11, 7], np.uint32)), "TSPAR_ERR_FILE_VERSION_TOO_OLD"),
    "format_version_one_number": (_set("format/version", np.array([12], np.uint32)), "TSPAR_ERR_FILE_FORMAT"),
    "format_name": (_set("format/name", np.frombuffer(b"tskit.treez", np.int8)), "TSPAR_ERR_FILE_FORMAT"),
    "two_sequence_lengths": (_set("sequence_length", np.array([1.0, 2.0])), "TSPAR_ERR_FILE_FORMAT"),
    "negative_sequence_length": (_set("sequence_length", np.array([-1.0])), "TSPAR_ERR_BAD_SEQUENCE_LENGTH"),
    "zero_sequence_length": (_set("sequence_length", np.array([0.0])), "TSPAR_ERR_BAD_SEQUENCE_LENGTH"),
    "short_uuid": (_shorten("uuid"), "TSPAR_ERR_FILE_FORMAT"),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_damaged_item(lib, tmp_path, edit):
    change, name = EDITS[edit]
    ours, theirs = _expect(_edited(tmp_path, change), name)
    expected = _tskit_error_to_tspar(str(theirs))
    if expected is not None:
        assert expected == name


def test_minor_versions_are_read(lib, tmp_path):
    """A newer minor version of the format or of kastore still loads, as in
    tskit."""
    path = _edited(tmp_path, _set("format/version", np.array([12, 99], np.uint32)))
    theirs, ours = _load_both(path)
    assert theirs is None and ours is None
    data = bytearray(_full_file_bytes())
    data[10] = 5  # kastore minor version
    theirs, ours = _load_both(_raw(tmp_path, bytes(data)))
    assert theirs is None and ours is None


def test_nan_sequence_length_rejected(lib, tmp_path):
    """tskit's loader lets a NaN sequence length through (its check is
    `L <= 0`) and fails later; tspar rejects it when loading."""
    path = _edited(tmp_path, _set("sequence_length", np.array([np.nan])))
    _expect(path, "TSPAR_ERR_BAD_SEQUENCE_LENGTH", tskit_fails=False)


def _full_file_bytes():
    with open(_full_file(), "rb") as f:
        return f.read()


def test_bad_magic(lib, tmp_path):
    data = _full_file_bytes()
    _expect(_raw(tmp_path, b"\x89KAT" + data[4:]), "TSPAR_ERR_BAD_MAGIC")
    _expect(_raw(tmp_path, b"this is a text file, not a kastore\n" * 4), "TSPAR_ERR_BAD_MAGIC")


@pytest.mark.parametrize("cut", [0, 4, 63, 64, 200, "half", "all_but_one"])
def test_truncated(lib, tmp_path, cut):
    data = _full_file_bytes()
    n = {"half": len(data) // 2, "all_but_one": len(data) - 1}.get(cut, cut)
    _expect(_raw(tmp_path, data[:n]), "TSPAR_ERR_FILE_TRUNCATED")


def test_trailing_bytes_ignored_as_tskit_does(lib, tmp_path):
    """tskit reads the number of bytes the header gives and ignores what
    follows (a stream may hold several tree sequences): tspar loads the
    first one too."""
    data = _full_file_bytes()
    second = tmp_path / "second.trees"
    case("no_sites").dump(second)
    path = _raw(tmp_path, data + second.read_bytes())
    theirs = tskit.TableCollection.load(path)
    out = tmp_path / "out.trees"
    with Tables.load(path) as t:
        t.dump(out)
    tskit.TableCollection.load(out).assert_equals(theirs)


@pytest.mark.parametrize(
    "byte,value,name",
    [
        (8, 2, "TSPAR_ERR_FILE_VERSION_TOO_NEW"),  # kastore major version
        (8, 0, "TSPAR_ERR_FILE_VERSION_TOO_OLD"),
        (64, 10, "TSPAR_ERR_BAD_COLUMN_TYPE"),  # first item's type code
    ],
)
def test_damaged_header(lib, tmp_path, byte, value, name):
    data = bytearray(_full_file_bytes())
    data[byte] = value
    _expect(_raw(tmp_path, bytes(data)), name)


def test_item_outside_the_file(lib, tmp_path):
    data = bytearray(_full_file_bytes())
    data[64 + 32 : 64 + 40] = (1 << 62).to_bytes(8, "little")  # first item's length
    _expect(_raw(tmp_path, bytes(data)), "TSPAR_ERR_BAD_ITEM_OFFSET")
    data = bytearray(_full_file_bytes())
    data[128 + 8 : 128 + 16] = (len(data) - 2).to_bytes(8, "little")  # second key's start
    _expect(_raw(tmp_path, bytes(data)), "TSPAR_ERR_BAD_ITEM_OFFSET")


def test_file_system_errors(lib, tmp_path):
    missing = tmp_path / "missing.trees"
    ours, theirs = _expect(missing, "TSPAR_ERR_FILE_NOT_FOUND")
    assert isinstance(theirs, FileNotFoundError)
    ours, theirs = _expect(tmp_path, "TSPAR_ERR_IS_A_DIRECTORY")
    assert isinstance(theirs, IsADirectoryError)

    with Tables.new(1.0) as t:
        with pytest.raises(TsparError) as e:
            t.dump(tmp_path)
        assert e.value.name == "TSPAR_ERR_IS_A_DIRECTORY"
        with pytest.raises(TsparError) as e:
            t.dump(tmp_path / "no" / "such" / "dir.trees")
        assert e.value.name == "TSPAR_ERR_FILE_NOT_FOUND"
        assert not (tmp_path / "no").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_permission_denied(lib, tmp_path):
    path = tmp_path / "locked.trees"
    case("empty").dump(path)
    path.chmod(0)
    _expect(path, "TSPAR_ERR_PERMISSION_DENIED")


def test_bad_options(lib, tmp_path):
    with pytest.raises(TsparError) as e:
        Tables.load(_full_file(), 1 << 5)
    assert e.value.name == "TSPAR_ERR_BAD_OPTIONS"
    with Tables.new(1.0) as t:
        with pytest.raises(TsparError) as e:
            t.dump(tmp_path / "x.trees", 1)
        assert e.value.name == "TSPAR_ERR_BAD_OPTIONS"
        assert not (tmp_path / "x.trees").exists()


def test_failed_dump_leaves_the_old_file(lib, tmp_path):
    """A dump that fails (here: rejected options) leaves an existing file as
    it was, and no temporary file behind."""
    target = tmp_path / "keep.trees"
    case("no_sites").dump(target)
    before = target.read_bytes()
    with Tables.load(_full_file()) as t:
        with pytest.raises(TsparError):
            t.dump(target, 1 << 3)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.trees"]


# ------------------------------------------------------------ the header's codes


def test_every_error_code_has_a_message(lib):
    codes = {name: value for name, value in C.items() if name.startswith("TSPAR_ERR_")}
    assert len(codes) >= 60
    assert len(set(codes.values())) == len(codes), "error codes must be unique"
    unknown = lib.strerror(-99999)
    for name, code in codes.items():
        assert code < 0, name
        assert error_name(code) == name
        message = lib.strerror(code)
        assert message and message != unknown, name


def test_dtype_constants_match_kastore(lib):
    for code, dtype in DTYPES.items():
        assert kas.DTYPES[code] == dtype
