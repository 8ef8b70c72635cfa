"""No text is silently lost from a determination: every script draws, or issuance stops."""

import io
import logging
import re
import subprocess
import threading
import unicodedata

import pytest
from fontTools.ttLib import TTFont
from jinja2 import ChoiceLoader, DictLoader
from pypdf import PdfReader
from sqlalchemy import func, select
from weasyprint import HTML

from reviewapp import pdf
from reviewapp.models import AuditEvent, Determination, DeterminationFile, Stage
from reviewapp.record import load_proposal
from reviewapp.services import council, determinations
from tests.factories import ALL_FINDINGS, complete_data

# Real names of police forces, one per script the determination must draw.
NAMES = {
    "Latin": "Département de police",
    "Greek": "Αστυνομία",
    "Cyrillic": "Полиция",
    "Arabic": "شرطة دبي",
    "Hebrew": "משטרת ישראל",
    "Vietnamese": "Cảnh sát",
    "Chinese": "北京市公安局",
    "Japanese": "東京都警察",
    "Korean": "서울경찰청",
}
TITLE = ("Plate reader data shared with Αστυνομία, Полиция, شرطة دبي, משטרת ישראל, "
         "Cảnh sát, 東京都警察 and 서울경찰청")
# Egyptian hieroglyphs: "pr-ꜥꜣ" (pharaoh), then A001 again to check each is named once.
UNDRAWABLE = "𓉐𓉻 𓀀 𓀀"
DEJAVU = pdf.STATIC_DIR / "fonts" / "DejaVuSans.ttf"
BIDI_CONTROLS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                                       "\u2066\u2067\u2068\u2069"))


def squeezed(text: str) -> str:
    """Return text in NFC with whitespace and bidi controls removed, for comparing."""
    text = unicodedata.normalize("NFC", text).translate(BIDI_CONTROLS)
    return "".join(text.split())


def covered_by_an_installed_font(char: str) -> bool:
    """Ask fontconfig whether any installed font has a glyph for `char`."""
    listed = subprocess.run(["fc-list", f":charset={ord(char):x}", "family"],
                            capture_output=True, text=True, check=True).stdout
    return bool(listed.strip())


def collected(name: str):
    """Collect the records that reach handlers on the logger `name`, whatever the root's."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.DEBUG)
    handler.emit = records.append
    logger = logging.getLogger(name)
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


@pytest.fixture
def pdf_log():
    """Every record on the reviewapp.pdf logger."""
    yield from collected("reviewapp.pdf")


@pytest.fixture
def weasyprint_log():
    """The records that reach handlers on WeasyPrint's own logger."""
    yield from collected("weasyprint")


def ready_to_issue(world, **fields):
    """Walk a proposal to a passed approval motion, waiting for its determination."""
    db, profile, clock = world.db, world.profile, world.clock
    item = world.proposal(Stage.HEARING_SCHEDULED, data=complete_data(**fields))
    council.record_motion(db, item, world.clerk, clock(), profile, "approve", [],
                          ALL_FINDINGS, "Member A")
    for member in world.council:
        council.cast_vote(db, item, member, clock(), profile, "aye")
    council.close_roll_call(db, item, world.clerk, clock(), profile)
    db.commit()
    return item


def recipients(*names: str) -> list[dict]:
    """Return one foreign-agency recipient row per name, as the proposal form sends them."""
    return [{"name": name, "recipient_type": "other_state", "purpose": "Investigations",
             "data_categories": "plates", "legal_basis": "Mutual assistance treaty"}
            for name in names]


def drawn_runs(data: bytes):
    """Yield (font name, glyph ids, text) for each text-showing operation, in drawing order.

    WeasyPrint writes Identity-H fonts whose codes are the font's own glyph ids, as hex
    strings, with a ToUnicode map per font; a run's text is therefore in the order glyphs
    are drawn, left to right, which is what tells right-to-left layout from left-to-right.
    """
    reader = PdfReader(io.BytesIO(data))
    for page in reader.pages:
        fonts = {}
        for key, ref in page["/Resources"]["/Font"].items():
            font = ref.get_object()
            cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
            to_unicode = {
                int(code, 16): bytes.fromhex(text).decode("utf-16-be")
                for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.DOTALL)
                for code, text in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block)
            }
            fonts[key[1:]] = (str(font["/BaseFont"]), to_unicode)
        content = page.get_contents().get_data().decode("latin-1")
        current = None
        for match in re.finditer(r"/(\S+) \S+ Tf|\[([^\]]*)\] TJ|(<[0-9a-fA-F]*>) Tj", content):
            if match.group(1):
                current = fonts[match.group(1)]
                continue
            hexes = "".join(re.findall(r"<([0-9a-fA-F]*)>", match.group(2) or match.group(3)))
            glyphs = [int(hexes[i:i + 4], 16) for i in range(0, len(hexes), 4)]
            yield current[0], glyphs, "".join(current[1].get(g, "?") for g in glyphs)


# --- issuance through the clerk's route -------------------------------------------------


def test_every_script_is_issued_with_real_glyphs_and_reads_back(client, login_as, world, db,
                                                                 pdf_log):
    item = ready_to_issue(world, title=TITLE, recipients=recipients(*NAMES.values()))
    login_as("clerk")
    response = client.post(f"/clerk/proposals/{item.id}/issue")
    assert response.status_code == 302, (
        "issuance refused; are Debian's fonts-noto-cjk installed (scripts/test.sh installs "
        f"them)? {response.get_data(as_text=True)[-1500:]}")
    assert [f"{r.levelname} {r.getMessage()}" for r in pdf_log] == []  # no warning at all

    issued = db.scalars(select(Determination).where(Determination.proposal_id == item.id)).one()
    data = determinations.stored_pdf(db, issued)
    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata.title.endswith(TITLE)
    text = squeezed("".join(page.extract_text() for page in reader.pages))
    for script, name in NAMES.items():
        assert squeezed(name) in text, f"{script} name {name!r} not read back"
    # The title's commas sit between right-to-left names, so bidi moves them in reading
    # back; each name between them must still be whole.
    for piece in re.split(r", | and ", TITLE):
        assert squeezed(piece) in text, piece

    runs = list(drawn_runs(data))
    used = {font for font, _glyphs, _text in runs}
    assert any("DejaVu-Sans" in f for f in used) and any("Noto-Sans-CJK" in f for f in used)
    for script in ("Chinese", "Japanese", "Korean"):
        # The face the template names, not whichever one fontconfig would pick (JP, KR).
        assert any(NAMES[script] in t and "Noto-Sans-CJK-SC" in f for f, _g, t in runs), script
    for script in ("Greek", "Cyrillic", "Arabic", "Hebrew", "Vietnamese"):
        # Right-to-left names are drawn last letter first (see the next test).
        drawn = NAMES[script][::-1] if script in ("Arabic", "Hebrew") else NAMES[script]
        assert any(unicodedata.normalize("NFD", drawn) in unicodedata.normalize("NFD", t)
                   and "DejaVu-Sans" in f for f, _g, t in runs), script


def test_arabic_is_shaped_and_hebrew_and_arabic_run_right_to_left(client, login_as, world,
                                                                  db):
    item = ready_to_issue(world, recipients=recipients(NAMES["Arabic"], NAMES["Hebrew"]))
    login_as("clerk")
    assert client.post(f"/clerk/proposals/{item.id}/issue").status_code == 302
    issued = db.scalars(select(Determination).where(Determination.proposal_id == item.id)).one()
    runs = list(drawn_runs(determinations.stored_pdf(db, issued)))

    # Drawn left to right, a right-to-left name appears reversed; never in typing order.
    for name in (NAMES["Arabic"], NAMES["Hebrew"]):
        assert any(name[::-1] in t for _f, _g, t in runs), name
        assert not any(name in t for _f, _g, t in runs), name

    # Shaped: the letters take their joining forms, not the isolated ones typed.
    font = TTFont(DEJAVU)
    cmap = font.getBestCmap()
    glyph = {cp: font.getGlyphID(cmap[cp]) for cp in (0x0634, 0xFEB7, 0x064A, 0xFEF2)}
    arabic = next(g for f, g, t in runs if NAMES["Arabic"][::-1] in t and "DejaVu" in f)
    assert glyph[0xFEB7] in arabic and glyph[0x0634] not in arabic  # sheen, initial form
    assert glyph[0xFEF2] in arabic and glyph[0x064A] not in arabic  # yeh, final form


def test_a_character_no_font_draws_stops_issuance_and_stores_nothing(client, login_as, world,
                                                                     db, pdf_log):
    for char in set(UNDRAWABLE) - {" "}:
        assert not covered_by_an_installed_font(char), (
            f"U+{ord(char):04X} is drawn by an installed font here; pick another character")
    name = f"Per-aa {UNDRAWABLE} Museum Police"
    item = ready_to_issue(world, recipients=recipients("Polizei Berlin", name))
    login_as("clerk")
    events_before = db.scalar(select(func.count()).select_from(AuditEvent))

    response = client.post(f"/clerk/proposals/{item.id}/issue")

    assert response.status_code == 409
    page = response.get_data(as_text=True)
    for label in ("“𓉐” (U+13250)", "“𓉻” (U+1327B)", "“𓀀” (U+13000)"):
        assert label in page
    assert page.count("U+13000") == 1  # each character named once
    assert "install the fonts named in the README" in page
    assert "requesting revisions" in page
    assert f'action="/clerk/proposals/{item.id}/issue"' in page  # the clerk can try again

    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Determination)) == 0
    assert db.scalar(select(func.count()).select_from(DeterminationFile)) == 0
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == events_before
    proposal = load_proposal(db, item.id)
    assert proposal.stage is Stage.HEARING_SCHEDULED
    assert determinations.already_issued(db, proposal) is None
    assert council.latest_motion(db, proposal).result.outcome.value == "passed"

    logged = [r.getMessage() for r in pdf_log]
    assert logged == ["PDF not produced: no font for U+13250, U+1327B, U+13000"]


# --- render_pdf itself ----------------------------------------------------------------


@pytest.fixture
def tiny_template(app):
    """A small PDF template with CSS mistakes WeasyPrint warns about, one of them thrice."""
    app.jinja_env.loader = ChoiceLoader([
        DictLoader({"pdf/tiny.html": (
            "<html lang=en><head><title>t</title><style>"
            "@font-face { font-family: 'DejaVu Sans'; src: url(fonts/DejaVuSans.ttf); }"
            "body { font-family: 'DejaVu Sans', 'Noto Sans CJK SC'; } p { colr: red }"
            "</style></head><body><p>{{ text }}</p>"
            "{% for _ in range(3) %}<div style='colr: blue'>.</div>{% endfor %}"
            "</body></html>")}),
        app.jinja_env.loader,
    ])
    with app.app_context():
        yield "pdf/tiny.html"


def test_render_pdf_logs_weasyprint_warnings_on_its_own_logger_once(tiny_template, pdf_log,
                                                                     weasyprint_log):
    data = pdf.render_pdf(tiny_template, text="Αστυνομία 東京都警察")
    assert data.startswith(b"%PDF")
    assert [r.levelno for r in pdf_log] == [logging.WARNING, logging.WARNING]
    first, second = (r.getMessage() for r in pdf_log)
    assert re.fullmatch(r"WeasyPrint: Ignored `colr: red ?` at 1:\d+, unknown property\.", first)
    assert second == "WeasyPrint: Ignored `colr: blue` at 1:1, unknown property. (3 times)"
    assert weasyprint_log == []  # taken away from WeasyPrint's logger, so not logged twice


def test_render_pdf_raises_missing_glyphs_naming_each_character_once(tiny_template, pdf_log):
    with pytest.raises(pdf.MissingGlyphs) as raised:
        pdf.render_pdf(tiny_template, text=f"Secret name {UNDRAWABLE}")
    error = raised.value
    assert error.characters == ("𓉐", "𓉻", "𓀀")
    assert error.labels == ["“𓉐” (U+13250)", "“𓉻” (U+1327B)", "“𓀀” (U+13000)"]
    assert "“𓉐” (U+13250), “𓉻” (U+1327B), “𓀀” (U+13000)" in str(error)
    messages = [r.getMessage() for r in pdf_log]
    assert "PDF not produced: no font for U+13250, U+1327B, U+13000" in messages
    assert not any("Secret" in m or "𓀀" in m for m in messages)  # code points, not text


def test_a_raised_root_level_does_not_hide_missing_glyphs(tiny_template):
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.CRITICAL)
    try:
        with pytest.raises(pdf.MissingGlyphs):
            pdf.render_pdf(tiny_template, text="𓀀")
    finally:
        root.setLevel(level)


def test_records_outside_a_render_reach_weasyprint_handlers(weasyprint_log):
    logging.getLogger("weasyprint").warning("outside any render")
    assert [r.getMessage() for r in weasyprint_log] == ["outside any render"]


def test_each_thread_collects_only_its_own_records(weasyprint_log):
    # Both threads are inside a collection while each logs: A first, then B.
    both_inside = threading.Barrier(2)
    a_logged, b_done = threading.Event(), threading.Event()
    collected = {}

    def collect(name, before_logging, after_logging):
        with pdf.weasyprint_records() as records:
            both_inside.wait(timeout=5)
            before_logging()
            logging.getLogger("weasyprint").warning("from %s", name)
            after_logging()
        collected[name] = [r.getMessage() for r in records]

    a = threading.Thread(target=collect, args=(
        "A", lambda: None, lambda: (a_logged.set(), b_done.wait(timeout=5))))
    b = threading.Thread(target=collect, args=(
        "B", lambda: a_logged.wait(timeout=5), b_done.set))
    a.start(), b.start()
    a.join(), b.join()
    assert collected == {"A": ["from A"], "B": ["from B"]}
    assert weasyprint_log == []


def test_concurrent_renders_each_see_only_their_own_missing_glyphs():
    start = threading.Barrier(4)
    results = {}
    base = pdf.STATIC_DIR.as_uri() + "/"

    def render(name, body):
        with pdf.weasyprint_records() as records:
            start.wait(timeout=10)
            for _ in range(3):
                HTML(string=f"<p>{body}</p>" * 200, base_url=base).write_pdf()
        results[name] = (sorted(set(pdf.missing_characters(records))), len(records))

    bodies = {"a": "𓀀 only here", "b": "plain text", "c": "𓉐 only here", "d": "Полиция"}
    threads = [threading.Thread(target=render, args=item) for item in bodies.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results["a"][0] == ["𓀀"] and results["c"][0] == ["𓉐"]
    assert results["b"] == ([], 0) and results["d"] == ([], 0)


def test_missing_glyphs_says_what_to_do():
    message = str(pdf.MissingGlyphs(["\U00013000"]))
    assert message.startswith("Not issued: no installed font can draw “𓀀” (U+13000)")
    assert "Nothing was stored" in message and "README" in message
