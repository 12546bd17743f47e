"""Every word fjdata prints, one file per language (``fjdata/wording/zh.yaml``, ``en.yaml``).

Entries are plain strings, some with ``str.format`` fields (``{y}``, ``{v}``); nested mappings
group related entries (``verdicts``, ``units``, ``questionnaire``); every stage that prints words
(department questionnaire, report, batch index) reads them from here. Both files must define the same keys
(:func:`check_same_keys`, run by the tests), so no report falls back to the other language.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from fjdata.core import config
from fjdata.core.errors import choice_error

LANGS = ("zh", "en")
WORDING_DIR = Path(__file__).parent.parent / "wording"


@lru_cache(maxsize=len(LANGS))
def words(lang: str) -> dict[str, Any]:
    """The wording of one language (a nested dict)."""
    if lang not in LANGS:
        raise choice_error("lang", lang, LANGS)
    with (WORDING_DIR / f"{lang}.yaml").open(encoding="utf-8") as fh:
        loaded = config.parse_yaml(fh.read())
    assert isinstance(loaded, dict), f"{lang}.yaml must be a mapping"
    return loaded


def _keys(tree: dict[str, Any], prefix: str = "") -> set[str]:
    out = set()
    for k, v in tree.items():
        out.add(prefix + str(k))
        if isinstance(v, dict) and not prefix.startswith(("units", "unit_names")):
            out |= _keys(v, f"{prefix}{k}.")
    return out


def check_same_keys() -> list[str]:
    """Keys one language has and another lacks (``units`` and ``unit_names`` may differ: English
    rescales and names the catalogue's units, Chinese writes them as they are)."""
    zh, en = _keys(words("zh")), _keys(words("en"))
    return sorted((zh ^ en) - {k for k in zh | en if k.startswith(("units.", "unit_names."))})
