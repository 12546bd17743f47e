"""The numbers behind a target chart: a collapsed data table under the figure and its alt text,
so a reader sees every plotted figure (year, value, status, source tier) without a download."""

from __future__ import annotations

import html
from functools import lru_cache
from typing import Any

import pandas as pd

from fjdata.assess.assessment import TargetResult
from fjdata.core.wording import words
from fjdata.inputs.observations import observations
from fjdata.inputs.source_quality import tier_label
from fjdata.report.charts import ChartInfo, PlottedPoint
from fjdata.report.units import region_name, short_number, unit_name


def _words(lang: str) -> dict[str, Any]:
    """The chart table's words (``chart_data`` in the wording files)."""
    chart_data: dict[str, Any] = words(lang)["chart_data"]
    return chart_data


def _esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


@lru_cache(maxsize=256)
def _tiers(indicator_id: str, region: str) -> dict[tuple[int, float], str]:
    """Source tier of each shipped figure, keyed by year and value (several versions may share a year)."""
    frame: pd.DataFrame = observations(indicator_id, region=region)
    return {(int(y), round(float(v), 6)): str(t) for y, v, t in zip(frame["year"], frame["value"], frame["source_tier"], strict=True)}


def _tier(indicator_id: str, region: str, point: PlottedPoint, lang: str) -> str:
    value = point.published if point.published is not None else point.value
    tier = _tiers(indicator_id, region).get((point.year, round(value, 6)))
    return tier_label(tier, lang) if tier else "—"


def _target_text(r: TargetResult, lang: str) -> str:
    a = r.assessment
    if a.target_value is None:
        return _words(lang)["no_value"]
    unit = "%" if a.kind == "average_growth" else unit_name(a.unit, lang)
    sep = "" if unit == "%" else " "
    return f"{a.target_year}: {a.target_op}{short_number(a.target_value, a.unit)}{sep}{unit}"


def chart_data_html(r: TargetResult, info: ChartInfo, lang: str) -> str:
    """A collapsed <details> table of the plotted numbers, the target last."""
    w = _words(lang)
    a = r.assessment
    from fjdata.inputs.registry import target as registry_target

    try:
        plan_region = registry_target(a.target_id).region
    except (KeyError, LookupError):
        plan_region = ""
    chained = bool(r.history_scale) and any(p.published is not None for p in info.points)
    head = [
        w["series"],
        w["year"],
        w["value_index"] if chained else w["value"],
    ]
    if chained:
        head.append(w["published_pct"])
    head += [w["status"], w["tier"]]
    rows = []
    for p in info.points:
        region = plan_region if p.series == "plan" else p.series
        floor = {"lower": "≥", "upper": "≤"}.get(p.bound, "")
        cells = [
            _esc(region_name(region, lang) if region else "—"),
            str(p.year),
            _esc(floor + short_number(p.value, "" if chained else a.unit)),
        ]
        if chained:
            cells.append("—" if p.published is None else _esc(f"{p.published:.1f}"))
        cells += [_esc(w["statuses"].get(p.status, p.status)), _esc(_tier(a.indicator_id, region, p, lang))]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    target = f"<p class='note'>{_esc(w['target'])}: {_esc(_target_text(r, lang))}</p>"
    header = "".join(f"<th>{_esc(h)}</th>" for h in head)
    table = f"<div class='scroll'><table class='fj-chart-data'><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    return f"<details class='fj-data'><summary>{_esc(w['summary'])}</summary>{table}{target}</details>"


def chart_alt(r: TargetResult, info: ChartInfo, lang: str) -> str:
    """Alt text: what the chart says in one sentence (points, latest value, target, comparison)."""
    w = _words(lang)
    a = r.assessment
    name = a.name_zh if lang == "zh" else a.name_en
    own = [p for p in info.points if p.series == "plan"]
    if not own:
        return name
    last = max(own, key=lambda p: p.year)
    chained = bool(r.history_scale) and last.published is not None
    value = (
        f"{last.published:.1f}%"
        if chained and last.published is not None
        else short_number(last.value, a.unit) + ("" if a.kind == "average_growth" else f" {unit_name(a.unit, lang)}".rstrip())
    )
    key = "alt" if info.target_drawn else "alt_none"
    text = w[key].format(name=name, n=len(own), year=last.year, value=value, target=_target_text(r, lang))
    if info.comparison_region:
        text += w["alt_cmp"].format(region=region_name(info.comparison_region, lang))
    return text


def series_data_html(
    indicator_id: str,
    region: str,
    values: pd.Series,
    statuses: dict[int, str],
    bounds: dict[int, str],
    lang: str,
    published: pd.Series | None = None,
) -> str:
    """The collapsed data table of a context chart (no target): year, value (and the published
    rate where the chart shows a chained index), status, source type."""
    from fjdata.inputs.indicators import indicator
    from fjdata.inputs.transforms import by_year

    w = _words(lang)
    unit = indicator(indicator_id).unit
    rates = by_year(published) if published is not None else {}
    points = [
        PlottedPoint("plan", y, float(v), statuses.get(y, "final"), bounds.get(y, ""), rates.get(y) if rates else None)
        for y, v in by_year(values).items()
    ]
    heads = [w["year"], w["value_index"] if rates else w["value"]]
    heads += [w["published_pct"]] if rates else []
    heads += [w["status"], w["tier"]]
    head = "".join(f"<th>{_esc(h)}</th>" for h in heads)
    rows = []
    for p in points:
        cells = [str(p.year), _esc({"lower": "≥", "upper": "≤"}.get(p.bound, "") + short_number(p.value, "" if rates else unit))]
        if rates:
            cells.append("—" if p.published is None else _esc(f"{p.published:.1f}"))
        cells += [_esc(w["statuses"].get(p.status, p.status)), _esc(_tier(indicator_id, region, p, lang))]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    table = f"<div class='scroll'><table class='fj-chart-data'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    return f"<details class='fj-data'><summary>{_esc(w['summary'])}</summary>{table}</details>"
