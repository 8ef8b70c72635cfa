"""Conditions of approval become typed, numbered obligations when the determination issues."""

from reviewapp import conditions
from reviewapp.models import Obligation, ObligationKind, Stage
from reviewapp.services import council
from tests.factories import ALL_FINDINGS


def test_typed_fields_become_worded_conditions():
    built = conditions.build(retention_days=30, no_sharing_types=["federal", "private"],
                             no_sharing_names="Vigilant LEARN, Flock national lookup",
                             audit_every_months=6, deployment_areas="District 3, Downtown",
                             other_lines=["Publish quarterly statistics.", "  "])
    assert [c.kind for c in built] == [
        "max_retention_days", "no_sharing_with_type", "no_sharing_with",
        "audit_every_months", "deployment_limited_to", "other"]
    assert built[0].text == "Retain data no longer than 30 days." and built[0].number == 30
    assert built[1].text == "Do not share data with federal agencies or private companies."
    assert built[1].values == ("federal", "private")
    assert built[2].values == ("Vigilant LEARN", "Flock national lookup")
    assert built[4].text == "Deploy only in: District 3, Downtown."
    assert conditions.build() == []


def test_legacy_text_conditions_read_as_other():
    assert conditions.from_stored("Be nice.") == conditions.Condition("other", "Be nice.")


def test_the_clerk_types_conditions_and_issuance_records_obligations(client, login_as, world,
                                                                     db):
    item = world.proposal(Stage.HEARING_SCHEDULED)
    login_as("clerk")
    response = client.post(f"/clerk/proposals/{item.id}/motion", data={
        "motion_type": "approve_with_conditions", "findings": ALL_FINDINGS,
        "retention_limit_days": "30", "no_sharing_types": ["federal"],
        "conditions": "Publish quarterly statistics.", "moved_by": "Member A"})
    assert response.status_code == 302
    for member in world.council[:3]:
        council.cast_vote(db, item, member, world.clock(), world.profile, "aye")
    db.commit()
    client.post(f"/clerk/proposals/{item.id}/close-roll-call")
    assert client.post(f"/clerk/proposals/{item.id}/issue").status_code == 302
    rows = db.query(Obligation).filter_by(proposal_id=item.id).order_by(Obligation.number).all()
    assert [(o.number, o.kind, o.number_value, o.text_value) for o in rows] == [
        (1, ObligationKind.MAX_RETENTION_DAYS, 30, ""),
        (2, ObligationKind.NO_SHARING_WITH_TYPE, None, "federal"),
        (3, ObligationKind.OTHER, None, ""),
    ]
    page = client.get(f"/proposals/{item.id}").get_data(as_text=True)
    assert "Retain data no longer than 30 days." in page
    assert "Do not share data with federal agencies." in page


def test_an_invalid_typed_condition_is_refused_next_to_its_field(client, login_as, world):
    item = world.proposal(Stage.HEARING_SCHEDULED)
    login_as("clerk")
    response = client.post(f"/clerk/proposals/{item.id}/motion", data={
        "motion_type": "approve_with_conditions", "findings": ALL_FINDINGS,
        "retention_limit_days": "a month", "conditions": "Keep this line."})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="retention_limit_days-error"' in page
    assert "Keep this line." in page
