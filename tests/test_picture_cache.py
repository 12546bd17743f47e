"""A chapter's context charts and the overview's bar chart are stored on what they show, like the
target charts: a second report (another kernel, the next night) reads them, and a chart whose
series, forecast or language differs is drawn again (fjdata.report.chapter_report.stored_picture)."""

from __future__ import annotations

import dataclasses
import importlib

import pytest

from fjdata.assess.prepare import ContextSeries, prepare
from fjdata.assess.view import View
from fjdata.report.chapter_report import ChapterReport, context_chart_html

chapter_report = importlib.import_module("fjdata.report.chapter_report")


def _refuse(*args: object, **kwargs: object) -> None:
    raise AssertionError("drawn again although nothing it shows changed")


def test_a_context_chart_is_drawn_once_and_again_when_what_it_shows_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    prepared = prepare(View.of(), 1)  # chapter 1 shows context indicators (GDP, industry, R&D, energy)
    shipped = next(c for c in prepared.contexts if c.forecast is not None)

    def scaled(factor: float) -> ContextSeries:
        # values no other test draws (the session's cache is shared): this test sees its own charts only
        return dataclasses.replace(shipped, judged=dataclasses.replace(shipped.judged, values=shipped.judged.values * factor))

    context = scaled(1.0123)
    first = context_chart_html(context, "zh")
    assert "<picture>" in first and f"data-indicator='{context.indicator_id}'" in first
    with monkeypatch.context() as m:
        m.setattr(chapter_report, "series_figure", _refuse)
        assert context_chart_html(context, "zh") == first  # read, not drawn
        with pytest.raises(AssertionError, match="drawn again"):  # another language: other words on the chart
            context_chart_html(context, "en")
        with pytest.raises(AssertionError, match="drawn again"):  # no forecast: another picture
            context_chart_html(dataclasses.replace(context, forecast=None), "zh")
        with pytest.raises(AssertionError, match="drawn again"):  # other values
            context_chart_html(scaled(1.0124), "zh")


def test_the_overview_chart_is_drawn_once_and_again_when_the_counts_change(monkeypatch: pytest.MonkeyPatch) -> None:
    everything = prepare(View.of(), None)

    def report(drop: int, lang: str) -> ChapterReport:
        # counts no other test draws (the session's cache is shared): all targets but the last ``drop``
        return ChapterReport.from_prepared(dataclasses.replace(everything, items=everything.items[:-drop]), lang=lang)

    first = report(3, "zh").overview_chart_html()
    with monkeypatch.context() as m:
        m.setattr(chapter_report, "bar_figure", _refuse)
        assert report(3, "zh").overview_chart_html() == first
        with pytest.raises(AssertionError, match="drawn again"):
            report(3, "en").overview_chart_html()
        with pytest.raises(AssertionError, match="drawn again"):
            report(4, "zh").overview_chart_html()
