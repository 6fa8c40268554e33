#!/usr/bin/env bash
# The main job: builds tspar and its examples with CMake (in build/) and runs
# examples/pairwise on the bundled .trees file (or on the file given):
# diversity per population, divergence and Fst between populations.
#   scripts/run-example.sh [FILE.trees] [--windows N] [--threads T] [--mode site|branch] [--tsv]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build --parallel "$(nproc 2>/dev/null || echo 2)" --target pairwise
echo
build/examples/pairwise "$@"
