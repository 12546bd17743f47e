"""Exceptions that say which file, entry/line and field is wrong."""

from __future__ import annotations

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
