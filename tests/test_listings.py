"""Listings by page: every proposal reachable once, in a stable order, and the derived
registry and report schedule agreeing with the record they are worked out from."""

import dataclasses
import re

import pytest
from sqlalchemy import func, select

from reviewapp import registry, registry_store, report_schedule, schedule_store
from reviewapp.deadlines.reports import due_items
from reviewapp.models import RecipientType, RegistryRecipient, RegistryUse, ReportSchedule, Stage
from reviewapp.services import proposals
from tests.test_query_count import walk_pages
from tests.test_registry import recipient, sharing
from tests.test_reports import approve, determination_of, local_end_of, new_url, report_form


@pytest.fixture
def app_config():
    return {"LIST_PER_PAGE": 4}


def proposal_ids(html: str, section: str = "all-proposals") -> list[int]:
    """Return the proposal ids linked in one section of a page, in page order."""
    part = re.search(rf'<section aria-labelledby="{section}">(.*?)</section>', html, re.DOTALL)
    found = re.findall(r'<h3><a href="/proposals/(\d+)">|<a href="/proposals/(\d+)">Read',
                       part.group(1))
    return [int(heading or read) for heading, read in found]


def text_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_home_pages_reach_every_proposal_once_newest_first(client, world):
    listed = [world.proposal(Stage.SUBMITTED).id for _ in range(10)]
    world.proposal(Stage.DRAFT)  # never public
    urls = walk_pages(client, "/")
    assert len(urls) == 3  # 4 + 4 + 2
    seen = [pid for url in urls for pid in proposal_ids(text_of(client, url))]
    assert seen == sorted(listed, reverse=True)

    # Walking back with rel="prev" gives the same pages in reverse.
    last = text_of(client, urls[-1])
    back = re.search(r'<a rel="prev" href="([^"]+)"', last).group(1).replace("&amp;", "&")
    assert proposal_ids(text_of(client, back.split("#")[0])) == seen[4:8]
    assert 'rel="prev"' not in text_of(client, "/")
    assert '<nav class="pager" aria-label="Pages of proposals">' in text_of(client, "/")


def test_a_new_proposal_does_not_shift_the_pages_after_it(client, world):
    for _ in range(6):
        world.proposal(Stage.SUBMITTED)
    urls = walk_pages(client, "/")
    second = proposal_ids(text_of(client, urls[1]))
    newest = world.proposal(Stage.SUBMITTED)
    assert proposal_ids(text_of(client, urls[1])) == second  # the link still means the same
    assert proposal_ids(text_of(client, "/"))[0] == newest.id


def test_a_cursor_that_does_not_parse_gives_the_first_page(client, world):
    ids = [world.proposal(Stage.SUBMITTED).id for _ in range(3)]
    assert proposal_ids(text_of(client, "/?after=x%27--")) == sorted(ids, reverse=True)
    assert proposal_ids(text_of(client, f"/?after={min(ids)}")) == []
    assert "No more proposals." in text_of(client, f"/?after={min(ids)}")
    newest_first = sorted(ids, reverse=True)
    assert proposal_ids(text_of(client, "/?before=99999999999999999999")) == newest_first


def test_open_for_comment_comes_first_until_the_period_closes(client, world, clock, profile):
    world.proposal(Stage.SUBMITTED)
    open_one = world.proposal(Stage.PUBLIC_COMMENT)
    page = text_of(client, "/")
    assert proposal_ids(page, "open-now") == [open_one.id]
    assert "1 proposal is open for comment." in page
    clock.advance(days=profile.comment_days, seconds=1)
    page = text_of(client, "/")
    assert 'aria-labelledby="open-now"' not in page
    assert open_one.id in proposal_ids(page)


def test_clerk_queue_counts_each_stage_and_pages_through_one(client, login_as, world, clock,
                                                             profile):
    submitted = [world.proposal(Stage.SUBMITTED).id for _ in range(5)]
    closed = world.proposal(Stage.PUBLIC_COMMENT)
    clock.advance(days=profile.comment_days, seconds=1)  # its period closes by the clock
    commenting = world.proposal(Stage.PUBLIC_COMMENT)
    login_as("clerk")
    page = text_of(client, "/clerk/")
    assert "Submitted for clerk review (5)" in page and "Public comment (1)" in page
    moved = "Advisory review (1)" if profile.has_advisory_body else "Awaiting hearing (1)"
    assert moved in page
    seen = []
    for url in walk_pages(client, "/clerk/?stage=submitted"):
        seen += [int(i) for i in re.findall(r'href="/clerk/proposals/(\d+)"', text_of(client, url))]
    assert seen == submitted
    comment_page = text_of(client, "/clerk/?stage=public_comment")
    assert f'href="/clerk/proposals/{commenting.id}"' in comment_page
    assert f'href="/clerk/proposals/{closed.id}"' not in comment_page


def registry_state(db) -> tuple:
    """Return what the derived registry tables say, without their ids."""
    recipients = {r.id: r for r in db.scalars(select(RegistryRecipient))}
    return (
        sorted((r.key, r.slug, r.name, r.recipient_type.value, r.sort_key, r.types,
                r.spellings, r.categories, r.immigration, r.other_state, r.private,
                r.vendor_pool, r.technologies) for r in recipients.values()),
        sorted((recipients[u.recipient_id].key, u.proposal_id, u.version_id,
                u.decision and u.decision.value, u.name, u.types, u.immigration)
               for u in db.scalars(select(RegistryUse))),
    )


def registry_recount(db) -> registry.Summary:
    """Count the registry's summary from every derived row, as it was counted per view."""
    listed = RegistryRecipient.technologies > 0
    by_type = dict(db.execute(select(RegistryRecipient.recipient_type, func.count())
                              .where(listed).group_by(RegistryRecipient.recipient_type)).all())
    flagged = [db.scalar(select(func.count()).where(listed, column.is_(True)))
               for column in registry.FLAG_COLUMNS.values()]
    proposals = db.scalar(select(func.count(func.distinct(RegistryUse.proposal_id))))
    return registry.Summary(
        sum(by_type.values()), proposals,
        [(kind, by_type.get(kind, 0)) for kind in RecipientType],
        list(zip(registry.FLAG_COLUMNS, flagged, strict=True)))


def test_the_registry_kept_at_each_commit_equals_one_rebuilt_from_the_record(
        client, world, db, clock, profile):
    shared = recipient("Alameda County Sheriff")
    world.proposal(Stage.DECIDED, sharing("Approved", shared, recipient("ICE ERO", "county")))
    assert registry.summary(db) == registry_recount(db)
    world.proposal(Stage.DECIDED, sharing("Denied", recipient("Denied Agency")), motion="deny")
    assert registry.summary(db) == registry_recount(db)
    gone = world.proposal(Stage.ASSESSMENT, sharing("Withdrawn", shared,
                                                    recipient("Gone Agency", "private")))
    proposals.withdraw(db, gone, world.submitter, clock(), profile, "No longer needed.")
    db.commit()
    world.proposal(Stage.SUBMITTED, sharing("Pending", recipient(" alameda county SHERIFF"),
                                            recipient("Vigilant LEARN", "vendor_pool")))
    kept = registry_state(db)
    summary = registry.summary(db)
    assert summary == registry_recount(db) and summary.recipients == 3
    assert dict(summary.flag_counts)[registry.IMMIGRATION] == 1
    assert {key for key, *_ in kept[0]} >= {"alameda county sheriff", "ice ero", "gone agency"}
    listed = {row[0]: row[-1] for row in kept[0]}
    assert listed["gone agency"] == 0 and listed["alameda county sheriff"] == 2
    assert listed["denied agency"] == 0  # listed while pending, then denied: unlisted
    registry_store.rebuild(db)
    db.commit()
    assert registry_state(db) == kept
    assert registry.summary(db) == summary
    registry_store.recount(db)
    assert registry.summary(db) == summary
    assert client.get("/registry/gone-agency").status_code == 404  # unlisted, slug kept


@pytest.mark.parametrize("keyed", [True, False], ids=["due-dates-kept", "formula"])
@pytest.mark.parametrize("cadence", [1, 2, 3])
def test_overdue_reports_from_sql_match_the_schedule_worked_out_in_python(
        app, client, login_as, world, db, clock, profile, cadence, keyed):
    filed = approve(world, title="Filed once")
    idle = approve(world, title="Never reported")
    more = []
    for number in range(3):  # review dates a season apart
        clock.advance(days=120)
        more.append(approve(world, title=f"Approved later {number}"))
    profile = dataclasses.replace(profile, annual_report_cadence_years=cadence)
    app.extensions["profile"] = profile
    login_as("submitter")
    assert client.post(new_url(filed), data=report_form()).status_code == 302
    review = determination_of(db, idle).review_date
    # Without the profile's due dates kept (rows of another rule), the formula is read.
    schedule_store.rebuild(db, profile if keyed else None)
    db.commit()
    assert report_schedule.is_keyed(db, profile) is keyed
    for years in (0, 1, 2, 3, 4, 5):
        clock.current = local_end_of(review.replace(year=review.year + years), profile)
        clock.advance(days=1)
        today = clock().astimezone(profile.zone).date()
        due = due_items(db, profile, clock())
        overdue = sorted((i.title, i.due_on) for i in due if i.overdue(today))
        found, more = report_schedule.overdue_page(db, profile, today, 1, 25)
        assert sorted((i.title, i.due_on) for i in found) == overdue and not more
        assert report_schedule.overdue_count(db, profile, today) == len(
            {i.proposal_id for i in due if i.overdue(today)})
        upcoming = sorted((i.title, i.due_on) for i in due
                          if i.met_on is None and not i.overdue(today))
        assert sorted((i.title, i.due_on) for i in report_schedule.due_next(
            db, profile, today, 10)) == upcoming
        soonest = sorted((i.due_on, i.proposal_id) for i in due
                         if i.met_on is None and not i.overdue(today))[:2]
        assert [(i.due_on, i.proposal_id) for i in report_schedule.due_next(
            db, profile, today, 2)] == soonest
    assert overdue  # by then both technologies owe reports
    kept = sorted(db.execute(select(ReportSchedule.__table__)))
    assert [row.next_number for row in kept] == [2, 1, 1, 1, 1]  # one report filed, none
    schedule_store.rebuild(db, profile if keyed else None)
    assert sorted(db.execute(select(ReportSchedule.__table__))) == kept
