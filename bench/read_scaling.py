"""Read scaling: a proposal's page and its comment pages at 10 to 1,000,000 comments.

Two app hosts (real gunicorn, tests/servers.py) serve two copies of the demo city. On one,
the drone proposal keeps 10 comments; on the other it grows to each size in turn. Each page
is asked of both hosts in turn, one request at a time, so the 10-comment page is measured
under the same machine load as the big one; the table gives p50/p95 of both and the ratio
of the p95s. The counts alone are timed in this process: the tally the app reads, against
an index-only count (with an index on (proposal_id, position) made for it) and the scan
the app used before.

Comments are bulk-loaded straight into the comment table (SQLite: executemany, one
transaction per batch; PostgreSQL: COPY), 1 in 500 hidden by the clerk. They get no audit
events: the audit chain covers the demo's own comments only, and `flask verify-audit`
passes at the end. The tally is then recounted from the table, as migration 0006 does;
on PostgreSQL the tables are VACUUM ANALYZEd after each load, as autovacuum would.

Usage:
    .venv/bin/python bench/read_scaling.py                        # SQLite
    .venv/bin/python bench/read_scaling.py --database postgresql  # TEST_DATABASE_URL's server
    options: --sizes 10,10000,100000,1000000 --requests 200 --workers 2

Ports come from REVIEWAPP_TEST_PORT_BASE (default 5300). Everything lives in a temporary
folder (SQLite) or scratch schemas (PostgreSQL), removed at the end. Exits 1 if a page
misses the acceptance: p95 within 2x of the 10-comment page at the largest size.
"""

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from reviewapp import record
from tests.http_client import Browser
from tests.scratch_db import scratch_postgresql
from tests.servers import AppHost, start_hosts

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CLERK = ("clerk@city.example.org", "demo-password-2026")
BASELINE = 10  # comments on the reference proposal
BATCH = 50_000
HIDE_EVERY = 500
# The pages the acceptance names; the others are printed for information.
ACCEPTANCE = ("proposal page", "first comment page", "last comment page")
COLUMNS = ("proposal_id", "period_id", "tracking_number", "nonce", "submitter_type",
           "position", "body", "name", "organization", "created_at")
RECOUNT = [
    "DELETE FROM comment_tally WHERE proposal_id = :p",
    "INSERT INTO comment_tally (proposal_id, kind, number) SELECT proposal_id, position, "
    "COUNT(*) FROM comment WHERE proposal_id = :p GROUP BY proposal_id, position",
    "INSERT INTO comment_tally (proposal_id, kind, number) SELECT c.proposal_id, 'hidden', "
    "COUNT(*) FROM comment_moderation m JOIN comment c ON c.id = m.comment_id "
    "WHERE c.proposal_id = :p GROUP BY c.proposal_id",
]
INDEX_ONLY_COUNT = [
    "SELECT position, COUNT(*) FROM comment WHERE proposal_id = :p GROUP BY position",
    "SELECT COUNT(*) FROM comment_moderation m JOIN comment c ON c.id = m.comment_id "
    "WHERE c.proposal_id = :p",
]
OLD_SCAN = ("SELECT c.position, COUNT(c.id), COUNT(m.id) FROM comment c LEFT OUTER JOIN "
            "comment_moderation m ON m.comment_id = c.id WHERE c.proposal_id = :p "
            "GROUP BY c.position")
WORDS = ("Drones over the river parks would record families, protests and the unhoused. "
         "Limit flights to search and rescue, keep footage thirty days, publish every "
         "flight log, and never share data with federal immigration agencies. ")


@dataclass(eq=False)  # each site is itself: hashable by identity
class Site:
    """One demo city on its own database, its host, and its drone proposal's comments."""

    name: str
    host: AppHost
    engine: Engine
    proposal_id: int = 0
    period_id: int = 0
    clerk_id: int = 0
    comments: int = 0
    loaded: int = 0  # bulk-loaded so far (numbers the nonces)

    def find_proposal(self) -> None:
        with self.engine.connect() as conn:
            self.proposal_id, self.period_id = conn.execute(text(
                "SELECT p.id, cp.id FROM proposal p JOIN comment_period cp "
                "ON cp.proposal_id = p.id WHERE p.stage = 'public_comment'")).one()
            self.clerk_id = conn.execute(text(
                "SELECT id FROM user_account WHERE email = :e"), {"e": CLERK[0]}).scalar_one()
            self.comments = conn.execute(text(
                "SELECT COUNT(*) FROM comment WHERE proposal_id = :p"),
                {"p": self.proposal_id}).scalar_one()

    def grow_to(self, size: int) -> float:
        """Bulk-load comments until the proposal has `size`; return the seconds it took."""
        start = time.monotonic()
        with self.engine.connect() as conn:
            last = conn.execute(text("SELECT MAX(created_at) FROM comment WHERE "
                                     "proposal_id = :p"), {"p": self.proposal_id}).scalar()
        if isinstance(last, str):  # SQLite answers a plain query with text
            last = datetime.fromisoformat(last)
        at = last + timedelta(seconds=1)
        while self.comments < size:
            count = min(BATCH, size - self.comments)
            rows = [self._row(self.loaded + n, at + timedelta(milliseconds=10 * n))
                    for n in range(count)]
            hidden = [row[3] for n, row in enumerate(rows)
                      if (self.loaded + n) % HIDE_EVERY == HIDE_EVERY // 2]
            self._insert(rows, hidden)
            at += timedelta(milliseconds=10 * count)
            self.loaded += count
            self.comments += count
        with self.engine.begin() as conn:
            for statement in RECOUNT:
                conn.execute(text(statement), {"p": self.proposal_id})
        if self.engine.dialect.name == "postgresql":
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.execute(text("VACUUM ANALYZE comment, comment_moderation, comment_tally"))
        return time.monotonic() - start

    def _row(self, n: int, at) -> tuple:
        kind = ("anonymous", "anonymous", "individual", "anonymous", "organization")[n % 5]
        body = WORDS[: 120 + (n * 37) % 260] + f" ({n})"
        return (self.proposal_id, self.period_id, f"RB-{n:09d}", f"bench-{n}", kind,
                ("oppose", "support", "neutral", "oppose")[n % 4], body,
                f"Resident {n}" if kind == "individual" else None,
                f"Neighborhood group {n % 97}" if kind == "organization" else None, at)

    def _insert(self, rows: list[tuple], hidden: list[str]) -> None:
        raw = self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            if self.engine.dialect.name == "sqlite":
                # Stored as SQLAlchemy stores a naive UTC DateTime on SQLite.
                rows = [(*row[:-1], row[-1].strftime("%Y-%m-%d %H:%M:%S.%f")) for row in rows]
                cursor.executemany(f"INSERT INTO comment ({', '.join(COLUMNS)}) "  # noqa: S608
                                   f"VALUES ({', '.join('?' * len(COLUMNS))})", rows)
                mark = "?"
            else:
                with cursor.copy(f"COPY comment ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                mark = "%s"
            cursor.executemany(
                "INSERT INTO comment_moderation (comment_id, reason, actor_id, created_at) "  # noqa: S608
                f"SELECT id, 'Bench: off topic.', {mark}, created_at FROM comment "
                f"WHERE nonce = {mark}", [(self.clerk_id, nonce) for nonce in hidden])
            raw.commit()
        finally:
            raw.close()

    def middle_comment(self) -> int:
        """Return the id of the comment halfway through the proposal's order."""
        with self.engine.connect() as conn:
            return conn.execute(text(
                "SELECT id FROM comment WHERE proposal_id = :p ORDER BY created_at, id "
                "LIMIT 1 OFFSET :n"), {"p": self.proposal_id, "n": self.comments // 2}
            ).scalar_one()


@contextmanager
def two_sites(workdir: Path, server: str | None, workers: int) -> Iterator[tuple[Site, Site]]:
    """Yield two seeded demo cities with running hosts: the reference and the growing one."""
    with ExitStack() as stack:
        sites = []
        for name in ("ten", "grown"):
            instance = workdir / name / "instance"
            settings = {"REVIEWAPP_RATELIMIT_ENABLED": "false", "REVIEWAPP_LOG_LEVEL": "WARNING"}
            if server is None:
                url = f"sqlite:///{instance / 'reviewapp.sqlite3'}"
            else:
                url = stack.enter_context(scratch_postgresql(f"reads_{name}", server))
                settings |= {"REVIEWAPP_DATABASE_URL": url,
                             "REVIEWAPP_TRUSTED_HOSTS": "127.0.0.1",
                             "REVIEWAPP_SECRET_KEY": "read-scaling-bench-key-" + "k" * 32}
            host = AppHost(f"reads-{name}", instance, settings, workers=workers)
            host.flask("setup-db")
            host.flask("seed-demo")
            engine = create_engine(url)
            stack.callback(engine.dispose)
            sites.append(Site(name, host, engine))
        for site in sites:
            stack.callback(site.host.stop)
        start_hosts(*(site.host for site in sites))
        for site in sites:
            site.find_proposal()
        yield sites[0], sites[1]


def percentile(times: list[float], q: float) -> float:
    """Return the q-quantile of `times` in milliseconds."""
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def interleaved(pages: dict[Site, tuple[Browser, str]], requests: int,
                check: Callable[[Site, str], None]) -> dict[Site, list[float]]:
    """GET each site's page in turn, `requests` times each after a warm-up; return times."""
    times: dict[Site, list[float]] = {site: [] for site in pages}
    order = list(pages)
    for round_ in range(requests + 5):
        for site in order if round_ % 2 else order[::-1]:
            browser, path = pages[site]
            start = time.perf_counter()
            answer = browser.get(site.host.url + path)
            elapsed = time.perf_counter() - start
            if answer.status != 200:
                raise AssertionError(f"{site.name} {path} answered {answer.status}")
            if round_ == 0:
                check(site, answer.text)
            if round_ >= 5:
                times[site].append(elapsed)
    return times


def timed_calls(fn: Callable[[], object], requests: int, budget: float = 20.0) -> list[float]:
    """Time up to `requests` calls of `fn` (fewer if they take over `budget` seconds)."""
    fn()
    times, deadline = [], time.monotonic() + budget
    while len(times) < requests and (len(times) < 5 or time.monotonic() < deadline):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def page_paths(site: Site) -> dict[str, tuple[str, str]]:
    """Return the measured pages: (who asks, path) by name."""
    base = f"/proposals/{site.proposal_id}"
    middle = site.middle_comment()
    return {
        "proposal page": ("public", base),
        "first comment page": ("public", f"{base}?page=1"),
        "last comment page": ("public", f"{base}?page=newest"),
        "middle comment page": ("public", f"{base}?after={middle}"),
        "clerk workbench": ("clerk", f"/clerk/proposals/{site.proposal_id}"),
        "clerk, last page": ("clerk", f"/clerk/proposals/{site.proposal_id}?page=newest"),
    }


def expect_counts(site: Site, page: str) -> None:
    """Check a page shows the comments and their number (so a fast error is not timed)."""
    said = f"{site.comments:,} comment"
    if said not in page or 'aria-label="Comment ' not in page:
        raise AssertionError(f"{site.name}: the page does not say {said!r} or show comments")


def measure_counts(site: Site, requests: int) -> dict[str, list[float]]:
    """Time the counts alone: the tally, an index-only count, the old scan.

    The index an index-only count needs, (proposal_id, position), exists only meanwhile.
    """
    p = {"p": site.proposal_id}
    with site.engine.begin() as conn:
        conn.execute(text("CREATE INDEX bench_comment_position ON comment "
                          "(proposal_id, position)"))
    if site.engine.dialect.name == "postgresql":
        with site.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE comment"))  # index-only needs the visibility map
    try:
        return _timed_counts(site, requests, p)
    finally:
        with site.engine.begin() as conn:
            conn.execute(text("DROP INDEX bench_comment_position"))


def _timed_counts(site: Site, requests: int, p: dict) -> dict[str, list[float]]:
    with Session(site.engine) as session:
        tally = record.comment_counts(session, site.proposal_id)
        assert tally.total == site.comments, (tally.total, site.comments)
        found = {"counts: tally (the app)": timed_calls(
            lambda: record.comment_counts(session, site.proposal_id), requests)}
        found["counts: index-only count"] = timed_calls(
            lambda: [session.execute(text(s), p).all() for s in INDEX_ONLY_COUNT], requests)
        found["counts: old scan"] = timed_calls(
            lambda: session.execute(text(OLD_SCAN), p).all(), requests)
        session.rollback()
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--sizes", default="10,10000,100000,1000000")
    parser.add_argument("--requests", type=int, default=200, help="per page, size and host")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    options = parser.parse_args()
    sizes = sorted(int(s) for s in options.sizes.split(","))
    server = None
    if options.database == "postgresql":
        server = os.environ.get("TEST_DATABASE_URL") or DEFAULT_PG
    kind = "PostgreSQL" if server else "SQLite"
    rows, failures = [], []
    with tempfile.TemporaryDirectory(prefix="read-scaling-") as workdir, \
            two_sites(Path(workdir), server, options.workers) as (ten, grown):
        print(f"{kind}: 2 hosts x {options.workers} sync workers, {options.requests} requests "
              "per page and size on each, interleaved; reference proposal at "
              f"{BASELINE} comments", flush=True)
        ten.grow_to(BASELINE)
        for size in sizes:
            took = grown.grow_to(size)
            print(f"\n{size:,} comments (loaded in {took:.1f} s)", flush=True)
            browsers = {}
            for site in (ten, grown):
                browsers[site, "public"] = Browser()
                browsers[site, "clerk"] = Browser()
                browsers[site, "clerk"].sign_in(site.host.url, *CLERK)
            ten_paths, grown_paths = page_paths(ten), page_paths(grown)
            for page, (who, path) in grown_paths.items():
                times = interleaved({ten: (browsers[ten, who], ten_paths[page][1]),
                                     grown: (browsers[grown, who], path)},
                                    options.requests, expect_counts)
                row = report(size, page, times[grown], times[ten])
                rows.append(row)
                if size == sizes[-1] and page in ACCEPTANCE and row[-1] > 2.0:
                    failures.append(f"{page} at {size:,}: p95 {row[-1]:.2f}x")
            for name, times in measure_counts(grown, options.requests).items():
                rows.append(report(size, name, times, None))
        verified = grown.host.flask("verify-audit", check=False)
        print(f"\nverify-audit on the grown site: exit {verified.returncode}, "
              f"{verified.stdout.strip().splitlines()[-1] if verified.stdout.strip() else ''}")
        if verified.returncode != 0:
            failures.append("verify-audit failed")
    print(f"\nAcceptance ({kind}, largest size, p95 within 2x of the {BASELINE}-comment page):",
          "met" if not failures else "NOT met: " + "; ".join(failures))
    return 1 if failures else 0


def report(size: int, page: str, times: list[float], reference: list[float] | None) -> tuple:
    """Print one line of the table and return it."""
    p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
    if reference is None:
        print(f"  {page:28} p50 {p50:8.2f} ms  p95 {p95:8.2f} ms  (in process, "
              f"{len(times)} calls)", flush=True)
        return (size, page, p50, p95, None, None, None)
    r50, r95 = percentile(reference, 0.5), percentile(reference, 0.95)
    print(f"  {page:28} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms   at {BASELINE}: p50 {r50:7.1f} "
          f"p95 {r95:7.1f}   p95 ratio {p95 / r95:5.2f}x", flush=True)
    return (size, page, p50, p95, r50, r95, p95 / r95)


if __name__ == "__main__":
    sys.exit(main())
