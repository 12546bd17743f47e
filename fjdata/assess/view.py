"""A view: the one value that says on what a plan is judged.

Which plan, as of which year, with which forecasting methods, which tolerance for "on track", which
vintage rule and which extra data files: these travel together as one frozen, validated value. It
is also the cache key, so two calls that mean the same thing share one result, and a typo is
refused once, at the door, with the valid choices (see :func:`View.of`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from fjdata.core import config
from fjdata.core.arguments import check_as_of
from fjdata.forecast.models import check_method
from fjdata.inputs.observations import check_vintage_rule, data_fingerprint, user_files
from fjdata.inputs.plan import Plan, check_plan, get_plan
from fjdata.inputs.registry import check_chapter

ExtraData = Sequence[str | Path] | str | Path | None


def evaluation_year(as_of: int | None, today: date | None = None) -> int:
    """The last complete year of a view: ``as_of``, or the year before today.

    >>> evaluation_year(2022)
    2022
    >>> evaluation_year(None, today=date(2026, 11, 29))
    2025
    """
    return as_of if as_of is not None else (today or date.today()).year - 1


def default_tolerance(tolerance: float | None) -> float:
    """δ for progress vs elapsed time: the given value, or the documented default."""
    return float(config.settings()["cn_tolerance"]) if tolerance is None else float(tolerance)  # type: ignore[arg-type]


@dataclass(frozen=True)
class View:
    """On what a plan is judged. Build it with :func:`View.of`, which checks every field.

    ``plan_id`` — the plan; ``as_of`` — only what was published by the end of that year (None: all
    data); ``method`` — ``"auto"``, ``"combination"``, a method name or a tuple of them;
    ``tolerance`` — δ, the margin by which progress may trail elapsed time and still be on track;
    ``vintage_rule`` — which release of a figure to use; ``extra_data`` — absolute paths of CSV
    files overlaid on the shipped observations.
    """

    plan_id: str
    as_of: int | None = None
    method: str | tuple[str, ...] = "auto"
    tolerance: float = 0.05
    vintage_rule: str = "consistent"
    extra_data: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        plan: str | Plan | None = None,
        as_of: int | None = None,
        method: str | Sequence[str] = "auto",
        tolerance: float | None = None,
        vintage_rule: str = "consistent",
        extra_data: ExtraData = None,
    ) -> View:
        """A checked view: an unknown plan, method or vintage rule, or an ``as_of`` outside the data,
        raises :class:`fjdata.core.errors.ArgumentError` listing the valid choices.

        >>> View.of(as_of=2022).as_of
        2022
        >>> View.of(vintage_rule="newest")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        fjdata.core.errors.ArgumentError: vintage_rule 'newest' is not valid (did you mean 'latest'?); ...
        """
        if isinstance(plan, View):
            raise TypeError("View.of() takes a plan, not a View; use the View itself")
        check_plan(plan)
        check_as_of(as_of)
        check_method(method)
        extra = tuple(str(p) for p in user_files(extra_data)) if extra_data else ()
        check_vintage_rule(vintage_rule, _labels_in(extra))
        methods = method if isinstance(method, str) else tuple(method)
        return cls(get_plan(plan).plan_id, as_of, methods, default_tolerance(tolerance), vintage_rule, extra)

    @property
    def plan(self) -> Plan:
        return get_plan(self.plan_id)

    @property
    def extra(self) -> list[str] | None:
        """``extra_data`` as the data layer takes it (None when there is none)."""
        return list(self.extra_data) or None

    def year(self, today: date | None = None) -> int:
        """The last complete year this view sees (see :func:`evaluation_year`)."""
        return evaluation_year(self.as_of, today)

    def at(self, as_of: int | None) -> View:
        """The same view at another moment (e.g. the plan's mid-term year)."""
        check_as_of(as_of)
        return replace(self, as_of=as_of)

    def mid_term(self) -> View:
        """The same view as of the plan's mid-term year."""
        return self.at(self.plan.mid_term_year)

    def check_chapter(self, chapter: int | str | None) -> None:
        """``None`` or a chapter of this view's plan; anything else lists the plan's chapters."""
        check_chapter(chapter, plan=self.plan_id)

    def cache_key(self) -> dict[str, object]:
        """Everything the results of this view depend on: its fields, the evaluation year (a view
        taken after the target year judges it as ended) and the content of every input file."""
        return {
            "plan": self.plan_id,
            "as_of": self.as_of,
            "method": self.method if isinstance(self.method, str) else list(self.method),
            "tolerance": self.tolerance,
            "vintage_rule": self.vintage_rule,
            "year": self.year(),
            "data": data_fingerprint(self.extra),
        }


def _labels_in(extra: tuple[str, ...]) -> tuple[str, ...]:
    """Vintage labels the user's own files bring (a rule may name one of them)."""
    if not extra:
        return ()
    from fjdata.inputs.observations import all_observations

    return tuple(all_observations(list(extra))["vintage"].unique())
