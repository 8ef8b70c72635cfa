"""Logs for operators: one JSON object per line, with a request id and no client identity.

The app's loggers ("reviewapp", which is also Flask's app.logger, "flask-limiter" and
"weasyprint") write to stderr; gunicorn's error and access logs use the same shape
through GunicornLogger (deploy/gunicorn.conf.py). No line carries an address, a user
agent, a cookie, a query string or a form value: callers log paths and ids, access lines
are built field by field, and exceptions are logged by type and stack, never by message.
"""

import json
import logging
import re
import sys
import traceback
import uuid
from datetime import UTC, datetime

from flask import Flask, has_request_context, request
from gunicorn import glogging

from .config import ConfigurationError

APP_LOGGERS = ("reviewapp", "flask-limiter", "weasyprint")
REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's id is kept only if it is short and cannot break out of a header or a log line.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
ENVIRON_KEY = "reviewapp.request_id"
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# Paths that carry a one-time token (a password-reset or invitation link): whoever reads
# the log must not be able to use it.
SECRET_PATH = re.compile(r"^(/auth/(?:reset|welcome)/)[^/]+")
# Attributes every LogRecord has; anything else on a record is a caller's structured extra.
RECORD_FIELDS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def loggable_path(path: str) -> str:
    """Return a request path fit for a log line: a link's token is replaced by '…'."""
    return SECRET_PATH.sub(r"\1…", path)


def request_id() -> str | None:
    """Return this request's id: the proxy's if it is safe, else a new one; None outside."""
    if not has_request_context():
        return None
    environ = request.environ
    if ENVIRON_KEY not in environ:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        environ[ENVIRON_KEY] = given if SAFE_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
    return environ[ENVIRON_KEY]


def describe_exception(exc_info) -> dict:
    """Name an exception, its causes and where it was raised, leaving out every message.

    A message can quote what a visitor typed (int('...'), a failed INSERT's parameters),
    and no form value may reach a log; the type and the stack are enough to find the bug.
    """
    exc_type, exc, tb = exc_info
    causes = []
    link = (exc.__cause__ or exc.__context__) if exc is not None else None
    while link is not None and len(causes) < 5:
        causes.append(qualified_name(type(link)))
        link = link.__cause__ or link.__context__
    described = {"exception": qualified_name(exc_type),
                 "stack": "".join(traceback.format_tb(tb)).rstrip()}
    if causes:
        described["caused_by"] = causes
    return described


def qualified_name(kind: type) -> str:
    """Return 'module.Class' for an exception type (builtins by their bare name)."""
    module = kind.__module__
    return kind.__qualname__ if module == "builtins" else f"{module}.{kind.__qualname__}"


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object; escaping keeps any newline inside the line."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        identifier = record.__dict__.get("request_id") or request_id()
        if identifier:
            entry["request_id"] = identifier
        for key, value in record.__dict__.items():
            if key not in RECORD_FIELDS and key not in entry:
                entry[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            entry.update(describe_exception(record.exc_info))
        # ensure_ascii also escapes U+2028 and U+0085, which some readers take as newlines.
        return json.dumps(entry, default=str, ensure_ascii=True)


class StderrHandler(logging.StreamHandler):
    """Write to whatever sys.stderr is at the time (gunicorn and pytest replace it)."""

    def __init__(self):
        super().__init__()
        self.setFormatter(JsonFormatter())

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


HANDLER = StderrHandler()


def parse_level(value) -> int:
    """Return the logging level a LOG_LEVEL setting names, or stop start-up saying why."""
    name = str(value).strip().upper()
    if name not in LEVELS:
        raise ConfigurationError(f"LOG_LEVEL {value!r} is not one of {', '.join(LEVELS)}.")
    return logging.getLevelNamesMapping()[name]


def attach_handler(level: int) -> None:
    """Send the app's loggers to the JSON handler at `level` (once, however often called)."""
    for name in APP_LOGGERS:
        logger = logging.getLogger(name)
        if HANDLER not in logger.handlers:
            logger.addHandler(HANDLER)
        logger.setLevel(level)
    # WeasyPrint narrates every render step at INFO; only DEBUG wants that.
    progress = level if level <= logging.DEBUG else max(level, logging.WARNING)
    logging.getLogger("weasyprint.progress").setLevel(progress)


def init_app(app: Flask) -> None:
    """Send the app's loggers to stderr as JSON and give every response its request id."""
    attach_handler(parse_level(app.config["LOG_LEVEL"]))

    @app.after_request
    def send_request_id(response):
        response.headers[REQUEST_ID_HEADER] = request_id()
        return response


class GunicornLogger(glogging.Logger):
    """Gunicorn's error and access logs as JSON lines, without address, agent or query."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        # Before the app exists, so that what create_app logs is JSON too; the app's
        # LOG_LEVEL takes over once it is read.
        attach_handler(logging.INFO)
        for handler in self.error_log.handlers + self.access_log.handlers:
            handler.setFormatter(JsonFormatter())
        if not any(isinstance(f, GunicornErrorScrubber) for f in self.error_log.filters):
            self.error_log.addFilter(GunicornErrorScrubber())

    def access(self, resp, req, environ, request_time) -> None:
        if not self.access_log_enabled:
            return
        headers = resp.headers.items() if hasattr(resp.headers, "items") else resp.headers
        identifier = next((value for name, value in headers
                           if name.lower() == REQUEST_ID_HEADER.lower()), None)
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        method = environ.get("REQUEST_METHOD", "-")
        # Never RAW_URI: it carries the query string; and no one-time token.
        path = loggable_path(environ.get("PATH_INFO", ""))
        self.access_log.info("%s %s %s", method, path, status, extra={
            "request_id": identifier,
            "method": method,
            "path": path,
            "status": int(status),
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
        })


class GunicornErrorScrubber(logging.Filter):
    """Drop the client address and request line gunicorn puts in two of its messages."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        if message.startswith("Invalid request from ip="):
            # "...: Invalid Request Line 'GET /?q=...'": keep the kind, not what was sent.
            kind = message.split(": ", 1)[-1].split("'", 1)[0].strip(" :")
            record.msg, record.args = "Invalid request: %s", (kind,)
        elif message.startswith("Error handling request") and record.args:
            # The last argument is the request URI, query string included.
            args = tuple(record.args)
            record.args = (*args[:-1], str(args[-1]).split("?", 1)[0])
        return True
