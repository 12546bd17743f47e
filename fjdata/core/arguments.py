"""Checks for the arguments of the public API: nonsense is refused with the valid choices.

Each check raises :class:`fjdata.core.errors.ArgumentError` (also a ``ValueError``) with a
did-you-mean where a valid choice is close. They are called at the top of the public functions
(``assess``, ``series``, ``project``, ``targets`` …) so that a typo never runs silently.
"""

from __future__ import annotations

from datetime import date

from fjdata.core.errors import ArgumentError

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
    fjdata.core.errors.ArgumentError: as_of 1990 is outside the data range 2005–...; use a year in it, or None for all data
    """
    if as_of is None:
        return
    lo, hi = as_of_range()
    if isinstance(as_of, bool) or not isinstance(as_of, int):
        raise ArgumentError(f"as_of {as_of!r} is not a year; use an integer in {lo}–{hi}, or None for all data")
    if not lo <= as_of <= hi:
        raise ArgumentError(f"as_of {as_of} is outside the data range {lo}–{hi}; use a year in it, or None for all data")


def check_to_year(to_year: int) -> None:
    """A year from 1991 to :data:`TO_YEAR_LAST` (a bound, so a typo cannot exhaust memory).

    >>> check_to_year(100000)
    Traceback (most recent call last):
    ...
    fjdata.core.errors.ArgumentError: to_year 100000 is outside 1991–2035; fjdata projects at most to 2035
    """
    if isinstance(to_year, bool) or not isinstance(to_year, int):
        raise ArgumentError(f"to_year {to_year!r} is not an integer year")
    if not 1991 <= to_year <= TO_YEAR_LAST:
        raise ArgumentError(f"to_year {to_year} is outside 1991–{TO_YEAR_LAST}; fjdata projects at most to {TO_YEAR_LAST}")
