"""The run's index.html, a leadership entry page: the reports first (Chinese titles grouped by plan,
one line on what each says, links to the HTML and the A4 PDF), the run details (status, durations,
manifest, data hash) below in a collapsed section. Self-contained: no script, no external request."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from fjdata.assess import verdicts
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
    """One line on what the report says, in its language (``run_index.descriptions`` by notebook)."""
    lang = "en" if r.parameters.get("lang") == "en" else "zh"
    kinds = words(lang)["run_index"]["descriptions"].get(r.notebook)
    return str(kinds[0 if ended else 1]) if kinds else ""


def headline(folder: Path) -> str:
    """The headline group's verdict counts from the run's ``assessment.csv`` (its ``verdict`` column,
    counted by :func:`fjdata.assess.verdicts.tally`), as the 要点 words them; "" without the table."""
    import pandas as pd

    from fjdata.inputs.plan import get_plan
    from fjdata.inputs.registry import registry

    path = folder / "assessment.csv"
    if not path.is_file():
        return ""
    table = pd.read_csv(path, encoding="utf-8-sig")
    plan = get_plan()
    head = next((g for g in plan.groups if g.headline), None)
    if head is None or "verdict" not in table:
        return ""
    ids = {t.target_id for t in registry(plan) if t.group == head.key}
    mine = table[table["as_of"].isna() & table["target_id"].isin(ids)]
    counts = verdicts.tally(str(k) for k in mine["verdict"])
    return str(words("zh")["n_headline"]).format(g=head.title("zh"), n=len(mine), **counts).strip()


def index_html(run: RunResult, folder_name: str, headline: str = "") -> str:
    """The page (``templates/run_index.html.j2``); every value is escaped by the template."""
    pdfs: dict[str, str] = dict(run.extra.get("pdfs", {}))
    groups: dict[str, dict[str, object]] = {}
    for r in run.reports:
        plan_id, plan_title, ended = _plan_of(r)
        item = {
            "name": r.name,
            "title": r.title or r.name,
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
        headline=headline,
    )
