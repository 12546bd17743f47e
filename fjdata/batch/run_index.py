"""The run's index.html, a leadership entry page: the reports first (Chinese titles grouped by plan,
one line on what each says, links to the HTML and the A4 PDF), the run details (status, durations,
manifest, data hash) below in a collapsed section. Self-contained: no script, no external request."""

from __future__ import annotations

from datetime import date

from fjdata.batch.run_result import ReportResult, RunResult
from fjdata.core.wording import words
from fjdata.report.templating import render

_COLOUR = {"success": "#2e7d32", "failed": "#c62828", "timeout": "#c62828", "invalid": "#6d4c41"}


def _plan_of(r: ReportResult) -> tuple[str, str, bool]:
    """(plan id, plan title in the report's language, whether its period is over) from plan data."""
    from fjdata.inputs.plan import get_plan

    try:
        plan = get_plan(r.parameters.get("plan"))
    except Exception:  # an invalid report may name a plan that does not exist
        return "", "", False
    return plan.plan_id, plan.title("zh"), plan.end_year < date.today().year


def _description(r: ReportResult, ended: bool) -> str:
    """One line on what the report says, in its language (``run_index.descriptions`` by notebook); a
    chapter without targets says what it shows instead."""
    lang = "en" if r.parameters.get("lang") == "en" else "zh"
    w = words(lang)["run_index"]
    if r.notebook == "chapter_report.ipynb" and not _chapter_targets(r):
        from fjdata.inputs.chapters import chapter_context

        try:
            context = chapter_context(str(r.parameters.get("chapter")), r.parameters.get("plan"))
        except Exception:  # an invalid report names a chapter that does not exist
            return ""
        return str(w["no_targets_context" if context else "no_targets"])
    kinds = w["descriptions"].get(r.notebook)
    return str(kinds[0 if ended else 1]) if kinds else ""


def _chapter_targets(r: ReportResult) -> int:
    from fjdata.inputs.registry import registry

    try:
        return sum(1 for t in registry(r.parameters.get("plan")) if t.chapter == str(r.parameters.get("chapter")))
    except Exception:
        return 0


def headline(r: ReportResult) -> str:
    """The verdict counts a leadership reader wants before opening the report (the tiles' own
    counting, :func:`fjdata.report.scorecard.tiles`): the overview's headline group, a chapter's
    targets. Empty for other reports, a running plan, or when anything fails (the index never does)."""
    if r.status.value != "success" or r.notebook not in ("overview.ipynb", "chapter_report.ipynb"):
        return ""
    try:
        from fjdata.assess.prepare import prepare
        from fjdata.assess.view import View
        from fjdata.report import scorecard
        from fjdata.report.chapter_report import ChapterReport

        p = r.parameters
        lang = "en" if p.get("lang") == "en" else "zh"
        view = View.of(p.get("plan"), p.get("as_of"), p.get("methods", "auto"), p.get("tolerance"), extra_data=p.get("extra_data"))
        report = ChapterReport.from_prepared(prepare(view, p.get("chapter"), p.get("mid_year")), lang)
        if not report.items or not report.period_over:
            return ""
        head, tiles = scorecard.tiles(report.items, report.plan, lang, headline_only=report.is_overview)
        w = words(lang)
        group = head.title(lang) if head is not None and report.is_overview else str(w["run_index"]["all_targets"])
        parts = str(w["list_sep"]).join(str(w["run_index"]["count"]).format(label=t.label, n=t.count) for t in tiles)
        return str(w["run_index"]["headline"]).format(g=group, parts=parts)
    except Exception:
        return ""


def index_html(run: RunResult, folder_name: str) -> str:
    """The page (``templates/run_index.html.j2``); every value is escaped by the template."""
    pdfs: dict[str, str] = dict(run.extra.get("pdfs", {}))
    groups: dict[str, dict[str, object]] = {}
    for r in run.reports:
        plan_id, plan_title, ended = _plan_of(r)
        title = r.title or r.name
        if title == plan_title:  # the plan's title heads its group already: say what the report is
            title = str(words("zh")["run_index"]["plan_report"])
        item = {
            "name": r.name,
            "title": title,
            "headline": headline(r),
            "html": r.html,
            "linked": bool(r.html) and r.status.value == "success",
            "pdf": pdfs.get(r.name, ""),
            "status": r.status.value,
            "english": r.parameters.get("lang") == "en",
            "description": _description(r, ended),
        }
        group = groups.setdefault(plan_id, {"title": plan_title, "entries": []})
        group["entries"].append(item)  # type: ignore[attr-defined]
    return render(
        "run_index.html.j2",
        zh=words("zh")["run_index"],
        en=words("en")["run_index"],
        run=run,
        reports=run.reports,
        folder_name=folder_name,
        groups=list(groups.values()),
        ok=sum(r.status.value == "success" for r in run.reports),
        colours=_COLOUR,
        tables=list(run.extra.get("tables", [])),
        pdf_note=str(run.extra.get("pdf_note") or ""),
        data_changed=bool(run.extra.get("data_changed")),
        stack=run.extra.get("stack"),
    )
