"""The reports as a reader opens them, in real headless Chromium after a real nightly: no page-level
horizontal scroll at 1280 px and 390 px, a target marker on every chart (drawn, read back from the
figure), the A4 print with no column narrower than four characters and no clipped table, PDFs linked
from a leadership index, and the assessment workbook opened by real LibreOffice.

Screenshots (overview, chapter 2, the PDF's first page, the phone view) go to outputs/test-artifacts/."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from fjdata.core.wording import words
from tests.conftest import libreoffice_convert
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
  const named = t.closest('.print-wide') ? 'wide' : getComputedStyle(box).page;  // a landscape section
  return {cls: t.className, page: named, right: t.getBoundingClientRect().right, cells};
})"""


def test_a4_print_has_no_column_under_four_characters_and_no_clipped_table(run: Path, browser: Any) -> None:
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
    pdf = ARTIFACTS / "overview_zh.pdf"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(_printed(run, "overview_zh"), pdf)
    sizes = _page_sizes(pdf)
    assert sizes and all(sorted(s) == [595, 842] for s in sizes)  # A4 (points), portrait or landscape
    assert any(w > h for w, h in sizes) == (wide > 0)  # landscape pages exactly when a table is too wide for portrait
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(ARTIFACTS / "overview_zh_pdf_page1")],
            check=True,
        )
        assert (ARTIFACTS / "overview_zh_pdf_page1.png").stat().st_size > 10_000


def _printed(run: Path, name: str) -> Path:
    """The A4 PDF the nightly printed of a report (with :func:`fjdata.batch.pdf.print_pdf`, as a
    reader gets it from the index): checked as shipped, not printed a second time."""
    pdfs = manifest(run)["pdfs"]
    assert name in pdfs, (name, manifest(run)["pdf_note"])
    return run / pdfs[name]


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


def test_workbook_opens_in_libreoffice_with_a_summary_first_filters_and_a_print_set_up(run: Path, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(run / "assessment.xlsx")
    assert book.sheetnames[0] == "摘要" and book.sheetnames[-1] == "说明" and "专栏2 主要指标" in book.sheetnames
    main = book["专栏2 主要指标"]
    headers = [c.value for c in main[1]]
    assert headers[:4] == ["指标", "章节", "属性", "总体判断"] and "目标" in headers
    assert main.freeze_panes == "B2" and main.auto_filter.ref and main.auto_filter.ref.startswith("A1:")
    assert main.page_setup.orientation == "landscape" and main.sheet_properties.pageSetUpPr.fitToPage
    assert main.page_setup.fitToWidth == 1 and main.page_setup.fitToHeight == 0 and main.print_title_rows in ("1:1", "$1:$1")
    hidden = [main.column_dimensions[c.column_letter].hidden for c in main[1]]
    assert hidden[-1] and not any(hidden[:-1])  # the target id only in a hidden column
    visible = [str(c.value) for row in main.iter_rows(min_row=2) for c in row[:-1] if c.value is not None]
    assert not any(re.search(r"\b[a-z]+_[a-z_0-9]+\b", v) for v in visible)  # no internal code in what a reader sees
    english = openpyxl.load_workbook(run / "assessment_en.xlsx")
    assert english.sheetnames[0] == "Summary" and english.sheetnames[-1] == "Notes"
    assert all(len(n) <= 31 and n == n.strip() for n in english.sheetnames)
    # Real LibreOffice reads every sheet as text the report also shows.
    sheets = _libreoffice_csv(run / "assessment.xlsx", tmp_path)
    assert set(sheets) == set(book.sheetnames)
    rows = sheets["专栏2 主要指标"]
    by_name = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert by_name["国家级高新技术企业"]["终期值（年份）"].startswith("≥")  # a floor keeps its mark
    assert "已实现" in "\n".join(",".join(r) for r in sheets["摘要"])


def _html_rows(html: Path) -> tuple[dict[str, int], dict[str, dict[str, str]]]:
    """The overview's tiles ({label: count}) and its scorecard rows by target id, as the reader sees them."""
    from bs4 import BeautifulSoup

    doc = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    tiles = {
        t.select_one(".tile-text").get_text(strip=True): int(t.select_one(".tile-num").get_text(strip=True)) for t in doc.select(".tile")
    }
    rows = {}
    for tr in doc.select("table.fj-scorecard tbody tr"):
        name = tr.select_one("td.c-name")
        attr = name.select_one(".attr")
        rows[tr["data-target"]] = {
            "name": (name.select_one("a") or name).get_text(strip=True).removesuffix(attr.get_text(strip=True) if attr else ""),
            "attribute": attr.get_text(strip=True) if attr else "",
            "verdict": tr.select_one(".verdict-label").get_text(strip=True),
            "final": tr.select_one("td.c-final .v").get_text(strip=True),
            "target": tr.select_one("td.c-target").get_text(strip=True),
            "share": tr.select_one("td.c-share").get_text(strip=True),
            "gap": tr.select_one("td.c-gap").get_text(strip=True),
            "base": tr.select_one("td.c-base").get_text(strip=True),
        }
    return tiles, rows


@pytest.mark.parametrize(("lang", "book_name"), [("zh", "assessment.xlsx"), ("en", "assessment_en.xlsx")])
def test_the_workbook_and_the_html_of_one_run_agree_on_every_count_label_and_rounded_value(run: Path, lang: str, book_name: str) -> None:
    tiles, rows = _html_rows(run / f"overview_{lang}.html")
    book = openpyxl.load_workbook(run / book_name)
    summary = [tuple(r) for r in book[book.sheetnames[0]].iter_rows(values_only=True)]
    for label, count in tiles.items():  # the headline block comes first and counts what the tiles count
        assert next(n for text, n in summary if isinstance(text, str) and text.endswith(" " + label)) == count, label
    w = words(lang)
    seen = {}
    for name in book.sheetnames[1:]:
        ws = book[name]
        header = [c.value for c in ws[1]]
        if header[-1] != "id" or w["col_target"] not in header:  # the scorecard sheets (not mid-term, notes)
            continue
        for values in ws.iter_rows(min_row=2, values_only=True):
            seen[values[-1]] = dict(zip(header, values, strict=True))
    assert set(seen) == set(rows)  # every target once, no other
    final, base = w["col_final"], str(w["col_base"]).format(y=2020)
    for tid, html in rows.items():
        x = seen[tid]
        assert x[w["col_indicator"]] == html["name"], tid
        assert (x[w["workbook"]["attribute"]] or "") == html["attribute"], tid  # 属性 translated once
        assert str(x[w["col_verdict"]]).endswith(html["verdict"]), tid
        assert x[final] == html["final"], tid
        assert x[w["col_target"]] == html["target"], tid
        assert x[w["col_share"]] == html["share"] and x[w["col_gap"]] == html["gap"], tid
        assert x[base] == html["base"], tid


def _libreoffice_csv(path: Path, tmp_path: Path) -> dict[str, list[list[str]]]:
    """Every sheet as LibreOffice shows it (UTF-8, formatted values), by sheet name."""
    out = tmp_path / "lo"
    filt = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"  # UTF-8, as shown, every sheet
    proc = libreoffice_convert(path, filt, out)
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


# --- issue 19: the phone, the A4 PDF -----------------------------------------------------------

PHONE = {"width": 390, "height": 844}
PHONE_MEASURE = """() => {
  const small = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || el.closest('details:not([open])')) continue;
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < 11) small.push([el.className, size, walker.currentNode.textContent.trim().slice(0, 20)]);
  }
  const charts = [...document.querySelectorAll('picture')].map(p => {
    const img = p.querySelector('img'), source = p.querySelector('source');
    const drawn = img.currentSrc === source.srcset ? source : img;  // the rendering the browser chose
    return parseFloat(drawn.dataset.textPx) * img.getBoundingClientRect().width / img.naturalWidth;
  });
  const body = [...document.querySelectorAll('.fj.narr li, .fj.narr p:not(.note)')].map(e => parseFloat(getComputedStyle(e).fontSize));
  const key = document.getElementById('narrative');
  return {small, charts, body, scroll: document.scrollingElement.scrollWidth, width: innerWidth,
          keypoints: key ? key.getBoundingClientRect().top + scrollY : null};
}"""


@pytest.mark.parametrize("name", ["overview_zh", "chapter_2_zh", "overview_en"])
def test_a_phone_reader_gets_the_key_points_first_cards_and_legible_text(run: Path, browser: Any, name: str) -> None:
    page = browser.new_page(viewport=PHONE)
    page.goto((run / f"{name}.html").as_uri(), wait_until="load")
    m = page.evaluate(PHONE_MEASURE)
    assert m["scroll"] <= m["width"]  # no sideways scrolling of the page
    assert m["keypoints"] is not None and m["keypoints"] < 2 * PHONE["height"], m["keypoints"]  # 要点 within two screens
    assert m["small"] == [], m["small"][:5]  # no visible text under 11 px
    assert m["body"] and min(m["body"]) >= 15
    assert m["charts"] and min(m["charts"]) >= 12, m["charts"]  # chart labels as shown on the phone
    # Each target is a card: no table header, the row a box with the verdict and the value against the target.
    card = page.locator("table.fj-scorecard tbody tr").first
    assert not page.locator("table.fj-scorecard thead").first.is_visible()
    assert card.evaluate("e => getComputedStyle(e).display") == "flex"
    for part in ("c-name", "c-verdict", "c-final", "c-target"):
        assert card.locator(f"td.{part}").is_visible(), part
    box = card.bounding_box()
    assert box is not None and box["width"] <= PHONE["width"]
    if name == "overview_zh":
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shot = ARTIFACTS / "overview_zh_390_two_screens.png"
        page.screenshot(path=str(shot), clip={"x": 0, "y": 0, "width": 390, "height": 2 * PHONE["height"]}, full_page=True)
    page.close()
    desk = browser.new_page(viewport={"width": 1280, "height": 900})
    desk.goto((run / f"{name}.html").as_uri(), wait_until="load")
    assert desk.locator("table.fj-scorecard thead").first.is_visible()  # the desktop keeps the table
    assert desk.locator("table.fj-scorecard tbody tr").first.evaluate("e => getComputedStyle(e).display") == "table-row"
    desk.close()


SPLIT_YEAR = re.compile(r"\d\n+\d{0,3}年")  # "201\n9年"


@pytest.mark.parametrize("name", ["overview_zh", "chapter_2_zh", "overview_en"])
def test_the_a4_pdf_has_landscape_tables_whole_numbers_no_stranded_heading_and_legible_badges(run: Path, browser: Any, name: str) -> None:
    page = browser.new_page()
    page.goto((run / f"{name}.html").as_uri(), wait_until="load")
    page.emulate_media(media="print")
    badges = page.evaluate("[...document.querySelectorAll('.fj .badge')].map(e => parseFloat(getComputedStyle(e).fontSize))")
    assert badges and min(badges) >= 8 * 96 / 72 - 0.01  # 8 pt
    headings = {t.strip() for t in page.evaluate("[...document.querySelectorAll('.fj h2, .fj h3')].map(e => e.innerText)") if t.strip()}
    page.close()
    pdf = _printed(run, name)
    sizes = _page_sizes(pdf)
    assert all(sorted(s) == [595, 842] for s in sizes)
    assert any(w > h for w, h in sizes) and any(w < h for w, h in sizes)  # landscape sections for the wide tables
    raw = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout  # reading order
    assert not SPLIT_YEAR.search(raw), SPLIT_YEAR.search(raw)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for number, page_text in enumerate(text.split("\f")[:-1], start=1):
        lines = [ln.strip() for ln in page_text.splitlines() if ln.strip() and not re.fullmatch(r"\d+ / \d+", ln.strip())]
        assert lines and lines[-1] not in headings, (number, lines[-1])  # no heading left at a page foot
    if name == "overview_zh" and shutil.which("pdftoppm"):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "3", str(pdf), str(ARTIFACTS / "overview_zh_pdf")], check=True)
