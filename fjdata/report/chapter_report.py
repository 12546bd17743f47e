"""Report building blocks: HTML fragments that notebooks display (who reads it).

Words come from the wording files (:mod:`fjdata.core.wording`), numbers from one formatter per
unit kind (:mod:`fjdata.report.formatting`), HTML from Jinja2 templates (autoescaped;
:mod:`fjdata.report.templating`). Figures are embedded as ``data:`` PNGs, so an exported report is
one self-contained file with no external request.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from fjdata.assess import verdicts
from fjdata.assess.assessment import Assessment, TargetResult
from fjdata.assess.judgements import Light, Status
from fjdata.assess.prepare import ContextSeries, Prepared, prepare
from fjdata.assess.view import View, evaluation_year
from fjdata.core.cache import atomic_write_bytes, cached, content_digest
from fjdata.core.inert import inert_frame, safe_link
from fjdata.core.version import __version__
from fjdata.core.wording import words
from fjdata.department.data_needs import data_needs
from fjdata.forecast.backtest import AutoRecord
from fjdata.forecast.projection import ExtraData
from fjdata.inputs.chapters import chapter_title
from fjdata.inputs.indicators import catalogue, indicator
from fjdata.inputs.observations import SourceRef, data_fingerprint
from fjdata.inputs.plan import Plan, default_plan_id
from fjdata.inputs.registry import registry
from fjdata.inputs.transforms import by_year
from fjdata.report import formatting as fmt
from fjdata.report import scorecard
from fjdata.report.chart_data import chart_alt, chart_data_html, series_data_html
from fjdata.report.charts import (
    DESKTOP,
    PHONE,
    ChartInfo,
    bar_figure,
    drawn_for,
    needs_path,
    png_bytes,
    series_figure,
    target_chart,
)
from fjdata.report.links import anchor, target_links
from fjdata.report.narrative import chapter_narrative
from fjdata.report.templating import TEMPLATES_DIR, render

LIGHT_HEX = {Light.GREEN: "#2e7d32", Light.AMBER: "#f0a500", Light.RED: "#c62828", Light.GREY: "#9e9e9e"}
# One colour per verdict, as on the tiles and the verdict badges (CSS .v-*).
VERDICT_HEX = {
    "met": "#2e7d32",
    "basic": "#7cb342",
    "missed": "#c62828",
    "pending": "#9e9e9e",
    "unquantified": "#cfd8dc",
    "on_track": "#2e7d32",
    "watch": "#f0a500",
    "behind": "#c62828",
}
CSS = (TEMPLATES_DIR / "report_css.html.j2").read_text(encoding="utf-8")  # layout only (phone cards, print pages)


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _data_uri(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode()


def png_img(data: bytes, alt: str) -> str:
    return f"<img alt='{esc(alt)}' src='{_data_uri(data)}'>"


def picture(desktop: bytes, phone: bytes, alt: str) -> str:
    """A chart drawn twice: for the page (and print) and for a phone (narrow screens pick it), each
    tagged with its label height in image pixels so a test can measure the text as shown."""
    return (
        f"<picture><source media='(max-width:600px)' data-text-px='{PHONE.text_px:g}' srcset='{_data_uri(phone)}'>"
        f"<img alt='{esc(alt)}' data-text-px='{DESKTOP.text_px:g}' src='{_data_uri(desktop)}'></picture>"
    )


def drawn_picture(draw: Callable[[], Figure], alt: str) -> str:
    """``draw()`` rendered for the page and for a phone, as a :func:`picture`."""
    desktop = png_bytes(draw())
    with drawn_for(PHONE):
        phone = png_bytes(draw())
    return picture(desktop, phone, alt)


def stored_picture(shows: object, lang: str, draw: Callable[[], Figure], alt: str) -> str:
    """:func:`drawn_picture`, stored on what the chart shows (``shows``: every value ``draw`` reads),
    its language's wording and the data, so an unchanged chart is drawn once, not in every report
    and every night (the code and library versions are part of every stored key)."""
    key = {"v": 1, "shows": content_digest(shows), "alt": alt, "lang": lang, "wording": content_digest(words(lang))}
    key["data"] = data_fingerprint()
    return cached("picture", key, lambda: drawn_picture(draw, alt))


def _footnote(sources: Iterable[SourceRef], lang: str) -> str:
    w = words(lang)
    seen: dict[str, list[int]] = {}
    for s in sources:
        title = fmt.source_title(s.source_title, lang) + (w["unverified_mark"] if s.unverified else "")
        seen.setdefault(title, []).append(s.year)
    parts = []
    for title, years in seen.items():
        span = f"{min(years)}" if min(years) == max(years) else f"{min(years)}–{max(years)}"
        parts.append(esc(title) + esc(w["years_paren"].format(y=span)))
    return w["sources_label"] + (w["sentence_sep"].join(parts) if parts else "—")


def _status_text(status: str, tier: str, lang: str) -> str:
    w = words(lang)
    parts = [w["statuses"].get(status, "")]
    if tier:
        parts.append(w["tiers"].get(tier, ""))
    return " · ".join(p for p in parts if p)


def source_rows(items: Sequence[TargetResult], lang: str) -> list[dict[str, object]]:
    """Every cited figure behind the items (and, where sources disagree, the versions not used)."""
    w = words(lang)
    known = catalogue()
    out: list[dict[str, object]] = []
    seen: set[tuple[object, ...]] = set()
    for r in items:
        ind = known.get(r.assessment.indicator_id)
        name = ind.name(lang) if ind is not None else (r.assessment.name_zh if lang == "zh" else r.assessment.name_en)
        unit = ind.unit if ind is not None else r.assessment.unit  # the series as published: a rate stays a rate
        for s in r.sources:
            for ref, not_used in ((s, False), *((alt, True) for alt in s.alternatives)):
                key = (name, ref.year, ref.value, ref.source_title, not_used)
                if key in seen:
                    continue
                seen.add(key)
                status = _status_text(ref.status, ref.tier, lang)
                if ref.unverified:
                    status += " · " + w["basis"]["unverified"]
                if ref.spliced:
                    status += " · " + w["spliced"]
                if not_used:
                    status += " · " + w["not_used"]
                out.append(
                    {
                        "name": name,
                        "year": ref.year,
                        "value": fmt.value(ref.value, unit, lang, ref.bound),
                        "status": status,
                        "title": fmt.source_title(ref.source_title, lang),
                        "url": safe_link(ref.source_url),
                        "quote": ref.quote,
                        "user": ref.user_supplied,
                        "not_used": not_used,
                    }
                )
    return out


def keypoints(paragraphs: Sequence[str], lang: str) -> list[dict[str, object]]:
    """The 要点 as a reader scans them: a paragraph that lists targets ("已实现的目标：A；B；C。")
    becomes its lead and one bullet per target; symbols become words ("超过1.5万家")."""
    w = words(lang)
    colon, sep, stop = str(w["lead_colon"]), str(w["sentence_sep"]), str(w["full_stop"])
    out: list[dict[str, object]] = []
    for p in paragraphs:
        text = fmt.plain_bounds(p, lang)
        lead, found, rest = text.partition(colon)
        # A new item starts after the separator unless the next word is a year or a number (a clause of the same item).
        items = [i for i in re.split(re.escape(sep) + r"(?![\d(\uff08])", rest.removesuffix(stop)) if i]
        if not found or len(lead) > 40:
            items = []
        if len(items) >= 2:
            out.append({"lead": lead + str(w["bullets_lead_end"]), "bullets": items, "text": ""})
        else:
            out.append({"lead": "", "bullets": [], "text": text})
    return out


def method_note(record: AutoRecord, lang: str) -> str:
    """One sentence on which models ``auto`` combined and how well they did in the backtest
    (wording: ``method_note`` for a combination, ``method_note_single`` for one method)."""
    w = words(lang)
    names = w["method_names"]
    assert isinstance(names, dict)
    levels = str(w["method_on_levels"])
    members = str(w["list_sep"]).join(str(names.get(m, m)) + (levels if m in record.levels else "") for m in record.members)
    key = "method_note" if len(record.members) >= 2 else "method_note_single"
    return str(w[key]).format(members=members, rel=f"{record.relative_to_drift:.2f}", cov=fmt.share(record.coverage80))


def has_chart(r: TargetResult) -> bool:
    return len(r.history) >= 1


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
        "path": needs_path(r.assessment),
        "statuses": sorted((s.year, s.status, s.bound) for s in r.sources),
    }


def chart_html(r: TargetResult, lang: str) -> str:
    """A target's chart, its sources and (collapsed) the numbers it plots; ``data-target-drawn`` is
    read back from the drawn figure."""
    a = r.assessment
    key = _chart_key(r, lang) | {"v": 3, "data": data_fingerprint()}
    png, info = cached("chart", key, lambda: _drawn_chart(r, lang))
    phone, _ = cached("chart", key | {"size": "phone"}, lambda: _drawn_chart(r, lang, phone=True))
    img = picture(png, phone, chart_alt(r, info, lang))
    # One source per plotted point: the years drawn (a growth chart draws the rates, an index chart the chain).
    plotted = sorted({p.year for p in info.points if p.series == "plan"})
    history_years = sorted(int(p.year) for p in r.history.index)
    shown = _shown_sources(r.sources, plotted or history_years, bool(r.history_scale) and plotted == history_years)
    plan_base = ""
    if a.base_origin == "plan":
        plan_base = words(lang)["chart_plan_base"]
    drawn = "1" if info.target_drawn else "0"
    return (
        f"<figure class='fj-chart' data-target='{esc(a.target_id)}' data-target-drawn='{drawn}'>{img}"
        f"<figcaption>{_footnote(shown, lang)}{esc(plan_base)}</figcaption>{chart_data_html(r, info, lang)}</figure>"
    )


def _drawn_chart(r: TargetResult, lang: str, phone: bool = False) -> tuple[bytes, ChartInfo]:
    with drawn_for(PHONE if phone else DESKTOP):
        fig, info = target_chart(r, lang)
        return png_bytes(fig), info


def _shown_sources(sources: Iterable[SourceRef], years: list[int], chained: bool) -> list[SourceRef]:
    """Sources of the points a chart shows (a chained index also uses the growth into its first year)."""
    if not years:
        return []
    first = min(years) + (1 if chained else 0)
    return [s for s in sources if first <= s.year <= max(years)]


@dataclass(frozen=True, eq=False)
class ChapterReport:
    """Everything one chapter report (or the overview, chapter ``"all"``) shows, computed once;
    the notebook only displays it."""

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
    auto: AutoRecord | None = None  # what method="auto" combined and how it did in the backtest

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
        words(lang)  # an unknown language fails here, naming the valid ones
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
            p.auto,
        )

    @property
    def words(self) -> dict[str, object]:
        return words(self.lang)

    @property
    def period_over(self) -> bool:
        return any(r.assessment.period_over for r in self.items) or evaluation_year(self.as_of) >= self.plan.end_year

    @property
    def is_overview(self) -> bool:
        return self.chapter == "all"

    def title(self) -> str:
        w = words(self.lang)
        if self.is_overview:
            kind = w["kind_final"] if self.period_over else w["kind_progress"]
            title = self.plan.title(self.lang)
            return str(w["overview_title"]).format(p=title, kind=kind)
        return chapter_title(self.chapter, self.lang, self.plan)

    def links(self) -> dict[str, str]:
        """target → its place in a chapter report (the overview); a chapter report's own anchors."""
        if self.is_overview:
            pairs = [(r.assessment.target_id, r.assessment.chapter) for r in self.items]
            return target_links(pairs, self.lang, self.plan.plan_id, default_plan_id())
        return {r.assessment.target_id: f"#{anchor(r.assessment.target_id)}" for r in self.items if has_chart(r)}

    def header_html(self) -> str:
        w = words(self.lang)
        as_of = self.as_of if self.as_of is not None else max((r.assessment.latest_year or 0 for r in self.items), default=0)
        meta = " · ".join(  # a chapter without targets has no "data as of" year: say nothing rather than "—"
            (
                f"{w['generated']}: {date.today().isoformat()}",
                *((f"{w['data_as_of']}: {as_of}",) if as_of else ()),
                f"{w['fingerprint']}: {self.fingerprint[:12]}",
                f"fjdata {__version__}",
            )
        )
        lead = str(w["plan_over" if self.period_over else "plan_running"]).format(y=self.plan.end_year)
        partial = ""
        if self.plan.status == "partial":  # say what the public text leaves out, so no reader takes this for the whole plan
            partial = str(w["partial_lead"]) + str(w["sentence_sep"]).join(self.plan.missing)
        return render(
            "header.html.j2", css=CSS, plan_title=self.plan.title(self.lang), title=self.title(), meta=meta, lead=lead, partial=partial
        )

    def toc_html(self) -> str:
        """Contents: the sections, and in a chapter report every target's anchor."""
        w = words(self.lang)
        entries: list[dict[str, object]] = []
        if self.items:
            entries.append({"id": "scorecard", "title": w["scorecard"] if self.period_over else w["scorecard_running"], "children": []})
            entries.append({"id": "narrative", "title": w["narrative"], "children": []})
            entries.append({"id": "rows", "title": w["scorecard_rows"], "children": []})
            if self.midterm:
                entries.append({"id": "midterm", "title": str(w["midterm"]).format(y=self.mid_year), "children": []})
            if not self.is_overview and any(has_chart(r) for r in self.items):
                children = [{"id": anchor(r.assessment.target_id), "title": self._name(r.assessment)} for r in self.items if has_chart(r)]
                entries.append({"id": "charts", "title": w["charts"], "children": children})
            entries.append({"id": "detail", "title": w["detail_table"], "children": []})
            entries.append({"id": "data-needs", "title": w["data_needs"], "children": []})
        if self.context_ids:
            entries.append({"id": "context", "title": w["context"], "children": []})
        if not self.is_overview and self.items:
            entries.append({"id": "sources", "title": w["sources"], "children": []})
        if self.items and self.lang != "zh":
            entries.append({"id": "glossary", "title": w["glossary"], "children": []})
        return render("toc.html.j2", w=w, entries=entries)

    def _name(self, a: Assessment) -> str:
        return a.name_zh if self.lang == "zh" else a.name_en

    def summary_html(self) -> str:
        """The scorecard whole: the tiles, then one row per target (the notebooks show the 要点 between)."""
        return self.tiles_html() + self.table_html()

    def tiles_html(self) -> str:
        """The scorecard's head: tiles (once the plan is over) counting the overview's headline group
        or all of a chapter's targets, and the symbol legend; a chapter without targets says so."""
        w = words(self.lang)
        heading = w["scorecard"] if self.period_over else w["scorecard_running"]
        if not self.items:
            return render(
                "section_heading.html.j2", id="scorecard", title=heading, note=w["no_targets" if self.context_ids else "no_targets_short"]
            )
        tiles: list[scorecard.Tile] = []
        caption = ""
        if self.period_over:
            head, tiles = scorecard.tiles(self.items, self.plan, self.lang, headline_only=self.is_overview)
            n = sum(t.count for t in tiles)
            if head is not None and self.is_overview:
                caption = str(w["tiles_of"]).format(g=head.title(self.lang), n=n)
            else:
                caption = str(w["tiles_all" if self.is_overview else "tiles_chapter"]).format(n=n)
        return render(
            "tiles.html.j2",
            w=w,
            heading=heading,
            tiles=tiles,
            tiles_caption=caption,
            legend=w["legend_verdicts" if self.period_over else "legend_verdicts_running"],
        )

    def table_html(self) -> str:
        """One row per target with one verdict, by section (rows needing attention first); a card
        per target on a phone; printed on landscape pages."""
        if not self.items:
            return ""
        w = words(self.lang)
        rows = scorecard.rows(self.items, self.plan, self.lang, self.links())
        sections = []
        for i, s in enumerate(scorecard.sections(rows, self.plan)):
            title = s.group.title(self.lang) if s.group is not None else (str(w["section_other"]) if len(self.plan.groups) else "")
            sections.append({"id": f"s-{s.group.key if s.group else i}", "title": title, "rows": s.rows})
        charted = {r.assessment.target_id for r in self.items if has_chart(r)}
        return render(
            "scorecard.html.j2",
            w=w,
            sections=sections,
            col_base=str(w["col_base"]).format(y=self.plan.base_year),
            col_final=w["col_final"] if self.period_over else w["col_latest"],
            anchor_rows=not self.is_overview,
            charted=charted,
        )

    def detail_html(self) -> str:
        """The three judgements and the model for every target, in plain words (secondary table)."""
        if not self.items:
            return ""
        w = words(self.lang)
        rows = scorecard.rows(self.items, self.plan, self.lang, confidence=self.confidence)
        intro = str(w["detail_intro"]).format(d=fmt.share(self.tolerance))
        if self.auto is not None:
            intro += method_note(self.auto, self.lang)
        return render("detail.html.j2", w=w, rows=rows, intro=intro)

    def midterm_scores(self) -> list[scorecard.MidtermScore]:
        return scorecard.midterm_scores(self.items, self.midterm, self.lang, self.links())

    def midterm_html(self) -> str:
        """What the tool said with data to the mid-term year against what happened, scored."""
        if not self.midterm or not self.items:
            return ""
        w = words(self.lang)
        scores = self.midterm_scores()
        intro = str(w["midterm_intro"]).format(y=self.mid_year, **scorecard.midterm_tally(scores))
        scored = [s for s in scores if s.inside80 is not None]  # a projection and a target-year outcome
        intro += (
            str(w["midterm_projections"]).format(n=len(scored), k=sum(1 for s in scored if s.inside80))
            if scored
            else str(w["midterm_no_scored"])
        )
        return render(
            "midterm.html.j2",
            w=w,
            heading=str(w["midterm"]).format(y=self.mid_year),
            scores=scores,
            intro=intro,
            col_call=str(w["col_call"]).format(y=self.mid_year),
            col_projection=str(w["col_projection"]).format(y=self.plan.end_year),
        )

    def narrative_html(self) -> str:
        if not self.items:  # the scorecard already says the chapter sets no targets: say it once
            return ""
        paragraphs = chapter_narrative(
            [r.assessment for r in self.items],
            self.midterm,
            self.lang,
            self.mid_year,
            plan=self.plan,
            needs=self.needs(),
            scores=self.midterm_scores() if self.midterm else None,
        )
        return render("narrative.html.j2", w=words(self.lang), points=keypoints(paragraphs, self.lang))

    def needs(self) -> dict[str, list[tuple[int, tuple[str, ...], str]]]:
        """target → [(year, reasons, latest source held)] of the figures the final evaluation still needs."""
        targets = [t for t in registry(self.plan) if t.target_id in {r.assessment.target_id for r in self.items}]
        out: dict[str, list[tuple[int, tuple[str, ...], str]]] = {}
        for n in data_needs(targets=targets, extra_data=self.extra_data):
            nearest = n.nearest.source_title if n.nearest is not None else (n.held[-1].source_title if n.held else "")
            nearest = fmt.source_title(nearest, self.lang) if nearest else ""
            for tid in n.target_ids:
                out.setdefault(tid, []).append((n.year, n.reasons, nearest))
        return out

    def charts_html(self) -> list[str]:
        """One block per charted target, anchored ``t-<target_id>`` for links and the contents."""
        return [
            render("target_block.html.j2", target_id=r.assessment.target_id, chart=chart_html(r, self.lang))
            for r in self.items
            if has_chart(r)
        ]

    def charts_heading_html(self) -> str:
        return render("section_heading.html.j2", id="charts", title=words(self.lang)["charts"], note="")

    def insufficient_html(self) -> str:
        """Figures still needed: per target, the years and why (missing, preliminary, floor, weak source, conflict)."""
        if not self.items:
            return ""
        w = words(self.lang)
        needs = self.needs()
        rows = []
        for r in self.items:
            a = r.assessment
            wanted = needs.get(a.target_id)
            if not wanted or (a.final and scorecard.verdict_key(a) in (scorecard.MET, scorecard.MISSED, scorecard.BASIC)):
                continue
            by_reason: dict[str, list[int]] = {}
            for year, reasons, _ in wanted:
                label = str(w["list_sep"]).join(w["need_reasons"][x] for x in reasons)
                by_reason.setdefault(label, []).append(year)
            needed = str(w["sentence_sep"]).join(
                str(w["need_years"]).format(ys=fmt.years(sorted(ys), self.lang), why=why) for why, ys in by_reason.items()
            )
            held = scorecard.final_text_short(a, self.lang) if a.latest_year is not None else str(w["no_data_held"])
            source = next((src for _, _, src in reversed(wanted) if src), "")
            rows.append(
                {
                    "target_id": a.target_id,
                    "name": self._name(a),
                    "target": scorecard.target_text(a, self.lang),
                    "held": held,
                    "needed": needed,
                    "source": source or "—",
                }
            )
        return render("data_needs.html.j2", w=w, rows=rows)

    def glossary_html(self) -> str:
        """The English edition's glossary: the plan's own English terms beside the Chinese a reader
        meets in the sources and in the plan text (plan, chapters, sections, indicators, verdicts)."""
        if self.lang == "zh":
            return ""
        zh, en = words("zh"), words("en")
        pairs: dict[str, str] = {self.plan.title("zh"): self.plan.title("en")}
        chapters = [self.chapter] if not self.is_overview else list(dict.fromkeys(r.assessment.chapter for r in self.items))
        pairs.update({chapter_title(c, "zh", self.plan): chapter_title(c, "en", self.plan) for c in chapters})
        pairs.update({g.title("zh"): g.title("en") for g in self.plan.groups})
        pairs.update({r.assessment.name_zh: r.assessment.name_en for r in self.items})
        pairs.update({str(zh["verdicts"][k]["label"]): str(en["verdicts"][k]["label"]) for k in scorecard.FINAL_VERDICTS})
        pairs.update({str(zh["tiers"][k]): str(en["tiers"][k]) for k in en["tiers"]})
        return render("glossary.html.j2", w=en, pairs=sorted(pairs.items(), key=lambda p: p[1].lower()))

    def context_html(self) -> list[str]:
        if not self.context_ids:
            return []
        w = words(self.lang)
        out = [render("section_heading.html.j2", id="context", title=w["context"], note="")]
        for context in self.contexts:
            out.append(f"<div class='fj'>{context_chart_html(context, self.lang)}</div>")
        return out

    def sources_html(self) -> str:
        if not self.items:  # context charts cite their sources under each chart
            return ""
        return render("sources.html.j2", w=words(self.lang), rows=source_rows(self.items, self.lang))

    def write_table(self, output_dir: str | Path | None) -> Path | None:
        """Save this report's assessment rows (today and mid-term) as CSV next to the HTML."""
        if output_dir is None:
            return None
        rows = [r.assessment.to_row() | {"view": "latest"} for r in self.items]
        rows += [a.to_row() | {"view": f"as_of_{self.mid_year}"} for a in self.midterm.values()]
        path = Path(output_dir) / "tables" / f"assessment_chapter_{self.chapter}.csv"
        atomic_write_bytes(path, inert_frame(pd.DataFrame(rows)).to_csv(index=False).encode("utf-8-sig"))
        return path

    def overview_chart_html(self) -> str:
        """Targets per chapter by the one verdict (:func:`fjdata.assess.verdicts.verdict_counts`), the
        same count as the tiles and the tables."""
        w = words(self.lang)
        by_chapter: dict[str, list[Assessment]] = {}
        for r in self.items:
            by_chapter.setdefault(r.assessment.chapter, []).append(r.assessment)
        counts_by = {c: scorecard.verdict_counts(items) for c, items in by_chapter.items()}
        keys = [k for k in verdicts.ALL_VERDICTS if any(n.get(k, 0) for n in counts_by.values()) or k in verdicts.FINAL_VERDICTS]
        labels = [chapter_title(c, self.lang, self.plan) for c in by_chapter]
        names = {k: str(w["verdicts"][k]["label"]) for k in keys}
        counts = {names[k]: [counts_by[c].get(k, 0) for c in by_chapter] for k in keys}
        colours = {names[k]: VERDICT_HEX[k] for k in keys}
        title = str(w["overview_chart_title"])
        img = stored_picture((labels, counts, colours, title), self.lang, lambda: bar_figure(labels, counts, colours, title), title)
        data = "".join(
            f"<span data-chapter='{esc(c)}' data-counts='{esc(json.dumps(n, sort_keys=True))}'></span>" for c, n in counts_by.items()
        )
        return f"<div class='fj'><figure class='fj-chart fj-overview-chart'>{img}{data}</figure></div>"


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
    img = stored_picture(
        (context, ind.name(lang), ind.unit, statuses, bounds),  # context: the judged series, its sources and the forecast
        lang,
        lambda: series_figure(ind.name(lang), ind.unit, judged.values, judged.describe(lang), statuses, forecast, None, lang, bounds),
        ind.name(lang),
    )
    published = judged.raw if judged.index_base_year is not None else None  # the rates behind a chained index
    region = str(judged.raw.attrs.get("region", ""))
    return (
        f"<figure class='fj-chart' data-indicator='{esc(indicator_id)}'>{img}<figcaption>{_footnote(sources, lang)}</figcaption>"
        f"{series_data_html(indicator_id, region, judged.values, statuses, bounds, lang, published)}</figure>"
    )
