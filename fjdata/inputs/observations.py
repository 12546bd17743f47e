"""Observed data: cited figures with vintages, validated, with a user overlay and vintage rules.

Vintage rule ``consistent`` (the default; see README "Vintages"):

- growth-type series (``rate``, ``yearly_change``): for each year, the most recently
  published version. A growth rate is a ratio within one release, so releases can be
  chained year by year without a level break.
- level-type series (``level``, ``share``, ``count``): one vintage family for the whole
  series (each label is its own family, except that yearbook editions such as ``yearbook_2020``
  and ``yearbook_2022`` form the family ``yearbook``, newest edition per year). Of the
  families that reach within one year of the latest year any release covers, the one with
  the most years wins, then the later last year, then the newer release. Years that only
  other families cover stay gaps, so that no level series silently mixes a census-revised
  base with a first-published one.

Other rules: ``latest`` (per year, newest publication), ``first`` (per year, first
publication: the real-time view), ``all`` (every version), or an explicit vintage label.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
import stat
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from fjdata.core import config
from fjdata.core.errors import ArgumentError, DataValidationError, ImplausibleJumpWarning, did_you_mean
from fjdata.inputs.indicators import Indicator, catalogue, indicator
from fjdata.inputs.source_quality import TIERS, derive_tier
from fjdata.inputs.transforms import year_index

COLUMNS = (
    "indicator_id",
    "region",
    "year",
    "value",
    "unit",
    "status",
    "vintage",
    "published",
    "source_title",
    "source_url",
    "quote",
    "note",
    "inputs",
    "formula",
    "bound",
    "source_tier",
    "provenance",
    "source_check",
    "scope",
)
# source_tier: derived by rule when empty. provenance: the research trail (mirror, repository, panel
# file, search query) kept apart from source_title, the publication a reader can look up; shown only on
# the coverage page and in the data files. source_check "unverified": the figure's only trail is a code
# file, a data panel or an anonymous copy (来源待核实): it never decides a verdict on its own.
# scope: where the source counts another population than the indicator (全部企业 vs 规上制造业),
# in the reader's words; printed as a caveat beside the value.
OPTIONAL_COLUMNS = ("note", "inputs", "formula", "bound", "source_tier", "provenance", "source_check", "scope")
SOURCE_CHECKS = ("", "unverified")
BOUNDS = ("", "lower", "upper")  # "lower": the source states a floor (超过/突破/>), not a point value
STATUSES = ("final", "preliminary", "revised", "derived")
REGIONS: tuple[str, ...] = tuple(str(r) for r in config.parse_yaml((config.DATA_DIR / "regions.yaml").read_text(encoding="utf-8")))
YEAR_RANGE = (1990, 2100)  # coarse: a figure for a year outside is a typo
KEY = ("indicator_id", "region", "year", "vintage")
VINTAGE_RULES = ("consistent", "latest", "first", "all")
_PUBLISHED = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")
_CITATION = re.compile(r"(统计年鉴|Yearbook|表\s*\d|table\s*\d|公报|Bulletin|bulletin)", re.IGNORECASE)
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")  # plain decimals only: no 21_000, no nan/inf
# Hard limits per series kind (why: a value outside them is a typo or an attack, and it turns a
# judgement or a log/logit transform into nonsense). Shares use the catalogue's bounds if given.
VALUE_LIMITS: dict[str, tuple[float, float]] = {
    "share": (0.0, 100.0),
    "count": (0.0, 1e8),
    "level": (-1e9, 1e9),
    "rate": (-99.99, 1000.0),  # a fall of 100 % or more is impossible for a growth rate
    "yearly_change": (-99.99, 1000.0),
}
PLAUSIBLE_FACTOR = 100.0  # a user level/count more than 100x off the shipped series is rejected
MAX_FILE_BYTES = 50_000_000  # an overlay CSV larger than this is refused (B30: 200 MB files)
MAX_FIELD_CHARS = 10_000


def published_date(text: str) -> date:
    """``YYYY`` → 31 Dec, ``YYYY-MM`` → last day we can be sure of (28th): conservative for as-of cuts."""
    m = _PUBLISHED.match(text.strip())
    if not m:
        raise ValueError(f"{text!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    if month is None:
        return date(year, 12, 31)
    if day is None:
        return date(year, int(month), 28)
    return date(year, int(month), int(day))


def _validate_rows(
    path: Path, rows: list[dict[str, str]], known: dict[str, Indicator], lines: Sequence[int] | None = None
) -> list[tuple[int, str, str]]:
    problems: list[tuple[int, str, str]] = []
    seen: dict[tuple[str, ...], int] = {}
    for line, row in zip(lines or range(2, len(rows) + 2), rows, strict=True):  # line 1 is the header
        iid = row.get("indicator_id", "").strip()
        ind = known.get(iid)
        if not iid:
            problems.append((line, "indicator_id", "missing"))
        elif ind is None:
            problems.append((line, "indicator_id", f"unknown indicator {iid!r} (not in the catalogue)"))
        region = row.get("region", "").strip()
        if region not in REGIONS:
            problems.append((line, "region", f"{region!r} is not one of {REGIONS}"))
        try:
            year = int(row.get("year", "").strip())
            if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
                problems.append((line, "year", f"{year} is out of range {YEAR_RANGE[0]}–{YEAR_RANGE[1]}"))
        except ValueError:
            problems.append((line, "year", f"{row.get('year')!r} is not an integer year"))
        raw_value = row.get("value", "").strip()
        value = math.nan
        try:
            value = float(raw_value)
            if not math.isfinite(value) or not _NUMBER.match(raw_value):
                raise ValueError
        except ValueError:
            problems.append((line, "value", f"{raw_value!r} is not a number"))
            value = math.nan
        if ind is not None and math.isfinite(value):
            lo, hi = ind.bounds if ind.series_kind == "share" and ind.bounds else VALUE_LIMITS.get(ind.series_kind, (-1e9, 1e9))
            if not lo <= value <= hi:
                problems.append(
                    (line, "value", f"{raw_value} is outside {lo:g}–{hi:g}, the range of a {ind.series_kind} ({iid}, unit {ind.unit})")
                )
        unit = row.get("unit", "").strip()
        if ind is not None and unit != ind.unit:
            problems.append((line, "unit", f"{unit!r} does not match the catalogue unit {ind.unit!r} of {iid}"))
        if row.get("status", "").strip() not in STATUSES:
            problems.append((line, "status", f"{row.get('status')!r} is not one of {STATUSES}"))
        if not row.get("vintage", "").strip():
            problems.append((line, "vintage", "missing"))
        try:
            pub = published_date(row.get("published", ""))
            year_text = row.get("year", "").strip()
            if year_text.isdigit() and pub.year < int(year_text):
                problems.append((line, "published", f"{row.get('published')} is before the end of the year it reports ({year_text})"))
        except ValueError as exc:
            problems.append((line, "published", str(exc)))
        title = row.get("source_title", "").strip()
        if not title:
            problems.append((line, "source_title", "missing source"))
        unverified = row.get("source_check", "").strip() == "unverified"
        if unverified and not row.get("provenance", "").strip():
            problems.append((line, "provenance", "missing: an unverified figure must say where it was found"))
        if not row.get("source_url", "").strip() and not _CITATION.search(title) and not unverified:
            problems.append((line, "source_url", "missing: give a URL or a precise citation (yearbook and table) in source_title"))
        if not row.get("quote", "").strip():
            problems.append((line, "quote", "missing: the phrase in the source that contains the number"))
        if row.get("bound", "").strip() not in BOUNDS:
            problems.append((line, "bound", f"{row.get('bound')!r} is not empty, 'lower' or 'upper'"))
        if row.get("source_check", "").strip() not in SOURCE_CHECKS:
            problems.append((line, "source_check", f"{row.get('source_check')!r} is not empty or 'unverified'"))
        if row.get("source_tier", "").strip() not in ("", *TIERS):
            problems.append((line, "source_tier", f"{row.get('source_tier')!r} is not empty or one of {TIERS}"))
        if row.get("status", "").strip() == "derived" and not row.get("formula", "").strip():
            problems.append((line, "formula", "a derived figure must give its formula (and inputs)"))
        key = tuple(row.get(k, "").strip() for k in KEY)
        if all(key):
            if key in seen:
                problems.append(
                    (
                        line,
                        "vintage",
                        f"duplicate key {'/'.join(key)} (also line {seen[key]}); use a distinct vintage label for a different release",
                    )
                )
            else:
                seen[key] = line
    return problems


def file_problem(path: Path) -> str | None:
    """Why ``path`` cannot be read as a data file, or ``None``. Uses ``stat`` only: a FIFO or a
    device is never opened (opening a FIFO blocks forever, reading ``/dev/zero`` never ends)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return "file not found"
    except OSError as exc:
        return f"cannot be read: {exc.strerror}"
    if stat.S_ISDIR(st.st_mode):
        return "is a folder, not a file"
    if not stat.S_ISREG(st.st_mode):
        kind = "a FIFO (named pipe)" if stat.S_ISFIFO(st.st_mode) else "a device or socket"
        return f"is {kind}, not a regular file; only regular files are read"
    if st.st_size > MAX_FILE_BYTES:
        return f"is {st.st_size / 1e6:.0f} MB; data files are limited to {MAX_FILE_BYTES / 1e6:.0f} MB"
    return None


def _decode(path: Path, blob: bytes) -> str:
    try:
        return blob.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = blob[: exc.start].count(b"\n") + 1
        hint = "UTF-16" if blob[:2] in (b"\xff\xfe", b"\xfe\xff") else "a legacy encoding such as GBK"
        raise DataValidationError(
            path, [(line, "-", f"not UTF-8 text (byte {exc.start}; looks like {hint}); save the file as UTF-8")]
        ) from None


def read_csv(path: Path, known: dict[str, Indicator] | None = None, origin: str = "shipped") -> pd.DataFrame:
    """Read and validate one observations CSV. Raises :class:`DataValidationError` listing every problem.

    Errors name the file, the physical line (multi-line quoted fields counted) and the field.
    """
    known = known if known is not None else catalogue()
    path = Path(path)
    problem = file_problem(path)
    if problem:
        raise DataValidationError(path, [(0, "-", problem)])
    text = _decode(path, path.read_bytes())
    # Long fields are reported by our own check (with line and field), not by csv's 128 KB limit.
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FILE_BYTES))
    reader = csv.DictReader(io.StringIO(text, newline=""))
    start = 2
    rows: list[dict[str, str]] = []
    lines: list[int] = []
    try:
        header = tuple(reader.fieldnames or ())
        missing = [c for c in COLUMNS if c not in header and c not in OPTIONAL_COLUMNS]
        if missing:
            raise DataValidationError(path, [(1, c, "missing column (schema: docs/data-schema.md)") for c in missing])
        unknown = [c for c in header if c not in COLUMNS]
        if unknown:
            raise DataValidationError(path, [(1, c, "unknown column (schema: docs/data-schema.md)") for c in unknown])
        surplus: list[tuple[int, str, str]] = []
        start = reader.line_num + 1
        for r in reader:
            lines.append(start)
            if None in r:  # more fields than the header has: never dropped silently
                surplus.append((start, "-", f"{len(r[None])} field(s) more than the header's {len(header)}"))
            rows.append({k: (v or "") for k, v in r.items() if k is not None})
            start = reader.line_num + 1
    except csv.Error as exc:
        raise DataValidationError(path, [(start, "-", f"not readable as CSV: {exc}")]) from None
    too_long = [
        (ln, k, f"{len(v)} characters; fields are limited to {MAX_FIELD_CHARS}")
        for ln, r in zip(lines, rows, strict=True)
        for k, v in r.items()
        if len(v) > MAX_FIELD_CHARS
    ]
    problems = surplus + too_long + _validate_rows(path, rows, known, lines)
    if problems:
        raise DataValidationError(path, sorted(problems, key=lambda p: p[0]))
    frame = pd.DataFrame([{c: r.get(c, "") for c in COLUMNS} for r in rows], columns=list(COLUMNS))  # absent optional columns are empty
    frame["year"] = frame["year"].astype(int)
    frame["value"] = frame["value"].astype(float)
    frame["published_date"] = [published_date(p) for p in frame["published"]]
    frame["source_tier"] = [
        t or derive_tier(u, ti, st, n).tier
        for t, u, ti, st, n in zip(
            frame["source_tier"], frame["source_url"], frame["source_title"], frame["status"], frame["note"], strict=True
        )
    ]
    frame["origin"] = origin
    frame["file"] = path.name
    frame["line"] = lines
    return frame


def implausible_jumps(frame: pd.DataFrame, known: dict[str, Indicator] | None = None) -> list[str]:
    """Describe values that move implausibly from the previous year within one vintage."""
    known = known if known is not None else catalogue()
    limits = config.settings()["jump_limits"]
    assert isinstance(limits, dict)
    out = []
    for (iid, region, vintage), grp in frame.groupby(["indicator_id", "region", "vintage"]):
        grp = grp.sort_values("year")
        kind = known[str(iid)].series_kind
        prev = None
        for _, row in grp.iterrows():
            if prev is not None and row["year"] == prev["year"] + 1:
                a, b = float(prev["value"]), float(row["value"])
                if kind in ("level", "count") and a > 0 and b > 0:
                    jump = max(a / b, b / a) > float(limits["ratio"])
                else:
                    jump = abs(b - a) > float(limits["points"])
                if jump:
                    out.append(f"{row['file']}:{row['line']}: {iid}/{region}/{vintage}: {a:g} ({prev['year']}) → {b:g} ({row['year']})")
            prev = row
    return out


def shipped_files() -> list[Path]:
    return sorted(config.OBSERVATIONS_DIR.glob("*.csv"))


def user_files(extra: Sequence[str | Path] | str | Path | None = None) -> list[Path]:
    """User overlay files: the user data folder, ``FJDATA_EXTRA_DATA`` and an explicit ``extra``.

    Every path is absolute and checked with ``stat`` only: a missing file, a folder, a FIFO or a
    device raises :class:`DataValidationError` naming it (B42–B48) instead of hanging or a traceback.
    """
    folder = config.user_data_dir()
    files = sorted(folder.glob("*.csv")) if folder.is_dir() else []
    files += config.extra_data_files()
    if extra:
        items = [extra] if isinstance(extra, str | Path) else list(extra)
        files += [Path(p).resolve() for p in items]
    unique = list(dict.fromkeys(Path(p).absolute() for p in files))  # one file named twice is read once
    for path in unique:
        problem = file_problem(path)
        if problem:
            raise DataValidationError(path, [(0, "-", problem)])
    return unique


def _check_against_shipped(path: Path, user: pd.DataFrame, base: pd.DataFrame) -> None:
    """A user level or count more than PLAUSIBLE_FACTOR× off every shipped value of the same
    indicator and region is an error (B11/B12): one typo must not flip a judgement."""
    known = catalogue()
    problems = []
    for _, row in user.iterrows():
        if known[str(row["indicator_id"])].series_kind not in ("level", "count"):
            continue
        same = base[(base["indicator_id"] == row["indicator_id"]) & (base["region"] == row["region"])]["value"]
        same = same[same > 0]
        if same.empty:
            continue
        lo, hi = float(same.min()) / PLAUSIBLE_FACTOR, float(same.max()) * PLAUSIBLE_FACTOR
        value = float(row["value"])
        if value > 0 and not lo <= value <= hi:
            problems.append(
                (
                    int(row["line"]),
                    "value",
                    (
                        f"{value:g} is implausible for {row['indicator_id']}/{row['region']}: the shipped series lies in "
                        f"{same.min():g}–{same.max():g} (allowed {lo:g}–{hi:g})"
                    ),
                )
            )
    if problems:
        raise DataValidationError(path, problems)


@lru_cache(maxsize=1)
def _shipped() -> pd.DataFrame:
    frames = [read_csv(p) for p in shipped_files()]
    shipped = pd.concat(frames, ignore_index=True)
    dup = shipped[shipped.duplicated(list(KEY), keep=False)]
    if not dup.empty:
        first = dup.iloc[0]
        problems = [
            (int(r["line"]), "vintage", f"duplicate key {'/'.join(str(r[k]) for k in KEY)} across shipped files") for _, r in dup.iterrows()
        ]
        raise DataValidationError(str(first["file"]), problems)
    return shipped


def _overlay(base: pd.DataFrame, files: Iterable[Path]) -> pd.DataFrame:
    """User rows replace shipped rows with the same key and add new ones; all rows stay traceable.

    Two user files giving different values for the same key are an error naming both (B22).
    """
    out = base.assign(user_supplied=False)
    for path in files:
        user = read_csv(path, origin="user").assign(user_supplied=True)
        _check_against_shipped(path, user, base)
        keys = pd.MultiIndex.from_frame(user[list(KEY)])
        earlier = out[out["user_supplied"] & pd.MultiIndex.from_frame(out[list(KEY)]).isin(keys)]
        if not earlier.empty:
            mine = user.set_index(list(KEY))
            clashes = [
                (
                    int(mine.loc[k, "line"]),
                    "value",
                    f"{'/'.join(map(str, k))} is {mine.loc[k, 'value']:g} here but {r['value']:g} in {r['file']}:{r['line']}",
                )
                for k, r in ((tuple(r[c] for c in KEY), r) for _, r in earlier.iterrows())
                if float(mine.loc[k, "value"]) != float(r["value"])
            ]
            if clashes:
                raise DataValidationError(path, clashes)
        kept = out[~pd.MultiIndex.from_frame(out[list(KEY)]).isin(keys)]
        out = pd.concat([kept, user], ignore_index=True)
        # Jumps are checked on the merged series, where a user value meets the shipped ones.
        touched = out.groupby(["indicator_id", "region", "vintage"])["user_supplied"].transform("any")
        for warning in implausible_jumps(out[touched.astype(bool)]):
            if warning.startswith(f"{path.name}:"):
                warnings.warn(f"implausible jump in user data: {warning}", ImplausibleJumpWarning, stacklevel=3)
    return out


def _content_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def all_observations(extra_data: Sequence[str | Path] | str | Path | None = None) -> pd.DataFrame:
    """Every version of every figure: shipped data plus the user overlay."""
    return _overlaid(_stamp(extra_data))


def _stamp(extra_data: Sequence[str | Path] | str | Path | None) -> tuple[tuple[str, str], ...]:
    # Each user file's CONTENT (F18): a file rewritten with its old mtime is still read again.
    return tuple((str(p), _content_digest(p)) for p in user_files(extra_data))


@lru_cache(maxsize=8)
def _overlaid(stamp: tuple[tuple[str, str], ...]) -> pd.DataFrame:
    return _overlay(_shipped(), [Path(p) for p, _ in stamp])


def _as_of_filter(frame: pd.DataFrame, as_of: int | None) -> pd.DataFrame:
    if as_of is None:
        return frame
    # A figure for year Y is known by the end of Y+1 at the latest (communiqués appear Feb–Mar).
    cutoff = date(as_of + 1, 12, 31)
    return frame[(frame["year"] <= as_of) & (frame["published_date"] <= cutoff)]


EDITION_FAMILIES = ("yearbook",)  # labels like yearbook_2022: successive editions of one publication
# Vintage labels of the plan owner's own evaluations (the department's mid-term or final
# evaluation): they measure the indicator on the plan's definition, so they are preferred.
PLAN_OWNER_VINTAGES = ("midterm_eval", "final_eval")
# A later release beats an earlier one only when it is at least as official: final and revised
# figures outrank preliminary ones, which outrank figures we derived by arithmetic.
STATUS_RANK = {"final": 2, "revised": 2, "preliminary": 1, "derived": 0}
# Values closer than this (relative) are the same figure rounded differently, not a disagreement.
SAME_VALUE_TOLERANCE = 0.005


def vintage_family(label: str) -> str:
    """The release family of a vintage label: ``yearbook_2020`` and ``yearbook_2022`` are editions of
    ``yearbook``; every other label is a family of its own (press releases are never merged)."""
    head = label.split("_", 1)[0]
    return head if head in EDITION_FAMILIES else label


def is_plan_owner(vintage: str) -> bool:
    """Whether a vintage is the plan owner's own evaluation (``midterm_eval_2023``, ``final_eval_2026``)."""
    return vintage.startswith(PLAN_OWNER_VINTAGES)


# The selection works on plain records (one dict per row, in the frame's column order, plus the
# row's index label under _ROW): a few hundred small pandas operations per series cost far more
# than the rule itself. The frame is built once, at the end, in the input's dtypes.
Record = dict[str, Any]
_ROW = "\0row"
ALTERNATIVE_FIELDS = (
    "year",
    "value",
    "status",
    "vintage",
    "published",
    "source_title",
    "source_url",
    "quote",
    "bound",
    "source_tier",
    "provenance",
    "source_check",
    "scope",
)


def _owned(row: Mapping[str, Any]) -> bool:
    """A figure of the plan owner: its own evaluation, or one its department supplied (imported questionnaire)."""
    return is_plan_owner(str(row["vintage"])) or str(row.get("source_tier", "")) == "department"


def _rank(row: Mapping[str, Any]) -> int:
    return STATUS_RANK.get(str(row["status"]), 0)


def _last_largest(rows: Sequence[Record], key: Any) -> Record:
    """The row with the largest ``key``; of equal ones the last (a stable sort's last row)."""
    return rows[max(range(len(rows)), key=lambda i: (key(rows[i]), i))]


def _best_row(rows: Sequence[Record]) -> tuple[Record, str]:
    """The row of ONE year a statistician would use, and why (see docs/vintage-rule.md).

    1. the plan owner's own evaluation; 2. the most official status (final/revised >
    preliminary > derived); 3. if every remaining row is a floor (超过/突破), the highest floor;
    4. otherwise the latest publication.
    """
    if len(rows) == 1:
        return rows[0], "only"
    owner = [_owned(r) for r in rows]
    top_owner = max(owner)
    top_rank = max(_rank(r) for r, o in zip(rows, owner, strict=True) if o == top_owner)
    top = [r for r, o in zip(rows, owner, strict=True) if o == top_owner and _rank(r) == top_rank]
    reason = "plan_owner" if any(owner) else "status" if len(top) < len(rows) else "newer"
    if len(top) > 1 and all(r["bound"] == "lower" for r in top):
        best = _last_largest(top, lambda r: (r["value"], r["published_date"]))
        return best, reason if reason != "newer" else "highest_floor"
    return _last_largest(top, lambda r: (r["published_date"], r["vintage"])), reason


def _alternatives(rows: Sequence[Mapping[str, Any]], chosen: Mapping[str, Any]) -> tuple[dict[str, object], ...]:
    """The other versions of a year whose value differs from the chosen one (sources disagree)."""
    if len(rows) == 1 and rows[0]["vintage"] == chosen["vintage"]:
        return ()  # one version only: nothing to disagree with
    out = []
    for r in rows:
        if r["vintage"] == chosen["vintage"]:
            continue
        scale = max(abs(float(chosen["value"])), abs(float(r["value"])), 1e-12)
        if abs(float(r["value"]) - float(chosen["value"])) / scale <= SAME_VALUE_TOLERANCE and r["bound"] == chosen["bound"]:
            continue
        out.append({k: r[k] for k in ALTERNATIVE_FIELDS})
    return tuple(out)


def _by_year(rows: Iterable[Record]) -> dict[int, list[Record]]:
    """Rows grouped by year (years ascending, rows in their order)."""
    groups: dict[int, list[Record]] = {}
    for r in rows:
        groups.setdefault(int(r["year"]), []).append(r)
    return dict(sorted(groups.items()))


def _per_year(rows: Sequence[Record], reason: str | None = None) -> dict[int, Record]:
    """One row per year chosen by :func:`_best_row`, with ``selection`` (why)."""
    picked = {}
    for year, group in _by_year(rows).items():
        best, why = _best_row(group)
        picked[year] = {**best, "selection": reason or why}
    return picked


def _no_alternatives(frame: pd.DataFrame) -> pd.Series:
    return pd.Series([()] * len(frame), index=frame.index, dtype=object)


def _records(frame: pd.DataFrame) -> list[Record]:
    """The rows of ``frame`` as dicts (plain Python values), each with its position under ``_ROW``."""
    return [{**{str(k): v for k, v in r.items()}, _ROW: i} for i, r in enumerate(frame.to_dict("records"))]


def _with_alternatives(chosen: Sequence[Record], every: Sequence[Record]) -> list[Record]:
    by_year = _by_year(every)
    return [{**r, "alternatives": _alternatives(by_year[int(r["year"])], r)} for r in chosen]


def _chosen_frame(chosen: Sequence[Record], frame: pd.DataFrame) -> pd.DataFrame:
    """The selected records as a frame: their rows of ``frame`` (its index and dtypes), then
    ``selection``, ``spliced`` and ``alternatives``."""
    if not chosen:
        empty = frame.iloc[0:0]
        return empty.assign(selection="", spliced=False, alternatives=_no_alternatives(empty))
    rows = frame.iloc[[r[_ROW] for r in chosen]]
    return rows.assign(
        selection=[r["selection"] for r in chosen],
        spliced=[r["spliced"] for r in chosen],
        alternatives=pd.Series([r["alternatives"] for r in chosen], index=rows.index, dtype=object),
    )


def _sorted_rows(rows: Iterable[Record]) -> list[Record]:
    """Rows by year, publication date and vintage (stable)."""
    return sorted(rows, key=lambda r: (r["year"], r["published_date"], r["vintage"]))


def _select_rows(rows: Sequence[Record], rule: str) -> list[Record]:
    """:func:`select_vintage` on records of ONE indicator and region (``rule`` is not ``all``)."""
    every = _sorted_rows(rows)
    if rule in ("latest", "first"):
        pick = [group[-1] if rule == "latest" else group[0] for group in _by_year(every).values()]
        return _with_alternatives([{**r, "selection": "rule", "spliced": False} for r in pick], every)
    if rule != "consistent":
        pick = [group[-1] for group in _by_year(r for r in every if r["vintage"] == rule).values()]
        return _with_alternatives([{**r, "selection": "rule", "spliced": False} for r in pick], every)
    ind = indicator(str(every[0]["indicator_id"]))
    overall = _per_year(every)
    if ind.series_kind in ("rate", "yearly_change", "period_average"):
        # A growth rate is a ratio within one release: releases chain year by year without a level break.
        return _with_alternatives([{**r, "spliced": False} for r in overall.values()], every)
    # Levels, shares, counts: one release family (yearbook editions form one), so that a series
    # does not silently mix a census-revised base with a first-published one. Of the families
    # reaching (within a year) the latest year any release covers: most years, then latest
    # year, then newest release.
    families: dict[str, list[Record]] = {}
    for r in every:
        families.setdefault(vintage_family(str(r["vintage"])), []).append(r)
    stats = {
        name: (len({r["year"] for r in fam}), max(r["year"] for r in fam), max(r["published_date"] for r in fam))
        for name, fam in sorted(families.items())
    }
    latest = max(last for _, last, _ in stats.values())
    candidates = [name for name, (_, last, _) in stats.items() if last >= latest - 1]
    best = max(candidates, key=lambda name: stats[name])  # of equal ones the first by name
    family_pick = _per_year(families[best], reason="family" if len(stats) > 1 else None)
    chosen = []
    for year, mine in family_pick.items():
        other = overall[year]
        # Another release replaces the family's figure only when it is the plan owner's own,
        # more official (final over preliminary), or a higher floor where both are floors.
        better = (
            (_owned(other) and not _owned(mine))
            or _rank(other) > _rank(mine)
            or (other["bound"] == mine["bound"] == "lower" and float(other["value"]) > float(mine["value"]))
        )
        chosen.append({**(other if better else mine), "spliced": False})
    # Sparse series: years the family lacks come from the best other release, flagged as spliced,
    # unless the catalogue marks the indicator as not spliceable (a definitional break).
    missing = sorted(set(overall) - set(family_pick))
    if ind.splice and missing:
        chosen += [{**overall[y], "selection": "spliced", "spliced": True} for y in missing]
    return _with_alternatives(sorted(chosen, key=lambda r: int(r["year"])), every)


def select_vintage(frame: pd.DataFrame, rule: str = "consistent") -> pd.DataFrame:
    """Apply a vintage rule to the rows of ONE indicator and region; returns one row per year.

    Every returned row carries ``selection`` (why this version: ``only``, ``plan_owner``,
    ``status``, ``newer``, ``highest_floor``, ``family``, ``spliced``, ``rule``), ``spliced``
    (taken from another release family than the rest of a level series) and ``alternatives``
    (the other versions of that year whose value differs), so that a reader can see where
    sources disagree. The rules are documented in docs/vintage-rule.md.
    """
    if frame.empty or rule == "all":
        return frame.assign(selection="", spliced=False, alternatives=_no_alternatives(frame))
    return _chosen_frame(_select_rows(_records(frame), rule), frame)


# The region argument's default: the region of the default plan (None means every region).
PLAN_REGION = "plan"


def resolve_region(region: str | None) -> str | None:
    """``"plan"`` → the default plan's region; anything else as given."""
    if region != PLAN_REGION:
        return region
    from fjdata.inputs.plan import get_plan

    return get_plan().region


def observations(
    indicator_id: str | None = None,
    region: str | None = PLAN_REGION,
    vintage_rule: str = "all",
    as_of: int | None = None,
    extra_data: Sequence[str | Path] | str | Path | None = None,
) -> pd.DataFrame:
    """The tidy observations table (every version by default; ``vintage_rule`` selects).

    Parameters: ``indicator_id`` (None for all), ``region`` ('Fujian', 'China' or None for both),
    ``vintage_rule`` ('all', 'consistent', 'latest', 'first' or a vintage label), ``as_of`` (None or
    a year from 2005 on), ``extra_data`` (CSV paths to overlay). Returns one row per figure and
    version, with its source, quote, file and line.

    >>> observations("rd_intensity", vintage_rule="consistent")["year"].is_unique
    True
    """
    from fjdata.core.arguments import check_as_of

    check_as_of(as_of)
    region = resolve_region(region)
    stamp = _stamp(extra_data)
    check_vintage_rule(vintage_rule, _vintages(stamp))
    if indicator_id is not None:
        indicator(indicator_id)  # raises a clear KeyError for an unknown id
    # A copy: callers may add columns; the selection itself is remembered per content (see _selected).
    return _selected(stamp, indicator_id, region, vintage_rule, as_of).copy()


@lru_cache(maxsize=8)
def _vintages(stamp: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    return tuple(_overlaid(stamp)["vintage"].unique())


@lru_cache(maxsize=8)
def _indicator_digests(stamp: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """Per indicator, a digest of every column of its rows (shipped and user, every region and vintage)."""
    frame = _overlaid(stamp).sort_values([*KEY, "file", "line"])
    row_hashes = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    return {str(iid): hashlib.sha256(row_hashes[pos].tobytes()).hexdigest() for iid, pos in frame.groupby("indicator_id").indices.items()}


# One assessment asks for the same series a few hundred times (judgement, projection, backtest,
# fingerprints): a selection is remembered per content of the rows it is made from, so a new
# file recomputes only the indicators whose rows it changes.
_SELECTIONS: dict[tuple[object, ...], pd.DataFrame] = {}
_SELECTIONS_MAX = 4096


def _selected(
    stamp: tuple[tuple[str, str], ...], indicator_id: str | None, region: str | None, vintage_rule: str, as_of: int | None
) -> pd.DataFrame:
    content: object = stamp if indicator_id is None else _indicator_digests(stamp).get(indicator_id, "")
    key = (content, indicator_id, region, vintage_rule, as_of)
    if key not in _SELECTIONS:
        if len(_SELECTIONS) >= _SELECTIONS_MAX:
            _SELECTIONS.clear()
        _SELECTIONS[key] = _select(stamp, indicator_id, region, vintage_rule, as_of)
    return _SELECTIONS[key]


@lru_cache(maxsize=8)
def _grouped(stamp: tuple[tuple[str, str], ...]) -> dict[tuple[str, str], tuple[Record, ...]]:
    """Every row of :func:`_overlaid` as a record (``_ROW``: its position there), by indicator and region."""
    groups: dict[tuple[str, str], list[Record]] = {}
    for r in _records(_overlaid(stamp)):
        groups.setdefault((str(r["indicator_id"]), str(r["region"])), []).append(r)
    return {key: tuple(rows) for key, rows in sorted(groups.items())}


def _rows_known(rows: Iterable[Record], as_of: int | None) -> list[Record]:
    """:func:`_as_of_filter` on records."""
    if as_of is None:
        return list(rows)
    cutoff = date(as_of + 1, 12, 31)
    return [r for r in rows if r["year"] <= as_of and r["published_date"] <= cutoff]


def _select(
    stamp: tuple[tuple[str, str], ...], indicator_id: str | None, region: str | None, vintage_rule: str, as_of: int | None
) -> pd.DataFrame:
    if vintage_rule != "all":
        groups = [
            known
            for (iid, reg), rows in _grouped(stamp).items()
            if indicator_id in (None, iid) and region in (None, reg) and (known := _rows_known(rows, as_of))
        ]
        chosen = [row for rows in groups for row in _select_rows(rows, vintage_rule)]
        frame = _overlaid(stamp)
        frame = _chosen_frame(chosen, frame) if groups else frame.iloc[0:0].assign(selection="", spliced=False, alternatives=None)
    else:
        frame = _as_of_filter(_overlaid(stamp), as_of)
        if indicator_id is not None:
            frame = frame[frame["indicator_id"] == indicator_id]
        if region is not None:
            frame = frame[frame["region"] == region]
        frame = frame.assign(selection="", spliced=False, alternatives=_no_alternatives(frame))
    cols = [*COLUMNS, "published_date", "user_supplied", "origin", "file", "line", "selection", "spliced", "alternatives"]
    return frame[cols].sort_values(["indicator_id", "region", "year", "published_date"]).reset_index(drop=True)


@dataclass(frozen=True)
class SourceRef:
    """One cited figure as used in a series, with why it was chosen and what else was published."""

    year: int
    value: float
    status: str
    vintage: str
    source_title: str
    source_url: str
    quote: str
    user_supplied: bool
    bound: str = ""  # "lower" / "upper" when the source gives only a floor or a ceiling
    selection: str = ""  # why this version was used (see select_vintage)
    spliced: bool = False  # from another release family than the rest of the series
    alternatives: tuple[SourceRef, ...] = ()  # other versions of the same year with a different value
    tier: str = ""  # source quality (fjdata.inputs.source_quality.TIERS), shown as a badge beside the value
    provenance: str = ""  # the research trail (coverage page and data files only, never a leadership report)
    unverified: bool = False  # 来源待核实: only a code file, panel or anonymous copy carries it
    scope: str = ""  # the source counts another population than the indicator: the caveat, in Chinese

    @property
    def disputed(self) -> bool:
        return bool(self.alternatives)


def _source_ref(row: Mapping[Any, Any]) -> SourceRef:
    alts = tuple(_source_ref({**a, "user_supplied": False}) for a in (row.get("alternatives") or ()))
    return SourceRef(
        int(row["year"]),
        float(row["value"]),
        str(row["status"]),
        str(row["vintage"]),
        str(row["source_title"]),
        str(row["source_url"]),
        str(row["quote"]),
        bool(row.get("user_supplied", False)),
        str(row.get("bound") or ""),
        str(row.get("selection") or ""),
        bool(row.get("spliced", False)),
        alts,
        str(row.get("source_tier") or ""),
        str(row.get("provenance") or ""),
        str(row.get("source_check") or "") == "unverified",
        str(row.get("scope") or ""),
    )


def series(
    indicator_id: str,
    region: str = PLAN_REGION,
    vintage_rule: str = "consistent",
    as_of: int | None = None,
    extra_data: Sequence[str | Path] | str | Path | None = None,
) -> pd.Series:
    """The annual series the analysis uses: ``pd.Series`` on an annual ``PeriodIndex``.

    ``series.attrs`` carries ``indicator``, ``unit``, ``region``, ``vintage_rule``,
    ``vintages`` (labels used), ``sources`` (a tuple of :class:`SourceRef`, one per year) and
    ``statuses`` (year → status). Gaps stay gaps: missing years are absent, never filled.

    Parameters: ``indicator_id`` (a catalogue id), ``region``, ``vintage_rule``, ``as_of``,
    ``extra_data`` — as for :func:`observations`. Returns the series.

    >>> series("rd_intensity").attrs["unit"]
    '%'
    """
    ind = indicator(indicator_id)
    region = resolve_region(region) or PLAN_REGION
    rows = observations(indicator_id, region, vintage_rule, as_of, extra_data)
    index = year_index([int(y) for y in rows["year"]])
    out = pd.Series(rows["value"].to_numpy(dtype=float), index=index, name=indicator_id)
    out.attrs = {
        "indicator": indicator_id,
        "name_zh": ind.name_zh,
        "name_en": ind.name_en,
        "unit": ind.unit,
        "region": region,
        "vintage_rule": vintage_rule,
        "as_of": as_of,
        "vintages": tuple(sorted(set(rows["vintage"]))),
        "statuses": {int(y): str(s) for y, s in zip(rows["year"], rows["status"], strict=True)},
        "bounds": {int(y): str(b) for y, b in zip(rows["year"], rows["bound"], strict=True) if b},
        "sources": tuple(_source_ref(r) for r in rows.to_dict("records")),
    }
    return out


def series_table(
    indicator_id: str,
    region: str = PLAN_REGION,
    vintage_rule: str = "consistent",
    as_of: int | None = None,
    extra_data: Sequence[str | Path] | str | Path | None = None,
) -> pd.DataFrame:
    """:func:`series` with what each value is written in the data itself: columns ``value``,
    ``bound`` ("lower" for 超过/突破 — the value is a floor, not a point; "upper"; "" exact),
    ``status`` and ``source_check`` ("unverified" = 来源待核实), on the same annual index and with
    the same ``attrs``. This is what ``fjdata.series`` returns.

    Parameters: ``indicator_id``, ``region``, ``vintage_rule``, ``as_of``, ``extra_data`` — as for
    :func:`observations`. Returns the DataFrame.

    >>> t = series_table("manufacturing_va_share_gdp")
    >>> t.loc[t.index.year == 2020, "bound"].item()
    'lower'
    """
    s = series(indicator_id, region, vintage_rule, as_of, extra_data)
    refs = {r.year: r for r in s.attrs["sources"]}
    years = [int(p.year) for p in s.index]
    out = pd.DataFrame(
        {
            "value": s.to_numpy(),
            "bound": [refs[y].bound if y in refs else "" for y in years],
            "status": [refs[y].status if y in refs else "" for y in years],
            "source_check": ["unverified" if y in refs and refs[y].unverified else "" for y in years],
        },
        index=s.index,
    )
    out.attrs = dict(s.attrs)
    return out


def series_fingerprint(indicator_ids: Sequence[str], extra_data: Sequence[str | Path] | str | Path | None = None) -> str:
    """SHA-256 over what the series of these indicators are built from: their rows (shipped and
    user, every region and vintage), the catalogue and the settings. A cache keyed on it is
    recomputed only when one of these series changes, not when any other figure does."""
    digest = hashlib.sha256()
    for path in (config.SETTINGS_FILE, *sorted(config.INDICATORS_DIR.glob("*.yaml"))):
        digest.update(path.read_bytes())
    digests = _indicator_digests(_stamp(extra_data))
    for iid in indicator_ids:
        digest.update(f"{iid}:{digests.get(iid, '')}|".encode())
    return digest.hexdigest()


def data_fingerprint(extra_data: Sequence[str | Path] | str | Path | None = None) -> str:
    """SHA-256 over every data and registry file in use: identifies the inputs of a run."""
    digest = hashlib.sha256()
    from fjdata.inputs.plan import plans  # a plan's targets and manifest are inputs too
    from fjdata.inputs.statements import statement_files  # official statements change verdicts too

    plan_files = [f for p in plans().values() for f in p.files]
    files = [
        *plan_files,
        config.SETTINGS_FILE,
        *sorted(config.INDICATORS_DIR.glob("*.yaml")),
        *shipped_files(),
        *user_files(extra_data),
        *statement_files(),
    ]
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def coverage(region: str = PLAN_REGION, years: range | None = None, indicator_ids: Sequence[str] | None = None) -> pd.DataFrame:
    """Indicator × year table: ``●`` final, ``p`` preliminary, ``r`` revised, ``d`` derived, ``·`` missing.

    Codes describe the version the default vintage rule selects; a trailing ``+`` means other
    versions of that year exist as well.

    Parameters: ``region`` (default: the default plan's), ``years`` (the columns; default: ten
    years before the default plan's base year through its end year), ``indicator_ids`` (None for
    the whole catalogue). Returns one row per indicator, one column per year, and ``n`` (years covered).

    >>> coverage(years=range(2020, 2022), indicator_ids=["rd_intensity"]).columns.tolist()
    [2020, 2021, 'n']
    """
    if years is None:
        from fjdata.inputs.plan import get_plan

        p = get_plan()
        years = range(p.base_year - 10, p.end_year + 1)
    allrows = observations(region=region)
    chosen = observations(region=region, vintage_rule="consistent")
    codes = {"final": "●", "preliminary": "p", "revised": "r", "derived": "d"}
    ids = list(indicator_ids) if indicator_ids is not None else list(catalogue())
    table = {}
    for iid in ids:
        sel = chosen[chosen["indicator_id"] == iid].set_index("year")
        versions = allrows[allrows["indicator_id"] == iid].groupby("year").size()
        row: dict[int | str, str | int] = {}
        for y in years:
            if y in sel.index:
                code = codes[str(sel.loc[y, "status"])]
                row[y] = code + ("+" if versions.get(y, 0) > 1 else "")
            else:
                row[y] = "·" if y not in versions.index else "o"
        row["n"] = int(sum(1 for y in years if y in sel.index))
        table[iid] = row
    return pd.DataFrame.from_dict(table, orient="index")


def check_file(path: str | Path) -> list[str]:
    """Validate a user CSV; returns warnings (implausible jumps). Raises on errors.

    The file is checked alone and against the shipped series it would join (bounds, plausibility).
    """
    path = Path(path)
    frame = read_csv(path, origin="user")
    _check_against_shipped(path, frame, _shipped())
    with warnings.catch_warnings():  # returned below instead of warned
        warnings.simplefilter("ignore", ImplausibleJumpWarning)
        merged = _overlay(_shipped(), [path])
    touched = merged.groupby(["indicator_id", "region", "vintage"])["user_supplied"].transform("any").astype(bool)
    return [w for w in implausible_jumps(merged[touched]) if w.startswith(f"{path.name}:")]


def evaluate_formula(row: pd.Series | dict[str, object], frame: pd.DataFrame) -> float:
    """Recompute a derived figure from its ``inputs`` and ``formula`` (arithmetic only)."""
    names: dict[str, float] = {}
    for part in str(row["inputs"]).split(";"):
        part = part.strip()
        if not part:
            continue
        name, ref = (s.strip() for s in part.split("=", 1))
        iid, region, year, vintage = ref.split("/")
        match = frame[
            (frame["indicator_id"] == iid) & (frame["region"] == region) & (frame["year"] == int(year)) & (frame["vintage"] == vintage)
        ]
        if len(match) != 1:
            raise ValueError(f"input {ref} of {row['indicator_id']}/{row['year']} not found exactly once")
        names[name] = float(match["value"].iloc[0])
    formula = str(row["formula"])
    if not re.fullmatch(r"[\sA-Za-z_0-9.+\-*/()]+", formula):
        raise ValueError(f"formula {formula!r} is not plain arithmetic")
    return float(eval(formula, {"__builtins__": {}}, names))


def check_vintage_rule(rule: str, labels: Sequence[str] = ()) -> None:
    """One of the rules, or a vintage label present in the data.

    >>> check_vintage_rule("consistent")
    >>> check_vintage_rule("newest")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    fjdata.core.errors.ArgumentError: vintage_rule 'newest' is not valid (did you mean 'latest'?); valid choices: consistent, latest, ...
    """
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
