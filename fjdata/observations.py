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
import math
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import pandas as pd

from fjdata import config
from fjdata.errors import DataValidationError, ImplausibleJumpWarning
from fjdata.indicators import Indicator, catalogue, indicator
from fjdata.source_quality import TIERS, derive_tier
from fjdata.transforms import year_index

COLUMNS = (
    "indicator_id", "region", "year", "value", "unit", "status", "vintage", "published",
    "source_title", "source_url", "quote", "note", "inputs", "formula", "bound", "source_tier",
)
OPTIONAL_COLUMNS = ("note", "inputs", "formula", "bound", "source_tier")  # source_tier: derived by rule when empty
BOUNDS = ("", "lower", "upper")  # "lower": the source states a floor (超过/突破/>), not a point value
STATUSES = ("final", "preliminary", "revised", "derived")
REGIONS = ("Fujian", "China")
YEAR_RANGE = (1990, 2030)
KEY = ("indicator_id", "region", "year", "vintage")
VINTAGE_RULES = ("consistent", "latest", "first", "all")
_PUBLISHED = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")
_CITATION = re.compile(r"(统计年鉴|Yearbook|表\s*\d|table\s*\d|公报|Bulletin|bulletin)", re.IGNORECASE)


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


def _validate_rows(path: Path, rows: list[dict[str, str]], known: dict[str, Indicator]) -> list[tuple[int, str, str]]:
    problems: list[tuple[int, str, str]] = []
    seen: dict[tuple[str, ...], int] = {}
    for line, row in enumerate(rows, start=2):  # line 1 is the header
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
        try:
            value = float(raw_value)
            if not math.isfinite(value):
                raise ValueError
        except ValueError:
            problems.append((line, "value", f"{raw_value!r} is not a number"))
        unit = row.get("unit", "").strip()
        if ind is not None and unit != ind.unit:
            problems.append((line, "unit", f"{unit!r} does not match the catalogue unit {ind.unit!r} of {iid}"))
        if row.get("status", "").strip() not in STATUSES:
            problems.append((line, "status", f"{row.get('status')!r} is not one of {STATUSES}"))
        if not row.get("vintage", "").strip():
            problems.append((line, "vintage", "missing"))
        try:
            published_date(row.get("published", ""))
        except ValueError as exc:
            problems.append((line, "published", str(exc)))
        title = row.get("source_title", "").strip()
        if not title:
            problems.append((line, "source_title", "missing source"))
        if not row.get("source_url", "").strip() and not _CITATION.search(title):
            problems.append((line, "source_url", "missing: give a URL or a precise citation (yearbook and table) in source_title"))
        if not row.get("quote", "").strip():
            problems.append((line, "quote", "missing: the phrase in the source that contains the number"))
        if row.get("bound", "").strip() not in BOUNDS:
            problems.append((line, "bound", f"{row.get('bound')!r} is not empty, 'lower' or 'upper'"))
        if row.get("source_tier", "").strip() not in ("", *TIERS):
            problems.append((line, "source_tier", f"{row.get('source_tier')!r} is not empty or one of {TIERS}"))
        if row.get("status", "").strip() == "derived" and not row.get("formula", "").strip():
            problems.append((line, "formula", "a derived figure must give its formula (and inputs)"))
        key = tuple(row.get(k, "").strip() for k in KEY)
        if all(key):
            if key in seen:
                problems.append((line, "vintage", f"duplicate key {'/'.join(key)} (also line {seen[key]}); use a distinct vintage label for a different release"))
            else:
                seen[key] = line
    return problems


def read_csv(path: Path, known: dict[str, Indicator] | None = None, origin: str = "shipped") -> pd.DataFrame:
    """Read and validate one observations CSV. Raises :class:`DataValidationError` listing every problem."""
    known = known if known is not None else catalogue()
    path = Path(path)
    if not path.is_file():
        raise DataValidationError(path, [(0, "-", "file not found")])
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header = tuple(reader.fieldnames or ())
        missing = [c for c in COLUMNS if c not in header and c not in OPTIONAL_COLUMNS]
        if missing:
            raise DataValidationError(path, [(1, c, "missing column (schema: docs/data-schema.md)") for c in missing])
        unknown = [c for c in header if c not in COLUMNS]
        if unknown:
            raise DataValidationError(path, [(1, c, "unknown column (schema: docs/data-schema.md)") for c in unknown])
        rows = [{k: (v or "") for k, v in r.items() if k is not None} for r in reader]
    problems = _validate_rows(path, rows, known)
    if problems:
        raise DataValidationError(path, problems)
    frame = pd.DataFrame([{c: r.get(c, "") for c in COLUMNS} for r in rows], columns=list(COLUMNS))  # absent optional columns are empty
    frame["year"] = frame["year"].astype(int)
    frame["value"] = frame["value"].astype(float)
    frame["published_date"] = [published_date(p) for p in frame["published"]]
    frame["source_tier"] = [t or derive_tier(u, ti, st, n).tier for t, u, ti, st, n in zip(frame["source_tier"], frame["source_url"], frame["source_title"], frame["status"], frame["note"], strict=True)]
    frame["origin"] = origin
    frame["file"] = path.name
    frame["line"] = range(2, len(frame) + 2)
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
    """User overlay files: the user data folder, ``FJDATA_EXTRA_DATA`` and an explicit ``extra``."""
    files = sorted(config.user_data_dir().glob("*.csv")) if config.user_data_dir().is_dir() else []
    files += config.extra_data_files()
    if extra:
        items = [extra] if isinstance(extra, str | Path) else list(extra)
        files += [Path(p).resolve() for p in items]
    return files


@lru_cache(maxsize=1)
def _shipped() -> pd.DataFrame:
    frames = [read_csv(p) for p in shipped_files()]
    shipped = pd.concat(frames, ignore_index=True)
    dup = shipped[shipped.duplicated(list(KEY), keep=False)]
    if not dup.empty:
        first = dup.iloc[0]
        problems = [(int(r["line"]), "vintage", f"duplicate key {'/'.join(str(r[k]) for k in KEY)} across shipped files") for _, r in dup.iterrows()]
        raise DataValidationError(str(first["file"]), problems)
    return shipped


def _overlay(base: pd.DataFrame, files: Iterable[Path]) -> pd.DataFrame:
    """User rows replace shipped rows with the same key and add new ones; all rows stay traceable."""
    out = base.assign(user_supplied=False)
    for path in files:
        user = read_csv(path, origin="user").assign(user_supplied=True)
        for warning in implausible_jumps(user):
            warnings.warn(f"implausible jump in user data: {warning}", ImplausibleJumpWarning, stacklevel=3)
        keys = pd.MultiIndex.from_frame(user[list(KEY)])
        kept = out[~pd.MultiIndex.from_frame(out[list(KEY)]).isin(keys)]
        out = pd.concat([kept, user], ignore_index=True)
    return out


def all_observations(extra_data: Sequence[str | Path] | str | Path | None = None) -> pd.DataFrame:
    """Every version of every figure: shipped data plus the user overlay."""
    files = user_files(extra_data)
    stamp = tuple((str(p), p.stat().st_mtime_ns if p.is_file() else -1) for p in files)
    return _overlaid(stamp)


@lru_cache(maxsize=8)
def _overlaid(stamp: tuple[tuple[str, int], ...]) -> pd.DataFrame:
    # Keyed on the user files and their modification times: an edited file is read again.
    return _overlay(_shipped(), [Path(p) for p, _ in stamp])


def _as_of_filter(frame: pd.DataFrame, as_of: int | None) -> pd.DataFrame:
    if as_of is None:
        return frame
    # A figure for year Y is known by the end of Y+1 at the latest (communiqués appear Feb–Mar).
    cutoff = date(as_of + 1, 12, 31)
    return frame[(frame["year"] <= as_of) & (frame["published_date"] <= cutoff)]


EDITION_FAMILIES = ("yearbook",)  # labels like yearbook_2022: successive editions of one publication


def vintage_family(label: str) -> str:
    """The release family of a vintage label: ``yearbook_2020`` and ``yearbook_2022`` are editions of
    ``yearbook``; every other label is a family of its own (press releases are never merged)."""
    head = label.split("_", 1)[0]
    return head if head in EDITION_FAMILIES else label


def select_vintage(frame: pd.DataFrame, rule: str = "consistent") -> pd.DataFrame:
    """Apply a vintage rule to the rows of ONE indicator and region; returns one row per year."""
    if frame.empty or rule == "all":
        return frame
    frame = frame.sort_values(["year", "published_date", "vintage"])
    if rule == "latest":
        return frame.groupby("year", sort=True).tail(1)
    if rule == "first":
        return frame.groupby("year", sort=True).head(1)
    if rule == "consistent":
        kind = indicator(str(frame["indicator_id"].iloc[0])).series_kind
        if kind in ("rate", "yearly_change"):
            return frame.groupby("year", sort=True).tail(1)
        # Editions of one family (yearbook_2020, yearbook_2022) form one vintage: newest edition per year.
        frame = frame.assign(family=frame["vintage"].map(vintage_family)).groupby(["family", "year"], sort=True).tail(1)
        stats = frame.groupby("family").agg(n=("year", "nunique"), last=("year", "max"), pub=("published_date", "max"))
        # Families that reach (within a year) the latest year any release covers; of those,
        # the one with the most years, then the latest year, then the newest release.
        candidates = stats[stats["last"] >= stats["last"].max() - 1]
        best = candidates.sort_values(["n", "last", "pub"], ascending=False).index[0]
        return frame[frame["family"] == best].drop(columns="family")
    chosen = frame[frame["vintage"] == rule]
    return chosen.groupby("year", sort=True).tail(1)


def observations(
    indicator_id: str | None = None,
    region: str | None = "Fujian",
    vintage_rule: str = "all",
    as_of: int | None = None,
    extra_data: Sequence[str | Path] | str | Path | None = None,
) -> pd.DataFrame:
    """The tidy observations table (every version by default; ``vintage_rule`` selects)."""
    frame = _as_of_filter(all_observations(extra_data), as_of)
    if indicator_id is not None:
        indicator(indicator_id)  # raises a clear KeyError for an unknown id
        frame = frame[frame["indicator_id"] == indicator_id]
    if region is not None:
        frame = frame[frame["region"] == region]
    if vintage_rule != "all":
        parts = [select_vintage(g, vintage_rule) for _, g in frame.groupby(["indicator_id", "region"])]
        frame = pd.concat(parts) if parts else frame.iloc[0:0]
    cols = [*COLUMNS, "published_date", "user_supplied", "origin", "file", "line"]
    return frame[cols].sort_values(["indicator_id", "region", "year", "published_date"]).reset_index(drop=True)


@dataclass(frozen=True)
class SourceRef:
    year: int
    value: float
    status: str
    vintage: str
    source_title: str
    source_url: str
    quote: str
    user_supplied: bool
    bound: str = ""  # "lower" / "upper" when the source gives only a floor or a ceiling


def series(
    indicator_id: str,
    region: str = "Fujian",
    vintage_rule: str = "consistent",
    as_of: int | None = None,
    extra_data: Sequence[str | Path] | str | Path | None = None,
) -> pd.Series:
    """The annual series the analysis uses: ``pd.Series`` on an annual ``PeriodIndex``.

    ``series.attrs`` carries ``indicator``, ``unit``, ``region``, ``vintage_rule``,
    ``vintages`` (labels used), ``sources`` (a tuple of :class:`SourceRef`, one per year) and
    ``statuses`` (year → status). Gaps stay gaps: missing years are absent, never filled.
    """
    ind = indicator(indicator_id)
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
        "sources": tuple(
            SourceRef(int(y), float(v), str(st), str(vi), str(ti), str(u), str(q), bool(us), str(b))
            for y, v, st, vi, ti, u, q, us, b in zip(
                rows["year"], rows["value"], rows["status"], rows["vintage"], rows["source_title"], rows["source_url"],
                rows["quote"], rows["user_supplied"], rows["bound"], strict=True,
            )
        ),
    }
    return out


def data_fingerprint(extra_data: Sequence[str | Path] | str | Path | None = None) -> str:
    """SHA-256 over every data and registry file in use: identifies the inputs of a run."""
    digest = hashlib.sha256()
    from fjdata.statements import statement_files  # official statements change verdicts too

    files = [config.TARGETS_FILE, config.SETTINGS_FILE, *sorted(config.INDICATORS_DIR.glob("*.yaml")), *shipped_files(), *user_files(extra_data), *statement_files()]
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def coverage(region: str = "Fujian", years: range = range(2010, 2026), indicator_ids: Sequence[str] | None = None) -> pd.DataFrame:
    """Indicator × year table: ``●`` final, ``p`` preliminary, ``r`` revised, ``d`` derived, ``·`` missing.

    Codes describe the version the default vintage rule selects; a trailing ``+`` means other
    versions of that year exist as well.
    """
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
    """Validate a user CSV; returns warnings (implausible jumps). Raises on errors."""
    frame = read_csv(Path(path), origin="user")
    return implausible_jumps(frame)


def evaluate_formula(row: pd.Series | dict[str, object], frame: pd.DataFrame) -> float:
    """Recompute a derived figure from its ``inputs`` and ``formula`` (arithmetic only)."""
    names: dict[str, float] = {}
    for part in str(row["inputs"]).split(";"):
        part = part.strip()
        if not part:
            continue
        name, ref = (s.strip() for s in part.split("=", 1))
        iid, region, year, vintage = ref.split("/")
        match = frame[(frame["indicator_id"] == iid) & (frame["region"] == region) & (frame["year"] == int(year)) & (frame["vintage"] == vintage)]
        if len(match) != 1:
            raise ValueError(f"input {ref} of {row['indicator_id']}/{row['year']} not found exactly once")
        names[name] = float(match["value"].iloc[0])
    formula = str(row["formula"])
    if not re.fullmatch(r"[\sA-Za-z_0-9.+\-*/()]+", formula):
        raise ValueError(f"formula {formula!r} is not plain arithmetic")
    return float(eval(formula, {"__builtins__": {}}, names))
