"""DUR-1: residents keep commenting while gunicorn is killed with SIGKILL and restarted.

On SQLite by default; on PostgreSQL (a schema of its own) when TEST_DATABASE_URL is set.
bench/crash_drill.py runs the same drill bigger, with several kills.
"""

from tests.comment_drill import drill_site, run_drill
from tests.scratch_db import PG_URL

RECEIPTS_BEFORE_KILL = 24  # three comments a resident: the kill comes mid-run, not at the start


def test_every_receipted_comment_survives_a_sigkill(tmp_path):
    with drill_site(tmp_path, PG_URL) as site:
        report = run_drill(site, residents=8, kills=1, receipts_per_round=RECEIPTS_BEFORE_KILL)
    print(report.summary())
    assert report.problems == [], "\n".join(report.problems[:20]) + "\n" + report.summary()
    # The kill came while posts were in flight, so some answers were lost and sent again:
    # otherwise the drill would have tested nothing.
    assert report.lost_answers >= 1, report.summary()
    assert report.resent >= report.lost_answers, report.summary()
    assert report.receipts_before_first_kill >= RECEIPTS_BEFORE_KILL, report.summary()
    assert report.stored == report.sent == report.receipts, report.summary()
    assert "Audit chain verified" in report.audit_message, report.audit_message
    if site.sqlite_path:
        assert report.integrity == ["ok", "ok"], report.integrity
