"""report, narrative and explore tested through their view-models (no browser, no kernel)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fjdata.assess.assessment import Assessment, assessments, results
from fjdata.assess.judgements import Status
from fjdata.inputs.observations import observations
from fjdata.report import formatting as fmt
from fjdata.report.chapter_report import ChapterReport
from fjdata.report.explore import USER_ROWS_SHOWN, Exploration
from fjdata.report.narrative import chapter_narrative
from fjdata.report.scorecard import projection_text
from tests.conftest import obs_row, write_csv


@pytest.fixture(scope="module")
def chapter2() -> list[Assessment]:
    return assessments(chapter=2)


def _modelled(items: list[Assessment]) -> Assessment:
    return next(a for a in items if a.model_value is not None and a.model_method != "observed" and a.model_lo80 is not None)


def test_projection_text_switches_interval_with_confidence(chapter2: list[Assessment]) -> None:
    a = _modelled(chapter2).replace(
        model_value=50.0, model_lo80=45.0, model_hi80=55.0, model_lo95=40.0, model_hi95=60.0, model_estimate=False
    )
    a = a.replace(kind="count", unit="家", judged_unit="家")
    assert projection_text(a, 0.8, "zh") == f"模型预测{a.target_year}年为{fmt.value(50.0, '家')}（80%区间45～55）"
    assert projection_text(a, 0.95, "zh") == f"模型预测{a.target_year}年为{fmt.value(50.0, '家')}（95%区间40～60）"
    assert projection_text(a.replace(model_method="observed"), 0.95, "zh") == ""
    # A past target year is estimated, not forecast, and says so.
    assert projection_text(a.replace(model_estimate=True), 0.8, "zh").startswith("模型估计")
    assert projection_text(a.replace(model_estimate=True), 0.8, "en").startswith("model estimate for ")


def _with(a: Assessment, overall: Status, cn: Status, target_id: str) -> Assessment:
    return a.replace(
        overall_status=overall,
        cn_status=cn,
        target_id=target_id,
        name_en=f"T {target_id}",
        name_zh=f"目标{target_id}",
        period_over=True,
        final=False,
        kind="level",
        avg_growth=None,
    )


def test_narrative_counts_each_category_once(chapter2: list[Assessment]) -> None:
    a = chapter2[0]
    items = [
        _with(a, Status.ACHIEVED, Status.ACHIEVED, "a"),
        _with(a, Status.PROBABLY_ACHIEVED, Status.ON_TRACK, "b"),
        _with(a, Status.MISSED, Status.LAGGING, "c"),
        _with(a, Status.UNCERTAIN, Status.LAGGING, "d"),
        _with(a, Status.INSUFFICIENT, Status.INSUFFICIENT, "e"),
    ]
    text = chapter_narrative(items, {}, "en", 2022)
    assert text[0].startswith("The plan period ended in ") and ": this is the final evaluation." in text[0]
    assert "All quantitative targets (5): achieved 1, broadly achieved 0, missed 1, without a final figure 3." in text[0]
    assert text[1].startswith("Achieved: T a: ")  # "name: value in year" agrees with any subject
    assert any(p.startswith("Missed: T c: ") for p in text)  # missed apart from "short, final figure awaited"
    assert text[-1].startswith("Targets still without a final figure: 3")
    zh = chapter_narrative(items, {}, "zh", 2022)
    assert "本报告为终期评估。" in zh[0] and "全部5项量化目标中，已实现1项，基本实现0项，未实现1项，3项尚缺终期数据。" in zh[0]


def test_narrative_compares_with_the_midterm_in_the_right_direction(chapter2: list[Assessment]) -> None:
    a = chapter2[0]
    now = [
        _with(a, Status.ON_TRACK, Status.ON_TRACK, "up"),
        _with(a, Status.LAGGING, Status.LAGGING, "down"),
        _with(a, Status.ON_TRACK, Status.ON_TRACK, "same"),
    ]
    mid = {
        "up": _with(a, Status.LAGGING, Status.LAGGING, "up"),
        "down": _with(a, Status.ON_TRACK, Status.ON_TRACK, "down"),
        "same": _with(a, Status.ON_TRACK, Status.ON_TRACK, "same"),
    }
    line = next(s for s in chapter_narrative(now, mid, "en", 2022) if s.startswith("Against the 2022 mid-term view"))
    assert line.endswith("; the overall verdict worsened for T down.")
    # A change in (a) alone does not make the overall verdict worse.
    only_cn = {"same": mid["same"].replace(cn_status=Status.AHEAD)}
    line = next(s for s in chapter_narrative([now[2].replace(cn_status=Status.LAGGING)], only_cn, "en", 2022) if s.startswith("Against"))
    assert "worsened" not in line


def test_chapter_report_shows_every_target_once() -> None:
    report = ChapterReport.build(2, lang="en")
    items = results(2)
    html = report.summary_html()
    assert html.count("<tr data-target=") == len(items)  # one row per target, in its section
    for r in items:
        assert r.assessment.name_en in html or r.assessment.name_en.replace("&", "&amp;") in html
    assert report.fingerprint[:12] in report.header_html()
    assert "this is the final evaluation" in report.narrative_html()
    assert ChapterReport.build(1, lang="en").summary_html().count("This chapter sets no quantitative targets") == 1


def test_exploration_marks_the_series_the_analysis_uses() -> None:
    ex = Exploration.build("rd_intensity", lang="en", methods=["drift", "theta"])
    table = ex.observations_table()
    assert len(table) == len(observations("rd_intensity", region=None))
    used = table[table["used"]]
    consistent = observations("rd_intensity", region=None, vintage_rule="consistent")
    assert sorted(zip(used["region"], used["year"], strict=True)) == sorted(zip(consistent["region"], consistent["year"], strict=True))
    methods = ex.methods_table()
    assert (
        list(methods["method"]) == ["drift", "theta"]
        and (methods["lo"] < methods["mean"]).all()
        and (methods["mean"] < methods["hi"]).all()
    )
    assert "data:image/png;base64," in ex.methods_chart_html()


def test_exploration_caps_user_rows(tmp_path: Path) -> None:
    n = USER_ROWS_SHOWN + 7
    rows = [obs_row(year=2030, value=20 + i % 5, vintage=f"bulk_{i}") for i in range(n)]
    path = write_csv(tmp_path / "bulk.csv", rows)
    page = Exploration.build("green_parks", lang="en", methods=["drift"], extra_data=path).user_rows_html()
    assert page.count("<tr") == USER_ROWS_SHOWN + 1 and "7 more rows not shown" in page


def test_exploration_reads_in_its_language_with_report_number_formats() -> None:
    import re

    methods = ["drift", "theta"]
    zh, en = (Exploration.build("above_size_industry_va_growth", lang=lang, methods=methods) for lang in ("zh", "en"))
    sections = ("observations", "methods", "backtest", "targets", "add_data")
    zh_heads = [re.search(r"<h2>(.*?)</h2>", zh.heading_html(s)).group(1) for s in sections]  # type: ignore[union-attr]
    en_heads = [re.search(r"<h2>(.*?)</h2>", en.heading_html(s)).group(1) for s in sections]  # type: ignore[union-attr]
    assert all(re.search(r"[\u4e00-\u9fff]", h) and not re.search(r"[A-Za-z]", h) for h in zh_heads), zh_heads
    assert all(re.fullmatch(r"[A-Za-z -]+", h) for h in en_heads), en_heads
    for ex in (zh, en):
        tables = ex.methods_html() + ex.backtest_html() + ex.assessment_html() + ex.observations_html()
        cells = re.findall(r"<td[^>]*>([^<]*)</td>", tables)
        assert cells and not [c for c in cells if re.fullmatch(r"-?\d+\.0|-?\d+\.\d{4,}", c)], "pandas defaults such as 2025.0 / 116.164300"
    assert "<th>方法</th>" in zh.methods_html() and "<th>总体判断</th>" in zh.assessment_html() and "已实现" in zh.assessment_html()
    assert "<th>method</th>" in en.methods_html() and "achieved" in en.assessment_html()
