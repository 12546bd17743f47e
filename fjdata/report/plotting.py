"""``fjdata.plot``: the chart the reports draw, for a target, an indicator or a draft target."""

from __future__ import annotations

from matplotlib.figure import Figure

from fjdata.assess.assessment import results
from fjdata.assess.drafting import DraftEvidence
from fjdata.assess.feasibility import DraftTarget, Feasibility, assess_draft
from fjdata.assess.prepare import indicator_context
from fjdata.assess.what_if import WhatIf, what_if_file
from fjdata.core.errors import ArgumentError, did_you_mean
from fjdata.core.wording import words
from fjdata.inputs.indicators import catalogue, indicator
from fjdata.inputs.plan import Plan, get_plan
from fjdata.inputs.registry import registry
from fjdata.report.charts import feasibility_figure, series_figure, target_chart


def plot(
    what: str | DraftTarget | Feasibility | DraftEvidence,
    lang: str = "zh",
    plan: str | Plan | None = None,
    as_of: int | None = None,
    what_if: WhatIf = None,
) -> Figure:
    """The report's chart of ``what``: a target id (the chapter reports' chart), an indicator id (its
    series and projection, as the exploration notebook draws it), or a draft target / its feasibility
    / its evidence (the target-setting report's chart). ``what_if`` values are drawn as data but the
    title says they are hypothetical.

    >>> plot("c2_mfg_share_gdp").axes[0].get_title()  # doctest: +SKIP
    '制造业增加值占GDP比重'
    """
    if isinstance(what, DraftEvidence):
        return feasibility_figure(what.feasibility, lang, what.national)
    if isinstance(what, Feasibility):
        return feasibility_figure(what, lang)
    if isinstance(what, DraftTarget):
        with what_if_file(what_if, plan) as path:
            return _marked(feasibility_figure(assess_draft(what, as_of=as_of, extra_data=str(path) if path else None), lang), what_if, lang)
    ids = {t.target_id for t in registry(get_plan(plan))}
    if what not in ids and what not in catalogue():
        raise ArgumentError(
            f"plot: {what!r} is neither a target of {get_plan(plan).plan_id} nor an indicator id{did_you_mean(what, [*ids, *catalogue()])}"
        )
    with what_if_file(what_if, plan) as path:
        extra = [str(path)] if path else None
        if what in ids:
            found = [r for r in results(as_of=as_of, extra_data=extra, plan=plan) if r.assessment.target_id == what]
            fig, _ = target_chart(found[0], lang)
        else:
            fig = _indicator_figure(str(what), lang, as_of, extra)
    return _marked(fig, what_if, lang)


def _indicator_figure(indicator_id: str, lang: str, as_of: int | None, extra: list[str] | None) -> Figure:
    ind = indicator(indicator_id)
    context = indicator_context(indicator_id, as_of, extra)
    judged = context.judged
    statuses = {s.year: s.status for s in judged.raw.attrs.get("sources", ())}
    bounds = {} if judged.index_base_year is not None else dict(judged.raw.attrs.get("bounds", {}))
    return series_figure(ind.name(lang), ind.unit, judged.values, judged.describe(lang), statuses, context.forecast, None, lang, bounds)


def _marked(fig: Figure, what_if: WhatIf, lang: str) -> Figure:
    """A chart drawn with hypothetical values says so in its title."""
    if what_if:
        ax = fig.axes[0]
        ax.set_title(ax.get_title(loc="left") + str(words(lang)["draft"]["hypothetical_mark"]), loc="left")
    return fig
