"""A pytest plugin for ``python3 tasks.py mutmut assessment`` only (pyproject [tool.fjdata.mutmut.assessment]).

mutmut runs the tests once per mutant in a process forked from one that already ran them; each run
gets a fresh cache folder (conftest), so every mutant would redo the 15-second backtest behind
``auto``. The backtest is below the assessment (it never calls it), so for mutants of the assessment
its result is the same every time: remember it in the process, where forked runs inherit it.
Never load this for mutants of fjdata/forecast: there the backtest is under test.
"""

from __future__ import annotations

import functools

from fjdata.assess import assessment
from fjdata.forecast import backtest

remembered = functools.lru_cache(maxsize=None)(backtest.auto_policy)
backtest.auto_policy = remembered  # type: ignore[assignment]
assessment.auto_policy = remembered  # type: ignore[assignment]
