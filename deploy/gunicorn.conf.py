"""Gunicorn settings for reviewapp: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

Logs are JSON lines (reviewapp/logs.py): the access log on stdout, gunicorn's error log
and the app's own lines on stderr. No line holds a client address, user agent, referer or
query string. Bind address and workers come from the environment; any other setting can
be given in GUNICORN_CMD_ARGS (e.g. "--timeout 60"), which overrides this file.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The logger class lives in the app's package, which gunicorn imports before the app.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

wsgi_app = "wsgi:app"
chdir = str(ROOT)
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:5000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
# Sync workers: SQLite writes queue on one lock, and threads would only wait on it.
worker_class = "sync"

logger_class = "reviewapp.logs.GunicornLogger"
accesslog = "-"
errorlog = "-"

# Gunicorn's control socket defaults to one path per user ($HOME/.gunicorn/gunicorn.ctl),
# which two servers on one host would fight over; nothing here uses it.
control_socket_disable = True
