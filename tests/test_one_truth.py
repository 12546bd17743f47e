"""One truth in every output (issue 17), checked on one real nightly run of every leadership report.

- No zh or en leadership output (HTML reports and the two assessment workbooks) names a file
  (.csv/.py/.sql …), a code repository or a research tool: sources are publications; the research
  trail lives in the ``provenance`` column and on the coverage page only.
- Every output reports the same count per verdict: the overview tiles (zh and en), the chapter
  chart's counts, the 要点 headline sentence, the run index and the workbooks' 总体判断 column agree with the
  ``verdict`` column of the run's ``assessment.csv`` (one function, :mod:`fjdata.assess.verdicts`).
- No sentence says a figure for a plan year is "not published".
"""

from __future__ import annotations

import json
import re
import subprocess
from collections import Counter
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from fjdata.assess import verdicts
from fjdata.core.wording import words
from fjdata.inputs.plan import get_plan
from fjdata.inputs.registry import registry
from tests.conftest import shipped_reports

REPORTS = (
    "overview_zh",
    "chapter_1_zh",
    "chapter_2_zh",
    "chapter_3_zh",
    "chapter_4_zh",
    "chapter_5_zh",
    "annex_zh",
    "overview_en",
    "chapter_2_en",
)
WORKBOOKS = ("assessment.xlsx", "assessment_en.xlsx")
# A file name, a code host or repository, or a research tool: never a source a reader can look up.
TRAIL = re.compile(
    r"\b[\w.-]+\.(?:csv|py|sql|ya?ml|ipynb|json|parquet)\b|github|gitee|code-corpus|read_file|repository|panel CSV|dbt SQL|hongheiku",
    re.IGNORECASE,
)
NOT_PUBLISHED = re.compile(r"待公布|尚未公布|未公布|not (?:yet )?published", re.IGNORECASE)


@pytest.fixture
def run(shipped_run: tuple[subprocess.CompletedProcess[str], Path]) -> Path:
    return shipped_reports(shipped_run, REPORTS)


def reader_text(path: Path) -> str:
    """Everything a reader of the page can see or follow: text (source titles and captions
    included) and link targets; not the stylesheets and scripts of the page template."""
    doc = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    for tag in doc(["script", "style"]):
        tag.decompose()
    links = " ".join(str(a.get("href", "")) for a in doc.select("a[href]"))
    return re.sub(r"\s+", " ", doc.get_text(" ")) + " " + links


def workbook_text(path: Path) -> str:
    book = openpyxl.load_workbook(path, read_only=True)
    return " ".join(str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None)


@pytest.mark.parametrize("name", [*REPORTS, *WORKBOOKS])
def test_leadership_outputs_name_no_file_repository_or_tool(run: Path, name: str) -> None:
    path = run / (name if name.endswith(".xlsx") else f"{name}.html")
    text = workbook_text(path) if name.endswith(".xlsx") else reader_text(path)
    assert not sorted(set(TRAIL.findall(text))), name


@pytest.mark.parametrize("name", [*REPORTS, *WORKBOOKS])
def test_no_figure_is_said_to_be_unpublished(run: Path, name: str) -> None:
    path = run / (name if name.endswith(".xlsx") else f"{name}.html")
    text = workbook_text(path) if name.endswith(".xlsx") else reader_text(path)
    assert not NOT_PUBLISHED.findall(text), [text[max(0, m.start() - 60) : m.end() + 20] for m in NOT_PUBLISHED.finditer(text)][:3]


def _headline(run: Path) -> tuple[pd.DataFrame, dict[str, int]]:
    table = pd.read_csv(run / "assessment.csv", encoding="utf-8-sig")
    table = table[table["as_of"].isna()]  # today's view (the mid-term rows are the mid-term section's)
    plan = get_plan(None)
    head = next(g for g in plan.groups if g.headline)
    ids = {t.target_id for t in registry(plan) if t.group == head.key}
    mine = table[table["target_id"].isin(ids)]
    counts = Counter(mine["verdict"])
    return table, {k: counts[k] for k in verdicts.FINAL_VERDICTS}


def test_every_output_reports_the_same_counts(run: Path) -> None:
    table, expected = _headline(run)
    assert sum(expected.values()) == 20  # 专栏2's twenty main indicators
    for lang in ("zh", "en"):
        doc = BeautifulSoup((run / f"overview_{lang}.html").read_text(encoding="utf-8"), "html.parser")
        tiles = {
            next(c[2:] for c in t["class"] if c.startswith("v-")): int(t.select_one(".tile-num").get_text()) for t in doc.select(".tile")
        }
        assert tiles == expected, (lang, "tiles")
        w, plan = words(lang), get_plan(None)
        head = next(g for g in plan.groups if g.headline)
        sentence = str(w["n_headline"]).format(g=head.title(lang), n=sum(expected.values()), **expected)
        assert sentence.strip() in re.sub(r"\s+", " ", doc.get_text(" ")), (lang, "要点")
        # The chapter chart counts every chapter's targets by the same verdicts.
        charted = {s["data-chapter"]: json.loads(s["data-counts"]) for s in doc.select("[data-counts]")}
        for chapter, rows in table.groupby(table["chapter"].astype(str)):
            found = Counter(rows["verdict"])
            assert {k: v for k, v in charted[chapter].items() if v} == {k: v for k, v in found.items() if v}, (lang, chapter)
    # The run index says it too, beside the overview (the tiles' counting).
    index = BeautifulSoup((run / "index.html").read_text(encoding="utf-8"), "html.parser")
    line = index.select_one("li.report[data-report='overview_zh'] .h")
    assert line is not None
    for key, n in expected.items():
        label = str(words("zh")["verdicts"][key]["label"])
        assert str(words("zh")["run_index"]["count"]).format(label=label, n=n) in line.get_text(), (key, line.get_text())
    # The workbooks' 摘要 sheet opens with the same counts in the same words.
    for book_name, lang in zip(WORKBOOKS, ("zh", "en"), strict=True):
        labels = {str(words(lang)["verdicts"][k]["label"]): k for k in verdicts.ALL_VERDICTS}
        book = openpyxl.load_workbook(run / book_name, read_only=True)
        rows = [r for r in book.worksheets[0].iter_rows(values_only=True) if r and r[0]]
        book.close()
        first = next(i for i, r in enumerate(rows) if r[1] == words(lang)["workbook"]["count"])
        seen: dict[str, int] = {}
        for r in rows[first + 1 :]:
            label = str(r[0]).split(" ", 1)[-1]
            if label not in labels or labels[label] in seen:
                break
            seen[labels[label]] = int(r[1])
        assert {k: seen.get(k, 0) for k in verdicts.FINAL_VERDICTS} == expected, book_name


def test_the_official_statement_sits_beside_every_main_indicator(run: Path) -> None:
    doc = BeautifulSoup((run / "chapter_2_zh.html").read_text(encoding="utf-8"), "html.parser")
    rows = doc.select("table.fj-scorecard tr[data-target]")
    assert len(rows) == 20
    for row in rows:
        text = row.get_text(" ")
        assert "陈建业" in text and "预期性表述，非终期核定数" in text, row["data-target"]


def test_a_missing_figure_is_due_only_after_its_usual_release() -> None:
    from datetime import date

    from fjdata.inputs.indicators import catalogue
    from fjdata.inputs.releases import DUE, NOT_YET, release_state, usual_release

    assert catalogue()["industrial_investment_growth"].release == "bulletin"  # the statistical communiqué, March
    assert usual_release("industrial_investment_growth", 2025) == date(2026, 4, 1)
    assert release_state("industrial_investment_growth", 2025, date(2026, 3, 31)) == NOT_YET
    assert release_state("industrial_investment_growth", 2025, date(2026, 4, 1)) == DUE
    assert catalogue()["manufacturing_va_share_gdp"].release == "yearbook"  # autumn of the next year
    assert release_state("manufacturing_va_share_gdp", 2025, date(2026, 10, 1)) == NOT_YET
