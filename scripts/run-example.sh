#!/usr/bin/env bash
# The main job: builds tspar and its examples with CMake (in build/) and
# prints the tables of the bundled .trees file (or of the file given).
#   scripts/run-example.sh [FILE.trees]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build --parallel "$(nproc 2>/dev/null || echo 2)" --target tables_info
echo
build/examples/tables_info "$@"
