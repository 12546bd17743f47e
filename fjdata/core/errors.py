"""Exceptions that say which file, entry/line and field is wrong."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


class FjdataError(Exception):
    """Base class of every error fjdata raises on purpose."""


class RegistryError(FjdataError):
    """The target registry or indicator catalogue is malformed."""

    def __init__(self, file: Path | str, entry: str, field: str, problem: str) -> None:
        self.file, self.entry, self.field, self.problem = str(file), entry, field, problem
        super().__init__(f"{file}: entry {entry}: field '{field}': {problem}")


class DataValidationError(FjdataError):
    """An observations CSV failed validation. ``problems`` lists every (line, field, message)."""

    def __init__(self, file: Path | str, problems: list[tuple[int, str, str]]) -> None:
        self.file = str(file)
        self.problems = problems
        shown = "\n".join(f"  {file}:{line}: field '{field}': {msg}" for line, field, msg in problems[:25])
        more = f"\n  … and {len(problems) - 25} more" if len(problems) > 25 else ""
        super().__init__(f"{file}: {len(problems)} problem(s)\n{shown}{more}")


class ParamsError(FjdataError):
    """A papermill parameter file names an unknown key or a bad value."""

    def __init__(self, file: Path | str, key: str, problem: str) -> None:
        self.file, self.key, self.problem = str(file), key, problem
        super().__init__(f"{file}: key '{key}': {problem}")


class ImplausibleJumpWarning(UserWarning):
    """A value jumps implausibly from the previous year (a warning, never an error)."""


class ArgumentError(FjdataError, ValueError):
    """A public function got a value outside its valid choices (a ``ValueError`` too)."""


def did_you_mean(value: object, choices: Iterable[object]) -> str:
    """`` (did you mean 'x'?)`` when a choice is close to ``value``, else an empty string.

    >>> did_you_mean("newest", ["consistent", "latest", "first", "all"])
    " (did you mean 'latest'?)"
    >>> did_you_mean("zzz", ["consistent"])
    ''
    """
    import difflib

    names = [str(c) for c in choices]
    close = difflib.get_close_matches(str(value), names, n=1, cutoff=0.5)
    return f" (did you mean {close[0]!r}?)" if close else ""


def choice_error(what: str, value: object, choices: Iterable[object], shown: int = 12) -> ArgumentError:
    """An :class:`ArgumentError` naming the bad value, a close match and the valid choices.

    >>> print(choice_error("chapter", 6, ["1", "2", "annex"]))
    chapter 6 is not valid; valid choices: 1, 2, annex
    """
    names = [str(c) for c in choices]
    listed = ", ".join(names[:shown]) + (f", … ({len(names)} in all)" if len(names) > shown else "")
    return ArgumentError(f"{what} {value!r} is not valid{did_you_mean(value, names)}; valid choices: {listed}")


class ConfigError(FjdataError, ValueError):
    """An environment variable holds a value fjdata cannot use; the message gives the valid range."""
