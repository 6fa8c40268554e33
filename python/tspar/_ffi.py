"""The cffi binding of libtspar: the one place that loads the library.

``ffi`` and ``lib`` are cffi's ABI-mode objects made from the declarations
of ``tspar.h`` (the header bundled with the package, the same file as the
repository's ``include/tspar.h``). ``C`` holds the header's ``#define``
constants by name. cffi releases the GIL for the duration of every call
into ``lib``, so Python threads calling tspar run in parallel.

Which library is loaded: the ``libtspar.so`` bundled next to this module
(the one the package was built with). For testing a differently built
library (the test-knobs build of the test suite), the environment variable
``TSPAR_LIB`` may name another one; it is read once, at import.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import cffi

_HERE = Path(__file__).resolve().parent


def _find(name: str, *candidates: Path) -> Path:
    for path in candidates:
        if path.is_file():
            return path
    raise ImportError(
        f"tspar: {name} not found (looked in {', '.join(str(p) for p in candidates)}); "
        "install the package with `pip install ./python` from the repository, which builds it"
    )


HEADER_PATH = _find("tspar.h", _HERE / "tspar.h", _HERE.parents[1] / "include" / "tspar.h")


def library_path() -> Path:
    """``$TSPAR_LIB`` if set (for testing another build), else the bundled library."""
    env = os.environ.get("TSPAR_LIB")
    if env:
        return Path(env)
    return _find(
        "libtspar.so",
        _HERE / "libtspar.so",
        _HERE.parents[1] / "target" / "release" / "libtspar.so",
    )


def header_declarations(text: str) -> str:
    """The C declarations of the header, as cffi's ``cdef`` takes them:
    without preprocessor lines and the ``extern "C"`` wrapper (comments are
    left to cffi, which ignores them)."""
    out = []
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("#") or s.startswith('extern "C"') or s.startswith("}  // extern"):
            continue
        out.append(line)
    return "\n".join(out)


def parse_header_constants(text: str) -> dict[str, int]:
    """Every ``#define TSPAR_NAME value`` of the header whose value is an
    integer expression (digits, parentheses, ``<<``, ``|``, unary minus)."""
    constants = {}
    pattern = re.compile(r"^#define\s+(TSPAR_\w+)\s+(.+?)\s*$")
    allowed = re.compile(r"[-0-9xXa-fA-F()<|\s]+")
    for line in text.splitlines():
        m = pattern.match(line)
        if m and allowed.fullmatch(m.group(2)):
            constants[m.group(1)] = int(eval(m.group(2), {"__builtins__": {}}, {}))
    return constants


class Constants:
    """Attribute access to the header's constants: ``C.TSPAR_ERR_IO``. A
    name the header lacks is an AttributeError."""

    def __init__(self, values: dict[str, int]):
        self.__dict__.update(values)

    def __getitem__(self, name: str) -> int:
        return self.__dict__[name]

    def items(self):
        return self.__dict__.items()


HEADER_TEXT = HEADER_PATH.read_text()
C = Constants(parse_header_constants(HEADER_TEXT))

ffi = cffi.FFI()
ffi.cdef(header_declarations(HEADER_TEXT))
LIBRARY_PATH = library_path()
lib = ffi.dlopen(str(LIBRARY_PATH))


def version() -> str:
    """The loaded library's version (``tspar_version()``)."""
    return ffi.string(lib.tspar_version()).decode()


def last_error_message() -> str:
    """This thread's ``tspar_last_error_message()``."""
    p = lib.tspar_last_error_message()
    return ffi.string(p).decode("utf-8", "replace") if p != ffi.NULL else ""


def strerror(code: int) -> str:
    return ffi.string(lib.tspar_strerror(code)).decode("utf-8", "replace")
