"""Who publishes or holds each indicator of a plan (责任单位), and its definition in Chinese (口径),
from the plan folder's ``departments.yaml``: the department questionnaire lists them on every row
and can be split into one file per department. A plan without the file has no assignments."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fjdata.core import config
from fjdata.inputs.plan import Plan, get_plan

FILE = "departments.yaml"


@dataclass(frozen=True)
class Department:
    key: str
    name_zh: str
    name_en: str
    basis: str  # why this department: the publication series the figures appear in (待核实 where unconfirmed)

    def name(self, lang: str = "zh") -> str:
        return self.name_zh if lang == "zh" else self.name_en


@dataclass(frozen=True)
class Responsibility:
    indicator_id: str
    department: Department
    definition_zh: str


@lru_cache(maxsize=8)
def _load(path: Path) -> tuple[tuple[Department, ...], dict[str, Responsibility]]:
    if not path.is_file():
        return (), {}
    raw = config.parse_yaml(path.read_text(encoding="utf-8")) or {}
    depts = {k: Department(k, str(v["zh"]), str(v["en"]), str(v.get("basis", ""))) for k, v in dict(raw.get("departments") or {}).items()}
    out = {}
    for ind, spec in dict(raw.get("indicators") or {}).items():
        key = str(spec["department"])
        if key not in depts:
            raise ValueError(f"{path}: indicator {ind!r} names department {key!r}, not one of {', '.join(depts)}")
        out[str(ind)] = Responsibility(str(ind), depts[key], str(spec.get("definition_zh", "")))
    return tuple(depts.values()), out


def responsibilities(plan: str | Plan | None = None) -> dict[str, Responsibility]:
    """indicator id → its department and Chinese definition, for a plan (default: the default plan)."""
    return _load(get_plan(plan).folder / FILE)[1]


def departments(plan: str | Plan | None = None) -> tuple[Department, ...]:
    """The plan's departments, in the file's order."""
    return _load(get_plan(plan).folder / FILE)[0]
