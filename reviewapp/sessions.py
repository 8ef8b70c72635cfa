"""Flask's signed-cookie sessions, with the serializer built once per set of keys and each
cookie's signature checked once per process."""

import copy
import time

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer

# Cookies whose signature this process has checked, at most this many (then forgotten).
VERIFIED_KEPT = 4096


class KeptSerializerSessionInterface(SecureCookieSessionInterface):
    """The same cookies, signed and checked the same way; the serializer is kept.

    Flask builds a new serializer for every request, and building one serializes a
    probe value to learn its type: about a fifth of opening a session. The serializer
    holds nothing per request, so one per (secret key, fallback keys) serves them all.

    A cookie whose signature was checked once is not checked again: the same bytes under
    the same keys verify the same way, so the process keeps what it read (by the whole
    signed cookie, which no one can forge) with the time it was signed, and only the age
    limit is checked again. A resident loading the comment form and posting it sends the
    same cookie twice; checking it cost about a tenth of each request.
    """

    def __init__(self) -> None:
        self._kept: tuple[tuple, URLSafeTimedSerializer | None] = ((), None)
        # signed cookie -> (the serializer that checked it, when it was signed, its data)
        self._verified: dict[str, tuple[URLSafeTimedSerializer, float, dict]] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Return the serializer for the app's present keys, building it when they change."""
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        kept_keys, serializer = self._kept
        if kept_keys != keys:
            serializer = super().get_signing_serializer(app)
            self._kept = (keys, serializer)  # one assignment: threads see a pair or the other
        return serializer

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """Open the session as Flask does, reusing an earlier check of the same cookie."""
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        kept = self._verified.get(cookie)
        # Keys changed (another serializer) or too old: checked afresh, as Flask would.
        if kept is not None and kept[0] is serializer and 0 <= time.time() - kept[1] <= max_age:
            # A copy: the session's lists (flashed messages) are changed in place.
            return self.session_class(copy.deepcopy(kept[2]))
        try:
            data, signed_at = serializer.loads(cookie, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if len(self._verified) >= VERIFIED_KEPT:
            self._verified.clear()  # bounded, and simpler than an LRU: it refills at once
        self._verified[cookie] = (serializer, signed_at.timestamp(), copy.deepcopy(data))
        return self.session_class(data)


def init_app(app: Flask) -> None:
    """Use the kept-serializer session interface."""
    app.session_interface = KeptSerializerSessionInterface()
