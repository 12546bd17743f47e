"""Projections with ``method="auto"``: the backtest sets the policy, the projection applies it.

:mod:`fjdata.forecast.projection` fits what it is told (an :class:`~fjdata.forecast.projection.AutoPolicy`
is passed in); :mod:`fjdata.forecast.backtest` scores the methods and derives the policy. This module
sits above both and joins them for the public :func:`project` and for the context charts
(:func:`context_forecast`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from fjdata.core.cache import cached
from fjdata.forecast.backtest import auto_policy
from fjdata.forecast.models import METHODS, Forecast
from fjdata.forecast.projection import ExtraData, JudgedSeries, Projection, judged_series, project_judged
from fjdata.inputs.observations import PLAN_REGION, data_fingerprint
from fjdata.inputs.plan import get_plan


def project_series(
    judged: JudgedSeries, method: str | Sequence[str], to_year: int, as_of: int | None = None, calibrated: bool = True
) -> Projection:
    """:func:`~fjdata.forecast.projection.project_judged` with the backtest's policy as of ``as_of``
    (``calibrated=False``: model-based interval widths)."""
    return project_judged(judged, method, to_year, auto_policy(as_of, calibrated))


def project(
    indicator_id: str,
    method: str | Sequence[str] = "auto",
    to_year: int | None = None,
    base_year: int | None = None,
    region: str = PLAN_REGION,
    as_of: int | None = None,
    extra_data: ExtraData = None,
) -> Projection:
    """Project an indicator to ``to_year`` (default: the default plan's end year): ``method`` is
    one of :data:`fjdata.forecast.models.METHODS`, a list of them (combined with equal weights), or ``"auto"``.

    Parameters: ``indicator_id``, ``method``, ``to_year``, ``base_year`` (of a chained index),
    ``region``, ``as_of``, ``extra_data``. Returns a :class:`Projection` (``.frame()`` is the table).
    ``to_year`` must lie in 1991–2035 and ``as_of`` in 2005–this year; otherwise
    :class:`fjdata.core.errors.ArgumentError` says so. ``.frame()`` of a projection with no forecast
    (e.g. ``to_year`` not after the last observation) raises a ``ValueError`` that says why.

    >>> project("gdp_real_growth", method="theta", to_year=2027).frame()["year"].tolist()
    [2026, 2027]
    """
    from fjdata.core.arguments import check_as_of, check_to_year
    from fjdata.forecast.models import check_method

    to_year = get_plan().end_year if to_year is None else to_year
    check_to_year(to_year)
    check_method(method)
    check_as_of(as_of)
    if isinstance(method, str) and method not in (*METHODS, "auto", "combination"):
        raise ValueError(f"unknown method {method!r}; expected 'auto' or one of {METHODS}")
    judged = judged_series(indicator_id, base_year, region, as_of=as_of, extra_data=extra_data)
    return project_series(judged, method, to_year, as_of=as_of)


def context_forecast(
    judged: JudgedSeries, methods: str | Sequence[str], as_of: int | None, extra_data: ExtraData, to_year: int
) -> Forecast | None:
    """Projection of a context series to ``to_year``, a plan's end year (cached like assessments;
    no draws kept); ``None`` once the data reach that year."""
    if len(judged.values) < 4 or judged.years[-1] >= to_year:
        return None

    def compute() -> Forecast | None:
        proj = project_series(judged, methods, to_year, as_of=as_of)
        return replace(proj.forecast, samples=None) if proj.forecast is not None else None

    key = {
        "indicator": judged.indicator_id,
        "methods": methods if isinstance(methods, str) else list(methods),
        "as_of": as_of,
        "to_year": to_year,
        "data": data_fingerprint(extra_data),
    }
    return cached("context", key, compute)
