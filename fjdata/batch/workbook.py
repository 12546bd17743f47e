"""The assessment workbook: the overview report in another form, for readers who forward, filter and
print it. A 摘要 / Summary sheet with the headline counts first (the tiles' own counting,
:func:`fjdata.report.scorecard.tiles`), then one sheet per scorecard section with the very rows the
HTML shows (:func:`fjdata.report.scorecard.rows`: the same labels, "≥" for a floor, the same rounding
from :mod:`fjdata.report.formatting`), the mid-term table, and a 说明 / Notes sheet. Every table
sheet has a frozen header, an autofilter and a print set-up (landscape, fit to width, header row
repeated); no internal code is visible (the target id sits in a hidden last column for tracing).
The CSV keeps every column as numbers for machines.

Every cell is written by :func:`put` (one place to neutralise what a cell may carry)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fjdata.core.cache import atomic_write_path
from fjdata.core.inert import inert_workbook
from fjdata.core.wording import words
from fjdata.inputs.chapters import chapter_title
from fjdata.report import scorecard
from fjdata.report.chapter_report import ChapterReport

SHEET_MAX = 31  # Excel's limit on a sheet name
_NOT_IN_NAME = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Sheet:
    name: str
    header: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]
    ids: tuple[str, ...] = ()  # a hidden last column: the target ids (for tracing, never shown)
    widths: tuple[int, ...] = ()
    title_lines: tuple[str, ...] = ()  # lines above the table (the summary names the plan and the report)


def put(ws: Any, row: int, column: int, value: object) -> Any:
    """Write one cell (the single write point of this workbook)."""
    return ws.cell(row=row, column=column, value=value)


def sheet_name(title: str, taken: set[str]) -> str:
    """A sheet name that fits Excel's 31 characters: no parenthetical, then the part before a
    comma, then whole words; never a trailing space; unique in the workbook."""
    name = _NOT_IN_NAME.sub(" ", title)
    for shorter in (lambda s: re.sub(r"\s*[（(][^）)]*[）)]", "", s), lambda s: re.split(r"[,，]", s)[0]):
        if len(name.strip()) > SHEET_MAX:
            name = shorter(name)
    name = " ".join(name.split())
    while len(name) > SHEET_MAX and " " in name:
        name = name.rsplit(" ", 1)[0]
    name = name[:SHEET_MAX].strip() or "sheet"
    base, n = name, 2
    while name in taken:
        suffix = f" {n}"
        name = base[: SHEET_MAX - len(suffix)].strip() + suffix
        n += 1
    taken.add(name)
    return name


def summary_rows(report: ChapterReport) -> list[tuple[object, ...]]:
    """The headline counts, as the overview's tiles count them, then all targets and each chapter."""
    w = words(report.lang)
    x = w["workbook"]
    out: list[tuple[object, ...]] = []
    head, tiles = scorecard.tiles(report.items, report.plan, report.lang)
    for caption, counted in (
        (head.title(report.lang) if head else x["all_targets"], tiles),
        (x["all_targets"], scorecard.tiles(report.items, report.plan, report.lang, headline_only=False)[1]),
    ):
        if out:
            out.append(("", ""))
        out.append((caption, x["count"]))
        out += [(f"{t.symbol} {t.label}", t.count) for t in counted]
        out += [(x["note"], t.note) for t in counted if t.note]
    out.append(("", ""))
    out.append((x["by_chapter"], x["count"]))
    chapters = dict.fromkeys(r.assessment.chapter for r in report.items)
    for c in chapters:
        mine = [r for r in report.items if r.assessment.chapter == c]
        counts = scorecard.tiles(mine, report.plan, report.lang, headline_only=False)[1]
        text = str(w["list_sep"]).join(f"{t.label}{t.count}" if report.lang == "zh" else f"{t.label} {t.count}" for t in counts)
        out.append((chapter_title(c, report.lang, report.plan), text))
    return out


def _row_cells(r: scorecard.Row, chapter: str, lang: str) -> tuple[object, ...]:
    w = words(lang)
    f = r.final
    marks = [m for m in (f.status_mark, w["stale"] if f.stale else "", f.tier_label, w["spliced"] if f.spliced else "") if m]
    notes = [*f.disputes, *([f.caveat] if f.caveat else [])]
    return (
        r.name,
        chapter,
        r.attribute,
        f"{r.verdict.symbol} {r.verdict.label}",
        r.base,
        f.text,
        f.year,
        str(w["list_sep"]).join(marks),
        r.target,
        r.share,
        r.gap,
        str(w["sentence_sep"]).join(notes),
        r.detail,
    )


def scorecard_sheets(report: ChapterReport, taken: set[str]) -> list[Sheet]:
    """One sheet per scorecard section, rows in the report's order and words."""
    w = words(report.lang)
    x = w["workbook"]
    header = (
        w["col_indicator"],
        x["chapter"],
        x["attribute"],
        w["col_verdict"],
        str(w["col_base"]).format(y=report.plan.base_year),
        w["col_final"] if report.period_over else w["col_latest"],
        w["col_year"],
        x["evidence"],
        w["col_target"],
        w["col_share"],
        w["col_gap"],
        x["notes"],
        w["col_detail"],
    )
    chapter_of = {r.assessment.target_id: r.assessment.chapter for r in report.items}
    short = {c: chapter_title(c, report.lang, report.plan) for c in set(chapter_of.values())}
    all_rows = scorecard.rows(report.items, report.plan, report.lang, confidence=report.confidence)
    out = []
    for i, s in enumerate(scorecard.sections(all_rows, report.plan)):
        title = s.group.title(report.lang) if s.group is not None else str(w["section_other"]) + (f" {i}" if i else "")
        cells = tuple(_row_cells(r, short[chapter_of[r.target_id]], report.lang) for r in s.rows)
        widths = (26, 14, 8, 12, 13, 14, 6, 14, 22, 9, 14, 30, 44)
        out.append(Sheet(sheet_name(title, taken), header, cells, tuple(r.target_id for r in s.rows), widths))
    return out


def midterm_sheet(report: ChapterReport, taken: set[str]) -> Sheet | None:
    """The mid-term call scored against the outcome, as the report's table shows it."""
    if not report.midterm:
        return None
    w = words(report.lang)
    header = (
        w["col_indicator"],
        str(w["col_call"]).format(y=report.mid_year),
        w["col_outcome"],
        w["col_hit"],
        str(w["col_projection"]).format(y=report.plan.end_year),
        w["col_actual"],
        w["col_error"],
        w["col_inside"],
    )
    rows = []
    for s in report.midterm_scores():
        hit = w["hit_none"] if s.hit is None else (w["hit_yes"] if s.hit else w["hit_no"])
        inside = "—" if s.inside80 is None else (w["inside_yes"] if s.inside80 else w["inside_no"])
        rows.append((s.name, s.call, s.outcome, hit, s.projection, s.actual, s.error, inside))
    title = str(w["midterm"]).format(y=report.mid_year)
    return Sheet(
        sheet_name(title, taken), header, tuple(rows), tuple(s.target_id for s in report.midterm_scores()), (30, 16, 16, 10, 24, 16, 14, 12)
    )


def notes_sheet(report: ChapterReport, taken: set[str]) -> Sheet:
    """What each column and each verdict means, in the report's words."""
    w = words(report.lang)
    x = w["workbook"]
    rows: list[tuple[object, ...]] = [(str(line), "") for line in x["notes_lines"]]
    rows.append(("", ""))
    rows.append((str(w["legend_verdicts"]), ""))
    rows.append((str(w["legend_evidence"]), ""))
    return Sheet(sheet_name(str(x["notes_sheet"]), taken), (str(x["notes_sheet"]), ""), tuple(rows), (), (110, 10))


def workbook_sheets(report: ChapterReport) -> list[Sheet]:
    """Every sheet, in order: summary, scorecard sections, mid-term, notes."""
    x = words(report.lang)["workbook"]
    taken: set[str] = set()
    rows = summary_rows(report)
    summary = Sheet(
        sheet_name(str(x["summary_sheet"]), taken),
        tuple(map(str, rows[0])),
        tuple(rows[1:]),
        (),
        (44, 60),
        (report.plan.title(report.lang), report.title()),
    )
    sheets = [summary, *scorecard_sheets(report, taken)]
    mid = midterm_sheet(report, taken)
    if mid is not None:
        sheets.append(mid)
    sheets.append(notes_sheet(report, taken))
    return sheets


def write_workbook(path: Path, report: ChapterReport) -> Path:
    """Write the workbook of an overview report atomically (a temporary file renamed into place);
    text from plans and user files never becomes a formula (CWE-1236, :mod:`fjdata.core.inert`)."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for sheet in workbook_sheets(report):
        _write_sheet(book.create_sheet(sheet.name), sheet)
    inert_workbook(book)
    with atomic_write_path(path) as tmp:
        book.save(tmp)
    return path


def _write_sheet(ws: Any, sheet: Sheet) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold, fill = Font(bold=True), PatternFill("solid", fgColor="F3F5F9")
    wrap = Alignment(wrap_text=True, vertical="top")
    r = 1
    for line in sheet.title_lines:
        put(ws, r, 1, line).font = Font(bold=True, size=13 if r == 1 else 11)
        r += 1
    if sheet.title_lines:
        r += 1
    head = r
    columns = (*sheet.header, *(("id",) if sheet.ids else ()))
    for j, h in enumerate(columns, start=1):
        cell = put(ws, head, j, h)
        cell.font, cell.fill, cell.alignment = bold, fill, wrap
    for i, row in enumerate(sheet.rows, start=head + 1):
        for j, v in enumerate(row, start=1):
            put(ws, i, j, v).alignment = wrap
        if sheet.ids:
            put(ws, i, len(columns), sheet.ids[i - head - 1])
    for j, width in enumerate(sheet.widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    if sheet.ids:
        ws.column_dimensions[get_column_letter(len(columns))].hidden = True
    last = get_column_letter(len(sheet.header))
    if sheet.rows and sheet.ids:
        ws.auto_filter.ref = f"A{head}:{last}{head + len(sheet.rows)}"
    ws.freeze_panes = f"B{head + 1}" if sheet.ids else f"A{head + 1}"
    ws.print_title_rows = f"{head}:{head}"
    ws.page_setup.orientation = "landscape" if len(sheet.header) > 2 else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
