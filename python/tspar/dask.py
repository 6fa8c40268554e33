"""Statistics over a ``dask.distributed`` cluster: the parts of a call (see
:mod:`tspar.parts`) run as tasks on the workers, each of which loads the
file by its name, and are combined on the client to exactly the bits of
one call.

Example::

    from dask.distributed import Client
    import tspar.dask

    client = Client("scheduler-address:8786")      # or Client(LocalCluster(...))
    pi = tspar.dask.compute(client, "chr1.trees", "diversity", sample_sets=[a, b])
    per_chrom = tspar.dask.compute(client, ["chr1.trees", "chr2.trees"], "Fst",
                                   sample_sets=[a, b], indexes=[(0, 1)], windows=[...])

The file names must mean the same file on the client and on every worker
(a shared file system on a real cluster). Workers keep the tree sequences
they loaded, so the tasks of several calls on one file load it once per
worker; they load it mapped (``tspar.load(path, mmap=True)``), so workers on
one machine share one copy of the file's pages. Nothing here imports dask: ``client`` may also be a
``concurrent.futures`` executor (a ``ProcessPoolExecutor`` on one machine),
whose workers then load the file by name the same way.
"""

from __future__ import annotations

import os
import threading
from typing import Any, Optional, Sequence, Union

import numpy as np

from .parts import StatCall

_CACHE: dict = {}
_LOCK = threading.Lock()
# Tree sequences a worker keeps (the most recent files).
_KEEP = 4


def _load(path: str):
    """The tree sequence of ``path`` in this process, loaded once per
    version of the file (its size and modification time)."""
    from ._trees import load

    st = os.stat(path)
    key = (os.path.abspath(path), st.st_size, st.st_mtime_ns)
    with _LOCK:
        ts = _CACHE.get(key)
        if ts is None:
            ts = load(path, mmap=True)
            _CACHE[key] = ts
            while len(_CACHE) > _KEEP:
                _CACHE.pop(next(iter(_CACHE)))
        return ts


def compute_parts(path: str, statistic: str, kwargs: dict, start: int, end: int,
                  num_threads: Optional[int] = 1) -> bytes:
    """Task body: the bytes of parts ``start`` to ``end`` of the call on the
    file ``path``. Runs on a worker."""
    call = StatCall(_load(path), statistic, **kwargs)
    return call.compute(start, end, num_threads=num_threads)


def compute(client, paths: Union[str, os.PathLike, Sequence[Union[str, os.PathLike]]], statistic: str, *,
            parts_per_task: int = 1, num_threads: Optional[int] = 1, **kwargs: Any):
    """Computes ``statistic`` (a :class:`tspar.TreeSequence` method name,
    with its arguments as for :class:`tspar.parts.StatCall`) on the file
    ``paths``, or on each of several files, with the parts spread over the
    workers of the ``dask.distributed`` ``client`` (or of a
    ``concurrent.futures`` executor): ``parts_per_task``
    parts per task, each task on ``num_threads`` threads of its worker.
    Returns the result (windows first, as :class:`~tspar.parts.StatCall`
    shapes it), or a list of results for a list of files, bit for bit those
    of one call in one process."""
    several = not isinstance(paths, (str, os.PathLike))
    names = [os.fspath(p) for p in (paths if several else [paths])]
    if parts_per_task < 1:
        raise ValueError("parts_per_task must be at least 1")
    calls, futures = [], []
    for name in names:
        call = StatCall(_load(name), statistic, **kwargs)
        n = call.num_parts
        extra = {"pure": False} if hasattr(client, "gather") else {}
        fs = [
            client.submit(compute_parts, name, statistic, kwargs, a, min(a + parts_per_task, n), num_threads,
                          **extra)
            for a in range(0, n, parts_per_task)
        ]
        calls.append(call)
        futures.append(fs)
    results = []
    for call, fs in zip(calls, futures):
        parts = client.gather(fs) if hasattr(client, "gather") else [f.result() for f in fs]
        results.append(call.combine(parts))
    return results if several else results[0]


__all__ = ["compute", "compute_parts"]
