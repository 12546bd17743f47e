"""Docstring examples run (doctest), and every public function documents its parameters."""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil

import pytest

import fjdata

# Every module of every stage: a docstring example anywhere in the package must run.
MODULES = sorted(m.name for m in pkgutil.walk_packages(fjdata.__path__, "fjdata.") if not m.ispkg)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0


PUBLIC_FUNCTIONS = sorted(n for n in fjdata.__all__ if inspect.isfunction(getattr(fjdata, n)))


@pytest.mark.parametrize("name", PUBLIC_FUNCTIONS)
def test_public_functions_document_parameters_returns_and_an_example(name: str) -> None:
    fn = getattr(fjdata, name)
    doc = inspect.getdoc(fn) or ""
    assert ">>>" in doc, f"{name}: no example"
    assert "Returns" in doc or "returns" in doc.lower() or "One row per" in doc, f"{name}: does not say what it returns"
    own = [p for p in inspect.signature(fn).parameters if p not in ("use_cache",)]
    missing = [p for p in own if f"``{p}``" not in doc and "same arguments as" not in doc]
    assert not missing, f"{name}: parameters not documented: {missing}"
