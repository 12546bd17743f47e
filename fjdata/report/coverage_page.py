"""The coverage page of the nightly output: per target, which plan years we hold and from which
source tier, what is missing, and a link to the department questionnaire written beside it.

:func:`write_coverage_outputs` writes ``coverage.html`` (self-contained: inline CSS, no scripts,
no remote requests) and ``request_zh.xlsx`` into a run folder; :func:`coverage_rows` is the
table behind it, also used to measure coverage (``base`` and ``late`` columns).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from jinja2 import Environment, select_autoescape

from fjdata.department.data_needs import data_needs, needed_years
from fjdata.inputs.indicators import catalogue
from fjdata.inputs.observations import PLAN_REGION, observations
from fjdata.inputs.registry import Target, registry
from fjdata.inputs.source_quality import TIERS, tier_label, tier_rank
from fjdata.inputs.statements import Statement, statements

QUESTIONNAIRE = "request_zh.xlsx"
PAGE = "coverage.html"
TIER_COLOURS = {
    "official_statistics": "#1b5e20",
    "department": "#2e7d32",
    "official_release": "#558b2f",
    "media": "#f9a825",
    "secondary_copy": "#ef6c00",
    "derived": "#6d4c41",
}
TIER_SHORT = {
    "official_statistics": "统",
    "department": "部",
    "official_release": "政",
    "media": "媒",
    "secondary_copy": "转",
    "derived": "推",
}


@dataclass(frozen=True)
class YearCell:
    year: int
    needed: bool  # part of the years the evaluation judges the target on
    tier: str | None  # best tier held for that year, None when missing
    status: str | None
    bound: bool
    asked: bool  # on the questionnaire

    @property
    def text(self) -> str:
        if self.tier is None:
            return "缺" if self.needed else "·"
        mark = "p" if self.status == "preliminary" else ""
        return ("≥" if self.bound else "") + TIER_SHORT.get(self.tier, "?") + mark


@dataclass(frozen=True)
class CoverageRow:
    target: Target
    cells: tuple[YearCell, ...]
    base: bool  # a base-year value: observed, stated in the plan, or fixed by construction (index = 100, total = 0)
    late: bool  # a value for the target year or the year before
    missing: tuple[int, ...]
    asked: int  # questionnaire rows for this target
    statements: tuple[Statement, ...] = ()  # official statements on file (evidence, never a number)


def coverage_rows(extra_data: object = None) -> list[CoverageRow]:
    known = catalogue()
    frame = observations(region=PLAN_REGION, extra_data=extra_data)  # type: ignore[arg-type]
    asked = {(n.indicator_id, n.year) for n in data_needs(extra_data=extra_data)}
    said = statements()
    out = []
    for t in registry():
        ind = known[t.indicator_id]
        wanted = set(needed_years(t, ind))
        rows = frame[frame["indicator_id"] == t.indicator_id]
        cells = []
        for y in range(t.base_year, t.target_year + 1):
            held = rows[rows["year"] == y]
            if held.empty:
                cells.append(YearCell(y, y in wanted, None, None, False, (t.indicator_id, y) in asked))
                continue
            best = min(held.itertuples(), key=lambda r: (tier_rank(str(r.source_tier)), str(r.status) == "preliminary", bool(r.bound)))
            cells.append(YearCell(y, y in wanted, str(best.source_tier), str(best.status), bool(best.bound), (t.indicator_id, y) in asked))
        held_years = {c.year for c in cells if c.tier is not None}
        base = t.base_year in held_years or t.base_year not in wanted or t.base_value is not None
        late = bool(held_years & {t.target_year - 1, t.target_year})
        missing = tuple(c.year for c in cells if c.needed and c.tier is None)
        mine = tuple(s for s in said if s.target_id == t.target_id)
        out.append(CoverageRow(t, tuple(cells), base, late, missing, sum(1 for c in cells if c.asked), mine))
    return out


_TEMPLATE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>数据覆盖情况 Data coverage</title>
<style>
body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;max-width:1200px;margin:24px auto;
padding:0 16px;color:#1b1b1b}
.scroll{overflow-x:auto;max-width:100%}.scroll table{min-width:760px}.cta{overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%;font-size:.88em}th,td{border:1px solid #ddd;padding:4px 6px;vertical-align:top}
th{background:#f3f5f9;text-align:left}td.y{text-align:center;font-weight:bold;color:#fff;width:3.2em}
td.miss{background:#c62828}td.none{background:#fafafa;color:#999}.meta{color:#555;font-size:.9em}
.legend span{display:inline-block;padding:2px 8px;margin:2px;color:#fff;border-radius:3px;font-size:.85em}
.cta{background:#fff8e1;border:1px solid #f9a825;padding:10px 14px;margin:12px 0}
small{color:#666}.stmt{font-size:.85em;max-width:22em;min-width:12em}
@media (max-width:600px){body{margin:12px auto;padding:0 8px}table{font-size:.78em}}
</style></head><body>
<h1>数据覆盖情况 <small>Data coverage</small></h1>
<p class="meta">生成 Generated {{ generated }} · 目标 {{ rows|length }} 个 ·
有基期值且有{{ late_label }}数值的目标 {{ both }} 个 · 问卷行 {{ asked }} 行</p>
<div class="cta"><strong>缺数据？</strong> 请有关部门填写 <a href="{{ questionnaire }}">数据填报表 {{ questionnaire }}</a>
（每个缺失、仅有初步数或下限、来源级别低或来源不一致的指标年份一行；另有“官方表述”表）。
<br><small>Missing figures? The department questionnaire <a href="{{ questionnaire }}">{{ questionnaire }}</a>
asks for every missing or weak (indicator, year).</small></div>
<p class="legend">来源级别 Source tier:
{% for t in tiers %}<span style="background:{{ colours[t] }}">{{ short[t] }} {{ label(t, 'zh') }} · {{ label(t, 'en') }}</span>{% endfor %}
<span style="background:#c62828">缺 missing</span>
<small>p = 初步数 preliminary · ≥ = 仅有下限 lower bound only ·
“·” = 基期由定义确定 base fixed by construction</small></p>
<div class="scroll"><table><thead><tr><th>目标 Target</th><th>章</th>{% for y in years %}<th>{{ y }}</th>{% endfor %}
<th>缺失年份 Missing</th><th>问卷 Asked</th><th>官方表述 Statements</th></tr></thead>
<tbody>
{% for r in rows %}<tr><td>{{ r.target.name_zh }}<br><small>{{ r.target.target_id }} · {{ r.target.target_text }}</small></td>
<td>{{ r.target.chapter }}</td>
{% for c in r.cells %}{% if c.tier -%}
<td class="y" style="background:{{ colours[c.tier] }}" title="{{ label(c.tier, 'zh') }} {{ c.status }}">{{ c.text }}</td>
{%- elif c.needed %}<td class="y miss">缺</td>{% else %}<td class="y none">·</td>{% endif %}{% endfor %}
<td>{{ r.missing|join(', ') if r.missing else '—' }}</td><td>{{ r.asked }}</td>
<td>{% for s in r.statements %}<div class="stmt"><strong>{{ s.label('zh') }}</strong> {{ s.year }}：{{ s.speaker }}，{{ s.published }}，
{%- if s.source_url %}<a href="{{ s.source_url }}">《{{ s.source_title }}》</a>{% else %}《{{ s.source_title }}》{% endif -%}
<br><small>“{{ s.quote }}”</small></div>{% else %}—{% endfor %}</td></tr>
{% endfor %}</tbody></table></div>
</body></html>
"""


def coverage_html(rows: list[CoverageRow] | None = None, questionnaire: str = QUESTIONNAIRE) -> str:
    """The self-contained coverage page."""
    rows = rows if rows is not None else coverage_rows()
    years = sorted({c.year for r in rows for c in r.cells})
    env = Environment(autoescape=select_autoescape(default=True))
    target_year = max((r.target.target_year for r in rows), default=0)
    return env.from_string(_TEMPLATE).render(
        rows=rows,
        years=years,
        tiers=TIERS,
        colours=TIER_COLOURS,
        short=TIER_SHORT,
        label=tier_label,
        questionnaire=questionnaire,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        both=sum(r.base and r.late for r in rows),
        late_label=f"{target_year - 1}或{target_year}年",
        asked=sum(r.asked for r in rows),
    )


def write_coverage_outputs(folder: Path) -> list[str]:
    """Write ``request_zh.xlsx`` and ``coverage.html`` into a run folder; returns their names."""
    from fjdata.core.cache import atomic_write_bytes
    from fjdata.department.questionnaire import write_request

    write_request(folder / QUESTIONNAIRE, lang="zh")
    atomic_write_bytes(folder / PAGE, coverage_html().encode("utf-8"))
    return [PAGE, QUESTIONNAIRE]
