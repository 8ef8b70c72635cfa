"""WSGI entry point: `gunicorn wsgi:app` or `flask --app wsgi run`."""

import os

from reviewapp import create_app

# REVIEWAPP_INSTANCE_PATH keeps the instance folder (instance/config.py, a development
# key, the SQLite file) outside the checkout, e.g. /var/lib/reviewapp.
app = create_app(instance_path=os.environ.get("REVIEWAPP_INSTANCE_PATH"))
