"""Issued PDFs live in the database: any host serves them, issuing twice never doubles them."""

import hashlib
import threading
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, func, inspect, select, text

from reviewapp import create_app
from reviewapp.cli.setup import alembic_config, upgrade_database
from reviewapp.db import dispose, get_session
from reviewapp.demo import seed
from reviewapp.models import Determination, DeterminationFile, Proposal, Stage
from reviewapp.record import load_proposal
from reviewapp.services.determinations import issue_determination, stored_pdf
from reviewapp.workflow import TransitionNotAllowed
from tests.test_migrations import empty_database_url

KEY = "storage-test-" + "k" * 32


def test_the_pdf_is_served_from_the_database_by_another_host(app, db, world, tmp_path):
    world.proposal(Stage.DECIDED)
    issued = db.scalars(select(Determination)).one()
    # A second host: the same database, an empty instance folder of its own.
    other = create_app({**{k: app.config[k] for k in ("DATABASE_URL", "SECRET_KEY", "CLOCK")},
                        "TESTING": True}, instance_path=str(tmp_path / "host-b"))
    try:
        response = other.test_client().get(f"/determinations/{issued.document_number}.pdf")
        assert response.status_code == 200
        assert hashlib.sha256(response.data).hexdigest() == issued.sha256
        assert response.headers["X-Content-SHA256"] == issued.sha256
        assert response.headers["ETag"] == f'"{issued.sha256}"'
        assert response.mimetype == "application/pdf"
        again = other.test_client().get(f"/determinations/{issued.document_number}.pdf",
                                        headers={"If-None-Match": f'"{issued.sha256}"'})
        assert again.status_code == 304
    finally:
        dispose(other)
    assert not (Path(app.instance_path) / "determinations").exists(), "nothing on disk"


def test_issuing_twice_at_once_yields_one_determination(app, db, world):
    item = world.proposal(Stage.HEARING_SCHEDULED)
    world.hold_vote(item)
    db.commit()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def issue():
        with app.test_request_context():
            session = app.extensions["db_sessionmaker"]()
            try:
                barrier.wait(timeout=10)
                proposal = load_proposal(session, item.id)
                issued = issue_determination(session, proposal, world.clerk, world.clock(),
                                             world.profile)
                session.commit()
                outcomes.append(f"issued {issued.document_number}")
            except TransitionNotAllowed as exc:
                session.rollback()
                outcomes.append(f"refused: {exc}")
            finally:
                session.close()

    threads = [threading.Thread(target=issue) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(o.split(" ")[0] for o in outcomes) == ["issued", "refused:"], outcomes
    refusal = next(o for o in outcomes if o.startswith("refused"))
    assert "was already issued" in refusal
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Determination)) == 1
    assert db.scalar(select(func.count()).select_from(DeterminationFile)) == 1
    assert db.get(Proposal, item.id).stage is Stage.DECIDED


def test_the_clerk_is_told_when_the_determination_was_already_issued(client, login_as, world,
                                                                     db):
    item = world.proposal(Stage.DECIDED)
    login_as("clerk")
    response = client.post(f"/clerk/proposals/{item.id}/issue")
    assert response.status_code == 409
    assert "was already issued" in response.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(Determination)) == 1


@pytest.fixture
def seeded_old_layout(tmp_path):
    """A demo database whose PDFs sit in instance/determinations, as before migration 0005."""
    url, cleanup = empty_database_url(tmp_path)
    instance = tmp_path / "instance"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": KEY}, instance_path=str(instance))
    upgrade_database(app)
    with app.app_context():
        session = get_session()
        seed(session)
        session.commit()
        folder = instance / "determinations"
        folder.mkdir(parents=True)
        expected = {}
        for issued in session.scalars(select(Determination)):
            data = stored_pdf(session, issued)
            (folder / issued.file_name).write_bytes(data)
            expected[issued.id] = data
    dispose(app)
    config = alembic_config(url, str(instance))
    command.downgrade(config, "0004")
    yield url, config, folder, expected
    cleanup()


def stored_files(url: str) -> dict[int, bytes]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT determination_id, content FROM determination_file"))
        found = {row[0]: bytes(row[1]) for row in rows}
    engine.dispose()
    return found


def test_the_migration_moves_issued_files_into_the_database(seeded_old_layout):
    url, config, _folder, expected = seeded_old_layout
    assert len(expected) >= 2, "the demo issues several determinations"
    command.upgrade(config, "head")
    assert stored_files(url) == expected


@pytest.mark.parametrize("damage", ["missing", "altered"])
def test_the_migration_stops_on_a_missing_or_altered_file(seeded_old_layout, damage):
    url, config, folder, _expected = seeded_old_layout
    victim = sorted(folder.iterdir())[0]
    if damage == "missing":
        victim.unlink()
    else:
        victim.write_bytes(victim.read_bytes() + b"%tampered")
    with pytest.raises(RuntimeError, match=victim.stem) as refused:
        command.upgrade(config, "head")
    assert ("is missing" if damage == "missing" else "does not match") in str(refused.value)
    engine = create_engine(url)
    with engine.connect() as conn:
        assert "determination_file" not in inspect(conn).get_table_names()
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    engine.dispose()
    assert version == "0004"
