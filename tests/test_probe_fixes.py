"""The holes a probe of every route and field found (issue 10), each pinned by a test."""

import logging
import re

from sqlalchemy import select

from reviewapp import permissions
from reviewapp.audit import verify_chain
from reviewapp.logs import loggable_path
from reviewapp.models import AuditEvent, Comment, Stage
from reviewapp.record import load_proposal
from tests.factories import PASSWORD
from tests.test_views_department import form_data
from tests.test_views_process import comment


def test_a_hidden_comments_receipt_shows_neither_its_text_nor_its_name(client, login_as,
                                                                        world, db):
    item = world.proposal(Stage.PUBLIC_COMMENT)
    comment(client, item, submitter_type="individual", name="Pat Doxxer",
            body="Home address of the officer is 12 Elm St")
    saved = db.query(Comment).one()
    login_as("clerk")
    client.post(f"/clerk/comments/{saved.id}/hide", data={"reason": "Personal information"})
    client.post("/auth/logout")
    receipt = client.get(f"/receipts/{saved.tracking_number}")
    assert receipt.status_code == 200
    text = receipt.get_data(as_text=True)
    assert "12 Elm St" not in text and "Pat Doxxer" not in text
    assert "This comment is hidden" in text and "Personal information" in text


def test_a_commenters_name_is_isolated_from_the_text_around_it(client, world):
    item = world.proposal(Stage.PUBLIC_COMMENT)
    name = "Ana \u202eredro\u202c"  # a right-to-left override inside the name
    response = comment(client, item, submitter_type="individual", name=name)
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    page = client.get(f"/proposals/{item.id}").get_data(as_text=True)
    for html in (receipt, page):
        assert f"<bdi>{name}</bdi>" in html


def test_a_comment_of_invisible_characters_only_is_refused_and_kept(client, world, db):
    item = world.proposal(Stage.PUBLIC_COMMENT)
    for invisible in ("\u200b\u200b\u200b", "\u2060\u200d \u3164", "\u202e\u202c"):
        response = comment(client, item, body=invisible)
        assert response.status_code == 400
        assert "only invisible characters" in response.get_data(as_text=True)
    assert db.query(Comment).count() == 0


def test_a_name_of_invisible_characters_only_is_refused(client, world, db):
    item = world.proposal(Stage.PUBLIC_COMMENT)
    response = comment(client, item, submitter_type="individual", name="\u200b\u200c")
    assert response.status_code == 400
    assert db.query(Comment).count() == 0


def _nonce(number: int) -> str:
    return f"{number:032d}"


def test_the_same_form_sent_twice_stores_once_and_gives_the_same_receipt(client, world, db):
    item = world.proposal(Stage.PUBLIC_COMMENT)
    first = comment(client, item, nonce=_nonce(1), body="Keep the drones grounded.")
    again = comment(client, item, nonce=_nonce(1), body="Keep the drones grounded.")
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"]
    assert db.query(Comment).count() == 1


def test_a_different_comment_under_a_used_nonce_is_given_back_not_dropped(client, world, db):
    item = world.proposal(Stage.PUBLIC_COMMENT)
    first = comment(client, item, nonce=_nonce(2), body="Someone else's comment.")
    reused = comment(client, item, nonce=_nonce(2), body="My own, different comment.")
    assert reused.status_code == 409
    page = reused.get_data(as_text=True)
    assert "Send your comment again" in page and "My own, different comment." in page
    assert first.headers["Location"].rsplit("/", 1)[1] not in page  # not their receipt
    assert _nonce(2) not in page  # a fresh nonce, so sending again stores it
    fresh = re.search(r'name="nonce" type="hidden" value="([^"]+)"', page).group(1)
    stored = comment(client, item, nonce=fresh, body="My own, different comment.")
    assert stored.status_code == 302
    assert db.query(Comment).count() == 2


def test_a_blank_or_odd_nonce_gives_the_form_back_with_the_text(client, world, db):
    item = world.proposal(Stage.PUBLIC_COMMENT)
    comment(client, item, nonce="", body="The first blank one.")
    for odd in ("", "x", "a b" * 20):
        response = comment(client, item, nonce=odd, body="Another resident's words.")
        assert response.status_code == 409
        page = response.get_data(as_text=True)
        assert "Send your comment again" in page and "Another resident&#39;s words." in page
    assert db.query(Comment).count() == 0


def test_a_line_break_in_next_at_sign_in_goes_home_instead_of_failing(client, world):
    clerk = world.user("clerk")
    for target in ("/clerk/%0d%0aSet-Cookie:x=1", "/clerk/%0aX", "/clerk/%09", "/clerk/%7f"):
        client.post("/auth/logout")
        response = client.post(f"/auth/login?next={target}",
                               data={"email": clerk.email, "password": PASSWORD})
        assert response.status_code == 302
        assert response.headers["Location"] == "/"


def test_a_refusal_of_a_signed_in_account_is_logged_and_audited(client, login_as, db, caplog):
    analyst = login_as("submitter")
    with caplog.at_level(logging.INFO, logger="reviewapp"):
        response = client.get("/clerk/")
    assert response.status_code == 403
    assert any("403 GET /clerk/" in r.getMessage() and str(analyst.id) in r.getMessage()
               for r in caplog.records)
    refused = db.scalars(select(AuditEvent).where(AuditEvent.action == "access_refused")).all()
    assert [(e.actor_id, e.object_id) for e in refused] == [(analyst.id, "/clerk/")]
    assert verify_chain(db).ok


def test_a_permission_check_that_raises_refuses_instead_of_failing(client, login_as,
                                                                   monkeypatch):
    login_as("clerk")

    def broken(user, role):
        raise RuntimeError("a permission check failed")

    monkeypatch.setattr(permissions, "_has_role", broken)
    assert client.get("/clerk/").status_code == 403
    assert permissions.can_manage_process(object()) is False


def test_a_returned_proposals_new_title_is_public_only_once_resubmitted(client, login_as,
                                                                         world, db):
    item = world.proposal(Stage.SUBMITTED)
    old_title = item.title
    login_as("clerk")
    client.post(f"/clerk/proposals/{item.id}/return", data={"reasons": "Name the vendor."})
    login_as("submitter")
    edited = form_data(title="A quieter new title")
    response = client.post(f"/department/proposals/{item.id}/edit", data=edited)
    assert response.status_code == 302
    client.post("/auth/logout")
    for path in (f"/proposals/{item.id}", "/"):
        page = client.get(path).get_data(as_text=True)
        assert old_title in page and "A quieter new title" not in page, path

    login_as("submitter")
    form = client.get(f"/department/proposals/{item.id}/edit").get_data(as_text=True)
    assert 'value="A quieter new title"' in form  # the department sees its own edit
    client.post(f"/department/proposals/{item.id}/edit",
                data={**edited, "save": "", "submit_for_review": "1"})
    client.post("/auth/logout")
    page = client.get(f"/proposals/{item.id}").get_data(as_text=True)
    assert "A quieter new title" in page
    db.expire_all()
    versions = load_proposal(db, item.id).versions
    assert [v.title for v in versions] == [old_title, "A quieter new title"]


def test_a_links_token_never_reaches_a_log_line():
    token = "Q2gI9zPeibeSGsW8gqNDqT51kb-QkK0Dd1ldpsJjxHk"
    assert loggable_path(f"/auth/reset/{token}") == "/auth/reset/…"
    assert loggable_path(f"/auth/welcome/{token}") == "/auth/welcome/…"
    assert loggable_path("/proposals/4") == "/proposals/4"


def test_the_access_log_line_leaves_the_token_out(capsys):
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.config import Config

    from reviewapp.logs import GunicornLogger

    config = Config()
    config.set("accesslog", "-")
    logger = GunicornLogger(config)
    token = "Q2gI9zPeibeSGsW8gqNDqT51kb-QkK0Dd1ldpsJjxHk"
    response = SimpleNamespace(status="200 OK", headers=[], sent=10)
    logger.access(response, None, {"REQUEST_METHOD": "GET",
                                   "PATH_INFO": f"/auth/reset/{token}"}, timedelta(0))
    written = capsys.readouterr()
    assert "/auth/reset/" in written.out + written.err
    assert token not in written.out + written.err
