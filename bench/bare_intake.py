"""The bare baseline for bench/comment_intake.py: Flask serves a form and inserts one row.

Nothing else: no session, CSRF token, audit chain, rate limit or ORM. Its form is an inline
template: BARE_TEMPLATE=cached compiles it once (the lean baseline the bench uses); without
it, render_template_string compiles it on every load, as that helper does. It keeps the app's
durability (SQLite in WAL mode with synchronous=FULL; PostgreSQL's defaults) and its one
guarantee that matters to the count (a unique nonce per form), so the ratio measures the
app's own cost. Run by gunicorn, as bench/comment_intake.py does:

    BARE_DATABASE_URL=sqlite:////tmp/bare.sqlite3 gunicorn 'bench.bare_intake:create_app()'
"""

import os
import secrets
import sqlite3
from datetime import UTC, datetime

from flask import Flask, abort, redirect, render_template_string, request

FORM = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Comment</title></head>
<body><h1>Comment on proposal {{ proposal_id }}</h1>
<form method="post">
<input type="hidden" name="nonce" value="{{ nonce }}">
<label><input type="radio" name="position" value="support"> Support</label>
<label><input type="radio" name="position" value="oppose"> Oppose</label>
<label><input type="radio" name="position" value="neutral"> Neutral</label>
<label for="body">Your comment</label><textarea id="body" name="body"></textarea>
<button type="submit">Send comment</button>
</form></body></html>
"""

SQLITE_SCHEMA = """CREATE TABLE IF NOT EXISTS bare_comment (
    id INTEGER PRIMARY KEY, nonce VARCHAR(64) NOT NULL UNIQUE,
    tracking_number VARCHAR(20) NOT NULL UNIQUE, position VARCHAR(16) NOT NULL,
    body TEXT NOT NULL, created_at VARCHAR(40) NOT NULL)"""
POSTGRESQL_SCHEMA = SQLITE_SCHEMA.replace("id INTEGER PRIMARY KEY", "id SERIAL PRIMARY KEY")
INSERT = ("INSERT INTO bare_comment (nonce, tracking_number, position, body, created_at) "
          "VALUES (?, ?, ?, ?, ?) ON CONFLICT (nonce) DO NOTHING")
STORED = "SELECT tracking_number FROM bare_comment WHERE nonce = ?"
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def connect(url: str):
    """Open a DB-API connection for `url` (sqlite:///path or a PostgreSQL URL)."""
    if url.startswith("sqlite:///"):
        connection = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=15,
                                     isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute("PRAGMA busy_timeout=15000")
        return connection
    import psycopg

    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1),
                           autocommit=True)


def create_schema(url: str) -> None:
    """Create the one table (run once, before gunicorn starts)."""
    connection = connect(url)
    try:
        connection.execute(SQLITE_SCHEMA if url.startswith("sqlite") else POSTGRESQL_SCHEMA)
    finally:
        connection.close()


def create_app() -> Flask:
    """Build the bare server on BARE_DATABASE_URL."""
    app = Flask(__name__)
    url = os.environ["BARE_DATABASE_URL"]
    sqlite = url.startswith("sqlite")
    # sqlite3 marks parameters with ?, psycopg with %s.
    insert, stored = (INSERT, STORED) if sqlite else (INSERT.replace("?", "%s"),
                                                      STORED.replace("?", "%s"))

    # BARE_TEMPLATE=cached (what bench/comment_intake.py asks by default) compiles the
    # form once, as render_template would a file; otherwise Flask's render_template_string
    # compiles it again on every load (about 0.5 ms of CPU per comment here).
    if os.environ.get("BARE_TEMPLATE") == "cached":
        form = app.jinja_env.from_string(FORM)

        def page(**values) -> str:
            return form.render(**values)
    else:
        def page(**values) -> str:
            return render_template_string(FORM, **values)

    def database():
        # One connection per worker process, opened after gunicorn forks.
        if "connection" not in app.extensions:
            app.extensions["connection"] = connect(url)
        return app.extensions["connection"]

    @app.get("/about")
    def about():
        return "bare intake server"

    @app.route("/proposals/<int:proposal_id>/comment", methods=["GET", "POST"])
    def comment(proposal_id: int):
        if request.method == "GET":
            return page(proposal_id=proposal_id, nonce=secrets.token_urlsafe(24))
        nonce = request.form.get("nonce", "")
        body = request.form.get("body", "").strip()
        position = request.form.get("position", "")
        if not nonce or not body or position not in ("support", "oppose", "neutral"):
            abort(400)
        tracking = "".join(secrets.choice(ALPHABET) for _ in range(8))
        tracking = f"RA-{tracking[:4]}-{tracking[4:]}"
        connection = database()
        with connection.transaction() if not sqlite else _sqlite_transaction(connection):
            connection.execute(insert, (nonce, tracking, position, body,
                                        datetime.now(UTC).isoformat()))
            saved = connection.execute(stored, (nonce,)).fetchone()[0]
        return redirect(f"/receipts/{saved}")

    return app


class _sqlite_transaction:
    """BEGIN ... COMMIT on an autocommit sqlite3 connection; ROLLBACK on an exception."""

    def __init__(self, connection: sqlite3.Connection):
        self.connection = connection

    def __enter__(self):
        self.connection.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, *_):
        self.connection.execute("ROLLBACK" if exc_type else "COMMIT")
