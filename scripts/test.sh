#!/usr/bin/env bash
# Set up and run every test: on SQLite, then again on PostgreSQL, browser tests included.
# Installs what is missing: the virtual environment, Debian's chromium, poppler-utils and
# the fonts the determination PDF needs (see the README, "Fonts"); starts PostgreSQL and
# Redis (127.0.0.1:6379, database 9 for the tests) when they are down.
# Extra arguments go to pytest (e.g. scripts/test.sh -k comment).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

ensure_venv requirements-dev.txt
ensure_apt_packages chromium poppler-utils libharfbuzz-subset0 fonts-dejavu-core fonts-noto-cjk
PG_URL="${TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"
# Rate-limit tests and the several-hosts test share counters in this Redis database.
export REVIEWAPP_TEST_REDIS_URL="${REVIEWAPP_TEST_REDIS_URL:-redis://127.0.0.1:6379/9}"
if ! ensure_redis; then
  echo "Redis is not reachable at 127.0.0.1:6379 and could not be started." >&2
  exit 1
fi

echo "== ruff"
.venv/bin/ruff check .

echo "== tests on SQLite"
start=$(date +%s)
env -u TEST_DATABASE_URL .venv/bin/pytest -q -p no:cacheprovider "$@"
echo "SQLite suite: $(( $(date +%s) - start )) s"

if ensure_postgresql; then
  echo "== tests on PostgreSQL ($PG_URL)"
  start=$(date +%s)
  TEST_DATABASE_URL="$PG_URL" .venv/bin/pytest -q -p no:cacheprovider "$@"
  echo "PostgreSQL suite: $(( $(date +%s) - start )) s"
else
  echo "PostgreSQL is not reachable at 127.0.0.1:5432; the PostgreSQL run cannot be done." >&2
  exit 1
fi
