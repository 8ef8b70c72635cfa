"""Time the determination render against a bare WeasyPrint baseline, in one run.

Usage: .venv/bin/python bench/pdf_render.py [runs]
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from weasyprint import HTML

from reviewapp import (
    create_app,
    pdf,
    record,
)
from reviewapp.cli.setup import upgrade_database
from reviewapp.db import get_session
from reviewapp.demo import seed
from reviewapp.jurisdiction import profile
from reviewapp.models import Determination
from reviewapp.services.council import latest_motion

BARE = "<html lang=en><head><title>t</title></head><body><p>Determination</p></body></html>"


def timed(fn, runs: int) -> list[float]:
    """Return the wall time of each of `runs` calls, after one warm-up call."""
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main(runs: int) -> None:
    with tempfile.TemporaryDirectory() as instance:
        app = create_app({"SECRET_KEY": "bench" * 8}, instance_path=instance)
        with app.app_context():
            upgrade_database(app)
            seed(get_session())
            db = get_session()
            issued = db.query(Determination).order_by(Determination.id).first()
            proposal = record.load_proposal(db, issued.proposal_id)
            context = record.determination_context(
                db, proposal, profile(), latest_motion(db, proposal),
                decision=issued.decision, document_number="BENCH-1",
                effective_date=issued.effective_date, review_date=issued.review_date,
                issued_at=issued.issued_at)
            full = timed(lambda: pdf.render_pdf("pdf/determination.html", **context), runs)
            bare = timed(lambda: HTML(string=BARE).write_pdf(pdf_variant="pdf/ua-1"), runs)
    for name, times in (("bare WeasyPrint page (baseline)", bare),
                        ("determination (3 pages)", full)):
        print(f"{name:34} median {statistics.median(times) * 1000:7.1f} ms   "
              f"min {min(times) * 1000:7.1f} ms   max {max(times) * 1000:7.1f} ms   n={runs}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
