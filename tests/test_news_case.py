"""Issue 3's acceptance case: the ALPR program whose plates reach ICE through a vendor pool.

The SB 34 and SB 54 findings quote the recipient on the assessment page, the public page
and the determination, and the proposal cannot go to public comment without an override.
"""

import io

from pypdf import PdfReader

from reviewapp.models import Determination, Stage
from reviewapp.services import proposals
from reviewapp.services.determinations import stored_pdf
from tests.factories import complete_data

POOL = {"name": "Vigilant LEARN national plate database", "recipient_type": "vendor_pool",
        "purpose": "Investigative leads; searchable by agencies nationwide including ICE",
        "data_categories": "Plate reads with time and location",
        "legal_basis": "Vendor agreement"}
QUOTED = "“Vigilant LEARN national plate database”"


def news_case(**overrides):
    values = {"title": "Expand plate readers", "technology_category": "alpr",
              "access_log": True, "recipients": [POOL], **overrides}
    return complete_data(**values)


def test_findings_quote_the_recipient_on_every_page_and_block_comment(client, login_as,
                                                                     world):
    item = world.proposal(Stage.ASSESSMENT, data=news_case())
    login_as("clerk")
    assessment = client.get(f"/clerk/proposals/{item.id}").get_data(as_text=True)
    public = client.get(f"/proposals/{item.id}").get_data(as_text=True)
    for page in (assessment, public):
        assert "Civ. Code 1798.90.55(b)" in page and "Gov. Code 7284.6(a)" in page
        assert QUOTED in page
    refused = client.post(f"/clerk/proposals/{item.id}/open-comment",
                          data={"closes_on": "2026-04-30"})
    assert refused.status_code == 409
    assert "blocking compliance finding" in refused.get_data(as_text=True)


def test_findings_and_override_are_in_the_determination(app, db, world):
    world.proposal(Stage.DECIDED, data=news_case(),
                   override="The council asked to hear it despite the findings.")
    issued = db.query(Determination).one()
    reader = PdfReader(io.BytesIO(stored_pdf(db, issued)))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Civ. Code 1798.90.55(b)" in text and "Gov. Code 7284.6(a)" in text
    assert "Vigilant LEARN national plate database" in text
    assert "The council asked to hear it despite the findings." in text


def test_a_new_version_shows_which_findings_were_resolved(client, world, db, clock, profile):
    from reviewapp.services import intake

    item = world.proposal(Stage.SUBMITTED, data=news_case())
    intake.return_to_department(db, item, world.clerk, clock(), profile,
                                "Remove the national pool.")
    proposals.save_draft(db, item, world.submitter, clock(), news_case(recipients=[
        {"name": "County Sheriff", "recipient_type": "county", "purpose": "Hot lists",
         "legal_basis": "Civ. Code 1798.90.55(b)"}]))
    proposals.submit(db, item, world.submitter, clock(), profile)
    db.commit()
    page = client.get(f"/proposals/{item.id}").get_data(as_text=True)
    changes = page[page.index("Changes since version 1"):page.index("Changes since version 1")
                   + 2000]
    assert "Resolved:" in changes
    assert "ALPR data shared outside California public agencies" in changes
    assert "Use for immigration enforcement (SB 54)" in changes


def test_the_rules_page_lists_every_active_rule_with_its_citation(client, profile):
    from reviewapp.compliance import active_rules

    page = client.get("/rules").get_data(as_text=True)
    for rule in active_rules(profile.rule_packs):
        assert rule.id in page
        assert rule.citation.replace("'", "&#39;") in page
