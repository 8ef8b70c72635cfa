"""Logging for operators: one JSON line per event (filled in by the operations work)."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Configure logging (placeholder until the operations work lands)."""
