"""A4 PDFs of the reports, printed by headless Chromium (playwright) when it is installed.

Chromium is optional: when it is absent (or fails) the run goes on and the index says why there is
no PDF. Page numbers come from Chromium's footer template; page size and landscape pages for wide
tables from the report's print stylesheet (``prefer_css_page_size``)."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

from fjdata.batch.run_result import ReportResult

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


def write_pdfs(folder: Path, reports: Iterable[ReportResult]) -> tuple[dict[str, str], str]:
    """PDFs of the successful evaluation reports in ``folder``: ({report name: pdf file}, a note for the index)."""
    wanted = [r for r in reports if r.html and r.status.value == "success" and r.notebook in PDF_NOTEBOOKS]
    if not wanted:
        return {}, ""
    path = chromium_path()
    if path is None:
        return {}, "未生成PDF：本机未安装Chromium / no PDF: Chromium is not installed"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {}, "未生成PDF：未安装playwright / no PDF: playwright is not installed"
    done: dict[str, str] = {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1100, "height": 900})
                for r in wanted:
                    assert r.html is not None
                    pdf = folder / (Path(r.html).stem + ".pdf")
                    tmp = pdf.with_name("." + pdf.name + ".tmp")
                    print_pdf(page, folder / r.html, tmp)
                    tmp.replace(pdf)
                    done[r.name] = pdf.name
            finally:
                browser.close()
    except Exception as exc:  # a browser problem never fails the run: the HTML reports stand
        return done, f"PDF未全部生成 / PDFs incomplete: {type(exc).__name__}: {str(exc)[:200]}"
    return done, ""
