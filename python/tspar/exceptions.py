"""Exceptions raised by tspar.

Every failed call into the library raises a :class:`LibraryError` (or one
of its subclasses) carrying the library's error code, the header's name
for it and the detailed message of ``tspar_last_error_message()``.
Arguments that tspar checks in Python before calling the library raise
``ValueError`` or ``TypeError``, as tskit does.
"""

from __future__ import annotations

from ._ffi import C, last_error_message, strerror

_ERROR_NAMES = {v: k for k, v in C.items() if k.startswith("TSPAR_ERR_")}


def error_name(code: int) -> str:
    """The header's name of an error code, or ``"<unknown code N>"``."""
    return _ERROR_NAMES.get(code, f"<unknown code {code}>")


class LibraryError(Exception):
    """A tspar call returned a negative code.

    Attributes: ``code`` (the ``TSPAR_ERR_*`` value), ``name`` (its name in
    the header) and ``message`` (the library's detailed message)."""

    def __init__(self, code: int, name: str | None = None, message: str | None = None):
        name = error_name(code) if name is None else name
        message = strerror(code) if message is None else message
        super().__init__(f"{name} ({code}): {message}")
        self.code = code
        self.name = name
        self.message = message

    def __reduce__(self):
        return (type(self), (self.code, self.name, self.message))


class FileFormatError(LibraryError):
    """The file is not a valid .trees (kastore) file."""


class FileError(LibraryError, OSError):
    """The file could not be opened, read or written."""

    def __init__(self, code, name=None, message=None):
        LibraryError.__init__(self, code, name, message)

    def __str__(self):
        return LibraryError.__str__(self)


class TablesError(LibraryError):
    """The tables break one of a tree sequence's requirements (ordering,
    ids out of range, bad intervals, ...)."""


class StatsError(LibraryError):
    """A statistic's arguments are invalid (windows, sample sets, mode, ...)."""


class CancelledError(LibraryError):
    """The call was cancelled by its progress callback."""


class BusyError(LibraryError):
    """The object is in use by another thread."""


class NoMemoryError(LibraryError, MemoryError):
    """The library could not allocate the memory the call needs."""


def _class_of(code: int) -> type:
    if code == C.TSPAR_ERR_CANCELLED:
        return CancelledError
    if code == C.TSPAR_ERR_BUSY:
        return BusyError
    if code == C.TSPAR_ERR_NO_MEMORY:
        return NoMemoryError
    if code in (C.TSPAR_ERR_IO, C.TSPAR_ERR_FILE_NOT_FOUND, C.TSPAR_ERR_PERMISSION_DENIED,
                C.TSPAR_ERR_IS_A_DIRECTORY):
        return FileError
    if -199 <= code <= -104:
        return FileFormatError
    if -399 <= code <= -200 or -599 <= code <= -500:
        return TablesError
    if -499 <= code <= -400:
        return StatsError
    return LibraryError


def error_from_code(code: int) -> LibraryError:
    """The exception for ``code``, with this thread's last error message
    (to be called on the thread that made the failed call, right after it)."""
    code = int(code)
    return _class_of(code)(code, error_name(code), last_error_message())


def check(result):
    """Returns ``result`` if it is not negative, else raises its error."""
    if result < 0:
        raise error_from_code(int(result))
    return result
