"""An audit of the judged assessment: no verdict may rest only on a secondary copy of a figure
when an official row with the same value exists (see ``fjdata.inputs.source_quality``)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from fjdata.assess.assessment import assess
from fjdata.inputs.observations import PLAN_REGION, observations
from fjdata.inputs.source_quality import SECONDARY_COPY


@dataclass(frozen=True)
class SecondaryOnlyVerdict:
    """A target whose latest value is taken from a secondary copy although a better row has the same value."""

    target_id: str
    indicator_id: str
    year: int
    value: float
    used_vintage: str
    better: tuple[str, ...]  # "vintage (tier)" of the rows that should have been used


def secondary_only_verdicts(extra_data: object = None) -> list[SecondaryOnlyVerdict]:
    """Check the shipped assessment: no latest value may rest only on a ``secondary_copy`` row when a
    non-secondary row exists for the same indicator, region, year and value."""
    frame = assess(extra_data=extra_data)  # type: ignore[arg-type]
    everything = observations(region=PLAN_REGION, extra_data=extra_data)  # type: ignore[arg-type]
    out = []
    judged = frame.dropna(subset=["latest_year"])
    for tid, iid, latest in zip(judged["target_id"].tolist(), judged["indicator_id"].tolist(), judged["latest_year"].tolist(), strict=True):
        year = int(latest)
        used = observations(str(iid), vintage_rule="consistent", extra_data=extra_data)  # type: ignore[arg-type]
        used = used[used["year"] == year]
        if used.empty or str(used["source_tier"].iloc[-1]) != SECONDARY_COPY:
            continue
        value = float(used["value"].iloc[-1])
        same = everything[(everything["indicator_id"] == iid) & (everything["year"] == year)]
        better = [
            f"{v} ({t})"
            for v, t, x in zip(same["vintage"], same["source_tier"], same["value"], strict=True)
            if t != SECONDARY_COPY and math.isclose(float(x), value, rel_tol=1e-9)
        ]
        if better:
            out.append(SecondaryOnlyVerdict(str(tid), str(iid), year, value, str(used["vintage"].iloc[-1]), tuple(better)))
    return out
