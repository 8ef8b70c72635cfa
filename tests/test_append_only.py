"""Public records cannot be changed or removed, even with SQL behind the app's back."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from reviewapp.models import RecipientType, Stage
from reviewapp.services import proposals
from tests.factories import complete_data

RECORD_TABLES = ("stage_change", "finding", "comment_period", "vote", "motion_result",
                 "determination", "hearing", "motion", "advisory_recommendation")


@pytest.fixture
def decided(world, db):
    item = world.proposal(Stage.DECIDED, data=complete_data(retention_days=None, recipients=[
        {"name": "County", "recipient_type": RecipientType.COUNTY.value, "purpose": "p"}]))
    db.commit()
    return item


@pytest.mark.parametrize("table", RECORD_TABLES)
def test_records_refuse_update_and_delete(db, decided, table):
    first = db.execute(text(f"SELECT min(id) FROM {table}")).scalar()  # noqa: S608
    assert first is not None, f"the walk left no {table} row to test"
    for statement in (f"UPDATE {table} SET id = id WHERE id = {first}",  # noqa: S608
                      f"DELETE FROM {table} WHERE id = {first}"):  # noqa: S608
        with pytest.raises(DBAPIError, match="append-only"):
            db.execute(text(statement))
        db.rollback()


def test_a_submitted_version_and_its_recipients_are_frozen(db, decided):
    version_id = decided.current_version.id
    for statement in ("UPDATE proposal_version SET vendor = 'Other' WHERE id = :id",
                      "DELETE FROM proposal_version WHERE id = :id",
                      "UPDATE data_recipient SET name = 'Nobody' WHERE version_id = :id",
                      "DELETE FROM data_recipient WHERE version_id = :id"):
        with pytest.raises(DBAPIError, match=r"frozen|kept"):
            db.execute(text(statement), {"id": version_id})
        db.rollback()


def test_a_draft_version_stays_editable(db, world, clock):
    item = world.proposal(Stage.DRAFT, data=complete_data(recipients=[
        {"name": "County", "recipient_type": RecipientType.COUNTY.value, "purpose": "p"}]))
    proposals.save_draft(db, item, world.submitter, clock(), complete_data(vendor="Changed"))
    db.commit()
    db.expire_all()
    assert item.current_version.vendor == "Changed"
    assert item.current_version.recipients == []
