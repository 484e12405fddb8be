#!/usr/bin/env bash
# The whole test suite, as CI runs it: lint and format, migrations and translation checks, then
# pytest on SQLite and on PostgreSQL. Extra arguments go to pytest (e.g. -k lockout).
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=tests.settings
bash scripts/bootstrap.sh test
bash scripts/ensure-packages.sh
py=.venv/bin/python

echo "== ruff"
.venv/bin/ruff check src tests scripts benchmarks
.venv/bin/ruff format --check src tests scripts benchmarks
echo "== mypy"
PYTHONPATH=. .venv/bin/mypy
echo "== migrations"
$py -m vecinos makemigrations --check --dry-run
echo "== translations"
$py scripts/check_translations.py

echo "== pytest on SQLite"
VECINOS_DATABASE_URL="" $py -m pytest "$@"

pg_url=${VECINOS_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
if $py scripts/pg_ready.py "$pg_url"; then
  echo "== pytest on PostgreSQL"
  # A database name of our own, so parallel runs on one server never collide; pytest-django
  # creates test_<name> and drops it at the end.
  base=${pg_url%/*}
  VECINOS_DATABASE_URL="$base/vecinos_$$" $py -m pytest "$@"
elif [ "${VECINOS_REQUIRE_ALL:-0}" = 1 ]; then
  echo "PostgreSQL is not reachable at $pg_url, and VECINOS_REQUIRE_ALL=1 requires it." >&2
  exit 1
else
  echo "== PostgreSQL not reachable at $pg_url: skipped (set VECINOS_REQUIRE_ALL=1 to fail instead)"
fi
