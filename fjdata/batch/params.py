"""Papermill parameter files: loaded and checked before any kernel starts.

A report's parameter file (``params/<name>.yaml``)::

    notebook: chapter_report.ipynb   # in notebooks/
    name: chapter_2_zh               # output file stem (ASCII)
    title: 第二章 …                  # optional, for index.html
    parameters:                      # only names the notebook's `parameters` cell declares
      chapter: "2"
      lang: zh
    timeout: 1800                    # optional: seconds one cell may take in this report (default: the batch's)

``params/nightly.yaml`` lists the batch: ``reports`` (parameter files), ``workers``
(0 = number of cores), ``timeout`` (seconds one cell may take), ``retries`` (kernel failures only) and
``pdf`` (``true``, the default: print the evaluation reports to A4 PDFs where Chromium is installed;
``false``: web pages only, e.g. a quick check of a new plan).
"""

from __future__ import annotations

import ast
import re
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import nbformat
import yaml

from fjdata.core import config
from fjdata.core.errors import ParamsError
from fjdata.core.untrusted import MAX_YAML_DEPTH, safe_load_limited, yaml_problem
from fjdata.forecast.models import METHODS
from fjdata.inputs.indicators import catalogue

_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
# Names the run folder itself uses (index.html, manifest.json, assessment.csv, …): a report
# with one of them would overwrite, or be overwritten by, the run's own files (B64).
RESERVED_NAMES = ("index", "manifest", "latest", "assessment", "tables", "notebooks")
MAX_YAML_BYTES = 64_000  # a params file is a dozen lines


def _all_chapters() -> list[str]:
    from fjdata.inputs.plan import plans

    keys = dict.fromkeys(c for p in plans().values() for c in p.chapter_keys)
    return [*keys, "all"]


def _chapter(v: Any) -> str | None:
    valid = _all_chapters()
    return None if str(v) in valid else f"{v!r} is not one of {', '.join(valid)}"


def _plan(v: Any) -> str | None:
    if v is None:
        return None  # the default plan
    from fjdata.inputs.plan import plans

    return None if v in plans() else f"{v!r} is not a plan; plans: {', '.join(plans())}"


def _chapter_of_plan(values: dict[str, Any]) -> str | None:
    """A chapter must be one of the chosen plan's (a check across two parameters)."""
    if "chapter" not in values or _plan(values.get("plan")):
        return None
    from fjdata.inputs.plan import get_plan

    valid = [*get_plan(values.get("plan")).chapter_keys, "all"]
    return None if str(values["chapter"]) in valid else f"{values['chapter']!r} is not a chapter of this plan: {', '.join(valid)}"


def _lang(v: Any) -> str | None:
    return None if v in ("zh", "en") else f"{v!r} is not 'zh' or 'en'"


def _year_or_none(v: Any) -> str | None:
    if v is None:
        return None
    from fjdata.core.arguments import as_of_range

    lo, hi = as_of_range()
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        return f"{v!r} is not a year in {lo}–{hi} (or null)"
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
    if not Path(v).is_file():  # stat only: a FIFO is never opened (B76)
        return f"file {v!r} does not exist or is not a regular file"
    from fjdata.core.errors import DataValidationError
    from fjdata.inputs.observations import read_csv

    try:  # a bad CSV fails its report here, naming file, line and field (B03, B60)
        read_csv(Path(v), origin="user")
    except DataValidationError as exc:
        return str(exc)
    return None


def _drafts_file(v: Any) -> str | None:
    """A draft-targets file (YAML or XLSX), relative paths from the project root; read once to
    name its first problem before a kernel starts."""
    if not isinstance(v, str) or not v:
        return f"{v!r} is not a path"
    path = Path(_resolve_path(v))
    if not path.is_file():
        return f"file {v!r} does not exist or is not a regular file"
    from fjdata.assess.feasibility import DraftError, load_drafts

    try:
        load_drafts(path)
    except DraftError as exc:
        return str(exc)
    return None


def _dir_or_none(v: Any) -> str | None:
    return None if v is None or (isinstance(v, str) and v) else f"{v!r} is not a folder path"


def _indicator(v: Any) -> str | None:
    return None if v in catalogue() else f"{v!r} is not an indicator id in the catalogue"


CHECKS: dict[str, Callable[[Any], str | None]] = {
    "chapter": _chapter,
    "plan": _plan,
    "lang": _lang,
    "as_of": _year_or_none,
    "mid_year": _year_or_none,
    "methods": _methods,
    "confidence": _confidence,
    "tolerance": _tolerance,
    "extra_data": _path_or_none,
    "output_dir": _dir_or_none,
    "indicator_id": _indicator,
    "drafts": _drafts_file,
}


def notebook_parameters(notebook: Path) -> dict[str, Any]:
    """Names and default values declared in a notebook's cell tagged ``parameters``.

    >>> sorted(notebook_parameters(config.notebooks_dir() / "overview.ipynb"))[:3]
    ['as_of', 'confidence', 'extra_data']
    """
    # Cached on the notebook's content (not its mtime): an edit is always seen.
    return dict(_parameters(str(notebook), notebook.read_bytes().decode("utf-8")))


@lru_cache(maxsize=64)
def _parameters(name: str, text: str) -> dict[str, Any]:
    nb = nbformat.reads(text, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            out: dict[str, Any] = {}
            for node in ast.parse(cell.source).body:
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                    try:
                        out[node.targets[0].id] = ast.literal_eval(node.value)
                    except ValueError:
                        raise ParamsError(name, node.targets[0].id, "the parameters cell must assign plain literals") from None
            return out
    raise ParamsError(name, "parameters", "the notebook has no cell tagged 'parameters'")


@dataclass(frozen=True)
class ReportSpec:
    name: str
    notebook: Path
    params_file: Path
    parameters: dict[str, Any] = field(default_factory=dict)
    title: str = ""
    timeout: int | None = None  # seconds; None: the batch's


def _resolve_path(value: str) -> str:
    p = Path(value)
    return str(p if p.is_absolute() else (config.project_root() / p).resolve())


def _read_mapping(file: Path, allowed: tuple[str, ...]) -> dict[str, Any]:
    """A YAML mapping whose top-level keys are all in ``allowed``."""
    from fjdata.inputs.observations import file_problem

    problem = file_problem(file)
    if problem:
        raise ParamsError(file, "-", problem)
    if file.stat().st_size > MAX_YAML_BYTES:
        raise ParamsError(file, "-", f"{file.stat().st_size} bytes; parameter files are limited to {MAX_YAML_BYTES}")
    try:
        text = file.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParamsError(file, "-", f"not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    try:
        raw = safe_load_limited(text)
    except yaml.YAMLError as exc:
        raise ParamsError(file, "-", f"not valid YAML: {yaml_problem(exc)}") from exc
    except RecursionError:
        raise ParamsError(file, "-", f"not valid YAML: nested deeper than {MAX_YAML_DEPTH} levels") from None
    if not isinstance(raw, dict):
        raise ParamsError(file, "-", "top level must be a mapping")
    for key in raw:
        if key not in allowed:
            raise ParamsError(file, str(key), f"unknown key; expected {', '.join(allowed)}")
    return raw


def _confined_notebook(params_file: Path, value: Any) -> Path:
    """The notebook a params file names, which must be an ``.ipynb`` inside ``notebooks/`` (B62/B63):
    a params file must never run an arbitrary notebook, or read ``/etc/passwd`` as one."""
    folder = config.notebooks_dir().resolve()
    available = ", ".join(sorted(p.name for p in folder.glob("*.ipynb")))
    if not isinstance(value, str) or not value:
        raise ParamsError(params_file, "notebook", f"missing; expected one of {available}")
    notebook = (folder / value).resolve()
    if not notebook.is_relative_to(folder) or notebook.suffix != ".ipynb":
        raise ParamsError(params_file, "notebook", f"{value!r} is not a notebook inside {folder}; expected one of {available}")
    if not notebook.is_file():
        raise ParamsError(params_file, "notebook", f"notebook {value!r} not found in {folder}; expected one of {available}")
    return notebook


TIMEOUT_RANGE = (10, 86400)  # seconds per report, for the batch and for one report's own limit
BATCH_DEFAULTS = {"workers": 0, "timeout": 900, "retries": 1}


def _bounded_int(file: Path, key: str, value: object, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ParamsError(file, key, f"{value!r} is not an integer in {lo}–{hi}")
    return value


def load_report(params_file: Path) -> ReportSpec:
    """Read and check one report's parameter file; raises :class:`ParamsError` naming file and key."""
    raw = _read_mapping(params_file, ("notebook", "name", "title", "parameters", "timeout"))
    notebook = _confined_notebook(params_file, raw.get("notebook"))
    name = raw.get("name", "")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ParamsError(params_file, "name", f"{name!r} must be a non-empty ASCII file stem")
    if name.lower() in RESERVED_NAMES:
        raise ParamsError(
            params_file, "name", f"{name!r} is reserved for the run folder's own files ({', '.join(RESERVED_NAMES)}); choose another name"
        )
    if not isinstance(raw.get("title", ""), str | int | float):
        raise ParamsError(params_file, "title", "must be a string")
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
    if problem := _chapter_of_plan(values):
        raise ParamsError(params_file, "parameters.chapter", problem)
    timeout = raw.get("timeout")
    if timeout is not None:
        timeout = _bounded_int(params_file, "timeout", timeout, *TIMEOUT_RANGE)
    return ReportSpec(name, notebook, params_file, values, str(raw.get("title", "")), timeout)


@dataclass(frozen=True)
class BatchSpec:
    file: Path
    reports: tuple[Path, ...]
    workers: int
    timeout: int
    retries: int
    pdf: bool = True


def load_batch(file: Path | None = None) -> BatchSpec:
    file = file or config.params_dir() / "nightly.yaml"
    raw = _read_mapping(file, ("reports", "workers", "timeout", "retries", "pdf"))
    reports = raw.get("reports")
    if not isinstance(reports, list) or not reports or not all(isinstance(r, str) for r in reports):
        raise ParamsError(file, "reports", "must be a non-empty list of parameter-file names")
    ranges = {"workers": (0, 64), "timeout": TIMEOUT_RANGE, "retries": (0, 5)}
    ints = {key: _bounded_int(file, key, raw.get(key, default), *ranges[key]) for key, default in BATCH_DEFAULTS.items()}
    pdf = raw.get("pdf", True)
    if not isinstance(pdf, bool):
        raise ParamsError(file, "pdf", f"{pdf!r} is not true or false")
    paths = tuple((file.parent / r).resolve() for r in reports)
    twice = sorted({str(r) for r, p in zip(reports, paths, strict=True) if paths.count(p) > 1})
    if twice:
        raise ParamsError(file, "reports", f"listed more than once: {', '.join(twice)}")
    return BatchSpec(file, paths, ints["workers"], ints["timeout"], ints["retries"], pdf)


# What IPython itself puts in a kernel's namespace (never a parameter).
_KERNEL_NAMES = frozenset({"In", "Out", "get_ipython", "exit", "quit", "open"})


def check_injected_parameters(notebook: str, namespace: dict[str, Any]) -> None:
    """Called by the cell after a notebook's ``parameters`` cell: refuse parameter names the
    notebook does not declare (papermill injects them silently, ``-p chapterr 3``) and values
    the nightly would refuse (``-p chapter 9``, ``-p as_of 1800``), with file, key and choices.

    ``namespace`` is the kernel's ``globals()``; ``notebook`` the file name in ``notebooks/``.

    >>> check_injected_parameters("chapter_report.ipynb", {"chapter": "2", "chapterr": 3})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    fjdata.core.errors.ParamsError: chapter_report.ipynb: key 'chapterr': unknown parameter (did you mean 'chapter'?); ...
    """
    from fjdata.core.errors import did_you_mean

    path = config.notebooks_dir() / notebook
    declared = notebook_parameters(path) if path.is_file() else None
    for key, value in namespace.items():
        if key.startswith("_") or key in _KERNEL_NAMES or callable(value) or isinstance(value, types.ModuleType):
            continue
        if declared is not None and key not in declared:
            raise ParamsError(notebook, key, f"unknown parameter{did_you_mean(key, declared)}; {notebook} declares {', '.join(declared)}")
        check = CHECKS.get(key)
        problem = check(value) if check else None
        if problem:
            raise ParamsError(notebook, key, problem)
    if problem := _chapter_of_plan(namespace):
        raise ParamsError(notebook, "chapter", problem)
