"""Official statements as evidence: "目标已完成" said by an authority, cited, never turned into a number.

Some targets are judged only by an authority's word — "完成国家下达的能耗双控目标" has no published
number. A statement is a separate kind of data (``fjdata/data/statements/*.csv`` shipped, plus
``<user data>/statements/*.csv`` written by :mod:`fjdata.department.intake`), one row per
statement, columns ``STATEMENT_COLUMNS``:

- ``target_id`` (registry id), ``year`` (the year the statement is about),
- ``assertion`` ∈ ``completed`` · ``not_completed`` · ``on_track``,
- ``speaker`` (who says it), ``published`` (``YYYY``/``YYYY-MM``/``YYYY-MM-DD``),
- ``source_title``, ``source_url`` (may be empty only when the title gives a document number
  such as 闽政〔2024〕3号), ``quote`` (verbatim), ``note``.

Rows are validated like observations (errors name file, line, field and the valid choices).
The assessment uses :func:`official_statement` for ``national_quota`` targets and shows it as
已完成（官方表述） with the citation.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from fjdata.core import config
from fjdata.core.errors import DataValidationError
from fjdata.core.inert import safe_link

STATEMENTS_DIR = config.DATA_DIR / "statements"
STATEMENT_COLUMNS = ("target_id", "year", "assertion", "speaker", "published", "source_title", "source_url", "quote", "note")
ASSERTIONS = ("completed", "not_completed", "on_track")
ASSERTION_LABELS = {
    "completed": ("已完成（官方表述）", "completed (official statement)"),
    "not_completed": ("未完成（官方表述）", "not completed (official statement)"),
    "on_track": ("进展顺利（官方表述）", "on track (official statement)"),
}
_DOC_NUMBER = re.compile(r"〔\d{4}〕|\[\d{4}\]|\(\d{4}\)\s*\d+\s*号|\d+号")


@dataclass(frozen=True)
class Statement:
    target_id: str
    year: int
    assertion: str
    speaker: str
    published: str
    source_title: str
    source_url: str
    quote: str
    note: str
    file: str
    line: int

    @property
    def published_date(self) -> date:
        from fjdata.inputs.observations import published_date

        return published_date(self.published)

    def label(self, lang: str = "zh") -> str:
        zh, en = ASSERTION_LABELS[self.assertion]
        return zh if lang == "zh" else en

    def citation(self) -> str:
        """One line for a note or a footnote: label, speaker, date, title, URL and the quote."""
        url = f" {self.source_url}" if self.source_url else ""
        return f"{self.label('zh')} / {self.label('en')}: {self.speaker}, {self.published}, 《{self.source_title}》{url}: “{self.quote}”"


def statement_files() -> list[Path]:
    """Shipped statement files, then the user's (``<user data>/statements/*.csv``)."""
    shipped = sorted(STATEMENTS_DIR.glob("*.csv"))
    user_dir = config.user_data_dir() / "statements"
    return shipped + (sorted(user_dir.glob("*.csv")) if user_dir.is_dir() else [])


def _validate(path: Path, rows: list[dict[str, str]]) -> list[tuple[int, str, str]]:
    from fjdata.inputs.observations import published_date
    from fjdata.inputs.plan import plans
    from fjdata.inputs.registry import registry

    targets = {t.target_id: t for p in plans().values() for t in registry(p)}  # a statement may concern any plan's target
    problems: list[tuple[int, str, str]] = []
    for line, row in enumerate(rows, start=2):
        tid = row.get("target_id", "").strip()
        if tid not in targets:
            problems.append((line, "target_id", f"{tid!r} is not a target id in the registry (fjdata targets)"))
        raw_year = row.get("year", "").strip()
        if not re.fullmatch(r"\d{4}", raw_year):
            problems.append((line, "year", f"{raw_year!r} is not a year YYYY"))
        elif tid in targets and not targets[tid].base_year <= int(raw_year) <= targets[tid].target_year:
            t = targets[tid]
            problems.append((line, "year", f"{raw_year} is outside the plan period {t.base_year}–{t.target_year} of {tid}"))
        if row.get("assertion", "").strip() not in ASSERTIONS:
            problems.append((line, "assertion", f"{row.get('assertion', '')!r} is not one of {', '.join(ASSERTIONS)}"))
        for name in ("speaker", "source_title", "quote"):
            if not row.get(name, "").strip():
                problems.append((line, name, "missing"))
        try:
            if published_date(row.get("published", "")) > date.today():
                problems.append((line, "published", f"{row.get('published', '')!r} is in the future"))
        except ValueError as exc:
            problems.append((line, "published", str(exc)))
        url = row.get("source_url", "").strip()
        if url and not safe_link(url):
            problems.append((line, "source_url", f"{url!r} is not an http(s) URL; give the web address, or none and a 文号"))
        if not row.get("source_url", "").strip() and not _DOC_NUMBER.search(row.get("source_title", "")):
            problems.append((line, "source_url", "missing: give a URL, or a document number (文号, e.g. 闽政〔2024〕3号) in source_title"))
    return problems


def read_statements(path: str | Path) -> list[Statement]:
    """Read and validate one statements CSV; raises :class:`DataValidationError` listing every problem."""
    path = Path(path)
    if not path.is_file():
        raise DataValidationError(path, [(0, "-", "file not found")])
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header = tuple(reader.fieldnames or ())
        bad = [(1, c, "missing column (schema: docs/data-schema.md §4)") for c in STATEMENT_COLUMNS if c not in header and c != "note"]
        bad += [(1, c, f"unknown column; valid: {', '.join(STATEMENT_COLUMNS)}") for c in header if c not in STATEMENT_COLUMNS]
        if bad:
            raise DataValidationError(path, bad)
        rows = [{k: (v or "").strip() for k, v in r.items() if k is not None} for r in reader]
    problems = _validate(path, rows)
    if problems:
        raise DataValidationError(path, problems)
    return [
        Statement(
            r["target_id"],
            int(r["year"]),
            r["assertion"],
            r["speaker"],
            r["published"],
            r["source_title"],
            r.get("source_url", ""),
            r["quote"],
            r.get("note", ""),
            path.name,
            line,
        )
        for line, r in enumerate(rows, start=2)
    ]


def statements(target_id: str | None = None, as_of: int | None = None, files: list[Path] | None = None) -> list[Statement]:
    """Every statement (shipped and user), optionally for one target and as known at the end of
    ``as_of + 1`` (the same cut as observations), oldest publication first."""
    out = [s for f in (files if files is not None else statement_files()) for s in read_statements(f)]
    if target_id is not None:
        out = [s for s in out if s.target_id == target_id]
    if as_of is not None:
        out = [s for s in out if s.year <= as_of and s.published_date <= date(as_of + 1, 12, 31)]
    return sorted(out, key=lambda s: (s.published_date, s.file, s.line))


def official_statement(
    target_id: str, as_of: int | None = None, files: list[Path] | None = None, year: int | None = None
) -> Statement | None:
    """The newest completed / not-completed statement about the target year (``year``, default:
    the target's in the default plan), or ``None``."""
    from fjdata.inputs.registry import target

    year = target(target_id).target_year if year is None else year
    final = [s for s in statements(target_id, as_of, files) if s.year == year and s.assertion in ("completed", "not_completed")]
    return final[-1] if final else None
