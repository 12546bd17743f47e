"""The final-evaluation edition's content, read as a reader reads it: real papermill runs of the
overview and chapter 2 (through the nightly, exported to HTML), parsed with BeautifulSoup.

Checks: no internal id, method name or English word in a Chinese report's visible text (URLs and
source titles/quotes — elements with class ``src`` and chart captions — excluded); no doubled or
stray units; the tiles count the plan's headline group; every scorecard row has exactly one
verdict symbol with a text label and an accessible name; overview rows link to an existing
anchor in the chapter report; the formatter is pinned on examples.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from fjdata.assess.assessment import assessments
from fjdata.assess.judgements import Status
from fjdata.core.errors import RegistryError
from fjdata.core.wording import check_same_keys, words
from fjdata.forecast.models import METHODS
from fjdata.inputs.plan import get_plan
from fjdata.inputs.registry import load_targets, registry
from fjdata.report import formatting as fmt
from fjdata.report import scorecard
from tests.conftest import shipped_reports

REPORTS = ("overview_zh", "chapter_2_zh", "overview_en")
SNAKE = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")
# The model names a reader must never see, from the model registry plus the families' short names.
METHOD_WORDS = sorted({*(m.lower() for m in METHODS), "naive", "drift", "theta", "combination", "ets", "arima", "linear", "loglinear"})
ALLOWED_LATIN = {"GDP", "fjdata"}  # the indicator's own abbreviation and the tool's name in the footer


@pytest.fixture
def run_folder(shipped_run: tuple[subprocess.CompletedProcess[str], Path]) -> Path:
    return shipped_reports(shipped_run, REPORTS)


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def visible_text(doc: BeautifulSoup) -> str:
    """What a reader sees, without URLs (attributes are dropped) and source titles or quotes."""
    doc = BeautifulSoup(str(doc), "html.parser")
    for tag in doc(["script", "style", "head", "title"]):
        tag.decompose()
    for tag in doc.select(".src, figcaption"):
        tag.decompose()
    return re.sub(r"\s+", " ", doc.get_text(" "))


def text_problems(text: str, fingerprint: str) -> list[str]:
    """Everything in a Chinese report's text that should not be there."""
    text = text.replace(fingerprint, "")
    found = [f"id {m}" for m in sorted(set(SNAKE.findall(text)))]
    found += [f"method {m}" for m in METHOD_WORDS if re.search(rf"(?<![A-Za-z]){re.escape(m)}(?![A-Za-z])", text, re.IGNORECASE)]
    found += [f"text {bad!r}" for bad in ("亿亿", "左右%", "%%", "%％") if bad in text]
    found += [f"decimals {m}" for m in re.findall(r"\d+\.00\b", text)]
    found += [f"English {w}" for w in sorted(set(re.findall(r"[A-Za-z]{2,}", text)) - ALLOWED_LATIN)]
    return found


def fingerprint_of(doc: BeautifulSoup) -> str:
    m = re.search(r"(?:数据指纹|Data fingerprint): ([0-9a-f]{12})", doc.get_text(" "))
    assert m, "the header names the data fingerprint"
    return m.group(1)


@pytest.mark.parametrize("name", ["overview_zh", "chapter_2_zh"])
def test_chinese_reports_read_as_plain_chinese(run_folder: Path, name: str) -> None:
    doc = soup(run_folder / f"{name}.html")
    text = visible_text(doc)
    assert "终期评估" in text and len(text) > 2000
    assert text_problems(text, fingerprint_of(doc)) == []


def test_the_text_check_catches_what_it_guards() -> None:
    bad = "规模超5000亿亿元；保持在三分之一左右%；above_size_industry_va_growth；预测（drift）；58.00 家；final"
    found = text_problems(bad, "")
    assert any("亿亿" in f for f in found) and any("左右%" in f for f in found)
    assert "id above_size_industry_va_growth" in found and "method drift" in found and "decimals 58.00" in found
    assert "English final" in found


def test_tiles_count_the_plans_headline_group(run_folder: Path) -> None:
    doc = soup(run_folder / "overview_zh.html")
    plan = get_plan()
    head = scorecard.headline_group(plan)
    assert head is not None  # the plan data name the main indicators (plan.yaml `groups`, targets.yaml `group`)
    n_main = sum(1 for t in registry(plan) if t.group == head.key)
    tiles = doc.select(".tiles .tile")
    assert [t.select_one(".tile-text").get_text(strip=True) for t in tiles] == [
        words("zh")["verdicts"][k]["label"] for k in scorecard.FINAL_VERDICTS
    ]
    assert sum(int(t.select_one(".tile-num").get_text(strip=True)) for t in tiles) == n_main
    first = doc.select_one("table.fj-scorecard")
    assert first is not None and len(first.select("tbody tr")) == n_main  # the first section is the headline group


def test_every_row_has_one_labelled_verdict_and_attention_first(run_folder: Path) -> None:
    doc = soup(run_folder / "overview_zh.html")
    labels = {v["label"] for v in words("zh")["verdicts"].values()}
    tables = doc.select("table.fj-scorecard")
    rows = [tr for t in tables for tr in t.select("tbody tr")]
    assert len(rows) == len(registry(get_plan()))
    order = [*scorecard.FINAL_VERDICTS]
    rank = {"missed": 0, "pending": 1, "basic": 2, "met": 3}
    assert set(rank) == set(order)
    for table in tables:
        keys = []
        for tr in table.select("tbody tr"):
            symbols = tr.select(".verdict")
            assert len(symbols) == 1, tr
            sym = symbols[0]
            assert sym.get("aria-label") and sym.get("title") and sym.get("role") == "img"
            label = sym.find_next_sibling(class_="verdict-label")
            assert label is not None and label.get_text(strip=True) in labels
            keys.append(next(c[2:] for c in sym["class"] if c.startswith("v-")))
        assert [rank[k] for k in keys] == sorted(rank[k] for k in keys)  # rows needing attention first


def test_overview_rows_link_to_anchors_in_the_chapter_report(run_folder: Path) -> None:
    overview = soup(run_folder / "overview_zh.html")
    chapter = soup(run_folder / "chapter_2_zh.html")
    chapter2 = {t.target_id for t in registry() if t.chapter == "2"}
    links = {a["href"] for a in overview.select("table.fj-scorecard a[href]")}
    to_ch2 = {h for h in links if h.startswith("chapter_2_zh.html#t-")}
    assert {h.split("#t-")[1] for h in to_ch2} == chapter2
    ids = {tag["id"] for tag in chapter.select("[id]")}
    assert {f"t-{t}" for t in chapter2} <= ids  # every target has its anchor
    toc = {a["href"] for a in chapter.select("nav.toc a[href]")}
    assert "#scorecard" in toc and "#sources" in toc and all(h[1:] in ids for h in toc)


def test_evidence_badges_and_caveats_come_from_data(run_folder: Path) -> None:
    doc = soup(run_folder / "chapter_2_zh.html")
    w = words("zh")
    text = visible_text(doc)
    assert any(b.get_text(strip=True) in w["tiers"].values() for b in doc.select(".badge.tier"))
    assert doc.select(".badge.b-stale")  # values older than the target year − 1 are marked
    caveats = {t.caveat_zh for t in registry() if t.chapter == "2" and t.caveat_zh}
    assert caveats and all(c in text for c in caveats)
    assert "≥" in text  # floors keep their sign


def test_midterm_table_scores_calls_against_outcomes(run_folder: Path) -> None:
    doc = soup(run_folder / "overview_zh.html")
    table = doc.select_one("table.fj-midterm")
    assert table is not None and len(table.select("tbody tr")) >= 1
    cells = {td.get_text(strip=True) for td in table.select("td.hit")}
    assert cells <= {"正确", "不正确", "—"} and cells & {"正确", "不正确"}


def test_english_overview_speaks_english(run_folder: Path) -> None:
    doc = soup(run_folder / "overview_en.html")
    glossary = doc.select_one(".glossary")
    assert glossary is not None and len(glossary.select("dt")) == len(glossary.select("dd[lang=zh-CN]")) > 20
    glossary.decompose()  # the glossary's Chinese is the point of it: terms a reader meets in the sources
    text = visible_text(doc)
    assert "final evaluation" in text and "Achieved" in text
    assert not re.search(r"[亿家个项]", re.sub(r"\([^)]*[\u4e00-\u9fff][^)]*\)", "", text))  # units translated


# --- the formatter and the scorecard logic, pinned ---------------------------------------------


def test_formatter_pins() -> None:
    assert fmt.value(58.0, "家") == "58家" and fmt.value(456.0, "家") == "456家" and fmt.value(74.75, "家") == "75家"
    assert fmt.value(750, "个", bound="lower") == "≥750个"
    assert fmt.value(9925.66, "亿元") == "9,926亿元" and fmt.value(74.34, "亿元") == "74.3亿元"
    assert fmt.value(6.5, "%") == "6.5%" and fmt.value(133.82255776000002, "%") == "133.8%"
    assert fmt.value(38.56, "万元/人") == "38.6万元/人"
    assert fmt.points(1.63) == "1.6个百分点" and fmt.points(-2.0, "en") == "2.0 percentage points"
    assert fmt.share(1.225) == "122.5%" and fmt.times(2.884) == "2.9倍"
    assert fmt.probability(0.0) == "<5%" and fmt.probability(1.0) == ">95%" and fmt.probability(0.00024) == "<5%"
    assert fmt.value(None, "家") == "—"
    # The plan's own wording keeps its unit once.
    assert fmt.plan_wording("规模超5000亿", "亿元", True) == "规模超5000亿"
    assert fmt.plan_wording("保持在三分之一左右", "%", True) == "保持在三分之一左右"
    assert fmt.plan_wording("达750", "个", True) == "达750个" and fmt.plan_wording("年均增长6%", "%", True) == "年均增长6%"
    # English units, rescaled where the unit says so.
    assert fmt.value(9925.66, "亿元", "en") == "992.6 bn yuan" and fmt.value(58, "家", "en") == "58"
    assert fmt.value(6.1, "%", "en") == "6.1%"


def test_wording_files_define_the_same_keys() -> None:
    assert check_same_keys() == []
    assert words("zh")["verdicts"].keys() == words("en")["verdicts"].keys()


def test_verdicts_and_midterm_scoring_on_real_assessments() -> None:
    a = next(x for x in assessments(chapter=2) if x.kind == "count" and x.target_value is not None)
    final = a.replace(
        period_over=True,
        final=True,
        overall_status=Status.ACHIEVED,
        latest_year=a.target_year,
        latest_raw_value=105.0,
        latest_value=105.0,
    )
    assert scorecard.verdict_key(final) == scorecard.MET
    assert scorecard.verdict_key(final.replace(overall_status=Status.PROBABLY_ACHIEVED, final=False)) == scorecard.PENDING
    assert scorecard.verdict_key(final.replace(overall_status=Status.BASICALLY_ACHIEVED)) == scorecard.BASIC
    assert scorecard.verdict_key(final.replace(overall_status=Status.MISSED)) == scorecard.MISSED
    mid = a.replace(overall_status=Status.AHEAD, model_value=100.0, model_lo80=90.0, model_hi80=110.0, judged_unit=a.unit)

    class R:  # the scoring reads only .assessment
        assessment = final

    (s,) = scorecard.midterm_scores([R()], {a.target_id: mid}, "zh")  # type: ignore[list-item]
    assert s.hit is True and s.inside80 is True and s.error == "+" + fmt.value(5.0, a.unit)
    (s,) = scorecard.midterm_scores([R()], {a.target_id: mid.replace(overall_status=Status.LAGGING, model_hi80=104.0)}, "zh")  # type: ignore[list-item]
    assert s.hit is False and s.inside80 is False
    (s,) = scorecard.midterm_scores([R()], {a.target_id: mid.replace(overall_status=Status.INSUFFICIENT)}, "zh")  # type: ignore[list-item]
    assert s.hit is None


def test_a_target_group_must_be_one_of_the_plans(tmp_path: Path) -> None:
    plan = get_plan()
    text = plan.targets_file.read_text(encoding="utf-8").replace("group: main", "group: mian", 1)
    bad = tmp_path / "targets.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(RegistryError, match=r"'mian' is not one of the plan's groups: main, sector, cluster, tasks"):
        load_targets(bad, plan=plan)
