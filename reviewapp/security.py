"""CSRF protection and security headers on every response (rate limits: ratelimit.py)."""

from flask import Flask, request
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()

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
    """Register CSRF on every POST and the header hook."""
    csrf.init_app(app)
    app.after_request(_headers)
