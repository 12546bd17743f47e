"""Report building blocks: HTML fragments that notebooks display (who reads it).

Everything that comes from data is escaped with :func:`html.escape`; figures are embedded as
``data:`` PNGs, so an exported report is one self-contained file with no external request.
"""

from __future__ import annotations

import base64
import html
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from fjdata.assess.assessment import Assessment, TargetResult
from fjdata.assess.feasibility import Feasibility, note_text
from fjdata.assess.judgements import Light, Status, probability_band
from fjdata.assess.prepare import ContextSeries, Prepared, prepare
from fjdata.assess.view import View
from fjdata.core.cache import atomic_write_bytes, cached
from fjdata.core.version import __version__
from fjdata.forecast.projection import ExtraData
from fjdata.inputs.chapters import chapter_title
from fjdata.inputs.indicators import indicator
from fjdata.inputs.observations import SourceRef, data_fingerprint
from fjdata.inputs.plan import Plan
from fjdata.inputs.transforms import by_year
from fjdata.report.chart_data import chart_alt, chart_data_html, series_data_html
from fjdata.report.charts import ChartInfo, bar_figure, feasibility_figure, png_bytes, series_figure, target_chart
from fjdata.report.narrative import chapter_narrative

LIGHT_HEX = {Light.GREEN: "#2e7d32", Light.AMBER: "#f0a500", Light.RED: "#c62828", Light.GREY: "#9e9e9e"}
# `.fj.fj` doubles the class so these rules outrank JupyterLab's table rules (right-aligned
# cells, fixed layout) in the exported HTML and in JupyterLab alike.
CSS = """
<style>
.fj{font-family:"Noto Sans CJK SC","Noto Sans SC","PingFang SC","Microsoft YaHei",sans-serif;color:#1b1b1b;max-width:1100px}
.fj h1{font-size:1.6em;margin:.2em 0}.fj h2{font-size:1.25em;border-bottom:2px solid #1f3b73;padding-bottom:.2em;margin-top:1.4em}
.fj .meta{color:#555;font-size:.85em}.fj table{border-collapse:collapse;font-size:.86em;width:100%}
.fj th,.fj td{border:1px solid #ddd;padding:4px 6px;vertical-align:top}.fj th{background:#f3f5f9;text-align:left}
.fj .dot{display:inline-block;width:.8em;height:.8em;border-radius:50%;margin-right:.3em;vertical-align:-.05em}
.fj.fj th,.fj.fj td{text-align:left}.fj.fj .num{text-align:right;white-space:nowrap}.fj.fj .val{text-align:right}.fj.fj table{table-layout:auto}.fj figure{margin:1em 0;page-break-inside:avoid}
.fj figcaption{font-size:.78em;color:#555}.fj .note{font-size:.8em;color:#666}.fj .legend span{margin-right:1.2em}
.fj .narr p{line-height:1.6}.fj img{max-width:100%;height:auto}
/* Wide tables scroll inside their box on a phone instead of widening the page. */
.fj .scroll{overflow-x:auto;max-width:100%}.fj tr.not-used td{color:#777}
@media (max-width:600px){.fj{font-size:14px}.fj table{font-size:.8em}}
@page{size:A4;margin:12mm 10mm}
@media print{.fj{max-width:none}.fj .scroll{overflow:visible}.fj tr,.fj figure{page-break-inside:avoid}.fj table{font-size:.72em}}
</style>
"""

WORDS = {
    "zh": {
        "no": "序号",
        "indicator": "指标",
        "target": "目标",
        "latest": "最新值（年份）",
        "cn": "(a) 进度对比时间",
        "sdg": "(b) 增速比R",
        "model": "(c) 模型：达标概率",
        "mid": "中期（{y}年数据）",
        "attr": "属性",
        "summary": "执行情况总览（交通灯）",
        "narrative": "要点",
        "charts": "逐项图表",
        "insufficient": "数据不足的目标",
        "sources": "数据来源",
        "context": "相关背景指标",
        "none": "本章无量化目标。以下为与本章相关的背景指标。",
        "generated": "生成日期",
        "data_as_of": "数据截至",
        "fingerprint": "数据指纹",
        "legend": "判断方法：(a) 中期评估惯例：完成进度P与时间进度τ之比，容差δ={d:.0%}；(b) 欧盟统计局/Open SDG 增速比 R=实际年均增速/所需年均增速；(c) 统计模型预测目标年份达标概率。三者并列呈现，不合成。",
        "source_col": "来源",
        "quote": "原文",
        "year": "年份",
        "value": "数值",
        "status": "状态",
        "reason": "原因",
        "progress": "完成进度{p:.0%}，时间进度{t:.0%}",
        "ratio": "R={r:.2f}",
        "prob": "达标可能性{b}",
        "user": "用户补充",
        "overall": "总体判断",
        "basis_final": "{y}年实际值",
        "basis_latest": "据{y}年数据",
        "basis_estimate": "{y}年数据待公布，模型估计",
        "basis_forecast": "模型预测",
        "basis_statement": "官方表述",
        "basis_progress": "据{y}年进度",
        "basis_quota": "逐年对照",
        "attain": "达到目标的{a:.0%}",
        "gap": "差{g}",
        "over": "超出{g}",
        "missing": "缺{ys}年数据",
        "stale": "数据较旧（{y}年）",
        "flip": "缺失年份平均需{dir}{r:.1f}%结论才变",
        "below": "低于",
        "above": "高于",
        "disputed": "来源不一：采用{v}（{why}），另有{o}",
        "quota_min": "最低为指标的{r:.1f}倍",
        "quota_short": "未达标年份：{ys}",
        "observed": "实际值",
        "avg": "年均{r:.1f}%（{n}/{N}年）",
        "spliced": "拼接",
        "why_plan_owner": "规划部门评估数",
        "why_status": "更正式的发布",
        "why_newer": "较新发布",
        "why_highest_floor": "更高下限",
        "why_family": "同一口径序列",
        "why_spliced": "其他口径补缺",
        "why_only": "唯一来源",
        "why_rule": "指定规则",
        "not_used": "未采用",
    },
    "en": {
        "no": "#",
        "indicator": "Indicator",
        "target": "Target",
        "latest": "Latest (year)",
        "cn": "(a) Progress vs time",
        "sdg": "(b) Growth ratio R",
        "model": "(c) Model: P(meet)",
        "mid": "Mid-term ({y} data)",
        "attr": "Type",
        "summary": "Summary (traffic lights)",
        "narrative": "Key points",
        "charts": "Charts by target",
        "insufficient": "Targets with insufficient data",
        "sources": "Sources",
        "context": "Context indicators",
        "none": "This chapter sets no quantitative targets. Context indicators that bear on it follow.",
        "generated": "Generated",
        "data_as_of": "Data as of",
        "fingerprint": "Data fingerprint",
        "legend": "Judgements: (a) Chinese mid-term practice: progress P vs elapsed time τ, tolerance δ={d:.0%}; (b) Eurostat/Open SDG growth ratio R = actual ÷ required average growth; (c) statistical model: probability the target is met in the target year. Shown side by side, never blended.",
        "source_col": "Source",
        "quote": "Quote",
        "year": "Year",
        "value": "Value",
        "status": "Status",
        "reason": "Reason",
        "progress": "progress {p:.0%} of the way, time elapsed {t:.0%}",
        "ratio": "R={r:.2f}",
        "prob": "chance met {b}",
        "user": "user-supplied",
        "overall": "Overall",
        "basis_final": "{y} outcome",
        "basis_latest": "from {y} data",
        "basis_estimate": "{y} not yet published: model estimate",
        "basis_forecast": "model forecast",
        "basis_statement": "official statement",
        "basis_progress": "progress as of {y}",
        "basis_quota": "year by year",
        "attain": "{a:.0%} of target",
        "gap": "{g} short",
        "over": "{g} above",
        "missing": "missing: {ys}",
        "stale": "old data ({y})",
        "flip": "missing years must average {dir} {r:.1f}% to change it",
        "below": "below",
        "above": "above",
        "disputed": "sources differ: {v} used ({why}), also {o}",
        "quota_min": "weakest year {r:.1f}× the quota",
        "quota_short": "years short: {ys}",
        "observed": "observed",
        "avg": "avg {r:.1f}% a year ({n}/{N} yrs)",
        "spliced": "spliced",
        "why_plan_owner": "plan owner's evaluation",
        "why_status": "more official release",
        "why_newer": "newer release",
        "why_highest_floor": "higher floor",
        "why_family": "one consistent series",
        "why_spliced": "gap filled from another release",
        "why_only": "only source",
        "why_rule": "chosen rule",
        "not_used": "not used",
    },
}


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


COUNT_UNITS = ("家", "个", "项", "条", "座", "台")


def fmt(value: float | None, unit: str = "") -> str:
    """A value with its unit: counts as integers, large numbers with separators and no decimals,
    percentages and small values to two significant decimals at most (no float noise)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if unit in COUNT_UNITS or abs(value) >= 1000:
        text = f"{value:,.0f}"
    else:
        digits = 1 if abs(value) >= 10 or unit == "%" else 2
        text = f"{value:,.{digits}f}"
    return f"{text}{unit}" if unit in ("%",) else (f"{text} {unit}" if unit else text)


def fmt_figure(value: float, unit: str = "") -> str:
    """A figure in running text: counts as integers, large numbers with separators, else one decimal."""
    if unit in COUNT_UNITS or abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:,.1f}" if abs(value - round(value)) > 1e-9 else f"{value:,.0f}"


def light_badge(status: Status, lang: str, detail: str = "") -> str:
    colour = LIGHT_HEX[status.light]
    extra = f"<br><span class='note'>{esc(detail)}</span>" if detail else ""
    return f"<span class='dot' style='background:{colour}' title='{esc(status.light.value)}'></span>{esc(status.label(lang))}{extra}"


def png_img(data: bytes, alt: str) -> str:
    return f"<img alt='{esc(alt)}' src='data:image/png;base64,{base64.b64encode(data).decode()}'>"


def _cn_detail(a: Assessment, lang: str) -> str:
    if a.cn_progress is None or a.cn_elapsed is None:
        return ""
    return WORDS[lang]["progress"].format(p=a.cn_progress, t=a.cn_elapsed)


def _sdg_detail(a: Assessment, lang: str) -> str:
    return WORDS[lang]["ratio"].format(r=a.sdg_ratio) if a.sdg_ratio is not None else ""


def _model_detail(a: Assessment, lang: str) -> str:
    w = WORDS[lang]
    if a.model_method == "observed":
        return w["observed"]
    if a.model_prob is None:
        return ""
    # A model probability is printed as a band, never as 0 % or 100 %.
    text = w["prob"].format(b=probability_band(a.model_prob, lang))
    return text + ("（估计）" if lang == "zh" else " (estimate)") if a.model_estimate else text


def _unit_text(a: Assessment) -> str:
    return "%" if a.kind == "average_growth" else a.unit


def overall_detail(a: Assessment, lang: str) -> str:
    """What the overall verdict rests on, how far from the target, and what is missing or disputed."""
    w = WORDS[lang]
    sep = "；" if lang == "zh" else "; "
    parts = []
    basis = f"basis_{a.overall_basis}"
    if basis in w and a.overall_basis != "none":
        year = a.target_year if a.overall_basis == "estimate" else a.latest_year
        parts.append(w[basis].format(y=year))
    if a.attainment is not None:
        parts.append(w["quota_min"].format(r=a.attainment) if a.kind == "annual_quota" else w["attain"].format(a=a.attainment))
    if a.gap is not None and abs(a.gap) > 1e-9 and a.kind != "annual_quota":
        unit = (
            "个百分点"
            if a.gap_unit == "百分点" and lang == "zh"
            else (" pp" if a.gap_unit == "百分点" else (a.gap_unit if lang == "zh" else f" {a.gap_unit}"))
        )
        parts.append((w["gap"] if a.gap > 0 else w["over"]).format(g=f"{fmt_figure(abs(a.gap), a.gap_unit)}{unit}"))
    if a.quota_years_short:
        parts.append(w["quota_short"].format(ys=", ".join(map(str, a.quota_years_short))))
    if a.years_missing:
        parts.append(w["missing"].format(ys=("、" if lang == "zh" else ", ").join(map(str, a.years_missing))))
    if a.avg_growth_flip is not None and a.years_missing:
        met = a.overall_status.light.value == "green"
        parts.append(w["flip"].format(dir=w["below"] if met else w["above"], r=a.avg_growth_flip))
    if a.data_age is not None and a.data_age > 1 and a.period_over:
        parts.append(w["stale"].format(y=a.latest_year))
    for d in a.disputes:
        others = ("、" if lang == "zh" else ", ").join(
            f"{fmt_figure(v, a.unit)}（{vin}）" if lang == "zh" else f"{fmt_figure(v, a.unit)} ({vin})" for v, vin, _, _ in d.others
        )
        parts.append(w["disputed"].format(v=fmt_figure(d.used_value, a.unit), why=w.get(f"why_{d.reason}", d.reason), o=others))
    return sep.join(parts)


def _latest(a: Assessment, lang: str) -> str:
    if a.latest_year is None:
        return "—"
    if a.kind == "average_growth" and a.avg_growth is not None:
        # An average target is shown with the average achieved, never a single year's rate.
        return WORDS[lang]["avg"].format(r=a.avg_growth, n=len(a.years_used), N=a.target_year - a.base_year)
    value = a.latest_raw_value if a.latest_raw_value is not None else a.latest_value
    unit = a.unit if a.kind not in ("average_growth",) else "%"
    marks = {"preliminary": " ·初步", "derived": " ·推算"} if lang == "zh" else {"preliminary": " · prelim.", "derived": " · derived"}
    mark = marks.get(a.latest_status or "", "")
    floor = "≥" if a.latest_bound == "lower" else "≤" if a.latest_bound == "upper" else ""
    return f"{floor}{fmt(value, unit)}（{a.latest_year}）{mark}"


def _target_text(a: Assessment, lang: str) -> str:
    if lang == "zh":
        # The plan's own wording; the unit only where the wording ends on a bare number ("达750个", "超5000亿"
        # and "三分之一左右" already say it).
        return f"{a.target_year}年：{a.target_text}" + (a.unit if a.target_value is not None and a.target_text[-1:].isdigit() else "")
    value = fmt(a.target_value, a.unit) if a.target_value is not None else "national quota"
    return f"{a.target_year}: {a.target_op} {value}"


def _attribute(attribute: str | None, lang: str) -> str:
    if attribute is None or lang == "zh":
        return attribute or ""
    return {"预期性": "expected", "约束性": "binding"}.get(attribute, attribute)


def _scale_note(r: TargetResult, lang: str) -> str:
    return r.assessment.judged_scale if lang == "zh" else r.history_scale


def _projection_text(a: Assessment, confidence: float, lang: str = "zh") -> str:
    if a.model_value is None:
        return "—"
    if a.model_method == "observed":
        return fmt(a.model_value)
    if a.model_estimate:  # the target year is past: an estimate of it, not a forecast
        lo, hi = (a.model_lo80, a.model_hi80) if confidence == 0.8 else (a.model_lo95, a.model_hi95)
        return ("估计 " if lang == "zh" else "est. ") + f"{fmt(a.model_value)} [{fmt(lo)}, {fmt(hi)}]"
    lo, hi = (a.model_lo80, a.model_hi80) if confidence == 0.8 else (a.model_lo95, a.model_hi95)
    return f"{fmt(a.model_value)} [{fmt(lo)}, {fmt(hi)}]"


def summary_table_html(
    items: Sequence[TargetResult],
    lang: str,
    midterm: dict[str, Assessment] | None = None,
    mid_year: int | None = None,
    confidence: float = 0.8,
) -> str:
    w = WORDS[lang]
    proj_head = (
        f"模型：目标年预测值（{confidence:.0%}区间）" if lang == "zh" else f"Projected value in target year ({confidence:.0%} interval)"
    )
    head = [w["no"], w["indicator"], w["attr"], w["target"], w["latest"], w["overall"], w["cn"], w["sdg"], proj_head, w["model"]]
    if not midterm:  # no mid-term view (its year is not past yet): no column
        midterm = None
    if midterm is not None:
        head.append(w["mid"].format(y=mid_year))
    rows = []
    for i, r in enumerate(items, start=1):
        a = r.assessment
        cells = [
            f"<td class='num'>{i}</td>",
            f"<td>{esc(a.name_zh if lang == 'zh' else a.name_en)}</td>",
            f"<td class='num'>{esc(_attribute(a.attribute, lang))}</td>",
            f"<td>{esc(_target_text(a, lang))}</td>",
            f"<td class='val'>{esc(_latest(a, lang))}</td>",
            f"<td class='overall'>{light_badge(a.overall_status, lang, overall_detail(a, lang))}</td>",
            f"<td>{light_badge(a.cn_status, lang, _cn_detail(a, lang))}</td>",
            f"<td>{light_badge(a.sdg_status, lang, _sdg_detail(a, lang))}</td>",
            f"<td class='num'>{esc(_projection_text(a, confidence, lang))}<br><span class='note'>{esc(_scale_note(r, lang))}</span></td>",
            f"<td>{light_badge(a.model_status, lang, _model_detail(a, lang))}</td>",
        ]
        if midterm is not None:
            m = midterm.get(a.target_id)
            cells.append(
                "<td>"
                + (
                    " ".join(
                        f"<span class='dot' style='background:{LIGHT_HEX[s.light]}' title='{esc(s.label(lang))}'></span>"
                        for s in (m.overall_status, m.cn_status, m.sdg_status, m.model_status)
                    )
                    if m
                    else "—"
                )
                + "</td>"
            )
        rows.append(f"<tr data-target='{esc(a.target_id)}'>{''.join(cells)}</tr>")
    header = "".join(f"<th>{esc(h)}</th>" for h in head)
    return f"<div class='scroll'><table class='fj-summary'><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"


def _chart_key(r: TargetResult, lang: str) -> dict[str, object]:
    """Everything a target chart depends on, so that an unchanged chart is not drawn twice."""
    f = r.forecast
    return {
        "lang": lang,
        "target": r.assessment.target_id,
        "name": (r.assessment.name_zh, r.assessment.name_en, r.assessment.unit, r.assessment.judged_scale),
        "history": sorted(by_year(r.history).items()),
        "scale": r.history_scale,
        "forecast": None if f is None else (f.method, f.years, f.mean, f.lo80, f.hi80, f.lo95, f.hi95),
        "goal": None if r.goal is None else repr(r.goal),
        "statuses": sorted((s.year, s.status, s.bound) for s in r.sources),
    }


def chart_html(r: TargetResult, lang: str) -> str:
    """A target's chart, its sources and (collapsed) the numbers it plots; ``data-target-drawn`` is
    read back from the drawn figure."""
    a = r.assessment
    png, info = cached("chart", _chart_key(r, lang) | {"v": 2, "data": data_fingerprint()}, lambda: _drawn_chart(r, lang))
    img = png_img(png, chart_alt(r, info, lang))
    shown = _shown_sources(r.sources, [p.year for p in r.history.index], bool(r.history_scale))
    plan_base = ""
    if a.base_origin == "plan":
        plan_base = "；规划基期值引自《专项规划》第一章" if lang == "zh" else "; the base value is stated in chapter 1 of the plan"
    drawn = "1" if info.target_drawn else "0"
    return (
        f"<figure class='fj-chart' data-target='{esc(a.target_id)}' data-target-drawn='{drawn}'>{img}"
        f"<figcaption>{_footnote(shown, lang)}{esc(plan_base)}</figcaption>{chart_data_html(r, info, lang)}</figure>"
    )


def _drawn_chart(r: TargetResult, lang: str) -> tuple[bytes, ChartInfo]:
    fig, info = target_chart(r, lang)
    return png_bytes(fig), info


def _shown_sources(sources: Iterable[SourceRef], years: list[int], chained: bool) -> list[SourceRef]:
    """Sources of the points a chart shows (a chained index also uses the growth into its first year)."""
    if not years:
        return []
    first = min(years) + (1 if chained else 0)
    return [s for s in sources if first <= s.year <= max(years)]


def _footnote(sources: Iterable[SourceRef], lang: str) -> str:
    seen: dict[str, list[int]] = {}
    for s in sources:
        seen.setdefault(s.source_title, []).append(s.year)
    parts = []
    for title, years in seen.items():
        span = f"{min(years)}" if min(years) == max(years) else f"{min(years)}–{max(years)}"
        parts.append(f"{esc(title)}（{span}）" if lang == "zh" else f"{esc(title)} ({span})")
    label = "资料来源：" if lang == "zh" else "Sources: "
    return label + ("；".join(parts) if lang == "zh" else "; ".join(parts)) if parts else label + "—"


def sources_table_html(items: Sequence[TargetResult], lang: str) -> str:
    w = WORDS[lang]
    rows = []
    for r in items:
        for s in r.sources:
            link = (
                f"<a href='{esc(s.source_url)}'>{esc(s.source_title)}</a>"
                if s.source_url.startswith(("http://", "https://"))
                else esc(s.source_title)
            )
            flag = f" <b>[{esc(w['user'])}]</b>" if s.user_supplied else ""
            floor = {"lower": "≥", "upper": "≤"}.get(s.bound, "")
            used = f" <b>[{esc(w['spliced'])}]</b>" if s.spliced else ""
            rows.append(
                f"<tr><td>{esc(r.assessment.indicator_id)}</td><td class='num'>{s.year}</td><td class='num'>{floor}{fmt(s.value)}</td><td>{esc(s.status)} / {esc(s.vintage)}{used}</td><td>{link}{flag}</td><td>{esc(s.quote)}</td></tr>"
            )
            for alt in s.alternatives:  # where sources disagree, the version not used is shown too
                alt_link = (
                    f"<a href='{esc(alt.source_url)}'>{esc(alt.source_title)}</a>"
                    if alt.source_url.startswith(("http://", "https://"))
                    else esc(alt.source_title)
                )
                alt_floor = {"lower": "≥", "upper": "≤"}.get(alt.bound, "")
                rows.append(
                    f"<tr class='not-used'><td>{esc(r.assessment.indicator_id)}</td><td class='num'>{alt.year}</td><td class='num'>{alt_floor}{fmt(alt.value)}</td><td>{esc(alt.status)} / {esc(alt.vintage)} <b>[{esc(w['not_used'])}]</b></td><td>{alt_link}</td><td>{esc(alt.quote)}</td></tr>"
                )
    head = "".join(f"<th>{esc(h)}</th>" for h in (w["indicator"], w["year"], w["value"], w["status"], w["source_col"], w["quote"]))
    return f"<div class='scroll'><table class='fj-sources'><thead><tr>{head}</tr></thead><tbody>{''.join(dict.fromkeys(rows))}</tbody></table></div>"


def insufficient_html(items: Sequence[TargetResult], lang: str) -> str:
    w = WORDS[lang]
    rows = [
        f"<tr><td>{esc(r.assessment.name_zh if lang == 'zh' else r.assessment.name_en)}</td><td>{esc(_target_text(r.assessment, lang))}</td><td class='num'>{r.assessment.n_obs}</td><td class='note'>{esc(' | '.join(r.assessment.notes))}</td></tr>"
        for r in items
    ]
    head = "".join(f"<th>{esc(h)}</th>" for h in (w["indicator"], w["target"], "n", w["reason"]))
    # The nightly writes the department questionnaire next to every report (coverage page, issue 12).
    ask = (
        "缺少的数据请相关部门填写 <a href='request_zh.xlsx'>数据填报表 request_zh.xlsx</a>（另见 <a href='coverage.html'>数据覆盖情况</a>）。"
        if lang == "zh"
        else "Missing figures: the department questionnaire <a href='request_zh.xlsx'>request_zh.xlsx</a> (see also <a href='coverage.html'>data coverage</a>)."
    )
    table = f"<div class='scroll'><table class='fj-insufficient'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    return f"<p class='note'>{ask}</p>{table}"


def has_chart(r: TargetResult) -> bool:
    return len(r.history) >= 1


@dataclass(frozen=True, eq=False)
class ChapterReport:
    """Everything one chapter report shows, computed once (the notebook only displays it)."""

    chapter: str
    lang: str
    as_of: int | None
    mid_year: int
    tolerance: float
    confidence: float
    items: tuple[TargetResult, ...]
    midterm: dict[str, Assessment]
    context_ids: tuple[str, ...]
    methods: str | tuple[str, ...]
    extra_data: ExtraData
    fingerprint: str
    plan: Plan
    contexts: tuple[ContextSeries, ...] = ()  # precomputed by prepare(): a report never fits a model

    @classmethod
    def build(
        cls,
        chapter: int | str | None,
        lang: str = "zh",
        as_of: int | None = None,
        methods: str | Sequence[str] = "auto",
        tolerance: float | None = None,
        extra_data: ExtraData = None,
        mid_year: int | None = None,
        confidence: float = 0.8,
        plan: str | Plan | None = None,
    ) -> ChapterReport:
        """A chapter (or ``"all"``) of a plan (default: the default plan). The mid-term view
        (``mid_year``, default: the plan's mid-term year) is shown only once that year is past."""
        view = View.of(plan, as_of, methods, tolerance, extra_data=extra_data)
        return cls.from_prepared(prepare(view, chapter, mid_year), lang, confidence)

    @classmethod
    def from_prepared(cls, prepared: Prepared, lang: str = "zh", confidence: float = 0.8) -> ChapterReport:
        """The report of what :func:`fjdata.assess.prepare.prepare` computed (the notebooks' path)."""
        p, view = prepared, prepared.view
        return cls(
            p.chapter or "all",
            lang,
            view.as_of,
            p.mid_year,
            view.tolerance,
            confidence,
            p.items,
            p.midterm_assessments(),
            tuple(c.indicator_id for c in p.contexts),
            view.method,
            view.extra,
            data_fingerprint(view.extra),
            view.plan,
            p.contexts,
        )

    @property
    def words(self) -> dict[str, str]:
        return WORDS[self.lang]

    def title(self) -> str:
        if self.chapter == "all":
            return f"《{self.plan.title_zh}》目标执行情况总览" if self.lang == "zh" else f"{self.plan.title_en}: overview of targets"
        return chapter_title(self.chapter, self.lang, self.plan)

    def header_html(self) -> str:
        w = self.words
        as_of = self.as_of if self.as_of is not None else max((r.assessment.latest_year or 0 for r in self.items), default=0) or "—"
        plan = self.plan.title(self.lang)
        meta = f"{w['generated']}: {date.today().isoformat()} · {w['data_as_of']}: {as_of} · {w['fingerprint']}: {self.fingerprint[:12]} · fjdata {__version__}"
        partial = ""
        if self.plan.status == "partial":  # say what the public text leaves out, so no reader takes this for the whole plan
            lead = (
                "本规划的指标表仅部分公开，以下目标之外尚缺："
                if self.lang == "zh"
                else "Only part of this plan's indicator table is public; still missing: "
            )
            partial = f"<p class='note'>{esc(lead + ('；' if self.lang == 'zh' else '; ').join(self.plan.missing))}</p>"
        return f"{CSS}<div class='fj'><p class='meta'>{esc(plan)}</p><h1>{esc(self.title())}</h1><p class='meta'>{esc(meta)}</p>{partial}</div>"

    def summary_html(self) -> str:
        w = self.words
        if not self.items:
            return f"<div class='fj'><h2>{esc(w['summary'])}</h2><p>{esc(w['none'])}</p></div>"
        legend = " ".join(
            f"<span><span class='dot' style='background:{LIGHT_HEX[light]}'></span>{esc(name)}</span>"
            for light, name in zip(
                Light,
                ("达标/进展良好", "需加快", "滞后/难以实现", "数据不足/不适用")
                if self.lang == "zh"
                else ("met/on track", "accelerate", "lagging/unlikely", "insufficient/n.a."),
                strict=True,
            )
        )
        table = summary_table_html(self.items, self.lang, self.midterm, self.mid_year, self.confidence)
        return f"<div class='fj'><h2>{esc(w['summary'])}</h2><p class='legend note'>{legend}</p>{table}<p class='note'>{esc(w['legend'].format(d=self.tolerance))}</p></div>"

    def narrative_html(self) -> str:
        paragraphs = chapter_narrative([r.assessment for r in self.items], self.midterm, self.lang, self.mid_year)
        body = "".join(f"<p>{esc(p)}</p>" for p in paragraphs)
        return f"<div class='fj narr'><h2>{esc(self.words['narrative'])}</h2>{body}</div>"

    def charts_html(self) -> list[str]:
        return [f"<div class='fj'>{chart_html(r, self.lang)}</div>" for r in self.items if has_chart(r)]

    def charts_heading_html(self) -> str:
        return f"<div class='fj'><h2>{esc(self.words['charts'])}</h2></div>"

    def insufficient_html(self) -> str:
        rows = [r for r in self.items if not has_chart(r)]
        if not rows:
            return ""
        return f"<div class='fj'><h2>{esc(self.words['insufficient'])}</h2>{insufficient_html(rows, self.lang)}</div>"

    def context_html(self) -> list[str]:
        if not self.context_ids:
            return []
        out = [
            f"<div class='fj'><h2>{esc(self.words['context'])}</h2>"
            + ("" if self.items else f"<p>{esc(self.words['none'])}</p>")
            + "</div>"
        ]
        for context in self.contexts:
            out.append(f"<div class='fj'>{context_chart_html(context, self.lang)}</div>")
        return out

    def sources_html(self) -> str:
        return f"<div class='fj'><h2>{esc(self.words['sources'])}</h2>{sources_table_html(self.items, self.lang)}</div>"

    def write_table(self, output_dir: str | Path | None) -> Path | None:
        """Save this report's assessment rows (today and mid-term) as CSV next to the HTML."""
        if output_dir is None:
            return None
        rows = [r.assessment.to_row() | {"view": "latest"} for r in self.items]
        rows += [a.to_row() | {"view": f"as_of_{self.mid_year}"} for a in self.midterm.values()]
        path = Path(output_dir) / "tables" / f"assessment_chapter_{self.chapter}.csv"
        atomic_write_bytes(path, pd.DataFrame(rows).to_csv(index=False).encode("utf-8-sig"))
        return path

    def overview_chart_html(self) -> str:
        by_chapter: dict[str, Counter[Light]] = {}
        for r in self.items:
            by_chapter.setdefault(r.assessment.chapter, Counter())[r.assessment.overall_status.light] += 1
        labels = [chapter_title(c, self.lang, self.plan) for c in by_chapter]
        names = (
            ("已实现/进展良好", "尚难判断", "未实现/滞后", "数据不足")
            if self.lang == "zh"
            else ("met/on track", "undecided", "missed/lagging", "insufficient")
        )
        counts = {name: [by_chapter[c][light] for c in by_chapter] for name, light in zip(names, Light, strict=True)}
        colours = {name: LIGHT_HEX[light] for name, light in zip(names, Light, strict=True)}
        title = "各章目标的总体判断（个数）" if self.lang == "zh" else "Overall verdict by chapter (number of targets)"
        return f"<div class='fj'><figure class='fj-chart'>{png_img(png_bytes(bar_figure(labels, counts, colours, title)), title)}</figure></div>"


def context_chart_html(context: ContextSeries, lang: str) -> str:
    """A context indicator in the plan's region: its judged series and projection to the plan's end
    (both precomputed by :func:`fjdata.assess.prepare.prepare`), without a target."""
    ind = indicator(context.indicator_id)
    judged, forecast, indicator_id = context.judged, context.forecast, context.indicator_id
    if not len(judged.values):
        return f"<p>{esc(ind.name(lang))}: {esc(Status.INSUFFICIENT.label(lang))}</p>"
    sources = judged.raw.attrs.get("sources", ())
    statuses = {s.year: s.status for s in sources}
    bounds = {} if judged.index_base_year is not None else dict(judged.raw.attrs.get("bounds", {}))
    fig = series_figure(ind.name(lang), ind.unit, judged.values, judged.describe(lang), statuses, forecast, None, lang, bounds)
    img = png_img(png_bytes(fig), ind.name(lang))
    published = judged.raw if judged.index_base_year is not None else None  # the rates behind a chained index
    return (
        f"<figure class='fj-chart' data-indicator='{esc(indicator_id)}'>{img}<figcaption>{_footnote(sources, lang)}</figcaption>"
        f"{series_data_html(indicator_id, str(judged.raw.attrs.get('region', '')), judged.values, statuses, bounds, lang, published)}</figure>"
    )


FEASIBILITY_WORDS = {
    "zh": (
        "候选目标",
        "目标值",
        "最新数据",
        "所需年均增速",
        "近5年年均",
        "近10年年均",
        "达标可能性",
        "50%把握可达",
        "75%把握可达",
        "90%把握可达",
        "说明",
    ),
    "en": (
        "Candidate",
        "Target",
        "Latest data",
        "Required growth a year",
        "Last 5 yrs a year",
        "Last 10 yrs a year",
        "Chance met",
        "Met at 50%",
        "Met at 75%",
        "Met at 90%",
        "Note",
    ),
}


def _pct(v: float | None) -> str:
    return "—" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.1f}%"


def feasibility_table_html(results: Sequence[Feasibility], lang: str = "zh") -> str:
    """Draft targets: chance of meeting each (a calibrated band), required vs achieved growth,
    and the values that would be met with 50 / 75 / 90 % probability."""
    head = "".join(f"<th>{esc(h)}</th>" for h in FEASIBILITY_WORDS[lang])
    rows = []
    for f in results:
        d = f.target
        unit = "%" if d.kind == "average_growth" or f.unit == "%" else f" {f.unit}"
        values = [
            ("—" if v is None else f"{fmt_figure(v, f.unit) if d.kind != 'average_growth' else f'{v:.1f}'}{unit}")
            for v in (f.value_p50, f.value_p75, f.value_p90)
        ]
        latest = "—" if f.last_year is None or f.last_value is None else f"{fmt_figure(f.last_value, f.unit)}{unit}（{f.last_year}）"
        cells = [
            esc(d.name),
            esc(f"{d.target_year}: {d.target_op} {d.target_value:g}{unit}"),
            esc(latest),
            esc(_pct(f.required_rate)),
            esc(_pct(f.achieved_rate_5y)),
            esc(_pct(f.achieved_rate_10y)),
            esc(probability_band(f.probability, lang)),
            *map(esc, values),
            esc(note_text(f.note, lang)),
        ]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return f"<div class='fj'><table class='fj-feasibility'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"


def feasibility_chart_html(f: Feasibility, lang: str = "zh") -> str:
    png = png_bytes(feasibility_figure(f, lang))
    return f"<div class='fj'><figure class='fj-chart' data-indicator='{esc(f.target.indicator_id)}'>{png_img(png, f.target.name)}</figure></div>"
