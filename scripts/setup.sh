#!/usr/bin/env bash
# Installs what building and testing tspar needs and is missing, and does
# nothing else: safe to run again and again.
#   - cmake, pkg-config, valgrind and a C/C++ compiler, with apt-get
#     (through sudo when not root);
#   - R (r-base-core) with testthat, R6 and jsonlite, with apt-get (the R
#     package in r/ and its tests);
#   - a Python virtual environment in .venv with tskit 1.0.3, msprime,
#     numpy and pytest (the oracle suite), cffi, setuptools and wheel (to
#     build the tspar Python package, python/, without build isolation),
#     tqdm (its progress bars) and matplotlib (the tutorial's and the
#     benchmark's plots); packages already installed for the system's
#     python are used as they are, pip runs only for what is missing.
# Rust (cargo) is not installed here: see https://rustup.rs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf 'setup: %s\n' "$*"; }

# ------------------------------------------------------------ system tools
missing=()
command -v cmake >/dev/null 2>&1 || missing+=(cmake)
command -v pkg-config >/dev/null 2>&1 || command -v pkgconf >/dev/null 2>&1 || missing+=(pkg-config)
command -v valgrind >/dev/null 2>&1 || missing+=(valgrind)
{ command -v cc >/dev/null 2>&1 && command -v c++ >/dev/null 2>&1; } || missing+=(build-essential)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
# MPI for examples/mpi_stats (CMake builds it only when it finds one).
{ command -v mpicc >/dev/null 2>&1 && command -v mpiexec >/dev/null 2>&1; } || missing+=(mpich libmpich-dev)
if command -v python3 >/dev/null 2>&1 && ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    missing+=(python3-venv)
fi

# R and the R package's test and class dependencies (r/: R CMD check).
command -v Rscript >/dev/null 2>&1 || missing+=(r-base-core)
for rpkg in testthat R6 jsonlite; do
    if ! command -v Rscript >/dev/null 2>&1 ||
        ! Rscript -e "quit(status = !requireNamespace('$rpkg', quietly = TRUE))" >/dev/null 2>&1; then
        missing+=("r-cran-${rpkg,,}")
    fi
done

if ((${#missing[@]} > 0)); then
    if ! command -v apt-get >/dev/null 2>&1; then
        say "missing ${missing[*]} and no apt-get to install them with: please install them" >&2
        exit 1
    fi
    if [[ $(id -u) -eq 0 ]]; then
        as_root=()
    elif command -v sudo >/dev/null 2>&1; then
        as_root=(sudo)
    else
        say "missing ${missing[*]}; not root and no sudo: please install them" >&2
        exit 1
    fi
    say "installing ${missing[*]}"
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1 && [[ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/cargo" ]]; then
    say "cargo not found: install Rust with rustup (https://rustup.rs), then run this again" >&2
    exit 1
fi

# ---------------------------------------------------------- Python for tests
# The venv sees the system's site-packages, so what is already installed
# there is not downloaded again.
venv=.venv
wanted='tskit==1.0.3 msprime numpy pytest cffi setuptools wheel tqdm matplotlib dask distributed'
check='import tskit, msprime, numpy, pytest, cffi, setuptools, wheel, tqdm, matplotlib, dask, distributed; assert tskit.__version__ == "1.0.3", tskit.__version__'
if [[ ! -x $venv/bin/python ]]; then
    say "creating the Python environment in $venv"
    python3 -m venv --system-site-packages "$venv"
fi
if ! "$venv/bin/python" -c "$check" >/dev/null 2>&1; then
    say "installing $wanted into $venv"
    # shellcheck disable=SC2086
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check $wanted
    "$venv/bin/python" -c "$check"
fi
say "ready"
