"""report, narrative and explore tested through their view-models (no browser, no kernel)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from fjdata.assessment import Assessment, assessments, results
from fjdata.explore import USER_ROWS_SHOWN, Exploration
from fjdata.judgements import Status
from fjdata.narrative import chapter_narrative
from fjdata.observations import observations
from fjdata.report import ChapterReport, _projection_text, fmt
from tests.conftest import obs_row, write_csv


@pytest.fixture(scope="module")
def chapter2() -> list[Assessment]:
    return assessments(chapter=2)


def _modelled(items: list[Assessment]) -> Assessment:
    return next(a for a in items if a.model_value is not None and a.model_method != "observed" and a.model_lo80 is not None)


def test_projection_text_switches_interval_with_confidence(chapter2: list[Assessment]) -> None:
    a = replace(_modelled(chapter2), model_value=50.0, model_lo80=45.0, model_hi80=55.0, model_lo95=40.0, model_hi95=60.0)
    assert _projection_text(a, 0.8) == f"{fmt(50.0)} [{fmt(45.0)}, {fmt(55.0)}]"
    assert _projection_text(a, 0.95) == f"{fmt(50.0)} [{fmt(40.0)}, {fmt(60.0)}]"
    assert _projection_text(replace(a, model_method="observed"), 0.95) == fmt(50.0)


def _with(a: Assessment, cn: Status, model: Status, target_id: str) -> Assessment:
    return replace(a, cn_status=cn, model_status=model, target_id=target_id, name_en=f"T {target_id}", name_zh=f"目标{target_id}")


def test_narrative_counts_each_category_once(chapter2: list[Assessment]) -> None:
    a = chapter2[0]
    items = [
        _with(a, Status.ACHIEVED, Status.ACHIEVED, "a"),
        _with(a, Status.ON_TRACK, Status.LIKELY, "b"),
        _with(a, Status.LAGGING, Status.UNLIKELY, "c"),
        _with(a, Status.LAGGING, Status.POSSIBLE, "d"),
        _with(a, Status.INSUFFICIENT, Status.INSUFFICIENT, "e"),
    ]
    text = chapter_narrative(items, {}, "en", 2022)
    assert (
        text[0].startswith("This part has 5 quantitative targets")
        and "1 are met or met early, 1 are ahead of or broadly on schedule and 2 are lagging" in text[0]
    )
    assert "1 lack verifiable public data" in text[0]
    assert text[1] == "Model judgement: 2 likely or already met, 1 possible, 1 unlikely or missed."
    assert text[-1] == "Not judged for lack of data: T e."
    zh = chapter_narrative(items, {}, "zh", 2022)
    assert "本部分共5项量化目标" in zh[0] and "2项滞后或未实现" in zh[0]


def test_narrative_compares_with_the_midterm_in_the_right_direction(chapter2: list[Assessment]) -> None:
    a = chapter2[0]
    now = [
        _with(a, Status.ON_TRACK, Status.LIKELY, "up"),
        _with(a, Status.LAGGING, Status.UNLIKELY, "down"),
        _with(a, Status.ON_TRACK, Status.POSSIBLE, "same"),
    ]
    mid = {
        "up": _with(a, Status.LAGGING, Status.UNLIKELY, "up"),
        "down": _with(a, Status.ON_TRACK, Status.LIKELY, "down"),
        "same": _with(a, Status.ON_TRACK, Status.POSSIBLE, "same"),
    }
    line = next(s for s in chapter_narrative(now, mid, "en", 2022) if s.startswith("Against the model view"))
    assert "3 targets could be judged then; 1 improved and 1 worsened since" in line


def test_chapter_report_shows_every_target_once() -> None:
    report = ChapterReport.build(2, lang="en")
    items = results(2)
    html = report.summary_html()
    assert html.count("<tr") - 1 == len(items)  # one header row
    for r in items:
        assert r.assessment.name_en in html or r.assessment.name_en.replace("&", "&amp;") in html
    assert report.fingerprint[:12] in report.header_html()
    assert "This part has" in report.narrative_html()
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
