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

pg_url=${VECINOS_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
if $py scripts/pg_ready.py "$pg_url"; then
  with_pg=1
elif [ "${VECINOS_REQUIRE_ALL:-0}" = 1 ]; then
  echo "PostgreSQL is not reachable at $pg_url, and VECINOS_REQUIRE_ALL=1 requires it." >&2
  exit 1
else
  with_pg=0
  echo "== PostgreSQL not reachable at $pg_url: skipped (set VECINOS_REQUIRE_ALL=1 to fail instead)"
fi

# The two databases' suites run side by side: most tests wait on processes, sockets and the
# database rather than the CPU, so together they take far less than one after the other. Each
# has its own log (printed whole when both are done), its own temporary folder and, on
# PostgreSQL, a database name of its own (pytest-django creates test_<name> and drops it).
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
echo "== pytest on SQLite$([ $with_pg = 1 ] && echo ' and on PostgreSQL, side by side')"
VECINOS_DATABASE_URL="" $py -m pytest --basetemp="$logs/tmp-sqlite" "$@" > "$logs/sqlite.log" 2>&1 &
sqlite_pid=$!
if [ $with_pg = 1 ]; then
  VECINOS_DATABASE_URL="${pg_url%/*}/vecinos_$$" $py -m pytest --basetemp="$logs/tmp-pg" "$@" \
    > "$logs/pg.log" 2>&1 &
  pg_pid=$!
fi
status=0
wait $sqlite_pid || status=1
echo "== pytest on SQLite"
cat "$logs/sqlite.log"
if [ $with_pg = 1 ]; then
  wait $pg_pid || status=1
  echo "== pytest on PostgreSQL"
  cat "$logs/pg.log"
fi
exit $status
