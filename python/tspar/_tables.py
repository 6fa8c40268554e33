"""The tskit-like table collection of tspar: what a simulator written in
Python needs (rows and columns in, sort, simplify, bookmarks, files)."""

from __future__ import annotations

import os
from typing import Optional

import numpy as np

from . import _exec
from . import lowlevel as ll
from .lowlevel import BULK_COLUMNS, C

_FIELDS = ["time_units", "metadata", "metadata_schema"]


class Table:
    """One table of a :class:`TableCollection` (``tables.nodes``, ...):
    ``add_row``, numpy columns to read (copies) and to set, ``set_columns``,
    ``append_columns``, ``truncate`` and ``clear``."""

    def __init__(self, tables: "TableCollection", name: str):
        self._tables = tables
        self.name = name
        self.column_names = [c for c, _ in BULK_COLUMNS[name]]

    @property
    def _ll(self):
        return self._tables._ll

    @property
    def num_rows(self) -> int:
        return self._ll.num_rows(self.name)

    def __len__(self):
        return self.num_rows

    def add_row(self, *args, **kwargs) -> int:
        """Adds a row (tskit's ``add_row`` arguments for this table); returns its id."""
        return getattr(self._ll, f"add_{self.name[:-1]}")(*args, **kwargs)

    def _get(self, column):
        return self._ll.column(f"{self.name}/{column}")

    def _set(self, column, value):
        cols = {c: self._get(c) for c in self.column_names}
        cols[column] = value
        self._ll.set_columns(self.name, **cols)

    def asdict(self) -> dict:
        """Every column, as numpy arrays (copies)."""
        return {c: self._get(c) for c in self.column_names}

    def set_columns(self, **columns) -> None:
        """Replaces every row with the given columns (tskit's arguments;
        offsets start at 0; a column left out gets its default)."""
        self._ll.set_columns(self.name, **columns)

    def append_columns(self, **columns) -> None:
        """Appends rows given as columns (offsets relative to the data given)."""
        self._ll.append_columns(self.name, **columns)

    def truncate(self, num_rows: int) -> None:
        """Keeps the first ``num_rows`` rows."""
        if num_rows < 0 or num_rows > self.num_rows:
            raise ValueError("num_rows out of bounds")
        self._ll.truncate({self.name: num_rows})

    def clear(self) -> None:
        self.truncate(0)

    def __eq__(self, other):
        if not isinstance(other, Table) or other.name != self.name:
            return NotImplemented
        a, b = self.asdict(), other.asdict()
        return all(np.array_equal(a[c], b[c]) for c in a)

    def __repr__(self):
        return f"<tspar {self.name} table: {self.num_rows} rows>"


def _column_property(column):
    def get(self):
        return self._get(column)

    def set(self, value):
        self._set(column, value)

    return property(get, set, doc=f"The {column} column (a copy); assigning replaces it.")


for _c in {c for cols in BULK_COLUMNS.values() for c, _ in cols}:
    setattr(Table, _c, _column_property(_c))
del _c


class TableCollection:
    """A mutable table collection held by the tspar library.

    ``TableCollection(sequence_length)`` makes an empty one; the tables are
    ``individuals``, ``nodes``, ``edges``, ``migrations``, ``sites``,
    ``mutations``, ``populations`` and ``provenances``. It is internally
    synchronised: Python threads may use it at once."""

    def __init__(self, sequence_length: float = 0, *, _ll: Optional[ll.Tables] = None):
        self._ll = ll.Tables.new(float(sequence_length)) if _ll is None else _ll
        for name in BULK_COLUMNS:
            setattr(self, name, Table(self, name))

    # ---- files and copies

    @classmethod
    def load(cls, path, *, num_threads: Optional[int] = None, mmap: bool = False) -> "TableCollection":
        """Loads a ``.trees`` file. With ``mmap=True`` the columns are used in
        place from a read-only mapping of the file and copied on their first
        change (see :func:`tspar.load`)."""
        n = _exec._check_threads(num_threads)
        options = ll.C.TSPAR_LOAD_MMAP if mmap else 0
        return cls(_ll=ll.Tables.load(os.fspath(path), options, exec=ll.Exec(n)))

    def dump(self, path) -> None:
        self._ll.dump(os.fspath(path))

    def copy(self) -> "TableCollection":
        return TableCollection(_ll=self._ll.copy())

    @property
    def sequence_length(self) -> float:
        return self._ll.sequence_length

    @sequence_length.setter
    def sequence_length(self, value: float) -> None:
        self._ll.sequence_length = value

    @property
    def time_units(self) -> str:
        return self._ll.get_field("time_units").decode()

    @time_units.setter
    def time_units(self, value: str) -> None:
        self._ll.set_field("time_units", value)

    @property
    def metadata_bytes(self) -> bytes:
        """The top-level metadata, as bytes (its schema is not interpreted)."""
        return self._ll.get_field("metadata")

    def equals(self, other: "TableCollection", *, ignore_metadata: bool = False,
               ignore_ts_metadata: bool = False, ignore_provenance: bool = False,
               ignore_timestamps: bool = False, ignore_tables: bool = False,
               ignore_reference_sequence: bool = False) -> bool:
        """True if the two collections hold the same data (tskit's ``equals``)."""
        if not isinstance(other, TableCollection):
            raise TypeError("other must be a tspar.TableCollection")
        options = 0
        for flag, name in [(ignore_metadata, "IGNORE_METADATA"), (ignore_ts_metadata, "IGNORE_TS_METADATA"),
                           (ignore_provenance, "IGNORE_PROVENANCE"), (ignore_timestamps, "IGNORE_TIMESTAMPS"),
                           (ignore_tables, "IGNORE_TABLES"),
                           (ignore_reference_sequence, "IGNORE_REFERENCE_SEQUENCE")]:
            if flag:
                options |= C[f"TSPAR_CMP_{name}"]
        return self._ll.equals(other._ll, options)

    def __eq__(self, other):
        if not isinstance(other, TableCollection):
            return NotImplemented
        return self.equals(other)

    # ---- the operations a simulator needs

    def sort(self, edge_start: int = 0, *, num_threads: Optional[int] = None) -> None:
        """Sorts the tables as tskit's ``sort`` (edges from ``edge_start``)."""
        if edge_start < 0:
            raise ValueError("edge_start must be >= 0")
        _exec.run(lambda e: self._ll.sort(edge_start, 0, exec=e), num_threads)

    def build_index(self, *, num_threads: Optional[int] = None) -> None:
        _exec.run(lambda e: self._ll.build_index(0, exec=e), num_threads)

    def has_index(self) -> bool:
        return self._ll.has_index()

    def drop_index(self) -> None:
        self._ll.drop_index()

    def compute_mutation_parents(self) -> None:
        self._ll.compute_mutation_parents()

    def deduplicate_sites(self) -> None:
        self._ll.deduplicate_sites()

    def simplify(self, samples=None, *, filter_populations: Optional[bool] = None,
                 filter_individuals: Optional[bool] = None, filter_sites: Optional[bool] = None,
                 filter_nodes: Optional[bool] = None, update_sample_flags: Optional[bool] = None,
                 keep_unary: bool = False, keep_unary_in_individuals: Optional[bool] = None,
                 keep_input_roots: bool = False, reduce_to_site_topology: bool = False,
                 record_provenance: bool = True, num_threads: Optional[int] = None) -> np.ndarray:
        """Simplifies in place (tskit's ``simplify`` and its options) and
        returns the node map: the new id of each old node, or -1.
        ``record_provenance`` is accepted for tskit compatibility; tspar
        records no provenance row."""
        del record_provenance
        options = 0
        if filter_sites is None or filter_sites:
            options |= C.TSPAR_SIMPLIFY_FILTER_SITES
        if filter_populations is None or filter_populations:
            options |= C.TSPAR_SIMPLIFY_FILTER_POPULATIONS
        if filter_individuals is None or filter_individuals:
            options |= C.TSPAR_SIMPLIFY_FILTER_INDIVIDUALS
        if filter_nodes is not None and not filter_nodes:
            options |= C.TSPAR_SIMPLIFY_NO_FILTER_NODES
        if update_sample_flags is not None and not update_sample_flags:
            options |= C.TSPAR_SIMPLIFY_NO_UPDATE_SAMPLE_FLAGS
        if reduce_to_site_topology:
            options |= C.TSPAR_SIMPLIFY_REDUCE_TO_SITE_TOPOLOGY
        if keep_unary:
            options |= C.TSPAR_SIMPLIFY_KEEP_UNARY
        if keep_unary_in_individuals:
            options |= C.TSPAR_SIMPLIFY_KEEP_UNARY_IN_INDIVIDUALS
        if keep_input_roots:
            options |= C.TSPAR_SIMPLIFY_KEEP_INPUT_ROOTS
        if samples is not None:
            samples = np.asarray(samples)
            if samples.dtype.kind not in "iu":
                raise TypeError("samples must be integer node ids")
        node_map = np.full(max(self.nodes.num_rows, 1), -1, dtype=np.int32)
        _exec.run(lambda e: self._ll.simplify(samples, options, node_map=node_map, exec=e), num_threads)
        return node_map[: len(node_map) if self.nodes.num_rows or len(node_map) > 1 else 0]

    def record_num_rows(self) -> dict:
        """A bookmark: the number of rows of each table, as a dict."""
        return self._ll.record_num_rows()

    def truncate(self, bookmark: dict) -> None:
        """Truncates every table to the rows of ``bookmark`` (as from
        :meth:`record_num_rows`; a table left out keeps its rows)."""
        self._ll.truncate(bookmark)

    def clear(self) -> None:
        """Removes every row of every table."""
        self._ll.clear(0)

    def tree_sequence(self, *, num_threads: Optional[int] = None):
        """An immutable, indexed tree sequence made from a copy of these
        tables (which must be sorted; indexes are built if missing)."""
        from ._trees import TreeSequence

        options = C.TSPAR_TS_INIT_BUILD_INDEXES
        return TreeSequence(_exec.run(lambda e: ll.TreeSequence.from_tables(self._ll, options, exec=e),
                                      num_threads))

    # ---- tskit

    @classmethod
    def from_tskit(cls, tables) -> "TableCollection":
        """A tspar copy of a ``tskit.TableCollection`` (through columns)."""
        d = tables.asdict()
        out = cls(d["sequence_length"])
        out._ll.set_field("time_units", d.get("time_units", "unknown"))
        out._ll.set_field("metadata_schema", d.get("metadata_schema", ""))
        out._ll.set_field("metadata", d.get("metadata", b""))
        for name, spec in BULK_COLUMNS.items():
            cols = d[name]
            out._ll.set_columns(name, **{c: cols[c] for c, _ in spec if c in cols})
            schema = cols.get("metadata_schema")
            if schema is not None:
                out._ll.set_field(f"{name}/metadata_schema", schema)
        ref = d.get("reference_sequence")
        if ref:
            for key in ("data", "url", "metadata_schema", "metadata"):
                if key in ref and ref[key] is not None:
                    out._ll.set_field(f"reference_sequence/{key}", ref[key])
        if tables.has_index():
            out.build_index()
        return out

    def to_tskit(self):
        """A ``tskit.TableCollection`` with the same data (through columns)."""
        import tskit

        d = {
            "encoding_version": (1, 6),
            "sequence_length": self.sequence_length,
            "time_units": self.time_units,
            "metadata_schema": self._ll.get_field("metadata_schema").decode(),
            "metadata": self._ll.get_field("metadata"),
        }
        for name in BULK_COLUMNS:
            cols = {c: (a.view(np.int8) if a.dtype == np.uint8 else a)
                    for c, a in self._ll.table_columns(name).items()}
            if name != "provenances":
                schema = self._ll.get_field(f"{name}/metadata_schema").decode()
                if schema:
                    cols["metadata_schema"] = schema
            d[name] = cols
        ref = {key: self._ll.get_field(f"reference_sequence/{key}") for key in
               ("data", "url", "metadata_schema", "metadata")}
        if any(ref.values()):
            d["reference_sequence"] = {
                "data": ref["data"].decode(), "url": ref["url"].decode(),
                "metadata_schema": ref["metadata_schema"].decode(), "metadata": ref["metadata"],
            }
        t = tskit.TableCollection.fromdict(d)
        if self.has_index() and not t.has_index():
            t.build_index()
        return t

    def __repr__(self):
        counts = ", ".join(f"{k}={v}" for k, v in self.record_num_rows().items())
        return f"<tspar.TableCollection sequence_length={self.sequence_length}: {counts}>"
