"""The dashboard's derived counts equal a full recount of the record after every action."""

from collections import Counter

from sqlalchemy import func, select

from reviewapp import dashboard_store, listings, oversight
from reviewapp.models import (
    AnnualReport,
    CommentPeriod,
    Determination,
    Finding,
    OpenReportFinding,
    Proposal,
    ProposalStatus,
    ProposalVersion,
    ReportFinding,
    ReportReview,
    Severity,
    Stage,
    StatusTally,
)
from reviewapp.services import proposals
from tests.test_registry import recipient, sharing
from tests.test_reports import approve, new_url, report_form
from tests.waiting import second_waits_for_first


def recount(db) -> tuple:
    """Count the dashboard's numbers from the whole record, as it did before the tally."""
    stages = Counter(dict(db.execute(
        select(Proposal.stage, func.count()).where(Proposal.stage != Stage.DRAFT)
        .group_by(Proposal.stage)).all()))
    latest = select(func.max(Determination.id)).group_by(Determination.proposal_id)
    decided = Counter()
    for decision in db.scalars(select(Determination.decision).where(
            Determination.id.in_(latest))):
        decided["Approved" if decision in oversight.APPROVING else "Denied"] += 1
    counts = [(label, sum(stages[s] for s in group) if group else decided[label])
              for label, group in oversight.STATUS_GROUPS]
    reviewed = select(ReportReview.report_id)
    open_findings = db.scalar(select(func.count()).select_from(ReportFinding)
                              .where(ReportFinding.report_id.not_in(reviewed)))
    unreviewed = db.scalar(select(func.count(func.distinct(ReportFinding.report_id)))
                           .where(ReportFinding.report_id.not_in(reviewed)))
    in_assessment = select(ProposalVersion.id).join(Proposal).where(
        Proposal.stage == Stage.ASSESSMENT)
    blocking = db.scalar(select(func.count()).select_from(Finding).where(
        Finding.severity == Severity.BLOCKING, Finding.version_id.in_(in_assessment)))
    return counts, open_findings, blocking, unreviewed


def open_finding_ids(db) -> list[int]:
    """Every finding of an unreviewed report, in the dashboard's order, from the record."""
    rank = {Severity.BLOCKING: 0, Severity.WARNING: 1, Severity.INFO: 2}
    rows = db.execute(select(ReportFinding.id, ReportFinding.severity, AnnualReport.proposal_id,
                             AnnualReport.period_number)
                      .join(AnnualReport, AnnualReport.id == ReportFinding.report_id)
                      .where(ReportFinding.report_id.not_in(select(ReportReview.report_id))))
    return [i for i, *_ in sorted(rows, key=lambda r: (rank[r[1]], r[2], r[3], r[0]))]


def comment_recount(db, now, advisory: bool) -> tuple:
    """Count stages as of now, and list the open periods, from every period stored."""
    newest = {}
    for period in db.scalars(select(CommentPeriod).order_by(CommentPeriod.id)):
        newest[period.proposal_id] = period
    stages = {p.id: p.stage for p in db.scalars(select(Proposal))}
    counts = {stage: 0 for stage in Stage if stage is not Stage.DRAFT}
    for pid, stage in stages.items():
        if stage is Stage.PUBLIC_COMMENT and pid in newest and newest[pid].closes_at <= now:
            stage = Stage.ADVISORY_REVIEW if advisory else Stage.AWAITING_HEARING
        if stage is not Stage.DRAFT:
            counts[stage] += 1
    open_now = sorted((period.closes_at, pid) for pid, period in newest.items()
                      if stages[pid] is Stage.PUBLIC_COMMENT and period.is_open(now))
    return counts, [pid for _closes, pid in open_now]


def kept(db) -> tuple:
    return (sorted(db.execute(select(ProposalStatus.__table__)).all()),
            sorted(db.execute(select(StatusTally.key, StatusTally.number)
                              .where(StatusTally.number != 0)).all()),
            sorted(db.execute(select(OpenReportFinding.__table__)).all()))


def assert_counts_match(db, clock) -> None:
    db.expire_all()
    board = oversight.dashboard(db, clock())
    assert board == oversight.Dashboard(*recount(db))
    shown = [row.finding.id for row in oversight.report_findings(db, unreviewed_only=True)]
    assert shown == open_finding_ids(db)
    for advisory in (True, False):
        counts, open_ids = comment_recount(db, clock(), advisory)
        assert listings.stage_counts(db, clock(), advisory) == counts
    latest = {}
    for determination in db.scalars(select(Determination).order_by(Determination.id)):
        latest[determination.proposal_id] = determination
    approved = sorted((pid, d.id) for pid, d in latest.items()
                      if d.decision in oversight.APPROVING)
    page = oversight.approved_page(db, {}, 100)
    assert [(row.proposal.id, row.determination.id) for row in page.items] == approved
    rows, total = listings.open_for_comment(db, clock(), 2)
    assert [row.proposal.id for row in rows] == open_ids[:2] and total == len(open_ids)


def test_counts_kept_at_each_commit_equal_a_recount_and_a_rebuild(
        client, login_as, world, db, clock, profile):
    assert_counts_match(db, clock)
    for stage in (Stage.SUBMITTED, Stage.ASSESSMENT, Stage.PUBLIC_COMMENT, Stage.DRAFT,
                  Stage.PUBLIC_COMMENT, Stage.PUBLIC_COMMENT):
        world.proposal(stage)
        clock.advance(days=1)  # the three periods close on different days
        assert_counts_match(db, clock)
    assert len(listings.open_for_comment(db, clock(), 10)[0]) == 3
    world.proposal(Stage.DECIDED, motion="deny")
    assert_counts_match(db, clock)
    # Sharing plate reads with a federal agency (SB 34) and for deportation (SB 54) blocks.
    blocked = sharing("Blocked readers", recipient("ICE ERO", "federal", "deportation support"))
    world.proposal(Stage.ASSESSMENT, blocked)
    assert_counts_match(db, clock)
    filed, reviewed = approve(world, title="Filed"), approve(world, title="Reviewed")
    assert_counts_match(db, clock)
    gone = world.proposal(Stage.ASSESSMENT)
    proposals.withdraw(db, gone, world.submitter, clock(), profile, "No longer needed.")
    db.commit()
    assert_counts_match(db, clock)
    login_as("submitter")
    for item in (filed, reviewed):
        assert client.post(new_url(item), data=report_form()).status_code == 302
        assert_counts_match(db, clock)
    report = db.scalar(select(AnnualReport).where(AnnualReport.proposal_id == reviewed.id))
    login_as("clerk")
    assert client.post(f"/clerk/reports/{report.id}",
                       data={"memo": "Seen."}).status_code == 302
    assert_counts_match(db, clock)
    board = oversight.dashboard(db, clock())
    assert dict(board.status_counts) == {"In review": 6, "Approved": 2, "Denied": 1,
                                         "Withdrawn": 1}
    assert board.unreviewed_reports == 1 and board.open_report_findings > 0
    assert board.blocking_in_assessment > 0
    before = kept(db)
    dashboard_store.rebuild(db)
    db.commit()
    assert kept(db) == before


def test_a_rolled_back_change_is_not_counted(world, db, clock):
    item = world.proposal(Stage.SUBMITTED)
    before = kept(db)
    item.stage = Stage.WITHDRAWN
    db.flush()
    db.rollback()
    world.proposal(Stage.DRAFT)  # a later commit must not count the rolled-back change
    db.expire_all()
    assert kept(db)[1] == before[1]
    assert_counts_match(db, clock)


def test_rebuild_derived_counts_proposals_loaded_behind_the_apps_back(app, db, world, clock):
    world.proposal(Stage.SUBMITTED)
    db.execute(Proposal.__table__.update().values(stage=Stage.WITHDRAWN))  # SQL: not seen
    db.commit()
    assert oversight.dashboard(db, clock()) != oversight.Dashboard(*recount(db))
    db.rollback()  # the command takes SQLite's write lock
    result = app.test_cli_runner().invoke(args=["rebuild-derived"])
    assert result.exit_code == 0, result.output
    assert "proposals counted for the dashboard" in result.output
    assert_counts_match(db, clock)


def test_the_migrations_fill_the_counts_from_the_record_already_stored(tmp_path):
    from alembic import command

    from reviewapp import clock as app_clock
    from reviewapp import registry
    from reviewapp.cli.setup import alembic_config
    from reviewapp.db import dispose, get_session
    from tests.test_listings import registry_recount
    from tests.test_migrations import empty_database_url, seeded_app_at_head

    url, cleanup = empty_database_url(tmp_path)
    try:
        app = seeded_app_at_head(tmp_path, url)
        dispose(app)
        # Back to before the counters, and forward again: 0008 fills them from the record.
        command.downgrade(alembic_config(url), "0007")
        command.upgrade(alembic_config(url), "head")
        with app.app_context():
            db = get_session()
            board = oversight.dashboard(db, app_clock.now())
            assert board == oversight.Dashboard(*recount(db))
            assert sum(n for _label, n in board.status_counts) > 0
            assert registry.summary(db) == registry_recount(db)
            assert registry.summary(db).recipients > 0
        dispose(app)
    finally:
        cleanup()


def test_two_refreshes_of_one_proposal_at_once_count_it_once(app, db, world, clock):
    """The second waits for the first (PostgreSQL's lock, SQLite's writer), then reads its rows."""
    item = world.proposal(Stage.SUBMITTED)
    make = app.extensions["db_sessionmaker"]
    first, second = make(), make()
    first.get(Proposal, item.id).stage = Stage.WITHDRAWN
    first.commit()  # refreshed by the listener
    first.get(Proposal, item.id).stage = Stage.SUBMITTED
    first.flush()
    dashboard_store.refresh(first, [item.id])  # not committed yet
    second_waits_for_first(
        first, second, lambda session: dashboard_store.refresh(session, [item.id]),
        "the second refresh did not wait for the first")
    assert_counts_match(db, clock)
