#!/usr/bin/env bash
# Runs the suite, in parallel: one pytest-xdist worker per core (QMS_TEST_WORKERS=N to
# choose, 0 for one process), each with its own databases (tests/conftest.py); a module's
# browser tests stay on one worker (--dist loadgroup, tests/e2e/conftest.py).
# A run that collects no test fails (pytest's exit 5), unless the caller filtered it
# (arguments given), where finding nothing is not an error.
set -uo pipefail
.venv/bin/pytest -n "${QMS_TEST_WORKERS:-auto}" --dist loadgroup "$@"
rc=$?
if [ $rc -eq 5 ] && [ $# -gt 0 ]; then
  echo "no test matched the filter: $*"
  exit 0
fi
exit $rc
