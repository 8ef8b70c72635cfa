"""The public "who gets our data" registry: what is listed, how it is grouped, the CSV."""

import csv
import io
import re

import pytest

from reviewapp.models import RecipientType, Stage
from reviewapp.registry import normalize_name, safe_cell, slugify
from reviewapp.services import intake, proposals
from tests.factories import complete_data
from tests.test_query_count import counting, walk_pages

FLOCK = "Flock Safety national lookup"


def recipient(name: str, kind: str = "county", purpose: str = "Criminal investigations",
              categories: str = "Plate images; vehicle locations",
              legal: str = "Civ. Code 1798.90.55") -> dict:
    return {"name": name, "recipient_type": kind, "purpose": purpose,
            "data_categories": categories, "legal_basis": legal}


def sharing(title: str, *recipients: dict, category: str = "alpr"):
    return complete_data(title=title, technology_category=category,
                         technology_name=f"{title} system", recipients=list(recipients))


def type_section(page: str, kind: RecipientType) -> str:
    """Return the index's section for one recipient type ('' when absent)."""
    found = re.search(rf'<section aria-labelledby="type-{kind.value}">(.*?)</section>', page,
                      re.DOTALL)
    return found.group(1) if found else ""


def row_of(html: str, text: str) -> str:
    """Return the one table row that contains `text`."""
    rows = [r for r in re.findall(r"<tr>(.*?)</tr>", html, re.DOTALL) if text in r]
    assert len(rows) == 1, f"{len(rows)} rows contain {text!r}"
    return rows[0]


def get_page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def read_csv(client) -> list[list[str]]:
    response = client.get("/registry/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert ".csv" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


# --- what is listed -------------------------------------------------------------------------

def test_the_news_case_is_a_vendor_pool_flagged_for_immigration(client, world):
    item = world.proposal(Stage.ASSESSMENT, sharing(
        "Automated license plate readers", recipient(
            FLOCK, "vendor_pool",
            purpose="Plate lookups by subscribing agencies nationwide; searchable by ICE",
            categories="Plate reads, images, time and place")))
    page = get_page(client, "/registry/")
    pool = type_section(page, RecipientType.VENDOR_POOL)
    row = row_of(pool, FLOCK)
    assert "Federal immigration agency" in row and "Vendor-pooled database" in row
    assert f'href="/proposals/{item.id}"' in row and "Pending review" in row
    assert "Automated license plate readers" in row
    assert "Where data from the city's surveillance technology goes" in page
    assert FLOCK not in type_section(page, RecipientType.FEDERAL)

    detail = get_page(client, "/registry/flock-safety-national-lookup")
    assert "<h1>Flock Safety national lookup</h1>" in detail
    assert "Federal immigration agency" in detail
    assert "searchable by ICE" in detail and "Civ. Code 1798.90.55" in detail


def test_flags_are_words_and_only_where_they_apply(client, world):
    world.proposal(Stage.SUBMITTED, sharing(
        "Shared cameras",
        recipient("Nevada Highway Patrol", "other_state"),
        recipient("Acme Analytics LLC", "private"),
        recipient("Oakland Ice Center", "private", purpose="Rink security"),
        recipient("Sacramento County Probation", "county", purpose="Detainer requests"),
        recipient("Vigilant LEARN", "vendor_pool", purpose="Nationwide lookups")))
    page = get_page(client, "/registry/")
    assert "Another state&#39;s agency</span>" in row_of(page, "Nevada Highway Patrol")
    acme = row_of(page, "Acme Analytics LLC")
    assert "Private company" in acme and "Federal immigration agency" not in acme
    assert "Federal immigration agency" not in row_of(page, "Oakland Ice Center")
    probation = row_of(page, "Sacramento County Probation")
    assert "Federal immigration agency" in probation  # its purpose is immigration detainers
    vigilant = row_of(page, "Vigilant LEARN")
    assert "Vendor-pooled database" in vigilant and "Federal immigration agency" not in vigilant
    summary = re.search(r'<section aria-labelledby="summary">(.*?)</section>', page,
                        re.DOTALL).group(1)
    assert "Federal immigration agency</span>: 1 recipient." in summary
    assert "Private company</span>: 2 recipients." in summary
    assert re.search(r"Vendor-pooled database</a></th><td>1</td>", summary)
    assert re.search(r"Federal agency</th><td>0</td>", summary)


def test_denied_withdrawn_and_draft_proposals_are_not_listed(client, world, db, clock, profile):
    world.proposal(Stage.DECIDED, sharing("Approved readers", recipient("Approved Agency")))
    world.proposal(Stage.DECIDED, sharing("Denied readers", recipient("Denied Agency")),
                   motion="deny")
    withdrawn = world.proposal(Stage.PUBLIC_COMMENT,
                               sharing("Withdrawn readers", recipient("Withdrawn Agency")))
    proposals.withdraw(db, withdrawn, world.submitter, clock(), profile, "No longer needed.")
    db.commit()
    world.proposal(Stage.DRAFT, sharing("Draft readers", recipient("Draft Agency")))
    world.proposal(Stage.HEARING_SCHEDULED,
                   sharing("Pending readers", recipient("Pending Agency")))

    page = get_page(client, "/registry/")
    assert "Approved with conditions" in row_of(page, "Approved Agency")
    assert "Pending review" in row_of(page, "Pending Agency")
    rows = read_csv(client)
    listed = {row[0] for row in rows[1:]}
    assert listed == {"Approved Agency", "Pending Agency"}
    for name in ("Denied Agency", "Withdrawn Agency", "Draft Agency"):
        assert name not in page
        assert client.get(f"/registry/{slugify(name)}").status_code == 404
    for title in ("Denied readers", "Withdrawn readers", "Draft readers"):
        assert title not in page


def test_an_unsubmitted_revision_is_not_listed_until_it_is_submitted(client, world, db,
                                                                     clock, profile):
    item = world.proposal(Stage.SUBMITTED,
                          sharing("Returned readers", recipient("County Probation")))
    intake.return_to_department(db, item, world.clerk, clock(), profile, "Fix section 3.")
    proposals.save_draft(db, item, world.submitter, clock(), sharing(
        "Returned readers", recipient("Private Data Broker", "private")))
    db.commit()
    assert item.current_version.submitted_at is None

    page = get_page(client, "/registry/")
    assert "Pending review" in row_of(page, "County Probation")
    assert "Private Data Broker" not in page
    assert client.get("/registry/private-data-broker").status_code == 404
    assert "Private Data Broker" not in client.get("/registry/export.csv").get_data(as_text=True)

    proposals.submit(db, item, world.submitter, clock(), profile)  # now it is the record
    db.commit()
    page = get_page(client, "/registry/")
    assert "Private company" in row_of(page, "Private Data Broker")
    assert "County Probation" not in page


# --- grouping and the recipient page --------------------------------------------------------

def test_the_same_recipient_spelled_differently_is_grouped(client, world):
    first = world.proposal(Stage.ASSESSMENT, sharing(
        "Plate readers", recipient("Alameda County Sheriff", categories="Plate images")))
    second = world.proposal(Stage.SUBMITTED, sharing(
        "Drones", recipient("  alameda   COUNTY sheriff ", categories="Video, plate images",
                            purpose="Mutual aid", legal="Mutual aid agreement"),
        category="drone"))
    page = get_page(client, "/registry/")
    county = type_section(page, RecipientType.COUNTY)
    assert county.count("<th scope=\"row\">") == 1
    row = row_of(county, "Alameda County Sheriff")
    assert "alameda   COUNTY" not in row  # the first spelling is shown
    assert "<td>2</td>" in row  # two technologies
    assert f'href="/proposals/{first.id}"' in row and f'href="/proposals/{second.id}"' in row
    assert "<td>Plate images; Video</td>" in row  # categories merged case-insensitively

    detail = get_page(client, "/registry/alameda-county-sheriff")
    proposals_table = row_of(detail, "Drones") + row_of(detail, "Plate readers")
    assert f'href="/proposals/{first.id}"' in proposals_table
    assert f'href="/proposals/{second.id}"' in proposals_table
    assert "Mutual aid agreement" in row_of(detail, "Drones")
    assert "Civ. Code 1798.90.55" in row_of(detail, "Plate readers")
    assert "Data from 2 surveillance technologies reaches this recipient." in detail
    assert "Also written as: alameda   COUNTY sheriff." in detail


def test_an_unknown_slug_is_404(client, world):
    world.proposal(Stage.SUBMITTED, sharing("Readers", recipient("Known Agency")))
    assert client.get("/registry/known-agency").status_code == 200
    assert client.get("/registry/unknown-agency").status_code == 404
    assert client.get("/registry/known-agency-2").status_code == 404


def test_names_with_the_same_slug_get_distinct_pages(client, world):
    world.proposal(Stage.SUBMITTED, sharing("First", recipient("Police & Fire")))
    world.proposal(Stage.SUBMITTED, sharing("Second", recipient("Police - Fire")))
    assert "<h1>Police &amp; Fire</h1>" in get_page(client, "/registry/police-fire")
    assert "<h1>Police - Fire</h1>" in get_page(client, "/registry/police-fire-2")


def test_slugify_and_normalize():
    assert normalize_name("  Alameda \t County\nSheriff ") == "alameda county sheriff"
    assert slugify("  Alameda   COUNTY Sheriff ") == "alameda-county-sheriff"
    assert slugify("Café Società (Zürich)") == "cafe-societa-zurich"
    assert slugify("<script>alert(1)</script>") == "script-alert-1-script"
    assert re.fullmatch(r"recipient-[0-9a-f]{10}", slugify("東京都警察"))
    assert slugify("東京都警察") != slugify("大阪府警察")
    assert len(slugify("x" * 300)) <= 80


def test_the_main_navigation_links_to_the_registry(client):
    page = get_page(client, "/")
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', page, re.DOTALL).group(1)
    assert '<a href="/registry/">Who gets our data</a>' in nav


def test_an_empty_registry_says_so(client):
    page = get_page(client, "/registry/")
    assert "No proposal that is approved or under review shares data" in page
    assert read_csv(client) == [["Recipient", "Recipient type", "Flags", "File number",
                                 "Proposal title", "Status", "Technology", "Data categories",
                                 "Purpose", "Legal basis", "Proposal URL"]]


# --- CSV -------------------------------------------------------------------------------------

def test_csv_has_one_row_per_recipient_and_proposal(client, world):
    item = world.proposal(Stage.ASSESSMENT, sharing(
        "Automated license plate readers",
        recipient(FLOCK, "vendor_pool", purpose="Lookups; searchable by ICE",
                  categories="Plate reads"),
        recipient("Alameda County Sheriff")))
    world.proposal(Stage.SUBMITTED, sharing("Drones", recipient("ALAMEDA COUNTY SHERIFF"),
                                            category="drone"))
    rows = read_csv(client)
    assert rows[0] == ["Recipient", "Recipient type", "Flags", "File number",
                       "Proposal title", "Status", "Technology", "Data categories", "Purpose",
                       "Legal basis", "Proposal URL"]
    assert len(rows) == 4
    flock = next(r for r in rows if r[0] == FLOCK)
    assert flock == [
        FLOCK, "Vendor-pooled database", "Federal immigration agency; Vendor-pooled database",
        item.file_number, "Automated license plate readers", "Pending review",
        "Automated license plate readers system (Automated license plate reader (ALPR))",
        "Plate reads", "Lookups; searchable by ICE", "Civ. Code 1798.90.55",
        f"http://localhost/proposals/{item.id}"]
    sheriff = [r for r in rows if r[0] == "Alameda County Sheriff"]
    assert {r[4] for r in sheriff} == {"Automated license plate readers", "Drones"}


def test_csv_cells_cannot_run_as_formulas(client, world):
    world.proposal(Stage.SUBMITTED, sharing(
        "Readers", recipient('=HYPERLINK("http://x")', "private", purpose="+1+2",
                             categories="@SUM(A1)", legal="-2+3")))
    rows = read_csv(client)
    row = rows[1]
    assert row[0] == '\'=HYPERLINK("http://x")'
    assert row[7:10] == ["'@SUM(A1)", "'+1+2", "'-2+3"]
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for cell in r)


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@A1", "\tx", "\rx"])
def test_safe_cell_neutralises_every_formula_start(value):
    assert safe_cell(value) == "'" + value


def test_safe_cell_leaves_ordinary_text_alone():
    assert safe_cell("County of Alameda") == "County of Alameda"
    assert safe_cell("Plates - images") == "Plates - images"
    assert safe_cell(None) == ""


# --- escaping ----------------------------------------------------------------------------------

def test_a_hostile_recipient_name_is_escaped_on_both_pages(client, world):
    world.proposal(Stage.SUBMITTED, sharing(
        "Readers", recipient("<script>alert(1)</script>", "private",
                             purpose="<img src=x onerror=alert(2)>")))
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    index = get_page(client, "/registry/")
    detail = get_page(client, f"/registry/{slugify('<script>alert(1)</script>')}")
    for page in (index, detail):
        assert "<script>alert(1)</script>" not in page
        assert "<script>" not in page
        assert escaped in page
    assert "<img src=x" not in detail and "&lt;img src=x onerror=alert(2)&gt;" in detail


# --- bounded queries ---------------------------------------------------------------------------

def statements(app, client, url: str) -> int:
    client.get(url).get_data()  # warm caches; read it all, so its transaction ends
    with counting(app) as executed:
        response = client.get(url)
        response.get_data()  # a streamed body runs its statements as it is read
    assert response.status_code == 200, url
    return len(executed)


def test_registry_cost_does_not_grow_with_proposals_or_recipients(app, client, world, db,
                                                                  clock, profile):
    shared = recipient("Alameda County Sheriff")
    world.proposal(Stage.DECIDED, sharing("Approved readers", shared,
                                          recipient(FLOCK, "vendor_pool")))
    world.proposal(Stage.SUBMITTED, sharing("Pending readers", shared))
    urls = ("/registry/", "/registry/alameda-county-sheriff", "/registry/export.csv")
    small = {url: statements(app, client, url) for url in urls}

    for i in range(28):
        item = world.proposal(Stage.SUBMITTED, sharing(
            f"Proposal {i}", shared, recipient(f"Agency {i}", "federal"),
            recipient(f"Vendor {i}", "private"), recipient(f"Pool {i % 5}", "vendor_pool")))
        if i % 7 == 0:  # some carry an older submitted version and an unsubmitted draft
            intake.return_to_department(db, item, world.clerk, clock(), profile, "Fix it.")
            proposals.save_draft(db, item, world.submitter, clock(),
                                 sharing(f"Proposal {i}", recipient(f"Draft {i}")))
            db.commit()
    pages = [get_page(client, url) for url in walk_pages(client, "/registry/")]
    listed = [slug for page in pages
              for slug in re.findall(r'<th scope="row"><a href="/registry/([^"?]+)">', page)]
    assert len(listed) == len(set(listed)) == 2 + 28 * 2 + 5
    assert len(pages) == 3  # 25 recipients a page
    assert not any("Draft 0" in page for page in pages)
    large = {url: statements(app, client, url) for url in urls}
    print(f"registry statements, 2 proposals vs 30: {small} vs {large}")
    assert small == large
    assert all(n <= 8 for n in large.values()), large
