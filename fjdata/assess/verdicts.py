"""The one verdict vocabulary and the one count every output uses.

:func:`verdict_key` turns an assessment into the verdict a reader sees; :func:`verdict_counts`
counts them. The scorecard rows and tiles, the chapter chart, the 要点, the workbooks' 总体判断
column (``verdict_label_zh`` / ``verdict_label_en`` of :meth:`Assessment.to_row`), the English
edition and the run index all read these two functions, so that they cannot disagree.

Once the plan period is over the reader sees 已实现 / 基本实现 / 未实现 / 数据待补 (and 无量化目标
for a target without a number); 进展良好 / 需关注 / 滞后 only describe a plan still running (the
mid-term view). Labels live in the wording files (``verdicts``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from fjdata.assess.judgements import Light, Status
from fjdata.core.wording import words

MET, BASIC, MISSED, PENDING = "met", "basic", "missed", "pending"
UNQUANTIFIED = "unquantified"
FINAL_VERDICTS = (MET, BASIC, MISSED, PENDING)
ON_TRACK, WATCH, BEHIND = "on_track", "watch", "behind"
RUNNING_VERDICTS = (ON_TRACK, WATCH, BEHIND)
ALL_VERDICTS = (*FINAL_VERDICTS, UNQUANTIFIED, *RUNNING_VERDICTS)

_MET = (Status.ACHIEVED, Status.ACHIEVED_EARLY)
LEANS_MET = (Status.PROBABLY_ACHIEVED, Status.MET_EVERY_YEAR, Status.LIKELY, Status.AHEAD, Status.ON_TRACK)
LEANS_MISSED = (Status.PROBABLY_MISSED, Status.UNLIKELY, Status.LAGGING)


def verdict_key(a: Any) -> str:
    """The one verdict a target shows. Once the period is over only evidence counts: a model
    estimate or a progress reading without the final figure is 数据待补 (its lean is shown in the detail)."""
    s: Status = a.overall_status
    if s is Status.NOT_QUANTIFIED and a.kind != "national_quota":
        return UNQUANTIFIED  # a national quota has a number, set by the state: its figure is awaited
    if s in _MET:
        return MET
    if s is Status.BASICALLY_ACHIEVED:
        return BASIC
    if s is Status.MISSED:
        return MISSED
    if a.period_over:
        return PENDING
    if s in LEANS_MET:
        return ON_TRACK
    if s in LEANS_MISSED:
        return BEHIND
    if s.light is Light.AMBER:
        return WATCH
    return PENDING


def lean(a: Any) -> int:
    """-1 when the evidence short of a final figure points to a miss, +1 to a success, 0 otherwise."""
    if a.overall_status in LEANS_MISSED:
        return -1
    if a.overall_status in LEANS_MET:
        return 1
    return 0


def verdict_label(a: Any, lang: str) -> str:
    return str(words(lang)["verdicts"][verdict_key(a)]["label"])


def verdict_counts(items: Iterable[Any]) -> dict[str, int]:
    """How many targets show each verdict: the four final verdicts always (0 included), the others
    when they occur, in :data:`ALL_VERDICTS` order."""
    return tally(verdict_key(a) for a in items)


def tally(keys: Iterable[str]) -> dict[str, int]:
    """:func:`verdict_counts` of keys already given by :func:`verdict_key` (e.g. the ``verdict`` column)."""
    found = Counter(keys)
    return {k: found[k] for k in ALL_VERDICTS if k in FINAL_VERDICTS or found[k]}
