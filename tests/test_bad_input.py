"""Bad input gets a clear 4xx, never a 500 (issue 7, acceptance item 4).

NUL in form fields and addresses, ids and page numbers beyond any integer column, numbers
beyond a column's range and dates with absurd years. Run on SQLite and on PostgreSQL: it is
PostgreSQL that refuses NUL in text and int4 overflow, SQLite that refuses ints past 64 bits.
"""

import importlib
import inspect
import pkgutil
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from flask import url_for
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict
from werkzeug.routing import IntegerConverter
from wtforms import Form, IntegerField

import forms
from forms.base import InputForm, InputSubform
from forms.limits import INT4_MAX, RETYPE_MESSAGE, UNSTORABLE_MESSAGE
from reviewapp.inputs import BoundedIntegerConverter
from reviewapp.models import (
    Base,
    Comment,
    EmergencyNotice,
    InventoryItem,
    Proposal,
    ProposalVersion,
    Stage,
)
from reviewapp.services import comments, council, reports
from tests.factories import ALL_FINDINGS, PASSWORD, complete_data, form_nonce
from tests.test_access_matrix import ACCESS, ANON, ROLES

NUL_WORDS = "hidden character"

# Sharing with a federal agency is a blocking finding, so the override reason is asked for.
BLOCKED = {"recipients": [{"name": "ICE", "recipient_type": "federal"}]}


# --- reading the re-rendered page ----------------------------------------------------------

VOID = frozenset({"area", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                  "source", "wbr"})


class _Page(HTMLParser):
    """Collect each element's text and each form control's value, by id."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self.texts: dict[str, str] = {}
        self._open: list[tuple[str, str]] = []  # (tag, id or "")

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        element_id = attrs.get("id") or ""
        if tag == "input" and element_id:
            self.values[element_id] = attrs.get("value") or ""
        if tag in VOID:
            return
        if element_id:
            self.texts[element_id] = ""
        self._open.append((tag, element_id))

    def handle_endtag(self, tag):
        if not any(open_tag == tag for open_tag, _ in self._open):
            return
        while self._open:  # closes elements left open inside it (<p>, <li>)
            open_tag, element_id = self._open.pop()
            if open_tag == tag:
                if tag == "textarea" and element_id:
                    # A browser drops the newline that opens a textarea's text.
                    text = self.texts[element_id]
                    self.values[element_id] = text[2:] if text.startswith("\r\n") \
                        else text.removeprefix("\n")
                return

    def handle_data(self, data):
        for _tag, element_id in self._open:
            if element_id:
                self.texts[element_id] += data


def page(response) -> _Page:
    parsed = _Page()
    parsed.feed(response.get_data(as_text=True))
    return parsed


def assert_refused_at(response, field_id: str, words: str = NUL_WORDS) -> _Page:
    """The request got a 4xx and the field's own error (next to it) says what was wrong."""
    assert 400 <= response.status_code < 500, response.status_code
    parsed = page(response)
    error = parsed.texts.get(f"{field_id}-error")
    assert error is not None, f"no error shown next to {field_id}"
    assert words in error, error
    return parsed


def assert_kept(parsed: _Page, typed: dict[str, str]) -> None:
    """Every value typed is in the re-rendered form (without the hidden character)."""
    for field_id, value in typed.items():
        assert parsed.values.get(field_id) == value.replace("\x00", ""), field_id


def count(db, model) -> int:
    found = db.scalar(select(func.count()).select_from(model))
    db.rollback()
    return found


# --- every form, every field ---------------------------------------------------------------

def form_classes() -> list[type]:
    """Every WTForms class defined in the forms package."""
    found = set()
    for info in pkgutil.iter_modules(forms.__path__):
        module = importlib.import_module(f"forms.{info.name}")
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Form) and cls.__module__ == module.__name__ \
                    and cls not in (InputForm, InputSubform):
                found.add(cls)
    return sorted(found, key=lambda cls: cls.__qualname__)


def test_every_form_uses_the_guarded_base():
    classes = form_classes()
    assert len(classes) >= 15
    unguarded = [c.__qualname__ for c in classes if not issubclass(c, InputForm | InputSubform)]
    assert not unguarded, f"forms that do not check for unstorable input: {unguarded}"


@pytest.mark.parametrize("form_class", form_classes(), ids=lambda c: c.__qualname__)
def test_every_field_of_every_form_refuses_nul(app, form_class):
    with app.test_request_context(method="POST"):
        names = [name for name, _ in form_class()._unbound_fields]
        form = form_class(formdata=MultiDict({name: "a\x00b" for name in names}))
        checked = 0
        for field in form:
            if field.type in ("FormField", "FieldList", "SubmitField", "BooleanField",
                              "CSRFTokenField"):
                continue
            assert not field.validate(form), field.name
            expected = RETYPE_MESSAGE if field.type == "PasswordField" else UNSTORABLE_MESSAGE
            assert field.errors == [expected], (field.name, field.errors)
            assert "\x00" not in repr((field.raw_data, field.data)), field.name
            checked += 1
        assert checked or not [n for n in names if n != "submit"]


def test_an_integer_field_without_a_range_gets_the_column_range(app):
    class Unbounded(InputForm):
        count = IntegerField("Count")

    with app.test_request_context(method="POST"):
        form = Unbounded(formdata=MultiDict({"count": str(INT4_MAX + 1)}))
        assert not form.validate()
        assert form.count.errors == [f"Enter a number no larger than {INT4_MAX:,}."]
        assert Unbounded(formdata=MultiDict({"count": str(INT4_MAX)})).validate()


# --- NUL in the forms of every role --------------------------------------------------------

PROPOSAL_TYPED = {
    "title": "Plate readers\x00 downtown", "technology_name": "ALPR", "vendor": "Acme",
    "funding_source": "General Fund", "acquisition_cost": "250000", "retention_days": "30",
    "impact_report-description": "Cameras read\x00 plates.",
    "use_policy-retention": "Thirty days.",
    "recipients-0-name": "County\x00 Sheriff", "recipients-0-purpose": "Stolen cars.",
}


def proposal_post(typed: dict) -> dict:
    return {**typed, "recipients-0-recipient_type": "county", "save": "Save draft"}


def test_nul_in_the_new_long_form(client, world, db, login_as):
    login_as("submitter")
    before = count(db, Proposal)
    response = client.post("/department/proposals/new", data=proposal_post(PROPOSAL_TYPED))
    for field_id in ("title", "impact_report-description", "recipients-0-name"):
        parsed = assert_refused_at(response, field_id)
    assert_kept(parsed, PROPOSAL_TYPED)
    assert count(db, Proposal) == before


def test_nul_in_the_edited_long_form(client, world, db, login_as):
    draft = world.proposal(Stage.DRAFT)
    login_as("submitter")
    typed = {**PROPOSAL_TYPED, "title": "Edited title", "vendor": "Acme\x00 Corp"}
    response = client.post(f"/department/proposals/{draft.id}/edit", data=proposal_post(typed))
    parsed = assert_refused_at(response, "vendor")
    assert_kept(parsed, typed)
    db.expire_all()
    assert db.get(Proposal, draft.id).title != "Edited title"  # nothing half-saved


def test_nul_in_the_withdraw_reason(client, world, db, login_as):
    draft = world.proposal(Stage.DRAFT)
    login_as("submitter")
    response = client.post(f"/department/proposals/{draft.id}/withdraw",
                           data={"reason": "No longer\x00 needed."})
    parsed = assert_refused_at(response, "reason")
    assert_kept(parsed, {"reason": "No longer needed."})
    db.expire_all()
    assert db.get(Proposal, draft.id).stage is Stage.DRAFT


def test_nul_in_a_public_comment(client, world, db):
    item = world.proposal(Stage.PUBLIC_COMMENT)
    typed = {"name": "Ana\x00 Ruiz", "body": "I oppose\x00 this drone program."}
    response = client.post(f"/proposals/{item.id}/comment",
                           data={**typed, "submitter_type": "individual",
                                 "position": "oppose", "nonce": form_nonce("bad-input")})
    assert_refused_at(response, "name")
    parsed = assert_refused_at(response, "body")
    assert_kept(parsed, typed)
    assert count(db, Comment) == 0


def test_nul_in_sign_in(client, world):
    typed = {"email": world.submitter.email + "\x00"}
    response = client.post("/auth/login", data={**typed, "password": PASSWORD})
    parsed = assert_refused_at(response, "email")
    assert_kept(parsed, typed)
    response = client.post("/auth/login",
                           data={"email": world.submitter.email, "password": "pass\x00word"})
    assert_refused_at(response, "password", "Type the password again")
    assert client.get("/department/").status_code == 302  # not signed in


def test_nul_in_the_clerk_workbench_forms(client, world, db, login_as):
    """Return, open comment, schedule, motion and hide: each keeps its text."""
    for_motion = world.proposal(Stage.HEARING_SCHEDULED)
    awaiting = world.proposal(Stage.AWAITING_HEARING)
    assessment = world.proposal(Stage.ASSESSMENT, complete_data(**BLOCKED))
    submitted = world.proposal(Stage.SUBMITTED)
    open_one = world.proposal(Stage.PUBLIC_COMMENT)
    posted = comments.post_comment(db, open_one, world.clock(), nonce="n1",
                                   submitter_type="anonymous", position="oppose",
                                   body="Hide me.", name=None, organization=None)
    db.commit()
    today = world.clock().astimezone(world.profile.zone).date()
    login_as("clerk")
    cases = [
        (f"/clerk/proposals/{submitted.id}/return", {"reasons": "Section 3\x00 is empty."},
         "reasons"),
        (f"/clerk/proposals/{assessment.id}/open-comment",
         {"closes_on": (today + timedelta(days=30)).isoformat(),
          "override_reason": "The council\x00 asked."}, "override_reason"),
        (f"/clerk/proposals/{awaiting.id}/schedule",
         {"hearing_date": (today + timedelta(days=30)).isoformat(),
          "location": "Council\x00 Chamber"}, "location"),
        (f"/clerk/proposals/{for_motion.id}/motion",
         {"motion_type": "approve_with_conditions", "retention_limit_days": "30",
          "no_sharing_names": "Vigilant", "deployment_areas": "District 3",
          "conditions": "No use\x00 at protests.", "moved_by": "Member A"}, "conditions"),
        (f"/clerk/comments/{posted.id}/hide", {"reason": "Off\x00 topic."},
         f"hide-reason-{posted.id}"),
    ]
    for url, typed, field_id in cases:
        response = client.post(url, data=typed)
        parsed = assert_refused_at(response, field_id)
        kept = {key: value for key, value in typed.items() if key != "motion_type"}
        if field_id.startswith("hide-reason"):
            kept = {field_id: typed["reason"]}
        assert_kept(parsed, kept)
    db.expire_all()
    assert [db.get(Proposal, p.id).stage for p in (submitted, assessment, awaiting)] == \
        [Stage.SUBMITTED, Stage.ASSESSMENT, Stage.AWAITING_HEARING]


def test_nul_in_the_advisory_recommendation_and_the_vote(client, world, login_as):
    scheduled = world.proposal(Stage.HEARING_SCHEDULED)
    advisory = world.proposal(Stage.ADVISORY_REVIEW)
    login_as("advisory")
    typed = {"memo": "We recommend\x00 approval."}
    response = client.post(f"/advisory/proposals/{advisory.id}",
                           data={**typed, "recommendation": "approve"})
    assert_kept(assert_refused_at(response, "memo"), typed)
    council.record_motion(world.db, scheduled, world.clerk, world.clock(), world.profile,
                          "approve", [], ALL_FINDINGS, "Member A")
    world.db.commit()
    login_as("council")
    response = client.post(f"/council/proposals/{scheduled.id}", data={"choice": "aye\x00"})
    assert_refused_at(response, "choice")


REPORT_TYPED = {
    "sections-use_and_data": "Used 40\x00 times.", "sections-complaints": "None.",
    "retention_days_reported": "30", "audits_conducted": "1", "annual_cost": "12000",
    "deployment_areas": "District 3", "funding_next_year": "General Fund",
    "sharing-0-recipient_name": "County Sheriff", "sharing-0-times_shared": "4",
}


def test_nul_in_the_annual_report_and_its_review(client, world, db, login_as):
    decided = world.proposal(Stage.DECIDED)
    reported = world.proposal(Stage.DECIDED)
    filed = reports.file_report(db, reported, world.submitter, world.clock(), world.profile,
                                reports.ReportData())
    db.commit()
    login_as("submitter")
    response = client.post(f"/department/technologies/{decided.id}/reports/new",
                           data={**REPORT_TYPED, "sharing-0-recipient_type": "county",
                                 "file_report": "1"})
    parsed = assert_refused_at(response, "sections-use_and_data")
    assert_kept(parsed, REPORT_TYPED)
    login_as("clerk")
    typed = {"memo": "Reviewed\x00 in full."}
    response = client.post(f"/clerk/reports/{filed.id}", data=typed)
    assert_kept(assert_refused_at(response, "memo"), typed)


def test_nul_in_the_emergency_notice_and_the_inventory(client, world, db, login_as):
    today = world.clock().astimezone(world.profile.zone).date().isoformat()
    login_as("submitter")
    typed = {"technology_name": "Borrowed drone",
             "description": "A search\x00 for a missing child.", "began_on": today}
    response = client.post("/department/emergency/new",
                           data={**typed, "technology_category": "drone",
                                 "use_continues": "yes"})
    assert_kept(assert_refused_at(response, "description"), typed)
    typed = {"technology_name": "Old\x00 cameras", "description": "In use since 2015."}
    response = client.post("/department/inventory/new",
                           data={**typed, "department": str(world.submitter.department_id),
                                 "technology_category": "camera"})
    assert_kept(assert_refused_at(response, "technology_name"), typed)
    assert count(db, EmergencyNotice) == count(db, InventoryItem) == 0


# --- NUL in the address --------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/receipts/ab%00cd", "/proposals/1%00", "/no%00where",
                                 "/registry/county%00sheriff"])
def test_nul_in_a_path_is_400(client, world, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "web address contains a hidden character" in response.get_data(as_text=True)


@pytest.mark.parametrize("query", ["page=%00", "next=/%00", "%00=1", "version=1&x=a%00b"])
def test_nul_in_a_query_string_is_400(client, world, query):
    item = world.proposal(Stage.SUBMITTED)
    for path in (f"/proposals/{item.id}", "/auth/login"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400
        assert "after “?” contains a hidden character" in response.get_data(as_text=True)


def test_an_ordinary_address_is_untouched(client, world):
    item = world.proposal(Stage.SUBMITTED)
    assert client.get(f"/proposals/{item.id}?version=1&page=1").status_code == 200


# --- ids and page numbers beyond any integer column ----------------------------------------

HUGE_IDS = (INT4_MAX + 1, 2**63, 10**30)


def int_rules(app):
    """Every rule with an integer argument, as (endpoint, rule, those arguments' names)."""
    found = []
    for rule in app.url_map.iter_rules():
        names = [name for name, conv in rule._converters.items()
                 if isinstance(conv, IntegerConverter)]
        if names:
            found.append((rule.endpoint, rule, names))
    return found


def test_every_int_argument_uses_the_bounded_converter(app):
    rules = int_rules(app)
    assert len(rules) >= 15
    plain = [rule.rule for _, rule, names in rules for name in names
             if not isinstance(rule._converters[name], BoundedIntegerConverter)]
    assert not plain


def test_ids_beyond_any_column_are_404_on_every_int_route(app, client, world, login_as):
    """Signed in as a role allowed on the route, so the id itself is what is judged."""
    failures = []
    checked = 0
    for endpoint, rule, names in int_rules(app):
        for method in sorted(set(rule.methods) - {"HEAD", "OPTIONS"}):
            role = sorted(ACCESS[endpoint][method])[0]
            if role == ANON:
                client.post("/auth/logout")
            else:
                login_as(role)
            for huge in HUGE_IDS:
                with app.test_request_context():
                    url = url_for(endpoint, **{name: huge for name in names})
                status = client.open(url, method=method).status_code
                checked += 1
                if status != 404:
                    failures.append(f"{role} {method} {url} -> {status}")
    assert checked >= 3 * 15
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ROLES)
def test_huge_ids_are_never_a_500_for_any_role(app, client, world, login_as, role):
    if role != ANON:
        login_as(role)
    checked = 0
    for endpoint, rule, names in int_rules(app):
        for method in sorted(set(rule.methods) - {"HEAD", "OPTIONS"}):
            with app.test_request_context():
                url = url_for(endpoint, **{name: 10**30 for name in names})
            status = client.open(url, method=method).status_code
            assert status in (302, 403, 404), f"{role} {method} {url} -> {status}"
            checked += 1
    assert checked >= 15


@pytest.fixture
def app_config():
    """Two comments a page, so that a second page exists with three comments."""
    return {"COMMENTS_PER_PAGE": 2}


def post_three(db, world, item) -> list:
    """Post three comments, "Comment number 0." to "Comment number 2."."""
    posted = [comments.post_comment(db, item, world.clock(), nonce=f"page-{item.id}-{n}",
                                    submitter_type="anonymous", position="support",
                                    body=f"Comment number {n}.", name=None, organization=None)
              for n in range(3)]
    db.commit()
    return posted


@pytest.mark.parametrize("number", [3, 2**31, 2**63, 10**30, -(10**30), "x"])
def test_a_page_number_past_the_last_shows_the_last_page(client, world, db, number):
    item = world.proposal(Stage.PUBLIC_COMMENT)
    post_three(db, world, item)
    response = client.get(f"/proposals/{item.id}?page={number}")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    if number == "x" or (isinstance(number, int) and number < 1):
        assert "Showing the 2 oldest of 3 comments" in text and "Comment number 0." in text
    else:
        assert "Showing the 2 newest of 3 comments" in text and "Comment number 2." in text
        assert "Comment number 0." not in text


@pytest.mark.parametrize("query", ["after=x", "before=", "after=-1", f"after={10**30}",
                                   f"before={2**31}", "after=1.5", "page=newest&after=zz"])
def test_a_malformed_comment_page_link_shows_the_oldest_comments(client, world, db, query):
    item = world.proposal(Stage.PUBLIC_COMMENT)
    post_three(db, world, item)
    response = client.get(f"/proposals/{item.id}?{query}")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    if query.startswith("page=newest"):
        assert "Showing the 2 newest of 3 comments" in text
    else:
        assert "Showing the 2 oldest of 3 comments" in text and "Comment number 0." in text


@pytest.mark.parametrize("direction", ["after", "before"])
def test_a_comment_of_another_proposal_names_no_page_here(client, world, db, direction):
    item, other = world.proposal(Stage.PUBLIC_COMMENT), world.proposal(Stage.PUBLIC_COMMENT)
    post_three(db, world, item)
    elsewhere = post_three(db, world, other)
    response = client.get(f"/proposals/{item.id}?{direction}={elsewhere[1].id}")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Showing the 2 oldest of 3 comments" in text
    assert "Comment number 0." in text and elsewhere[0].tracking_number not in text


@pytest.mark.parametrize("number", [2, 2**63, 10**30, -1])
def test_a_version_that_does_not_exist_is_404(client, world, number):
    item = world.proposal(Stage.SUBMITTED)
    assert client.get(f"/proposals/{item.id}?version={number}").status_code == 404


def test_a_huge_report_period_number_files_the_next_period(client, world, db, login_as):
    decided = world.proposal(Stage.DECIDED)
    login_as("submitter")
    response = client.post(f"/department/technologies/{decided.id}/reports/new",
                           data={"period_number": str(-(10**30)), "file_report": "1"})
    assert response.status_code == 302


def test_a_huge_department_number_in_the_inventory_is_refused_at_the_field(client, world,
                                                                          login_as):
    login_as("clerk")
    response = client.post("/department/inventory/new",
                           data={"department": str(10**30), "technology_name": "Cameras",
                                 "technology_category": "camera", "description": "Old."})
    assert_refused_at(response, "department", "Not a valid choice")


# --- numbers beyond a column's range, dates with absurd years ------------------------------

BILLION = "Enter an amount no larger than $1,000,000,000 (a billion dollars)."

@pytest.mark.parametrize(("field_id", "value", "message"), [
    ("acquisition_cost", str(3 * 10**9), BILLION),
    ("acquisition_cost", str(10**30), BILLION),
    ("annual_cost", str(INT4_MAX + 1), BILLION),
    ("annual_cost", "1,000,000,000.01", BILLION),
    ("retention_days", str(2**63), "Enter a number no larger than 36,500 days (100 years)."),
    ("acquisition_cost", "-1", "Enter an amount in dollars"),
    ("acquisition_cost", "12,34", "Enter an amount in dollars"),
])
def test_a_number_beyond_its_column_keeps_the_long_form(client, world, db, login_as,
                                                        field_id, value, message):
    draft = world.proposal(Stage.DRAFT)
    login_as("submitter")
    typed = {key: v.replace("\x00", "") for key, v in PROPOSAL_TYPED.items()}
    typed[field_id] = value
    response = client.post(f"/department/proposals/{draft.id}/edit", data=proposal_post(typed))
    assert response.status_code == 400
    parsed = assert_refused_at(response, field_id, message)
    assert_kept(parsed, typed)


def test_the_largest_allowed_numbers_are_stored(client, world, db, login_as):
    """The limits fit the columns: the largest allowed values save on either database."""
    login_as("submitter")
    response = client.post("/department/proposals/new", data={
        "title": "Largest", "acquisition_cost": "$1,000,000,000.00",
        "annual_cost": "999,999,999.99", "retention_days": "36500", "save": "Save draft"})
    assert response.status_code == 302
    saved = db.scalar(select(ProposalVersion).join(Proposal)
                      .where(Proposal.title == "Largest"))
    assert (saved.acquisition_cost_cents, saved.annual_cost_cents, saved.retention_days) == \
        (100_000_000_000, 99_999_999_999, 36_500)


def test_numbers_beyond_range_in_the_report_and_the_motion(client, world, db, login_as):
    decided = world.proposal(Stage.DECIDED)
    for_motion = world.proposal(Stage.HEARING_SCHEDULED)
    login_as("submitter")
    typed = {key: v.replace("\x00", "") for key, v in REPORT_TYPED.items()}
    typed["annual_cost"] = str(10**30)
    typed["sharing-0-times_shared"] = str(2**40)
    response = client.post(f"/department/technologies/{decided.id}/reports/new",
                           data={**typed, "sharing-0-recipient_type": "county",
                                 "file_report": "1"})
    assert_refused_at(response, "annual_cost", BILLION)
    parsed = assert_refused_at(response, "sharing-0-times_shared",
                               "no larger than 1,000,000,000")
    assert_kept(parsed, typed)
    login_as("clerk")
    typed = {"retention_limit_days": str(10**30), "audit_every_months": "121",
             "conditions": "No use at protests.", "moved_by": "Member A"}
    response = client.post(f"/clerk/proposals/{for_motion.id}/motion",
                           data={**typed, "motion_type": "approve_with_conditions"})
    assert_refused_at(response, "retention_limit_days", "no larger than 36,500 days")
    parsed = assert_refused_at(response, "audit_every_months", "no larger than 120 months")
    assert_kept(parsed, typed)


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1899-12-31", "2100-01-01"])
def test_a_date_with_an_absurd_year_is_refused_at_the_field(client, world, db, login_as, day):
    assessment = world.proposal(Stage.ASSESSMENT, complete_data(**BLOCKED))
    login_as("clerk")
    typed = {"closes_on": day, "override_reason": "The council asked."}
    response = client.post(f"/clerk/proposals/{assessment.id}/open-comment", data=typed)
    assert_kept(assert_refused_at(response, "closes_on", "Check the year"), typed)
    login_as("submitter")
    typed = {"technology_name": "Drone", "description": "A search.", "began_on": day}
    response = client.post("/department/emergency/new",
                           data={**typed, "technology_category": "drone",
                                 "use_continues": "yes"})
    assert_kept(assert_refused_at(response, "began_on", "Check the year"), typed)


def test_nothing_refused_here_reached_the_database(client, world, db, login_as):
    """A refused request leaves every table as it was (the forms stop it, not the database)."""
    draft = world.proposal(Stage.DRAFT)

    def counts():
        found = tuple(db.scalar(select(func.count()).select_from(t))
                      for t in Base.metadata.sorted_tables if t.name != "audit_event")
        db.rollback()
        return found

    before = counts()
    login_as("submitter")
    client.post(f"/department/proposals/{draft.id}/edit",
                data=proposal_post({**PROPOSAL_TYPED, "acquisition_cost": str(10**30)}))
    client.post("/department/proposals/new", data=proposal_post(PROPOSAL_TYPED))
    assert counts() == before
