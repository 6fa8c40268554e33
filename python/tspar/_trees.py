"""The tskit-like tree sequence, tree and statistics of tspar."""

from __future__ import annotations

import collections
import io
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Sequence, Union

import numpy as np

from . import _exec
from . import lowlevel as ll
from .lowlevel import C

Interval = collections.namedtuple("Interval", ["left", "right"])

ProgressArg = Union[bool, None, Callable[[float], Any]]
WindowsArg = Union[None, str, Sequence[float], np.ndarray]

_MODES = ("site", "branch", "node")

# Columns of the tree sequence offered as zero-copy views, as tskit names
# them (``ts.nodes_time`` is the file key "nodes/time").
_COLUMN_VIEWS = {
    "individuals": ["flags", "location", "location_offset", "parents", "parents_offset", "metadata",
                    "metadata_offset"],
    "nodes": ["flags", "time", "population", "individual", "metadata", "metadata_offset"],
    "edges": ["left", "right", "parent", "child", "metadata", "metadata_offset"],
    "migrations": ["left", "right", "node", "source", "dest", "time", "metadata", "metadata_offset"],
    "sites": ["position", "ancestral_state", "ancestral_state_offset", "metadata", "metadata_offset"],
    "mutations": ["site", "node", "parent", "time", "derived_state", "derived_state_offset", "metadata",
                  "metadata_offset"],
    "populations": ["metadata", "metadata_offset"],
    "provenances": ["timestamp", "timestamp_offset", "record", "record_offset"],
}


def _check_mode(mode):
    mode = "site" if mode is None else mode
    if not isinstance(mode, str):
        raise TypeError(f"mode must be a str, not {type(mode).__name__}")
    if mode not in _MODES:
        raise ValueError(f"mode must be one of {', '.join(_MODES)}; not {mode!r}")
    return mode


def _check_bool(name, value):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, not {type(value).__name__}")
    return bool(value)


def _int_array(value, name, ndim=None):
    """An int32 array from ids: TypeError for non-integers, ValueError for
    values out of int32's range."""
    try:
        a = np.asarray(value)
    except ValueError as e:
        raise ValueError(f"{name}: {e}") from None
    if a.dtype == object or a.dtype.kind not in "iub":
        if a.size == 0 and a.dtype.kind == "f":
            a = a.astype(np.int32)
        else:
            raise TypeError(f"{name} must hold integer ids, not {a.dtype}")
    if a.size and (a.min() < np.iinfo(np.int32).min or a.max() > np.iinfo(np.int32).max):
        raise ValueError(f"{name}: ids out of the range of int32")
    a = a.astype(np.int32, copy=False)
    if ndim is not None and a.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-d array of ids")
    return a


class TreeSequence:
    """An immutable tree sequence held by the tspar library, with tskit's
    Python API for what tspar offers (statistics, trees, tables, files).

    Make one with :func:`tspar.load`, :meth:`TreeSequence.from_tskit` or
    :meth:`TableCollection.tree_sequence`. Any number of Python threads may
    use one tree sequence at once; every library call releases the GIL."""

    def __init__(self, ll_ts: ll.TreeSequence, path: Optional[Path] = None):
        if not isinstance(ll_ts, ll.TreeSequence):
            raise TypeError("use tspar.load, TreeSequence.from_tskit or TableCollection.tree_sequence")
        self._ll = ll_ts
        self._file = None
        self._mmap = False
        if path is not None:
            st = os.stat(path)
            self._file = (os.fspath(Path(path).resolve()), st.st_size, st.st_mtime_ns)
        self._num_nodes = ll_ts.num_nodes

    # ---- making and saving

    @classmethod
    def load(cls, path, *, num_threads: Optional[int] = None, mmap: bool = False) -> "TreeSequence":
        """Loads a ``.trees`` file written by tskit or tspar. With
        ``mmap=True`` the file is mapped read-only and its columns are used
        in place, so processes loading the same file share one copy of it
        (see :func:`tspar.load`)."""
        path = os.fspath(path)
        n = _exec._check_threads(num_threads)
        options = ll.C.TSPAR_LOAD_MMAP if mmap else 0
        ts = cls(ll.TreeSequence.load(path, options, exec=ll.Exec(n)), path=Path(path))
        ts._mmap = bool(mmap)
        return ts

    @classmethod
    def from_tskit(cls, ts, *, num_threads: Optional[int] = None) -> "TreeSequence":
        """A tspar copy of a ``tskit.TreeSequence`` (through its table
        columns, without a temporary file)."""
        from ._tables import TableCollection

        return TableCollection.from_tskit(ts.dump_tables()).tree_sequence(num_threads=num_threads)

    def to_tskit(self):
        """A ``tskit.TreeSequence`` with the same tables (through the columns,
        without a temporary file)."""
        return self.dump_tables().to_tskit().tree_sequence()

    def dump(self, file) -> None:
        """Writes the tree sequence to a ``.trees`` file (a path, or a
        binary file object)."""
        if hasattr(file, "write"):
            file.write(self._to_bytes())
            return
        self._ll.dump(os.fspath(file))

    def dump_tables(self):
        """A copy of the tables, as a :class:`tspar.TableCollection`."""
        from ._tables import TableCollection

        return TableCollection(_ll=self._ll.copy_tables())

    @property
    def tables(self):
        """The tables (a copy: changing it does not change this tree sequence)."""
        return self.dump_tables()

    def _to_bytes(self) -> bytes:
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "ts.trees")
            self._ll.dump(p)
            with open(p, "rb") as f:
                return f.read()

    @classmethod
    def _from_bytes(cls, data: bytes) -> "TreeSequence":
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "ts.trees")
            with open(p, "wb") as f:
                f.write(data)
            return cls(ll.TreeSequence.load(p, exec=ll.Exec(_exec._check_threads(None))))

    # ---- pickling: by path when loaded from a file, else by bytes

    def __reduce__(self):
        if self._file is not None:
            if self._mmap:
                return (_unpickle_path, self._file + (True,))
            return (_unpickle_path, self._file)
        return (TreeSequence._from_bytes, (self._to_bytes(),))

    # ---- sizes

    @property
    def num_trees(self) -> int:
        return self._ll.num_trees

    @property
    def num_samples(self) -> int:
        return self._ll.num_samples

    @property
    def num_nodes(self) -> int:
        return self._num_nodes

    @property
    def num_edges(self) -> int:
        return self._ll.num_edges

    @property
    def num_sites(self) -> int:
        return self._ll.num_sites

    @property
    def num_mutations(self) -> int:
        return self._ll.num_mutations

    @property
    def num_individuals(self) -> int:
        return self._ll.num_rows("individuals")

    @property
    def num_populations(self) -> int:
        return self._ll.num_rows("populations")

    @property
    def num_migrations(self) -> int:
        return self._ll.num_rows("migrations")

    @property
    def num_provenances(self) -> int:
        return self._ll.num_rows("provenances")

    @property
    def sequence_length(self) -> float:
        return self._ll.sequence_length

    @property
    def time_units(self) -> str:
        """The units of node times ("generations", "uncalibrated", ...)."""
        return self._ll.column("time_units").tobytes().decode()

    @property
    def discrete_genome(self) -> bool:
        """True if every coordinate is an integer (as tskit)."""
        cols = [self.edges_left, self.edges_right, self.sites_position, self.migrations_left,
                self.migrations_right]
        return bool(float(self.sequence_length).is_integer() and all(np.all(np.floor(c) == c) for c in cols))

    def column(self, name: str) -> np.ndarray:
        """A read-only zero-copy view of a column by its file key
        ("nodes/time", "edges/parent", ...); it keeps the tree sequence's
        data alive as long as it lives."""
        return self._ll.column(name)

    def samples(self, population: Optional[int] = None, *, population_id: Optional[int] = None,
                time=None) -> np.ndarray:
        """The sample node ids, in increasing order; only those in
        ``population`` and (a number or an interval [t0, t1)) at ``time``
        when given."""
        if population is not None and population_id is not None:
            raise ValueError("population_id and population are aliases; cannot specify both")
        if population_id is not None:
            population = population_id
        s = self._ll.samples()
        keep = np.ones(s.size, dtype=bool)
        if population is not None:
            keep &= self.nodes_population[s] == population
        if time is not None:
            t = self.nodes_time[s]
            if np.ndim(time) == 0:
                keep &= t == time
            else:
                t0, t1 = time
                keep &= (t >= t0) & (t < t1)
        return s[keep] if not keep.all() else np.array(s)

    def breakpoints(self, as_array: bool = False):
        """The tree boundaries (num_trees + 1 positions): an iterator, or a
        read-only array with ``as_array=True``."""
        b = self._ll.breakpoints()
        return b if as_array else iter(b.tolist())

    # ---- trees

    def trees(self, *, sample_lists: bool = False) -> Iterator["Tree"]:
        """Iterates over the trees left to right. As in tskit, the same
        :class:`Tree` object is returned at each step, moved to the next tree."""
        if sample_lists:
            raise ValueError("sample_lists is not supported by tspar")
        tree = Tree(self)
        while tree.next():
            yield tree

    def aslist(self) -> list:
        """Every tree as its own Tree object."""
        out = []
        for j in range(self.num_trees):
            t = Tree(self)
            t.seek_index(j)
            out.append(t)
        return out

    def first(self) -> "Tree":
        t = Tree(self)
        t.first()
        return t

    def last(self) -> "Tree":
        t = Tree(self)
        t.last()
        return t

    def at(self, position: float) -> "Tree":
        t = Tree(self)
        t.seek(position)
        return t

    def at_index(self, index: int) -> "Tree":
        t = Tree(self)
        t.seek_index(index)
        return t

    # ---- statistics helpers (tskit's argument handling and dimension
    # dropping, on top of the low-level layer that keeps every dimension)

    def parse_windows(self, windows) -> np.ndarray:
        """Windows as tskit parses them: None is [0, L], "trees" the tree
        breakpoints, "sites" breakpoints at each site."""
        if windows is None:
            return np.array([0.0, self.sequence_length])
        if isinstance(windows, str):
            if windows == "trees":
                return np.array(self.breakpoints(as_array=True))
            if windows == "sites":
                w = np.concatenate([[] if self.num_sites > 0 else [0.0], self.sites_position,
                                    [self.sequence_length]])
                w[0] = 0.0
                return w
            raise ValueError(f"Unrecognized window specification {windows}: the only allowed strings are "
                             "'sites' or 'trees'")
        try:
            w = np.asarray(windows, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError("windows must be None, 'trees', 'sites' or an array of positions") from None
        if w.ndim != 1:
            raise ValueError("windows must be a 1-d array of positions")
        return w

    def _run(self, call, num_threads, progress, desc):
        return _exec.run(call, num_threads, progress, desc)

    @staticmethod
    def _sets_one_way(sample_sets):
        drop = False
        try:
            a = np.asarray(sample_sets)
        except ValueError:
            a = None
        if a is not None and a.dtype != object and a.ndim == 1:
            sample_sets = [a]
            drop = True
        elif isinstance(sample_sets, (str, bytes)) or not hasattr(sample_sets, "__len__"):
            raise TypeError("sample_sets must be a list of lists of node ids")
        sets = [_int_array(s, "sample_sets", 1) for s in sample_sets]
        if any(s.size == 0 for s in sets):
            raise ValueError("Sample sets must contain at least one element")
        return sets, drop

    def _one_way(self, name, sample_sets, windows, mode, span_normalise, polarised, num_threads, progress,
                 extra=0, default_all=True):
        if sample_sets is None:
            if not default_all:
                raise TypeError(f"{name}() needs sample_sets")
            sample_sets = self.samples()
        mode = _check_mode(mode)
        span_normalise = _check_bool("span_normalise", span_normalise)
        sets, drop = self._sets_one_way(sample_sets)
        w = None if windows is None else self.parse_windows(windows)
        stat = self._run(
            lambda e: self._ll.one_way(name, sets, windows=w, mode=mode, span_normalise=span_normalise,
                                       polarised=polarised, exec=e, extra=extra),
            num_threads, progress, name,
        )
        if windows is None:
            stat = stat[0]
        if drop:
            stat = stat.reshape(stat.shape[:-1])
            if stat.shape == () and windows is None:
                stat = stat[()]
        return stat

    def _k_way(self, name, k, sample_sets, indexes, windows, mode, span_normalise, polarised, num_threads,
               progress, extra=0):
        mode = _check_mode(mode)
        span_normalise = _check_bool("span_normalise", span_normalise)
        if isinstance(sample_sets, (str, bytes)) or not hasattr(sample_sets, "__len__"):
            raise TypeError("sample_sets must be a list of lists of node ids")
        sets = [_int_array(s, "sample_sets", 1) for s in sample_sets]
        if any(s.size == 0 for s in sets):
            raise ValueError("Sample sets must contain at least one element")
        drop_based_on_index = False
        if indexes is None:
            drop_based_on_index = True
            if len(sets) != k:
                raise ValueError(f"Must specify indexes if there are not exactly {k} sample sets.")
            indexes = np.arange(k, dtype=np.int32)
        idx = _int_array(indexes, "indexes")
        drop = False
        if idx.ndim == 1:
            idx = idx.reshape((1, idx.shape[0]))
            drop = True
        if idx.ndim != 2 or idx.shape[1] != k:
            raise ValueError(f"Indexes must be convertable to a 2D numpy array with {k} columns")
        w = None if windows is None else self.parse_windows(windows)
        stat = self._run(
            lambda e: self._ll.k_way(name, sets, idx, windows=w, mode=mode, span_normalise=span_normalise,
                                     polarised=polarised, exec=e, extra=extra),
            num_threads, progress, name,
        )
        if windows is None:
            stat = stat[0]
        if drop:
            stat = stat.reshape(stat.shape[:-1])
            if stat.shape == () and windows is None and drop_based_on_index:
                stat = stat[()]
        return stat

    def _weights(self, W):
        W = np.asarray(W)
        if W.dtype == object or W.dtype.kind not in "iubf":
            raise TypeError("W must be a numeric array")
        if W.ndim != 2:
            raise ValueError("W must be a 2-d array: one row per sample, one column per weight")
        if W.shape[0] != self.num_samples:
            raise ValueError("First trait dimension must be equal to number of samples.")
        return W.astype(np.float64)

    # ---- one-way statistics

    def diversity(self, sample_sets=None, windows: WindowsArg = None, mode: str = "site",
                  span_normalise: bool = True, *, num_threads: Optional[int] = None,
                  progress: ProgressArg = None):
        """Mean pairwise genetic diversity within each sample set (tskit's
        ``diversity``): ``sample_sets`` is a list of lists of sample ids (a
        single list gives one dimension fewer; None is all samples);
        ``windows`` None, "trees", "sites" or breakpoints from 0 to L;
        ``mode`` "site", "branch" or "node"; ``span_normalise`` divides by
        each window's span. ``num_threads``: threads of the library (None:
        ``TSPAR_NUM_THREADS``, else all cores); ``progress``: True for a
        progress bar (tqdm), or a callable taking the fraction done that
        returns True to cancel. The result has shape (windows, sample sets)
        ((windows, nodes, sample sets) in node mode), without the windows
        dimension when ``windows`` is None."""
        return self._one_way("diversity", sample_sets, windows, mode, span_normalise, False, num_threads,
                             progress)

    def segregating_sites(self, sample_sets=None, windows: WindowsArg = None, mode: str = "site",
                          span_normalise: bool = True, *, num_threads: Optional[int] = None,
                          progress: ProgressArg = None):
        """The density of segregating sites in each sample set (tskit's
        ``segregating_sites``); arguments and shapes as :meth:`diversity`."""
        return self._one_way("segregating_sites", sample_sets, windows, mode, span_normalise, False,
                             num_threads, progress)

    def Y1(self, sample_sets, windows: WindowsArg = None, mode: str = "site", span_normalise: bool = True, *,
           num_threads: Optional[int] = None, progress: ProgressArg = None):
        """The Y1 statistic of each sample set (tskit's ``Y1``); arguments
        and shapes as :meth:`diversity`."""
        return self._one_way("Y1", sample_sets, windows, mode, span_normalise, False, num_threads, progress,
                             default_all=False)

    def Tajimas_D(self, sample_sets=None, windows: WindowsArg = None, mode: str = "site", *,
                  num_threads: Optional[int] = None, progress: ProgressArg = None):
        """Tajima's D of each sample set (tskit's ``Tajimas_D``), computed by
        the library; arguments and shapes as :meth:`diversity`."""
        return self._one_way("Tajimas_D", sample_sets, windows, mode, True, False, num_threads, progress)

    # ---- k-way statistics

    def divergence(self, sample_sets, indexes=None, windows: WindowsArg = None, mode: str = "site",
                   span_normalise: bool = True, *, num_threads: Optional[int] = None,
                   progress: ProgressArg = None):
        """Mean pairwise divergence between pairs of sample sets (tskit's
        ``divergence``). ``indexes``: pairs of sample-set indexes (a list of
        pairs; one pair gives one dimension fewer; None needs exactly two
        sample sets). Result shape (windows, pairs) ((windows, nodes, pairs)
        in node mode), without the windows dimension when ``windows`` is
        None. Other arguments as :meth:`diversity`."""
        return self._k_way("divergence", 2, sample_sets, indexes, windows, mode, span_normalise, False,
                           num_threads, progress)

    def Fst(self, sample_sets, indexes=None, windows: WindowsArg = None, mode: str = "site",
            span_normalise: bool = True, *, num_threads: Optional[int] = None, progress: ProgressArg = None):
        """Hudson's Fst between pairs of sample sets (tskit's ``Fst``:
        1 - 2 (d1 + d2) / (d1 + d2 + 2 d12) from diversities and divergence),
        computed by the library in one pass. Arguments and shapes as
        :meth:`divergence`."""
        return self._k_way("Fst", 2, sample_sets, indexes, windows, mode, span_normalise, False, num_threads,
                           progress)

    def Y2(self, sample_sets, indexes=None, windows: WindowsArg = None, mode: str = "site",
           span_normalise: bool = True, *, num_threads: Optional[int] = None, progress: ProgressArg = None):
        """The Y2 statistic between pairs of sample sets (tskit's ``Y2``);
        arguments and shapes as :meth:`divergence`."""
        return self._k_way("Y2", 2, sample_sets, indexes, windows, mode, span_normalise, False, num_threads,
                           progress)

    def f2(self, sample_sets, indexes=None, windows: WindowsArg = None, mode: str = "site",
           span_normalise: bool = True, *, num_threads: Optional[int] = None, progress: ProgressArg = None):
        """Patterson's f2 between pairs of sample sets (tskit's ``f2``);
        arguments and shapes as :meth:`divergence`."""
        return self._k_way("f2", 2, sample_sets, indexes, windows, mode, span_normalise, False, num_threads,
                           progress)

    def Y3(self, sample_sets, indexes=None, windows: WindowsArg = None, mode: str = "site",
           span_normalise: bool = True, *, num_threads: Optional[int] = None, progress: ProgressArg = None):
        """The Y3 statistic for triples of sample sets (tskit's ``Y3``);
        ``indexes`` are triples. Otherwise as :meth:`divergence`."""
        return self._k_way("Y3", 3, sample_sets, indexes, windows, mode, span_normalise, False, num_threads,
                           progress)

    def f3(self, sample_sets, indexes=None, windows: WindowsArg = None, mode: str = "site",
           span_normalise: bool = True, *, num_threads: Optional[int] = None, progress: ProgressArg = None):
        """Patterson's f3 for triples of sample sets (tskit's ``f3``);
        ``indexes`` are triples. Otherwise as :meth:`divergence`."""
        return self._k_way("f3", 3, sample_sets, indexes, windows, mode, span_normalise, False, num_threads,
                           progress)

    def f4(self, sample_sets, indexes=None, windows: WindowsArg = None, mode: str = "site",
           span_normalise: bool = True, *, num_threads: Optional[int] = None, progress: ProgressArg = None):
        """Patterson's f4 for quadruples of sample sets (tskit's ``f4``);
        ``indexes`` are quadruples. Otherwise as :meth:`divergence`."""
        return self._k_way("f4", 4, sample_sets, indexes, windows, mode, span_normalise, False, num_threads,
                           progress)

    def genetic_relatedness(self, sample_sets, indexes=None, windows: WindowsArg = None, mode: str = "site",
                            span_normalise: bool = True, polarised: bool = True, proportion: bool = True,
                            centre: bool = True, *, num_threads: Optional[int] = None,
                            progress: ProgressArg = None):
        """Genetic relatedness between pairs of sample sets (tskit's
        ``genetic_relatedness``): ``polarised`` counts derived alleles only,
        ``proportion`` divides by the segregating sites of all the samples
        involved, ``centre`` centres by the mean allele frequency. Shapes as
        :meth:`divergence`."""
        polarised = _check_bool("polarised", polarised)
        extra = (0 if _check_bool("centre", centre) else C.TSPAR_STAT_NONCENTRED) | (
            C.TSPAR_STAT_PROPORTION if _check_bool("proportion", proportion) else 0)
        return self._k_way("genetic_relatedness", 2, sample_sets, indexes, windows, mode, span_normalise,
                           polarised, num_threads, progress, extra=extra)

    # ---- weighted statistics

    def trait_covariance(self, W, windows: WindowsArg = None, mode: str = "site", span_normalise: bool = True,
                         *, num_threads: Optional[int] = None, progress: ProgressArg = None):
        """Covariance of each trait (a column of ``W``, one row per sample)
        with genotypes (tskit's ``trait_covariance``). Shape (windows,
        traits), without windows when ``windows`` is None."""
        return self._weighted("trait_covariance", W, windows, mode, span_normalise, num_threads, progress)

    def trait_correlation(self, W, windows: WindowsArg = None, mode: str = "site", span_normalise: bool = True,
                          *, num_threads: Optional[int] = None, progress: ProgressArg = None):
        """Correlation of each trait with genotypes (tskit's
        ``trait_correlation``); as :meth:`trait_covariance`."""
        return self._weighted("trait_correlation", W, windows, mode, span_normalise, num_threads, progress)

    def _weighted(self, name, W, windows, mode, span_normalise, num_threads, progress):
        mode = _check_mode(mode)
        W = self._weights(W)
        w = None if windows is None else self.parse_windows(windows)
        stat = self._run(lambda e: self._ll.weighted(name, W, windows=w, mode=mode,
                                                     span_normalise=_check_bool("span_normalise",
                                                                                span_normalise), exec=e),
                         num_threads, progress, name)
        return stat[0] if windows is None else stat

    def genetic_relatedness_weighted(self, W, indexes=None, windows: WindowsArg = None, mode: str = "site",
                                     span_normalise: bool = True, polarised: bool = False, centre: bool = True,
                                     *, num_threads: Optional[int] = None, progress: ProgressArg = None):
        """Genetic relatedness between pairs of weight vectors (columns of
        ``W``; tskit's ``genetic_relatedness_weighted``). ``indexes``: pairs
        of columns (None needs exactly two columns; one pair drops that
        dimension)."""
        mode = _check_mode(mode)
        W = self._weights(W)
        if indexes is None:
            if W.shape[1] != 2:
                raise ValueError("Must specify indexes if there are not exactly 2 columns in W.")
            indexes = np.arange(2, dtype=np.int32)
        idx = _int_array(indexes, "indexes")
        drop = False
        if idx.ndim == 1:
            idx = idx.reshape((1, idx.shape[0]))
            drop = True
        if idx.ndim != 2 or idx.shape[1] != 2:
            raise ValueError("Indexes must be convertable to a 2D numpy array with 2 columns")
        w = None if windows is None else self.parse_windows(windows)
        stat = self._run(
            lambda e: self._ll.genetic_relatedness_weighted(
                W, idx, windows=w, mode=mode, span_normalise=_check_bool("span_normalise", span_normalise),
                polarised=_check_bool("polarised", polarised), centre=_check_bool("centre", centre), exec=e),
            num_threads, progress, "genetic_relatedness_weighted",
        )
        if windows is None:
            stat = stat[0]
        if drop:
            stat = stat.reshape(stat.shape[:-1])
        return stat

    def genetic_relatedness_vector(self, W, windows: WindowsArg = None, mode: str = "site",
                                   span_normalise: bool = True, centre: bool = True, nodes=None, *,
                                   num_threads: Optional[int] = None, progress: ProgressArg = None):
        """The genetic relatedness matrix times ``W`` (one row per sample),
        without building the matrix (tskit's ``genetic_relatedness_vector``):
        shape (num nodes, num columns), with a leading windows dimension
        when ``windows`` is given. ``nodes`` (focal nodes, default the
        samples) needs ``centre=False``. Branch mode as tskit; site mode
        (tskit has none), centred, equals tskit's site-mode
        ``genetic_relatedness_matrix`` of one-sample sets times ``W``."""
        mode = _check_mode(mode)
        W = np.asarray(W, dtype=np.float64)
        if W.ndim == 1:
            W = W.reshape(W.shape[0], 1)
        W = self._weights(W)
        centre = _check_bool("centre", centre)
        if nodes is not None and centre:
            raise ValueError("If `nodes` is provided, must have centre=False.")
        w = None if windows is None else self.parse_windows(windows)
        stat = self._run(
            lambda e: self._ll.genetic_relatedness_vector(
                W, windows=w, mode=mode, span_normalise=_check_bool("span_normalise", span_normalise),
                centre=centre, nodes=None if nodes is None else _int_array(nodes, "nodes"), exec=e),
            num_threads, progress, "genetic_relatedness_vector",
        )
        return stat[0] if windows is None else stat

    def pca(self, num_components: int, windows: WindowsArg = None, samples=None, individuals=None,
            time_windows=None, mode: str = "branch", centre: bool = True, num_iterations: int = 5,
            num_oversamples: Optional[int] = None, random_seed: Optional[int] = None, range_sketch=None, *,
            num_threads: Optional[int] = None, progress: ProgressArg = None):
        """Principal components of the genetic relatedness matrix (tskit's
        ``pca``), by randomized SVD in the library: returns an object with
        ``factors``, ``eigenvalues``, ``range_sketch`` and ``error_bound``
        (tskit's shapes). Without ``range_sketch`` the starting vectors
        come from tspar's own generator seeded by ``random_seed``, not
        numpy's; ``time_windows`` is not supported (None only)."""
        import collections
        if time_windows is not None:
            raise ValueError("time_windows is not supported by tspar")
        if not isinstance(num_iterations, int) or num_iterations < 1:
            raise ValueError("num_iterations should be a positive integer.")
        if samples is not None and individuals is not None:
            raise ValueError("Samples and individuals cannot be used at the same time")
        mode = _check_mode(mode)
        dim = len(individuals) if individuals is not None else (
            len(samples) if samples is not None else self.num_samples)
        if not 1 <= num_components <= dim:
            raise ValueError("Number of components must be less than or equal to "
                             "the number of samples (or individuals, if specified).")
        drop = windows is None
        w = None if windows is None else self.parse_windows(windows)
        if num_oversamples is not None and range_sketch is not None:
            raise ValueError("Cannot specify both num_oversamples and range_sketch.")
        if range_sketch is not None:
            range_sketch = np.asarray(range_sketch, dtype=np.float64)
            if drop:
                range_sketch = range_sketch[np.newaxis]
            num_oversamples = range_sketch.shape[-1] - num_components
        elif num_oversamples is None:
            num_oversamples = min(10, dim - num_components)
        seed = 0 if random_seed is None else int(random_seed)
        f, e, q, b = self._run(
            lambda ex: self._ll.pca(num_components, windows=w, samples=samples, individuals=individuals,
                                    mode=mode, centre=_check_bool("centre", centre), num_iterations=num_iterations,
                                    num_oversamples=num_oversamples, random_seed=seed, range_sketch=range_sketch,
                                    exec=ex),
            num_threads, progress, "pca",
        )
        if drop:
            f, e, q, b = f[0], e[0], q[0], b[0]
        PCAResult = collections.namedtuple("PCAResult", ["factors", "eigenvalues", "range_sketch", "error_bound"])
        return PCAResult(f, e, q, b)

    # ---- spectra and matrices

    def allele_frequency_spectrum(self, sample_sets=None, windows: WindowsArg = None, time_windows=None,
                                  mode: str = "site", span_normalise: bool = True, polarised: bool = False, *,
                                  num_threads: Optional[int] = None, progress: ProgressArg = None):
        """The joint allele frequency spectrum of the sample sets (tskit's
        ``allele_frequency_spectrum``): shape (n1 + 1, n2 + 1, ...), with a
        leading windows dimension when ``windows`` is given. Site and
        branch modes; ``time_windows`` is not supported (None only)."""
        if time_windows is not None:
            raise ValueError("time_windows is not supported by tspar")
        mode = _check_mode(mode)
        if sample_sets is None:
            sample_sets = [self.samples()]
        sets, _ = self._sets_one_way(sample_sets)
        w = None if windows is None else self.parse_windows(windows)
        stat = self._run(
            lambda e: self._ll.allele_frequency_spectrum(
                sets, windows=w, mode=mode, span_normalise=_check_bool("span_normalise", span_normalise),
                polarised=_check_bool("polarised", polarised), exec=e),
            num_threads, progress, "allele_frequency_spectrum",
        )
        return stat[0] if windows is None else stat

    def _matrix(self, name, sample_sets, windows, num_threads, mode, span_normalise, progress):
        mode = _check_mode(mode)
        if sample_sets is None:
            sets = [np.array([u], dtype=np.int32) for u in self.samples()]
        else:
            sets = [_int_array(s, "sample_sets", 1) for s in sample_sets]
        w = None if windows is None else self.parse_windows(windows)
        stat = self._run(
            lambda e: self._ll.matrix(name, sets, windows=w, mode=mode,
                                      span_normalise=_check_bool("span_normalise", span_normalise), exec=e),
            num_threads, progress, name,
        )
        return stat[0] if windows is None else stat

    def divergence_matrix(self, sample_sets=None, *, windows: WindowsArg = None,
                          num_threads: Optional[int] = None, mode: Optional[str] = None,
                          span_normalise: bool = True, progress: ProgressArg = None):
        """The matrix of mean divergences between every pair of sample sets
        (tskit's ``divergence_matrix``; None: every sample on its own).
        Shape (K, K), with a leading windows dimension when ``windows`` is
        given. ``num_threads`` None or 0: the library's default."""
        return self._matrix("divergence_matrix", sample_sets, windows, num_threads, mode, span_normalise,
                            progress)

    def genetic_relatedness_matrix(self, sample_sets=None, *, windows: WindowsArg = None,
                                   num_threads: Optional[int] = None, mode: Optional[str] = None,
                                   span_normalise: bool = True, progress: ProgressArg = None):
        """The genetic relatedness matrix of the sample sets (tskit's
        ``genetic_relatedness_matrix``), computed by the library; shapes as
        :meth:`divergence_matrix`."""
        return self._matrix("genetic_relatedness_matrix", sample_sets, windows, num_threads, mode,
                            span_normalise, progress)

    # ---- two-locus statistics

    _LD_STATS = {
        "r2": 0, "r": 1, "D2": 2, "D": 3, "D_prime": 4, "Dz": 5, "pi2": 6, "D2_unbiased": 7,
        "Dz_unbiased": 8, "pi2_unbiased": 9,
    }

    def ld_matrix(self, sample_sets=None, mode="site", stat="r2", sites=None, positions=None, indexes=None, *,
                  num_threads: Optional[int] = None, progress: ProgressArg = None):
        """A two-locus statistic between pairs of sites (``mode="site"``)
        or the trees at pairs of positions (``mode="branch"``), as tskit's
        ``ld_matrix``, computed by the library on ``num_threads`` threads.
        ``sites`` / ``positions``: ``[row, col]`` lists or ``[both]``;
        None: every site, or the left end of every tree. ``indexes``: pairs
        of sample sets for the two-way forms of r2, D2 and D2_unbiased.
        Shape (rows, cols), with a leading sample-set (or index) dimension
        when ``sample_sets`` is a list of lists (``indexes`` a list of pairs)."""
        if stat not in self._LD_STATS:
            raise ValueError(f"Unknown two-locus statistic '{stat}', we support: {list(self._LD_STATS)}")
        if mode not in ("site", "branch"):
            raise ValueError(f"mode must be 'site' or 'branch', not {mode!r}")

        def parse(arg, name):
            if arg is None:
                return None, None
            if any(not hasattr(a, "__getitem__") or isinstance(a, str) for a in arg):
                raise ValueError(f"{name} must be a list of lists, tuples, or ndarrays")
            if len(arg) == 2:
                return arg[0], arg[1]
            if len(arg) == 1:
                return arg[0], arg[0]
            raise ValueError(f"{name} must be a length 1 or 2 list, got a length {len(arg)} list")

        row_sites, col_sites = parse(sites, "Sites")
        row_pos, col_pos = parse(positions, "Positions")
        if row_sites is not None:
            row_sites, col_sites = _int_array(row_sites, "sites", 1), _int_array(col_sites, "sites", 1)
        if row_pos is not None:
            row_pos = np.asarray(row_pos, dtype=np.float64)
            col_pos = np.asarray(col_pos, dtype=np.float64)
        drop = False
        if indexes is None:
            if sample_sets is None:
                sample_sets = self.samples()
            sets, drop = self._sets_one_way(sample_sets)
            idx = None
        else:
            if isinstance(sample_sets, (str, bytes)) or not hasattr(sample_sets, "__len__"):
                raise TypeError("sample_sets must be a list of lists of node ids")
            sets = [_int_array(s, "sample_sets", 1) for s in sample_sets]
            if any(s.size == 0 for s in sets):
                raise ValueError("Sample sets must contain at least one element")
            idx = _int_array(indexes, "indexes")
            if idx.ndim == 1:
                idx = idx.reshape((1, idx.shape[0]))
                drop = True
            if idx.ndim != 2 or idx.shape[1] != 2:
                raise ValueError("Indexes must be convertable to a 2D numpy array with 2 columns")
        code = self._LD_STATS[stat]
        out = self._run(
            lambda e: self._ll.ld_matrix(sets, code, indexes=idx, row_sites=row_sites, col_sites=col_sites,
                                         row_positions=row_pos, col_positions=col_pos, mode=mode, exec=e),
            num_threads, progress, "ld_matrix",
        )
        return out[0] if drop else out

    # ---- pair coalescence

    def pair_coalescence_counts(self, sample_sets=None, indexes=None, windows=None, span_normalise=True,
                                pair_normalise=False, time_windows="nodes", *, num_threads: Optional[int] = None,
                                progress: ProgressArg = None):
        """The number of sample pairs coalescing at each node (or in each
        time window of node times), weighted by span, as tskit's
        ``pair_coalescence_counts``; computed by the library on
        ``num_threads`` threads. Shape (windows, indexes, nodes or time
        windows), dropping the windows dimension when ``windows`` is None
        and the indexes dimension when ``indexes`` is None."""
        if sample_sets is None:
            sample_sets = [self.samples()]
        sets = [_int_array(s, "sample_sets", 1) for s in sample_sets]
        drop_middle = False
        if indexes is None:
            drop_middle = True
            if len(sets) == 1:
                indexes = [(0, 0)]
            elif len(sets) == 2:
                indexes = [(0, 1)]
            else:
                raise ValueError("Must specify indexes if there are more than two sample sets")
        idx = _int_array(indexes, "indexes")
        if idx.ndim != 2 or idx.shape[1] != 2:
            raise ValueError("Indexes must be convertable to a 2D numpy array with 2 columns")
        drop_left = windows is None
        w = None if windows is None else self.parse_windows(windows)
        if isinstance(time_windows, str) and time_windows == "nodes":
            node_bin_map, num_bins = None, self.num_nodes
        else:
            if self.time_units == "uncalibrated":
                raise ValueError("Time windows require calibrated node times")
            tw = np.asarray(time_windows, dtype=np.float64)
            num_bins = len(tw) - 1
            # The bins of node times, as tskit's Python makes them.
            node_bin_map = np.digitize(self.nodes_time, tw) - 1
            node_bin_map[node_bin_map == num_bins] = -1
            node_bin_map = node_bin_map.astype(np.int32)
        out = self._run(
            lambda e: self._ll.pair_coalescence_counts(
                sets, idx, windows=w, node_bin_map=node_bin_map, num_bins=num_bins,
                span_normalise=_check_bool("span_normalise", span_normalise),
                pair_normalise=_check_bool("pair_normalise", pair_normalise), exec=e),
            num_threads, progress, "pair_coalescence_counts",
        )
        if drop_middle:
            out = out[:, 0, :]
        if drop_left:
            out = out[0]
        return out

    def _pair_sets(self, sample_sets, indexes):
        if sample_sets is None:
            sample_sets = [self.samples()]
        sets = [_int_array(s, "sample_sets", 1) for s in sample_sets]
        drop = False
        if indexes is None:
            drop = True
            if len(sets) == 1:
                indexes = [(0, 0)]
            elif len(sets) == 2:
                indexes = [(0, 1)]
            else:
                raise ValueError("Must specify indexes if there are more than two sample sets")
        idx = _int_array(indexes, "indexes")
        if idx.ndim != 2 or idx.shape[1] != 2:
            raise ValueError("Indexes must be convertable to a 2D numpy array with 2 columns")
        return sets, idx, drop

    def pair_coalescence_quantiles(self, quantiles, sample_sets=None, indexes=None, windows=None, *,
                                   num_threads: Optional[int] = None, progress: ProgressArg = None):
        """Quantiles of pair coalescence times (tskit's
        ``pair_coalescence_quantiles``), computed by the library. Shape
        (windows, indexes, quantiles), dropping dimensions as tskit does."""
        sets, idx, drop_middle = self._pair_sets(sample_sets, indexes)
        if self.time_units == "uncalibrated":
            raise ValueError("Pair coalescence quantiles require calibrated node times")
        w = None if windows is None else self.parse_windows(windows)
        # One bin per distinct node time, as tskit's Python makes them.
        times, node_bin_map = np.unique(self.nodes_time, return_inverse=True)
        node_bin_map = node_bin_map.astype(np.int32)
        out = self._run(
            lambda e: self._ll.pair_coalescence_quantiles(sets, idx, node_bin_map, len(times), quantiles,
                                                          windows=w, exec=e),
            num_threads, progress, "pair_coalescence_quantiles",
        )
        if drop_middle:
            out = out[:, 0, :]
        return out[0] if windows is None else out

    def pair_coalescence_rates(self, time_windows, sample_sets=None, indexes=None, windows=None, *,
                               num_threads: Optional[int] = None, progress: ProgressArg = None):
        """Rates of pair coalescence in ``time_windows`` (tskit's
        ``pair_coalescence_rates``), computed by the library. Shape
        (windows, indexes, time windows), dropping dimensions as tskit does."""
        sets, idx, drop_middle = self._pair_sets(sample_sets, indexes)
        if self.time_units == "uncalibrated":
            raise ValueError("Pair coalescence rates require calibrated node times")
        w = None if windows is None else self.parse_windows(windows)
        tw = np.asarray(time_windows, dtype=np.float64)
        # Each node's time window, as tskit's Python makes them.
        node_bin_map = np.digitize(self.nodes_time, tw) - 1
        node_bin_map[node_bin_map == tw.size - 1] = -1
        node_bin_map = node_bin_map.astype(np.int32)
        out = self._run(
            lambda e: self._ll.pair_coalescence_rates(sets, idx, node_bin_map, tw, windows=w, exec=e),
            num_threads, progress, "pair_coalescence_rates",
        )
        if drop_middle:
            out = out[:, 0, :]
        return out[0] if windows is None else out

    # ---- general statistics

    def general_stat(self, W, f, output_dim, windows: WindowsArg = None, polarised: bool = False,
                     mode: Optional[str] = None, span_normalise: bool = True, strict: bool = True, *,
                     num_threads: Optional[int] = None, progress: ProgressArg = None):
        """A statistic from a summary function ``f`` of the weights
        (tskit's ``general_stat``). ``f`` is called from the library's
        worker threads (holding the GIL while it runs), so a pure-Python
        ``f`` gains little from threads."""
        mode = _check_mode(mode)
        W = np.asarray(W, dtype=np.float64)
        if W.ndim != 2 or W.shape[0] != self.num_samples:
            raise ValueError("W must have one row per sample")
        output_dim = int(output_dim)
        if output_dim < 1:
            raise ValueError("output_dim must be >= 1")
        if strict:
            total = np.sum(W, axis=0)
            for x in [total, total * 0.0]:
                with np.errstate(invalid="ignore", divide="ignore"):
                    fx = np.array(f(x))
                fx[np.isnan(fx)] = 0.0
                if not np.allclose(fx, np.zeros((output_dim,))):
                    raise ValueError("Summary function does not return zero for both zero weight and total "
                                     "weight.")
        w = None if windows is None else self.parse_windows(windows)
        stat = self._run(
            lambda e: self._ll.general_stat(W, f, output_dim, windows=w, mode=mode,
                                            span_normalise=_check_bool("span_normalise", span_normalise),
                                            polarised=_check_bool("polarised", polarised), exec=e),
            num_threads, progress, "general_stat",
        )
        return stat[0] if windows is None else stat

    def sample_count_stat(self, sample_sets, f, output_dim, windows: WindowsArg = None,
                          polarised: bool = False, mode: Optional[str] = None, span_normalise: bool = True,
                          strict: bool = True, *, num_threads: Optional[int] = None,
                          progress: ProgressArg = None):
        """A statistic from a summary function of the counts of samples of
        each sample set below each branch (tskit's ``sample_count_stat``)."""
        sets = [_int_array(s, "sample_sets", 1) for s in sample_sets]
        samples = self.samples()
        index = {int(u): j for j, u in enumerate(samples)}
        W = np.zeros((len(samples), len(sets)))
        for k, s in enumerate(sets):
            for u in s:
                if int(u) not in index:
                    raise ValueError(f"{u} is not a sample")
                W[index[int(u)], k] = 1
        return self.general_stat(W, f, output_dim, windows=windows, polarised=polarised, mode=mode,
                                 span_normalise=span_normalise, strict=strict, num_threads=num_threads,
                                 progress=progress)

    def __repr__(self):
        return (f"<tspar.TreeSequence: {self.num_trees} trees, {self.num_samples} samples, "
                f"{self.num_nodes} nodes, {self.num_edges} edges, {self.num_sites} sites, "
                f"{self.num_mutations} mutations, sequence length {self.sequence_length}>")


def _column_property(table, column):
    key = f"{table}/{column}"

    def get(self):
        return self._ll.column(key)

    get.__doc__ = f"A read-only zero-copy view of the {key} column (keeps the tree sequence's data alive)."
    return property(get)


for _table, _cols in _COLUMN_VIEWS.items():
    for _col in _cols:
        setattr(TreeSequence, f"{_table}_{_col}", _column_property(_table, _col))
del _table, _cols, _col


def _unpickle_path(path, size, mtime_ns, mmap=False):  # noqa: D103
    st = os.stat(path)
    if st.st_size != size or st.st_mtime_ns != mtime_ns:
        raise ValueError(f"{path} changed since this tree sequence was pickled (size or modification time "
                         "differ): it would not be the same tree sequence")
    return TreeSequence.load(path, mmap=mmap)


def load(path, *, num_threads: Optional[int] = None, mmap: bool = False) -> TreeSequence:
    """Loads a ``.trees`` file (written by tskit or tspar) as a
    :class:`TreeSequence`. It pickles as its path (checked against the
    file's size and modification time when unpickled), so sending it to
    another process costs nothing.

    With ``mmap=True`` (not a tskit argument) the file is mapped read-only
    and the tables use its columns in place: processes that load the same
    file this way share one copy of its pages, and only what the tree
    sequence derives is private to each. The file is checked exactly as
    without it. Replacing the file afterwards by a rename (as ``dump`` does)
    is safe; truncating or rewriting it in place while it is loaded is not
    (the process gets SIGBUS when it next reads a page that is gone)."""
    return TreeSequence.load(path, num_threads=num_threads, mmap=mmap)


class Tree:
    """A tree of a tree sequence, tskit-like: a cursor that moves along the
    sequence (``next``, ``prev``, ``seek``, ``seek_index``) with the tree's
    arrays (``parent_array``, ...) as read-only views that follow its moves.
    One thread at a time may move a tree (another thread's move raises
    :class:`tspar.BusyError`)."""

    def __init__(self, tree_sequence: TreeSequence):
        self.tree_sequence = tree_sequence
        self._ll = ll.Tree(tree_sequence._ll)
        views = self._ll.array_views()
        self._views = views
        self.virtual_root = views["virtual_root"]
        self._time = tree_sequence.nodes_time
        self._flags = tree_sequence.nodes_flags

    # ---- moving

    def first(self) -> bool:
        return self._ll.first()

    def last(self) -> bool:
        return self._ll.last()

    def next(self) -> bool:
        return self._ll.next()

    def prev(self) -> bool:
        return self._ll.prev()

    def seek(self, position: float) -> None:
        if not 0 <= position < self.tree_sequence.sequence_length:
            raise ValueError("position out of bounds")
        self._ll.seek(position)

    def seek_index(self, index: int) -> None:
        n = self.tree_sequence.num_trees
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError("Index out of bounds")
        self._ll.seek_index(index)

    # ---- where

    @property
    def index(self) -> int:
        return self._ll.index

    @property
    def interval(self) -> Interval:
        _, left, right = self._ll.interval()
        return Interval(left, right)

    @property
    def span(self) -> float:
        _, left, right = self._ll.interval()
        return right - left

    # ---- arrays (read-only views that follow the tree's moves)

    @property
    def parent_array(self) -> np.ndarray:
        return self._views["parent"]

    @property
    def left_child_array(self) -> np.ndarray:
        return self._views["left_child"]

    @property
    def right_child_array(self) -> np.ndarray:
        return self._views["right_child"]

    @property
    def left_sib_array(self) -> np.ndarray:
        return self._views["left_sib"]

    @property
    def right_sib_array(self) -> np.ndarray:
        return self._views["right_sib"]

    @property
    def num_children_array(self) -> np.ndarray:
        return self._views["num_children"]

    # ---- nodes

    def _node(self, u):
        u = int(u)
        if not -1 <= u <= self.virtual_root:
            raise ValueError(f"node {u} out of bounds")
        return u

    def parent(self, u: int) -> int:
        return int(self._views["parent"][self._node(u)])

    def left_child(self, u: int) -> int:
        return int(self._views["left_child"][self._node(u)])

    def right_child(self, u: int) -> int:
        return int(self._views["right_child"][self._node(u)])

    def children(self, u: int) -> tuple:
        out = []
        c = self.left_child(u)
        while c != -1:
            out.append(c)
            c = int(self._views["right_sib"][c])
        return tuple(out)

    def num_children(self, u: int) -> int:
        return int(self._views["num_children"][self._node(u)])

    def num_samples(self, u: Optional[int] = None) -> int:
        u = self.virtual_root if u is None else self._node(u)
        return int(self._views["num_samples"][u])

    def time(self, u: int) -> float:
        u = self._node(u)
        return float("inf") if u == self.virtual_root else float(self._time[u])

    def is_sample(self, u: int) -> bool:
        u = self._node(u)
        return u != self.virtual_root and bool(self._flags[u] & C.TSPAR_NODE_IS_SAMPLE)

    def is_leaf(self, u: int) -> bool:
        return self.num_children(u) == 0

    @property
    def roots(self) -> list:
        return [int(x) for x in self._ll.roots()]

    @property
    def num_roots(self) -> int:
        return len(self.roots)

    @property
    def root(self) -> int:
        roots = self.roots
        if len(roots) > 1:
            raise ValueError("More than one root exists. Use tree.roots instead")
        return roots[0] if roots else -1

    def mrca(self, *nodes: int) -> int:
        if len(nodes) < 2:
            raise ValueError("mrca needs at least two nodes")
        m = self._ll.mrca(self._node(nodes[0]), self._node(nodes[1]))
        for v in nodes[2:]:
            if m == -1:
                break
            m = self._ll.mrca(m, self._node(v))
        return int(m)

    def tmrca(self, *nodes: int) -> float:
        m = self.mrca(*nodes)
        if m == -1:
            raise ValueError("Nodes do not share a common ancestor")
        return self.time(m)

    def branch_length(self, u: int) -> float:
        return self._ll.branch_length(self._node(u))

    @property
    def total_branch_length(self) -> float:
        return self._ll.total_branch_length(self.virtual_root)

    def preorder(self, u: Optional[int] = None) -> np.ndarray:
        return self._ll.preorder(self.virtual_root if u is None else self._node(u))

    def postorder(self, u: Optional[int] = None) -> np.ndarray:
        return self._ll.postorder(self.virtual_root if u is None else self._node(u))

    def nodes(self, root: Optional[int] = None, order: str = "preorder") -> np.ndarray:
        if order == "preorder":
            return self.preorder(root)
        if order == "postorder":
            return self.postorder(root)
        raise ValueError("order must be 'preorder' or 'postorder' in tspar")

    def samples(self, u: Optional[int] = None) -> np.ndarray:
        nodes = self.preorder(u)  # includes u itself (but not the virtual root)
        keep = (self._flags[nodes] & C.TSPAR_NODE_IS_SAMPLE) != 0
        return np.asarray(nodes[keep], dtype=np.int32)

    @property
    def num_sites(self) -> int:
        (a, b), _ = self._ll.sites()
        return b - a

    @property
    def num_mutations(self) -> int:
        _, (a, b) = self._ll.sites()
        return b - a

    def __repr__(self):
        return f"<tspar.Tree index={self.index} interval={tuple(self.interval)}>"
