"""One intake for every file a user hands us: questionnaires, drafts, plan folders, params files.

Sizes are checked before anything is parsed (the file, each zip member's uncompressed size, the
rows and columns read), workbooks are streamed (``read_only=True``, bounded ``iter_rows``),
encrypted workbooks are named as such, YAML is read without aliases or anchors, and every problem
names the file (and, where there is one, the sheet, row, column or line). A caller raises
:class:`UntrustedFileError`, which the command line prints without a traceback.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from fjdata.core.errors import FjdataError

MAX_YAML_DEPTH = 20
NO_ALIASES = "aliases (*name) are not allowed, nor anchors (&name), in files a user writes"
MAX_PROBLEMS_SHOWN = 50
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a password-protected (encrypted) or legacy .xls workbook


@dataclass(frozen=True)
class Limits:
    """What an untrusted file may hold; a file over any of them is refused before it is parsed."""

    file_bytes: int
    rows: int = 0  # per sheet (XLSX) or per list (YAML), 0: no row count applies
    columns: int = 0
    unzipped_bytes: int = 0  # all members of an XLSX together, as its directory declares them


PARAMS_LIMITS = Limits(file_bytes=64_000)  # a params file is a dozen lines
PLAN_LIMITS = Limits(file_bytes=2_000_000, rows=5_000)  # plan.yaml / targets.yaml: a plan has dozens of targets
DRAFT_LIMITS = Limits(file_bytes=2_000_000, rows=500, columns=30, unzipped_bytes=20_000_000)  # feasibility drafts
QUESTIONNAIRE_LIMITS = Limits(file_bytes=20_000_000, rows=20_000, columns=40, unzipped_bytes=60_000_000)


# Above these no Chinese figure in the unit can lie (China's GDP is about 1.3 million 亿元): a larger
# value from a user's file is a unit slip (万元 typed for 亿元), whatever else is known.
UNIT_CEILINGS = {"亿元": 5_000_000.0, "万吨标准煤": 2_000_000.0}


def shown_problems(lines: Sequence[str], cap: int = MAX_PROBLEMS_SHOWN) -> str:
    """The first ``cap`` problems, one per line, then ``… and N more``.

    >>> print(shown_problems([f"p{i}" for i in range(53)], cap=2))
      p0
      p1
      … and 51 more
    """
    shown = [f"  {p}" for p in lines[:cap]]
    if len(lines) > cap:
        shown.append(f"  … and {len(lines) - cap} more")
    return "\n".join(shown)


class UntrustedFileError(FjdataError):
    """A user's file was refused; the message names the file and where in it."""

    def __init__(self, file: Path | str, where: str, problem: str) -> None:
        self.file, self.where, self.problem = str(file), where, problem
        super().__init__(f"{file}: {where + ': ' if where else ''}{problem}")


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{n:,} bytes"


def check_size(path: Path, limits: Limits) -> None:
    """Refuse a missing, non-regular or too large file (before reading a byte of it)."""
    if not path.exists():
        raise UntrustedFileError(path, "", "file not found")
    if not path.is_file():
        raise UntrustedFileError(path, "", "not a regular file")
    size = path.stat().st_size
    if size > limits.file_bytes:
        raise UntrustedFileError(path, "", f"the file is {_mb(size)}; at most {_mb(limits.file_bytes)} is read")


def check_xlsx(path: Path, limits: Limits) -> None:
    """Size, encryption and zip checks of a workbook, before openpyxl sees it."""
    check_size(path, limits)
    with path.open("rb") as fh:
        head = fh.read(8)
    if head == OLE_MAGIC:
        raise UntrustedFileError(
            path,
            "",
            "the workbook is password-protected (encrypted) or an old .xls file; remove the password "
            "(File → Info → Protect Workbook) or save it as .xlsx, then send it again",
        )
    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise UntrustedFileError(path, "", f"not a readable .xlsx workbook ({exc})") from exc
    total = sum(m.file_size for m in members)
    if limits.unzipped_bytes and total > limits.unzipped_bytes:
        biggest = max(members, key=lambda m: m.file_size)
        raise UntrustedFileError(
            path,
            biggest.filename,
            f"the workbook unpacks to {_mb(total)} ({_mb(biggest.file_size)} in this part); at most "
            f"{_mb(limits.unzipped_bytes)} is read. Delete unused rows, columns and very long cells",
        )


def open_xlsx(path: Path, limits: Limits, data_only: bool = True) -> Any:
    """A streaming (read-only) openpyxl workbook, after :func:`check_xlsx`; close it when done."""
    from openpyxl import load_workbook

    check_xlsx(path, limits)
    try:
        return load_workbook(path, read_only=True, data_only=data_only)
    except Exception as exc:  # damaged inside: openpyxl raises many kinds
        raise UntrustedFileError(path, "", f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from exc


def sheet_rows(path: Path, ws: Any, limits: Limits, first: int = 1) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(row number, cells) of a read-only sheet from row ``first``, at most ``limits.rows`` rows and
    ``limits.columns`` columns; a sheet with more rows is refused when the first extra row is met."""
    last = limits.rows + 1 if limits.rows else None
    for n, row in enumerate(ws.iter_rows(min_row=first, max_row=last, max_col=limits.columns or None), start=first):
        if limits.rows and n > limits.rows:
            raise UntrustedFileError(
                path, f"sheet {ws.title!r}", f"more than {limits.rows:,} rows; at most {limits.rows:,} are read (delete the extra rows)"
            )
        yield n, tuple(row)


class LimitedSafeLoader(yaml.SafeLoader):
    """``SafeLoader`` that refuses YAML bombs (billion laughs, B56/B57, C87), nesting deeper than
    ``MAX_YAML_DEPTH`` (B70) and duplicate keys (B67), each with the line it is on.

    ``alias_budget`` is how many nodes aliases may repeat in all: 0 (params files) refuses any
    anchor or alias; plan folders allow the few that ``yaml.dump`` writes itself (``&id001``), so
    that a copy of a shipped plan loads, while a bomb's exponential expansion is refused early."""

    alias_budget = 0

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._repeated = 0

    def _size(self, node: Any, budget: int) -> int:
        """Nodes under ``node`` (aliases counted as often as they repeat), stopping past ``budget``."""
        total = 1
        children = (
            node.value
            if isinstance(node, yaml.SequenceNode)
            else [n for kv in node.value for n in kv]
            if isinstance(node, yaml.MappingNode)
            else []
        )
        for child in children:
            total += self._size(child, budget - total)
            if total > budget:
                break
        return total

    def compose_node(self, parent: Any, index: Any) -> Any:
        event: Any = self.peek_event()
        if self.alias_budget <= 0 and (self.check_event(yaml.AliasEvent) or getattr(event, "anchor", None) is not None):
            raise yaml.composer.ComposerError(None, None, NO_ALIASES, event.start_mark)
        if self.check_event(yaml.AliasEvent) and event.anchor in self.anchors:
            self._repeated += self._size(self.anchors[event.anchor], self.alias_budget - self._repeated)
            if self._repeated > self.alias_budget:
                raise yaml.composer.ComposerError(
                    None, None, f"aliases repeat more than {self.alias_budget:,} nodes (a YAML bomb?)", event.start_mark
                )
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise yaml.composer.ComposerError(None, None, f"nested deeper than {MAX_YAML_DEPTH} levels", event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, str | int | float | bool) and key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep)


class PlanLoader(LimitedSafeLoader):
    """:class:`LimitedSafeLoader` for plan folders and drafts: a bounded use of aliases."""

    alias_budget = 10_000


def safe_load_limited(text: str, loader: type[LimitedSafeLoader] = LimitedSafeLoader) -> Any:
    r"""Parse YAML with :class:`LimitedSafeLoader`.

    >>> safe_load_limited("a: 1")
    {'a': 1}
    >>> try:
    ...     safe_load_limited("a: [1]\nb: *x")
    ... except yaml.YAMLError as exc:
    ...     print(exc.problem, "(line", exc.problem_mark.line + 1, ")")
    aliases (*name) are not allowed, nor anchors (&name), in files a user writes (line 2 )
    """
    parser = loader(text)
    try:
        return parser.get_single_data()
    finally:
        parser.dispose()


def yaml_problem(exc: yaml.YAMLError) -> str:
    """``line L, column C: problem`` of a YAML error (its own words, without the parser's context dump)."""
    mark = getattr(exc, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    problem = getattr(exc, "problem", None) or str(exc)
    return f"{where}{problem}"


def load_yaml(path: Path, limits: Limits, loader: type[LimitedSafeLoader] = LimitedSafeLoader) -> Any:
    """A user's YAML file: size-checked, UTF-8, parsed with ``loader`` (no aliases or anchors by
    default); errors name the file and line."""
    check_size(path, limits)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UntrustedFileError(path, f"byte {exc.start}", "not UTF-8 text; save the file as UTF-8 (e.g. not GBK)") from exc
    try:
        return safe_load_limited(text, loader)
    except yaml.YAMLError as exc:
        raise UntrustedFileError(path, "", f"not valid YAML: {yaml_problem(exc)}") from exc
