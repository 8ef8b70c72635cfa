"""The determination PDF, read back as text: decision, roll call, conditions, recitals."""

import hashlib
import io

from pypdf import PdfReader

from reviewapp.models import Determination, Stage
from reviewapp.services.determinations import stored_pdf
from tests.factories import complete_data


def issued_pdf(app, db) -> tuple[Determination, bytes, str]:
    """Return the single determination, its stored bytes, and its text."""
    issued = db.query(Determination).one()
    data = stored_pdf(db, issued)
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return issued, data, " ".join(text.split())


def test_pdf_states_decision_roll_call_conditions_and_tally(app, db, world):
    item = world.proposal(Stage.DECIDED, votes=("aye", "aye", "no", "abstain", "recused"))
    issued, data, text = issued_pdf(app, db)
    assert hashlib.sha256(data).hexdigest() == issued.sha256
    assert issued.size_bytes == len(data)
    assert "decided: approved with conditions." in text
    assert "Retain data no more than 30 days." in text
    for member, vote in zip(world.council, ("Aye", "Aye", "No", "Abstain", "Recused"),
                            strict=True):
        assert f"{member.name} {vote}" in text
    assert "2 aye, 1 no, 1 abstain, 1 recused, 0 absent" in text
    assert "Quorum present" in text
    assert item.file_number in text
    version = item.current_version
    assert version.impact_report_sha256[:20] in text.replace(" ", "")
    assert "The benefits to the community outweigh the costs" in text
    pages = len(PdfReader(io.BytesIO(data)).pages)
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text


def test_pdf_lists_compliance_findings_and_the_override(app, db, world):
    data = complete_data(technology_category="alpr", recipients=[
        {"name": "Vigilant national pool", "recipient_type": "vendor_pool",
         "purpose": "Queries by ICE ERO", "data_categories": "plates", "legal_basis": "MOU"}])
    world.proposal(Stage.DECIDED, data=data, override="Heard on the council's request.")
    _issued, _data, text = issued_pdf(app, db)
    assert "Civ. Code 1798.90.55(b)" in text
    assert "Gov. Code 7284.6" in text
    assert "Vigilant national pool" in text
    assert "Heard on the council's request." in text


def test_pdf_is_tagged_and_has_a_title_and_language(app, db, world):
    world.proposal(Stage.DECIDED)
    issued = db.query(Determination).one()
    reader = PdfReader(io.BytesIO(stored_pdf(db, issued)))
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog  # tagged PDF (PDF/UA-1)
    assert str(catalog.get("/Lang", "")).startswith("en")
    assert "Determination" in reader.metadata.title
    assert not reader.attachments


def test_denied_proposal_says_denied_and_names_no_report_date(app, db, world):
    world.proposal(Stage.DECIDED, motion="deny")
    _issued, _data, text = issued_pdf(app, db)
    assert "has denied the Police Department" in text
    assert "annual surveillance report due" not in text
