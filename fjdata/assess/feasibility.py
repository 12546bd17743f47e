"""Feasibility of targets not yet due: would a draft 2030 value be met on current trends?

For each candidate target (from a small YAML or XLSX file a planner writes, or from a plan whose
period has not ended) this gives:

- the calibrated probability that the target is met in its target year (the same
  backtest-calibrated projection the assessment uses, see :mod:`fjdata.forecast.backtest`);
- the growth it requires from the latest observation, against the growth achieved over the last
  five and ten years;
- the target values that would be met with 50 %, 75 % and 90 % probability — what a planner can
  promise at a chosen level of confidence.

Average-growth targets are judged on the chained real index (base year = 100) where the
indicator is published as yearly rates, or on the level itself (e.g. R&D spending in 亿元, the
target then being base × (1 + g)^n); levels, counts and shares on their own scale, as in the
assessment. Growth of a share is given in percentage points a year, never as a relative rate.
A draft file::

    # drafts for 2026–2030; every figure here is a candidate, not data
    title: 福建省“十五五”制造业目标草案（第一稿）   # the report's heading (not the file name)
    previous_plan: fujian-14th-manufacturing        # whose outcome each candidate is shown beside
    reference_plans: [china-15th-fyp]               # targets a candidate is checked against
    region: Fujian
    base_year: 2025
    target_year: 2030
    targets:
      - name: 规上工业增加值年均增长
        indicator_id: above_size_industry_va_growth
        kind: average_growth        # level | share | count | average_growth
        target_op: "≥"              # ≥ or ≤
        target_value: 5.5
        compare_to: [cn15_rd_growth]  # optional: reference targets on a related indicator

Keys set at the top apply to every target unless a target sets its own.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from fjdata.assess.judgements import probability_band
from fjdata.core.cache import cached, content_digest
from fjdata.core.errors import FjdataError
from fjdata.core.untrusted import DRAFT_LIMITS, UNIT_CEILINGS, UntrustedFileError, load_yaml, open_xlsx, sheet_rows
from fjdata.forecast.backtest import auto_policy
from fjdata.forecast.models import Forecast, t_or_normal_ppf
from fjdata.forecast.projection import AutoPolicy, ExtraData, judged_series, project_judged
from fjdata.inputs.indicators import catalogue
from fjdata.inputs.observations import REGIONS
from fjdata.inputs.transforms import by_year, from_model_scale

KINDS = ("level", "share", "count", "average_growth")
OPS = ("≥", "≤")
CONFIDENCE_LEVELS = (0.5, 0.75, 0.9)
_FIELDS = ("name", "indicator_id", "kind", "target_op", "target_value", "base_year", "target_year", "region", "compare_to")
# Keys only the top of a YAML draft (or an XLSX workbook's properties) may set: they describe the draft.
DOCUMENT_KEYS = ("title", "note", "previous_plan", "reference_plans")
RATE_PERCENT, RATE_POINTS = "%", "pp"  # relative growth (% a year) | change of a share (percentage points a year)


class DraftError(FjdataError):
    """A draft-target file that cannot be read: names the file, the entry and the field."""

    def __init__(self, file: str | Path, entry: str, key: str, problem: str) -> None:
        self.file, self.entry, self.key, self.problem = str(file), entry, key, problem
        super().__init__(f"{file}: {entry}: {key}: {problem}")


@dataclass(frozen=True)
class DraftTarget:
    """A candidate target: what a planner is considering, not a plan fact."""

    name: str
    indicator_id: str
    kind: str
    target_op: str
    target_value: float
    base_year: int
    target_year: int
    region: str
    compare_to: tuple[str, ...] = ()  # reference target ids named by the planner


@dataclass(frozen=True)
class DraftFile:
    """A draft as a planner wrote it: its own title and note, which plans it is read against, the candidates."""

    path: Path
    title: str  # the draft's own name ("" when it gives none; never the file name)
    note: str  # e.g. "示例，不是建议 / an example, not a proposal"
    previous_plan: str | None  # plan id whose outcome is shown beside each candidate (None: the default plan)
    reference_plans: tuple[str, ...]  # plan ids whose targets each candidate is checked against
    targets: tuple[DraftTarget, ...]


@dataclass(frozen=True)
class Feasibility:
    """How feasible one candidate target is on current trends (values in the target's unit)."""

    target: DraftTarget
    unit: str
    last_year: int | None
    last_value: float | None  # for average growth: the last yearly rate
    required_rate: float | None  # % a year needed from the last observation (or the base) to the target
    achieved_rate_5y: float | None  # % a year over the last five years observed
    achieved_rate_10y: float | None
    probability: float | None  # calibrated P(target met in the target year)
    value_p50: float | None  # the target value met with 50 % probability
    value_p75: float | None
    value_p90: float | None
    method: str | None
    note: str = ""  # "中文 / English"; reports show the part in their language (see note_text)
    history: pd.Series | None = None  # what the chart draws: yearly rates (average growth) or levels
    forecast: Forecast | None = None  # on the judged scale (the chained index for average growth)
    rate_unit: str = RATE_PERCENT  # of required_rate and achieved_rate_*: "%" a year, or "pp" a year for a share
    base_level: float | None = None  # growth judged on a level: the base-year level the rates compound from
    on_rates: bool = False  # the history is yearly rates (a growth target on a chained index)
    level_unit: str = ""  # the unit of the history when it is levels (e.g. 亿元 for growth judged on a level)


def note_text(note: str, lang: str) -> str:
    """The part of a bilingual "中文 / English" note in one language."""
    zh, sep, en = note.partition(" / ")
    return (zh if lang == "zh" else en) if sep else note


def _number(raw: dict[str, object], key: str, file: Path, entry: str) -> float:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(float(value)):
        raise DraftError(file, entry, key, f"{value!r} is not a number")
    return float(value)


def _plausible(value: float, kind: str, unit: str, file: Path, entry: str) -> float:
    """A target value its unit allows (C91: 1e300 亿元 is a slip, not a target)."""
    ceiling = UNIT_CEILINGS.get(unit)
    if kind != "average_growth" and ceiling is not None and abs(value) > ceiling:
        raise DraftError(file, entry, "target_value", f"{value:g} {unit} is more than any such figure can be (at most {ceiling:g} {unit})")
    if kind == "share" and not 0 <= value <= 100:
        raise DraftError(file, entry, "target_value", f"{value:g} is outside 0–100 for a share")
    return value


def _year(raw: dict[str, object], key: str, file: Path, entry: str) -> int:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not 1990 <= value <= 2100:
        raise DraftError(file, entry, key, f"{value!r} is not a year between 1990 and 2100")
    return value


def _choice(raw: dict[str, object], key: str, allowed: Sequence[str], file: Path, entry: str) -> str:
    value = str(raw.get(key, ""))
    if value not in allowed:
        raise DraftError(file, entry, key, f"{value!r} is not one of {', '.join(allowed)}")
    return value


def parse_drafts(entries: Sequence[dict[str, object]], defaults: dict[str, object], file: Path) -> list[DraftTarget]:
    """Validate draft entries (with file-level defaults); errors name the entry and the field."""
    known = catalogue()
    out = []
    for pos, own in enumerate(entries, start=1):
        if not isinstance(own, dict):
            raise DraftError(file, f"target #{pos}", "-", "is not a mapping")
        raw = {**defaults, **{k: v for k, v in own.items() if v is not None and v != ""}}
        entry = f"target #{pos} ({raw.get('name', '?')})"
        unknown = sorted(set(own) - set(_FIELDS))
        if unknown:
            raise DraftError(file, entry, unknown[0], f"unknown key; expected {', '.join(_FIELDS)}")
        iid = str(raw.get("indicator_id", ""))
        if iid not in known:
            import difflib

            close = difflib.get_close_matches(iid, list(known), n=3)
            raise DraftError(
                file, entry, "indicator_id", f"unknown indicator {iid!r}" + (f"; did you mean {', '.join(close)}?" if close else "")
            )
        kind = _choice(raw, "kind", KINDS, file, entry)
        if not _kind_fits(kind, known[iid].chain, known[iid].series_kind):
            raise DraftError(
                file,
                entry,
                "kind",
                f"{kind} does not fit {iid} (a {known[iid].series_kind} series); use "
                + _kinds_for(known[iid].chain, known[iid].series_kind),
            )
        base_year, target_year = _year(raw, "base_year", file, entry), _year(raw, "target_year", file, entry)
        if target_year <= base_year:
            raise DraftError(file, entry, "target_year", f"{target_year} is not after base_year {base_year}")
        out.append(
            DraftTarget(
                name=str(raw.get("name") or known[iid].name_zh),
                indicator_id=iid,
                kind=kind,
                target_op=_choice(raw, "target_op", OPS, file, entry),
                target_value=_plausible(_number(raw, "target_value", file, entry), kind, known[iid].unit, file, entry),
                base_year=base_year,
                target_year=target_year,
                region=_choice(raw, "region", REGIONS, file, entry),
                compare_to=_ids(raw.get("compare_to"), file, entry),
            )
        )
    return out


def _xlsx_rows(path: Path) -> list[dict[str, object]]:
    """The draft rows of a workbook's first sheet (header row first), streamed within
    :data:`DRAFT_LIMITS`; a formula without a saved result is named by its cell."""
    from openpyxl.utils import get_column_letter

    wb = open_xlsx(path, DRAFT_LIMITS, data_only=True)
    try:
        ws = wb.worksheets[0]
        table = list(sheet_rows(path, ws, DRAFT_LIMITS))
    finally:
        wb.close()
    if not table:
        raise DraftError(path, "header", "-", f"the first sheet is empty; expected the columns {', '.join(_FIELDS)}")
    header = [None if c.value is None else str(c.value).strip() for c in table[0][1]]
    unknown = [h for h in header if h is not None and h not in _FIELDS]
    if unknown:
        raise DraftError(path, "header", unknown[0], f"unknown column; expected {', '.join(_FIELDS)}")
    wbf = open_xlsx(path, DRAFT_LIMITS, data_only=False)
    try:
        formulas = {
            (n, i) for n, cells in sheet_rows(path, wbf.worksheets[0], DRAFT_LIMITS) for i, c in enumerate(cells) if c.data_type == "f"
        }
    finally:
        wbf.close()
    rows = []
    for n, cells in table[1:]:
        row: dict[str, object] = {}
        for i, c in enumerate(cells):
            name = header[i] if i < len(header) else None
            if (n, i) in formulas and c.value is None:
                raise DraftError(
                    path,
                    f"row {n}",
                    str(name),
                    f"cell {get_column_letter(i + 1)}{n} holds a formula without a saved result; type the value",
                )
            if name is not None and c.value is not None and str(c.value).strip() != "":
                row[name] = c.value
        if row:
            rows.append(row)
    if not rows:
        raise DraftError(path, "-", "-", "no draft targets below the header row")
    return rows


def _kind_fits(kind: str, chain: str, series_kind: str) -> bool:
    """Rates published yearly take only average growth; a level or count takes growth of itself too."""
    if chain == "growth_to_index":
        return kind == "average_growth"
    return kind != "average_growth" or series_kind in ("level", "count")


def _kinds_for(chain: str, series_kind: str) -> str:
    if chain == "growth_to_index":
        return "average_growth"
    return "level, count or average_growth" if series_kind in ("level", "count") else "level, share or count"


def _ids(value: object, file: Path, entry: str) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(v, str) for v in items):
        raise DraftError(file, entry, "compare_to", f"{value!r} is not a list of target ids")
    return tuple(v.strip() for v in items if v.strip())


def load_drafts(path: str | Path) -> list[DraftTarget]:
    """The candidate targets of a draft file (see :func:`read_draft_file`)."""
    return list(read_draft_file(path).targets)


def read_draft_file(path: str | Path) -> DraftFile:
    """Read a draft: YAML (``targets:`` list, defaults and the document keys at the top) or XLSX
    (one row per target; the title is the workbook's own title property). The one place a draft
    file is opened."""
    path = Path(path)
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            return DraftFile(path, _workbook_title(path), "", None, (), tuple(parse_drafts(_xlsx_rows(path), {}, path)))
        if path.suffix.lower() not in (".yaml", ".yml"):
            raise DraftError(path, "-", "-", "expected a .yaml, .yml or .xlsx file")
        loaded = load_yaml(path, DRAFT_LIMITS)  # an untrusted file: size limit, UTF-8, no aliases
    except UntrustedFileError as exc:
        raise DraftError(path, exc.where or "-", "-", exc.problem) from exc
    if not isinstance(loaded, dict) or not isinstance(loaded.get("targets"), list):
        raise DraftError(path, "-", "targets", "the file needs a top-level 'targets:' list")
    if not loaded["targets"]:
        raise DraftError(path, "-", "targets", "the 'targets:' list is empty; add at least one draft target")
    if len(loaded["targets"]) > DRAFT_LIMITS.rows:
        raise DraftError(
            path, "-", "targets", f"{len(loaded['targets']):,} draft targets; at most {DRAFT_LIMITS.rows:,} are assessed at once"
        )
    document = {k: loaded[k] for k in DOCUMENT_KEYS if k in loaded}
    defaults = {k: v for k, v in loaded.items() if k != "targets" and k not in DOCUMENT_KEYS}
    unknown = sorted(set(defaults) - set(_FIELDS))
    if unknown:
        raise DraftError(path, "top level", unknown[0], f"unknown key; expected targets, {', '.join((*DOCUMENT_KEYS, *_FIELDS))}")
    for key in ("title", "note", "previous_plan"):
        if key in document and not isinstance(document[key], str):
            raise DraftError(path, "top level", key, f"{document[key]!r} is not text")
    return DraftFile(
        path,
        str(document.get("title", "")).strip(),
        str(document.get("note", "")).strip(),
        document.get("previous_plan"),
        _ids(document.get("reference_plans"), path, "top level"),
        tuple(parse_drafts(loaded["targets"], defaults, path)),
    )


def _workbook_title(path: Path) -> str:
    book = open_xlsx(path, DRAFT_LIMITS, data_only=True)
    try:
        return str(book.properties.title or "").strip()[:200]
    finally:
        book.close()


def _quantile(fc: Forecast, year: int, q: float) -> float:
    """The q-quantile of the forecast for ``year`` on the natural scale."""
    i = fc.years.index(year)
    if fc.samples is not None:
        return float(np.quantile(from_model_scale(fc.samples[:, i], fc.scale, fc.bounds) if fc.scale != "natural" else fc.samples[:, i], q))
    z = t_or_normal_ppf(q, fc.df)
    return float(from_model_scale(np.array([fc.loc[i] + z * fc.sd[i]]), fc.scale, fc.bounds)[0])


# A chained index needs this many consecutive years behind its last point to be projected.
MIN_CHAIN = 4


def _run_length(years: Sequence[int], last: int) -> int:
    n = 0
    while last - n in years:
        n += 1
    return n


def _mean_rate(rates: dict[int, float], end: int, span: int) -> float | None:
    """Geometric mean of the yearly rates published for (end − span, end]; None if fewer than half."""
    held = [rates[y] for y in range(end - span + 1, end + 1) if y in rates]
    if len(held) * 2 < span:
        return None
    return (math.prod(1 + g / 100 for g in held) ** (1 / len(held)) - 1) * 100


def _points_a_year(levels: dict[int, float], end: int, span: int) -> float | None:
    """Average change of a share over (end − span, end], in percentage points a year."""
    start = end - span
    return (levels[end] - levels[start]) / span if start in levels else None


def _cagr(levels: dict[int, float], end: int, span: int) -> float | None:
    start = end - span
    if start not in levels or levels[start] <= 0 or levels[end] <= 0:
        return None
    return ((levels[end] / levels[start]) ** (1 / span) - 1) * 100


def assess_draft(
    d: DraftTarget,
    method: str | Sequence[str] = "auto",
    as_of: int | None = None,
    extra_data: ExtraData = None,
    policy: AutoPolicy | None = None,
) -> Feasibility:
    """Feasibility of one candidate target (see the module docstring)."""
    ind = catalogue()[d.indicator_id]
    judged = judged_series(d.indicator_id, d.base_year, region=d.region, as_of=as_of, extra_data=extra_data)
    levels = by_year(judged.values)
    growth = d.kind == "average_growth"
    chained = judged.index_base_year is not None
    share = d.kind == "share"
    unit = "%" if growth else ind.unit
    rate_unit = RATE_POINTS if share else RATE_PERCENT
    if not levels:
        return Feasibility(
            d, unit, None, None, None, None, None, None, None, None, None, None, "没有观测值 / no observations", rate_unit=rate_unit
        )
    last = max(levels)
    raw_last = by_year(judged.raw).get(last) if chained else levels[last]
    history = judged.raw if chained else judged.values  # what the chart draws: yearly rates or levels
    base_level = levels.get(d.base_year) if growth and not chained else None
    level_unit = "" if chained else ind.unit

    def no_forecast(note: str, required: float | None, achieved5: float | None, achieved10: float | None) -> Feasibility:
        return Feasibility(
            d, unit, last, raw_last, required, achieved5, achieved10, None, None, None, None, None, note, history,
            rate_unit=rate_unit, base_level=base_level, on_rates=chained, level_unit=level_unit,
        )  # fmt: skip

    if chained:
        # On the chained index (base year = 100), the target is a level in the target year.
        rates = by_year(judged.raw)
        achieved5, achieved10 = _mean_rate(rates, last, 5), _mean_rate(rates, last, 10)
        base = 100.0
    else:
        rate = _points_a_year if share else _cagr
        achieved5, achieved10 = rate(levels, last, 5), rate(levels, last, 10)
        base = levels.get(d.base_year, math.nan)
    if growth:
        if d.base_year not in levels:
            note = f"数据未能连到基年{d.base_year} / the data do not reach the base year {d.base_year}"
            return no_forecast(note, d.target_value, achieved5, achieved10)
        run = _run_length(sorted(levels), last)
        if chained and run < MIN_CHAIN:
            note = (
                f"截至{last}年仅有{run}个连续年份的增速，不足以外推（至少需要{MIN_CHAIN}个） / "
                f"only {run} consecutive years of rates end in {last}: too few to project the index (need {MIN_CHAIN})"
            )
            return no_forecast(note, d.target_value, achieved5, achieved10)
        goal = base * (1 + d.target_value / 100.0) ** (d.target_year - d.base_year)
    else:
        goal = d.target_value
    required = _required(goal, levels[last], d.target_year - last, share)
    if d.target_year <= last:
        return no_forecast(
            f"目标年份{d.target_year}已有实际数据 / the target year {d.target_year} is already observed", required, achieved5, achieved10
        )
    proj = project_judged(judged, method, d.target_year, policy or auto_policy(as_of))
    fc = proj.forecast
    if fc is None:
        why = "; ".join(f"{k}: {v}" for k, v in proj.skipped.items())
        return no_forecast("没有可拟合的方法 / no method could be fitted: " + why, required, achieved5, achieved10)
    higher = d.target_op == "≥"
    prob = fc.probability(d.target_year, goal, higher)
    # The value met with probability q: the (1 − q) quantile for a floor, the q quantile for a ceiling.
    values = [_quantile(fc, d.target_year, 1 - q if higher else q) for q in CONFIDENCE_LEVELS]
    if growth:
        span = d.target_year - d.base_year
        values = [((v / base) ** (1 / span) - 1) * 100 if v > 0 else math.nan for v in values]
    p50, p75, p90 = values
    return Feasibility(
        d, unit, last, raw_last, required, achieved5, achieved10, prob, p50, p75, p90, fc.method, "", history, fc,
        rate_unit=rate_unit, base_level=base_level, on_rates=chained, level_unit=level_unit,
    )  # fmt: skip


def _required(goal: float, last: float, years: int, share: bool) -> float | None:
    """The growth a year needed from the last observation to the goal: pp a year for a share, else %."""
    if years <= 0:
        return None
    if share:
        return (goal - last) / years
    return ((goal / last) ** (1 / years) - 1) * 100 if goal > 0 and last > 0 else None


def assess_drafts(
    drafts: Sequence[DraftTarget] | str | Path, method: str | Sequence[str] = "auto", as_of: int | None = None, extra_data: ExtraData = None
) -> list[Feasibility]:
    """:func:`assess_draft` for every candidate (``drafts``: a list or a YAML / XLSX file)."""
    items = load_drafts(drafts) if isinstance(drafts, str | Path) else list(drafts)

    def compute() -> list[Feasibility]:
        policy = auto_policy(as_of)  # one backtest-derived policy for every draft
        return [assess_draft(d, method, as_of, extra_data, policy) for d in items]

    # Stored on disk: a nightly's warm-up computes it once, the report's kernel only reads it.
    return cached("drafts", drafts_key(items, method, as_of, extra_data), compute)


def drafts_key(
    items: Sequence[DraftTarget], method: str | Sequence[str], as_of: int | None, extra_data: ExtraData, file: str | Path | None = None
) -> dict[str, object]:
    """Everything the assessment of these candidates depends on besides the code and the libraries
    (which every cache key holds): the candidates themselves, the draft file's bytes when read from
    one, the view (method, data year, evaluation year) and the content of every data file."""
    from fjdata.assess.view import evaluation_year
    from fjdata.inputs.observations import data_fingerprint

    return {
        "drafts": content_digest(tuple(items)),
        "file": hashlib.sha256(Path(file).read_bytes()).hexdigest() if file is not None else "",
        "method": method if isinstance(method, str) else list(method),
        "as_of": as_of,
        "year": evaluation_year(as_of),
        "data": data_fingerprint(extra_data),
    }


def feasibility(
    drafts: Sequence[DraftTarget] | str | Path, method: str | Sequence[str] = "auto", as_of: int | None = None, extra_data: ExtraData = None
) -> pd.DataFrame:
    """One row per candidate target: the chance of meeting it (a band, and the calibrated probability),
    required vs achieved growth, and the values met with 50/75/90 % probability.

    Parameters: ``drafts`` (a list of :class:`DraftTarget` or the path of a YAML / XLSX draft file),
    ``method``, ``as_of`` and ``extra_data`` (as for :func:`fjdata.assess`). Returns the table of
    :func:`feasibility_frame`.

    >>> gdp = DraftTarget("GDP", "gdp_real_growth", "average_growth", "≥", 5.0, 2025, 2030, "Fujian")
    >>> feasibility([gdp])["probability_band"].tolist()  # doctest: +SKIP
    ['50–75%']
    """
    return feasibility_frame(assess_drafts(drafts, method, as_of, extra_data))


def feasibility_frame(results: Sequence[Feasibility], raw: bool = True) -> pd.DataFrame:
    """The feasibility table (one row per candidate; ``raw=False`` leaves out the bare probability,
    keeping its band)."""
    rows = [feasibility_row(f) for f in results]
    if not raw:
        for row in rows:
            row.pop("probability")
    frame = pd.DataFrame(rows, columns=list(rows[0]) if rows else None)
    for col in ("last_year", "target_year"):
        if col in frame:
            frame[col] = frame[col].astype("Int64")
    return frame


def feasibility_row(f: Feasibility) -> dict[str, object]:
    """One candidate as a flat record. ``value_p50/p75/p90``: the target value that would be met with
    50/75/90 % probability (for a floor, a higher confidence gives a lower value); ``rate_unit``: the
    unit of the required and achieved rates ("%" a year, or "pp" a year for a share)."""
    d = f.target
    return {
        "name": d.name,
        "indicator_id": d.indicator_id,
        "kind": d.kind,
        "target": f"{d.target_op} {d.target_value:g}",
        "target_year": d.target_year,
        "region": d.region,
        "unit": f.unit,
        "last_year": f.last_year,
        "last_value": f.last_value,
        "rate_unit": f.rate_unit,
        "required_rate": f.required_rate,
        "achieved_rate_5y": f.achieved_rate_5y,
        "achieved_rate_10y": f.achieved_rate_10y,
        "probability_band": probability_band(f.probability, "en"),
        "probability": f.probability,
        "value_p50": f.value_p50,
        "value_p75": f.value_p75,
        "value_p90": f.value_p90,
        "method": f.method or "",
        "note": f.note,
    }
