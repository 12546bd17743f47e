"""Checks for the arguments of the public API: nonsense is refused with the valid choices.

Each check raises :class:`fjdata.errors.ArgumentError` (also a ``ValueError``) with a
did-you-mean where a valid choice is close. They are called at the top of the public functions
(``assess``, ``series``, ``project``, ``targets`` …) so that a typo never runs silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from fjdata.errors import ArgumentError, choice_error, did_you_mean

AS_OF_FIRST = 2005  # the earliest view the shipped series support (same bound as params files)
TO_YEAR_LAST = 2035  # projections beyond a decade after the plan are not meaningful (B85/B86)


def as_of_range() -> tuple[int, int]:
    """Valid ``as_of`` years: 2005 up to the current year (a later view equals today's).

    >>> as_of_range()[0]
    2005
    """
    return AS_OF_FIRST, date.today().year


def check_as_of(as_of: int | None) -> None:
    """``None`` or a year in :func:`as_of_range`.

    >>> check_as_of(2022)
    >>> check_as_of(1990)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    fjdata.errors.ArgumentError: as_of 1990 is outside the data range 2005–...; use a year in it, or None for all data
    """
    if as_of is None:
        return
    lo, hi = as_of_range()
    if isinstance(as_of, bool) or not isinstance(as_of, int):
        raise ArgumentError(f"as_of {as_of!r} is not a year; use an integer in {lo}–{hi}, or None for all data")
    if not lo <= as_of <= hi:
        raise ArgumentError(f"as_of {as_of} is outside the data range {lo}–{hi}; use a year in it, or None for all data")


def check_plan(plan: object) -> None:
    """``None`` (the default plan), a :class:`fjdata.plan.Plan`, or the id of a plan found.

    >>> check_plan("fujian-14th-manufactoring")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    fjdata.errors.ArgumentError: plan 'fujian-14th-manufactoring' is not valid (did you mean 'fujian-14th-manufacturing'?); ...
    """
    from fjdata.plan import Plan, plans

    if plan is None or isinstance(plan, Plan):
        return
    valid = list(plans())
    if plan not in valid:
        raise choice_error("plan", plan, valid)


def check_chapter(chapter: int | str | None, allow_all: bool = False, plan: object = None) -> None:
    """``None`` or a chapter of the plan registry (``"all"`` too where ``allow_all``).

    >>> check_chapter(2)
    >>> check_chapter(6)
    Traceback (most recent call last):
    ...
    fjdata.errors.ArgumentError: chapter 6 is not valid; valid choices: 1, 2, 3, 4, 5, annex
    """
    if chapter is None:
        return
    from fjdata.registry import chapters

    valid = [*chapters(plan), *(["all"] if allow_all else [])]  # type: ignore[arg-type]
    if str(chapter) not in valid:
        raise choice_error("chapter", chapter, valid)


def check_vintage_rule(rule: str, labels: Sequence[str] = ()) -> None:
    """One of the rules, or a vintage label present in the data.

    >>> check_vintage_rule("consistent")
    >>> check_vintage_rule("newest")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    fjdata.errors.ArgumentError: vintage_rule 'newest' is not valid (did you mean 'latest'?); valid choices: consistent, latest, ...
    """
    from fjdata.observations import VINTAGE_RULES, _shipped

    if rule in VINTAGE_RULES:
        return
    labels = sorted({*_shipped()["vintage"], *labels})  # user files may bring labels of their own
    if isinstance(rule, str) and rule in labels:
        return
    hint = did_you_mean(rule, VINTAGE_RULES) or did_you_mean(rule, labels)
    raise ArgumentError(
        f"vintage_rule {rule!r} is not valid{hint}; valid choices: {', '.join(VINTAGE_RULES)}, "
        f"or a vintage label in the data ({', '.join(labels)})"
    )


def check_method(method: str | Sequence[str]) -> None:
    """``"auto"``, ``"combination"``, one of the methods, or a non-empty list of methods.

    >>> check_method(["drift", "theta"])
    >>> check_method("thta")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    fjdata.errors.ArgumentError: method 'thta' is not valid (did you mean 'theta'?); valid choices: auto, combination, naive, drift, ...
    """
    from fjdata.models import METHODS

    valid = ["auto", "combination", *METHODS]
    if isinstance(method, str):
        if method not in valid:
            raise choice_error("method", method, valid)
        return
    items = list(method)
    if not items:
        raise ArgumentError(f"method list is empty; give one or more of {', '.join(METHODS)}")
    for m in items:
        if m not in METHODS:
            raise choice_error("method", m, METHODS)


def check_to_year(to_year: int) -> None:
    """A year from 1991 to :data:`TO_YEAR_LAST` (a bound, so a typo cannot exhaust memory).

    >>> check_to_year(100000)
    Traceback (most recent call last):
    ...
    fjdata.errors.ArgumentError: to_year 100000 is outside 1991–2035; fjdata projects at most to 2035
    """
    if isinstance(to_year, bool) or not isinstance(to_year, int):
        raise ArgumentError(f"to_year {to_year!r} is not an integer year")
    if not 1991 <= to_year <= TO_YEAR_LAST:
        raise ArgumentError(f"to_year {to_year} is outside 1991–{TO_YEAR_LAST}; fjdata projects at most to {TO_YEAR_LAST}")


def check_assess_arguments(
    chapter: int | str | None, as_of: int | None, method: str | Sequence[str], vintage_rule: str, plan: object = None
) -> None:
    """The checks :func:`fjdata.assess` and friends run first (``plan``: an id, a Plan or None)."""
    check_plan(plan)
    check_chapter(chapter, plan=plan)
    check_as_of(as_of)
    check_method(method)
    check_vintage_rule(vintage_rule)
