"""Statistics split into parts: computed apart (threads, processes,
machines), combined to exactly the bits of one call.

A :class:`StatCall` is one statistic call on one tree sequence (the
library's ``tspar_stat_call_t``). It has :attr:`~StatCall.num_parts` parts,
the same in every process that makes the same call on the same file;
:meth:`~StatCall.compute` gives the bytes of a range of parts (send them
anywhere) and :meth:`~StatCall.combine` turns bytes holding every part once,
grouped and ordered any way, into the result — bit for bit that of
:meth:`~StatCall.run`, the one call. Bytes from another statistic, other
arguments, another tree sequence or another tspar version are refused
(:class:`tspar.LibraryError`).

Example::

    call = tspar.parts.StatCall(ts, "divergence", sample_sets=[a, b], indexes=[(0, 1)])
    halves = [call.compute(0, call.num_parts // 2), call.compute(call.num_parts // 2, call.num_parts)]
    assert (call.combine(halves[::-1]) == call.run()).all()
"""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

from . import _exec
from . import lowlevel as ll
from .lowlevel import C, ffi, lib

#: Statistic names (the ``TreeSequence`` method names) and their ids.
STATISTICS = {
    "diversity": C.TSPAR_STATISTIC_DIVERSITY,
    "segregating_sites": C.TSPAR_STATISTIC_SEGREGATING_SITES,
    "Y1": C.TSPAR_STATISTIC_Y1,
    "Tajimas_D": C.TSPAR_STATISTIC_TAJIMAS_D,
    "divergence": C.TSPAR_STATISTIC_DIVERGENCE,
    "Fst": C.TSPAR_STATISTIC_FST,
    "Y2": C.TSPAR_STATISTIC_Y2,
    "f2": C.TSPAR_STATISTIC_F2,
    "genetic_relatedness": C.TSPAR_STATISTIC_GENETIC_RELATEDNESS,
    "Y3": C.TSPAR_STATISTIC_Y3,
    "f3": C.TSPAR_STATISTIC_F3,
    "f4": C.TSPAR_STATISTIC_F4,
    "divergence_matrix": C.TSPAR_STATISTIC_DIVERGENCE_MATRIX,
    "genetic_relatedness_matrix": C.TSPAR_STATISTIC_GENETIC_RELATEDNESS_MATRIX,
    "allele_frequency_spectrum": C.TSPAR_STATISTIC_ALLELE_FREQUENCY_SPECTRUM,
    "trait_covariance": C.TSPAR_STATISTIC_TRAIT_COVARIANCE,
    "trait_correlation": C.TSPAR_STATISTIC_TRAIT_CORRELATION,
    "genetic_relatedness_weighted": C.TSPAR_STATISTIC_GENETIC_RELATEDNESS_WEIGHTED,
}
_WEIGHTED = {"trait_covariance", "trait_correlation", "genetic_relatedness_weighted"}
_TUPLE = dict(ll.K_WAY, genetic_relatedness_weighted=2)


class StatCall:
    """One statistic call, split into parts.

    ``statistic`` names a method of :class:`tspar.TreeSequence`; its
    arguments are that method's (``sample_sets`` and ``indexes``, or ``W``
    and for weighted relatedness ``indexes``; ``windows`` as an array of
    breakpoints or None; ``mode``, ``span_normalise``, ``polarised``;
    relatedness: ``centre`` and ``proportion``). ``part_work`` is the size
    of a part in the library's units of work: 0 (the default) cuts as one
    call of the statistic does, so that combining gives the statistic's
    own bits; smaller gives more parts.

    Results are the library's flat layout reshaped to :attr:`shape`
    (windows first; no dimension is dropped).
    """

    def __init__(self, ts, statistic: str, sample_sets=None, indexes=None, W=None, windows=None,
                 mode: str = "site", span_normalise: bool = True, polarised: bool = False,
                 centre: bool = True, proportion: bool = False, part_work: int = 0):
        if statistic not in STATISTICS:
            raise ValueError(f"unknown statistic {statistic!r}; one of {', '.join(STATISTICS)}")
        self.ts = ts
        self.statistic = statistic
        ll_ts = ts._ll if hasattr(ts, "_ll") else ts
        extra = 0
        if not centre:
            extra |= C.TSPAR_STAT_NONCENTRED
        if proportion:
            extra |= C.TSPAR_STAT_PROPORTION
        opts = ll.stat_options(mode, span_normalise, polarised, extra)
        keep = []
        if statistic in _WEIGHTED:
            W = np.ascontiguousarray(W, dtype=np.float64)
            if W.ndim != 2:
                raise ValueError("W must be a 2-d array: one row per sample, one column per weight")
            sets_args = [0, ffi.NULL, ffi.NULL]
            w_args = [W.shape[1], ll.ptr(W.reshape(-1))]
            keep.append(W)
            row = W.shape[1]
        else:
            if sample_sets is None:
                raise TypeError(f"{statistic} needs sample_sets")
            sizes, ids = ll.flatten_sample_sets(sample_sets)
            keep += [sizes, ids]
            sets_args = [len(sizes), ll.ptr(sizes), ll.ptr(ids)]
            w_args = [0, ffi.NULL]
            row = len(sizes)
        k = _TUPLE.get(statistic, 0)
        if k:
            if indexes is None:
                raise TypeError(f"{statistic} needs indexes")
            idx = np.ascontiguousarray(ll.as_array(indexes, np.int32, "indexes").reshape(-1, k))
            keep.append(idx)
            i_args = [len(idx), ll.ptr(idx.reshape(-1))]
            row = len(idx)
        else:
            i_args = [0, ffi.NULL]
        if windows is None:
            w = None
            win_args = [0, ffi.NULL]
        else:
            w = np.ascontiguousarray(windows, dtype=np.float64)
            keep.append(w)
            win_args = [len(w) - 1, ll.ptr(w)]
        out = ffi.new("tspar_stat_call_t **")
        h = ll_ts._h()
        ll.check(lib.tspar_stat_call_new(h.ptr, STATISTICS[statistic], *sets_args, *w_args, *i_args, *win_args,
                                         opts, int(part_work), out))
        self._ptr = ffi.gc(out[0], lib.tspar_stat_call_free)
        nw = 1 if w is None else len(w) - 1
        if statistic in ("divergence_matrix", "genetic_relatedness_matrix"):
            kk = len(sample_sets)
            self.shape = (nw, kk, kk)
        elif statistic == "allele_frequency_spectrum":
            self.shape = (nw, *[len(s) + 1 for s in sample_sets])
        elif mode == "node":
            self.shape = (nw, ll_ts.num_nodes, row)
        else:
            self.shape = (nw, row)

    @property
    def num_parts(self) -> int:
        """The number of parts (numbered from 0)."""
        n = ffi.new("tspar_size_t *")
        ll.check(lib.tspar_stat_call_num_parts(self._ptr, n))
        return int(n[0])

    @property
    def result_length(self) -> int:
        n = ffi.new("tspar_size_t *")
        ll.check(lib.tspar_stat_call_result_length(self._ptr, n))
        return int(n[0])

    def part_bytes(self, start: int, end: int) -> int:
        """The length of the bytes of parts ``start`` to ``end`` (exclusive)."""
        n = ffi.new("tspar_size_t *")
        ll.check(lib.tspar_stat_call_part_bytes(self._ptr, start, end, n))
        return int(n[0])

    def compute(self, start: int, end: int, num_threads: Optional[int] = None) -> bytes:
        """The bytes of parts ``start`` to ``end`` (exclusive)."""
        n = self.part_bytes(start, end)
        buf = ffi.new("uint8_t[]", max(n, 1))
        _exec.run(lambda e: ll.check(lib.tspar_stat_call_compute(self._ptr, start, end, ll.exec_handle(e),
                                                                 buf, n)),
                  num_threads, None, self.statistic)
        return bytes(ffi.buffer(buf, n))

    def _result(self, fn, num_threads):
        n = self.result_length
        out = np.zeros(max(n, 1), dtype=np.float64)
        _exec.run(lambda e: ll.check(fn(ll.exec_handle(e), ll.out_ptr(out), n)), num_threads, None,
                  self.statistic)
        return out[:n].reshape(self.shape)

    def combine(self, buffers: Sequence[bytes], num_threads: Optional[int] = None) -> np.ndarray:
        """The result from bytes that hold every part once, in any grouping and order."""
        bufs = [ffi.from_buffer(b) for b in buffers]
        ptrs = ffi.new("uint8_t *[]", [ffi.cast("uint8_t *", b) for b in bufs] or [ffi.NULL])
        lens = np.array([len(b) for b in buffers] or [0], dtype=np.uint64)
        return self._result(
            lambda e, out, n: lib.tspar_stat_call_combine(self._ptr, len(bufs), ffi.cast("const uint8_t *const *",
                                                                                          ptrs),
                                                          ll.ptr(lens), e, out, n),
            num_threads,
        )

    def run(self, num_threads: Optional[int] = None) -> np.ndarray:
        """The whole call at once: the bits every combination of its parts gives."""
        return self._result(lambda e, out, n: lib.tspar_stat_call_run(self._ptr, e, out, n), num_threads)
