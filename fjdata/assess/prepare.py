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

from fjdata.assess.assessment import Assessment, TargetResult, results
from fjdata.assess.view import View
from fjdata.core.cache import cached
from fjdata.forecast.auto import context_forecast
from fjdata.forecast.backtest import AutoRecord, auto_policy, auto_record, backtest_errors
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

    view: View
    chapter: str | None  # None: every chapter
    mid_year: int
    items: tuple[TargetResult, ...]  # the view
    midterm: tuple[TargetResult, ...]  # the mid-term view; empty until that year is past
    contexts: tuple[ContextSeries, ...]  # the chapter's context indicators, in the plan's order
    auto: AutoRecord | None = None  # what method="auto" combined and how it did (None for other methods)

    @property
    def plan(self) -> Plan:
        return self.view.plan

    def midterm_assessments(self) -> dict[str, Assessment]:
        """The mid-term assessments by target id (empty when there is no mid-term view)."""
        return {r.assessment.target_id: r.assessment for r in self.midterm}


def shows_midterm(mid_year: int, view: View) -> bool:
    """A mid-term column is shown once its year is past in the view (and before its ``as_of``)."""
    return mid_year < view.year() and (view.as_of is None or mid_year < view.as_of)


def prepare(view: View | None = None, chapter: int | str | None = None, mid_year: int | None = None) -> Prepared:
    """Compute what a report of ``chapter`` (``None`` or ``"all"`` for every chapter) on ``view``
    (default: the default plan, all data, ``auto``) shows.

    ``mid_year`` is the mid-term view beside it (None: the plan's mid-term year). Returns a frozen
    :class:`Prepared`; a chapter the plan does not have raises
    :class:`fjdata.core.errors.ArgumentError` with the valid choices.

    >>> p = prepare(View.of(), 2)
    >>> p.chapter, len(p.items) > 0, all(c.indicator_id for c in p.contexts)
    ('2', True, True)
    """
    view = view or View.of()
    key_chapter = None if chapter in (None, "all") else str(chapter)
    items = tuple(results(key_chapter, view=view))
    the_plan = view.plan
    mid = the_plan.mid_term_year if mid_year is None else int(mid_year)
    midterm = tuple(results(key_chapter, view=view.at(mid))) if shows_midterm(mid, view) else ()
    contexts = []
    for iid in chapter_context(key_chapter, the_plan) if key_chapter else ():
        judged = judged_series(iid, the_plan.base_year, region=the_plan.region, as_of=view.as_of, extra_data=view.extra)
        forecast = context_forecast(judged, view.method, view.as_of, view.extra, the_plan.end_year) if len(judged.values) else None
        contexts.append(ContextSeries(iid, judged, forecast))
    auto = auto_record(view.as_of) if view.method == "auto" else None
    return Prepared(view, key_chapter, mid, items, midterm, tuple(contexts), auto)


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
        policy = auto_policy(as_of)
        return fit_methods(judged, chosen, max(the_plan.end_year, last + 1), policy.factors, policy.scales)

    key = {"indicator": indicator_id, "plan": the_plan.plan_id, "methods": chosen, "as_of": as_of, "data": data_fingerprint(extra_data)}
    fits, skipped = cached("explore", key, fit)
    return PreparedExploration(indicator_id, the_plan, as_of, judged, tuple(fits), skipped, backtest_errors(indicator_id))


def indicator_context(
    indicator_id: str, as_of: int | None = None, extra_data: ExtraData = None, years_ahead: int = 5, method: str = "auto"
) -> ContextSeries:
    """One indicator of the default plan's region with its projection ``years_ahead`` past its last
    year (what :func:`fjdata.plot` draws for an indicator id)."""
    the_plan = get_plan()
    judged = judged_series(indicator_id, the_plan.base_year, region=the_plan.region, as_of=as_of, extra_data=extra_data)
    last = max(judged.years, default=the_plan.end_year)
    forecast = context_forecast(judged, method, as_of, extra_data, last + years_ahead) if len(judged.values) else None
    return ContextSeries(indicator_id, judged, forecast)
