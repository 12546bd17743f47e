"""Jinja2 rendering of the report's HTML blocks (templates in ``fjdata/report/templates/``).

Autoescaping is on: every value from data is escaped; wording that carries markup (a link to
the questionnaire) is marked ``|safe`` in the template itself.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

from fjdata.core.inert import local_link, safe_link

TEMPLATES_DIR = Path(__file__).parent / "templates"


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
    return env


def render(name: str, **context: object) -> str:
    """Render ``templates/<name>`` with ``context``."""
    return environment().get_template(name).render(**context)
