"""fjdata — tracks every quantitative target of Fujian's 14th five-year manufacturing plan.

Data flows one way: plan registry (what was promised) + observations (what happened) →
projection models (where the trend leads) → assessment (how far from the target, judged
three ways) → reports (who reads it).
"""

from __future__ import annotations

from fjdata.assess.assessment import Assessment, assess, assessments
from fjdata.assess.judgements import Light, Status
from fjdata.core.version import __version__
from fjdata.forecast.auto import project
from fjdata.forecast.backtest import backtest
from fjdata.forecast.models import Forecast
from fjdata.forecast.projection import Projection
from fjdata.inputs.indicators import Indicator, indicator
from fjdata.inputs.observations import coverage, observations
from fjdata.inputs.observations import series_table as series  # value, bound, status, source_check
from fjdata.inputs.registry import Target, target, targets

__all__ = [
    "Assessment",
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
    "coverage",
    "indicator",
    "observations",
    "project",
    "series",
    "target",
    "targets",
]
