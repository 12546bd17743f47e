"""Data-driven narrative: sentences generated from the assessment numbers, never typed claims."""

from __future__ import annotations

from collections.abc import Sequence

from fjdata.assess.assessment import Assessment, view_changes
from fjdata.assess.judgements import Status, probability_band

_MAX_LISTED = 8
_MET = (Status.ACHIEVED, Status.ACHIEVED_EARLY, Status.BASICALLY_ACHIEVED, Status.MET_EVERY_YEAR)
_GOOD = (Status.PROBABLY_ACHIEVED, Status.LIKELY, Status.AHEAD, Status.ON_TRACK)
_SHORT = (Status.MISSED, Status.PROBABLY_MISSED, Status.UNLIKELY, Status.LAGGING)
_OPEN = (Status.UNCERTAIN, Status.POSSIBLE)


def _name(a: Assessment, lang: str) -> str:
    return a.name_zh if lang == "zh" else a.name_en


def _names(items: Sequence[Assessment], lang: str) -> str:
    names = [_name(a, lang) for a in items[:_MAX_LISTED]]
    more = len(items) - len(names)
    sep = "、" if lang == "zh" else "; "
    tail = (f"等{len(items)}项" if lang == "zh" else f" and {more} more") if more > 0 else ""
    return sep.join(names) + tail


def number(v: float | None) -> str:
    """A figure for running text: thousands separated, no float noise."""
    if v is None:
        return "—"
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:,.1f}" if abs(v) >= 10 else f"{v:.2f}".rstrip("0").rstrip(".")


def _years(years: Sequence[int], lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(str(y) for y in years)


def gap_sentence(a: Assessment, lang: str) -> str:
    """How far from the target, in the target's unit, with what the figure rests on."""
    zh = lang == "zh"
    if a.kind == "average_growth" and a.avg_growth is not None:
        used = f"{len(a.years_used)}/{a.target_year - a.base_year}"
        s = (
            f"{a.name_zh}：规划期年均增长{a.avg_growth:.1f}%（基于{used}年数据），目标{a.target_text}"
            if zh
            else f"{a.name_en}: average growth {a.avg_growth:.1f}% a year ({used} years observed); target {a.target_op} {number(a.target_value)}%"
        )
        if a.years_missing and a.avg_growth_flip is not None:
            met = a.overall_status in _MET
            if zh:
                s += f"；{_years(a.years_missing, lang)}年数据待公布，其平均增速需{'低于' if met else '高于'}{a.avg_growth_flip:.1f}%结论才会改变"
            else:
                s += f"; {_years(a.years_missing, lang)} still to be published: they would need to average {'below' if met else 'above'} {a.avg_growth_flip:.1f}% to change the verdict"
        return s + ("。" if zh else ".")
    latest = number(a.latest_raw_value if a.latest_raw_value is not None else a.latest_value)
    floor = "≥" if a.latest_bound == "lower" else ""
    unit = a.unit if a.unit != "%" else "%"
    if zh:
        s = f"{a.name_zh}：最新为{a.latest_year}年{floor}{latest}{unit}，目标为{a.target_year}年{a.target_text}"
    else:
        s = f"{a.name_en}: latest {floor}{latest} {a.unit} ({a.latest_year}); target {a.target_op} {number(a.target_value)} by {a.target_year}"
    at_least = a.latest_bound == "lower"  # a floor: the true share is at least this, the gap at most
    if a.attainment is not None and a.kind not in ("annual_quota",):
        s += (
            f"，达到目标的{'至少' if at_least else ''}{a.attainment:.0%}"
            if zh
            else f", {'at least ' if at_least else ''}{a.attainment:.0%} of the target"
        )
    if a.gap is not None and a.gap > 0:
        s += (
            f"，{'至多' if at_least else ''}差{number(a.gap)}{unit}"
            if zh
            else f", {'at most ' if at_least else ''}{number(a.gap)} {a.unit} short"
        )
    if a.model_value is not None and a.model_method != "observed" and a.goal_value is not None:
        band = probability_band(a.model_prob, lang)
        if a.model_estimate:
            s += (
                f"；{a.target_year}年数据尚未公布，模型估计{a.target_year}年约为{number(a.model_value)}，达标可能性{band}"
                if zh
                else f"; {a.target_year} not yet published: the model estimates about {number(a.model_value)}, chance the target was met {band}"
            )
        else:
            s += (
                f"；按趋势{a.target_year}年预计为{number(a.model_value)}，达标概率{band}"
                if zh
                else f"; trend points to {number(a.model_value)} in {a.target_year}, chance of meeting it {band}"
            )
    return s + ("。" if zh else ".")


def chapter_narrative(items: Sequence[Assessment], midterm: dict[str, Assessment], lang: str, mid_year: int) -> list[str]:
    """Paragraphs for a chapter or the overview: a final-evaluation summary once the plan is over."""
    zh = lang == "zh"
    if not items:
        return ["本章未设定量化目标。" if zh else "This chapter sets no quantitative targets."]
    out: list[str] = []
    n = len(items)
    by = {s: [a for a in items if a.overall_status is s] for s in Status}
    met = [a for s in _MET for a in by[s]]
    good = [a for s in _GOOD for a in by[s]]
    short = [a for s in _SHORT for a in by[s]]
    undecided = [a for s in _OPEN for a in by[s]]
    nodata = by[Status.INSUFFICIENT]
    quota = by[Status.NOT_QUANTIFIED]
    ended = any(a.period_over for a in items)
    final = [a for a in items if a.final]
    if zh:
        lead = "规划期已结束，本部分为终期评估。" if ended else "规划期尚未结束，本部分为进展评估。"
        out.append(
            f"{lead}共{n}项量化目标：{len(met)}项已实现（其中{len(final)}项有目标年份的实际数据），{len(good)}项进展良好或估计已实现，"
            f"{len(short)}项未实现、估计未实现或滞后，{len(undecided)}项尚难判断；{len(nodata)}项缺少可核实的数据，"
            f"{len(quota)}项为“完成国家下达指标”类目标，未公布具体数值。"
        )
        if met:
            out.append("已实现的目标：" + _names(met, lang) + "。")
    else:
        lead = (
            "The plan period is over: this is the final evaluation."
            if ended
            else "The plan period is still running: this is a progress review."
        )
        out.append(
            f"{lead} Of {n} quantitative targets, {len(met)} are met ({len(final)} with an observed target-year figure), {len(good)} on track or probably met, "
            f"{len(short)} missed, probably missed or lagging, {len(undecided)} too close to call; {len(nodata)} lack verifiable data and "
            f"{len(quota)} are nationally assigned quotas with no published number."
        )
        if met:
            out.append("Met: " + _names(met, lang) + ".")
    for a in [*(a for a in met if a.kind == "average_growth"), *short, *undecided][:_MAX_LISTED]:
        out.append(gap_sentence(a, lang))
    out = list(dict.fromkeys(out))
    if midterm:
        changes = view_changes(list(midterm.values()), items)
        worse = sorted({c.target_id for c in changes if c.direction < 0})
        better = sorted({c.target_id for c in changes if c.direction > 0} - set(worse))
        names = {a.target_id: a for a in items}
        if zh:
            s = f"与中期（仅用{mid_year}年及以前数据）的判断相比（总体判断与三种方法逐一比较）：{len(better)}项改善，{len(worse)}项至少一种判断变差"
            out.append(s + ("：" + _names([names[t] for t in worse], lang) if worse else "") + "。")
        else:
            s = f"Against the mid-term view (data to {mid_year} only; overall verdict and each of the three judgements compared): {len(better)} improved, {len(worse)} worsened on at least one judgement"
            out.append(s + (": " + _names([names[t] for t in worse], lang) if worse else "") + ".")
    if nodata:
        out.append(("缺少数据、待补充的目标：" if zh else "Awaiting data: ") + _names(nodata, lang) + ("。" if zh else "."))
    return out
