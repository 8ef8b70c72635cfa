"""Comment intake: residents load the form and post it, the app against a bare server.

Each resident loads the comment form (GET), then posts it with the form's CSRF token and
nonce (POST) and keeps the receipt, again and again. The app (a real gunicorn, 2 sync
workers, rate limits off) and the bare server (bench/bare_intake.py: Flask serves a form
and inserts a row, also 2 sync workers) run side by side on the same kind of database, and
take turns in interleaved rounds (A/B, then B/A), so both meet the same machine. Afterwards
every receipt must be stored exactly once under its nonce, with one audit event in the app,
and `flask verify-audit` must pass.

Usage:
    .venv/bin/python bench/comment_intake.py                      # SQLite, then PostgreSQL
    .venv/bin/python bench/comment_intake.py --database sqlite --clients 8 --rounds 2
    options: --clients 8 32 --rounds 4 --seconds 6 --workers 2 --bare-template cached|string

PostgreSQL is TEST_DATABASE_URL's server (default the local one), in schemas of its own.
Ports come from REVIEWAPP_TEST_PORT_BASE (default 5300). Run by hand, never as a test; the
load generator shares the machine's cores with both servers, so read the ratio, not the
absolute rates. Exits 1 if a comment was lost or duplicated, a post failed, or the audit
chain does not verify.
"""

import argparse
import http.client
import os
import re
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text

from bench.bare_intake import create_schema
from tests.comment_drill import proposal_in_comment
from tests.scratch_db import scratch_postgresql
from tests.servers import AppHost, living_in_group, start_hosts

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
INPUT = re.compile(r"<input\b[^>]*>")
NAMED = re.compile(r'name="([^"]+)"')
VALUE = re.compile(r'value="([^"]*)"')
RECEIPT = re.compile(r"^/receipts/(RA-[0-9A-Z]{4}-[0-9A-Z]{4})$")
POSITIONS = ("support", "oppose", "neutral")
WARM_UP = 1.5  # seconds of load before the measured rounds (workers import and connect)


@dataclass
class Tally:
    """What one server was told: receipts by nonce, failures, and the time spent."""

    receipts: dict[str, str] = field(default_factory=dict)  # nonce -> tracking number
    measured: int = 0  # receipts inside measured rounds
    seconds: float = 0.0
    cpu: float = 0.0  # seconds of the server's processes' CPU time in measured rounds
    failures: list[str] = field(default_factory=list)
    before: set[str] = field(default_factory=set)  # nonces stored before the bench (demo)
    rounds: list[float] = field(default_factory=list)  # comments per second, per round

    @property
    def rate(self) -> float:
        return self.measured / self.seconds if self.seconds else 0.0

    @property
    def cpu_per_comment(self) -> float:
        """Milliseconds of server CPU per comment (form load and post): steadier than rates."""
        return 1000 * self.cpu / self.measured if self.measured else 0.0


@dataclass
class Server:
    """A server under test: its host, the form's path, and how to read back what it stored."""

    label: str
    host: AppHost
    database_url: str
    stored_query: str  # selects (nonce, tracking_number) of every stored comment
    form_path: str = ""
    tally: Tally = field(default_factory=Tally)


def hidden_fields(html: str) -> dict[str, str]:
    """Return the named <input> values of a page (enough for csrf_token and nonce)."""
    found = {}
    for tag in INPUT.findall(html):
        name, value = NAMED.search(tag), VALUE.search(tag)
        if name and name.group(1) not in found:
            found[name.group(1)] = value.group(1) if value else ""
    return found


class Resident(threading.Thread):
    """One person: loads the form, posts it, keeps the receipt; until the deadline."""

    def __init__(self, server: Server, number: int, deadline: float, lock: threading.Lock):
        super().__init__(name=f"resident-{number}", daemon=True)
        self.server, self.number, self.deadline, self.lock = server, number, deadline, lock
        self.cookies: dict[str, str] = {}
        self.done = 0

    def _send(self, method: str, body: str | None = None) -> http.client.HTTPResponse:
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = http.client.HTTPConnection("127.0.0.1", self.server.host.port,
                                                timeout=60)
        try:
            connection.request(method, self.server.form_path, body=body, headers=headers)
            answer = connection.getresponse()
            answer.payload = answer.read()
        finally:
            connection.close()
        for cookie in answer.headers.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        return answer

    def run(self) -> None:
        tally = self.server.tally
        while time.monotonic() < self.deadline:
            try:
                page = self._send("GET")
                fields = hidden_fields(page.payload.decode())
                if page.status != 200 or "nonce" not in fields:
                    raise AssertionError(f"GET answered {page.status}")
                nonce = fields["nonce"]
                form = {**fields, "submitter_type": "anonymous", "name": "",
                        "organization": "", "position": POSITIONS[self.done % 3],
                        "body": f"Resident {self.number}, comment {self.done}: keep the "
                                "footage for 30 days at most."}
                answer = self._send("POST", urllib.parse.urlencode(form))
                path = urllib.parse.urlsplit(answer.headers.get("Location", "")).path
                receipt = RECEIPT.match(path) if answer.status == 302 else None
                if receipt is None:
                    raise AssertionError(f"POST answered {answer.status} {path!r}")
                with self.lock:
                    tally.receipts[nonce] = receipt.group(1)
                self.done += 1
            except Exception as exc:  # count it and go on: the check reports every one
                with self.lock:
                    tally.failures.append(f"{type(exc).__name__}: {exc}")


def server_cpu(host: AppHost) -> float:
    """Return the CPU seconds (user and system) used so far by the host's processes."""
    ticks = 0
    for pid in living_in_group(host.process.pid):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def load(server: Server, clients: int, seconds: float, measured: bool) -> None:
    """Run `clients` residents against `server` for `seconds`; add to its tally."""
    lock = threading.Lock()
    cpu_before = server_cpu(server.host)
    start = time.monotonic()
    residents = [Resident(server, n, start + seconds, lock) for n in range(clients)]
    for resident in residents:
        resident.start()
    for resident in residents:
        resident.join()
    elapsed = time.monotonic() - start  # includes the posts in flight at the deadline
    done = sum(r.done for r in residents)
    if measured:
        server.tally.measured += done
        server.tally.seconds += elapsed
        server.tally.cpu += server_cpu(server.host) - cpu_before
        server.tally.rounds.append(done / elapsed)


def stored(server: Server) -> list[tuple[str, str]]:
    """Return (nonce, tracking number) of every comment the server has stored."""
    engine = create_engine(server.database_url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(server.stored_query))]
    finally:
        engine.dispose()


def check(server: Server, audited: bool) -> tuple[int, int, int, list[str]]:
    """Read back every stored comment: (lost, duplicated, stored without receipt, problems)."""
    rows = stored(server)
    engine = create_engine(server.database_url)
    try:
        with engine.connect() as connection:
            events = Counter()
            if audited:
                events = Counter(dict(connection.execute(text(
                    "SELECT object_id, count(*) FROM audit_event "
                    "WHERE action = 'post_comment' GROUP BY object_id")).all()))
    finally:
        engine.dispose()
    by_nonce = Counter(nonce for nonce, _ in rows)
    by_tracking = Counter(tracking for _, tracking in rows)
    pairs = set(rows)
    receipts = server.tally.receipts
    lost = sum(1 for nonce, tracking in receipts.items() if (nonce, tracking) not in pairs)
    duplicated = (sum(n - 1 for n in by_nonce.values() if n > 1)
                  + sum(n - 1 for n in by_tracking.values() if n > 1))
    unreceipted = sum(1 for nonce in by_nonce
                      if nonce not in receipts and nonce not in server.tally.before)
    problems = []
    if audited:
        wrong = [t for t in receipts.values() if events[t] != 1]
        if wrong:
            problems.append(f"{len(wrong)} receipts without exactly one audit event")
    return lost, duplicated, unreceipted, problems


@contextmanager
def servers(kind: str, workdir: Path, pg_server: str, workers: int, bare_template: str):
    """Yield the seeded app and the bare server on `kind` ('SQLite' or 'PostgreSQL')."""
    off = {"REVIEWAPP_RATELIMIT_ENABLED": "false"}
    with ExitStack() as stack:
        if kind == "SQLite":
            app_url = f"sqlite:///{workdir / 'app' / 'reviewapp.sqlite3'}"
            bare_url = f"sqlite:///{workdir / 'bare.sqlite3'}"
            app_settings = off
        else:
            app_url = stack.enter_context(scratch_postgresql("intake_app", pg_server))
            bare_url = stack.enter_context(scratch_postgresql("intake_bare", pg_server))
            app_settings = off | {"REVIEWAPP_DATABASE_URL": app_url,
                                  "REVIEWAPP_TRUSTED_HOSTS": "127.0.0.1",
                                  "REVIEWAPP_SECRET_KEY": "intake-bench-secret-" + "k" * 32}
        app = AppHost("intake-app", workdir / "app", app_settings, workers=workers)
        bare = AppHost("intake-bare", workdir / "bare",
                       {"BARE_DATABASE_URL": bare_url, "BARE_TEMPLATE": bare_template},
                       workers=workers, target="bench.bare_intake:create_app()")
        app.flask("setup-db")
        app.flask("seed-demo")
        create_schema(bare_url)
        try:
            start_hosts(app, bare)
            proposal = proposal_in_comment(app.url)
            yield (Server("app", app, app_url, "SELECT nonce, tracking_number FROM comment",
                          f"/proposals/{proposal}/comment"),
                   Server("bare", bare, bare_url,
                          "SELECT nonce, tracking_number FROM bare_comment",
                          f"/proposals/{proposal}/comment"))
        finally:
            app.stop()
            bare.stop()


def bench(kind: str, options, pg_server: str) -> tuple[list[str], bool]:
    """Measure one database at every client count; return table rows and whether all is well."""
    rows, ok = [], True
    with tempfile.TemporaryDirectory(prefix="intake-bench-") as workdir, \
            servers(kind, Path(workdir), pg_server, options.workers,
                    options.bare_template) as (app, bare):
        for side in (app, bare):
            side.tally.before = {nonce for nonce, _ in stored(side)}
            load(side, 4, WARM_UP, measured=False)
        for clients in options.clients:
            for side in (app, bare):
                side.tally.measured, side.tally.seconds, side.tally.cpu = 0, 0.0, 0.0
                side.tally.rounds = []
            for round_ in range(options.rounds):
                order = (app, bare) if round_ % 2 == 0 else (bare, app)
                for side in order:
                    load(side, clients, options.seconds, measured=True)
            lost, duplicated, unreceipted, problems = check(app, audited=True)
            bare_lost, bare_dup, _, _ = check(bare, audited=False)
            failures = len(app.tally.failures)
            ratio = app.tally.rate / bare.tally.rate if bare.tally.rate else 0.0
            rows.append(f"| {kind} | {clients} | {app.tally.rate:.1f} | {bare.tally.rate:.1f} | "
                        f"{ratio:.2f}x | {app.tally.cpu_per_comment:.1f} | "
                        f"{bare.tally.cpu_per_comment:.1f} | {lost} | {duplicated} | {failures} | "
                        f"{' / '.join(f'{r:.0f}' for r in app.tally.rounds)} | "
                        f"{' / '.join(f'{r:.0f}' for r in bare.tally.rounds)} |")
            print(rows[-1], flush=True)
            for problem in problems + app.tally.failures[:5] + bare.tally.failures[:5]:
                print("PROBLEM:", problem)
            ok &= not (lost or duplicated or failures or problems or bare_lost or bare_dup
                       or bare.tally.failures)
            if unreceipted:
                print(f"note: {unreceipted} stored comments whose receipt never arrived")
        verify = app.host.flask("verify-audit", check=False)
        print(f"{kind}: verify-audit exited {verify.returncode}: "
              f"{(verify.stdout or verify.stderr).strip()}", flush=True)
        ok &= verify.returncode == 0
    return rows, ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"),
                        default="both")
    parser.add_argument("--clients", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--rounds", type=int, default=4, help="A/B rounds per client count")
    parser.add_argument("--seconds", type=float, default=6.0, help="length of one turn")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--bare-template", choices=("cached", "string"), default="cached",
                        help="the bare form compiled once (the lean baseline), or by "
                             "render_template_string on every load (the baseline until "
                             "2026-12-02)")
    options = parser.parse_args()
    pg_server = os.environ.get("TEST_DATABASE_URL") or DEFAULT_PG
    kinds = {"sqlite": ["SQLite"], "postgresql": ["PostgreSQL"],
             "both": ["SQLite", "PostgreSQL"]}[options.database]
    print(f"comment intake: {options.rounds} interleaved rounds of {options.seconds:g} s per "
          f"server and client count, {options.workers} sync workers each, bare form "
          f"template {options.bare_template}")
    header = ("| database | clients | app /s | bare /s | ratio | app CPU ms | bare CPU ms | lost "
              "| duplicated | failed posts | app rounds /s | bare rounds /s |\n"
              "|---|---|---|---|---|---|---|---|---|---|---|---|")
    print(header)
    rows, ok = [], True
    for kind in kinds:
        kind_rows, kind_ok = bench(kind, options, pg_server)
        rows += kind_rows
        ok &= kind_ok
    print("\n" + header + "\n" + "\n".join(rows))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
