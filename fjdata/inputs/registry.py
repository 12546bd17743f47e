"""The plan registry: every quantitative target of the plan, validated on load."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from fjdata.core.errors import RegistryError, choice_error
from fjdata.inputs.indicators import Indicator, catalogue
from fjdata.inputs.plan import Plan, get_plan, read_plan_yaml

KINDS = (
    "level",
    "share",
    "count",
    "average_growth",
    "cumulative_reduction",
    "annual_quota",
    "period_total",
    "national_quota",
)
OPS = ("≥", "≤", "≈", "=")
DIRECTIONS = ("higher", "lower")
ATTRIBUTES = ("预期性", "约束性")
YEAR_RANGE = (2000, 2035)
_ID = re.compile(r"^[a-z0-9_]+$")
_REQUIRED = (
    "target_id",
    "chapter",
    "section",
    "name_zh",
    "name_en",
    "unit",
    "kind",
    "direction",
    "base_year",
    "target_year",
    "target_op",
    "target_text",
    "indicator_id",
    "quote",
)


@dataclass(frozen=True)
class Place:
    section: str
    column_box: str | None
    quote: str


@dataclass(frozen=True)
class Target:
    target_id: str
    chapter: str
    section: str
    column_box: str | None
    name_zh: str
    name_en: str
    unit: str
    kind: str
    direction: str
    base_year: int
    base_value: float | None
    base_quote: str | None
    target_year: int
    target_value: float | None
    target_op: str
    target_text: str
    attribute: str | None
    indicator_id: str
    quote: str
    also_in: tuple[Place, ...] = field(default_factory=tuple)
    note: str | None = None
    region: str = ""  # the region whose series the target is judged on (`region` key, default: the plan's)
    plan_id: str = ""
    group: str = ""  # the scorecard section (a key of the plan's ``groups``); "" when the plan has none
    caveat_zh: str = ""  # a scope caveat printed beside the value (e.g. provincial vs national list)
    caveat_en: str = ""

    def caveat(self, lang: str = "zh") -> str:
        return self.caveat_zh if lang == "zh" else self.caveat_en

    @property
    def higher_is_better(self) -> bool:
        return self.direction == "higher"

    def name(self, lang: str = "zh") -> str:
        return self.name_zh if lang == "zh" else self.name_en

    def quotes(self) -> list[str]:
        """Every sentence this entry claims is in the plan."""
        out = [self.quote] + [p.quote for p in self.also_in]
        if self.base_quote:
            out.append(self.base_quote)
        return out


def _year(raw: dict[str, object], key: str, file: Path, label: str) -> int:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not YEAR_RANGE[0] <= value <= YEAR_RANGE[1]:
        raise RegistryError(file, label, key, f"bad year {value!r}; expected an integer in {YEAR_RANGE[0]}–{YEAR_RANGE[1]}")
    return value


def _number(raw: dict[str, object], key: str, file: Path, label: str, required: bool) -> float | None:
    value = raw.get(key)
    if value is None:
        if required:
            raise RegistryError(file, label, key, "missing; a number is required for this kind")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RegistryError(file, label, key, f"{value!r} is not numeric")
    return float(value)


def _choice(raw: dict[str, object], key: str, allowed: tuple[str, ...], file: Path, label: str) -> str:
    value = str(raw.get(key))
    if value not in allowed:
        raise RegistryError(file, label, key, f"unknown value {value!r}; expected one of {', '.join(allowed)}")
    return value


def _parse(raw: object, file: Path, pos: int, known: dict[str, Indicator], plan: Plan) -> Target:
    if not isinstance(raw, dict):
        raise RegistryError(file, f"#{pos}", "-", "entry is not a mapping")
    label = f"#{pos} ({raw.get('target_id', '?')})"
    for key in _REQUIRED:
        if raw.get(key) in (None, ""):
            raise RegistryError(file, label, key, "missing")
    tid = str(raw["target_id"])
    if not _ID.match(tid):
        raise RegistryError(file, label, "target_id", f"{tid!r} is not an ASCII slug [a-z0-9_]")
    chapter = _choice({"chapter": str(raw["chapter"])}, "chapter", plan.chapter_keys, file, label)
    kind = _choice(raw, "kind", KINDS, file, label)
    base_year = _year(raw, "base_year", file, label)
    target_year = _year(raw, "target_year", file, label)
    if target_year <= base_year:
        raise RegistryError(file, label, "target_year", f"{target_year} is not after base_year {base_year}")
    base_value = _number(raw, "base_value", file, label, required=False)
    if base_value is not None and not raw.get("base_quote"):
        raise RegistryError(file, label, "base_quote", "missing; a base_value must cite the plan sentence")
    attribute = raw.get("attribute")
    if attribute is not None:
        attribute = _choice(raw, "attribute", ATTRIBUTES, file, label)
    iid = str(raw["indicator_id"])
    if iid not in known:
        raise RegistryError(file, label, "indicator_id", f"unknown indicator {iid!r} (not in the catalogue)")
    chain = known[iid].chain
    if kind == "average_growth" and chain != "growth_to_index":
        raise RegistryError(
            file, label, "kind", f"average_growth needs a growth-rate indicator (chain growth_to_index); {iid} has chain {chain}"
        )
    if kind in ("level", "share", "count", "period_total", "annual_quota") and chain != "none":
        raise RegistryError(
            file, label, "kind", f"{kind} is judged on levels, but {iid} is chained ({chain}); use average_growth or cumulative_reduction"
        )
    group = str(raw.get("group") or "")
    group_keys = tuple(g.key for g in plan.groups)
    if group_keys and group not in group_keys:
        raise RegistryError(file, label, "group", f"{group!r} is not one of the plan's groups: {', '.join(group_keys)}")
    if not group_keys and group:
        raise RegistryError(file, label, "group", f"{group!r} given, but plan.yaml declares no groups")
    places = []
    for i, place in enumerate(raw.get("also_in") or [], start=1):
        if not isinstance(place, dict) or not place.get("quote") or not place.get("section"):
            raise RegistryError(file, label, f"also_in[{i}]", "needs 'section' and 'quote'")
        places.append(Place(str(place["section"]), place.get("column_box"), str(place["quote"])))
    return Target(
        target_id=tid,
        chapter=chapter,
        section=str(raw["section"]),
        column_box=raw.get("column_box"),
        name_zh=str(raw["name_zh"]),
        name_en=str(raw["name_en"]),
        unit=str(raw["unit"]),
        kind=kind,
        direction=_choice(raw, "direction", DIRECTIONS, file, label),
        base_year=base_year,
        base_value=base_value,
        base_quote=raw.get("base_quote"),
        target_year=target_year,
        target_value=_number(raw, "target_value", file, label, required=kind != "national_quota"),
        target_op=_choice(raw, "target_op", OPS, file, label),
        target_text=str(raw["target_text"]),
        attribute=attribute,
        indicator_id=iid,
        quote=str(raw["quote"]),
        also_in=tuple(places),
        note=raw.get("note"),
        region=str(raw.get("region") or plan.region),
        plan_id=plan.plan_id,
        group=group,
        caveat_zh=str(raw.get("caveat_zh") or ""),
        caveat_en=str(raw.get("caveat_en") or ""),
    )


def load_targets(path: Path | None = None, known: dict[str, Indicator] | None = None, plan: str | Plan | None = None) -> list[Target]:
    """Parse and validate a plan's targets file (default: the plan's own); raises
    :class:`RegistryError` naming file, entry and field."""
    the_plan = get_plan(plan)
    path = path or the_plan.targets_file
    known = known if known is not None else catalogue()
    entries = read_plan_yaml(path) or []  # a planner's own plan folder is an untrusted file
    if not isinstance(entries, list):
        raise RegistryError(path, "-", "-", "top level must be a list of targets")
    out: list[Target] = []
    seen: dict[str, int] = {}
    for pos, raw in enumerate(entries, start=1):
        target = _parse(raw, path, pos, known, the_plan)
        if target.target_id in seen:
            raise RegistryError(
                path, f"#{pos} ({target.target_id})", "target_id", f"duplicate id (first at entry #{seen[target.target_id]})"
            )
        seen[target.target_id] = pos
        out.append(target)
    return out


def registry(plan: str | Plan | None = None) -> tuple[Target, ...]:
    """A plan's targets (default: the default plan), loaded once per process and plan."""
    return _registry(get_plan(plan))


@lru_cache(maxsize=8)
def _registry(plan: Plan) -> tuple[Target, ...]:
    return tuple(load_targets(plan=plan))


def chapters(plan: str | Plan | None = None) -> list[str]:
    """The plan's chapters (its ``plan.yaml``), in plan order; some have no targets.

    >>> chapters()
    ['1', '2', '3', '4', '5', 'annex']
    """
    return list(get_plan(plan).chapter_keys)


def target(target_id: str, plan: str | Plan | None = None) -> Target:
    """One target by id; an unknown id raises ``KeyError`` with a did-you-mean.

    Parameters: ``target_id`` — an id from :func:`targets`; ``plan`` — a plan id (default: the
    default plan). Returns the frozen :class:`Target`.

    >>> target("c2_mfg_share_gdp").chapter
    '2'
    """
    for t in registry(plan):
        if t.target_id == target_id:
            return t
    from fjdata.core.errors import did_you_mean

    ids = [t.target_id for t in registry(plan)]
    raise KeyError(
        f"unknown target {target_id!r}{did_you_mean(target_id, ids)} (not in {get_plan(plan).targets_file}; fjdata.targets() "
        f"lists all {len(ids)})"
    )


def targets(chapter: int | str | None = None, plan: str | Plan | None = None) -> pd.DataFrame:
    """The registry as a DataFrame, one row per target.

    Parameters: ``chapter`` — ``None`` for every target, or one of the plan's :func:`chapters`;
    anything else raises :class:`fjdata.core.errors.ArgumentError` listing them. ``plan`` — a plan id
    (default: the default plan).
    Returns one row per target (id, chapter, names, kind, target value, year, unit, quotes …).

    >>> len(targets(chapter=2)) > 0
    True
    """

    check_chapter(chapter, plan=plan)
    rows = []
    for t in registry(plan):
        if chapter is not None and t.chapter != str(chapter):
            continue
        row = asdict(t)
        row["also_in"] = "; ".join(f"{p.column_box or p.section}" for p in t.also_in)
        rows.append(row)
    columns = [f.name for f in Target.__dataclass_fields__.values()]
    return pd.DataFrame(rows, columns=columns)


def check_chapter(chapter: int | str | None, allow_all: bool = False, plan: object = None) -> None:
    """``None`` or a chapter of the plan registry (``"all"`` too where ``allow_all``).

    >>> check_chapter(2)
    >>> check_chapter(6)
    Traceback (most recent call last):
    ...
    fjdata.core.errors.ArgumentError: chapter 6 is not valid; valid choices: 1, 2, 3, 4, 5, annex
    """
    if chapter is None:
        return
    valid = [*chapters(plan), *(["all"] if allow_all else [])]  # type: ignore[arg-type]
    if str(chapter) not in valid:
        raise choice_error("chapter", chapter, valid)
