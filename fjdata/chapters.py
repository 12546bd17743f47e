"""The plan's chapters: titles and the context indicators each report shows."""

from __future__ import annotations

from functools import lru_cache

import yaml

from fjdata import config

CHAPTERS_FILE = config.PACKAGE_DIR / "config" / "chapters.yaml"


@lru_cache(maxsize=1)
def chapters() -> dict[str, dict[str, object]]:
    with CHAPTERS_FILE.open(encoding="utf-8") as fh:
        loaded = yaml.safe_load(fh)
    return {str(k): v for k, v in loaded.items()}


def chapter_title(chapter: str, lang: str) -> str:
    return str(chapters()[str(chapter)][f"title_{lang}"])


def chapter_context(chapter: str) -> tuple[str, ...]:
    """Indicators shown as context in a chapter report (beside or instead of its targets)."""
    context = chapters()[str(chapter)].get("context") or []
    assert isinstance(context, list)
    return tuple(str(i) for i in context)
