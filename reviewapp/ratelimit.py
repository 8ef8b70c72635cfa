"""Rate limits keyed by a keyed hash of the client address, never by the address itself.

Counters live in Redis when RATELIMIT_STORAGE_URI says so, shared by every app host. Their
keys hold HMAC-SHA256(daily secret, address): repeated requests from one client still count
together, but neither Redis, its snapshots nor a log line can give the address back. The
secret is random, made by the first host that needs it each UTC day, shared through Redis
and dropped after two days, after which yesterday's keys cannot be linked to anyone.
If Redis is down, limits count in each process's memory and comments are still accepted.
"""

import hashlib
import hmac
import logging
import secrets
import threading
import time
from datetime import UTC, datetime

from flask import Flask, current_app, request
from flask_limiter import Limiter

log = logging.getLogger("reviewapp.ratelimit")

SHARED_NAME_PREFIX = "reviewapp:ratelimit-secret:"
SECRET_LIFETIME = 2 * 24 * 3600  # seconds; yesterday's keys may still be counting
RETRY_AFTER_OUTAGE = 30  # seconds before asking Redis for the shared secret again


class DailySecret:
    """The day's random hashing secret: shared through Redis, or this process's own."""

    def __init__(self, redis_url: str | None):
        self.redis_url = redis_url
        self._client = None
        self._lock = threading.Lock()
        self._day: str | None = None
        self._secret = b""
        self._shared = False
        self._retry_at = 0.0

    def _redis(self):
        if self._client is None:
            import redis

            self._client = redis.Redis.from_url(self.redis_url, socket_connect_timeout=0.5,
                                                socket_timeout=0.5)
        return self._client

    def _fetch_shared(self, day: str, candidate: bytes) -> bytes:
        """Store `candidate` as the day's secret unless another host did first; return it."""
        client = self._redis()
        key = SHARED_NAME_PREFIX + day
        client.set(key, candidate, nx=True, ex=SECRET_LIFETIME)
        return client.get(key) or candidate

    def current(self) -> bytes:
        """Return today's secret (UTC day), creating or fetching it when the day changes."""
        day = datetime.now(UTC).date().isoformat()
        with self._lock:
            retry = (self.redis_url and not self._shared and time.monotonic() >= self._retry_at)
            if day == self._day and not retry:
                return self._secret
            if day != self._day:
                self._secret, self._shared = secrets.token_bytes(32), False
            if self.redis_url:
                try:
                    self._secret = self._fetch_shared(day, self._secret)
                    self._shared = True
                except Exception as exc:
                    self._retry_at = time.monotonic() + RETRY_AFTER_OUTAGE
                    log.warning("rate-limit secret not shared (Redis unreachable: %s); "
                                "this process uses its own until Redis answers",
                                type(exc).__name__)
            self._day = day
            return self._secret


def keyed(value: str) -> str:
    """Return the keyed hash of `value` under today's secret (hex, 128 bits)."""
    secret: DailySecret = current_app.extensions["ratelimit_secret"]
    digest = hmac.new(secret.current(), value.encode("utf-8"), hashlib.sha256)
    return digest.hexdigest()[:32]


def client_key() -> str:
    """Key a limit by client, as a keyed hash of its address (set by ProxyFix if trusted)."""
    return "client:" + keyed(request.remote_addr or "unknown")


limiter = Limiter(key_func=client_key, default_limits=[], key_prefix="reviewapp")


def login_limit() -> str:
    """Sign-in attempts per client."""
    return current_app.config["LOGIN_RATE_LIMIT"]


def comment_limit() -> str:
    """Comments posted per client."""
    return current_app.config["COMMENT_RATE_LIMIT"]


def init_app(app: Flask) -> None:
    """Attach the limiter; its counters go where RATELIMIT_STORAGE_URI says."""
    uri = app.config["RATELIMIT_STORAGE_URI"]
    shared = uri.startswith(("redis://", "rediss://", "redis+unix://"))
    if shared:
        # Fail fast when Redis is down, so a request falls back to memory at once.
        app.config.setdefault("RATELIMIT_STORAGE_OPTIONS",
                              {"socket_connect_timeout": 0.5, "socket_timeout": 0.5})
    app.extensions["ratelimit_secret"] = DailySecret(uri if shared else None)
    limiter.init_app(app)
