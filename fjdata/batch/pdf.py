"""A4 PDFs of the reports, printed by headless Chromium (playwright) when it is installed.

Chromium is optional: when it is absent (or fails) the run goes on and the index says why there is
no PDF. Page numbers come from Chromium's footer template; page size and landscape pages for wide
tables from the report's print stylesheet (``prefer_css_page_size``)."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Self

from fjdata.batch.run_result import ReportResult
from fjdata.core.wording import words

PDF_NOTEBOOKS = ("overview.ipynb", "chapter_report.ipynb")  # the evaluation reports; explore and drafts are not printed
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update"]
FOOTER = (
    "<div style='font-size:9px;width:100%;text-align:center;color:#555;font-family:sans-serif'>"
    "<span class='pageNumber'></span> / <span class='totalPages'></span></div>"
)


def chromium_path() -> str | None:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def print_pdf(page: object, html: Path, pdf: Path) -> None:
    """One HTML file to an A4 PDF with page numbers (``page`` is a playwright page)."""
    page.goto(html.as_uri(), wait_until="load")  # type: ignore[attr-defined]
    page.emulate_media(media="print")  # type: ignore[attr-defined]
    page.pdf(  # type: ignore[attr-defined]
        path=str(pdf),
        format="A4",
        print_background=True,
        prefer_css_page_size=True,
        display_header_footer=True,
        header_template="<div></div>",
        footer_template=FOOTER,
        margin={"top": "12mm", "bottom": "14mm", "left": "10mm", "right": "10mm"},
    )


class PdfPrinter:
    """Prints evaluation reports to A4 PDFs one at a time, as they finish, with one headless
    Chromium started on first use. Never raises: a missing or failing browser leaves a ``note``
    (for the index) and the HTML reports stand.

    Use as a context manager; ``done`` maps report names to PDF file names.
    """

    def __init__(self, folder: Path, enabled: bool = True) -> None:
        self.folder = folder
        self.done: dict[str, str] = {}
        # why PDFs are missing: a key of run_index.pdf_reasons in the wording files ("not_asked": turned off for this run)
        self.reason = "" if enabled else "not_asked"
        self.detail = ""
        self._stack = contextlib.ExitStack()
        self._page: Any = None

    @property
    def note(self) -> str:
        """One Chinese line for the top of the index saying why PDFs are missing ('' when none is)."""
        if not self.reason:
            return ""
        return str(words("zh")["run_index"]["pdf_reasons"][self.reason]).format(detail=self.detail)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._stack.close()
        self._page = None

    def add(self, report: ReportResult) -> None:
        """Print ``report`` if it is a successful evaluation report and the browser works."""
        if not (report.html and report.status.value == "success" and report.notebook in PDF_NOTEBOOKS) or self.note:
            return
        try:
            page = self._page or self._start()
            if page is None:
                return
            pdf = self.folder / (Path(report.html).stem + ".pdf")
            tmp = pdf.with_name("." + pdf.name + ".tmp")
            print_pdf(page, self.folder / report.html, tmp)
            tmp.replace(pdf)
            self.done[report.name] = pdf.name
        except Exception as exc:  # a browser problem never fails the run: the HTML reports stand
            self.reason, self.detail = "failed", f"{type(exc).__name__}: {str(exc)[:200]}"
            self.close()

    def _start(self) -> Any:
        path = chromium_path()
        if path is None:
            self.reason = "no_chromium"
            return None
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            self.reason = "no_playwright"
            return None
        pw = self._stack.enter_context(sync_playwright())
        browser = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        self._stack.callback(browser.close)
        self._page = browser.new_page(viewport={"width": 1100, "height": 900})
        return self._page


def write_pdfs(folder: Path, reports: Iterable[ReportResult]) -> tuple[dict[str, str], str]:
    """PDFs of the successful evaluation reports in ``folder``: ({report name: pdf file}, a note for the index)."""
    with PdfPrinter(folder) as printer:
        for r in reports:
            printer.add(r)
    return printer.done, printer.note
