"""Data-driven narrative (要点): sentences generated from the assessment numbers, never typed claims.

Once the plan period is over it reads as a 终期评估 paragraph: the headline group's count of
targets achieved / broadly achieved / missed / awaiting data, what was achieved, what fell short
and by how much, which figures are still awaited (and the last source that published them), and
how the mid-term call fared. All words come from the wording files.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from fjdata.assess.assessment import Assessment, view_changes
from fjdata.core.wording import words
from fjdata.inputs.plan import Plan, get_plan
from fjdata.inputs.registry import registry
from fjdata.inputs.releases import DUE, release_state
from fjdata.inputs.statements import statements
from fjdata.report import formatting as fmt
from fjdata.report import scorecard

if TYPE_CHECKING:
    from fjdata.report.scorecard import MidtermScore

_MAX_LISTED = 8
Needs = dict[str, list[tuple[int, tuple[str, ...], str]]]


def _name(a: Assessment, lang: str) -> str:
    return a.name_zh if lang == "zh" else a.name_en


def _names(items: Sequence[Assessment], lang: str) -> str:
    names = [_name(a, lang) for a in items[:_MAX_LISTED]]
    more = len(items) - len(names)
    tail = str(words(lang)["n_more"]).format(n=len(items) if lang == "zh" else more) if more > 0 else ""
    return str(words(lang)["list_sep"]).join(names) + tail


def gap_sentence(a: Assessment, lang: str) -> str:
    """How far from the target, in the target's unit, with the year the figure is from (no full stop)."""
    w = words(lang)
    target, gap = scorecard.target_text(a, lang, with_year=False), scorecard.gap_text(a, lang)
    if a.kind == "average_growth" and a.avg_growth is not None:
        missing = str(w[scorecard.missing_key(a, "n_avg_missing")]).format(ys=fmt.years(a.years_missing, lang)) if a.years_missing else ""
        s = str(w["n_avg_item"]).format(
            name=_name(a, lang),
            span=f"{a.base_year + 1}–{a.latest_year}",
            v=fmt.value(a.avg_growth, "%", lang),
            missing=missing,
            t=target,
            gap=gap,
        )
    else:
        value = scorecard.final_text_short(a, lang).replace(str(w["in_year"]).format(y=a.latest_year), "")
        value = value.replace("≥", str(w["over_word"]))  # prose: "超过70%", not "≥70%"
        s = str(w["n_gap_item"]).format(name=_name(a, lang), y=a.latest_year, v=value, t=target, gap=gap)
    if a.model_estimate and a.model_prob is not None and scorecard.verdict_key(a) != scorecard.MET:
        s += str(w[scorecard.estimate_key(a, "n_estimate")]).format(y=a.target_year, b=fmt.probability(a.model_prob, lang))
    return s


def chapter_narrative(
    items: Sequence[Assessment],
    midterm: dict[str, Assessment],
    lang: str,
    mid_year: int,
    plan: Plan | None = None,
    needs: Needs | None = None,
    scores: Sequence[MidtermScore] | None = None,
) -> list[str]:
    """Paragraphs for a chapter or the overview: a final-evaluation summary once the plan is over."""
    w = words(lang)
    stop = str(w["full_stop"])
    if not items:
        return [str(w["n_none"])]
    the_plan = get_plan(plan)
    groups = {t.target_id: t.group for t in registry(the_plan)}
    ended = any(a.period_over for a in items)
    out: list[str] = []
    by = {k: [a for a in items if scorecard.verdict_key(a) == k] for k in (*scorecard.FINAL_VERDICTS, "on_track", "watch", "behind")}
    if ended:
        lead = str(w["n_lead_final"]).format(y=the_plan.end_year)
        head = scorecard.headline_group(the_plan)
        counts = ""
        if head is not None:
            mine = [a for a in items if groups.get(a.target_id) == head.key]
            if mine:
                counts = str(w["n_headline"]).format(
                    g=head.title(lang),
                    n=len(mine),
                    **{k: sum(1 for a in mine if scorecard.verdict_key(a) == k) for k in scorecard.FINAL_VERDICTS},
                )
        if head is None or len(items) != len([a for a in items if groups.get(a.target_id) == head.key]):
            counts += str(w["n_all"]).format(n=len(items), **{k: len(by[k]) for k in scorecard.FINAL_VERDICTS})
        out.append(lead + counts)
    else:
        out.append(
            str(w["n_lead_running"]).format(y=the_plan.end_year)
            + str(w["n_running"]).format(
                n=len(items),
                met=len(by["met"]),
                good=len(by["on_track"]),
                watch=len(by["watch"]),
                behind=len(by["behind"]),
                pending=len(by["pending"]),
            )
        )
    # What was achieved: the figures, with the margin.
    achieved = by["met"] + by["basic"]
    if achieved:
        out.append(str(w["n_achieved"]).format(names=str(w["sentence_sep"]).join(gap_sentence(a, lang) for a in achieved[:_MAX_LISTED])))
    # What fell short, and by how much: missed (a final figure below the target) apart from those
    # whose latest figure is short but whose final figure is still awaited.
    missed = by["missed"] + by["behind"]
    # A floor (超过…) short of the target is not known to be short: it stays with the figures awaited.
    short = [a for a in by["pending"] + by["watch"] if a.gap is not None and a.gap > 0 and a.latest_bound != "lower"]
    short.sort(key=scorecard.attention_rank)
    if ended or missed:
        listed = str(w["sentence_sep"]).join(gap_sentence(a, lang) for a in missed[:_MAX_LISTED]) if missed else str(w["n_none_missed"])
        out.append(str(w["n_missed_lead"]) + listed + stop)
    if short:
        out.append(str(w["n_short_lead"]) + str(w["sentence_sep"]).join(gap_sentence(a, lang) for a in short[:_MAX_LISTED]) + stop)
    # What is still awaited, and where it was last published.
    pending = by["pending"]
    if pending and not ended:  # a running plan's target year is still ahead: only the data gap is news
        out.append(str(w["n_pending_running"]).format(n=len(pending), names=_names(pending, lang)))
    elif pending:
        s = str(w["n_pending_lead"]).format(n=len(pending))
        final_year = max(a.target_year for a in pending)
        held = [a for a in pending if a.latest_year is not None]
        due = [a for a in held if release_state(a.indicator_id, a.target_year) == DUE]
        not_yet = [a for a in held if a not in due]
        if due:
            s += str(w["n_pending_who"]).format(names=_names(due, lang), y=final_year)
        if not_yet:
            s += str(w["n_pending_not_yet"]).format(names=_names(not_yet, lang), y=final_year)
        if none := [a for a in pending if a.latest_year is None]:
            s += str(w["n_pending_none"]).format(n=len(none), names=_names(none, lang))
        out.append(s + str(w["n_pending_ask"]))
    if ended and (said := [st for a in items for st in statements(a.target_id, a.as_of)]):
        st = said[-1]
        out.append(
            str(w["n_statement"]).format(
                speaker=st.speaker, quote=st.quote, published=st.published, label=st.label(lang), kind=w["statement_kinds"][st.assertion]
            )
        )
    if midterm:
        changes = view_changes(list(midterm.values()), items)
        worse_ids = sorted({c.target_id for c in changes if c.direction < 0 and c.judgement == "overall_status"})
        named = {a.target_id: a for a in items}
        worse = str(w["n_worse"]).format(names=_names([named[t] for t in worse_ids], lang)) if worse_ids else ""
        tally = scorecard.midterm_tally(list(scores or ()))
        out.append(str(w["n_midterm"]).format(y=mid_year, **(tally | {"worse": worse})))
    return list(dict.fromkeys(out))
