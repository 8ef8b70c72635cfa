"""The crash drill, bigger: many residents comment while gunicorn is SIGKILLed several times.

Usage:
    .venv/bin/python bench/crash_drill.py                       # SQLite
    .venv/bin/python bench/crash_drill.py --database postgresql # TEST_DATABASE_URL's server
    options: --residents 24 --kills 5 --receipts-per-round 60 --workers 2 --random-kills

Ports come from REVIEWAPP_TEST_PORT_BASE (default 5300). Exits 1 if any check failed.
tests/test_crash.py is the same drill, small enough for the test suite.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.comment_drill import drill_site, run_drill

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--residents", type=int, default=24)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--receipts-per-round", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--random-kills", action="store_true",
                        help="kill whenever posts are in flight, not the moment a comment "
                             "is committed")
    options = parser.parse_args()
    server = None
    if options.database == "postgresql":
        server = os.environ.get("TEST_DATABASE_URL") or DEFAULT_PG
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="crash-drill-") as workdir, \
            drill_site(Path(workdir), server, workers=options.workers) as site:
        seeded = time.monotonic()
        report = run_drill(site, residents=options.residents, kills=options.kills,
                           receipts_per_round=options.receipts_per_round,
                           kill_after_commit=not options.random_kills)
        drilled = time.monotonic()
    print(report.summary())
    print(f"time: set-up and seed {seeded - start:.1f} s, drill with checks "
          f"{drilled - seeded:.1f} s")
    for problem in report.problems:
        print("PROBLEM:", problem)
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
