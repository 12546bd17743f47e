"""Everything a report shows, computed in one place: :func:`prepare`.

A report (``fjdata.report``) only lays out what it is given; it never fits a model. The notebooks
and the nightly warm-up call the same :func:`prepare`, so what a report needs precomputed is
written down once: the assessments of the view, those of the plan's mid-term view (once that year
is past), and the projections of the chapter's context indicators to the plan's end year. Each
piece is cached on its own inputs, so a warm-up in the nightly's parent leaves every kernel a
cache hit. :func:`prepare_exploration` does the same for the exploration of one indicator.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from fjdata.assess.assessment import Assessment, TargetResult, default_tolerance, evaluation_year, results
from fjdata.core.cache import cached
from fjdata.forecast.auto import context_forecast
from fjdata.forecast.backtest import auto_policy, backtest_errors
from fjdata.forecast.models import METHODS, Forecast
from fjdata.forecast.projection import ExtraData, JudgedSeries, fit_methods, judged_series
from fjdata.inputs.chapters import chapter_context
from fjdata.inputs.observations import data_fingerprint
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


@dataclass(frozen=True, eq=False)
class PreparedExploration:
    """What the exploration of one indicator shows: every chosen method's projection to the plan's
    end (with the backtest's interval calibration) and the indicator's own backtest errors."""

    indicator_id: str
    plan: Plan
    as_of: int | None
    judged: JudgedSeries
    fits: tuple[Forecast, ...]
    skipped: dict[str, str]  # method -> why it could not be fitted
    backtest_errors: pd.DataFrame  # empty when the series is too short for a rolling-origin backtest


def prepare_exploration(
    indicator_id: str,
    as_of: int | None = None,
    methods: str | Sequence[str] = "auto",
    extra_data: ExtraData = None,
    plan: str | Plan | None = None,
) -> PreparedExploration:
    """Compute what ``notebooks/explore.ipynb`` shows for one indicator in a plan's region
    (``methods="auto"``: every method, side by side).

    >>> e = prepare_exploration("gdp_real_growth", methods=["drift", "theta"])
    >>> [f.method for f in e.fits], e.fits[0].years[-1] >= e.plan.end_year
    (['drift', 'theta'], True)
    """
    the_plan = get_plan(plan)
    judged = judged_series(indicator_id, the_plan.base_year, region=the_plan.region, as_of=as_of, extra_data=extra_data)
    chosen = list(METHODS) if methods == "auto" else list(methods)
    last = judged.years[-1] if judged.years else the_plan.end_year

    def fit() -> tuple[list[Forecast], dict[str, str]]:
        # The same backtest-calibrated intervals the assessment uses.
        return fit_methods(judged, chosen, max(the_plan.end_year, last + 1), dict(auto_policy(as_of).factors))

    key = {"indicator": indicator_id, "plan": the_plan.plan_id, "methods": chosen, "as_of": as_of, "data": data_fingerprint(extra_data)}
    fits, skipped = cached("explore", key, fit)
    return PreparedExploration(indicator_id, the_plan, as_of, judged, tuple(fits), skipped, backtest_errors(indicator_id))
