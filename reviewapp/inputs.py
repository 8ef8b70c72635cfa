"""Refuse malformed input early with a clear 4xx (filled in by the bad-input work)."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the input checks (placeholder until the bad-input work lands)."""
