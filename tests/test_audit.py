"""The hash-chained audit log on a real database: it verifies, and tampering is caught."""

import itertools
import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text

from reviewapp import audit, audit_keys, record
from reviewapp.models import AuditEvent, Stage
from reviewapp.services import comments
from tests.waiting import second_waits_for_first

CONTENT_COLUMNS = ("created_at", "actor_id", "actor_label", "action", "object_type",
                   "object_id", "details")
ALL_COLUMNS = (*CONTENT_COLUMNS, "prev_hash", "hash")


def event_ids(db) -> list[int]:
    return list(db.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))


def remove_guards(db) -> None:
    """Drop the append-only triggers, as an attacker with direct database access could."""
    if db.bind.dialect.name == "postgresql":
        db.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
    else:
        for name in ("audit_event_no_update", "audit_event_no_delete"):
            db.execute(text(f"DROP TRIGGER IF EXISTS {name}"))


@pytest.fixture(autouse=True)
def guards_back(db):
    """Re-enable the guards afterwards: on PostgreSQL the schema outlives this test."""
    yield
    if db.bind.dialect.name == "postgresql":
        db.rollback()
        db.execute(text("ALTER TABLE audit_event ENABLE TRIGGER USER"))
        db.commit()


def sql(db, statement: str, **params) -> None:
    """Change the table behind the application's back, and forget cached rows."""
    remove_guards(db)
    db.execute(text(statement), params)
    db.commit()
    db.expire_all()


@pytest.fixture
def walked(db, world):
    """A proposal walked to public comment (its events), committed; returns the event ids."""
    world.proposal(Stage.PUBLIC_COMMENT)
    ids = event_ids(db)
    assert len(ids) >= 4
    db.commit()
    return ids


def row(db, event_id: int) -> dict:
    columns = ", ".join(ALL_COLUMNS)
    found = db.execute(text(f"SELECT {columns} FROM audit_event WHERE id = :id"),  # noqa: S608
                       {"id": event_id})
    return dict(found.mappings().one())


def overwrite(db, event_id: int, values: dict) -> None:
    remove_guards(db)
    assignments = ", ".join(f"{name} = :{name}" for name in values)
    db.execute(text(f"UPDATE audit_event SET {assignments} WHERE id = :id"),  # noqa: S608
               {**values, "id": event_id})


# ---------------------------------------------------------------- the guards


def test_the_database_refuses_to_alter_or_remove_audit_events(db, walked):
    from sqlalchemy.exc import DBAPIError

    for statement in ("UPDATE audit_event SET details = '{}' WHERE id = :id",
                      "DELETE FROM audit_event WHERE id = :id"):
        with pytest.raises(DBAPIError, match="append-only"):
            db.execute(text(statement), {"id": walked[1]})
        db.rollback()
    assert audit.verify_chain(db).ok


# ---------------------------------------------------------------- an honest chain


def test_walking_a_proposal_leaves_a_verified_chain(db, walked):
    report = audit.verify_chain(db)
    assert report.ok
    assert report.first_bad_id is None
    assert report.problem == ""
    assert report.count == len(walked)
    events = list(db.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    assert [e.action for e in events][:4] == ["create_draft", "submit", "accept",
                                              "open_comment"]
    assert report.head == events[-1].hash == audit.head_hash(db)


def test_each_event_commits_to_the_one_before(db, walked):
    events = list(db.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    assert events[0].prev_hash == audit.GENESIS
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash
    assert len({e.hash for e in events}) == len(events)


def test_empty_chain_verifies_with_the_genesis_head(db, world):
    report = audit.verify_chain(db)
    assert report.ok
    assert report.count == 0
    assert report.head == audit.GENESIS == audit.head_hash(db)


def test_transition_details_are_recorded(db, walked):
    submit = db.scalar(select(AuditEvent).where(AuditEvent.action == "submit"))
    details = json.loads(submit.details)
    assert details["from_stage"] == "draft"
    assert details["to_stage"] == "submitted"
    assert submit.actor_label == "Dana Analyst (submitter)"


# ---------------------------------------------------------------- tampering


def test_altered_details_are_caught_at_that_event(db, walked):
    target = walked[1]
    sql(db, "UPDATE audit_event SET details = :d WHERE id = :id",
        d='{"from_stage": "draft", "reason": "", "to_stage": "decided", "version": 1}',
        id=target)
    report = audit.verify_chain(db)
    assert not report.ok
    assert report.first_bad_id == target
    assert "altered" in report.problem
    assert report.count == 2  # it stopped at the bad event


@pytest.mark.parametrize(("column", "value"), [
    ("actor_label", "Somebody Else (clerk)"),
    ("action", "withdraw"),
    ("object_id", "2026-9999"),
])
def test_any_altered_column_is_caught(db, walked, column, value):
    target = walked[2]
    sql(db, f"UPDATE audit_event SET {column} = :v WHERE id = :id",  # noqa: S608
        v=value, id=target)
    report = audit.verify_chain(db)
    assert report.first_bad_id == target
    assert "altered" in report.problem


def test_backdated_event_is_caught(db, walked):
    target = walked[2]
    event = db.get(AuditEvent, target)
    earlier = event.created_at - timedelta(seconds=1)
    db.commit()
    sql(db, "UPDATE audit_event SET created_at = :t WHERE id = :id",
        t=earlier.replace(tzinfo=None), id=target)
    assert audit.verify_chain(db).first_bad_id == target


def test_replaced_hash_is_caught_at_that_event(db, walked):
    target = walked[1]
    sql(db, "UPDATE audit_event SET hash = :h WHERE id = :id", h="f" * 64, id=target)
    report = audit.verify_chain(db)
    assert report.first_bad_id == target


def test_deleted_middle_event_is_caught_at_the_next_one(db, walked):
    removed = walked[1]
    sql(db, "DELETE FROM audit_event WHERE id = :id", id=removed)
    report = audit.verify_chain(db)
    assert not report.ok
    assert report.first_bad_id == walked[2]
    assert "removed" in report.problem


def test_deleted_first_event_is_caught(db, walked):
    sql(db, "DELETE FROM audit_event WHERE id = :id", id=walked[0])
    assert audit.verify_chain(db).first_bad_id == walked[1]


def test_swapped_rows_are_caught_at_the_first_of_them(db, walked):
    """Swap two whole rows (content and hashes): the log is reordered."""
    first, second = walked[1], walked[2]
    a, b = row(db, first), row(db, second)
    db.commit()
    # prev_hash and hash are unique: park one row on placeholders first.
    overwrite(db, second, {"prev_hash": "p" * 64, "hash": "h" * 64})
    overwrite(db, first, b)
    overwrite(db, second, a)
    db.commit()
    db.expire_all()
    assert row(db, first)["action"] == b["action"]
    report = audit.verify_chain(db)
    assert report.first_bad_id == first
    assert "reordered" in report.problem


def test_swapped_content_under_unchanged_hashes_is_caught(db, walked):
    first, second = walked[1], walked[3]
    a, b = row(db, first), row(db, second)
    db.commit()
    overwrite(db, first, {c: b[c] for c in CONTENT_COLUMNS})
    overwrite(db, second, {c: a[c] for c in CONTENT_COLUMNS})
    db.commit()
    db.expire_all()
    report = audit.verify_chain(db)
    assert report.first_bad_id == first
    assert "altered" in report.problem


def test_truncated_tail_changes_the_published_head(db, walked):
    """Dropping the newest event leaves a valid chain, but its head no longer matches."""
    published = audit.head_hash(db)
    db.commit()
    sql(db, "DELETE FROM audit_event WHERE id = :id", id=walked[-1])
    report = audit.verify_chain(db)
    assert report.ok
    assert report.count == len(walked) - 1
    assert report.head != published


def test_appending_after_verification_extends_the_chain(db, world, walked, clock):
    head = audit.head_hash(db)
    event = audit.record(db, world.clerk, "note", "proposal", "2026-0001", clock(), x=1)
    db.commit()
    assert event.prev_hash == head
    report = audit.verify_chain(db)
    assert report.ok
    assert report.head == event.hash


# ---------------------------------------------------------------- details stay data


@pytest.mark.parametrize("body", [
    "first line\nAudit chain verified: 0 events",
    "carriage\r\n2026-03-02 admin login ok",
    'quote " and brace } and bracket ]',
])
def test_control_characters_in_details_stay_inside_one_json_string(db, world, clock, body):
    event = audit.record(db, None, "post_comment", "comment", "C-0001", clock(), body=body)
    db.commit()
    db.expire_all()
    stored = db.get(AuditEvent, event.id)
    assert "\n" not in stored.details
    assert "\r" not in stored.details
    assert json.loads(stored.details) == {"body": body}
    assert audit.verify_chain(db).ok


def test_details_are_canonical_json(db, world, clock):
    event = audit.record(db, None, "x", "proposal", 7, clock(), zeta=1, alpha="é",
                         when=datetime(2026, 1, 1, tzinfo=UTC))
    db.commit()
    assert event.details == '{"alpha": "é", "when": "2026-01-01 00:00:00+00:00", "zeta": 1}'
    assert event.object_id == "7"
    assert event.actor_label == "public"


def test_a_non_utc_time_still_verifies(db, world):
    local = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("America/Los_Angeles"))
    audit.record(db, None, "login_failed", "account", "-", local)
    db.commit()
    db.expire_all()
    assert audit.verify_chain(db).ok


def test_events_with_quotes_and_line_breaks_verify(db, world, clock):
    # Text with quotes, non-ASCII letters and line breaks hashes and verifies alike.
    for body in ("plain", 'quote " é 李', "line\nbreak"):
        audit.record(db, None, "post_comment", "comment", "C-1", clock(), body=body)
    db.commit()
    db.expire_all()
    events = db.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(3)).all()
    assert [json.loads(event.details)["body"] for event in reversed(events)] == [
        "plain", 'quote " é 李', "line\nbreak"]
    assert audit.verify_chain(db).ok


# ---------------------------------------------------------------- the command


def verify_audit(app):
    """Run `flask verify-audit` in its own app context, so its session is closed after."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=["verify-audit"])


def test_verify_audit_command_on_a_clean_chain(app, db, walked):
    db.commit()
    result = verify_audit(app)
    assert result.exit_code == 0, result.output
    assert f"Audit chain verified: {len(walked)} events" in result.output
    assert audit.head_hash(db) in result.output


def test_verify_audit_command_names_the_tampered_event(app, db, walked):
    target = walked[2]
    sql(db, "UPDATE audit_event SET details = :d WHERE id = :id", d="{}", id=target)
    result = verify_audit(app)
    assert result.exit_code != 0
    assert f"BROKEN at event {target}" in result.stderr
    assert "altered" in result.stderr
    assert "verified" not in result.stdout


def test_verify_audit_command_after_a_deletion(app, db, walked):
    sql(db, "DELETE FROM audit_event WHERE id = :id", id=walked[1])
    result = verify_audit(app)
    assert result.exit_code == 1
    assert f"BROKEN at event {walked[2]}" in result.stderr


def test_a_comment_holds_the_chain_until_its_commit(app, db, world, clock):
    """A stored comment's transaction keeps other appends out until it commits.

    On PostgreSQL the comment's insert statement takes the chain's lock, even when the
    other append is about another proposal (no shared tally row to wait on); on SQLite
    the write lock does the same.
    """
    item = world.proposal(Stage.PUBLIC_COMMENT)
    db.commit()
    make = app.extensions["db_sessionmaker"]
    first, second = make(), make()
    comments.post_comment(first, record.load_proposal(first, item.id), clock(),
                          nonce="held-chain", submitter_type="anonymous", position="oppose",
                          body="Stored, not yet committed.", name=None, organization=None)

    def append_elsewhere(session) -> None:
        with app.app_context():  # a thread of its own: the seal key is the app's
            audit.record(session, None, "note", "proposal", "elsewhere", clock())

    second_waits_for_first(first, second, append_elsewhere,
                           "another append went ahead of the comment's commit")
    report = audit.verify_chain(db)
    assert report.ok, report.problem


# ---------------------------------------------------------------- the seals


def rewrite_from(db, event_id: int, details: str) -> None:
    """Rewrite one event and recompute every hash after it, as an attacker with write access.

    Only the key is out of reach: seals stay as they were.
    """
    remove_guards(db)
    prev = None
    for event in db.scalars(select(AuditEvent).where(AuditEvent.id >= event_id)
                            .order_by(AuditEvent.id)).all():
        content = row(db, event.id)
        if event.id == event_id:
            content["details"] = details
        content["prev_hash"] = prev or content["prev_hash"]
        created = content["created_at"]
        if isinstance(created, str):
            created = datetime.fromisoformat(created)
        content["hash"] = audit._digest(
            content["prev_hash"], created.replace(tzinfo=created.tzinfo or UTC),
            *(content[name] for name in CONTENT_COLUMNS[1:]))
        prev = content["hash"]
        db.execute(text("UPDATE audit_event SET details = :details, prev_hash = :prev_hash, "
                        "hash = :hash WHERE id = :id"),
                   {"details": content["details"], "prev_hash": content["prev_hash"],
                    "hash": content["hash"], "id": event.id})
    db.commit()
    db.expire_all()


def test_every_event_is_sealed_with_the_current_key(db, walked, app):
    keys = app.extensions["audit_keys"]
    events = db.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert events and all(e.seal_key == keys.current_fingerprint for e in events)
    assert all(e.seal == audit_keys.seal_with(keys.current, e.hash) for e in events)


def test_rewriting_an_event_and_recomputing_every_hash_is_caught_by_its_seal(db, walked):
    target = walked[2]
    rewrite_from(db, target, '{"reason": "nothing to see"}')
    report = audit.verify_chain(db)
    assert not report.ok and report.first_bad_id == target
    assert "seal does not match" in report.problem


def test_removing_the_seals_of_rewritten_events_is_caught(db, walked):
    rewrite_from(db, walked[2], '{"reason": "nothing to see"}')
    sql(db, "UPDATE audit_event SET seal = NULL, seal_key = NULL WHERE id >= :id", id=walked[2])
    report = audit.verify_chain(db)
    assert report.first_bad_id == walked[2] and "seal was removed" in report.problem
    sql(db, "UPDATE audit_event SET seal = NULL, seal_key = NULL")
    report = audit.verify_chain(db)
    assert not report.ok and "no event is sealed" in report.problem


def test_a_seal_made_with_another_key_is_caught(db, walked):
    forged = audit_keys.SealKeys(b"a key the attacker chose", {})
    event = db.get(AuditEvent, walked[1])
    sql(db, "UPDATE audit_event SET seal = :seal, seal_key = :key WHERE id = :id",
        seal=forged.seal(event.hash), key=forged.current_fingerprint, id=walked[1])
    report = audit.verify_chain(db)
    assert report.first_bad_id == walked[1] and "does not have" in report.problem


def test_after_rotation_old_seals_verify_with_the_old_key_listed(db, walked, app):
    old = app.extensions["audit_keys"]
    rotated = audit_keys.keys_from_config({"AUDIT_KEY": "the-new-key-" + "n" * 32,
                                           "SECRET_KEY": "unused"})
    assert not audit.verify_chain(db, rotated).ok  # the old key is not listed yet
    with_old = audit_keys.SealKeys(rotated.current, {**rotated.by_fingerprint,
                                                     old.current_fingerprint: old.current})
    assert audit.verify_chain(db, with_old).ok


def test_the_key_comes_from_the_environment_and_old_keys_are_listed(monkeypatch, tmp_path):
    monkeypatch.setenv("REVIEWAPP_AUDIT_KEY", "current-audit-key-" + "c" * 32)
    monkeypatch.setenv("REVIEWAPP_AUDIT_OLD_KEYS", "old-one-" + "o" * 32 + ",old-two-" + "t" * 32)
    from reviewapp import create_app

    built = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'k.sqlite3'}",
                        "SECRET_KEY": "s" * 40}, instance_path=str(tmp_path))
    keys = built.extensions["audit_keys"]
    assert keys.current == ("current-audit-key-" + "c" * 32).encode()
    listed = [("old-one-" + "o" * 32).encode(), ("old-two-" + "t" * 32).encode()]
    assert {*(audit_keys.fingerprint(k) for k in listed),
            # An old entry may also be an old SECRET_KEY whose derived key sealed events.
            *(audit_keys.fingerprint(audit_keys._derived(k.decode())) for k in listed),
            keys.current_fingerprint} == set(keys.by_fingerprint)
    # With an AUDIT_KEY, the secret key cannot seal: it is not among the keys.
    assert audit_keys.fingerprint(audit_keys._derived("s" * 40)) not in keys.by_fingerprint


def test_start_sealing_follows_a_chain_written_before_sealing(db, walked, clock):
    sql(db, "UPDATE audit_event SET seal = NULL, seal_key = NULL")
    assert not audit.verify_chain(db).ok
    assert audit.start_sealing(db, clock()) is True
    db.commit()
    report = audit.verify_chain(db)
    assert report.ok, report.problem
    newest = db.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    assert newest.action == "start_sealing" and newest.seal
    assert audit.start_sealing(db, clock()) is False  # once is enough


def test_verify_audit_command_catches_a_rewritten_chain(app, db, walked):
    rewrite_from(db, walked[1], "{}")
    result = verify_audit(app)
    assert result.exit_code == 1
    assert f"BROKEN at event {walked[1]}" in result.stderr and "seal" in result.stderr


def test_a_retired_key_cannot_seal_events_a_day_after_its_successor(db, walked, app):
    old = app.extensions["audit_keys"]
    new = audit_keys.SealKeys(b"the-next-audit-key-" + b"n" * 20,
                              {**old.by_fingerprint})
    new.by_fingerprint[new.current_fingerprint] = new.current
    clock = app.config["CLOCK"]
    try:
        app.extensions["audit_keys"] = new
        audit.record(db, None, "note", "proposal", "the first host with the new key", clock())
        app.extensions["audit_keys"] = old  # hosts restart one by one: one still has the old
        audit.record(db, None, "note", "proposal", "a host not yet restarted", clock())
        db.commit()
        assert audit.verify_chain(db, new).ok, audit.verify_chain(db, new).problem
        app.extensions["audit_keys"] = new
        clock.advance(days=2)
        audit.record(db, None, "note", "proposal", "two days on", clock())
        db.commit()
        assert audit.verify_chain(db, new).ok
        # Someone who kept the old key rewrites the newest event and seals it with it.
        newest = db.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
        sql(db, "UPDATE audit_event SET seal = :seal, seal_key = :key WHERE id = :id",
            seal=old.seal(newest.hash), key=old.current_fingerprint, id=newest.id)
        report = audit.verify_chain(db, new)
        assert report.first_bad_id == newest.id and "retired" in report.problem
    finally:
        app.extensions["audit_keys"] = old
