"""A tiny HTTP client for tests against real servers: a cookie jar, forms, no redirects followed.

One Browser is one person: its cookies go to whichever host it is pointed at, as they
would through a load balancer that sends each request to any app host.
"""

import copy
import http.client
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import Message
from html.parser import HTMLParser
from http.cookiejar import CookieJar

import pyotp

from reviewapp.demo import DEMO_TOTP_SECRET

# What a request may raise when the server dies under it or is not there at all.
NO_ANSWER = (urllib.error.URLError, OSError, http.client.HTTPException)


@dataclass
class Response:
    """A status, headers and body, whatever the status."""

    status: int
    headers: Message
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def location(self) -> str:
        """Return the redirect target as a path (Werkzeug sends relative locations)."""
        target = self.headers.get("Location", "")
        return urllib.parse.urlsplit(target).path if target else ""

    def fields(self) -> dict[str, str]:
        """Return the page's form inputs by name (the first of each; no radios or boxes)."""
        return form_fields(self.text)


class _KeepRedirects(urllib.request.HTTPRedirectHandler):
    """Hand 3xx answers back to the caller, who wants to see the Location."""

    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A person's cookie jar and the requests they make, to any host."""

    def __init__(self, site_name: str | None = None, timeout: float = 30.0):
        self.site_name = site_name  # sent as the Host header, as a proxy would
        self.timeout = timeout
        self.jar = CookieJar()
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _KeepRedirects)

    def clone(self) -> "Browser":
        """Return another browser holding a copy of this one's cookies (a copied cookie)."""
        other = Browser(self.site_name, self.timeout)
        for cookie in self.jar:
            other.jar.set_cookie(copy.copy(cookie))
        return other

    def request(self, method: str, url: str, fields: dict | None = None,
                host: str | None = None) -> Response:
        """Send one request; return the answer, even a 4xx/5xx or a redirect."""
        data = urllib.parse.urlencode(fields or {}, doseq=True).encode() if fields else None
        # Only http:// URLs of servers the test started reach here.
        request = urllib.request.Request(url, data=data, method=method)  # noqa: S310
        if host or self.site_name:
            request.add_header("Host", host or self.site_name)
        try:
            with self._opener.open(request, timeout=self.timeout) as answer:
                return Response(answer.status, answer.headers, answer.read())
        except urllib.error.HTTPError as answer:
            with answer:
                return Response(answer.code, answer.headers, answer.read())

    def get(self, url: str, host: str | None = None) -> Response:
        return self.request("GET", url, host=host)

    def post(self, url: str, fields: dict, host: str | None = None) -> Response:
        return self.request("POST", url, fields, host=host)

    def submit(self, page_url: str, action_url: str, fields: dict) -> Response:
        """Load a page for its CSRF token, then post `fields` to `action_url` with it."""
        page = self.get(page_url)
        if page.status != 200:
            raise AssertionError(f"GET {page_url} answered {page.status}: {page.text[:500]}")
        token = page.fields().get("csrf_token")
        if not token:
            raise AssertionError(f"no csrf_token on {page_url}")
        return self.post(action_url, {"csrf_token": token, **fields})

    def sign_in(self, base_url: str, email: str, password: str,
                totp_secret: str = DEMO_TOTP_SECRET) -> Response:
        """Sign in through the form (and the code step, for an account with a second
        factor); the answer is the redirect to the role's home page."""
        answer = self.submit(base_url + "/auth/login", base_url + "/auth/login",
                             {"email": email, "password": password})
        if answer.status == 302 and answer.location == "/auth/second-factor":
            answer = self.submit(base_url + "/auth/second-factor",
                                 base_url + "/auth/second-factor",
                                 {"code": fresh_code(email, totp_secret)})
        if answer.status != 302:
            raise AssertionError(f"sign-in as {email} answered {answer.status}: "
                                 f"{answer.text[answer.text.find('<main'):][:800]}")
        return answer


_LAST_STEP: dict[str, int] = {}  # email -> the newest code step this process has used


def fresh_code(email: str, secret: str) -> str:
    """Return a code the server has not seen: each code is accepted once (replays are
    refused), so a second sign-in within 30 seconds uses the next step's code, which the
    server accepts as clock drift; a third waits for the clock."""
    step = max(int(time.time()) // 30, _LAST_STEP.get(email, -1) + 1)
    while step > int(time.time()) // 30 + 1:
        time.sleep(1)
    _LAST_STEP[email] = step
    return pyotp.TOTP(secret).at(step * 30)


class _FieldParser(HTMLParser):
    """Collect the names and values of <input> elements."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag != "input" or attributes.get("type") in ("radio", "checkbox"):
            return
        name = attributes.get("name")
        if name and name not in self.values:
            self.values[name] = attributes.get("value") or ""


def form_fields(html: str) -> dict[str, str]:
    """Return the input values of a page by name (the first input of each name)."""
    parser = _FieldParser()
    parser.feed(html)
    return parser.values
