"""The department's long form: drafts, errors that keep the text, recipients, submission."""

from forms.documents import IMPACT_REPORT, USE_POLICY
from reviewapp.models import Finding, Proposal, Stage
from reviewapp.record import load_proposal


def form_data(**overrides) -> dict:
    """Return a complete proposal form as the browser would post it."""
    data = {
        "title": "Plate readers on Main Street", "trigger": "acquire",
        "technology_category": "alpr", "technology_name": "Fixed ALPR",
        "vendor": "Vigilant", "product": "L5F", "acquisition_cost": "120000",
        "annual_cost": "20000", "funding_source": "Grant", "retention_days": "30",
        "save": "Save draft",
    }
    for s in IMPACT_REPORT:
        data[f"impact_report-{s.key}"] = f"Impact {s.key} text"
    for s in USE_POLICY:
        data[f"use_policy-{s.key}"] = f"Policy {s.key} text"
    data.update(overrides)
    return data


def only_proposal(db) -> Proposal:
    return db.query(Proposal).one()


def test_new_draft_saves_everything_typed(client, login_as, db):
    login_as("submitter")
    response = client.post("/department/proposals/new", data=form_data())
    assert response.status_code == 302
    proposal = only_proposal(db)
    version = proposal.current_version
    assert proposal.stage is Stage.DRAFT
    assert version.impact_report["alternatives"] == "Impact alternatives text"
    assert version.retention_days == 30
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Policy custodian text" in page


def test_invalid_field_keeps_all_text_and_marks_the_field(client, login_as, db):
    login_as("submitter")
    long_text = "A careful analysis that took an afternoon to write. " * 20
    response = client.post("/department/proposals/new", data=form_data(
        acquisition_cost="about 12k", **{"impact_report-purpose": long_text}))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert long_text.strip() in page  # nothing typed is lost
    assert 'value="about 12k"' in page
    assert 'id="acquisition_cost-error"' in page
    assert 'aria-describedby="acquisition_cost-hint acquisition_cost-error"' in page
    assert 'role="alert"' in page
    assert db.query(Proposal).count() == 0


def test_partial_draft_can_be_saved_and_submission_marks_missing_fields(client, login_as, db):
    login_as("submitter")
    partial = form_data(**{"impact_report-alternatives": "", "use_policy-retention": ""})
    client.post("/department/proposals/new", data=partial)
    proposal = only_proposal(db)
    response = client.post(f"/department/proposals/{proposal.id}/edit",
                           data={**partial, "save": "", "submit_for_review": "1",
                                 "title": "Renamed before submitting"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="impact_report-alternatives-error"' in page
    assert 'id="use_policy-retention-error"' in page
    assert "Required before submitting." in page
    db.expire_all()
    refreshed = load_proposal(db, proposal.id)
    assert refreshed.stage is Stage.DRAFT
    assert refreshed.title == "Renamed before submitting"  # the save happened first


def test_recipients_are_added_and_removed_as_rows(client, login_as, db):
    login_as("submitter")
    client.post("/department/proposals/new", data=form_data())
    proposal = only_proposal(db)
    url = f"/department/proposals/{proposal.id}/edit"
    page = client.post(url, data=form_data(add_recipient="1", save="")).get_data(as_text=True)
    assert 'name="recipients-0-name"' in page
    rows = {
        "recipients-0-name": "County Sheriff", "recipients-0-recipient_type": "county",
        "recipients-0-purpose": "Hot lists", "recipients-1-name": "ICE ERO",
        "recipients-1-recipient_type": "federal", "recipients-1-purpose": "Removal",
    }
    client.post(url, data=form_data(**rows))
    db.expire_all()
    names = [r.name for r in load_proposal(db, proposal.id).current_version.recipients]
    assert names == ["County Sheriff", "ICE ERO"]
    client.post(url, data=form_data(**rows, remove_recipient="0", save=""))
    db.expire_all()
    names = [r.name for r in load_proposal(db, proposal.id).current_version.recipients]
    assert names == ["ICE ERO"]


def test_submission_freezes_the_version_and_computes_findings(client, login_as, db):
    login_as("submitter")
    rows = {"recipients-0-name": "Vendor national pool",
            "recipients-0-recipient_type": "vendor_pool",
            "recipients-0-purpose": "Searchable by ICE"}
    client.post("/department/proposals/new", data=form_data(**rows))
    proposal = only_proposal(db)
    response = client.post(f"/department/proposals/{proposal.id}/edit",
                           data=form_data(**rows, save="", submit_for_review="1"))
    assert response.status_code == 302
    db.expire_all()
    proposal = load_proposal(db, proposal.id)
    version = proposal.current_version
    assert proposal.stage is Stage.SUBMITTED
    assert version.is_frozen and len(version.impact_report_sha256) == 64
    rules = {f.rule_id for f in db.query(Finding).filter_by(version_id=version.id)}
    assert {"ca.sb34.alpr-sharing", "ca.sb54.immigration-enforcement"} <= rules
    # A submitted proposal can no longer be edited by the department.
    assert client.get(f"/department/proposals/{proposal.id}/edit").status_code == 403


def test_other_department_cannot_see_or_edit_a_draft(client, login_as, world):
    draft = world.proposal(Stage.DRAFT)
    login_as("other_submitter")
    # 404, not 403: another department's draft is not revealed to exist.
    assert client.get(f"/department/proposals/{draft.id}/edit").status_code == 404
    assert client.get(f"/proposals/{draft.id}").status_code == 404


def test_withdraw_keeps_the_record(client, login_as, world, db):
    item = world.proposal(Stage.SUBMITTED)
    login_as("submitter")
    response = client.post(f"/department/proposals/{item.id}/withdraw",
                           data={"reason": "Grant not awarded."})
    assert response.status_code == 302
    page = client.get(f"/proposals/{item.id}").get_data(as_text=True)
    assert "Withdrawn" in page and "Grant not awarded." in page


def test_failed_csrf_check_gives_the_long_form_back_with_the_text(app, client, login_as, db):
    login_as("submitter")
    client.post("/department/proposals/new", data=form_data())
    proposal = only_proposal(db)
    app.config["WTF_CSRF_ENABLED"] = True
    text = "Three pages of careful analysis written over an afternoon."
    response = client.post(f"/department/proposals/{proposal.id}/edit",
                           data=form_data(**{"impact_report-purpose": text}))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert text in page and "nothing was saved yet" in page
    assert 'name="csrf_token"' in page  # a fresh token, so Save works this time


def test_signed_out_post_shows_only_the_persons_own_text(app, client, world):
    draft = world.proposal(Stage.DRAFT)
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(f"/department/proposals/{draft.id}/edit",
                           data={"impact_report-purpose": "My own words", "title": "x"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "My own words" in page
    assert draft.title not in page  # nothing stored is revealed to a signed-out visitor


def test_keepalive_counts_as_activity(client, login_as, clock):
    login_as("submitter")
    clock.advance(minutes=25)
    assert client.post("/auth/keepalive").status_code == 204
    clock.advance(minutes=25)  # 50 minutes since sign-in, 25 since the keep-alive
    assert client.get("/department/").status_code == 200
    clock.advance(minutes=31)
    assert client.get("/department/").status_code == 302
