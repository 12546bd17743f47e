"""The plan's chapters: titles and the context indicators each report shows (from the plan's manifest)."""

from __future__ import annotations

from fjdata.inputs.plan import Plan, get_plan


def chapter_title(chapter: str, lang: str, plan: str | Plan | None = None) -> str:
    return get_plan(plan).chapter(str(chapter)).title(lang)


def chapter_context(chapter: str, plan: str | Plan | None = None) -> tuple[str, ...]:
    """Indicators shown as context in a chapter report (beside or instead of its targets)."""
    return get_plan(plan).chapter(str(chapter)).context
