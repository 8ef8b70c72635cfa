"""Listings at the demo's size and at 10,000 proposals: home, registry, /oversight.

Usage:
    .venv/bin/python bench/listing_scaling.py                        # SQLite and PostgreSQL
    .venv/bin/python bench/listing_scaling.py --database sqlite --proposals 10000
    options: --requests 40 (per page and size), --workers 2

Two real gunicorns per database (tests/servers.py AppHost), each seeded with `flask
seed-demo`. On the second the demo's proposals are cloned with direct SQL inserts, in
batches (versions, recipients, findings, comment periods, hearings, motions, votes,
determinations, conditions, annual reports and their findings: the demo's own mix of
stages; half the copies name regional offices of the recipients), until there are
--proposals of them, and `flask rebuild-derived` works the derived tables out for them.
On PostgreSQL both databases are then ANALYZEd, as autovacuum does to a live database: a
bulk load it has not seen yet would be planned on empty-table guesses.
The same pages are then timed on both, interleaved round by round.
Prints p50/p95 and bytes per page, and the ratio of p50 at the large size to the demo's.
Acceptance (issue 8): within 2x of the demo's. Ports come from REVIEWAPP_TEST_PORT_BASE.
Exits 1 if a page answered other than 200 or a ratio is above 2.
"""

import argparse
import http.client
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, func, insert, select, text

from reviewapp.models import Base
from tests.scratch_db import scratch_postgresql
from tests.servers import AppHost

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PAGES = ("/", "/registry/", "/oversight")
OTHER_PAGES = ("/technologies/",)  # and the registry's first recipient's page
# Cloned in this order, each row's id and its references to cloned rows shifted per copy.
CLONED = ("proposal", "proposal_version", "data_recipient", "finding", "finding_override",
          "stage_change", "comment_period", "advisory_recommendation", "hearing", "motion",
          "vote", "motion_result", "determination", "obligation", "annual_report",
          "report_sharing", "report_finding", "report_review")
# Unique text that must differ in each copy.
UNIQUE_TEXT = {"proposal": ("file_number",),
               "determination": ("document_number", "file_name")}
WARM_UP = 3


def timed_gets(base_url: str, path: str, count: int) -> tuple[list[float], int]:
    """GET `path` `count` times on one kept-alive connection; return seconds and bytes."""
    connection = http.client.HTTPConnection(base_url.removeprefix("http://"), timeout=120)
    times, size = [], 0
    try:
        for number in range(WARM_UP + count):
            start = time.perf_counter()
            connection.request("GET", path)
            answer = connection.getresponse()
            body = answer.read()
            elapsed = time.perf_counter() - start
            if answer.status != 200:
                raise RuntimeError(f"GET {path} answered {answer.status}")
            if number >= WARM_UP:
                times.append(elapsed)
                size = len(body)
    finally:
        connection.close()
    return times, size


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def first_recipient(host: AppHost) -> str:
    """Return the path of the first recipient page the registry links to."""
    connection = http.client.HTTPConnection(host.url.removeprefix("http://"), timeout=60)
    connection.request("GET", "/registry/")
    page = connection.getresponse().read().decode()
    connection.close()
    return re.search(r'<th scope="row"><a href="(/registry/[^"?]+)">', page).group(1)


def measure(hosts: list[AppHost], count: int, paths: tuple[str, ...]) -> list[dict]:
    """Return, per host, path -> (p50 s, p95 s, bytes).

    The hosts and pages are interleaved round by round, so that a busy moment of the
    machine falls on both sizes alike.
    """
    samples = [{p: [] for p in paths} for _ in hosts]
    sizes: list[dict[str, int]] = [{} for _ in hosts]
    rounds = 8
    for _ in range(rounds):
        for path in paths:
            for number, host in enumerate(hosts):
                times, sizes[number][path] = timed_gets(host.url, path, max(1, count // rounds))
                samples[number][path] += times
    return [{path: (statistics.median(times), percentile(times, 0.95), sizes[n][path])
             for path, times in samples[n].items()} for n in range(len(hosts))]


def clone_to(url: str, target: int) -> tuple[int, float]:
    """Clone the demo's public proposals until there are `target`; return (count, seconds)."""
    engine = create_engine(url)
    tables = Base.metadata.tables
    start = time.perf_counter()
    with engine.begin() as conn:
        demo = {name: [dict(row._mapping) for row in conn.execute(
            select(tables[name]).order_by(tables[name].c.id))] for name in CLONED}
        public = [p for p in demo["proposal"] if p["stage"] != "draft"]
        have = conn.scalar(select(func.count()).select_from(tables["proposal"]))
        copies = max(0, -(-(target - have) // max(1, len(demo["proposal"]))))
        # Copy k of a row with id i gets id i + k * stride: past every id of the demo's.
        stride = {name: 10 ** len(str(max((r["id"] for r in rows), default=0)))
                  for name, rows in demo.items()}
        for copy in range(1, copies + 1):
            for name in CLONED:
                rows = [_shifted(tables[name], row, copy, stride) for row in demo[name]]
                for begin in range(0, len(rows), 1000):
                    if rows[begin:begin + 1000]:
                        conn.execute(insert(tables[name]), rows[begin:begin + 1000])
        if engine.dialect.name == "postgresql":
            for name in CLONED:  # later inserts by the app must not reuse a clone's id
                highest = conn.scalar(select(func.max(tables[name].c.id)))
                conn.execute(text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :id)"),
                             {"table": name, "id": highest})
        total = conn.scalar(select(func.count()).select_from(tables["proposal"]))
    engine.dispose()
    print(f"  cloned {copies} copies of the demo's {len(demo['proposal'])} proposals "
          f"({len(public)} public): {total} proposals")
    return total, time.perf_counter() - start


def _shifted(table, row: dict, copy: int, stride: dict[str, int]) -> dict:
    """Return a copy of `row` for clone number `copy`: ids and references moved along."""
    new = dict(row)
    new["id"] = row["id"] + copy * stride[table.name]
    for column in table.columns:
        for key in column.foreign_keys:
            target = key.column.table.name
            if target in stride and row[column.name] is not None:
                new[column.name] = row[column.name] + copy * stride[target]
    for name in UNIQUE_TEXT.get(table.name, ()):
        new[name] = f"{row[name]}-{copy}"
    if table.name == "proposal":
        new["title"] = f"{row['title']} ({copy})"
    if table.name == "data_recipient" and copy % 2:
        # Half the copies name regional offices: a registry of a few hundred recipients.
        new["name"] = f"{row['name']}, region {copy % 301}"
    return new


def site(kind: str, label: str, url: str | None, workdir: Path,
         workers: int) -> tuple[AppHost, str]:
    """Return a migrated, demo-seeded app host (not started) and its database URL."""
    instance = workdir / kind / label / "instance"
    settings = {"REVIEWAPP_RATELIMIT_ENABLED": "false"}
    if url:
        settings |= {"REVIEWAPP_DATABASE_URL": url, "REVIEWAPP_TRUSTED_HOSTS": "127.0.0.1",
                     "REVIEWAPP_SECRET_KEY": "listing-bench-secret-key-" + "k" * 32}
    else:
        url = f"sqlite:///{instance / 'reviewapp.sqlite3'}"
    host = AppHost(f"listing-{kind}-{label}", instance, settings, workers=workers)
    host.flask("setup-db")
    host.flask("seed-demo")
    return host, url


def run(kind: str, urls: tuple[str | None, str | None], workdir: Path, target: int,
        count: int, workers: int) -> list[str]:
    """Bench one database: a demo site and a large one, served at once; return problems."""
    demo, demo_url = site(kind, "demo", urls[0], workdir, workers)
    large, large_url = site(kind, "large", urls[1], workdir, workers)
    total, seconds = clone_to(large_url, target)
    started = time.perf_counter()
    print("  " + large.flask("rebuild-derived").stdout.strip()
          + f" ({time.perf_counter() - started:.1f} s; clones inserted in {seconds:.1f} s)")
    for url in (demo_url, large_url):
        _analyze(url)
    problems = []
    try:
        demo.start()
        large.start()
        paths = PAGES + OTHER_PAGES + (first_recipient(demo),)
        small, big = measure([demo, large], count, paths)
    finally:
        demo.stop()
        large.stop()
    print(f"\n{kind}: {_count(demo_url)} proposals (demo) against {total}, {count} GETs a "
          f"page and size, interleaved, {workers} gunicorn workers each")
    print(f"  {'page':36} {'demo p50':>9} {'p95':>8} {'bytes':>8}   "
          f"{'large p50':>9} {'p95':>8} {'bytes':>8}   {'p50 ratio':>9}")
    for path in paths:
        s50, s95, sbytes = small[path]
        l50, l95, lbytes = big[path]
        ratio = l50 / s50
        mark = "" if path not in PAGES or ratio <= 2 else "  ABOVE 2x"
        print(f"  {path:36} {s50 * 1000:7.1f}ms {s95 * 1000:6.1f}ms {sbytes:8}   "
              f"{l50 * 1000:7.1f}ms {l95 * 1000:6.1f}ms {lbytes:8}   {ratio:8.2f}x{mark}")
        if mark:
            problems.append(f"{kind} {path}: p50 {ratio:.2f}x the demo's")
    return problems


def _analyze(url: str) -> None:
    """Gather PostgreSQL's planner statistics now rather than when autovacuum gets to it."""
    engine = create_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:  # this schema's tables only: others may be in use
            for name in Base.metadata.tables:
                conn.execute(text(f'ANALYZE "{name}"'))
    engine.dispose()


def _count(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        found = conn.scalar(select(func.count()).select_from(Base.metadata.tables["proposal"]))
    engine.dispose()
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--proposals", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=40, help="GETs per page and size")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    options = parser.parse_args()
    problems = []
    with tempfile.TemporaryDirectory(prefix="listing-bench-") as workdir:
        if options.database in ("sqlite", "both"):
            problems += run("SQLite", (None, None), Path(workdir), options.proposals,
                            options.requests, options.workers)
        if options.database in ("postgresql", "both"):
            server = os.environ.get("TEST_DATABASE_URL") or DEFAULT_PG
            with scratch_postgresql("listing_demo", server) as demo_url, \
                    scratch_postgresql("listing_large", server) as large_url:
                problems += run("PostgreSQL", (demo_url, large_url), Path(workdir),
                                options.proposals, options.requests, options.workers)
    for problem in problems:
        print("PROBLEM:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
