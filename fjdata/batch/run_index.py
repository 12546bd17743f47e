"""The run's index.html, a leadership entry page: the reports first (Chinese titles grouped by plan,
one line on what each says, links to the HTML and the A4 PDF), the run details (status, durations,
manifest, data hash) below in a collapsed section. Self-contained: no script, no external request."""

from __future__ import annotations

import html
from datetime import date

from fjdata.batch.run_result import ReportResult, RunResult

_BADGE = {
    "success": ("#2e7d32", "成功 success"),
    "failed": ("#c62828", "失败 failed"),
    "timeout": ("#c62828", "超时 timeout"),
    "invalid": ("#6d4c41", "参数/数据无效 invalid"),
}

# One line per kind of report (by notebook), in the report's language.
_DESCRIPTION = {
    "overview.ipynb": {
        "zh": ("全部目标的终期评估：总体结论、逐项判断与差距", "全部目标的执行情况：总体判断、逐项进度与差距"),
        "en": ("Final evaluation of every target: headline result, verdict and gap per target", "Every target: verdict, progress and gap"),
    },
    "chapter_report.ipynb": {
        "zh": ("本章目标逐项评估、图表与数据来源", "本章目标逐项评估、图表与数据来源"),
        "en": ("This chapter's targets: verdicts, charts and sources", "This chapter's targets: verdicts, charts and sources"),
    },
    "explore.ipynb": {
        "zh": ("单个指标的数据、来源与模型对比（供分析人员使用）",) * 2,
        "en": ("One indicator's data, sources and models (for analysts)",) * 2,
    },
    "feasibility.ipynb": {
        "zh": ("下一期目标草案的达标可能性测算",) * 2,
        "en": ("Chance of meeting draft targets for the next plan",) * 2,
    },
}


def _plan_of(r: ReportResult) -> tuple[str, str, bool]:
    """(plan id, plan title in the report's language, whether its period is over) from plan data."""
    from fjdata.inputs.plan import get_plan

    try:
        plan = get_plan(r.parameters.get("plan"))
    except Exception:  # an invalid report may name a plan that does not exist
        return "", "", False
    return plan.plan_id, plan.title("zh"), plan.end_year < date.today().year


def _description(r: ReportResult, ended: bool) -> str:
    lang = "en" if r.parameters.get("lang") == "en" else "zh"
    kinds = _DESCRIPTION.get(r.notebook)
    return kinds[lang][0 if ended else 1] if kinds else ""


def index_html(run: RunResult, folder_name: str) -> str:
    e = html.escape
    pdfs: dict[str, str] = dict(run.extra.get("pdfs", {}))
    groups: dict[str, tuple[str, list[str]]] = {}
    for r in run.reports:
        plan_id, plan_title, ended = _plan_of(r)
        title = e(r.title or r.name)
        links = []
        if r.html and r.status.value == "success":
            links.append(f"<a class='btn' href='{e(r.html)}'>网页 HTML</a>")
        if r.name in pdfs:
            links.append(f"<a class='btn' href='{e(pdfs[r.name])}'>打印版 PDF (A4)</a>")
        state = "" if r.status.value == "success" else f" <span class='bad'>（{e(_BADGE[r.status.value][1])}）</span>"
        lang = " <span class='lang'>English</span>" if r.parameters.get("lang") == "en" else ""
        name = f"<a href='{e(r.html)}'>{title}</a>" if r.html and r.status.value == "success" else title
        item = (
            f"<li class='report' data-report='{e(r.name)}'><div class='t'>{name}{lang}{state}</div>"
            f"<div class='d'>{e(_description(r, ended))}</div><div class='links'>{''.join(links)}</div></li>"
        )
        groups.setdefault(plan_id, (plan_title, []))[1].append(item)
    sections = "".join(
        f"<section><h2>{e(title or '其他 Other')}</h2><ul class='reports'>{''.join(items)}</ul></section>"
        for title, items in groups.values()
    )
    ok = sum(r.status.value == "success" for r in run.reports)
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>规划目标监测报告 {e(folder_name)}</title>
<style>
body{{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;max-width:960px;margin:24px auto;
padding:0 16px;color:#1b1b1b}}
h1{{font-size:1.6em;margin:.2em 0}}h2{{font-size:1.15em;border-bottom:2px solid #1f3b73;padding-bottom:.2em;margin-top:1.4em}}
ul.reports{{list-style:none;padding:0;margin:0}}li.report{{border-bottom:1px solid #e3e6ec;padding:.7em 0}}
li.report .t{{font-size:1.05em;font-weight:600}}li.report .d{{color:#444;font-size:.92em;margin:.2em 0 .35em}}
a{{color:#1f3b73}}a.btn{{display:inline-block;margin:0 .6em .2em 0;padding:.15em .6em;border:1px solid #1f3b73;border-radius:4px;
text-decoration:none;font-size:.88em}}.lang{{font-size:.75em;color:#555;border:1px solid #bbb;border-radius:3px;padding:0 .3em}}
.bad{{color:#c62828;font-weight:normal;font-size:.9em}}.meta{{color:#555;font-size:.9em}}
details{{margin-top:2em;border-top:1px solid #ddd;padding-top:.6em}}summary{{cursor:pointer;color:#333}}
.scroll{{overflow-x:auto;max-width:100%}}table{{border-collapse:collapse;width:100%;font-size:.88em}}
th,td{{border:1px solid #ddd;padding:5px;vertical-align:top;text-align:left}}th{{background:#f3f5f9}}
pre{{white-space:pre-wrap;word-break:break-word;font-size:.8em;color:#7f0000;margin:.3em 0 0}}
</style></head><body>
<h1>规划目标监测报告</h1>
<p class="meta">{e(folder_name)} · 共 {len(run.reports)} 份报告，{ok} 份生成成功</p>
{sections}
<details class="run"><summary>运行详情 Run details</summary>
{_run_details(run, folder_name, ok)}
</details>
</body></html>
"""


def _run_details(run: RunResult, folder_name: str, ok: int) -> str:
    e = html.escape
    rows = []
    for r in run.reports:
        colour, label = _BADGE[r.status.value]
        nb = f"<a href='{e(r.executed)}'>ipynb</a>" if r.executed else "—"
        err = f"<pre>{e(r.error)}</pre>" if r.error else ""
        rows.append(
            f"<tr><td>{e(r.name)}</td><td><span style='color:{colour};font-weight:bold'>{e(label)}</span>{err}</td>"
            f"<td style='text-align:right'>{r.duration_s:.1f}</td><td>{nb}</td><td>{e(r.params_file.split('/')[-1])}</td></tr>"
        )
    tables = " · ".join(f"<a href='{e(t)}'>{e(t)}</a>" for t in run.extra.get("tables", []))
    pdf_note = run.extra.get("pdf_note")
    note = f"<p class='meta'>{e(str(pdf_note))}</p>" if pdf_note else ""
    return f"""<p class="meta">运行 Run {e(folder_name)} · 开始 {e(run.started)} · 结束 {e(run.finished)} ·
成功 {ok}/{len(run.reports)} · 数据指纹 data hash {e(run.data_hash[:12])}</p>{note}
<div class="scroll"><table><thead>
<tr><th>报告 Report</th><th>状态 Status</th><th>耗时 s</th><th>Notebook</th><th>参数 Params</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table></div>
<p>表格 Tables: {tables} · <a href="manifest.json">manifest.json</a></p>"""
