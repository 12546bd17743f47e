"""The drafting group's target-setting report: for each candidate of a draft file, last time's target
and outcome, the history with the national line, the growth needed against the growth achieved, the
calibrated chance (as a band) and the values met with 50/75/90 % confidence, and consistency with the
national targets. Written as sentences a planner can paste into a memo; every word from the wording
files (``draft`` in fjdata/wording/{zh,en}.yaml)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

import pandas as pd

from fjdata.assess.drafting import DraftEvidence, DraftReport, LastTime, Reference
from fjdata.assess.feasibility import RATE_POINTS, DraftFile, Feasibility, note_text
from fjdata.assess.judgements import probability_band
from fjdata.assess.view import evaluation_year
from fjdata.core.cache import cached, content_digest
from fjdata.core.wording import words
from fjdata.inputs.indicators import indicator
from fjdata.inputs.observations import data_fingerprint
from fjdata.report import formatting as fmt
from fjdata.report.chapter_report import CSS, drawn_picture, esc
from fjdata.report.charts import feasibility_figure
from fjdata.report.units import region_name


def _w(lang: str) -> dict[str, object]:
    out: dict[str, object] = words(lang)["draft"]
    return out


def title(report: DraftReport, lang: str = "zh") -> str:
    """The draft's own name; a generic heading when it gives none (never the file name)."""
    return report.draft.title or str(_w(lang)["default_title"])


def rate_text(value: float | None, rate_unit: str, lang: str = "zh") -> str:
    """A growth a year: "5.5%/年", or for a share "0.3个百分点/年" (never a relative rate of a share)."""
    if value is None or math.isnan(value):
        return "—"
    key = "rate_pp" if rate_unit == RATE_POINTS else "rate_pct"
    return str(_w(lang)[key]).format(v=f"{value:,.1f}")


def value_text(f: Feasibility, v: float | None, lang: str = "zh") -> str:
    """A candidate-scale value in the table's precision: an average rate for growth targets."""
    if v is None or math.isnan(v):
        return "—"
    return f"{v:,.1f}%" if f.target.kind == "average_growth" else fmt.value(v, f.unit, lang)


def latest_text(f: Feasibility, lang: str = "zh") -> str:
    """The latest observation as drawn: a yearly rate, or the level a growth is judged on."""
    if f.target.kind == "average_growth" and not f.on_rates:
        return fmt.value(f.last_value, f.level_unit, lang)
    return value_text(f, f.last_value, lang)


def _outcome(last: LastTime, lang: str) -> str:
    w = _w(lang)
    if last.outcome is None or math.isnan(last.outcome):
        return "—"
    if last.growth:
        return str(w["outcome_avg"]).format(v=f"{last.outcome:,.1f}")
    year = str(w["outcome_year"]).format(y=last.outcome_year) if last.outcome_year else ""
    return fmt.value(last.outcome, last.unit, lang) + year


def last_time_text(e: DraftEvidence, lang: str = "zh") -> str:
    """One sentence per previous-plan target on the candidate's indicator."""
    w = _w(lang)
    if not e.last_time:
        return str(w["last_time_none"])
    out = []
    for last in e.last_time:
        margin = ""
        if last.margin is not None and not math.isnan(last.margin) and last.margin != 0:
            amount = fmt.gap(abs(last.margin), last.unit, last.margin_unit, lang)
            margin = str(w["margin_over" if last.margin > 0 else "margin_short"]).format(m=amount)
        name = last.name_zh if lang == "zh" else last.name_en
        out.append(
            str(w["last_time"]).format(
                name=name, text=last.target_text, outcome=_outcome(last, lang), status=last.status.label(lang), margin=margin
            )
        )
    return "".join(out)


def feasibility_text(f: Feasibility, lang: str = "zh") -> str:
    """What the candidate needs, what was achieved, its chance and the values met at 50/75/90 %."""
    w, d = _w(lang), f.target
    if f.last_year is None:
        return str(w["no_chance"]).format(why=note_text(f.note, lang))
    last = latest_text(f, lang)
    need = str(w["need"]).format(
        op=d.target_op,
        v=value_text(f, d.target_value, lang),
        y=f.last_year,
        last=last,
        rate=rate_text(f.required_rate, f.rate_unit, lang),
        r5=rate_text(f.achieved_rate_5y, f.rate_unit, lang),
        r10=rate_text(f.achieved_rate_10y, f.rate_unit, lang),
    )
    if f.probability is None:
        return need + str(w["no_chance"]).format(why=note_text(f.note, lang))
    chance = str(w["chance"]).format(
        band=probability_band(f.probability, lang),
        p50=value_text(f, f.value_p50, lang),
        p75=value_text(f, f.value_p75, lang),
        p90=value_text(f, f.value_p90, lang),
    )
    return need + chance


def reference_text(r: Reference, lang: str = "zh") -> str:
    """A reference target and how the candidate stands against it."""
    w, t = _w(lang), r.target
    region = region_name(r.region, lang)
    name = t.name(lang) + ("" if r.same_indicator else str(w["basis"]).format(ind=indicator(t.indicator_id).name(lang)))
    if t.target_value is None:
        return str(w["reference_no_value"]).format(region=region, name=name, text=t.target_text)
    flags: dict[str, str] = w["flags"]  # type: ignore[assignment]
    value = f"{t.target_value:g}{'%' if t.unit == '%' else t.unit}"
    return str(w["reference"]).format(region=region, name=name, op=t.target_op, v=value, flag=flags[r.flag])


def _consistency_cell(e: DraftEvidence, lang: str) -> str:
    short: dict[str, str] = _w(lang)["flag_short"]  # type: ignore[assignment]
    held = [r for r in e.references if r.target.target_value is not None]
    return "; ".join(f"{region_name(r.region, lang)} {r.target.target_op}{r.target.target_value:g}: {short[r.flag]}" for r in held) or "—"


def summary_table_html(report: DraftReport, lang: str = "zh") -> str:
    """One row per candidate: last time, the feasibility columns and the consistency flag."""
    head = "".join(f"<th>{esc(h)}</th>" for h in _w(lang)["columns"])  # type: ignore[attr-defined]
    rows = []
    for e in report.items:
        f, d = e.feasibility, e.target
        last = e.last_time[0] if e.last_time else None
        candidate, latest, *evidence = _candidate_cells(f, lang)
        cells = [
            d.name,
            candidate,
            last.target_text if last else "—",
            f"{_outcome(last, lang)} · {last.status.label(lang)}" if last else "—",
            latest,
            *evidence,
            _consistency_cell(e, lang),
        ]
        rows.append("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in cells) + "</tr>")
    table = f"<table class='fj-draft'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    return f"<div class='fj'><div class='scroll'>{table}</div></div>"


def _candidate_cells(f: Feasibility, lang: str) -> list[str]:
    """The cells both tables share, in order: the candidate, the latest figure with its year, growth
    required and achieved over 5 and 10 years, the chance as a band, the values met at 50/75/90 %."""
    d = f.target
    latest = "—" if f.last_year is None else latest_text(f, lang) + words(lang)["years_paren"].format(y=f.last_year)
    return [
        f"{d.target_year}: {d.target_op}{value_text(f, d.target_value, lang)}",
        latest,
        rate_text(f.required_rate, f.rate_unit, lang),
        rate_text(f.achieved_rate_5y, f.rate_unit, lang),
        rate_text(f.achieved_rate_10y, f.rate_unit, lang),
        probability_band(f.probability, lang),
        value_text(f, f.value_p50, lang),
        value_text(f, f.value_p75, lang),
        value_text(f, f.value_p90, lang),
    ]


def header_html(report: DraftReport, lang: str = "zh", as_of: int | None = None) -> str:
    """Title (the draft's own), its note (e.g. "an example, not a proposal"), and the data year."""
    w = _w(lang)
    note = note_text(report.draft.note, lang) if report.draft.note else ""
    meta = str(w["meta"]).format(y=evaluation_year(as_of), d=date.today().isoformat())
    note_html = f"<p class='lead'>{esc(note)}</p>" if note else ""
    return f"{CSS}<div class='fj'><h1>{esc(title(report, lang))}</h1>{note_html}<p class='meta'>{esc(meta)}</p></div>"


def method_html(lang: str = "zh") -> str:
    """The method in one paragraph."""
    w = _w(lang)
    return f"<div class='fj'><h2>{esc(w['method_heading'])}</h2><p class='narr'>{esc(w['method'])}</p></div>"


def _chart_picture(f: Feasibility, lang: str, national: pd.Series | None) -> str:
    """A candidate's chart for the page and a phone, stored on what it is drawn from (the candidate's
    result, the national line, the language and its wording, the data), so an unchanged chart is
    drawn once, not every night."""
    key = {
        "v": 1,
        "feasibility": content_digest(f),
        "national": content_digest(national),
        "lang": lang,
        "wording": content_digest(words(lang)),
        "data": data_fingerprint(),
    }
    return cached("draft_chart", key, lambda: drawn_picture(lambda: feasibility_figure(f, lang, national), f.target.name))


def evidence_html(e: DraftEvidence, lang: str = "zh") -> str:
    """One candidate: the sentences, then the chart (history, national line, fan, candidate)."""
    paragraphs = [last_time_text(e, lang), feasibility_text(e.feasibility, lang), *(reference_text(r, lang) for r in e.references)]
    body = "".join(f"<p>{esc(p)}</p>" for p in paragraphs)
    img = _chart_picture(e.feasibility, lang, e.national)
    chart = f"<figure class='fj-chart' data-indicator='{esc(e.target.indicator_id)}'>{img}</figure>"
    return f"<div class='fj'><h3>{esc(e.target.name)}</h3><div class='narr'>{body}</div>{chart}</div>"


def section_heading_html(key: str, lang: str = "zh") -> str:
    return f"<div class='fj'><h2>{esc(_w(lang)[key])}</h2></div>"


def feasibility_table_html(results: Sequence[Feasibility], lang: str = "zh") -> str:
    """The feasibility table alone (``fjdata feasibility``'s page): chance as a band, required vs
    achieved growth (pp a year for a share) and the values met with 50 / 75 / 90 % probability."""
    head = "".join(f"<th>{esc(h)}</th>" for h in words(lang)["feasibility_columns"])
    rows = []
    for f in results:
        d = f.target
        cells = [d.name, *_candidate_cells(f, lang), note_text(f.note, lang)]
        rows.append("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in cells) + "</tr>")
    table = f"<table class='fj-feasibility'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    return f"<div class='fj'><div class='scroll'>{table}</div></div>"


def feasibility_chart_html(f: Feasibility, lang: str = "zh", national: pd.Series | None = None) -> str:
    """One candidate's chart (the chart :func:`fjdata.plot` draws for a draft target)."""
    img = _chart_picture(f, lang, national)
    return f"<div class='fj'><figure class='fj-chart' data-indicator='{esc(f.target.indicator_id)}'>{img}</figure></div>"


def draft_title_html(draft: DraftFile, heading: str, lang: str = "zh", as_of: int | None = None) -> str:
    """A heading, then the draft's own title and note (never its file name) and the data year."""
    w = _w(lang)
    parts = [
        draft.title,
        note_text(draft.note, lang) if draft.note else "",
        str(w["meta"]).format(y=evaluation_year(as_of), d=date.today().isoformat()),
    ]
    meta = "".join(f"<p class='meta'>{esc(p)}</p>" for p in parts if p)
    return f"{CSS}<div class='fj'><h1>{esc(heading)}</h1>{meta}</div>"


def draft_page(report: DraftReport, lang: str = "zh", as_of: int | None = None) -> list[str]:
    """The whole target-setting report as HTML parts, in reading order (what notebooks/draft.ipynb shows)."""
    return [
        header_html(report, lang, as_of),
        method_html(lang),
        section_heading_html("summary_heading", lang),
        summary_table_html(report, lang),
        section_heading_html("detail_heading", lang),
        *(evidence_html(e, lang) for e in report.items),
    ]


def feasibility_page(
    results: Sequence[Feasibility], draft: DraftFile, heading: str, lang: str = "zh", as_of: int | None = None
) -> list[str]:
    """The feasibility page (notebooks/feasibility.ipynb): heading, the draft's own title, method, table, charts."""
    return [
        draft_title_html(draft, heading, lang, as_of),
        method_html(lang),
        feasibility_table_html(results, lang),
        *(feasibility_chart_html(f, lang) for f in results),
    ]
