"""Papermill parameter files: loaded and checked before any kernel starts.

A report's parameter file (``params/<name>.yaml``)::

    notebook: chapter_report.ipynb   # in notebooks/
    name: chapter_2_zh               # output file stem (ASCII)
    title: 第二章 …                  # optional, for index.html
    parameters:                      # only names the notebook's `parameters` cell declares
      chapter: "2"
      lang: zh

``params/nightly.yaml`` lists the batch: ``reports`` (parameter files), ``workers``
(0 = number of cores), ``timeout`` (seconds per report), ``retries`` (kernel failures only).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import nbformat
import yaml

from fjdata import (
    _imports,  # noqa: F401  (first: keeps nbformat's import cheap)
    config,
)
from fjdata.errors import ParamsError
from fjdata.indicators import catalogue
from fjdata.models import METHODS

_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
CHAPTERS = ("1", "2", "3", "4", "5", "annex", "all")


def _chapter(v: Any) -> str | None:
    s = str(v)
    return None if s in CHAPTERS else f"{v!r} is not one of {', '.join(CHAPTERS)}"


def _lang(v: Any) -> str | None:
    return None if v in ("zh", "en") else f"{v!r} is not 'zh' or 'en'"


def _year_or_none(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int) or not 2005 <= v <= 2030:
        return f"{v!r} is not a year in 2005–2030 (or null)"
    return None


def _methods(v: Any) -> str | None:
    if v == "auto":
        return None
    if isinstance(v, list) and v and all(m in METHODS for m in v):
        return None
    return f"{v!r} is not 'auto' or a non-empty list of {', '.join(METHODS)}"


def _confidence(v: Any) -> str | None:
    return None if v in (0.8, 0.95) else f"{v!r} is not 0.8 or 0.95"


def _tolerance(v: Any) -> str | None:
    if v is None:
        return None  # the documented default (config/assessment.yaml)
    if isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v <= 0.5:
        return f"{v!r} is not a number in 0–0.5 (or null for the default)"
    return None


def _path_or_none(v: Any) -> str | None:
    if v is None:
        return None
    if not isinstance(v, str) or not v:
        return f"{v!r} is not a path"
    return None if Path(v).is_file() else f"file {v!r} does not exist"


def _dir_or_none(v: Any) -> str | None:
    return None if v is None or (isinstance(v, str) and v) else f"{v!r} is not a folder path"


def _indicator(v: Any) -> str | None:
    return None if v in catalogue() else f"{v!r} is not an indicator id in the catalogue"


CHECKS: dict[str, Callable[[Any], str | None]] = {
    "chapter": _chapter,
    "lang": _lang,
    "as_of": _year_or_none,
    "mid_year": _year_or_none,
    "methods": _methods,
    "confidence": _confidence,
    "tolerance": _tolerance,
    "extra_data": _path_or_none,
    "output_dir": _dir_or_none,
    "indicator_id": _indicator,
    "drafts": _path_or_none,
}


def notebook_parameters(notebook: Path) -> dict[str, Any]:
    """Names and default values declared in a notebook's cell tagged ``parameters``."""
    return dict(_parameters(notebook, notebook.stat().st_mtime_ns))


@lru_cache(maxsize=64)
def _parameters(notebook: Path, mtime_ns: int) -> dict[str, Any]:
    del mtime_ns  # part of the cache key only: an edited notebook is read again
    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            out: dict[str, Any] = {}
            for node in ast.parse(cell.source).body:
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                    out[node.targets[0].id] = ast.literal_eval(node.value)
            return out
    raise ParamsError(notebook, "parameters", "the notebook has no cell tagged 'parameters'")


@dataclass(frozen=True)
class ReportSpec:
    name: str
    notebook: Path
    params_file: Path
    parameters: dict[str, Any] = field(default_factory=dict)
    title: str = ""


def _resolve_path(value: str) -> str:
    p = Path(value)
    return str(p if p.is_absolute() else (config.project_root() / p).resolve())


def _read_mapping(file: Path, allowed: tuple[str, ...]) -> dict[str, Any]:
    """A YAML mapping whose top-level keys are all in ``allowed``."""
    if not file.is_file():
        raise ParamsError(file, "-", "file not found")
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ParamsError(file, "-", f"not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ParamsError(file, "-", "top level must be a mapping")
    for key in raw:
        if key not in allowed:
            raise ParamsError(file, str(key), f"unknown key; expected {', '.join(allowed)}")
    return raw


def load_report(params_file: Path) -> ReportSpec:
    """Read and check one report's parameter file; raises :class:`ParamsError` naming file and key."""
    raw = _read_mapping(params_file, ("notebook", "name", "title", "parameters"))
    notebook = config.notebooks_dir() / str(raw.get("notebook", ""))
    if not raw.get("notebook") or not notebook.is_file():
        raise ParamsError(params_file, "notebook", f"notebook {raw.get('notebook')!r} not found in {config.notebooks_dir()}")
    name = str(raw.get("name", ""))
    if not _NAME.match(name):
        raise ParamsError(params_file, "name", f"{name!r} must be a non-empty ASCII file stem")
    given = raw.get("parameters") or {}
    if not isinstance(given, dict):
        raise ParamsError(params_file, "parameters", "must be a mapping")
    declared = notebook_parameters(notebook)
    values = dict(given)
    for key, value in given.items():
        if key not in declared:
            raise ParamsError(params_file, f"parameters.{key}", f"unknown parameter; {notebook.name} declares {', '.join(declared)}")
        if key in ("extra_data", "drafts") and isinstance(value, str):
            value = values[key] = _resolve_path(value)
        check = CHECKS.get(key)
        problem = check(value) if check else None
        if problem:
            raise ParamsError(params_file, f"parameters.{key}", problem)
    return ReportSpec(name, notebook, params_file, values, str(raw.get("title", "")))


@dataclass(frozen=True)
class BatchSpec:
    file: Path
    reports: tuple[Path, ...]
    workers: int
    timeout: int
    retries: int


def load_batch(file: Path | None = None) -> BatchSpec:
    file = file or config.params_dir() / "nightly.yaml"
    raw = _read_mapping(file, ("reports", "workers", "timeout", "retries"))
    reports = raw.get("reports")
    if not isinstance(reports, list) or not reports or not all(isinstance(r, str) for r in reports):
        raise ParamsError(file, "reports", "must be a non-empty list of parameter-file names")
    ints = {}
    for key, default, lo, hi in (("workers", 0, 0, 64), ("timeout", 900, 10, 86400), ("retries", 1, 0, 5)):
        value = raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise ParamsError(file, key, f"{value!r} is not an integer in {lo}–{hi}")
        ints[key] = value
    paths = tuple((file.parent / r).resolve() for r in reports)
    return BatchSpec(file, paths, ints["workers"], ints["timeout"], ints["retries"])
