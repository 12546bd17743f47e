"""fjdata — tracks every quantitative target of Fujian's 14th five-year manufacturing plan.

Data flows one way: plan registry (what was promised) + observations (what happened) →
projection models (where the trend leads) → assessment (how far from the target, judged
three ways) → reports (who reads it).
"""

from __future__ import annotations

__version__ = "0.1.0"

from fjdata.assessment import Assessment, assess, assessments
from fjdata.backtest import backtest
from fjdata.indicators import Indicator, indicator
from fjdata.judgements import Light, Status
from fjdata.models import Forecast
from fjdata.observations import coverage, observations, series
from fjdata.projection import Projection, project
from fjdata.registry import Target, target, targets

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
