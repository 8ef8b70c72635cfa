"""Staff accounts end to end: invitations, resets and password changes by real e-mail
(an aiosmtpd server), and the administrator's changes, each audited."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from reviewapp import mail
from reviewapp.models import AuditEvent, OutboxMessage, User
from tests.factories import PASSWORD
from tests.mailbox import free_port, start_mailbox
from tests.test_security import assert_inert, payload

NEW_PASSWORD = "harbor lantern quiet 7"


@pytest.fixture
def smtp():
    box, controller = start_mailbox()
    yield box, controller.port
    controller.stop()


@pytest.fixture
def mailbox(smtp):
    return smtp[0]


@pytest.fixture
def app_config(smtp):
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp[1],
            "MAIL_FROM": "Surveillance review <no-reply@city.example.org>"}


def path_of(link: str) -> str:
    return urlsplit(link).path


def sign_in(client, email: str, password: str) -> int:
    client.post("/auth/logout")
    return client.post("/auth/login", data={"email": email, "password": password}).status_code


def actions(db) -> list[str]:
    db.expire_all()
    return list(db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_an_invited_person_chooses_their_password_by_the_emailed_link(client, login_as, db,
                                                                       mailbox):
    login_as("admin")
    response = client.post("/admin/accounts/new", data={
        "name": "Dana Reyes", "email": "Dana.Reyes@city.example.org", "role": "council",
        "department": ""})
    assert response.status_code == 302
    assert [m["Subject"] for m in mailbox.to("dana.reyes@city.example.org")] == [
        "Your account on City of Example surveillance review"]
    link = path_of(mailbox.link_to("dana.reyes@city.example.org"))
    client.post("/auth/logout")

    page = client.get(link)
    assert page.status_code == 200 and "Welcome, Dana Reyes" in page.get_data(as_text=True)
    weak = client.post(link, data={"password": "password1234", "confirm": "password1234"})
    assert weak.status_code == 400 and "breached" in weak.get_data(as_text=True)
    chosen = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert chosen.status_code == 302
    assert sign_in(client, "dana.reyes@city.example.org", NEW_PASSWORD) == 302
    again = client.get(link)
    assert again.status_code == 404 and "no longer works" in again.get_data(as_text=True)
    assert {"invite_account", "set_password"} <= set(actions(db))
    # Sent, so its body (and the link in it) is no longer kept.
    assert db.scalars(select(OutboxMessage.body)).all() == [""]


def test_before_the_password_is_chosen_the_account_cannot_sign_in(client, login_as, mailbox):
    login_as("admin")
    client.post("/admin/accounts/new", data={"name": "Lee", "email": "lee@city.example.org",
                                             "role": "clerk", "department": ""})
    assert sign_in(client, "lee@city.example.org", "") == 400
    assert sign_in(client, "lee@city.example.org", PASSWORD) == 400


def test_forgot_password_sends_a_link_only_to_a_real_account_and_says_the_same(
        client, world, mailbox, db):
    answers = [client.post("/auth/forgot", data={"email": email}).get_data(as_text=True)
               for email in (world.clerk.email, "nobody@city.example.org")]
    assert answers[0] == answers[1]
    assert len(mailbox.to(world.clerk.email)) == 1  # sent in the background
    assert len(mailbox.to("nobody@city.example.org", wait=0.5)) == 0
    assert len(mailbox.messages) == 1
    link = path_of(mailbox.link_to(world.clerk.email))
    assert client.post(link, data={"password": NEW_PASSWORD,
                                   "confirm": NEW_PASSWORD}).status_code == 302
    assert sign_in(client, world.clerk.email, PASSWORD) == 400
    assert sign_in(client, world.clerk.email, NEW_PASSWORD) == 302


def test_reset_links_expire_and_are_not_sent_more_than_three_times_an_hour(
        client, world, clock, mailbox):
    for _ in range(5):
        client.post("/auth/forgot", data={"email": world.clerk.email})
    assert len(mailbox.to(world.clerk.email, at_least=4, wait=2)) == 3
    link = path_of(mailbox.link_to(world.clerk.email))
    clock.advance(minutes=61)
    assert client.get(link).status_code == 404


def test_a_newer_link_replaces_the_earlier_one(client, world, mailbox):
    client.post("/auth/forgot", data={"email": world.clerk.email})
    first = path_of(mailbox.link_to(world.clerk.email))
    client.post("/auth/forgot", data={"email": world.clerk.email})
    mailbox.to(world.clerk.email, at_least=2)
    assert client.get(first).status_code == 404


def test_changing_ones_password_ends_the_other_sessions_but_not_this_one(app, client, world,
                                                                        login_as, db):
    login_as("clerk")
    email = world.clerk.email
    db.rollback()  # a second client: the test's session must not hold SQLite's write lock
    elsewhere = app.test_client()
    elsewhere.post("/auth/login", data={"email": email, "password": PASSWORD})
    assert elsewhere.get("/clerk/").status_code == 200
    wrong = client.post("/auth/password", data={"current": "not it at all",
                                                "password": NEW_PASSWORD,
                                                "confirm": NEW_PASSWORD})
    page = wrong.get_data(as_text=True)
    assert wrong.status_code == 400 and 'id="current-error"' in page
    changed = client.post("/auth/password", data={"current": PASSWORD, "password": NEW_PASSWORD,
                                                  "confirm": NEW_PASSWORD})
    assert changed.status_code == 302
    assert client.get("/clerk/").status_code == 200
    assert elsewhere.get("/clerk/").status_code == 302  # sent to sign in


def test_a_deactivated_member_is_signed_out_and_cannot_sign_in(app, client, world, login_as,
                                                               db):
    member_id, email = world.council[0].id, world.council[0].email
    db.rollback()  # a second client: the test's session must not hold SQLite's write lock
    theirs = app.test_client()
    theirs.post("/auth/login", data={"email": email, "password": PASSWORD})
    assert theirs.get("/council/").status_code == 200
    login_as("admin")
    assert client.post(f"/admin/accounts/{member_id}/active",
                       data={"active": "0"}).status_code == 302
    db.rollback()
    assert theirs.get("/council/").status_code == 302
    assert sign_in(theirs, email, PASSWORD) == 400
    page = client.get("/admin/accounts").get_data(as_text=True)
    assert "No (deactivated)" in page
    client.post(f"/admin/accounts/{member_id}/active", data={"active": "1"})
    db.rollback()
    assert sign_in(theirs, email, PASSWORD) == 302
    assert actions(db).count("deactivate_account") == 1
    assert actions(db).count("activate_account") == 1


def test_an_administrator_cannot_lock_themselves_out(client, login_as, db):
    admin = login_as("admin")
    client.post(f"/admin/accounts/{admin.id}/active", data={"active": "0"})
    response = client.post(f"/admin/accounts/{admin.id}",
                           data={"role": "clerk", "department": ""})
    assert response.status_code == 400
    assert "ask another administrator" in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(User, admin.id).active and db.get(User, admin.id).role.value == "admin"


def test_a_role_change_is_checked_audited_and_ends_the_sessions(app, client, world,
                                                               login_as, db):
    member = world.advisory
    email = member.email
    db.rollback()  # a second client: the test's session must not hold SQLite's write lock
    theirs = app.test_client()
    theirs.post("/auth/login", data={"email": email, "password": PASSWORD})
    login_as("admin")
    missing = client.post(f"/admin/accounts/{member.id}",
                          data={"role": "submitter", "department": ""})
    assert missing.status_code == 400
    assert "Give the department" in missing.get_data(as_text=True)
    moved = client.post(f"/admin/accounts/{member.id}",
                        data={"role": "submitter", "department": "Fire Department"})
    assert moved.status_code == 302
    db.expire_all()
    changed = db.get(User, member.id)
    assert changed.role.value == "submitter" and changed.department.name == "Fire Department"
    db.rollback()
    assert theirs.get("/advisory/").status_code == 302
    assert "change_role" in actions(db)


def test_a_forced_reset_voids_the_password_and_mails_a_link(client, world, login_as,
                                                            mailbox):
    login_as("admin")
    member = world.council[1]
    assert client.post(f"/admin/accounts/{member.id}/reset").status_code == 302
    assert sign_in(client, member.email, PASSWORD) == 400
    link = path_of(mailbox.link_to(member.email))
    client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert sign_in(client, member.email, NEW_PASSWORD) == 302


def test_admin_pages_ask_for_the_password_again_after_a_stale_session(app, client, login_as):
    login_as("admin")
    with client.session_transaction() as stored:
        stored["_fresh"] = False
    response = client.get("/admin/accounts/new")
    assert response.status_code == 302 and "/auth/confirm" in response.headers["Location"]


def test_mail_waits_in_the_outbox_while_smtp_is_down_and_is_sent_once_later(app, db, world,
                                                                           clock, smtp):
    box, port = smtp
    mail.queue(db, "someone@city.example.org", "Hello", "A body with a link.", clock())
    db.commit()
    app.config["MAIL_PORT"] = free_port()  # nothing listens there
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 1 and "1 failed" in result.output
    db.expire_all()
    waiting = db.scalars(select(OutboxMessage)).one()
    assert waiting.sent_at is None and waiting.last_error and waiting.body
    db.commit()
    app.config["MAIL_PORT"] = port
    clock.advance(minutes=3)
    assert app.test_cli_runner().invoke(args=["send-mail"]).exit_code == 0
    assert app.test_cli_runner().invoke(args=["send-mail"]).exit_code == 0
    assert len(box.to("someone@city.example.org")) == 1


def test_a_message_claimed_by_one_sender_is_not_sent_by_another(app, db, clock, smtp):
    box, _ = smtp
    message = mail.queue(db, "once@city.example.org", "Once", "Only once.", clock())
    db.commit()
    other = app.extensions["db_sessionmaker"]()
    try:
        assert mail._claim(other, message.id, clock()) is True
        assert mail.send_pending(db, clock()) == (0, 0)  # claimed elsewhere
        clock.advance(minutes=6)  # the first sender died: its claim runs out
        assert mail.send_pending(db, clock() + timedelta(0)) == (1, 0)
    finally:
        other.close()
    assert len(box.to("once@city.example.org")) == 1


def test_names_and_departments_typed_by_an_administrator_render_inert(client, login_as,
                                                                      mailbox, db):
    login_as("admin")
    response = client.post("/admin/accounts/new", data={
        "name": payload("NAME"), "email": "payload@city.example.org", "role": "submitter",
        "department": payload("DEPT")})
    assert response.status_code == 302
    account = response.headers["Location"]
    assert_inert(client.get("/admin/accounts").get_data(as_text=True), ["NAME", "DEPT"],
                 "accounts list")
    assert_inert(client.get(account).get_data(as_text=True), ["NAME"], "account page")
    client.post("/auth/logout")
    welcome = client.get(path_of(mailbox.link_to("payload@city.example.org")))
    assert_inert(welcome.get_data(as_text=True), ["NAME"], "welcome page")


def test_guessing_the_current_password_locks_the_account_like_sign_in(client, login_as):
    login_as("clerk")
    for _ in range(5):
        wrong = client.post("/auth/password", data={"current": "a wrong guess at it",
                                                    "password": NEW_PASSWORD,
                                                    "confirm": NEW_PASSWORD})
        assert wrong.status_code == 400
    right = client.post("/auth/password", data={"current": PASSWORD, "password": NEW_PASSWORD,
                                                "confirm": NEW_PASSWORD})
    assert right.status_code == 400 and "Too many failed sign-ins" in right.get_data(
        as_text=True)


def test_in_production_a_message_is_never_logged_without_a_mail_server(app, db, clock,
                                                                      caplog):
    mail.queue(db, "someone@city.example.org", "Reset", "https://x/auth/reset/SECRET", clock())
    db.commit()
    app.config.update(MAIL_SERVER=None, ENV="production")
    try:
        assert mail.send_pending(db, clock()) == (0, 1)
    finally:
        app.config["ENV"] = "development"
    assert "SECRET" not in caplog.text
    assert db.scalars(select(OutboxMessage.body)).one() == "https://x/auth/reset/SECRET"
