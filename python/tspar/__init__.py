"""tspar: tree sequences with tskit's statistics on every core.

``import tspar`` gives a tskit-like API over the tspar C library:
:func:`load`, :class:`TreeSequence` (statistics with tskit's signatures,
plus ``num_threads=`` and ``progress=``), :class:`Tree` and
:class:`TableCollection`. Every call into the library releases the GIL.
The C API itself, one method per C function, is :mod:`tspar.lowlevel`.
"""

from . import parts
from ._ffi import version as _version
from ._tables import Table, TableCollection
from ._trees import Interval, Tree, TreeSequence, load
from .exceptions import (
    BusyError,
    CancelledError,
    FileError,
    FileFormatError,
    LibraryError,
    NoMemoryError,
    StatsError,
    TablesError,
)

__version__ = _version()

NODE_IS_SAMPLE = 1
NULL = -1

__all__ = [
    "__version__", "load", "TreeSequence", "Tree", "Interval", "TableCollection", "Table",
    "LibraryError", "FileFormatError", "FileError", "TablesError", "StatsError", "CancelledError",
    "BusyError", "NoMemoryError", "NODE_IS_SAMPLE", "NULL", "parts",
]
from . import _genotypes as _genotypes  # noqa: E402,F401  (attaches variants, genotype_matrix, haplotypes, write_vcf)
