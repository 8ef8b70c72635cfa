"""Every page, crawled as every role, with hostile text in every field the public sees.

The record is filled through the real services with script payloads (documents, recipients,
structured answers, an override reason, comments, names and a hide reason), then each role
follows every link on the site from the home page and its own; no page may carry a payload
as live markup, and the determination PDF prints it as text.
"""

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

from forms.documents import IMPACT_REPORT, USE_POLICY
from reviewapp.models import Comment, Determination, Stage
from reviewapp.services import comments
from tests.factories import complete_data, form_nonce
from tests.test_security import JS_ATTRIBUTE, SCRIPT, payload, pdf_text

HREF = re.compile(r'href="([^"#]+)')
PAGES_PER_ROLE = 250  # far more than the site's distinct pages with this data
SKIP = ("/static/", "/auth/logout", "/healthz", "/readyz")
# The payloads as live markup (the site's own charts are SVG, so not "<svg" alone); 49 is
# what {{7*7}} would become if a template ever evaluated typed text.
RAW = ("<script>alert(1)", "<svg onload", "x49x")


def hostile_record(world, db) -> None:
    """A decided proposal and one in comment, with payloads wherever text is typed."""
    data = complete_data(
        title=payload("TITLE"), technology_name=payload("TECH"), vendor=payload("VENDOR"),
        funding_source=payload("FUNDS"),
        impact_report={s.key: payload(f"IMPACT-{s.key}") for s in IMPACT_REPORT},
        use_policy={s.key: payload(f"POLICY-{s.key}") for s in USE_POLICY},
        recipients=[{"name": payload("RECIPIENT"), "recipient_type": "federal",
                     "purpose": payload("PURPOSE"), "data_categories": payload("DATA"),
                     "legal_basis": payload("BASIS")}],
        particulars={"prior_use": "yes", "prior_use_details": payload("PRIOR"),
                     "network_sharing_detail": payload("SHARING")})
    world.proposal(Stage.DECIDED, data=data, override=payload("OVERRIDE"))
    open_item = world.proposal(Stage.PUBLIC_COMMENT, data=complete_data(
        title=payload("OPEN"), recipients=[]), override=payload("OVERRIDE2"))
    for n, (kind, name, org) in enumerate((("anonymous", None, None),
                                            ("individual", payload("NAME"), None),
                                            ("organization", None, payload("ORG")))):
        comments.post_comment(db, open_item, world.clock(), nonce=form_nonce(f"crawl-{n}"),
                              submitter_type=kind, position="oppose",
                              body=payload(f"BODY{n}"), name=name, organization=org)
    hidden = db.query(Comment).first()
    comments.hide_comment(db, hidden, world.clerk, world.clock(), payload("HIDE"))
    db.commit()


def crawl(client, start: list[str]) -> dict[str, str]:
    """Follow every same-site link from `start`; return the HTML of each page by path."""
    seen, pages, queue = set(start), {}, deque(start)
    while queue and len(pages) < PAGES_PER_ROLE:
        path = queue.popleft()
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        html = response.get_data(as_text=True)
        pages[path] = html
        for link in HREF.findall(html):
            target = urljoin(path, link.replace("&amp;", "&"))
            parts = urlsplit(target)
            if parts.netloc or target in seen or target.startswith(SKIP):
                continue
            seen.add(target)
            queue.append(target)
    return pages


def test_no_page_carries_a_payload_as_markup_for_any_role(client, world, db, login_as):
    hostile_record(world, db)
    homes = {None: ["/"], "submitter": ["/department/"], "clerk": ["/clerk/"],
             "advisory": ["/advisory/"], "council": ["/council/"],
             "admin": ["/admin/accounts"]}
    crawled = 0
    for role, start in homes.items():
        if role:
            login_as(role)
        else:
            client.post("/auth/logout")
        pages = crawl(client, ["/", *start])
        assert len(pages) > 10, (role, sorted(pages))
        for path, html in pages.items():
            for raw in RAW:
                assert raw not in html, f"{role or 'public'} {path}: raw {raw!r}"
            assert not JS_ATTRIBUTE.search(html), f"{role or 'public'} {path}: javascript: URL"
        crawled += len(pages)
    # The escaped payloads are really on the pages (the crawl reached the hostile text).
    everything = " ".join(crawl(client, ["/"]).values())
    for label in ("TITLE", "RECIPIENT", "PRIOR", "BODY1", "NAME", "ORG", "HIDE"):
        assert f"{label} &lt;script&gt;" in everything, label
    assert crawled > 100


def test_the_determination_prints_every_payload_as_text(world, db):
    hostile_record(world, db)
    issued = db.query(Determination).one()
    from reviewapp.services.determinations import stored_pdf

    text = pdf_text(stored_pdf(db, issued))
    assert "".join(f"TITLE {SCRIPT}".split()) in text
    assert "".join(f"RECIPIENT {SCRIPT}".split()) in text
    assert "x49x" not in text
