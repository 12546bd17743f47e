"""The run's index.html: every report with its status, links, tables and manifest (self-contained)."""

from __future__ import annotations

import html

from fjdata.batch.run_result import RunResult

_BADGE = {
    "success": ("#2e7d32", "成功 success"),
    "failed": ("#c62828", "失败 failed"),
    "timeout": ("#c62828", "超时 timeout"),
    "invalid": ("#6d4c41", "参数/数据无效 invalid"),
}


def index_html(run: RunResult, folder_name: str) -> str:
    e = html.escape
    rows = []
    for r in run.reports:
        colour, label = _BADGE[r.status.value]
        link = f"<a href='{e(r.html)}'>{e(r.title or r.name)}</a>" if r.html else e(r.title or r.name)
        nb = f"<a href='{e(r.executed)}'>ipynb</a>" if r.executed else "—"
        err = f"<pre>{e(r.error)}</pre>" if r.error else ""
        rows.append(
            f"<tr><td>{link}</td><td><span style='color:{colour};font-weight:bold'>{e(label)}</span>{err}</td>"
            f"<td style='text-align:right'>{r.duration_s:.1f}</td><td>{nb}</td><td>{e(r.params_file.split('/')[-1])}</td></tr>"
        )
    ok = sum(r.status.value == "success" for r in run.reports)
    tables = " · ".join(f"<a href='{e(t)}'>{e(t)}</a>" for t in run.extra.get("tables", []))
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>fjdata 夜间报告 {e(folder_name)}</title>
<style>
body{{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;max-width:1000px;margin:24px auto;
padding:0 16px;color:#1b1b1b}}
table{{border-collapse:collapse;width:100%;font-size:.92em}}th,td{{border:1px solid #ddd;padding:6px;vertical-align:top}}
th{{background:#f3f5f9;text-align:left}}
pre{{white-space:pre-wrap;font-size:.8em;color:#7f0000;margin:.3em 0 0}}.meta{{color:#555;font-size:.9em}}
</style></head><body>
<h1>规划目标监测报告 · Plan target monitoring</h1>
<p class="meta">运行 Run {e(folder_name)} · 开始 {e(run.started)} · 结束 {e(run.finished)} ·
成功 {ok}/{len(run.reports)} · 数据指纹 {e(run.data_hash[:12])}</p>
<table><thead><tr><th>报告 Report</th><th>状态 Status</th><th>耗时 s</th><th>Notebook</th><th>参数 Params</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table>
<p>表格 Tables: {tables} · <a href="manifest.json">manifest.json</a></p>
</body></html>
"""
