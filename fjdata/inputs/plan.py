"""A plan is data: a folder with a manifest (``plan.yaml``) and a targets file.

The folder holds everything plan-specific — id, titles, region, period, base and mid-term year,
chapters with their titles and context indicators, the citation and checksum of the plan text —
so that a new plan needs its own folder (and a parameter file per report), never a code change::

    fjdata/plans/fujian-14th-manufacturing/
      plan.yaml        # the manifest (below)
      targets.yaml     # the targets (schema: docs/data-schema.md §3)

Shipped plans live in the package (``fjdata/plans/``, immutable like the shipped data); a
planner's own plans in the project's ``plans/`` folder or any folder listed in ``FJDATA_PLANS``.
The default plan is the setting ``default_plan`` (``config/assessment.yaml``), overridden by the
environment variable ``FJDATA_PLAN``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from fjdata.core import config
from fjdata.core.errors import RegistryError, choice_error
from fjdata.core.untrusted import PLAN_LIMITS, PlanLoader, UntrustedFileError, load_yaml, yaml_problem

STATUSES = ("complete", "partial", "draft")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_REQUIRED = ("id", "title_zh", "title_en", "region", "period", "base_year", "mid_term_year", "status", "targets", "chapters")


@dataclass(frozen=True)
class Chapter:
    key: str
    title_zh: str
    title_en: str
    context: tuple[str, ...] = ()

    def title(self, lang: str = "zh") -> str:
        return self.title_zh if lang == "zh" else self.title_en


@dataclass(frozen=True)
class Group:
    """A section of the final-evaluation scorecard (e.g. the main indicators); ``headline``: the
    group whose verdicts are counted in the big-number tiles."""

    key: str
    title_zh: str
    title_en: str
    headline: bool = False

    def title(self, lang: str = "zh") -> str:
        return self.title_zh if lang == "zh" else self.title_en


@dataclass(frozen=True)
class Plan:
    """One plan's manifest. ``missing`` lists what a ``partial`` plan's public text leaves out."""

    plan_id: str
    title_zh: str
    title_en: str
    region: str
    start_year: int
    end_year: int
    base_year: int
    mid_term_year: int
    status: str
    folder: Path
    targets_file: Path
    chapters: tuple[Chapter, ...]
    text_citation: str = ""
    text_file: str = ""
    text_sha256: str = ""
    missing: tuple[str, ...] = field(default_factory=tuple)
    groups: tuple[Group, ...] = ()  # scorecard sections, in order (``groups`` in plan.yaml; targets name theirs)

    def title(self, lang: str = "zh") -> str:
        return self.title_zh if lang == "zh" else self.title_en

    def chapter(self, key: str) -> Chapter:
        for c in self.chapters:
            if c.key == str(key):
                return c
        raise KeyError(f"plan {self.plan_id!r} has no chapter {key!r}; its chapters are {', '.join(c.key for c in self.chapters)}")

    @property
    def chapter_keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.chapters)

    @property
    def files(self) -> tuple[Path, ...]:
        """The files that define the plan (part of every data fingerprint)."""
        return (self.folder / "plan.yaml", self.targets_file)

    def text_path(self) -> Path | None:
        """The plan's full text, where it is available (``FJDATA_PLAN_TEXT`` or ``shared/plan/``)."""
        env = os.environ.get("FJDATA_PLAN_TEXT")
        if env:
            return Path(env).resolve()
        if not self.text_file:
            return None
        return config.project_root().parent / "shared" / "plan" / self.text_file


def plan_dirs() -> list[Path]:
    """Folders holding plan folders: the shipped ones, the project's ``plans/``, ``FJDATA_PLANS``."""
    extra = [Path(p).resolve() for p in os.environ.get("FJDATA_PLANS", "").split(os.pathsep) if p.strip()]
    return [config.PACKAGE_DIR / "plans", config.project_root() / "plans", *extra]


def _int(raw: dict[str, object], key: str, file: Path) -> int:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not 1949 <= value <= 2100:
        raise RegistryError(file, "plan", key, f"{value!r} is not a year between 1949 and 2100")
    return value


def read_plan_yaml(file: Path) -> object:
    """A plan folder's YAML: the shipped plans' with the fast loader; a planner's own (any other
    folder) as an untrusted file (size limit, no aliases or anchors). Errors name the file."""
    if file.resolve().is_relative_to(config.PACKAGE_DIR / "plans"):
        try:
            return config.parse_yaml(file.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise RegistryError(file, "-", "-", f"not valid YAML: {yaml_problem(exc)}") from exc
    try:
        return load_yaml(file, PLAN_LIMITS, PlanLoader)
    except UntrustedFileError as exc:
        raise RegistryError(file, "-", "-", f"{exc.where + ': ' if exc.where else ''}{exc.problem}") from exc


def _str(raw: dict[object, object], key: str, file: Path, entry: str = "plan") -> str:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RegistryError(file, entry, key, f"must be text, not {type(value).__name__}")
    return str(value)


def _mapping(raw: dict[object, object], key: str, file: Path) -> dict[object, object]:
    value = raw.get(key) or {}
    if not isinstance(value, dict):
        raise RegistryError(file, "plan", key, f"must be a mapping, not {type(value).__name__}")
    return value


def _list(raw: dict[object, object], key: str, file: Path, entry: str = "plan") -> list[object]:
    value = raw.get(key) or []
    if not isinstance(value, list):
        raise RegistryError(file, entry, key, f"must be a list, not {type(value).__name__}")
    return value


def load_plan(folder: str | Path) -> Plan:
    """Read and check one plan folder; errors name the file and the key."""
    folder = Path(folder)
    file = folder / "plan.yaml"
    if not file.is_file():
        raise RegistryError(file, "plan", "-", "no plan.yaml in this folder")
    raw = read_plan_yaml(file)
    if not isinstance(raw, dict):
        raise RegistryError(file, "plan", "-", "top level must be a mapping")
    for key in _REQUIRED:
        if raw.get(key) in (None, ""):
            raise RegistryError(file, "plan", key, "missing")
    for key in ("id", "title_zh", "title_en", "region", "status", "targets"):
        _str(raw, key, file)
    plan_id = str(raw["id"])
    if not _ID.match(plan_id):
        raise RegistryError(file, "plan", "id", f"{plan_id!r} is not a slug [a-z0-9-]")
    period = raw["period"]
    if not isinstance(period, dict):
        raise RegistryError(file, "plan", "period", "must be {start: YEAR, end: YEAR}")
    start, end = _int(period, "start", file), _int(period, "end", file)
    base, mid = _int(raw, "base_year", file), _int(raw, "mid_term_year", file)
    if not base < start <= mid <= end:
        raise RegistryError(file, "plan", "period", f"need base_year < start ≤ mid_term_year ≤ end; got {base}, {start}, {mid}, {end}")
    status = str(raw["status"])
    if status not in STATUSES:
        raise RegistryError(file, "plan", "status", f"{status!r} is not one of {', '.join(STATUSES)}")
    chapters_raw = raw["chapters"]
    if not isinstance(chapters_raw, dict) or not chapters_raw:
        raise RegistryError(file, "plan", "chapters", "must map chapter keys to {title_zh, title_en, context}")
    chapters = []
    for key, c in chapters_raw.items():
        if not isinstance(c, dict) or not c.get("title_zh") or not c.get("title_en"):
            raise RegistryError(file, f"chapter {key}", "title_zh", "each chapter needs title_zh and title_en")
        title_zh, title_en = _str(c, "title_zh", file, f"chapter {key}"), _str(c, "title_en", file, f"chapter {key}")
        chapters.append(Chapter(str(key), title_zh, title_en, tuple(str(i) for i in _list(c, "context", file, f"chapter {key}"))))
    text = _mapping(raw, "text", file)
    targets_file = folder / str(raw["targets"])
    if not targets_file.is_file():
        raise RegistryError(file, "plan", "targets", f"{targets_file.name} not found in {folder}")
    groups = []
    for gkey, g in _mapping(raw, "groups", file).items():
        if not isinstance(g, dict) or not g.get("title_zh") or not g.get("title_en"):
            raise RegistryError(file, f"group {gkey}", "title_zh", "each group needs title_zh and title_en (and optionally headline: true)")
        groups.append(Group(str(gkey), str(g["title_zh"]), str(g["title_en"]), bool(g.get("headline", False))))
    missing = _list(raw, "missing", file)
    if status == "partial" and not missing:
        raise RegistryError(file, "plan", "missing", "a partial plan lists what its public text leaves out")
    return Plan(
        plan_id=plan_id,
        title_zh=str(raw["title_zh"]),
        title_en=str(raw["title_en"]),
        region=str(raw["region"]),
        start_year=start,
        end_year=end,
        base_year=base,
        mid_term_year=mid,
        status=status,
        folder=folder,
        targets_file=targets_file,
        chapters=tuple(chapters),
        text_citation=str(text.get("citation", "")),
        text_file=str(text.get("file", "")),
        text_sha256=str(text.get("sha256", "")),
        missing=tuple(str(m) for m in missing),
        groups=tuple(groups),
    )


@dataclass(frozen=True)
class PlanScan:
    """The plans found, and one line per plan folder that was skipped (broken, or an id taken)."""

    plans: dict[str, Plan]
    problems: tuple[str, ...]


@lru_cache(maxsize=8)
def _scan(dirs: tuple[Path, ...]) -> PlanScan:
    """Every plan folder in ``dirs``; a broken one fails alone (C82, C84, C85, C87): it is skipped and
    reported with its path, and the other plans, the default plan's included, keep working."""
    found: dict[str, Plan] = {}
    problems: list[str] = []
    for d in dirs:
        for manifest in sorted(d.glob("*/plan.yaml")):
            try:
                p = load_plan(manifest.parent)
            except (RegistryError, OSError, ValueError, RecursionError) as exc:
                problems.append(f"plan folder {manifest.parent} skipped: {exc}")
                continue
            if p.plan_id in found:
                problems.append(
                    f"plan folder {manifest.parent} skipped: its id {p.plan_id!r} is already the id of {found[p.plan_id].folder}; "
                    "give one of the two folders another id"
                )
                continue
            found[p.plan_id] = p
    return PlanScan(found, tuple(problems))


def plans() -> dict[str, Plan]:
    """Every plan found, by id (broken plan folders are left out: see :func:`plan_problems`)."""
    return _scan(tuple(plan_dirs())).plans


def plan_problems() -> tuple[str, ...]:
    """One line per plan folder that was skipped, naming its path and why."""
    return _scan(tuple(plan_dirs())).problems


def default_plan_id() -> str:
    """``FJDATA_PLAN``, else the ``default_plan`` setting."""
    return os.environ.get("FJDATA_PLAN") or str(config.settings()["default_plan"])


def get_plan(plan: str | Plan | None = None) -> Plan:
    """A plan by id (``None``: the default plan); an unknown id lists the plans there are."""
    if isinstance(plan, Plan):
        return plan
    plan_id = plan or default_plan_id()
    found = plans()
    if plan_id not in found:
        from fjdata.core.errors import did_you_mean

        skipped = "".join(f"\n  {p}" for p in plan_problems())
        raise KeyError(
            f"unknown plan {plan_id!r}{did_you_mean(plan_id, list(found))}; plans: {', '.join(found) or 'none'} (in "
            f"{', '.join(map(str, plan_dirs()))}){skipped}"
        )
    return found[plan_id]


def check_plan(plan: object) -> None:
    """``None`` (the default plan), a :class:`fjdata.inputs.plan.Plan`, or the id of a plan found.

    >>> check_plan("fujian-14th-manufactoring")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    fjdata.core.errors.ArgumentError: plan 'fujian-14th-manufactoring' is not valid (did you mean 'fujian-14th-manufacturing'?); ...
    """
    if plan is None or isinstance(plan, Plan):
        return
    valid = list(plans())
    if plan not in valid:
        raise choice_error("plan", plan, valid)
