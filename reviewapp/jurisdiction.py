"""The active jurisdiction profile, loaded and validated once at start-up."""

from flask import Flask, current_app

from .profiles import Profile, load_profile


def init_app(app: Flask) -> None:
    """Load the configured profile; a bad profile stops start-up with a clear message."""
    app.extensions["profile"] = load_profile(app.config["PROFILE"])


def profile() -> Profile:
    """Return the active jurisdiction profile."""
    return current_app.extensions["profile"]
