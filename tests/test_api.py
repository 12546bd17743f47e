"""The economist's path through the public API, with no traps: assess → filter by chapter → what-if →
plot → export (Stata, Parquet, Excel), the CLI offering every option of ``fjdata.assess``, and a
module help that starts with a quick start."""

from __future__ import annotations

import hashlib
import inspect
import pydoc
import re
import tempfile
from pathlib import Path

import pandas as pd
import pytest

import fjdata
from fjdata.cli import parser
from fjdata.core import config

WHAT_IF = {"c2_mfg_share_gdp": {2025: 33.5}}


def _data_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted((config.project_root() / "fjdata" / "data").rglob("*")):
        if path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def test_economist_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # This test's own temporary folder: a what-if run by a parallel test worker is not this one's leftover.
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    a = fjdata.assess()
    # One type per column: no object columns (a mix of None, floats and strings breaks exports).
    assert not [c for c in a.columns if a[c].dtype == object]
    assert isinstance(a["chapter"].dtype, pd.CategoricalDtype) and a["chapter"].cat.ordered
    assert str(a["as_of"].dtype) == "Int64" and str(a["latest_year"].dtype) == "Int64"
    # The chapter filter: the documented column filter and the parameter give the same rows.
    ch2 = a[a.chapter == "2"]
    assert len(ch2) == 20 and list(ch2.target_id) == list(fjdata.assess(chapter=2).target_id) == list(fjdata.assess(chapter="2").target_id)
    # What-if: inline values, marked hypothetical in the frame, never written to the data.
    before, temp_before = _data_digest(), set(Path(tempfile.gettempdir()).glob("fjdata-what-if-*"))
    w = fjdata.assess(chapter=2, what_if=WHAT_IF)
    row = w.set_index("target_id").loc["c2_mfg_share_gdp"]
    assert row.latest_year == 2025 and row.latest_value == pytest.approx(33.5) and row.what_if.startswith("hypothetical")
    assert (w.set_index("target_id").drop(index="c2_mfg_share_gdp").what_if == "").all()
    assert _data_digest() == before and set(Path(tempfile.gettempdir()).glob("fjdata-what-if-*")) == temp_before
    assert fjdata.assess(chapter=2).set_index("target_id").loc["c2_mfg_share_gdp"].latest_year == 2024  # gone after the call
    # Plot: the report's chart; with a what-if, its title says so.
    fig = fjdata.plot("c2_mfg_share_gdp")
    hypothetical = fjdata.plot("c2_mfg_share_gdp", what_if=WHAT_IF)
    assert fig.axes[0].get_title(loc="left") and "假设值" in hypothetical.axes[0].get_title(loc="left")
    assert fjdata.plot("rd_intensity").axes  # an indicator id draws its series and projection
    # Export: Stata, Parquet and Excel, read back with the same rows and chapter keys.
    w.to_stata(tmp_path / "a.dta", version=118, write_index=False)
    w.to_parquet(tmp_path / "a.parquet")
    w.to_excel(tmp_path / "a.xlsx", index=False)
    for back in (pd.read_stata(tmp_path / "a.dta"), pd.read_parquet(tmp_path / "a.parquet"), pd.read_excel(tmp_path / "a.xlsx")):
        assert len(back) == len(w) and list(back["chapter"].astype(str).unique()) == ["2"]
        assert back.loc[back.target_id == "c2_mfg_share_gdp", "what_if"].iloc[0].startswith("hypothetical")


def test_top_level_names() -> None:
    assert "rd_intensity" in fjdata.catalogue()
    assert callable(fjdata.feasibility) and callable(fjdata.draft) and callable(fjdata.plot)
    with pytest.raises(Exception, match="did you mean"):
        fjdata.plot("c2_mfg_share")


def test_help_starts_with_a_quick_start() -> None:
    text = pydoc.render_doc(fjdata, renderer=pydoc.plaintext)
    head = text.split("CLASSES")[0]
    assert "Quick start" in head and len(head.splitlines()) < 40
    code = [line for line in fjdata.__doc__.split("Quick start")[1].split("\n\n")[1].splitlines() if line.strip()]
    assert len(code) <= 12 and all(re.match(r"\s{4}\S", line) for line in code)


def _cli_options(command: str) -> dict[str, str]:
    sub = next(a for a in parser()._actions if a.dest == "command").choices[command]  # type: ignore[union-attr]
    return {o: (a.help or "") for a in sub._actions for o in a.option_strings if o.startswith("--") and o != "--help"}


def test_cli_assess_offers_every_option_of_the_python_api() -> None:
    options = _cli_options("assess")
    spelled = {"use_cache": "--no-cache"}  # a switch for the one default-on flag
    wanted = {spelled.get(p, "--" + p.replace("_", "-")) for p in inspect.signature(fjdata.assess).parameters if p != "view"}
    assert wanted <= set(options), wanted - set(options)
    assert all(options.values()), [o for o, h in options.items() if not h]  # every option has a help text
    for command in ("feasibility", "draft"):
        assert {"--as-of", "--method", "--extra-data", "--raw"} <= set(_cli_options(command))


def test_cli_assess_what_if_and_bands(capsys: pytest.CaptureFixture[str]) -> None:
    from fjdata.cli import main

    assert main(["assess", "--chapter", "2", "--what-if", "c2_mfg_share_gdp:2025=33.5", "--format", "csv"]) == 0
    frame = pd.read_csv(__import__("io").StringIO(capsys.readouterr().out))
    assert "model_prob" not in frame and frame.what_if.fillna("").str.startswith("hypothetical").sum() == 1
    assert main(["assess", "--what-if", "c2_mfg_share_gdp=33.5"]) == 2
    assert "expected TARGET_OR_INDICATOR:YEAR=VALUE" in capsys.readouterr().err
