"""Everything a report shows, computed in one place: :func:`prepare`.

A report (``fjdata.report``) only lays out what it is given; it never fits a model. The notebooks
and the nightly warm-up call the same :func:`prepare`, so what a report needs precomputed is
written down once: the assessments of the view, those of the plan's mid-term view (once that year
is past), and the projections of the chapter's context indicators to the plan's end year. Each
piece is cached on its own inputs, so a warm-up in the nightly's parent leaves every kernel a
cache hit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fjdata.assess.assessment import Assessment, TargetResult, default_tolerance, evaluation_year, results
from fjdata.forecast.auto import context_forecast
from fjdata.forecast.models import Forecast
from fjdata.forecast.projection import ExtraData, JudgedSeries, judged_series
from fjdata.inputs.chapters import chapter_context
from fjdata.inputs.plan import Plan, get_plan


@dataclass(frozen=True, eq=False)
class ContextSeries:
    """A context indicator of a chapter (no target): its judged series and its projection to the
    plan's end year (``None`` when the series is empty, too short or already reaches that year)."""

    indicator_id: str
    judged: JudgedSeries
    forecast: Forecast | None


@dataclass(frozen=True, eq=False)
class Prepared:
    """What one report needs, computed: see :func:`prepare`."""

    plan: Plan
    chapter: str | None  # None: every chapter
    as_of: int | None
    method: str | tuple[str, ...]
    tolerance: float
    extra_data: ExtraData
    mid_year: int
    items: tuple[TargetResult, ...]  # the view
    midterm: tuple[TargetResult, ...]  # the mid-term view; empty until that year is past
    contexts: tuple[ContextSeries, ...]  # the chapter's context indicators, in the plan's order

    def midterm_assessments(self) -> dict[str, Assessment]:
        """The mid-term assessments by target id (empty when there is no mid-term view)."""
        return {r.assessment.target_id: r.assessment for r in self.midterm}


def shows_midterm(mid_year: int, as_of: int | None) -> bool:
    """A mid-term column is shown once its year is past in the view (and before ``as_of``)."""
    return mid_year < evaluation_year(as_of) and (as_of is None or mid_year < as_of)


def prepare(
    chapter: int | str | None = None,
    as_of: int | None = None,
    methods: str | Sequence[str] = "auto",
    tolerance: float | None = None,
    extra_data: ExtraData = None,
    mid_year: int | None = None,
    plan: str | Plan | None = None,
) -> Prepared:
    """Compute what a report of ``chapter`` (``None`` or ``"all"`` for every chapter) shows.

    Parameters: ``chapter``, ``as_of`` (None or a year: only data known then), ``methods``
    (``"auto"``, a method or a list of them), ``tolerance`` (δ, None for the default),
    ``extra_data`` (CSV paths to overlay), ``mid_year`` (the mid-term view; None for the plan's),
    ``plan`` (an id, a :class:`Plan` or None for the default plan). Returns a frozen
    :class:`Prepared`; bad arguments raise :class:`fjdata.core.errors.ArgumentError` with the
    valid choices.

    >>> p = prepare(2)
    >>> p.chapter, len(p.items) > 0, all(c.indicator_id for c in p.contexts)
    ('2', True, True)
    """
    the_plan = get_plan(plan)
    delta = default_tolerance(tolerance)
    method = methods if isinstance(methods, str) else tuple(methods)
    key_chapter = None if chapter in (None, "all") else str(chapter)
    items = tuple(results(key_chapter, as_of, method, delta, extra_data=extra_data, plan=the_plan))
    mid = the_plan.mid_term_year if mid_year is None else int(mid_year)
    midterm = tuple(results(key_chapter, mid, method, delta, extra_data=extra_data, plan=the_plan)) if shows_midterm(mid, as_of) else ()
    contexts = []
    for iid in chapter_context(key_chapter, the_plan) if key_chapter else ():
        judged = judged_series(iid, the_plan.base_year, region=the_plan.region, as_of=as_of, extra_data=extra_data)
        forecast = context_forecast(judged, method, as_of, extra_data, the_plan.end_year) if len(judged.values) else None
        contexts.append(ContextSeries(iid, judged, forecast))
    return Prepared(the_plan, key_chapter, as_of, method, delta, extra_data, mid, items, midterm, tuple(contexts))
