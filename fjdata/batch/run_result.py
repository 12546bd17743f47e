"""What a nightly run produced: one typed result per report and the run as a whole (a status enum,
as notebooker does). Its own module so that the run index and the runner both depend on it, not on each other."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any


class ReportStatus(StrEnum):
    SUCCESS = "success"
    FAILED = "failed"
    TIMEOUT = "timeout"
    INVALID = "invalid"  # rejected before a kernel started (bad parameters or data)


@dataclass(frozen=True)
class ReportResult:
    name: str
    status: ReportStatus
    duration_s: float
    params_file: str
    notebook: str
    parameters: dict[str, Any]
    title: str = ""
    error: str | None = None
    attempts: int = 0
    html: str | None = None  # file name inside the run folder
    executed: str | None = None
    data_hash: str | None = None


@dataclass(frozen=True)
class RunResult:
    folder: Path
    reports: tuple[ReportResult, ...]
    started: str
    finished: str
    data_hash: str
    latest_updated: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(r.status == ReportStatus.SUCCESS for r in self.reports)
