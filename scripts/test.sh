#!/usr/bin/env bash
# make test's pytest run (arguments go to pytest). With TEST_DATABASE_URL set (.ci/run sets it)
# the suite runs on that Postgres as well as SQLite. Without it, when a Postgres answers on
# PGHOST:PGPORT (default 127.0.0.1:5432) as PGUSER (default postgres), the suite runs on a
# throw-away database there, dropped afterwards; otherwise on SQLite only.
#
# pytest runs in 4 worker processes (pytest-xdist), each with a database of its own made beside
# the given one (tests/conftest.py): most of the suite's time is spent waiting on the servers
# and processes it starts, so 4 of them keep two cores busy. A file's tests on one
# backend are one unit of work, an xdist_group's tests another (tests/support/scheduling.py).
# A later -n (-n 0: one process) overrides it.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PYTEST=("$BIN/pytest" -n 4 --dist loadgroup)

if [ -n "${TEST_DATABASE_URL:-}" ]; then
  exec "${PYTEST[@]}" "$@"
fi

PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
export PGHOST PGPORT PGUSER

if ! "$BIN/python" scripts/throwaway_database.py answers; then
  echo "make test: no PostgreSQL answers on $PGHOST:$PGPORT as $PGUSER, so the Postgres tests are" \
    "skipped. To run them, give the suite an empty database:"
  echo "  TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/<database> make test"
  exec "${PYTEST[@]}" "$@"
fi

database="movies_test_$(date +%s)_$$"
"$BIN/python" scripts/throwaway_database.py create "$database"
trap '"$BIN/python" scripts/throwaway_database.py drop "$database" ||
  echo "make test: could not drop the database $database; drop it by hand" >&2' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
if [[ $PGHOST == /* ]]; then # a socket directory
  TEST_DATABASE_URL="postgresql://$PGUSER@/$database?host=$PGHOST&port=$PGPORT"
else
  TEST_DATABASE_URL="postgresql://$PGUSER@$PGHOST:$PGPORT/$database"
fi
export TEST_DATABASE_URL
echo "make test: PostgreSQL answers on $PGHOST:$PGPORT; the suite runs on SQLite and on" \
  "the throw-away database $database (dropped afterwards)"
"${PYTEST[@]}" "$@"
