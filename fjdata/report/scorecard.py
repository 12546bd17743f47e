"""The final-evaluation scorecard: one verdict per target, with the evidence behind each value.

Built from the engine's results (:func:`fjdata.assess.assessment.results`) and the registry
(sections and scope caveats are plan data: ``groups`` in plan.yaml, ``group`` / ``caveat_zh`` in
targets.yaml). Nothing here fits a model: the mid-term scoring reads the ``as_of`` = mid-term
results the caller passes in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from fjdata.assess import verdicts
from fjdata.assess.assessment import Assessment, TargetResult, view_changes
from fjdata.assess.judgements import Light, Status
from fjdata.core import config
from fjdata.core.wording import words
from fjdata.inputs.observations import SourceRef
from fjdata.inputs.plan import Group, Plan
from fjdata.inputs.registry import Target, registry
from fjdata.inputs.releases import DUE, release_state
from fjdata.inputs.statements import statements
from fjdata.report import formatting as fmt

# The one vocabulary and count (fjdata.assess.verdicts), re-exported for the report layer.
MET, BASIC, MISSED, PENDING, UNQUANTIFIED = verdicts.MET, verdicts.BASIC, verdicts.MISSED, verdicts.PENDING, verdicts.UNQUANTIFIED
FINAL_VERDICTS = verdicts.FINAL_VERDICTS
ON_TRACK, WATCH, BEHIND = verdicts.ON_TRACK, verdicts.WATCH, verdicts.BEHIND
verdict_key, lean, verdict_counts, verdict_label = verdicts.verdict_key, verdicts.lean, verdicts.verdict_counts, verdicts.verdict_label


_ORDER = {MISSED: 0, BEHIND: 1, WATCH: 2, PENDING: 3, UNQUANTIFIED: 4, BASIC: 5, ON_TRACK: 6, MET: 7}


def attention_rank(a: Assessment) -> tuple[int, int, int]:
    """Sort key: missed first, then pending figures leaning to a miss or short of the target,
    then those with no figure, then the rest; met last."""
    short = 0 if a.gap is not None and a.gap > 0 else 1
    return _ORDER[verdict_key(a)], lean(a), short


@dataclass(frozen=True)
class Verdict:
    key: str
    symbol: str
    label: str
    explain: str  # title / aria-label: the label and what it rests on


@dataclass(frozen=True)
class Evidence:
    """What the printed value is: its year, how old, how good its source, and what else was published."""

    text: str  # the value with unit and ≥ for a floor
    year: int | None
    stale: bool
    status_mark: str  # 初步 / 推算 …, "" for a final figure
    tier: str  # source_quality tier ("" unknown)
    tier_label: str
    disputes: tuple[str, ...]
    caveat: str
    spliced: bool
    notes: tuple[str, ...] = ()  # under the value: official statements, 来源待核实, what would change the verdict


@dataclass(frozen=True)
class Row:
    target_id: str
    name: str
    group: str
    attribute: str
    verdict: Verdict
    base: str
    final: Evidence
    target: str
    share: str
    gap: str
    detail: str  # the three judgements and the model, in plain words
    href: str  # link to the target in its chapter report ("" when there is none)
    plan_no: str = ""  # the plan's own row number (专栏2 第2行 → "2"), "" when the plan numbers none


def _source_of(sources: Sequence[SourceRef], year: int | None) -> SourceRef | None:
    found = [s for s in sources if s.year == year]
    return found[-1] if found else None


def target_text(a: Assessment, lang: str, with_year: bool = True) -> str:
    """The target in the plan's words (zh) or in plain English, with its year unless ``with_year`` is False."""
    w = words(lang)
    frame = w["target_in_year"] if with_year else "{t}"
    if lang == "zh":
        return frame.format(y=a.target_year, t=fmt.plan_wording(a.target_text, a.unit, a.target_value is not None))
    if a.target_value is None:
        return frame.format(y=a.target_year, t=w["national_quota"])
    op = w["ops"].get(a.target_op, a.target_op)
    value = fmt.value(a.target_value, a.unit, lang)
    if a.kind == "average_growth":
        value = w["avg_a_year"].format(v=value)
    elif a.kind == "annual_quota":
        value = w["each_year"].format(v=value)
    return frame.format(y=a.target_year, t=f"{op} {value}")


def final_evidence(r: TargetResult, t: Target | None, lang: str) -> Evidence:
    """The latest (or final) value as evidence: for an average-growth target the average achieved."""
    a = r.assessment
    w = words(lang)
    caveat = t.caveat(lang) if t is not None else ""
    if a.latest_year is None:
        return Evidence("—", None, False, "", "", "", (), caveat, False, evidence_notes(a, lang))
    year: int | None = a.latest_year
    if a.kind == "average_growth" and a.avg_growth is not None:
        text = w["avg_over"].format(v=fmt.value(a.avg_growth, "%", lang), span=f"{a.base_year + 1}–{a.latest_year}")
        year = None  # the span says which years
        if a.years_missing:
            text += w[missing_key(a, "avg_missing")].format(ys=fmt.years(a.years_missing, lang))
    else:
        raw = a.latest_raw_value if a.latest_raw_value is not None else a.latest_value
        text = fmt.value(raw, a.unit, lang, a.latest_bound or "")
    src = _source_of(r.sources, a.latest_year)
    tier = src.tier if src is not None else ""
    if src is not None and src.scope and lang == "zh":  # scope is data on the observation (Chinese only for now)
        caveat = w["list_sep"].join(c for c in (caveat, src.scope) if c)
    elif src is not None and src.scope:
        caveat = w["list_sep"].join(c for c in (caveat, str(w["scope_differs"])) if c)
    disputes = tuple(
        w["disputed"].format(
            y=d.year,
            v=fmt.value(d.used_value, a.unit, lang),
            why=w["why"].get(d.reason, w["why"]["rule"]),
            o=w["list_sep"].join(fmt.value(v, a.unit, lang) for v, _, _, _ in d.others),
        )
        for d in a.disputes
    )
    return Evidence(
        notes=evidence_notes(a, lang),
        text=text,
        year=year,
        stale=a.period_over and a.latest_year < a.target_year - 1,  # "old" only means something once the plan is over
        status_mark=w["status_marks"].get(a.latest_status or "", ""),
        tier=tier,
        tier_label=w["tiers"].get(tier, "") if tier else "",
        disputes=disputes,
        caveat=caveat,
        spliced=a.latest_spliced,
    )


def plan_row(t: Target | None) -> str:
    """The plan's own row number of a target, from its ``column_box`` (专栏2 第2行 → "2")."""
    numbers = re.findall(r"\d+", t.column_box) if t is not None and t.column_box else []
    return numbers[-1] if len(numbers) >= 2 else ""  # the box's number, then the row's


def band_note(a: Assessment, lang: str) -> str:
    """An "about" target: the bands it is judged with, in words, and where the latest figure lies."""
    if a.target_op not in ("≈", "=") or a.target_value is None:
        return ""
    w = words(lang)
    settings = config.settings()
    met, basic = float(settings["approx_band"]), float(settings["approx_band_basic"])  # type: ignore[arg-type]
    text = str(w["band_note"]).format(a=f"{met:g}", b=f"{basic:g}")
    if a.latest_value is not None and a.latest_year is not None and a.judged_unit == a.unit and not a.final:
        off = abs(a.latest_value - a.target_value)
        where = "band_in_met" if off <= met else ("band_in_basic" if off <= basic else "band_outside")
        text += str(w[where]).format(y=a.latest_year, v=fmt.value(a.latest_raw_value or a.latest_value, a.unit, lang))
    return text


def statement_notes(a: Assessment, lang: str) -> tuple[str, ...]:
    """Official statements covering the target, each with speaker and date, and what kind of word it is."""
    w = words(lang)
    return tuple(
        w["statement_note"].format(
            speaker=st.speaker, quote=st.quote, published=st.published, label=st.label(lang), kind=w["statement_kinds"][st.assertion]
        )
        for st in statements(a.target_id, a.as_of)
    )


def flip_note(a: Assessment, lang: str) -> str:
    """For an average over some of the plan years: the average the missing years must cross to change the verdict."""
    if a.avg_growth_flip is None or not a.years_missing or a.avg_growth_published:
        return ""
    key = "flip_below" if verdict_key(a) in (MET, BASIC) else "flip_above"
    return str(words(lang)[key]).format(ys=fmt.years(a.years_missing, lang), v=fmt.value(a.avg_growth_flip, "%", lang))


def evidence_notes(a: Assessment, lang: str) -> tuple[str, ...]:
    w = words(lang)
    out = [w["unverified_note"].format(ys=fmt.years(a.unverified_years, lang))] if a.unverified_years else []
    if band := band_note(a, lang):
        out.append(band)
    if flip := flip_note(a, lang):
        out.append(flip)
    return (*out, *statement_notes(a, lang))


def base_text(a: Assessment, lang: str, sources: Sequence[SourceRef] = ()) -> str:
    """The base value on the target's own scale with the year it describes ("—" for a chained index
    or a period total), "≥" when its source gives only a floor."""
    if a.base_used_value is None or a.judged_unit != a.unit or a.base_origin == "definition":
        return "—"
    ref = _source_of(sources, a.base_used_year) if a.base_origin != "plan" else None
    text = fmt.value(a.base_used_value, a.unit, lang, ref.bound if ref is not None else "")
    if a.base_used_year is not None:
        text += words(lang)["in_year"].format(y=a.base_used_year)
    if a.base_origin == "plan":
        text += words(lang)["from_plan"]
    return text


def floor_below_base(a: Assessment) -> bool:
    """The latest figure is only a floor (超过) at or below the base: it says nothing about progress."""
    floor = a.latest_bound == "lower" and a.latest_value is not None and a.base_used_value is not None
    return bool(floor and a.latest_value <= a.base_used_value)


def share_text(a: Assessment, lang: str) -> str:
    if a.attainment is None or a.target_op in ("≈", "=") or floor_below_base(a):  # judged by a band / no ratio from such a floor
        return "—"
    if a.kind == "annual_quota":
        return words(lang)["quota_min"].format(r=fmt.times(a.attainment, lang))
    return ("≥" if a.latest_bound == "lower" else "") + fmt.share(a.attainment)


def gap_text(a: Assessment, lang: str) -> str:
    w = words(lang)
    if a.kind == "annual_quota":
        return w["quota_short"].format(ys=fmt.years(a.quota_years_short, lang)) if a.quota_years_short else "—"
    if a.gap is None:
        return "—"
    if floor_below_base(a):
        return str(w["floor_only"]).format(v=fmt.value(a.latest_raw_value or a.latest_value, a.unit, lang))
    if abs(a.gap) < 1e-9:
        return w["exactly_met"]
    amount = fmt.gap(abs(a.gap), a.unit, a.gap_unit, lang)
    if a.latest_bound == "lower":
        amount = re.sub(r"\.0(?!\d)", "", amount)  # a margin from a floor is no more precise than the floor
    if a.gap > 0:
        return (w["gap_at_most"] if a.latest_bound == "lower" else w["gap"]).format(g=amount)
    return (w["over_at_least"] if a.latest_bound == "lower" else w["over"]).format(g=amount)


def projection_text(a: Assessment, confidence: float, lang: str) -> str:
    """The model's value for the target year with its interval (80 % or 95 %), on the target's scale;
    "" when there is none or the target year is observed."""
    if a.model_value is None or a.model_method in (None, "observed"):
        return ""
    lo, hi = (a.model_lo80, a.model_hi80) if confidence == 0.8 else (a.model_lo95, a.model_hi95)
    unit = "%" if a.kind == "average_growth" else a.unit
    v, lo_t, hi_t = _on_target_scale(a, a.model_value), _on_target_scale(a, lo), _on_target_scale(a, hi)
    if v is None:
        return ""
    w = words(lang)
    text = fmt.value(v, unit, lang)
    if lo_t is not None and hi_t is not None:
        text += w["interval_level"].format(
            c=fmt.share(confidence).replace(".0%", "%"), lo=fmt.number(lo_t, unit, lang), hi=fmt.number(hi_t, unit, lang)
        )
    return w["projection_estimate" if a.model_estimate else "projection_forecast"].format(y=a.target_year, v=text)


def judgement_detail(a: Assessment, lang: str, confidence: float = 0.8) -> str:
    """The three judgements and the model in plain words (no symbols, no method names)."""
    w = words(lang)
    basis = basis_text(a, lang)
    parts = [
        w["detail_overall"].format(s=a.overall_status.label(lang), b=basis)
        if basis
        else w["detail_overall_plain"].format(s=a.overall_status.label(lang))
    ]
    if a.cn_progress is not None and a.cn_elapsed is not None:
        parts.append(w["detail_cn"].format(s=a.cn_status.label(lang), p=fmt.share(a.cn_progress), t=fmt.share(a.cn_elapsed)))
    elif a.cn_status not in (Status.INSUFFICIENT, Status.NOT_QUANTIFIED):
        parts.append(w["detail_cn_plain"].format(s=a.cn_status.label(lang)))
    if a.sdg_ratio is not None:
        parts.append(w["detail_sdg"].format(s=a.sdg_status.label(lang), r=fmt.times(a.sdg_ratio, lang)))
    if a.model_method == "observed":
        parts.append(w["detail_observed"])
    elif a.model_prob is not None:
        key = "detail_model_estimate" if a.model_estimate else "detail_model"
        parts.append(w[key].format(s=a.model_status.label(lang), b=fmt.probability(a.model_prob, lang)))
    if projection := projection_text(a, confidence, lang):
        parts.append(projection)
    return w["sentence_sep"].join(parts)


def estimate_key(a: Assessment, key: str = "estimate") -> str:
    """``key`` when the target year's figure is not yet due, ``key_due`` when its usual release has
    passed (released, not yet collected): we never say a figure is unpublished."""
    return f"{key}_due" if release_state(a.indicator_id, a.target_year) == DUE else key


def missing_key(a: Assessment, key: str) -> str:
    """``key_due`` when every missing plan year is past its usual release (released, not collected), else ``key``."""
    due = bool(a.years_missing) and all(release_state(a.indicator_id, y) == DUE for y in a.years_missing)
    return f"{key}_due" if due else key


def basis_text(a: Assessment, lang: str) -> str:
    w = words(lang)["basis"]
    if a.overall_basis == "estimate":
        return str(w[estimate_key(a)]).format(y=a.target_year)
    return str(w.get(a.overall_basis, "")).format(y=a.latest_year)


def verdict(a: Assessment, lang: str) -> Verdict:
    w = words(lang)
    key = verdict_key(a)
    spec = w["verdicts"][key]
    basis = basis_text(a, lang)
    explain = spec["label"] + (w["verdict_because"].format(b=basis) if basis else "")
    return Verdict(key, spec["symbol"], spec["label"], explain)


def group_of(targets: dict[str, Target], a: Assessment) -> str:
    t = targets.get(a.target_id)
    return t.group if t is not None else ""


def rows(items: Sequence[TargetResult], plan: Plan, lang: str, links: dict[str, str] | None = None, confidence: float = 0.8) -> list[Row]:
    """One row per target, rows needing attention first (registry order within a verdict)."""
    targets = {t.target_id: t for t in registry(plan)}
    order = sorted(range(len(items)), key=lambda i: (attention_rank(items[i].assessment), i))
    out = []
    for i in order:
        r = items[i]
        a = r.assessment
        t = targets.get(a.target_id)
        out.append(
            Row(
                target_id=a.target_id,
                name=a.name_zh if lang == "zh" else a.name_en,
                group=t.group if t is not None else "",
                attribute=words(lang)["attributes"].get(a.attribute or "", ""),
                verdict=verdict(a, lang),
                base=base_text(a, lang, r.sources),
                plan_no=plan_row(t),
                final=final_evidence(r, t, lang),
                target=target_text(a, lang),
                share=share_text(a, lang),
                gap=gap_text(a, lang),
                detail=judgement_detail(a, lang, confidence),
                href=(links or {}).get(a.target_id, ""),
            )
        )
    return out


@dataclass(frozen=True)
class Section:
    group: Group | None
    rows: tuple[Row, ...]


def sections(all_rows: Sequence[Row], plan: Plan) -> list[Section]:
    """Rows by the plan's groups (in plan order); a plan without groups gives one section."""
    if not plan.groups:
        return [Section(None, tuple(all_rows))] if all_rows else []
    out = [Section(g, tuple(r for r in all_rows if r.group == g.key)) for g in plan.groups]
    rest = tuple(r for r in all_rows if r.group not in {g.key for g in plan.groups})
    if rest:
        out.append(Section(None, rest))
    return [s for s in out if s.rows]


@dataclass(frozen=True)
class Tile:
    key: str
    label: str
    symbol: str
    count: int
    note: str


def headline_group(plan: Plan) -> Group | None:
    return next((g for g in plan.groups if g.headline), None)


def tiles(items: Sequence[TargetResult], plan: Plan, lang: str, headline_only: bool = True) -> tuple[Group | None, list[Tile]]:
    """Big-number tiles: the final verdicts of the plan's headline group (all targets if it has none,
    or with ``headline_only=False``: a chapter report counts its own targets)."""
    head = headline_group(plan) if headline_only else None
    targets = {t.target_id: t for t in registry(plan)}
    chosen = [r.assessment for r in items if head is None or group_of(targets, r.assessment) == head.key]
    w = words(lang)
    out = []
    for key in FINAL_VERDICTS:
        mine = [a for a in chosen if verdict_key(a) == key]
        note = ""
        if key == PENDING:
            ups, downs = [a for a in mine if lean(a) > 0], [a for a in mine if lean(a) < 0]
            names = {
                d: w["names_paren"].format(n=w["list_sep"].join(a.name_zh if lang == "zh" else a.name_en for a in g)) if g else ""
                for d, g in (("up", ups), ("down", downs))
            }
            note = (
                w["tile_pending_note"].format(up=len(ups), down=len(downs), up_names=names["up"], down_names=names["down"])
                if ups or downs
                else ""
            )
        out.append(Tile(key, w["verdicts"][key]["label"], w["verdicts"][key]["symbol"], len(mine), note))
    return head, out


# --- what the tool said at mid-term against what happened ------------------------------------


@dataclass(frozen=True)
class MidtermScore:
    target_id: str
    name: str
    call: str  # the mid-term overall verdict, as worded then
    call_direction: int  # +1 met, -1 missed, 0 no call
    outcome: str
    outcome_direction: int
    hit: bool | None  # None when there was no call
    projection: str  # the mid-term model value for the target year (with its 80 % interval)
    actual: str
    error: str  # outcome − projection, in the target's unit
    inside80: bool | None
    href: str
    settled: bool = False  # the mid-term already had the deciding figure: a right call proves nothing
    worsened: bool = False  # the overall verdict is worse now than at mid-term


def _direction(s: Status) -> int:
    if s.light is Light.GREEN:
        return 1
    if s.light is Light.RED:
        return -1
    return 0


def _on_target_scale(a: Assessment, v: float | None) -> float | None:
    """A value of the judged series on the target's own scale (a chained index → its average rate)."""
    if v is None:
        return None
    if a.kind == "average_growth" and a.judged_unit != a.unit:
        n = a.target_year - a.base_year
        return ((v / 100.0) ** (1 / n) - 1) * 100.0 if v > 0 else None
    if a.judged_unit != a.unit:
        return None
    return v


def outcome_value(a: Assessment) -> float | None:
    """The observed target-year value on the target's scale (None when the target year is not observed)."""
    if not a.final:
        return None
    if a.kind == "average_growth":
        return a.avg_growth
    return a.latest_raw_value if a.latest_raw_value is not None else a.latest_value


def midterm_scores(
    items: Sequence[TargetResult], midterm: dict[str, Assessment], lang: str, links: dict[str, str] | None = None
) -> list[MidtermScore]:
    """The mid-term calls worth a reader's time: every target whose outcome is known (a final verdict)
    and every call that has worsened since (its outcome still awaited). A call is ``settled`` when the
    mid-term already had the deciding figure (met by then, or judged on the same year's figure), so
    being right proves nothing. The mid-term projection is set beside an outcome of the same year only."""
    w = words(lang)
    worse = {c.target_id for c in view_changes(list(midterm.values()), [r.assessment for r in items]) if c.direction < 0}
    out = []
    for r in items:
        a = r.assessment
        m = midterm.get(a.target_id)
        known = verdict_key(a) in (MET, BASIC, MISSED)
        if m is None or not (known or a.target_id in worse):
            continue
        call_dir = _direction(m.overall_status)
        out_dir = (1 if verdict_key(a) in (MET, BASIC) else -1) if known else 0
        actual = outcome_value(a)  # the target year's own figure, or None
        proj = _on_target_scale(m, m.model_value)
        lo, hi = _on_target_scale(m, m.model_lo80), _on_target_scale(m, m.model_hi80)
        unit = "%" if a.kind == "average_growth" else a.unit
        projection = error = "—"
        inside: bool | None = None
        if proj is not None:
            projection = fmt.value(proj, unit, lang)
            if lo is not None and hi is not None:
                projection += w["interval"].format(lo=fmt.number(lo, unit, lang), hi=fmt.number(hi, unit, lang))
            if actual is not None:
                diff = actual - proj
                error = ("+" if diff >= 0 else "−") + (fmt.points(abs(diff), lang) if unit == "%" else fmt.value(abs(diff), unit, lang))
                if lo is not None and hi is not None:
                    inside = lo <= actual <= hi
        if actual is None:
            actual_text = w["no_same_year"].format(y=a.target_year)  # never a 2022 figure beside a 2025 forecast
        elif a.kind == "average_growth" and a.avg_growth is not None:
            actual_text = w["avg_over"].format(v=fmt.value(a.avg_growth, "%", lang), span=f"{a.base_year + 1}–{a.latest_year}")
        else:
            actual_text = fmt.value(actual, unit, lang, a.latest_bound or "") + w["in_year"].format(y=a.latest_year)
        outcome = verdict_label(a, lang) + (w["outcome_on"].format(v=final_text_short(a, lang)) if a.latest_year is not None else "")
        out.append(
            MidtermScore(
                target_id=a.target_id,
                name=a.name_zh if lang == "zh" else a.name_en,
                call=m.overall_status.label(lang) if call_dir else w["no_call"].format(s=m.overall_status.label(lang)),
                call_direction=call_dir,
                outcome=outcome,
                outcome_direction=out_dir,
                hit=None if call_dir == 0 or not known else call_dir == out_dir,
                projection=projection,
                actual=actual_text,
                error=error,
                inside80=inside,
                href=(links or {}).get(a.target_id, ""),
                settled=known and (verdict_key(m) == MET or (m.latest_year is not None and m.latest_year == a.latest_year)),
                worsened=a.target_id in worse,
            )
        )
    return out


def midterm_tally(scores: Sequence[MidtermScore]) -> dict[str, int]:
    """The counts every mid-term sentence uses: outcomes known, calls made, calls settled at mid-term,
    the rest and how many of them were right, and calls that worsened."""
    known = [s for s in scores if s.outcome_direction != 0]
    called = [s for s in known if s.hit is not None]
    open_calls = [s for s in called if not s.settled]
    return {
        "n": len(known),
        "c": len(called),
        "s": sum(1 for s in called if s.settled),
        "r": len(open_calls),
        "h": sum(1 for s in open_calls if s.hit),
        "worse": sum(1 for s in scores if s.worsened),
    }


def final_text_short(a: Assessment, lang: str) -> str:
    if a.latest_year is None:
        return "—"
    raw = a.latest_raw_value if a.latest_raw_value is not None else a.latest_value
    return fmt.value(raw, a.unit, lang, a.latest_bound or "") + words(lang)["in_year"].format(y=a.latest_year)
