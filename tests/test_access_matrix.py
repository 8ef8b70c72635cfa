"""AC-1: the role x route x method matrix over every URL rule the app serves (ASVS 4.1.x).

Each route below is classified with the roles allowed per method. The tests iterate
`app.url_map`, so a route added without a classification fails here. For every rule the
test builds a URL with real ids at the stage where the allowed roles can really act, signs
in as each role, and checks that:

* an allowed role gets a 2xx/3xx (never 401/403, and not a 400/409 either: the request is
  one that really succeeds for that role);
* a signed-in role that is not allowed gets 403 and the database does not change;
* an anonymous visitor who is not allowed is sent to the sign-in page.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from flask import url_for
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select

from reviewapp.models import (
    Base,
    Determination,
    Proposal,
    Stage,
    Vote,
)
from reviewapp.permissions import (
    can_advise,
    can_edit,
    can_view_private,
    can_vote,
    can_withdraw,
)
from reviewapp.services import accounts, comments, council, emergency, inventory, reports
from tests.factories import ALL_FINDINGS, PASSWORD, complete_data, form_nonce, make_user

ANON = "anonymous"
SUBMITTER = "submitter"
OTHER = "other_submitter"
CLERK = "clerk"
ADVISORY = "advisory"
COUNCIL = "council"
ADMIN = "admin"

ROLES = (ANON, SUBMITTER, OTHER, CLERK, ADVISORY, COUNCIL, ADMIN)
STAFF = frozenset(ROLES) - {ANON}
EVERYONE = frozenset(ROLES)
SUBMITTERS = frozenset({SUBMITTER, OTHER})

# endpoint -> {method: roles allowed}. `submitter` owns the proposal (Police Department);
# `other_submitter` is staff of another department (Fire).
ACCESS: dict[str, dict[str, frozenset[str]]] = {
    "public.index": {"GET": EVERYONE},
    "public.about": {"GET": EVERYONE},
    "public.rules": {"GET": EVERYONE},
    "registry.index": {"GET": EVERYONE},
    "registry.recipient": {"GET": EVERYONE},
    "registry.export": {"GET": EVERYONE},
    "public.proposal": {"GET": EVERYONE},
    "public.comment": {"GET": EVERYONE, "POST": EVERYONE},
    "public.receipt": {"GET": EVERYONE},
    "public.determination_pdf": {"GET": EVERYONE},
    "public.technologies": {"GET": EVERYONE},
    "public.emergency_index": {"GET": EVERYONE},
    "public.emergency_notice": {"GET": EVERYONE},
    "public.inventory_index": {"GET": EVERYONE},
    "submit.emergency_new": {"GET": SUBMITTERS, "POST": SUBMITTERS},
    "submit.emergency_proposal": {"POST": {SUBMITTER}},
    "submit.inventory_new": {"GET": SUBMITTERS | {CLERK}, "POST": {SUBMITTER, CLERK}},
    "submit.inventory_proposal": {"POST": {SUBMITTER}},
    "public.report": {"GET": EVERYONE},
    "submit.reports": {"GET": SUBMITTERS},
    "submit.new_report": {"GET": {SUBMITTER}, "POST": {SUBMITTER}},
    "clerk.reports": {"GET": {CLERK}},
    "clerk.review_report": {"GET": {CLERK}, "POST": {CLERK}},
    "advisory.reports": {"GET": {ADVISORY}},
    "advisory.review_report": {"GET": {ADVISORY}, "POST": {ADVISORY}},
    "public.technology": {"GET": EVERYONE},
    "public.dashboard": {"GET": EVERYONE},
    "auth.login": {"GET": EVERYONE, "POST": EVERYONE},
    "auth.logout": {"POST": STAFF},
    "auth.keepalive": {"POST": STAFF},
    "auth.confirm": {"GET": STAFF, "POST": STAFF},
    "submit.index": {"GET": SUBMITTERS},
    "submit.new": {"GET": SUBMITTERS, "POST": SUBMITTERS},
    "submit.edit": {"GET": frozenset({SUBMITTER}), "POST": frozenset({SUBMITTER})},
    "submit.withdraw": {"POST": frozenset({SUBMITTER})},
    "clerk.index": {"GET": frozenset({CLERK})},
    "clerk.proposal": {"GET": frozenset({CLERK})},
    "clerk.accept": {"POST": frozenset({CLERK})},
    "clerk.return_": {"POST": frozenset({CLERK})},
    "clerk.open_comment": {"POST": frozenset({CLERK})},
    "clerk.schedule": {"POST": frozenset({CLERK})},
    "clerk.motion": {"POST": frozenset({CLERK})},
    "clerk.absence": {"POST": frozenset({CLERK})},
    "clerk.close_roll_call": {"POST": frozenset({CLERK})},
    "clerk.issue": {"POST": frozenset({CLERK})},
    "clerk.hide": {"POST": frozenset({CLERK})},
    "advisory.index": {"GET": frozenset({ADVISORY})},
    "advisory.review": {"GET": frozenset({ADVISORY}), "POST": frozenset({ADVISORY})},
    "council.index": {"GET": frozenset({COUNCIL})},
    "council.vote": {"GET": frozenset({COUNCIL}), "POST": frozenset({COUNCIL})},
    "health.healthz": {"GET": EVERYONE},
    "health.readyz": {"GET": EVERYONE},
    "auth.change_password": {"GET": STAFF, "POST": STAFF},
    "auth.forgot": {"GET": EVERYONE, "POST": EVERYONE},
    "auth.reset": {"GET": EVERYONE, "POST": EVERYONE},
    "auth.welcome": {"GET": EVERYONE, "POST": EVERYONE},
    "admin.accounts_list": {"GET": {ADMIN}},
    "admin.invite": {"GET": {ADMIN}, "POST": {ADMIN}},
    "admin.account": {"GET": {ADMIN}, "POST": {ADMIN}},
    "admin.set_active": {"POST": {ADMIN}},
    "admin.force_reset": {"POST": {ADMIN}},
    "admin.remove_second_factor": {"POST": {ADMIN}},
    "auth.second_factor": {"GET": EVERYONE, "POST": EVERYONE},
    "public.city_feed": {"GET": EVERYONE},
    "public.proposal_feed": {"GET": EVERYONE},
    "public.calendar": {"GET": EVERYONE},
    "auth.setup_second_factor": {"GET": STAFF, "POST": STAFF},
}

# The status an allowed role gets where it is not 2xx/3xx. The fixtures build the schema
# with create_all, not migrations, so readiness honestly answers 503 "migrations not
# applied" (tests/test_operations.py shows 200 after a real upgrade); what the matrix checks
# here is that nobody is refused or sent to sign in.
ALLOWED_STATUS = {"health.readyz": 503,
                  # Posted without the current password: refused by the form, not the role
                  # (a real change would lock the role's later sign-in out of the matrix).
                  ("auth.change_password", "POST"): 400,
                  # A password set through a link sends its holder to sign in with it.
                  ("auth.reset", "POST"): 302, ("auth.welcome", "POST"): 302,
                  # No password was just given: back to the sign-in form, for anyone.
                  "auth.second_factor": 302,
                  # Posted without a code: refused by the form, not the role.
                  ("auth.setup_second_factor", "POST"): 400}

IGNORED_METHODS = {"HEAD", "OPTIONS"}
LOGIN_PATHS = ("/auth/login", "/auth/confirm")


def routed_methods(rule) -> set[str]:
    return set(rule.methods) - IGNORED_METHODS


def app_rules(app):
    """Every URL rule except static files, as (endpoint, rule)."""
    return [(r.endpoint, r) for r in app.url_map.iter_rules() if r.endpoint != "static"]


def unclassified(app) -> list[str]:
    """Describe every rule/method the ACCESS table does not classify."""
    problems = []
    for endpoint, rule in app_rules(app):
        if endpoint not in ACCESS:
            problems.append(f"{endpoint} ({rule.rule}) is not classified in ACCESS")
            continue
        if routed_methods(rule) != set(ACCESS[endpoint]):
            problems.append(f"{endpoint}: the app routes {sorted(routed_methods(rule))}, "
                            f"ACCESS classifies {sorted(ACCESS[endpoint])}")
    return problems


# --- building real targets -----------------------------------------------------------------

@dataclass
class Target:
    """A URL's arguments and, per method, the form data that makes the request succeed."""

    args: dict
    data: dict = field(default_factory=dict)


def local_today(world):
    return world.clock().astimezone(world.profile.zone).date()


def _open_motion(world, item):
    council.record_motion(world.db, item, world.clerk, world.clock(), world.profile,
                          "approve_with_conditions", ["Retain data 30 days."], ALL_FINDINGS,
                          "Member A")
    world.db.commit()


def build_targets(world) -> dict[str, Target]:
    """Create one proposal per route at the stage its allowed role can act on.

    Proposals that move the clock (comment periods, hearings) are built first; the
    proposal open for comment is built last so its period is open at the final time.
    """
    db, profile, clock = world.db, world.profile, world.clock
    decided = world.proposal(Stage.DECIDED)
    document = db.scalar(select(Determination.document_number)
                         .where(Determination.proposal_id == decided.id))

    today = local_today(world)
    notice = emergency.file_notice(db, world.submitter, clock(), emergency.NoticeData(
        technology_name="Borrowed drone", technology_category="drone",
        description="A search for a missing child.", began_on=today, use_continues=True))
    item = inventory.list_item(db, world.clerk, clock(), inventory.ItemData(
        department_id=world.submitter.department_id, technology_name="Old cameras",
        technology_category="camera", description="In use since 2015.", in_use_since=None))
    db.commit()
    notice_form = {"technology_name": "Drone", "technology_category": "drone",
                   "description": "Exigent.", "began_on": today.isoformat(),
                   "use_continues": "yes"}
    inventory_form = {"department": str(world.submitter.department_id),
                      "technology_name": "Cameras", "technology_category": "camera",
                      "description": "Old."}

    to_report = world.proposal(Stage.DECIDED)  # period 1 open, nothing filed yet
    reported = world.proposal(Stage.DECIDED)
    filed = reports.file_report(db, reported, world.submitter, clock(), profile,
                                reports.ReportData())
    db.commit()

    ready_to_issue = world.proposal(Stage.HEARING_SCHEDULED)
    _open_motion(world, ready_to_issue)
    for member, choice in zip(world.council, ("aye", "aye", "aye", "no", "abstain"),
                              strict=True):
        council.cast_vote(db, ready_to_issue, member, clock(), profile, choice)
    council.close_roll_call(db, ready_to_issue, world.clerk, clock(), profile)
    db.commit()

    for_motion = world.proposal(Stage.HEARING_SCHEDULED)
    for_vote = world.proposal(Stage.HEARING_SCHEDULED)
    _open_motion(world, for_vote)
    for_absence = world.proposal(Stage.HEARING_SCHEDULED)
    _open_motion(world, for_absence)
    for_close = world.proposal(Stage.HEARING_SCHEDULED)
    _open_motion(world, for_close)

    awaiting = world.proposal(Stage.AWAITING_HEARING)
    since = council.packet_public_since(db, awaiting, profile)
    hearing_day = max(since + timedelta(days=profile.notice_days), local_today(world))

    advisory = world.proposal(Stage.ADVISORY_REVIEW)
    assessment = world.proposal(Stage.ASSESSMENT)
    to_accept = world.proposal(Stage.SUBMITTED)
    to_return = world.proposal(Stage.SUBMITTED)
    to_withdraw = world.proposal(Stage.SUBMITTED)
    draft = world.proposal(Stage.DRAFT)
    world.proposal(Stage.SUBMITTED, complete_data(recipients=[
        {"name": "County Sheriff", "recipient_type": "county"}]))

    open_for_comment = world.proposal(Stage.PUBLIC_COMMENT)
    receipt = comments.post_comment(db, open_for_comment, clock(), nonce="receipt-nonce",
                                    submitter_type="anonymous", position="support",
                                    body="For the receipt.", name=None, organization=None)
    to_hide = comments.post_comment(db, open_for_comment, clock(), nonce="hide-nonce",
                                    submitter_type="anonymous", position="oppose",
                                    body="To be hidden.", name=None, organization=None)
    db.commit()

    spare = make_user(db, "advisory", name="Spare Member", email="spare@example.org")
    reset_token = accounts.force_reset(db, world.user(ADMIN), make_user(
        db, "advisory", name="Resetting Member", email="resetting@example.org"), clock(),
        timedelta(hours=1))
    _, welcome_token = accounts.invite_account(
        db, world.user(ADMIN), email="invited@example.org", name="Invited Member",
        role="advisory", department=None, now=clock(), lifetime=timedelta(days=3))
    db.commit()
    new_password = {"password": "harbor lantern quiet 7", "confirm": "harbor lantern quiet 7"}

    closes_on = local_today(world) + timedelta(days=profile.comment_days)
    proposal_form = {"title": "Edited title", "save": "Save draft"}
    return {
        "public.index": Target({}),
        "public.about": Target({}),
        "public.rules": Target({}),
        "registry.index": Target({}),
        "registry.recipient": Target({"slug": "county-sheriff"}),
        "registry.export": Target({}),
        "public.proposal": Target({"proposal_id": to_accept.id}),
        "public.comment": Target({"proposal_id": open_for_comment.id},
                                 {"submitter_type": "anonymous", "position": "neutral",
                                  "body": "A comment from the matrix."}),
        "public.receipt": Target({"tracking_number": receipt.tracking_number}),
        "public.determination_pdf": Target({"document_number": document}),
        "public.technologies": Target({}),
        "public.emergency_index": Target({}),
        "public.emergency_notice": Target({"notice_id": notice.id}),
        "public.inventory_index": Target({}),
        "submit.emergency_new": Target({}, notice_form),
        "submit.emergency_proposal": Target({"notice_id": notice.id}),
        "submit.inventory_new": Target({}, inventory_form),
        "submit.inventory_proposal": Target({"item_id": item.id}),
        "public.report": Target({"report_id": filed.id}),
        "submit.reports": Target({}),
        "submit.new_report": Target({"proposal_id": to_report.id}, {"file_report": "1"}),
        "clerk.reports": Target({}),
        "clerk.review_report": Target({"report_id": filed.id}, {"memo": "Reviewed."}),
        "advisory.reports": Target({}),
        "advisory.review_report": Target({"report_id": filed.id}, {"memo": "Reviewed."}),
        "public.technology": Target({"proposal_id": decided.id}),
        "public.dashboard": Target({}),
        "auth.login": Target({}),
        "auth.logout": Target({}),
        "auth.keepalive": Target({}),
        "auth.confirm": Target({}, {"password": PASSWORD}),
        "submit.index": Target({}),
        "submit.new": Target({}, {"title": "A new proposal", "save": "Save draft"}),
        "submit.edit": Target({"proposal_id": draft.id}, proposal_form),
        "submit.withdraw": Target({"proposal_id": to_withdraw.id},
                                  {"reason": "No longer needed."}),
        "clerk.index": Target({}),
        "clerk.proposal": Target({"proposal_id": to_accept.id}),
        "clerk.accept": Target({"proposal_id": to_accept.id}, {}),
        "clerk.return_": Target({"proposal_id": to_return.id},
                                {"reasons": "Section 3 is incomplete."}),
        "clerk.open_comment": Target({"proposal_id": assessment.id},
                                     {"closes_on": closes_on.isoformat(),
                                      "override_reason": "Proceed."}),
        "clerk.schedule": Target({"proposal_id": awaiting.id},
                                 {"hearing_date": hearing_day.isoformat(),
                                  "location": "Council Chamber"}),
        "clerk.motion": Target({"proposal_id": for_motion.id},
                               {"motion_type": "approve_with_conditions",
                                "findings": ALL_FINDINGS, "conditions": "Retain 30 days.",
                                "moved_by": "Member A"}),
        "clerk.absence": Target({"proposal_id": for_absence.id},
                                {"member": world.council[1].id}),
        "clerk.close_roll_call": Target({"proposal_id": for_close.id}, {}),
        "clerk.issue": Target({"proposal_id": ready_to_issue.id}, {}),
        "clerk.hide": Target({"comment_id": to_hide.id}, {"reason": "Off topic."}),
        "advisory.index": Target({}),
        "advisory.review": Target({"proposal_id": advisory.id},
                                  {"recommendation": "approve", "memo": "Reviewed."}),
        "council.index": Target({}),
        "council.vote": Target({"proposal_id": for_vote.id}, {"choice": "aye"}),
        "health.healthz": Target({}),
        "health.readyz": Target({}),
        "auth.change_password": Target({}, {}),
        "auth.forgot": Target({}, {"email": "nobody@example.org"}),
        "auth.reset": Target({"token": reset_token}, new_password),
        "auth.welcome": Target({"token": welcome_token}, new_password),
        "admin.accounts_list": Target({}),
        "admin.invite": Target({}, {"name": "New Clerk", "email": "new.clerk@example.org",
                                    "role": "clerk", "department": ""}),
        "admin.account": Target({"user_id": spare.id}, {"role": "council", "department": ""}),
        "admin.set_active": Target({"user_id": spare.id}, {"active": "0"}),
        "admin.force_reset": Target({"user_id": spare.id}, {}),
        "admin.remove_second_factor": Target({"user_id": spare.id}, {}),
        "auth.second_factor": Target({}, {"code": "123456"}),
        "public.city_feed": Target({}),
        "public.proposal_feed": Target({"proposal_id": to_accept.id}),
        "public.calendar": Target({}),
        "auth.setup_second_factor": Target({}, {}),
    }


def fingerprint(db) -> tuple:
    """Row counts of every table but the audit log, and every proposal's stage and title."""
    counts = tuple(
        (table.name, db.scalar(select(func.count()).select_from(table)))
        for table in Base.metadata.sorted_tables if table.name != "audit_event"
    )
    stages = tuple(db.execute(select(Proposal.id, Proposal.stage, Proposal.title)
                              .order_by(Proposal.id)).all())
    db.rollback()  # release SQLite's write lock before the next request
    return counts, stages


def sign_in(client, login_as, role: str) -> None:
    if role != ANON:
        login_as(role)


def url_of(app, endpoint: str, target: Target) -> str:
    with app.test_request_context():
        return url_for(endpoint, **target.args)


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and \
        urlsplit(response.headers["Location"]).path in LOGIN_PATHS


# --- the matrix ----------------------------------------------------------------------------

def test_every_route_is_classified(app):
    problems = unclassified(app)
    assert not problems, "\n".join(problems)
    assert set(ACCESS) == {endpoint for endpoint, _ in app_rules(app)}, \
        "ACCESS classifies routes the app no longer has"


def test_the_harness_does_not_leak_a_signed_in_user_to_another_client(app, client, login_as):
    """Guard for the matrix itself: a second, anonymous client is anonymous."""
    login_as(CLERK)
    assert client.get("/clerk/").status_code == 200
    assert is_login_redirect(app.test_client().get("/clerk/"))


# Routes whose matrix target is the department's unsubmitted draft.
ON_THE_DRAFT = frozenset({"submit.edit"})


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(role, app, client, world, db, login_as):
    problems = unclassified(app)
    assert not problems, "\n".join(problems)

    targets = build_targets(world)
    missing = [endpoint for endpoint, _ in app_rules(app) if endpoint not in targets]
    assert not missing, f"no target built for {missing}"
    emails = {r: world.user(r).email for r in ROLES if r != ANON}
    sign_in(client, login_as, role)

    # Sign-out ends the session, so it goes last.
    cases = sorted(
        ((endpoint, method, rule) for endpoint, rule in app_rules(app)
         for method in sorted(routed_methods(rule))),
        key=lambda case: (case[0] == "auth.logout", case[0], case[1]),
    )
    checked = 0
    failures = []
    for nonce, (endpoint, method, _rule) in enumerate(cases):
        target = targets[endpoint]
        url = url_of(app, endpoint, target)
        allowed = role in ACCESS[endpoint][method]
        data = dict(target.data)
        if endpoint == "public.comment":
            data["nonce"] = form_nonce(f"matrix-{role}-{nonce}")
        requester = client
        if endpoint == "auth.login" and method == "POST":
            # Posting real credentials signs in; an anonymous visitor uses a spare client.
            data = {"email": emails[role if role != ANON else SUBMITTER], "password": PASSWORD}
            if role == ANON:
                requester = app.test_client()
                db.rollback()  # this spare client does not end the test's transaction

        before = fingerprint(db) if method == "POST" and not allowed else None
        response = requester.open(url, method=method, data=data)
        status = response.status_code
        where = f"{role} {method} {url} ({endpoint}) -> {status} " \
                f"{response.headers.get('Location', '')}"
        if allowed:
            expected = ALLOWED_STATUS.get((endpoint, method), ALLOWED_STATUS.get(endpoint))
            if expected is not None:
                if status != expected:
                    failures.append(f"ALLOWED but not {expected}: {where}")
            elif not 200 <= status < 400 or is_login_redirect(response):
                failures.append(f"ALLOWED but refused or failed: {where}")
        elif role == ANON:
            if not is_login_redirect(response):
                failures.append(f"FORBIDDEN anonymous not sent to sign in: {where}")
        elif status != 403 and not (endpoint in ON_THE_DRAFT and status == 404):
            # Another department's draft is 404 to everyone else: not even its existence.
            failures.append(f"FORBIDDEN but not 403: {where}")
        if before is not None and fingerprint(db) != before:
            failures.append(f"FORBIDDEN request changed the database: {where}")
        checked += 1

    assert checked >= len(ACCESS)
    assert not failures, "\n".join(failures)


# --- drafts, ownership and separation of duties --------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_a_draft_is_seen_and_edited_only_by_its_department(role, app, client, world, db,
                                                          login_as):
    draft = world.proposal(Stage.DRAFT)
    title = draft.title
    sign_in(client, login_as, role)
    page = client.get(f"/proposals/{draft.id}")
    comment = client.get(f"/proposals/{draft.id}/comment")
    edit = client.get(f"/department/proposals/{draft.id}/edit")
    post = client.post(f"/department/proposals/{draft.id}/edit",
                       data={"title": f"Changed by {role}", "save": "Save draft"})
    index = client.get("/").get_data(as_text=True)
    # Staff pages too: the clerk's workbench, the advisory review and the council's vote
    # page once opened another department's draft, recipients and all.
    staff_pages = [client.get(f"/{area}/proposals/{draft.id}")
                   for area in ("clerk", "advisory", "council")]
    db.rollback()

    assert title not in index  # the public list never shows drafts
    assert comment.status_code == 404
    if role == SUBMITTER:
        assert page.status_code == 200
        assert edit.status_code == 200
        assert post.status_code == 302
        assert db.get(Proposal, draft.id).title == f"Changed by {role}"
        return
    assert page.status_code == 404, "a draft must not be revealed outside its department"
    assert title.encode() not in page.data
    for staff_page in staff_pages:
        if role == ANON:
            assert is_login_redirect(staff_page)
        else:
            assert staff_page.status_code in (403, 404), staff_page.request.path
            assert title.encode() not in staff_page.data
    if role == ANON:
        assert is_login_redirect(edit) and is_login_redirect(post)
    else:
        assert edit.status_code in (403, 404) and post.status_code in (403, 404)
        assert title.encode() not in edit.data
    assert db.get(Proposal, draft.id).title == title


def test_another_department_cannot_withdraw_or_edit_a_submitted_proposal(client, world, db,
                                                                        login_as):
    item = world.proposal(Stage.SUBMITTED)
    title = item.title
    login_as(OTHER)
    assert client.post(f"/department/proposals/{item.id}/withdraw",
                       data={"reason": "Not ours."}).status_code == 403
    assert client.post(f"/department/proposals/{item.id}/edit",
                       data={"title": "Hijacked", "save": "Save draft"}).status_code == 403
    db.rollback()
    stored = db.get(Proposal, item.id)
    assert stored.stage is Stage.SUBMITTED and stored.title == title


def test_a_submitter_cannot_vote(client, world, db, login_as):
    item = world.proposal(Stage.HEARING_SCHEDULED)
    _open_motion(world, item)
    login_as(SUBMITTER)
    assert client.get(f"/council/proposals/{item.id}").status_code == 403
    assert client.post(f"/council/proposals/{item.id}", data={"choice": "aye"}).status_code \
        == 403
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Vote)) == 0


def test_separation_of_duties_predicates(world, db):
    """A member never votes or advises on a proposal they created (ASVS 4.3.3)."""
    item = world.proposal(Stage.HEARING_SCHEDULED)
    member, colleague = world.council[0], world.council[1]
    advisor = world.advisory
    assert can_vote(member, item) and can_vote(colleague, item)
    assert can_advise(advisor, item)

    item.created_by_id = member.id
    assert not can_vote(member, item)
    assert can_vote(colleague, item)
    item.created_by_id = advisor.id
    assert not can_advise(advisor, item)
    db.rollback()

    # Roles that are not council or advisory never vote or advise, even their own proposal.
    own = world.proposal(Stage.HEARING_SCHEDULED)
    assert own.created_by_id == world.submitter.id
    for user in (world.submitter, world.other_submitter, world.clerk, world.admin):
        assert not can_vote(user, own) and not can_advise(user, own)
    anonymous = AnonymousUserMixin()
    assert not can_vote(anonymous, own) and not can_advise(anonymous, own)
    assert not can_edit(anonymous, own) and not can_withdraw(anonymous, own)


def test_view_and_edit_predicates_for_drafts(world):
    draft = world.proposal(Stage.DRAFT)
    assert can_view_private(world.submitter, draft) and can_edit(world.submitter, draft)
    for user in (world.other_submitter, world.clerk, world.advisory, world.council[0],
                 world.admin, AnonymousUserMixin(), None):
        assert not can_view_private(user, draft)
        assert not can_edit(user, draft)


# --- the same predicate shows the button and allows the POST --------------------------------

def test_edit_link_is_shown_exactly_when_the_edit_post_is_allowed(app, client, world, db,
                                                                  login_as):
    draft = world.proposal(Stage.DRAFT)
    submitted = world.proposal(Stage.SUBMITTED)
    user = login_as(SUBMITTER)
    page = client.get("/department/").get_data(as_text=True)
    for item in (draft, submitted):
        edit_url = f"/department/proposals/{item.id}/edit"
        response = client.post(edit_url, data={"title": "Edited", "save": "Save draft"})
        db.rollback()
        allowed = can_edit(user, db.get(Proposal, item.id))
        db.rollback()
        assert (f'href="{edit_url}"' in page) is allowed
        assert (response.status_code != 403) is allowed
    assert f'href="/department/proposals/{draft.id}/edit"' in page
    assert f'href="/department/proposals/{submitted.id}/edit"' not in page


@pytest.mark.parametrize("role", [SUBMITTER, OTHER, ADVISORY, COUNCIL, ADMIN, ANON])
def test_clerk_buttons_are_absent_for_roles_refused_the_post(role, app, client, world, db,
                                                             login_as):
    item = world.proposal(Stage.SUBMITTED)
    accept_url = f"/clerk/proposals/{item.id}/accept"

    login_as(CLERK)
    workbench = client.get(f"/clerk/proposals/{item.id}").get_data(as_text=True)
    assert f'action="{accept_url}"' in workbench  # the clerk sees the button
    client.post("/auth/logout")

    sign_in(client, login_as, role)
    pages = [client.get(path).get_data(as_text=True)
             for path in ("/", f"/proposals/{item.id}", "/about")]
    response = client.post(accept_url)
    db.rollback()
    for page in pages:
        assert accept_url not in page
        assert "Clerk queue" not in page
    if role == ANON:
        assert is_login_redirect(response)
    else:
        assert response.status_code == 403
    assert db.get(Proposal, item.id).stage is Stage.SUBMITTED


def test_vote_form_is_shown_to_a_member_and_the_post_counts(client, world, db, login_as):
    item = world.proposal(Stage.HEARING_SCHEDULED)
    _open_motion(world, item)
    member = login_as(COUNCIL)
    page = client.get(f"/council/proposals/{item.id}").get_data(as_text=True)
    assert 'name="choice"' in page
    assert client.post(f"/council/proposals/{item.id}", data={"choice": "no"}).status_code \
        == 302
    db.rollback()
    votes = list(db.scalars(select(Vote)))
    assert [(v.member_id, v.choice.value) for v in votes] == [(member.id, "no")]
    again = client.get(f"/council/proposals/{item.id}").get_data(as_text=True)
    db.rollback()
    assert 'name="choice"' not in again  # a recorded vote cannot be changed

