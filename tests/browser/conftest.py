"""Fixtures for browser tests: a live server on a frozen clock, Chromium, and axe-core."""

import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PORT = int(os.environ.get("REVIEWAPP_BROWSER_PORT", "5181"))  # below 32768 (ephemeral range)
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@dataclass(frozen=True)
class Person:
    """A signed-up user as the browser knows them: plain values, no ORM object."""

    email: str
    name: str
    password: str = PASSWORD


@dataclass(frozen=True)
class People:
    """The world's users, copied out of the database session."""

    submitter: Person
    clerk: Person
    advisory: Person
    council: tuple[Person, ...]


@dataclass(frozen=True)
class LiveServer:
    """The running app, its address and the clock it reads."""

    app: object
    url: str
    clock: object


@pytest.fixture
def app_config():
    """The real CSRF protection (the shared fixture turns it off for the test client)."""
    return {"WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": False}


@pytest.fixture
def people(world, db) -> People:
    """Create the users (tests.factories.World) and end the fixture's transaction.

    SQLite runs with BEGIN IMMEDIATE, so a transaction left open in the test thread
    would block the server's writes; only plain values leave this fixture.
    """

    def person(user) -> Person:
        return Person(email=user.email, name=user.name)

    found = People(submitter=person(world.submitter), clerk=person(world.clerk),
                   advisory=person(world.advisory),
                   council=tuple(person(u) for u in world.council))
    db.rollback()
    return found


@pytest.fixture
def live_server(app, clock, people):
    """Serve the app on 127.0.0.1:PORT from a daemon thread for the test's duration."""
    server = make_server("127.0.0.1", PORT, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app=app, url=f"http://127.0.0.1:{PORT}", clock=clock)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium, headless, driven by Playwright (its own download is not used)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_context(chromium):
    """A fresh browser profile that accepts downloads."""
    context = chromium.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900},
                                   locale="en-US")
    context.set_default_timeout(15_000)
    yield context
    context.close()


class AxeAudit:
    """Runs axe-core (WCAG 2.1 A and AA) on each page and insists that none is skipped.

    Every main-frame navigation must be followed by `check()` before the next one;
    `assert_clean()` fails on any violation or on any page that was never checked.
    """

    def __init__(self, page):
        from axe_playwright_python.sync_playwright import Axe

        self.axe = Axe()
        self.page = page
        self.checked: list[str] = []
        self.violations: list[tuple[str, str, dict]] = []
        self.unchecked: list[str] = []
        self.pending: str | None = None
        self.errors: list[str] = []
        page.on("framenavigated", self._navigated)
        page.on("response", self._response)

    def _navigated(self, frame) -> None:
        if frame is not self.page.main_frame:
            return
        url = _without_fragment(frame.url)
        if self.pending is not None and url != self.pending:
            self.unchecked.append(self.pending)
        self.pending = url

    def _response(self, response) -> None:
        request = response.request
        if request.resource_type == "document" and response.status >= 400:
            self.errors.append(f"{response.status} {request.method} {response.url}")

    def check(self, label: str = "") -> None:
        """Run axe on the page as it is now and keep its violations."""
        page = self.page
        page.wait_for_load_state("load")
        results = self.axe.run(page, options={
            "runOnly": {"type": "tag", "values": WCAG_TAGS},
            "resultTypes": ["violations"],
        })
        where = f"{page.url} ({label})" if label else page.url
        self.checked.append(where)
        self.violations.extend((where, page.title(), v) for v in results.response["violations"])
        self.pending = None

    def report(self) -> str:
        """Describe every violation: rule, help, impact, target selectors, page."""
        lines = [f"{len(self.violations)} axe violation(s) on {len(self.checked)} page checks:"]
        for where, title, v in self.violations:
            lines.append(f"- [{v['id']}] ({v.get('impact')}) {v['help']}  <{v['helpUrl']}>")
            lines.append(f"    page: {where} - {title!r}")
            for node in v["nodes"][:10]:
                targets = ", ".join(" ".join(t) if isinstance(t, list) else t
                                    for t in node["target"])
                lines.append(f"    target: {targets}")
                summary = (node.get("failureSummary") or "").replace("\n", " ")
                if summary:
                    lines.append(f"      {summary[:300]}")
        return "\n".join(lines)

    def summary(self) -> str:
        """Say how much was checked."""
        paths = {re.sub(r"^https?://[^/]+|[?#].*$| \(.*$", "", w) for w in self.checked}
        return (f"axe ({', '.join(WCAG_TAGS)}): {len(self.checked)} page checks over "
                f"{len(paths)} distinct paths, {len(self.violations)} violation(s)")

    def assert_clean(self) -> None:
        """Fail on violations, unchecked pages, or error responses."""
        if self.pending is not None:
            self.unchecked.append(self.pending)
            self.pending = None
        assert not self.unchecked, f"pages visited but not checked with axe: {self.unchecked}"
        assert not self.errors, f"error responses during the walk: {self.errors}"
        assert not self.violations, self.report()


def _without_fragment(url: str) -> str:
    return re.sub(r"#.*$", "", url)


@pytest.fixture
def axe_page(browser_context):
    """A page and its AxeAudit."""
    page = browser_context.new_page()
    return page, AxeAudit(page)


@pytest.fixture
def artifacts() -> Path:
    """Where screenshots go (git-ignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
