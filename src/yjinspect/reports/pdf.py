"""HTML to PDF with WeasyPrint, offline: only files under the static folder may be fetched.

The report's HTML and its print CSS (`report.css`) carry the page setup: A4, "Page n of m" in
the footer, contents page numbers (`target-counter`), bookmarks from the headings, and table
rows that do not split across pages with the header row repeated.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from weasyprint import HTML, Document
from weasyprint.urls import URLFetcher


class _FontSubsetNotice(logging.Filter):
    """Drops WeasyPrint's per-font notice that it subsets fonts with fontTools.

    Debian's HarfBuzz has no subsetting library, so WeasyPrint uses fontTools (correct, and the
    PDF is the same) and says so once per font per document: dozens of lines that hide real
    warnings in the logs and in `make bench`. Every other WeasyPrint message still shows.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "instead of HarfBuzz-Subset" not in record.getMessage()


logging.getLogger("weasyprint").addFilter(_FontSubsetNotice())


class LocalOnlyFetcher(URLFetcher):  # type: ignore[misc]
    """Serves `data:` URLs and files below one folder; refuses everything else (no network)."""

    def __init__(self, root: Path) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self.root = root.resolve()

    def fetch(self, url: str, headers: Any = None) -> Any:
        parsed = urlparse(url)
        if parsed.scheme == "file":
            path = Path(unquote(parsed.path)).resolve()
            if not path.is_relative_to(self.root) or not path.is_file():
                raise ValueError(f"not fetched (outside {self.root}): {url}")
        elif parsed.scheme != "data":
            raise ValueError(f"not fetched (the report is rendered offline): {url}")
        return super().fetch(url, headers)


def render_document(html: str, static_root: Path) -> Document:
    """Lay out the report; callers (and tests) can read pages and bookmarks from it."""
    return HTML(
        string=html,
        base_url=str(static_root.resolve()) + "/",
        url_fetcher=LocalOnlyFetcher(static_root),
    ).render()


def html_to_pdf(html: str, static_root: Path) -> bytes:
    """The PDF, tagged for assistive technology (PDF/UA-1: structure tree, the document's
    language and title): published reports must be accessible, and a tagged PDF is what screen
    readers and reflow need."""
    pdf: bytes = render_document(html, static_root).write_pdf(pdf_variant="pdf/ua-1")
    return pdf
