"""When a year's figure is usually released, and what a missing figure therefore means.

The release kind of each indicator is data (``release`` in the indicator catalogue); the usual
lag of each kind, in months after the end of the year described, is a setting (``releases`` in
assessment.yaml). We only ever know that a figure has not been *collected*: a year past its usual
release is "已发布、尚未收录（请补录）" (``due``), one before it "尚未到发布时间" (``not_yet``).
"""

from __future__ import annotations

from datetime import date

from fjdata.core import config
from fjdata.inputs.indicators import catalogue

DUE, NOT_YET = "due", "not_yet"


def usual_release(indicator_id: str, year: int) -> date:
    """The day after the usual release month of the figure for ``year`` (bulletin, 3: 1 April of the next year)."""
    ind = catalogue().get(indicator_id)
    kind = ind.release if ind is not None else "report"
    releases = config.settings().get("releases", {})
    months = int(releases.get(kind, 12)) if isinstance(releases, dict) else 12
    extra_years, month = divmod(months, 12)  # the month after the release month, counted from 0
    return date(year + 1 + extra_years, month + 1, 1)


def release_state(indicator_id: str, year: int, today: date | None = None) -> str:
    """``due`` when the usual release of ``year`` has passed by ``today``, else ``not_yet``."""
    return DUE if (today or date.today()) >= usual_release(indicator_id, year) else NOT_YET
