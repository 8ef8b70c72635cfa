"""Flask's signed-cookie sessions, with the cookie's serializer built once per set of keys."""

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class KeptSerializerSessionInterface(SecureCookieSessionInterface):
    """The same cookies, signed and checked the same way; the serializer is kept.

    Flask builds a new serializer for every request, and building one serializes a
    probe value to learn its type: about a fifth of opening a session. The serializer
    holds nothing per request, so one per (secret key, fallback keys) serves them all.
    """

    def __init__(self) -> None:
        self._kept: tuple[tuple, URLSafeTimedSerializer | None] = ((), None)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Return the serializer for the app's present keys, building it when they change."""
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        kept_keys, serializer = self._kept
        if kept_keys != keys:
            serializer = super().get_signing_serializer(app)
            self._kept = (keys, serializer)  # one assignment: threads see a pair or the other
        return serializer


def init_app(app: Flask) -> None:
    """Use the kept-serializer session interface."""
    app.session_interface = KeptSerializerSessionInterface()
