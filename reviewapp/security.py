"""CSRF protection, rate limits and security headers on every response."""

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
# The limiter keys on the address only in memory or Redis, for the window; it is never
# written to the database or the logs.
limiter = Limiter(key_func=get_remote_address, default_limits=[])

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def _headers(response):
    """Add the headers ASVS 14.4 asks for; private pages are never cached."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    headers["X-Frame-Options"] = "DENY"
    headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if current_user.is_authenticated or request.path.startswith(("/auth", "/comment")):
        headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """Register CSRF on every POST, the limiter, and the header hook."""
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter.init_app(app)
    app.after_request(_headers)
