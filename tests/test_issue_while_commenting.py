"""Issuing a determination does not hold up comments while its PDF renders."""

import threading

from sqlalchemy import func, select

from reviewapp import audit, pdf
from reviewapp.models import AuditEvent, Comment, Determination, Stage
from tests.factories import PASSWORD, form_nonce

WAIT = 30  # seconds any step may take before the test calls it stuck


def test_a_comment_commits_while_a_determination_renders(app, client, login_as, world, db,
                                                         monkeypatch):
    deciding = world.proposal(Stage.HEARING_SCHEDULED)
    world.hold_vote(deciding)
    open_one = world.proposal(Stage.PUBLIC_COMMENT)
    # Plain ids: the test's own session must stay out of the way (on SQLite a query in
    # it would take the write lock) until both requests are done.
    deciding_id, open_id = deciding.id, open_one.id
    db.commit()
    login_as("clerk")

    # The render is real; it only waits, once it has begun, until the comment is in.
    real_render = pdf.render_pdf
    rendering, comment_in = threading.Event(), threading.Event()
    released: list[bool] = []

    def held_render(*args, **kwargs):
        rendering.set()
        released.append(comment_in.wait(WAIT))
        return real_render(*args, **kwargs)

    monkeypatch.setattr(pdf, "render_pdf", held_render)
    answers: list[int] = []
    clerk = threading.Thread(target=lambda: answers.append(
        client.post(f"/clerk/proposals/{deciding_id}/issue").status_code))
    clerk.start()
    try:
        assert rendering.wait(WAIT), "the determination never started rendering"
        # Were the write lock (SQLite) or the audit chain's lock (PostgreSQL) held during
        # the render, this post would wait for the render, which waits for this post.
        resident = app.test_client()
        posted = resident.post(f"/proposals/{open_id}/comment", data={
            "nonce": form_nonce("during-render"), "submitter_type": "anonymous",
            "position": "oppose",
            "body": "Posted while the determination was rendering."})
        assert posted.status_code == 302, posted.get_data(as_text=True)[:500]
        assert posted.headers["Location"].startswith("/receipts/RA-")
        assert clerk.is_alive(), "the determination finished first: nothing was shown"
        with app.extensions["db_read_sessionmaker"]() as reader:
            stored = reader.scalar(select(Comment).where(
                Comment.nonce == form_nonce("during-render")))
            assert stored is not None, "the receipt came before the commit"
    finally:
        comment_in.set()
        clerk.join(WAIT)
    assert released == [True]
    assert answers == [302]
    db.expire_all()
    issued = db.scalars(select(Determination)).one()
    assert issued.proposal_id == deciding_id
    assert db.get(type(deciding), deciding_id).stage is Stage.DECIDED
    # Both writes are in the chain, the comment's before the determination's.
    actions = list(db.scalars(select(AuditEvent.action).order_by(AuditEvent.id.desc())
                              .limit(3)))
    assert actions[0] == "issue_determination" and "post_comment" in actions[1:]
    assert audit.verify_chain(db).ok
    assert db.scalar(select(func.count()).select_from(Comment)
                     .where(Comment.proposal_id == open_id)) == 1


def test_a_record_changed_during_the_render_issues_nothing(app, client, login_as, world, db,
                                                          monkeypatch):
    deciding = world.proposal(Stage.HEARING_SCHEDULED)
    world.hold_vote(deciding)
    deciding_id, clerk_email = deciding.id, world.clerk.email  # see the test above
    db.commit()
    login_as("clerk")
    real_render = pdf.render_pdf

    def render_then_change(*args, **kwargs):
        data = real_render(*args, **kwargs)
        # Another clerk issues it meanwhile (in its own request, through the real service).
        with app.app_context():
            other = app.test_client()
            signed_in = other.post("/auth/login", data={"email": clerk_email,
                                                        "password": PASSWORD})
            assert signed_in.status_code == 302
            monkeypatch.setattr(pdf, "render_pdf", real_render)
            assert other.post(f"/clerk/proposals/{deciding_id}/issue").status_code == 302
        return data

    monkeypatch.setattr(pdf, "render_pdf", render_then_change)
    refused = client.post(f"/clerk/proposals/{deciding_id}/issue")
    assert refused.status_code == 409
    assert "was already issued" in refused.get_data(as_text=True)
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Determination)) == 1
    assert audit.verify_chain(db).ok

