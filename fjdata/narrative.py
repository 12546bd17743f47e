"""Data-driven narrative: sentences generated from the assessment numbers, never typed claims."""

from __future__ import annotations

from collections.abc import Sequence

from fjdata.assessment import Assessment
from fjdata.judgements import Light, Status

_RANK = {Light.GREEN: 2, Light.AMBER: 1, Light.RED: 0}
_MAX_LISTED = 8


def _name(a: Assessment, lang: str) -> str:
    return a.name_zh if lang == "zh" else a.name_en


def _names(items: Sequence[Assessment], lang: str) -> str:
    names = [_name(a, lang) for a in items[:_MAX_LISTED]]
    more = len(items) - len(names)
    sep = "、" if lang == "zh" else "; "
    tail = (f"等{len(items)}项" if lang == "zh" else f" and {more} more") if more > 0 else ""
    return sep.join(names) + tail


def _value(v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:,.1f}" if abs(v) >= 10 else f"{v:.2f}"


def _gap_sentence(a: Assessment, lang: str) -> str:
    latest = _value(a.latest_raw_value if a.latest_raw_value is not None else a.latest_value)
    scale = a.judged_scale
    if lang == "zh":
        s = f"{a.name_zh}：最新为{a.latest_year}年{latest}，目标为{a.target_year}年{a.target_text}"
        if a.model_value is not None and a.model_method != "observed" and a.goal_value is not None:
            s += f"；按趋势{a.target_year}年预计为{_value(a.model_value)}（{scale + '，' if scale else ''}目标对应{_value(a.goal_value)}）"
            if a.model_prob is not None:
                s += f"，达标概率约{a.model_prob:.0%}"
        return s + "。"
    s = f"{a.name_en}: latest {latest} ({a.latest_year}); target {a.target_op} {_value(a.target_value)} by {a.target_year}"
    if a.model_value is not None and a.model_method != "observed" and a.goal_value is not None:
        s += f"; trend points to {_value(a.model_value)} in {a.target_year} (goal {_value(a.goal_value)} on the judged scale)"
        if a.model_prob is not None:
            s += f", probability of meeting it about {a.model_prob:.0%}"
    return s + "."


def chapter_narrative(items: Sequence[Assessment], midterm: dict[str, Assessment], lang: str, mid_year: int) -> list[str]:
    if not items:
        return ["本章未设定量化目标。" if lang == "zh" else "This chapter sets no quantitative targets."]
    out: list[str] = []
    n = len(items)
    cn = {s: [a for a in items if a.cn_status == s] for s in Status}
    achieved = cn[Status.ACHIEVED] + cn[Status.ACHIEVED_EARLY]
    good = cn[Status.AHEAD] + cn[Status.ON_TRACK]
    behind = cn[Status.LAGGING] + cn[Status.MISSED]
    nodata = [a for a in items if a.cn_status == Status.INSUFFICIENT and a.model_status == Status.INSUFFICIENT]
    quota = [a for a in items if a.cn_status == Status.NOT_QUANTIFIED]
    likely = [a for a in items if a.model_status in (Status.LIKELY, Status.ACHIEVED)]
    possible = [a for a in items if a.model_status == Status.POSSIBLE]
    unlikely = [a for a in items if a.model_status in (Status.UNLIKELY, Status.MISSED)]
    if lang == "zh":
        out.append(
            f"本部分共{n}项量化目标。按中期评估惯例（完成进度对比时间进度），{len(achieved)}项已实现或提前实现，"
            f"{len(good)}项快于或基本符合预期，{len(behind)}项滞后或未实现；{len(quota)}项为“完成国家下达指标”类目标，未公布具体数值；"
            f"{len(nodata)}项缺少可核实的公开数据，未作判断。"
        )
        out.append(f"统计模型判断：{len(likely)}项很可能实现或已实现，{len(possible)}项有可能实现，{len(unlikely)}项难以实现或未实现。")
        if achieved:
            out.append("已实现或提前实现的目标：" + _names(achieved, lang) + "。")
    else:
        out.append(
            f"This part has {n} quantitative targets. By the Chinese mid-term practice (progress vs elapsed time), {len(achieved)} are met or met early, "
            f"{len(good)} are ahead of or broadly on schedule and {len(behind)} are lagging or missed; {len(quota)} are nationally assigned quotas with no published number; "
            f"{len(nodata)} lack verifiable public data and are not judged."
        )
        out.append(f"Model judgement: {len(likely)} likely or already met, {len(possible)} possible, {len(unlikely)} unlikely or missed.")
        if achieved:
            out.append("Met or met early: " + _names(achieved, lang) + ".")
    for a in (behind + unlikely)[:_MAX_LISTED]:
        out.append(_gap_sentence(a, lang))
    out = list(dict.fromkeys(out))
    if midterm:
        better = worse = 0
        for a in items:
            m = midterm.get(a.target_id)
            if m is None or a.model_status.light not in _RANK or m.model_status.light not in _RANK:
                continue
            delta = _RANK[a.model_status.light] - _RANK[m.model_status.light]
            better += delta > 0
            worse += delta < 0
        judged_mid = sum(1 for a in items if (m := midterm.get(a.target_id)) is not None and m.model_status.light in _RANK)
        if lang == "zh":
            out.append(f"与仅用{mid_year}年及以前数据（中期）的模型判断相比：中期可判断{judged_mid}项；{better}项判断改善，{worse}项变差。")
        else:
            out.append(f"Against the model view with data to {mid_year} only (mid-term): {judged_mid} targets could be judged then; {better} improved and {worse} worsened since.")
    if nodata:
        out.append(("缺少数据、未作判断的目标：" if lang == "zh" else "Not judged for lack of data: ") + _names(nodata, lang) + ("。" if lang == "zh" else "."))
    return out
