"""Render determinations with WeasyPrint from our own template, fetching only static files."""

import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import render_template
from weasyprint import HTML, URLFetcher
from weasyprint.urls import URLFetcherResponse

STATIC_DIR = (Path(__file__).parent / "static").resolve()

logging.getLogger("weasyprint").addHandler(logging.StreamHandler())
logging.getLogger("weasyprint").setLevel(logging.ERROR)


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
    """Render one of our PDF templates to tagged (PDF/UA-1) bytes."""
    html = render_template(template, **context)
    fetcher = fetcher or StaticOnlyFetcher()
    document = HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=fetcher)
    return document.write_pdf(pdf_variant="pdf/ua-1")
