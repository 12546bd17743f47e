"""Jinja2 rendering of the report's HTML blocks (templates in ``fjdata/report/templates/``).

Autoescaping is on: every value from data is escaped; wording that carries markup (a link to
the questionnaire) is marked ``|safe`` in the template itself.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from fjdata.core.inert import local_link, safe_link

TEMPLATES_DIR = Path(__file__).parent / "templates"


# A figure with its year, "31.7%（2024年）" / "128个（2022年）", or a year (span) with 年, "2021–2025年":
# never broken across lines (the year written U+5E74, the brackets U+FF08/U+FF09 or ASCII).
_WHOLE = re.compile(
    r"[\u2265\u2264]?\d[\d,.]*(?:%|[^\s\d\uff08(\uff09)]{1,4})?[\uff08(]\d{4}(?:[\u2013-]\d{4})?\u5e74[\uff09)]"
    r"|\d{4}(?:[\u2013-]\d{4})?\u5e74"
)


def keep_whole(text: object) -> Markup:
    """``text`` escaped, with every figure-and-year and every year kept on one line (``span.nw``)."""
    escaped = str(escape("" if text is None else text))
    return Markup(_WHOLE.sub(lambda m: f"<span class='nw'>{m.group(0)}</span>", escaped))


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """Autoescaping, plus the filters ``safe_link`` (http(s) only) and ``local_link`` (within the run
    folder) that every ``href`` built from data goes through (:mod:`fjdata.core.inert`)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,  # a missing word or field fails loudly, never prints blank
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["safe_link"] = safe_link
    env.filters["local_link"] = local_link
    env.filters["nw"] = keep_whole
    return env


def render(name: str, **context: object) -> str:
    """Render ``templates/<name>`` with ``context``."""
    return environment().get_template(name).render(**context)
