#!/usr/bin/env bash
# Runs the unit and integration tests (CTest labels `unit` and `integration`). The integration
# tests build real clusters in network namespaces and need root. Slow matrices: see README.
set -euo pipefail
cd "$(dirname "$0")"
exec ctest --test-dir build -L 'unit|integration' --output-on-failure "$@"
