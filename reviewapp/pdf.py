"""Render determinations with WeasyPrint from our own template: static files only, no lost text."""

import logging
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import render_template
from weasyprint import HTML, URLFetcher
from weasyprint.urls import URLFetcherResponse

STATIC_DIR = (Path(__file__).parent / "static").resolve()

log = logging.getLogger("reviewapp.pdf")

# WeasyPrint's own words for a character no font could draw (weasyprint/draw/text.py).
_NOTDEF = re.compile(r"^\.notdef glyph rendered .*\(U\+([0-9A-F]{4,6})\)$", re.DOTALL)

# The records of the render running in this thread (or task), if any. A ContextVar rather
# than a shared list: gunicorn's threads render at the same time and must not see each
# other's warnings.
_collecting: ContextVar[list[logging.LogRecord] | None] = ContextVar(
    "weasyprint_records", default=None)


class MissingGlyphs(Exception):
    """The text has characters that no installed font can draw; no PDF was produced."""

    def __init__(self, characters: list[str]):
        self.characters = tuple(dict.fromkeys(characters))  # distinct, first seen first
        super().__init__(
            f"Not issued: no installed font can draw {', '.join(self.labels)}, so the PDF "
            "would show empty boxes instead. Nothing was stored. Ask your IT team to install "
            "the fonts named in the README (scripts/demo.sh installs them), then issue again. "
            "If the characters are a mistake, correct the text first: the council can send "
            "the proposal back to the department with a motion requesting revisions.")

    @property
    def labels(self) -> list[str]:
        """Return each character as it looks and as its code point: “x” (U+0078)."""
        return [f"“{char}” (U+{ord(char):04X})" for char in self.characters]


class _CollectDuringRender(logging.Filter):
    """Take WeasyPrint's records away from the logging tree while a render collects them."""

    def filter(self, record: logging.LogRecord) -> bool:
        records = _collecting.get()
        if records is None:
            return True  # not inside render_pdf: leave the record to the usual handlers
        records.append(record)
        return False  # render_pdf logs it, on our logger, once it knows what it means


_weasyprint_log = logging.getLogger("weasyprint")
_weasyprint_log.addFilter(_CollectDuringRender())
# Warnings must be created even if the root level is raised, or a missing glyph would go
# unseen; WARNING also keeps WeasyPrint's per-page progress messages out of the logs.
_weasyprint_log.setLevel(logging.WARNING)


@contextmanager
def weasyprint_records() -> Iterator[list[logging.LogRecord]]:
    """Collect the WeasyPrint log records emitted in this thread until the block ends."""
    records: list[logging.LogRecord] = []
    token = _collecting.set(records)
    try:
        yield records
    finally:
        _collecting.reset(token)


def missing_characters(records: list[logging.LogRecord]) -> list[str]:
    """Return the characters WeasyPrint drew as .notdef (empty boxes), in order seen."""
    found = []
    for record in records:
        match = _NOTDEF.match(record.getMessage())
        if match:
            found.append(chr(int(match.group(1), 16)))
    return found


def _log_other_records(records: list[logging.LogRecord]) -> None:
    """Log the records that do not lose text, each distinct message once, with a count."""
    counts = Counter((r.levelno, r.getMessage()) for r in records
                     if not _NOTDEF.match(r.getMessage()))
    for (level, message), times in counts.items():
        log.log(level, "WeasyPrint: %s%s", message, f" ({times} times)" if times > 1 else "")


class StaticOnlyFetcher(URLFetcher):
    """A URL fetcher that serves files under static/ and refuses everything else.

    Untrusted text is escaped by Jinja, but this is the backstop: no file:// outside
    static/, no network, no data: URLs from user text can reach the renderer.
    """

    def __init__(self, root: Path = STATIC_DIR):
        super().__init__(allowed_protocols=("file",), allow_redirects=False, timeout=1)
        self.root = root.resolve()
        self.refused: list[str] = []
        self.served: list[str] = []

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        """Serve a file inside the static root; refuse any other URL."""
        parts = urlsplit(url)
        path = Path(unquote(parts.path)).resolve() if parts.scheme == "file" else None
        if path is None or parts.netloc or not path.is_relative_to(self.root) or not path.is_file():
            self.refused.append(url)
            raise ValueError(f"refused to fetch {url!r}: only static files are allowed")
        self.served.append(url)
        return URLFetcherResponse(path.as_uri(), body=path.read_bytes())


def render_pdf(template: str, fetcher: StaticOnlyFetcher | None = None, **context) -> bytes:
    """Render one of our PDF templates to tagged (PDF/UA-1) bytes.

    Raises MissingGlyphs, and returns nothing, if any character would be drawn as an
    empty box: a determination is issued once, so lost text could never be restored.
    """
    html = render_template(template, **context)
    fetcher = fetcher or StaticOnlyFetcher()
    with weasyprint_records() as records:
        document = HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=fetcher)
        data = document.write_pdf(pdf_variant="pdf/ua-1")
    _log_other_records(records)
    missing = missing_characters(records)
    if missing:
        error = MissingGlyphs(missing)
        # Code points only: the IT team needs to know which fonts are missing, not the text.
        log.warning("PDF not produced: no font for %s",
                    ", ".join(f"U+{ord(c):04X}" for c in error.characters))
        raise error
    return data
