"""The reports as a reader opens them, in real headless Chromium after a real nightly: no page-level
horizontal scroll at 1280 px and 390 px, a target marker on every chart (drawn, read back from the
figure), the A4 print with no column narrower than four characters and no clipped table, PDFs linked
from a leadership index, and the assessment workbook opened by real LibreOffice.

Screenshots (overview, chapter 2, the PDF's first page, the phone view) go to outputs/test-artifacts/."""

from __future__ import annotations

import csv
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.test_nightly import ARTIFACTS, CHROMIUM_ARGS, chromium_path, manifest

pytestmark = pytest.mark.slow
REPORTS = ("overview_zh", "chapter_2_zh", "chapter_2_en", "overview_en")
A4_PORTRAIT_PX, A4_LANDSCAPE_PX = 718, 1047  # 190 mm and 277 mm of content at 96 px per inch


@pytest.fixture
def run(shipped_run: tuple[subprocess.CompletedProcess[str], Path]) -> Path:
    proc, folder = shipped_run  # the session's one nightly on the shipped data (conftest)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    return folder


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    path = chromium_path()
    if path is None:
        pytest.skip("headless Chromium not found on PATH")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()


def pages(folder: Path) -> list[Path]:
    return [folder / "index.html", folder / "coverage.html", *(folder / f"{name}.html" for name in REPORTS)]


def test_nothing_overflows_the_page_at_desktop_and_phone_widths(run: Path, browser: Any) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        for html in pages(run):
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(html.as_uri(), wait_until="load")
            scroll, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
            assert scroll <= inner, (html.name, width, scroll, inner)
            # Every table that is wider than the window sits in its own scrolling box.
            loose = page.evaluate(
                "Array.from(document.querySelectorAll('table')).filter(t => t.getBoundingClientRect().width > innerWidth"
                " && !t.closest('.scroll')).length"
            )
            assert loose == 0, (html.name, width)
            if width == 1280 and html.stem in ("overview_zh", "chapter_2_zh"):
                page.screenshot(path=str(ARTIFACTS / f"{html.stem}_1280.png"), full_page=True)
            if width == 390 and html.stem in ("overview_zh", "index"):
                page.screenshot(path=str(ARTIFACTS / f"{html.stem}_phone_390.png"), full_page=False)
            page.close()


def test_every_chart_has_a_target_marker_alt_text_and_its_numbers(run: Path, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    for name in ("chapter_2_zh", "overview_zh", "chapter_2_en"):
        page.goto((run / f"{name}.html").as_uri(), wait_until="load")
        charts = page.locator("figure.fj-chart[data-target]")
        if name.startswith("chapter_2"):
            assert charts.count() >= 10, name
        for i in range(charts.count()):
            fig = charts.nth(i)
            assert fig.get_attribute("data-target-drawn") == "1", (name, fig.get_attribute("data-target"))
            assert len(fig.locator("img").get_attribute("alt") or "") > 10
            details = fig.locator("details.fj-data")
            assert details.count() == 1 and details.get_attribute("open") is None  # collapsed
            details.locator("summary").click()
            assert details.locator("tbody tr").count() >= 1 and details.locator("tbody tr").first.is_visible()
    page.close()


MEASURE = """() => Array.from(document.querySelectorAll('table')).filter(t => t.offsetParent !== null).map(t => {
  const box = t.closest('.scroll') || t.parentElement;
  const row = t.querySelector('thead tr') || t.querySelector('tr');
  const cells = Array.from(row ? row.children : []).map(c => {
    const s = getComputedStyle(c);
    const w = c.getBoundingClientRect().width - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight)
      - parseFloat(s.borderLeftWidth) - parseFloat(s.borderRightWidth);
    return [c.innerText.slice(0, 16), w, parseFloat(s.fontSize)];
  });
  return {cls: t.className, page: getComputedStyle(box).page, right: t.getBoundingClientRect().right, cells};
})"""


def test_a4_print_has_no_column_under_four_characters_and_no_clipped_table(run: Path, browser: Any) -> None:
    from fjdata.batch.pdf import print_pdf

    overview = run / "overview_zh.html"
    measured, wide = 0, 0
    for width, page_name in ((A4_PORTRAIT_PX, "auto"), (A4_LANDSCAPE_PX, "wide")):
        page = browser.new_page(viewport={"width": width, "height": 1000})
        page.goto(overview.as_uri(), wait_until="load")
        page.emulate_media(media="print")
        for table in page.evaluate(MEASURE):
            if table["page"] != page_name:
                continue  # each table is measured on the page size it prints on
            measured += 1
            wide += page_name == "wide"
            assert table["right"] <= width + 0.5, (table["cls"], table["right"], width)
            for text, w, font in table["cells"]:
                assert w >= 4 * font - 0.5, (table["cls"], text, round(w, 1), font)
        page.close()
    assert measured >= 2
    page = browser.new_page()
    pdf = ARTIFACTS / "overview_zh.pdf"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    print_pdf(page, overview, pdf)
    page.close()
    sizes = _page_sizes(pdf)
    assert sizes and all(sorted(s) == [595, 842] for s in sizes)  # A4 (points), portrait or landscape
    assert any(w > h for w, h in sizes) == (wide > 0)  # landscape pages exactly when a table is too wide for portrait
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(ARTIFACTS / "overview_zh_pdf_page1")],
            check=True,
        )
        assert (ARTIFACTS / "overview_zh_pdf_page1.png").stat().st_size > 10_000


def _page_sizes(pdf: Path) -> list[tuple[int, int]]:
    if not shutil.which("pdfinfo"):
        pytest.skip("pdfinfo (poppler-utils) not installed")
    out = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True, check=True).stdout
    sizes = []
    for line in out.splitlines():
        if line.startswith("Page") and "size:" in line:
            w, _, h = line.split("size:")[1].split()[:3]
            sizes.append((round(float(w)), round(float(h))))
    return sizes


def test_index_leads_with_reports_and_links_the_pdfs(run: Path, browser: Any) -> None:
    m = manifest(run)
    from fjdata.batch.pdf import PDF_NOTEBOOKS

    printable = {r["name"] for r in m["reports"] if r["notebook"] in PDF_NOTEBOOKS}
    assert set(REPORTS) <= printable and set(m["pdfs"]) == printable and m["pdf_note"] == ""
    for pdf in m["pdfs"].values():
        assert (run / pdf).read_bytes()[:5] == b"%PDF-"
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto((run / "index.html").as_uri(), wait_until="load")
    first = page.locator("li.report").first
    assert first.get_attribute("data-report") == "overview_zh"
    assert "总览" in first.inner_text() and first.locator("a[href='overview_zh.pdf']").count() == 1
    assert page.locator("h2").first.inner_text() == "福建省“十四五”制造业高质量发展专项规划"
    details = page.locator("details.run")
    assert details.get_attribute("open") is None and not details.locator("table").is_visible()
    assert page.evaluate("document.querySelector('li.report').compareDocumentPosition(document.querySelector('details.run')) & 4")
    body = page.inner_text("body")
    assert "ipynb" not in body and "耗时" not in body  # operations stay in the collapsed section
    page.close()


def test_workbook_opens_in_libreoffice_with_chinese_headers_and_notes(run: Path, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(run / "assessment.xlsx")
    assert book.sheetnames[0] == "说明" and any(name.startswith("第二章") for name in book.sheetnames)
    chapter_2 = next(book[n] for n in book.sheetnames if n.startswith("第二章"))
    assert chapter_2.freeze_panes == "B2"
    headers = [c.value for c in chapter_2[1]]
    assert headers[:3] == ["指标", "属性", "目标（规划原文）"] and "总体判断" in headers
    assert not any(isinstance(h, str) and "_" in h for h in headers)
    english = openpyxl.load_workbook(run / "assessment_en.xlsx")
    assert english.sheetnames[0] == "Notes" and "Overall verdict" in [c.value for c in english[english.sheetnames[1]][1]]
    # Real LibreOffice reads every sheet; the chapter sheet shows values in their number formats.
    sheets = _libreoffice_csv(run / "assessment.xlsx", tmp_path)
    rows = sheets[chapter_2.title]
    assert rows[0][:3] == ["指标", "属性", "目标（规划原文）"]
    by_name = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert by_name["国家级高新技术企业"]["目标值"] == "8,000"  # a count: whole, with a separator
    assert by_name["规上工业增加值年均增长"]["目标值"] == "6.0"  # a rate: one decimal
    assert by_name["规上工业增加值年均增长"]["完成程度"].endswith("%")
    notes = "\n".join(",".join(r) for r in sheets["说明"])
    assert "总体判断" in notes and "已实现" in notes and "数据不足" in notes
    assert set(sheets) == set(book.sheetnames)


def _libreoffice_csv(path: Path, tmp_path: Path) -> dict[str, list[list[str]]]:
    """Every sheet as LibreOffice shows it (UTF-8, formatted values), by sheet name."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) not found")
    out = tmp_path / "lo"
    filt = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"  # UTF-8, as shown, every sheet
    proc = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            filt,
            "--outdir",
            str(out),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    prefix = path.stem + "-"
    return {f.stem[len(prefix) :]: list(csv.reader(f.read_text(encoding="utf-8").splitlines())) for f in sorted(out.glob("*.csv"))}


def test_chinese_reports_visible_text_in_chromium_is_plain_chinese(run: Path, browser: Any) -> None:
    # What Chromium renders (every collapsed 数据 table opened), minus URLs, source titles and captions:
    # no internal id, method name, English word, "亿亿" or "左右%" (the rules of tests/test_report_content.py).
    from tests.test_report_content import text_problems

    for name in ("overview_zh", "chapter_2_zh"):
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto((run / f"{name}.html").as_uri(), wait_until="load")
        text = page.evaluate(
            "(() => { document.querySelectorAll('details').forEach(d => d.open = true);"
            " document.querySelectorAll('.src, figcaption, script, style').forEach(e => e.remove());"
            " return document.body.innerText; })()"
        )
        fingerprint = manifest(run)["data_hash"][:12]
        page.close()
        assert "终期评估" in text
        assert text_problems(text, fingerprint) == [], name
