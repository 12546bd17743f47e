"""The forecast stage's structure: methods behind one interface, the auto policy passed in, fits
remembered by content, series spread over worker processes with results equal to a serial run,
and reports that show precomputed forecasts (prepare) without fitting anything."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fjdata.forecast import models
from fjdata.forecast.models import METHODS, MIN_OBS, REGISTRY, Forecast, ForecastMethod, MethodUnavailable, fit_cached, method_named
from fjdata.forecast.projection import AutoPolicy, JudgedSeries, project_judged
from fjdata.inputs.transforms import year_index
from tests.conftest import ROOT
from tests.test_lint import lint_with_an_added_import

YEARS = list(range(2008, 2021))
GROWING = [100 * 1.07**i * (1 + 0.01 * ((-1) ** i)) for i in range(len(YEARS))]


def _judged(years: list[int], values: list[float]) -> JudgedSeries:
    s = pd.Series(values, index=year_index(years), dtype=float)
    return JudgedSeries("green_parks", s, "log", None, None, s)


def test_every_method_is_a_registered_class_behind_one_interface() -> None:
    assert tuple(REGISTRY) == METHODS == ("naive", "drift", "linear", "loglinear", "theta", "ets", "arima")
    for name, method in REGISTRY.items():
        assert isinstance(method, ForecastMethod) and method.name == name and MIN_OBS[name] == method.min_obs
        fc = method.fit(YEARS, GROWING, 2023, "log")
        assert isinstance(fc, Forecast) and fc.method == name and fc.years == (2021, 2022, 2023)
    with pytest.raises(ValueError, match="did you mean 'theta'"):
        method_named("thetaa")
    with pytest.raises(TypeError):
        REGISTRY["mine"] = REGISTRY["drift"]  # type: ignore[index]  # read-only: add a method in models.py


def test_the_auto_policy_is_passed_in_and_decides_members_and_widths(monkeypatch: pytest.MonkeyPatch) -> None:
    # Projection never consults the backtest: make the backtest unusable and project anyway.
    import fjdata.forecast.backtest as bt

    monkeypatch.setattr(bt, "backtest_errors", lambda *a, **k: (_ for _ in ()).throw(AssertionError("backtest consulted")))
    judged = _judged(YEARS, GROWING)
    combo = project_judged(judged, "auto", 2025, AutoPolicy(("drift", "theta")))
    assert combo.forecast is not None and combo.forecast.members == ("drift", "theta")
    single = project_judged(judged, "auto", 2025, AutoPolicy(("drift",)))
    assert single.forecast is not None and single.forecast.method == "drift"
    plain = project_judged(judged, "theta", 2025, AutoPolicy())
    wide = project_judged(judged, "theta", 2025, AutoPolicy(factors={"theta": 2.0}))
    assert plain.forecast is not None and wide.forecast is not None
    assert plain.forecast.mean == wide.forecast.mean
    half = np.log(np.asarray(plain.forecast.hi80)) - np.log(np.asarray(plain.forecast.mean))
    half_wide = np.log(np.asarray(wide.forecast.hi80)) - np.log(np.asarray(wide.forecast.mean))
    assert half_wide == pytest.approx(2 * half)
    assert wide.forecast.params["calibration"] == 2.0 and AutoPolicy(factors={"theta": 2.0}).uncalibrated().factors == {}


def test_the_forecast_layers_contract_bites(tmp_path: Path) -> None:
    # projection importing the backtest (the cycle this layout removed) is refused by import-linter.
    out = lint_with_an_added_import(tmp_path, "forecast/projection.py", "fjdata.forecast.backtest")
    assert out.returncode != 0
    assert "fjdata.forecast.projection -> fjdata.forecast.backtest" in out.stdout


def test_a_fit_is_remembered_by_content_and_a_changed_value_refits(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = models.fit_method

    def counting(method: str, *args: object, **kwargs: object) -> Forecast:
        calls.append(method)
        return real(method, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(models, "fit_method", counting)
    years, values = np.arange(2001, 2013), np.linspace(10.0, 21.0, 12)
    a = fit_cached("drift", years, values, 2015, "log")
    b = fit_cached("drift", list(years), list(values), 2015, "log")
    assert a is b and calls == ["drift"]
    changed = values.copy()
    changed[-1] += 0.5
    c = fit_cached("drift", years, changed, 2015, "log")
    assert calls == ["drift", "drift"] and c.mean != a.mean
    with pytest.raises(MethodUnavailable, match="needs at least 8"):
        fit_cached("arima", years[:5], values[:5], 2015, "log")
    with pytest.raises(MethodUnavailable, match="needs at least 8"):
        fit_cached("arima", years[:5], values[:5], 2015, "log")  # remembered, not re-fitted
    assert calls == ["drift", "drift", "arima"]


def test_stored_fits_are_reused_by_a_new_process_and_cannot_be_stale(monkeypatch: pytest.MonkeyPatch) -> None:
    years, values = np.arange(2001, 2013), np.linspace(10.0, 21.0, 12)
    fc = fit_cached("theta", years, values, 2015, "log")
    key = models.fit_key("theta", years, values, 2015, "log", None)
    models.save_fits("test:series", {key})
    monkeypatch.setattr(models, "_FITS", {})  # a fresh process remembers nothing
    assert models.load_fits("test:series") == {key}
    monkeypatch.setattr(models, "fit_method", lambda *a, **k: pytest.fail("re-fitted a stored fit"))
    assert fit_cached("theta", years, values, 2015, "log").mean == fc.mean
    # A bundle holds fits by content: other data never match it (they are fitted, not looked up).
    with pytest.raises(pytest.fail.Exception):
        fit_cached("theta", years, values * 1.01, 2015, "log")


def test_a_parallel_backtest_equals_the_serial_one(monkeypatch: pytest.MonkeyPatch) -> None:
    from fjdata.forecast.backtest import _run

    ids = ["rd_intensity", "rd_expenditure"]
    monkeypatch.setenv("FJDATA_WORKERS", "1")
    monkeypatch.setattr(models, "_FITS", {})
    serial = _run(ids, None, use_cache=False)
    monkeypatch.setenv("FJDATA_WORKERS", "2")
    monkeypatch.setattr(models, "_FITS", {})
    parallel = _run(ids, None, use_cache=False)
    assert len(models._FITS) > 50  # the workers' fits came back to this process
    pd.testing.assert_frame_equal(serial, parallel, check_exact=True)
    assert list(serial["indicator_id"].unique()) == ids  # the given order, whatever finished first


def test_the_as_of_backtest_reuses_the_fits_of_the_shared_past(monkeypatch: pytest.MonkeyPatch) -> None:
    from fjdata.forecast.backtest import _run

    monkeypatch.setenv("FJDATA_WORKERS", "1")
    monkeypatch.setattr(models, "_FITS", {})
    _run(["rd_expenditure"], None, use_cache=False)
    before = len(models._FITS)
    errors = _run(["rd_expenditure"], 2022, use_cache=False)
    assert not errors.empty and len(models._FITS) == before  # every as-of-2022 origin was already fitted


def test_reports_show_prepared_forecasts_and_never_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    from fjdata.assess.prepare import prepare
    from fjdata.assess.view import View
    from fjdata.report.chapter_report import ChapterReport

    prepared = prepare(View.of(), 1)  # context: GDP, industry, R&D intensity (to 2023), energy use (to 2024)
    assert prepared.contexts and any(c.forecast is not None for c in prepared.contexts)
    chapter2 = prepare(View.of(), 2)  # the same cached results, another chapter
    assert chapter2.items and chapter2.midterm and not chapter2.contexts  # the mid-term view is past; no context indicators
    assert {r.assessment.chapter for r in chapter2.items} == {"2"}
    with pytest.raises(AttributeError):
        prepared.items = ()  # type: ignore[misc]  # frozen

    def no_fit(*args: object, **kwargs: object) -> Forecast:
        raise AssertionError("a report fitted a model")

    for name in ("fit_method", "fit_cached"):
        monkeypatch.setattr(models, name, no_fit)
    monkeypatch.setattr(models.ForecastMethod, "fit", no_fit)
    monkeypatch.setattr(models, "_FITS", {})  # no remembered fits,
    monkeypatch.setenv("FJDATA_NO_CACHE", "1")  # nothing from the cache: whatever the report shows, it was given
    report = ChapterReport.from_prepared(prepared, lang="en")
    blocks = report.context_html()
    assert len(blocks) == 1 + len(prepared.contexts)
    shown = [c for c in prepared.contexts if c.forecast is not None]
    assert all(f"data-indicator='{c.indicator_id}'" in "".join(blocks) for c in shown)
    assert report.midterm == prepared.midterm_assessments()


def test_the_nightly_warm_up_prepares_exactly_what_the_kernels_show(monkeypatch: pytest.MonkeyPatch) -> None:
    # The warm-up (parent) and the notebooks (kernels) call the same prepare(): after the warm-up,
    # building each report with the notebook's own parameters fits nothing (everything is cached).
    from fjdata.batch.nightly import _warm_cache
    from fjdata.batch.params import load_report, notebook_parameters
    from fjdata.report.chapter_report import ChapterReport
    from fjdata.report.explore import Exploration

    specs = [load_report(ROOT / "params" / name) for name in ("chapter_1.yaml", "explore.yaml")]
    for spec in specs:
        _warm_cache(spec)

    def no_fit(*args: object, **kwargs: object) -> Forecast:
        raise AssertionError("a kernel would have fitted a model the warm-up did not prepare")

    monkeypatch.setattr(models, "_FITS", {})  # a kernel is a new process: nothing remembered
    monkeypatch.setattr(models.ForecastMethod, "fit", no_fit)
    for spec in specs:
        p = {**notebook_parameters(spec.notebook), **spec.parameters}
        if "chapter" in p:
            keep = ("chapter", "as_of", "methods", "tolerance", "extra_data", "mid_year", "plan")
            report = ChapterReport.build(**{k: p[k] for k in keep}, lang=p["lang"])
            assert report.contexts and "".join(report.context_html())
        else:
            ex = Exploration.build(p["indicator_id"], lang=p["lang"], as_of=p["as_of"], methods=p["methods"], plan=p["plan"])
            assert ex.fits and not ex.backtest_table().empty
