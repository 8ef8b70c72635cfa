"""Annual surveillance reports: due dates, filing, the checks on the public page, review."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from flask import render_template
from sqlalchemy import select

from forms.report import REPORT_SECTIONS
from reviewapp import conditions, create_app, reports_record
from reviewapp.cli.setup import upgrade_database
from reviewapp.db import dispose, get_session
from reviewapp.deadlines import all_due_items
from reviewapp.deadlines.reports import due_items, periods
from reviewapp.demo import seed
from reviewapp.demo_reports import seed_reports
from reviewapp.models import (
    AnnualReport,
    AuditEvent,
    Determination,
    ReportFinding,
    ReportReview,
    Stage,
    User,
)
from reviewapp.profiles import PROFILE_DIR
from reviewapp.services import council, determinations
from tests.factories import ALL_FINDINGS, complete_data
from tests.test_query_count import counting

SHERIFF = {"name": "County Sheriff's Office", "recipient_type": "county",
           "purpose": "Stolen vehicle hot lists", "data_categories": "Plate reads",
           "legal_basis": "Civ. Code 1798.90.55(b)"}


def approve(world, *, title="Citywide license plate readers", **typed):
    """Walk an ALPR proposal to an issued determination with typed conditions."""
    db, p, clock = world.db, world.profile, world.clock
    data = complete_data(title=title, technology_category="alpr",
                         technology_name="Fixed ALPR cameras", retention_days=30,
                         access_log=True, vendor_nda=False, recipients=[SHERIFF])
    # The areas the reports below name were approved, so only the conditions speak.
    data.impact_report = {**data.impact_report,
                          "locations": "Intersections in District 1 and District 3."}
    item = world.proposal(Stage.HEARING_SCHEDULED, data)
    typed = typed or {"retention_days": 30, "no_sharing_types": ["federal"]}
    council.record_motion(db, item, world.clerk, clock(), p, "approve_with_conditions",
                          conditions.build(**typed), ALL_FINDINGS, "Member A")
    for member in world.council[:3]:
        council.cast_vote(db, item, member, clock(), p, "aye")
    council.close_roll_call(db, item, world.clerk, clock(), p)
    determinations.issue_determination(db, item, world.clerk, clock(), p)
    db.commit()
    return item


def determination_of(db, item) -> Determination:
    return db.scalar(select(Determination).where(Determination.proposal_id == item.id))


def report_form(**overrides) -> dict:
    """A complete report as the form posts it: 365-day retention, 12 ICE queries."""
    data = {f"sections-{s.key}": f"Report text for {s.label}." for s in REPORT_SECTIONS}
    data.update({
        "period_number": "1", "retention_days_reported": "365", "audits_conducted": "1",
        "last_audit_on": "2026-06-01", "deployment_areas": "District 1, District 3",
        "annual_cost": "95000", "funding_next_year": "General Fund",
        "sections-outside_policy": "None.",
        "sharing-0-recipient_name": "County Sheriff's Office",
        "sharing-0-recipient_type": "county", "sharing-0-times_shared": "40",
        "sharing-0-data_categories": "Hot-list hits", "sharing-0-legal_standard": "SB 34",
        "sharing-1-recipient_name": "U.S. Immigration and Customs Enforcement",
        "sharing-1-recipient_type": "federal", "sharing-1-times_shared": "12",
        "sharing-1-data_categories": "Plate reads with location",
        "sharing-1-legal_standard": "Informal request", "file_report": "1",
    })
    data.update(overrides)
    return data


def new_url(item) -> str:
    return f"/department/technologies/{item.id}/reports/new"


def local_end_of(day: date, profile) -> datetime:
    """The first moment after `day` ends in the jurisdiction, in UTC."""
    return datetime.combine(day + timedelta(days=1), time(0), profile.zone).astimezone(UTC)


# --- acceptance ------------------------------------------------------------------------------

def test_a_report_contradicting_two_conditions_shows_two_cited_findings(client, login_as, world,
                                                                       db, app):
    item = approve(world)
    document = determination_of(db, item).document_number
    login_as("submitter")
    response = client.post(new_url(item), data=report_form())
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    report = db.scalar(select(AnnualReport).where(AnnualReport.proposal_id == item.id))
    assert response.headers["Location"].endswith(f"/reports/{report.id}")
    blocking = {f.rule_id: f for f in db.scalars(select(ReportFinding).where(
        ReportFinding.report_id == report.id)) if f.severity.value == "blocking"}
    # The two conditions contradicted, and ICE is a recipient the approval never listed.
    assert set(blocking) == {"report.retention-condition", "report.sharing-type-condition",
                             "report.sharing-unlisted"}
    assert blocking["report.retention-condition"].citation == \
        f"Determination {document}, condition 1"
    assert blocking["report.sharing-type-condition"].citation == \
        f"Determination {document}, condition 2"
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "file_annual_report"))

    client.post("/auth/logout")
    page = app.test_client().get(f"/reports/{report.id}").get_data(as_text=True)
    assert f"Citation: Determination {document}, condition 1" in page
    assert f"Citation: Determination {document}, condition 2" in page
    assert "Reported retention: 365 days" in page
    assert "“U.S. Immigration and Customs Enforcement” (Federal agency), 12 times" in page
    assert "Retain data no longer than 30 days." in page
    assert "Filed late" not in page and "Incomplete</span>" not in page
    # The same two cited findings stand on the technology's record and the dashboard.
    for url in (f"/technologies/{item.id}", "/oversight"):
        shown = app.test_client().get(url).get_data(as_text=True)
        assert f"Citation: Determination {document}, condition 1" in shown, url
        assert f"Citation: Determination {document}, condition 2" in shown, url
        assert "Reported retention: 365 days" in shown, url


def test_an_unfiled_report_is_overdue_the_moment_its_due_day_ends(app, client, login_as, world,
                                                                 db, clock, profile):
    item = approve(world)
    due = determination_of(db, item).review_date
    end = local_end_of(due, profile)

    clock.current = end - timedelta(seconds=1)
    [first] = [i for i in due_items(db, profile, clock()) if i.title.endswith(item.title)]
    assert first.due_on == due and not first.overdue(clock().astimezone(profile.zone).date())
    login_as("clerk")
    assert "Overdue" not in client.get("/clerk/reports/").get_data(as_text=True)

    clock.current = end + timedelta(seconds=1)
    items = [i for i in due_items(db, profile, clock()) if i.title.endswith(item.title)]
    assert items[0].overdue(clock().astimezone(profile.zone).date())
    assert items[1].due_on > due and items[1].met_on is None  # the next one, upcoming
    listing = client.get("/clerk/reports/").get_data(as_text=True)
    assert "Overdue" in listing and f"Annual report 1: {item.title}" in listing


def test_another_department_cannot_file_and_the_public_can_read(app, client, login_as, world,
                                                               db):
    item = approve(world)
    login_as("other_submitter")
    assert client.get(new_url(item)).status_code == 403
    assert client.post(new_url(item), data=report_form()).status_code == 403
    assert db.scalar(select(AnnualReport)) is None
    client.post("/auth/logout")
    anonymous = client.get(new_url(item))
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]
    login_as("submitter")
    client.post(new_url(item), data=report_form())
    client.post("/auth/logout")
    report = db.scalar(select(AnnualReport))
    assert app.test_client().get(f"/reports/{report.id}").status_code == 200


# --- due dates -------------------------------------------------------------------------------

def test_periods_follow_the_review_date_then_the_cadence(profile):
    got = periods(date(2026, 5, 10), date(2026, 11, 1), 11, 1, 2)
    first, second, third = next(got), next(got), next(got)
    assert (first.number, first.start, first.due) == (1, date(2026, 5, 10), date(2026, 11, 1))
    assert (second.start, second.due) == (date(2026, 11, 1), date(2028, 11, 1))
    assert (third.start, third.due) == (date(2028, 11, 1), date(2030, 11, 1))


def test_due_items_list_each_due_report_and_the_next_with_the_filed_date(client, login_as,
                                                                       world, db, clock,
                                                                       profile):
    item = approve(world)
    determination = determination_of(db, item)
    login_as("submitter")
    client.post(new_url(item), data=report_form())
    filed_on = clock().astimezone(profile.zone).date()
    clock.current = local_end_of(determination.review_date.replace(
        year=determination.review_date.year + 2), profile)
    items = [i for i in all_due_items(db, profile, clock()) if i.proposal_id == item.id]
    assert [i.kind for i in items] == ["annual report"] * 4
    assert items[0].met_on == filed_on
    assert items[0].url.startswith("/reports/")
    today = clock().astimezone(profile.zone).date()
    assert [i.overdue(today) for i in items] == [False, True, True, False]


def test_denied_or_unapproved_technologies_owe_no_report(world, db, profile, clock):
    world.proposal(Stage.DECIDED, motion="deny")
    world.proposal(Stage.PUBLIC_COMMENT)
    assert due_items(db, profile, clock()) == []


def test_due_items_cost_a_fixed_number_of_queries(app, world, db, profile, clock):
    approve(world, title="First")

    def statements() -> int:
        db.expire_all()
        with counting(app) as seen:
            due_items(db, profile, clock())
        return len(seen)

    one = statements()
    approve(world, title="Second")
    approve(world, title="Third")
    assert statements() == one


# --- filing ----------------------------------------------------------------------------------

def test_the_form_keeps_everything_and_marks_bad_input_next_to_the_field(client, login_as,
                                                                       world):
    item = approve(world)
    login_as("submitter")
    page = client.get(new_url(item)).get_data(as_text=True)
    assert 'for="sections-use_and_data"' in page and 'name="period_number"' in page
    response = client.post(new_url(item), data=report_form(
        retention_days_reported="a year", **{"sharing-1-recipient_name": ""}))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="retention_days_reported-error"' in page
    assert 'id="sharing-1-recipient_name-error"' in page
    assert "Report text for Complaints received." in page
    assert "Plate reads with location" in page


def test_sharing_rows_are_added_and_removed_without_filing(client, login_as, world, db):
    item = approve(world)
    login_as("submitter")
    added = client.post(new_url(item), data=report_form(file_report="", add_sharing="1"))
    assert added.status_code == 200
    assert 'name="sharing-2-recipient_name"' in added.get_data(as_text=True)
    removed = client.post(new_url(item), data=report_form(file_report="", remove_sharing="1"))
    page = removed.get_data(as_text=True)
    assert removed.status_code == 200 and "Immigration" not in page
    assert 'name="remove_sharing"' in page  # the Sheriff row is still there
    assert db.scalar(select(AnnualReport)) is None


def test_a_second_filing_for_the_same_period_is_refused(client, login_as, world, db):
    item = approve(world)
    login_as("submitter")
    assert client.post(new_url(item), data=report_form()).status_code == 302
    again = client.post(new_url(item), data=report_form())
    assert again.status_code == 409
    assert "already filed" in again.get_data(as_text=True)
    # Report 2's period starts on report 1's due date: not before.
    early = client.get(new_url(item))
    assert early.status_code == 409 and "can be filed from" in early.get_data(as_text=True)
    assert len(db.scalars(select(AnnualReport)).all()) == 1


def test_a_late_incomplete_report_is_flagged(client, login_as, world, db, clock, profile, app):
    item = approve(world)
    due = determination_of(db, item).review_date
    clock.current = local_end_of(due, profile) + timedelta(days=3)
    login_as("submitter")
    response = client.post(new_url(item), data=report_form(**{"sections-complaints": ""},
                                                           audits_conducted=""))
    assert response.status_code == 302
    report = db.scalar(select(AnnualReport))
    found = {f.rule_id: f for f in report.findings}
    assert "report.late" in found and found["report.late"].severity.value == "warning"
    assert found["report.incomplete"].evidence == (
        "Empty: Complaints received, Audits conducted in the period")
    page = app.test_client().get(f"/reports/{report.id}").get_data(as_text=True)
    assert "Filed late" in page and "Incomplete" in page


def test_the_department_sees_what_it_owes(client, login_as, world):
    item = approve(world)
    login_as("submitter")
    page = client.get("/department/reports").get_data(as_text=True)
    assert item.title in page and new_url(item) in page
    login_as("other_submitter")
    assert new_url(item) not in client.get("/department/reports").get_data(as_text=True)


# --- review and the technology snippet -------------------------------------------------------

@pytest.mark.parametrize("role", ["clerk", "advisory"])
def test_clerk_and_advisory_mark_a_report_reviewed(role, client, login_as, world, db, app):
    item = approve(world)
    login_as("submitter")
    client.post(new_url(item), data=report_form())
    report = db.scalar(select(AnnualReport))
    reviewer = login_as(role)
    base = f"/{role}/reports/{report.id}"
    assert client.get(f"/{role}/reports/").status_code == 200
    assert client.post(base, data={"memo": ""}).status_code == 400
    response = client.post(base, data={"memo": "Sharing with ICE must stop."})
    assert response.status_code == 302
    review = db.scalar(select(ReportReview))
    assert review.reviewer_id == reviewer.id
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "review_annual_report"))
    page = app.test_client().get(f"/reports/{report.id}").get_data(as_text=True)
    assert "Sharing with ICE must stop." in page


def test_other_roles_cannot_review(client, login_as, world, db):
    item = approve(world)
    login_as("submitter")
    client.post(new_url(item), data=report_form())
    report = db.scalar(select(AnnualReport))
    for role in ("submitter", "council"):
        login_as(role)
        assert client.post(f"/clerk/reports/{report.id}", data={"memo": "x"}).status_code == 403
        assert client.post(f"/advisory/reports/{report.id}",
                           data={"memo": "x"}).status_code == 403
    assert db.scalar(select(ReportReview)) is None


def test_the_technology_snippet_shows_filed_and_overdue_reports(app, client, login_as, world,
                                                              db, clock, profile):
    item = approve(world)
    login_as("submitter")
    client.post(new_url(item), data=report_form())
    clock.current = local_end_of(determination_of(db, item).review_date.replace(
        year=determination_of(db, item).review_date.year + 1), profile)
    with app.test_request_context():
        context = reports_record.technology_reports(db, item.id, profile, clock())
        html = render_template("reports/_technology_reports.html", **context)
    assert [r.period_number for r in context["reports"]] == [1]
    assert "Report 1" in html and "3 blocking" in html
    assert "Overdue" in html  # report 2, due a year later, not filed
    with app.test_request_context():
        assert render_template("reports/_technology_reports.html", reports=context) == html


# --- demo ------------------------------------------------------------------------------------

@pytest.mark.parametrize("profile_name", sorted(p.stem for p in PROFILE_DIR.glob("*.toml")))
def test_demo_reports_seed_two_blocking_findings_and_an_overdue_report(tmp_path, profile_name):
    instance = tmp_path / "instance"
    app = create_app({"SECRET_KEY": "demo-test-" + "x" * 32, "PROFILE": profile_name},
                     instance_path=str(instance))
    try:
        with app.app_context():
            upgrade_database(app)
            db = get_session()
            seed(db)
            rules = app.extensions["profile"]
            now = datetime.now(UTC)
            analyst = db.scalar(select(User).where(User.role == "submitter"))
            clerk = db.scalar(select(User).where(User.role == "clerk"))
            # seed() ran seed_reports already; a second call adds nothing.
            assert seed_reports(db, rules, now, analyst, clerk) is False
            report = db.scalar(select(AnnualReport))
            blocking = sorted(f.rule_id for f in report.findings
                              if f.severity.value == "blocking")
            assert blocking == ["report.retention-condition", "report.sharing-type-condition",
                                "report.sharing-unlisted"]
            assert "report.late" not in {f.rule_id for f in report.findings}
            today = now.astimezone(rules.zone).date()
            assert any(i.overdue(today) for i in due_items(db, rules, now))
            page = app.test_client().get(f"/reports/{report.id}").get_data(as_text=True)
            assert page.count("Citation: Determination") >= 2
    finally:
        dispose(app)


def test_an_empty_report_is_filed_and_flagged_incomplete(client, login_as, world, db):
    item = world.proposal(Stage.DECIDED)  # approved with a free-text condition only
    login_as("submitter")
    assert client.post(new_url(item), data={"file_report": "1"}).status_code == 302
    report = db.scalar(select(AnnualReport))
    assert [f.rule_id for f in report.findings] == ["report.incomplete"]
