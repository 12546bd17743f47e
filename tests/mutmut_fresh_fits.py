"""A pytest plugin for ``python3 tasks.py mutmut models`` only (pyproject [tool.fjdata.mutmut.models]).

mutmut runs the tests once per mutant in a process forked from one that already ran them
unmutated; fits are remembered in the process (``models._FITS``), so a forked run would be handed
the unmutated fits and never run the mutated code. Every run starts with no remembered fit.
"""

from __future__ import annotations

import pytest

from fjdata.forecast import models


def pytest_sessionstart(session: pytest.Session) -> None:
    models._FITS.clear()
