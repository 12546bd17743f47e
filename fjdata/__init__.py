"""fjdata — Fujian's five-year-plan targets as data: cited figures, projections, verdicts, reports.

Quick start (an economist's session)::

    import fjdata
    a = fjdata.assess()                        # every target of the default plan, one row each
    ch2 = a[a.chapter == "2"]                  # chapters are strings ("2", "annex"); or assess(chapter=2)
    w = fjdata.assess(what_if={"c2_mfg_share_gdp": {2025: 32.5}})  # hypothetical, marked in w.what_if
    fig = fjdata.plot("c2_mfg_share_gdp")      # the report's chart (a target, an indicator or a draft)
    a.to_stata("a.dta", version=118); a.to_parquet("a.parquet"); a.to_excel("a.xlsx")
    fjdata.catalogue()                         # indicator ids → definitions; fjdata.series(id) for data
    fjdata.feasibility("drafts/fujian-manufacturing-2030-example.yaml")   # chance of draft targets
    r = fjdata.draft("drafts/fifteenth-main-indicators-example.yaml")     # the drafting group's evidence
    r.frame()                                  # one row per candidate; `fjdata draft FILE` on the CLI

Data flows one way: plan registry (what was promised) + observations (what happened) →
projection models (where the trend leads) → assessment (how far from the target, judged
three ways) → reports (who reads it). Chances are printed as bands (e.g. "50–75%").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fjdata.assess.assessment import Assessment, assess, assessments
from fjdata.assess.drafting import DraftReport
from fjdata.assess.drafting import draft_report as draft
from fjdata.assess.feasibility import DraftTarget, feasibility
from fjdata.assess.judgements import Light, Status
from fjdata.core.version import __version__
from fjdata.forecast.auto import project
from fjdata.forecast.backtest import backtest
from fjdata.forecast.models import Forecast
from fjdata.forecast.projection import Projection
from fjdata.inputs.indicators import Indicator, catalogue, indicator
from fjdata.inputs.observations import coverage, observations
from fjdata.inputs.observations import series_table as series  # value, bound, status, source_check
from fjdata.inputs.registry import Target, target, targets

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from fjdata.assess.drafting import DraftEvidence
    from fjdata.assess.feasibility import Feasibility


def plot(
    what: str | DraftTarget | Feasibility | DraftEvidence,
    lang: str = "zh",
    plan: str | None = None,
    as_of: int | None = None,
    what_if: dict[str, dict[int, float]] | None = None,
) -> Figure:
    """The chart the reports draw for ``what``: a target id, an indicator id or a draft target.

    Parameters: ``what``, ``lang`` ("zh" or "en"), ``plan`` (a plan id; default: the default plan),
    ``as_of`` (use only what was published by then) and ``what_if`` (hypothetical values, drawn as
    data with a title that says so). Returns a matplotlib Figure (matplotlib is imported on the
    first call only; see :func:`fjdata.report.plotting.plot`).

    >>> plot("c2_mfg_share_gdp").savefig("mfg_share.png")  # doctest: +SKIP
    """
    from fjdata.report.plotting import plot as report_plot

    return report_plot(what, lang, plan, as_of, what_if)


__all__ = [
    "Assessment",
    "DraftReport",
    "DraftTarget",
    "Forecast",
    "Indicator",
    "Light",
    "Projection",
    "Status",
    "Target",
    "__version__",
    "assess",
    "assessments",
    "backtest",
    "catalogue",
    "coverage",
    "draft",
    "feasibility",
    "indicator",
    "observations",
    "plot",
    "project",
    "series",
    "target",
    "targets",
]
