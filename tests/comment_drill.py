"""The crash drill: residents post comments while the app host is killed with SIGKILL.

Each resident loads the comment form (which carries a fresh nonce), posts it and keeps the
receipt's tracking number. When the host dies under a request, the resident waits for the
restart and sends the same form again, with the same nonce, until it gets its receipt. The
checks then read the database: every comment sent is stored once, under the tracking
number its receipt gave, with one audit event, and the audit chain verifies.
"""

import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from reviewapp.models import AuditEvent
from reviewapp.models import Comment as StoredComment
from tests.http_client import NO_ANSWER, Browser
from tests.scratch_db import scratch_postgresql, sqlite_integrity
from tests.servers import AppHost

DRONE_TITLE = "Drone program for search and rescue"
POSITIONS = ("oppose", "support", "neutral")
RECEIPT = re.compile(r"^/receipts/(RA-[0-9A-Z]{4}-[0-9A-Z]{4})$")
WAIT_LIMIT = 60.0  # seconds any phase of the drill may take before it is called stuck


@dataclass
class Sent:
    """One comment a resident wrote, and what became of it."""

    resident: int
    nonce: str
    body: str
    position: str
    csrf_token: str
    tracking_number: str | None = None
    posts: int = 0  # times the form was posted
    lost: int = 0  # posts whose answer never came
    first_lost_in: int | None = None  # the server generation that died with it


@dataclass
class Site:
    """A seeded site on a database (or PostgreSQL schema) of its own, and its host."""

    host: AppHost
    database_url: str
    sqlite_path: Path | None  # None on PostgreSQL
    kind: str


@contextmanager
def drill_site(workdir: Path, pg_server_url: str | None = None, workers: int = 2):
    """Yield a seeded site: SQLite in the instance folder, or a PostgreSQL schema of its own.

    SQLite runs as a single-host city would: the default database file and the secret key
    the app keeps in its instance folder. PostgreSQL is production: the key is given.
    """
    instance = workdir / "instance"
    settings = {"REVIEWAPP_RATELIMIT_ENABLED": "false"}  # the drill is one busy address
    if pg_server_url is None:
        host = AppHost("crash-host", instance, settings, workers=workers)
        sqlite_path = instance / "reviewapp.sqlite3"
        yield from _seeded(Site(host, f"sqlite:///{sqlite_path}", sqlite_path, "SQLite"))
        return
    with scratch_postgresql("crash", pg_server_url) as url:
        settings |= {"REVIEWAPP_DATABASE_URL": url, "REVIEWAPP_TRUSTED_HOSTS": "127.0.0.1",
                     "REVIEWAPP_SECRET_KEY": "crash-drill-secret-key-" + "k" * 32}
        host = AppHost("crash-host", instance, settings, workers=workers)
        yield from _seeded(Site(host, url, None, "PostgreSQL"))


def _seeded(site: Site):
    """Migrate and seed the site's database, yield it, and stop its host afterwards."""
    site.host.flask("setup-db")
    site.host.flask("seed-demo")
    try:
        yield site
    finally:
        site.host.stop()


def proposal_in_comment(base_url: str) -> int:
    """Find the demo proposal open for comment on the public list."""
    page = Browser().get(base_url + "/")
    found = re.search(r'href="/proposals/(\d+)">' + re.escape(DRONE_TITLE), page.text)
    if not found:
        raise AssertionError(f"no proposal titled {DRONE_TITLE!r} on the public list")
    return int(found.group(1))


class Drill:
    """Shared state between the controller and the residents."""

    def __init__(self, host: AppHost, proposal_id: int, residents: int):
        self.host = host
        self.residents = residents
        self.form_path = f"/proposals/{proposal_id}/comment"
        self.lock = threading.Lock()
        self.up = threading.Event()
        self.stop = threading.Event()
        self.generation = 0  # increases at every kill
        self.kill_times: list[datetime] = []
        self.posts_in_flight = 0
        self.in_flight_at_kills: list[int] = []
        self.receipts_before_first_kill = 0
        self.sent: list[Sent] = []
        self.errors: list[str] = []

    @property
    def receipts(self) -> int:
        with self.lock:
            return sum(1 for s in self.sent if s.tracking_number)

    def wait_until(self, condition: Callable[[], bool], what: str,
                   limit: float = WAIT_LIMIT, pause: float = 0.005) -> None:
        """Wait until `condition` holds, or fail naming `what`."""
        deadline = time.monotonic() + limit
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"crash drill stuck waiting for {what}\n"
                                     f"{self.host.log_tail()}\nerrors: {self.errors[:5]}")
            time.sleep(pause)

    def kill_mid_run(self, newest_comment: Callable[[], int | None] | None = None) -> None:
        """SIGKILL the whole host while comment posts are in flight, then mark it down.

        With `newest_comment` (reads the highest comment id), the kill comes the moment a
        new comment is committed: its worker has not yet sent the receipt, the case the
        form's nonce exists for. Otherwise it comes at whatever point the posts have reached.
        """
        wanted = min(2, self.residents)
        self.wait_until(lambda: self.posts_in_flight >= wanted, "posts in flight", 10)
        if newest_comment is not None:
            before = newest_comment()
            # No pause between looks: the receipt leaves a millisecond after the commit.
            self.wait_until(lambda: self.posts_in_flight >= wanted
                            and newest_comment() != before, "a commit", 10, pause=0)
        with self.lock:
            self.in_flight_at_kills.append(self.posts_in_flight)
        self.host.kill()
        with self.lock:
            self.kill_times.append(datetime.now(UTC))
            self.up.clear()
            self.generation += 1

    def restart(self) -> None:
        """Start the host again on the same database and let the residents back in."""
        self.host.start()
        self.up.set()


class Resident(threading.Thread):
    """A person who writes comments one after another and keeps every receipt."""

    def __init__(self, drill: Drill, number: int):
        super().__init__(name=f"resident-{number}", daemon=True)
        self.drill = drill
        self.number = number
        self.browser = Browser(timeout=30)
        self.pending: list[Sent] = []  # posted, answer never came: to send again
        self.written = 0

    def run(self) -> None:
        drill = self.drill
        try:
            while True:
                # Read the generation before looking at `up`: the controller clears `up`
                # before it counts a kill, so a request made now belongs to this generation.
                generation = drill.generation
                if not drill.up.is_set():
                    drill.up.wait()
                    continue
                if self.pending:
                    if self._post(self.pending[0], generation):
                        self.pending.pop(0)
                    elif drill.stop.is_set():
                        return  # the drill is over and the host is gone: already a failure
                    else:
                        self._wait_for_restart(generation)
                    continue
                if drill.stop.is_set():
                    return
                sent = self._write(generation)
                if sent is not None and not self._post(sent, generation):
                    self.pending.append(sent)
                if sent is None or self.pending:
                    self._wait_for_restart(generation)
        except Exception as exc:  # a resident must not die silently
            with drill.lock:
                drill.errors.append(f"{self.name}: {type(exc).__name__}: {exc}")

    def _wait_for_restart(self, generation: int) -> None:
        """After a request got no answer, wait until the host was killed and is back."""
        deadline = time.monotonic() + 5
        while self.drill.generation == generation and time.monotonic() < deadline:
            time.sleep(0.01)
        if self.drill.generation == generation:
            with self.drill.lock:
                self.drill.errors.append(f"{self.name}: no answer from a running host")

    def _write(self, generation: int) -> Sent | None:
        """Load the form (a fresh nonce); return the comment to post, or None if no answer."""
        try:
            page = self.browser.get(self.drill.host.url + self.drill.form_path)
        except NO_ANSWER:
            return None
        fields = page.fields()
        if page.status != 200 or not fields.get("nonce") or not fields.get("csrf_token"):
            raise AssertionError(f"comment form answered {page.status}: {page.text[:300]}")
        self.written += 1
        return Sent(self.number, fields["nonce"],
                    f"Crash drill, resident {self.number}, comment {self.written}: keep "
                    "the drone footage no longer than thirty days.",
                    POSITIONS[self.written % len(POSITIONS)], fields["csrf_token"])

    def _post(self, sent: Sent, generation: int) -> bool:
        """Post the comment; record its receipt. False if the answer never came."""
        drill = self.drill
        form = {"csrf_token": sent.csrf_token, "nonce": sent.nonce,
                "submitter_type": "anonymous", "name": "", "organization": "",
                "position": sent.position, "body": sent.body}
        with drill.lock:
            if sent.posts == 0:
                drill.sent.append(sent)
            sent.posts += 1
            drill.posts_in_flight += 1
        try:
            answer = self.browser.post(drill.host.url + drill.form_path, form)
        except NO_ANSWER:
            with drill.lock:
                sent.lost += 1
                if sent.first_lost_in is None:
                    sent.first_lost_in = generation
            return False
        finally:
            with drill.lock:
                drill.posts_in_flight -= 1
        receipt = RECEIPT.match(answer.location) if answer.status == 302 else None
        if receipt is None:
            raise AssertionError(f"comment post answered {answer.status} "
                                 f"{answer.location!r}: {answer.text[:300]}")
        with drill.lock:
            sent.tracking_number = receipt.group(1)
        return True


@dataclass
class DrillReport:
    """What the drill measured and every problem the checks found."""

    kind: str
    residents: int
    kills: int
    receipts_before_first_kill: int
    in_flight_at_kills: list[int]
    sent: int
    posts: int
    lost_answers: int
    resent: int
    stored_before_kill: int  # of the lost answers: stored by the host that died
    stored: int
    receipts: int
    audit_message: str
    integrity: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line with the counts, for the test output and the issue note."""
        line = (f"crash drill on {self.kind}: {self.residents} residents, {self.kills} "
                f"SIGKILL(s); receipts before the first kill {self.receipts_before_first_kill};"
                f" posts in flight at each kill {self.in_flight_at_kills}; comments sent "
                f"{self.sent} in {self.posts} posts; lost answers {self.lost_answers} (already "
                f"stored by the killed host {self.stored_before_kill}); resent "
                f"{self.resent}; stored {self.stored}; receipts {self.receipts}; "
                f"{self.audit_message}")
        if self.integrity:
            line += f"; SQLite integrity_check {', '.join(self.integrity)}"
        return line


def run_drill(site: Site, residents: int = 8, kills: int = 1, receipts_per_round: int = 40,
              kill_after_commit: bool = True) -> DrillReport:
    """Run the drill on a seeded site and check the database; the host ends stopped.

    `kill_after_commit` times every kill to just after a comment is committed (see
    Drill.kill_mid_run); without it kills come at whatever point the posts have reached.
    """
    host = site.host
    host.start()
    drill = Drill(host, proposal_in_comment(host.url), residents)
    people = [Resident(drill, number) for number in range(1, residents + 1)]
    integrity = []
    # The drill's own connection, outside any transaction, sees each commit as it lands.
    watcher = create_engine(site.database_url, isolation_level="AUTOCOMMIT")
    watch = watcher.connect()
    newest = select(func.max(StoredComment.id))
    drill.up.set()
    for person in people:
        person.start()
    try:
        for round_ in range(1, kills + 1):
            drill.wait_until(lambda r=round_: drill.receipts >= r * receipts_per_round,
                             f"{round_ * receipts_per_round} receipts")
            if round_ == 1:
                drill.receipts_before_first_kill = drill.receipts
            drill.kill_mid_run((lambda: watch.scalar(newest)) if kill_after_commit else None)
            if site.sqlite_path:
                # DUR-1: the file is sound right after the crash, before anything repairs it.
                integrity.append(sqlite_integrity(site.sqlite_path))
            drill.restart()
        after = drill.receipts + receipts_per_round // 2
        drill.wait_until(lambda: drill.receipts >= after, "receipts after the last restart")
    finally:
        drill.stop.set()
        drill.up.set()  # nobody may stay blocked waiting for a host
        for person in people:
            person.join(WAIT_LIMIT)
        watch.close()
        watcher.dispose()
    host.stop()
    if site.sqlite_path:
        integrity.append(sqlite_integrity(site.sqlite_path))
    return check_drill(site, drill, residents, integrity)


def check_drill(site: Site, drill: Drill, residents: int, integrity: list[str]) -> DrillReport:
    """Read the database back and compare it with what the residents sent and were told."""
    problems = list(drill.errors)
    engine = create_engine(site.database_url)
    try:
        with Session(engine) as db:
            rows = db.execute(select(StoredComment.nonce, StoredComment.tracking_number,
                                     StoredComment.body, StoredComment.created_at)).all()
            audited = Counter(dict(db.execute(
                select(AuditEvent.object_id, func.count()).where(
                    AuditEvent.action == "post_comment").group_by(AuditEvent.object_id)).all()))
    finally:
        engine.dispose()
    by_nonce: dict[str, list] = {}
    for row in rows:
        by_nonce.setdefault(row.nonce, []).append(row)
    tracking_counts = Counter(row.tracking_number for row in rows)
    problems += [f"nonce {nonce} stored {len(found)} times"
                 for nonce, found in by_nonce.items() if len(found) > 1]
    stored_before_kill = 0
    for sent in drill.sent:
        found = by_nonce.get(sent.nonce, [])
        if len(found) != 1:
            problems.append(f"comment {sent.nonce} sent, stored {len(found)} times")
            continue
        row = found[0]
        if row.body != sent.body:
            problems.append(f"comment {sent.nonce} stored with another text")
        if sent.tracking_number is None:
            problems.append(f"comment {sent.nonce} never got a receipt")
        elif row.tracking_number != sent.tracking_number:
            problems.append(f"receipt {sent.tracking_number} but stored as "
                            f"{row.tracking_number}")
        if sent.tracking_number and tracking_counts[sent.tracking_number] != 1:
            problems.append(f"receipt {sent.tracking_number} present "
                            f"{tracking_counts[sent.tracking_number]} times")
        if audited[row.tracking_number] != 1:
            problems.append(f"comment {row.tracking_number} has "
                            f"{audited[row.tracking_number]} audit events")
        if sent.first_lost_in is not None and (
                row.created_at <= drill.kill_times[sent.first_lost_in]):
            stored_before_kill += 1
    verify = site.host.flask("verify-audit", check=False)
    audit_message = verify.stdout.strip()
    if verify.returncode != 0:
        problems.append(f"verify-audit exited {verify.returncode}: {verify.stderr.strip()}")
    problems += [f"SQLite integrity_check: {answer}" for answer in integrity if answer != "ok"]
    sent_nonces = {s.nonce for s in drill.sent}
    return DrillReport(
        kind=site.kind, residents=residents, kills=len(drill.kill_times),
        receipts_before_first_kill=drill.receipts_before_first_kill,
        in_flight_at_kills=drill.in_flight_at_kills, sent=len(drill.sent),
        posts=sum(s.posts for s in drill.sent), lost_answers=sum(s.lost for s in drill.sent),
        resent=sum(s.posts - 1 for s in drill.sent), stored_before_kill=stored_before_kill,
        stored=sum(1 for nonce in by_nonce if nonce in sent_nonces),
        receipts=sum(1 for s in drill.sent if s.tracking_number),
        audit_message=audit_message, integrity=integrity, problems=problems)
