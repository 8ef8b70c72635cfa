#!/usr/bin/env bash
# Set up and run reviewapp with demo data on SQLite (instance/reviewapp.sqlite3).
# Usage: scripts/demo.sh            serves http://127.0.0.1:5000
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

ensure_venv requirements.txt
ensure_apt_packages libharfbuzz-subset0 fonts-dejavu-core fonts-noto-cjk
export FLASK_APP=wsgi
.venv/bin/flask setup-db
.venv/bin/flask seed-demo
echo
echo "reviewapp is running at http://127.0.0.1:5000  (Ctrl-C to stop)"
echo "Demo sign-ins (demo only), password: demo-password-2026"
echo "  police analyst  analyst@police.example.org"
echo "  city clerk      clerk@city.example.org"
echo "  advisory member pac@city.example.org"
echo "  council members council1@city.example.org ... council5@city.example.org"
echo "  administrator   admin@city.example.org"
echo "The clerk, council members and the administrator also give a code (second factor):"
echo "  add the key REVIEWAPPDEMOTOTPSECRETFORDEMO23 to an authenticator app, or run"
echo "  .venv/bin/flask --app wsgi demo-code clerk@city.example.org"
# JSON logs; the access log records no address, user agent or query string.
exec .venv/bin/gunicorn -c deploy/gunicorn.conf.py wsgi:app
