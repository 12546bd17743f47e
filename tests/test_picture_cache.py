"""A chapter's context charts and the overview's bar chart are stored on what they show, like the
target charts: a second report (another kernel, the next night) reads them, and a chart whose
series, forecast or language differs is drawn again (fjdata.report.chapter_report.stored_picture)."""

from __future__ import annotations

import dataclasses
import importlib

import pytest

from fjdata.assess.prepare import prepare
from fjdata.assess.view import View
from fjdata.report.chapter_report import ChapterReport, context_chart_html

chapter_report = importlib.import_module("fjdata.report.chapter_report")


def _refuse(*args: object, **kwargs: object) -> None:
    raise AssertionError("drawn again although nothing it shows changed")


def test_a_context_chart_is_drawn_once_and_again_when_what_it_shows_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    prepared = prepare(View.of(), 1)  # chapter 1 shows context indicators (GDP, industry, R&D, energy)
    context = next(c for c in prepared.contexts if c.forecast is not None)
    first = context_chart_html(context, "zh")
    assert "<picture>" in first and f"data-indicator='{context.indicator_id}'" in first
    with monkeypatch.context() as m:
        m.setattr(chapter_report, "series_figure", _refuse)
        assert context_chart_html(context, "zh") == first  # read, not drawn
        with pytest.raises(AssertionError, match="drawn again"):  # another language: other words on the chart
            context_chart_html(context, "en")
        with pytest.raises(AssertionError, match="drawn again"):  # no forecast: another picture
            context_chart_html(dataclasses.replace(context, forecast=None), "zh")
        shifted = dataclasses.replace(context.judged, values=context.judged.values * 1.01)
        with pytest.raises(AssertionError, match="drawn again"):  # other values
            context_chart_html(dataclasses.replace(context, judged=shifted), "zh")


def test_the_overview_chart_is_drawn_once(monkeypatch: pytest.MonkeyPatch) -> None:
    report = ChapterReport.from_prepared(prepare(View.of(), None), lang="zh")
    first = report.overview_chart_html()
    with monkeypatch.context() as m:
        m.setattr(chapter_report, "bar_figure", _refuse)
        assert report.overview_chart_html() == first
        english = ChapterReport.from_prepared(prepare(View.of(), None), lang="en")
        with pytest.raises(AssertionError, match="drawn again"):
            english.overview_chart_html()
