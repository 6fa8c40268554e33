"""How a tskit-like call becomes a library call with an exec: thread count,
progress bar, and Ctrl-C.

Every call that may run long gets an exec with a progress callback when it
is made on the main thread: the library calls it on the calling thread
between units of work, the interpreter checks for a pending signal as the
callback's Python code starts, and a KeyboardInterrupt raised there makes
the callback cancel the call (``TSPAR_ERR_CANCELLED``); the interrupt is
then raised again once the library has returned and cleaned up.
"""

from __future__ import annotations

import os
import threading

from . import lowlevel as ll

_cache: dict = {}
_cache_lock = threading.Lock()

# A child made by fork starts worker threads of its own (the library
# notices the new process), so calls there use threads as anywhere else.
# The cache's lock may have been held by another thread at the fork: the
# child starts with a fresh lock and cache.


def _after_fork_in_child():
    global _cache, _cache_lock
    _cache = {}
    _cache_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _check_threads(num_threads):
    if num_threads is None:
        n = 0
    elif isinstance(num_threads, bool) or not hasattr(num_threads, "__index__"):
        raise TypeError(f"num_threads must be an int or None, not {type(num_threads).__name__}")
    else:
        n = int(num_threads)
    if n < 0:
        raise ValueError("num_threads must be >= 0 (0 or None: the default)")
    return n


def _plain(num_threads: int) -> ll.Exec:
    """A shared exec per thread count whose callback only lets Ctrl-C in."""
    with _cache_lock:
        e = _cache.get(num_threads)
        if e is None:
            e = ll.Exec(num_threads, progress=lambda fraction: False)
            _cache[num_threads] = e
        return e


class _Bar:
    def __init__(self, progress, desc):
        self.bar = None
        self.fn = None
        self.last = 0.0
        if progress is True:
            try:
                from tqdm.auto import tqdm
            except ImportError as e:  # pragma: no cover - optional dependency
                raise ImportError("progress=True needs tqdm: pip install tqdm") from e
            self.bar = tqdm(total=1.0, desc=desc, unit="", bar_format="{l_bar}{bar}| {elapsed}<{remaining}")
        elif callable(progress):
            self.fn = progress
        elif progress not in (None, False):
            raise TypeError("progress must be True, False, None or a callable taking the fraction done")

    def __call__(self, fraction):
        if self.bar is not None:
            step = fraction - self.last
            if step > 0:
                self.bar.update(step)
                self.last = fraction
            return False
        if self.fn is not None:
            return bool(self.fn(fraction))
        return False

    def close(self):
        if self.bar is not None:
            self.bar.close()


def run(call, num_threads=None, progress=None, desc=None):
    """Runs ``call(exec)`` with an exec for ``num_threads`` (None or 0: the
    library's default) and ``progress`` (True: a tqdm bar; a callable:
    called with the fraction done, returning True cancels)."""
    n = _check_threads(num_threads)
    if progress in (None, False):
        e = _plain(n)
        try:
            return call(e)
        finally:
            e.exception = None
    bar = _Bar(progress, desc)
    try:
        e = ll.Exec(n, progress=bar)
        return call(e)
    finally:
        bar.close()
