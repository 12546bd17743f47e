"""Where each target lives in the chapter reports: ``<report>.html#t-<target_id>``.

Report file names come from the parameter files (``params/*.yaml``: ``name`` is the output stem,
as the nightly writes it); the report layer reads them itself because it may not import the batch.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from fjdata.core import config
from fjdata.core.untrusted import PARAMS_LIMITS, UntrustedFileError, load_yaml

CHAPTER_NOTEBOOK = "chapter_report.ipynb"


def anchor(target_id: str) -> str:
    """The element id of a target in a chapter report."""
    return f"t-{target_id}"


def chapter_files(plan_id: str, default_plan_id: str, params_dir: Path | None = None) -> dict[tuple[str, str], str]:
    """(chapter, lang) → the chapter report's HTML file name, for one plan."""
    folder = params_dir or config.project_root() / "params"
    out: dict[tuple[str, str], str] = {}
    for file in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        try:
            spec = load_yaml(file, PARAMS_LIMITS)
        except (OSError, UntrustedFileError):
            continue  # a broken parameter file is reported by the batch, not here
        if not isinstance(spec, dict) or spec.get("notebook") != CHAPTER_NOTEBOOK or not spec.get("name"):
            continue
        params = spec.get("parameters") or {}
        if not isinstance(params, dict) or (params.get("plan") or default_plan_id) != plan_id:
            continue
        key = (str(params.get("chapter", "")), str(params.get("lang", "zh")))
        out.setdefault(key, f"{spec['name']}.html")
    return out


def target_links(
    targets: Iterable[tuple[str, str]], lang: str, plan_id: str, default_plan_id: str, params_dir: Path | None = None
) -> dict[str, str]:
    """target_id → ``<chapter report>#t-<id>`` for (target_id, chapter) pairs; the report in the
    same language first, else any language's; none when no chapter report is configured."""
    files = chapter_files(plan_id, default_plan_id, params_dir)
    out = {}
    for tid, chapter in targets:
        name = files.get((chapter, lang)) or next((f for (c, _), f in sorted(files.items()) if c == chapter), None)
        if name:
            out[tid] = f"{name}#{anchor(tid)}"
    return out
