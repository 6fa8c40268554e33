#!/usr/bin/env python3
"""Loads a file under address-space limits and reports what happens.

For each limit (RLIMIT_AS, in MB, on the whole process), a child process
sets the limit and calls `tspar_tables_load` and `tspar_treeseq_load` on the
file; it prints the return code and the library's message, then lifts the
limit and calls again to show whether the process can go on. The parent
prints one line per call, or how the child died (an abort is signal 6, exit
status 134 in a shell), and whatever the child wrote on stderr.

    TSPAR_LIB=path/to/libtspar.so python3 bench/memory_limit.py FILE [MB ...]

The limits default to 100 200 350. Only the standard library is used, so
the interpreter adds little to the address space (its size at the start is
printed).
"""

import ctypes
import os
import resource
import sys
from pathlib import Path


def library_path():
    env = os.environ.get("TSPAR_LIB")
    if env:
        return env
    return str(Path(__file__).resolve().parent.parent / "target" / "release" / "libtspar.so")


def vm_size_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def child(lib, path, limit_mb, out):
    """Runs in the child: the calls under the limit, then without it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    message = lib.tspar_last_error_message
    message.restype = ctypes.c_char_p
    strerror = lib.tspar_strerror
    strerror.restype = ctypes.c_char_p
    calls = [
        ("tspar_tables_load", lib.tspar_tables_load, lib.tspar_tables_free),
        ("tspar_treeseq_load", lib.tspar_treeseq_load, lib.tspar_treeseq_free),
    ]
    for name, load, free in calls:
        handle = ctypes.c_void_p()
        resource.setrlimit(resource.RLIMIT_AS, (limit_mb * 1024 * 1024, hard))
        code = load(path.encode(), 0, None, ctypes.byref(handle))
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        text = message().decode(errors="replace")
        if code == 0:
            free(handle)
            retry = "not needed"
        else:
            handle = ctypes.c_void_p()
            again = load(path.encode(), 0, None, ctypes.byref(handle))
            retry = "succeeds" if again == 0 else f"fails ({again})"
            if again == 0:
                free(handle)
        name_of = strerror(code).decode() if code < 0 else "ok"
        out.write(f"  {name}: {code} ({name_of}) {text!r}; retry without the limit: {retry}\n")
        out.flush()


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    path = sys.argv[1]
    limits = [int(x) for x in sys.argv[2:]] or [100, 200, 350]
    lib = ctypes.CDLL(library_path())
    lib.tspar_tables_load.argtypes = [ctypes.c_char_p, ctypes.c_uint32, ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p)]
    lib.tspar_treeseq_load.argtypes = [ctypes.c_char_p, ctypes.c_uint32, ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p)]
    lib.tspar_tables_free.argtypes = [ctypes.c_void_p]
    lib.tspar_treeseq_free.argtypes = [ctypes.c_void_p]
    print(f"library: {library_path()}")
    print(f"file: {path} ({os.path.getsize(path) / 1e6:.1f} MB); address space at the start: {vm_size_mb():.0f} MB")
    for limit in limits:
        print(f"limit {limit} MB:")
        sys.stdout.flush()
        r_out, w_out = os.pipe()
        r_err, w_err = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r_out)
            os.close(r_err)
            os.dup2(w_err, 2)
            with os.fdopen(w_out, "w") as out:
                child(lib, path, limit, out)
            os._exit(0)
        os.close(w_out)
        os.close(w_err)
        with os.fdopen(r_out) as f:
            sys.stdout.write(f.read())
        with os.fdopen(r_err) as f:
            err = f.read()
        _, status = os.waitpid(pid, 0)
        if os.WIFSIGNALED(status):
            sig = os.WTERMSIG(status)
            print(f"  child killed by signal {sig} (exit status {128 + sig} in a shell)")
        elif os.WEXITSTATUS(status) != 0:
            print(f"  child exited with {os.WEXITSTATUS(status)}")
        if err:
            print("  stderr: " + err.strip().replace("\n", "\n          "))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
