"""The reliability review's catalogue (``../shared/review/reliability-review.md``), one case per id.

Every case asserts the GOOD behaviour: a clear error that names the file, the line or key and
the valid choices, nothing lost or silently changed, no hang (timeouts) and bounded memory
(``resource.setrlimit`` in a child process where a case could blow up). Case ids are the
review's ids (B01…B94 bad inputs, F01…F18 fault drills, K1/K2 checks).

Families: observation CSVs (``csv``), overlay mechanics (``overlay``), params files
(``params``), notebook parameters (``notebook``), command line (``cli``), the cache
(``cache``), and fault drills (``fault``).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import pickle
import re
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from fjdata import cli
from fjdata.batch import nightly, params
from fjdata.core import cache, config
from fjdata.core.errors import ArgumentError, DataValidationError, FjdataError, ParamsError
from fjdata.inputs.observations import COLUMNS, MAX_FILE_BYTES, all_observations, check_file, data_fingerprint, read_csv
from tests.conftest import ROOT, plan_text_file

PY = sys.executable
HEADER = ",".join(COLUMNS)


def row(
    indicator_id: str = "manufacturing_va_share_gdp", year: object = 2025, value: object = 33.5, unit: str = "%", **kw: object
) -> dict[str, object]:
    """The review's template row (test data, never shipped)."""
    r: dict[str, object] = {
        "indicator_id": indicator_id,
        "region": "Fujian",
        "year": year,
        "value": value,
        "unit": unit,
        "status": "preliminary",
        "vintage": "initial",
        "published": "2026-01-20",
        "source_title": "测试来源",
        "source_url": "https://example.gov.cn/x",
        "quote": f"原文 {value}",
        "note": "",
        "inputs": "",
        "formula": "",
        "bound": "",
    }
    r.update(kw)
    return r


def csv_text(rows: list[dict[str, object]], columns: tuple[str, ...] = COLUMNS, newline: str = "\n") -> str:
    import csv
    import io

    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(columns), lineterminator=newline)
    w.writeheader()
    for r in rows:
        w.writerow({c: r.get(c, "") for c in columns})
    return buf.getvalue()


def run_limited(
    code: str, mem_mb: int = 1500, timeout: float = 120, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run Python code in a child with an address-space limit and a timeout (no hang, no OOM)."""
    prelude = f"import resource; resource.setrlimit(resource.RLIMIT_AS, ({mem_mb} << 20, {mem_mb} << 20))\n"
    return subprocess.run(
        [PY, "-c", prelude + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        cwd=cwd or ROOT,
        check=False,
    )


def expect_problem(exc: DataValidationError, line: int | None, field: str, fragment: str) -> None:
    hits = [p for p in exc.problems if (line is None or p[0] == line) and p[1] == field and fragment in p[2]]
    assert hits, f"no problem ({line}, {field}, …{fragment}…) in {exc.problems}"
    assert exc.file, "the error names the file"


# --- observation CSVs (B01–B41) ------------------------------------------------------------
# (case, file bytes, expected line, field, fragment); line None = any line.


def _bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


MULTILINE = (
    HEADER
    + "\n"
    + csv_text([row(note="a\nb\nc\nd", year=2024, vintage="v1")]).split("\n", 1)[1]
    + csv_text([row(value="abc", vintage="v2")]).split("\n", 1)[1]
)
CSV_ERRORS: list[tuple[str, bytes, int | None, str, str]] = [
    ("B01", _bytes(csv_text([row()], tuple(c for c in COLUMNS if c != "quote"))), 1, "quote", "missing column"),
    ("B02", _bytes(csv_text([row()], (*COLUMNS, "confidence"))), 1, "confidence", "unknown column"),
    ("B03", _bytes(csv_text([row(source_title="福建省统计局")]), "gbk"), 2, "-", "not UTF-8"),
    ("B04", _bytes(csv_text([row()]), "utf-16"), 1, "-", "UTF-16"),
    ("B06", b"", 1, "indicator_id", "missing column"),
    ("B08", _bytes(csv_text([row(value="NaN")])), 2, "value", "is not a number"),
    ("B09", _bytes(csv_text([row(value="inf")])), 2, "value", "is not a number"),
    ("B10", _bytes(csv_text([row(value=-5)])), 2, "value", "outside 0–100"),
    ("B11", _bytes(csv_text([row("national_high_tech_enterprises", 2023, "1e308", "家")])), 2, "value", "outside 0–1e+08"),
    ("B12", _bytes(csv_text([row("gdp_nominal", 2023, "1e308", "亿元")])), 2, "value", "outside -1e+09–1e+09"),
    ("B13", _bytes(csv_text([row("national_high_tech_enterprises", 2023, -14000, "家")])), 2, "value", "outside 0–1e+08"),
    ("B14", _bytes(csv_text([row(value=150)])), 2, "value", "outside 0–100"),
    ("B15", _bytes(csv_text([row(year=2023, value=150, vintage="yearbook_2022")])), 2, "value", "the range of a share"),
    ("B16", _bytes(csv_text([row("above_size_industry_va_growth", 2022, -150, "%")])), 2, "value", "the range of a rate"),
    ("B17", _bytes(csv_text([row(year=1800)])), 2, "year", "out of range 1990–2100"),
    ("B18", _bytes(csv_text([row(year=2200)])), 2, "year", "out of range 1990–2100"),
    ("B19", _bytes(csv_text([row("gdp_happiness_index")])), 2, "indicator_id", "unknown indicator 'gdp_happiness_index'"),
    ("B20", _bytes(csv_text([row(), row()])), 3, "vintage", "duplicate key"),
    ("B21", _bytes(csv_text([row(), row(value=30)])), 3, "vintage", "also line 2"),
    (
        "B23",
        _bytes(csv_text([row(value="about 33"), row(value="33%", year=2024), row(value="", year=2023)])),
        4,
        "value",
        "is not a number",
    ),
    ("B24", _bytes(csv_text([row(value="21,000")])), 2, "value", "'21,000' is not a number"),
    ("B25", _bytes(csv_text([row(value="21_000")])), 2, "value", "'21_000' is not a number"),
    ("B29", _bytes(csv_text([row(quote="x" * 2_000_000)])), 2, "quote", "fields are limited to"),
    ("B31", _bytes(csv_text([row(published="1999")])), 2, "published", "before the end of the year it reports"),
    ("B32", _bytes(csv_text([row(region="fujian")])), 2, "region", "is not one of"),
    ("B34", _bytes(csv_text([row(unit="percent")])), 2, "unit", "does not match the catalogue unit '%'"),
    (
        "B35",
        _bytes(HEADER + "\n" + csv_text([row()]).split("\n", 1)[1].rstrip("\n") + ",surplus,fields\n"),
        2,
        "-",
        "2 field(s) more than the header",
    ),
    ("B36", _bytes(csv_text([row(published="2026-13-45")])), 2, "published", "month must be in 1..12"),
    ("B37", _bytes(csv_text([row(status="Final", bound="LOWER")])), 2, "status", "is not one of"),
    ("B38", _bytes(MULTILINE), 6, "value", "'abc' is not a number"),
    ("B39", _bytes(csv_text([row(year=2000 + i % 26, value="x", vintage=f"v{i}") for i in range(100)])), 101, "value", "is not a number"),
    ("B44", Path("/etc/passwd").read_bytes() if Path("/etc/passwd").is_file() else b"root:x:0:0\n", 1, "indicator_id", "missing column"),
]


@pytest.mark.parametrize(("case", "blob", "line", "field", "fragment"), CSV_ERRORS, ids=[c[0] for c in CSV_ERRORS])
def test_csv_errors_name_file_line_and_field(tmp_path: Path, case: str, blob: bytes, line: int | None, field: str, fragment: str) -> None:
    path = tmp_path / f"{case}.csv"
    path.write_bytes(blob)
    with pytest.raises(DataValidationError) as info:
        check_file(path)
    expect_problem(info.value, line, field, fragment)
    assert str(path) in str(info.value)
    # The same file given to the analysis stops it the same way, before any number is computed.
    with pytest.raises(DataValidationError):
        all_observations(extra_data=path)


CSV_ACCEPTED: list[tuple[str, bytes, float, int]] = [
    ("B05", b"\xef\xbb\xbf" + _bytes(csv_text([row()])), 33.5, 2025),
    ("B26", _bytes(csv_text([row(year="２０２５", value="３３.５")])), 33.5, 2025),
    ("B33", _bytes(csv_text([row()], newline="\r\n")), 33.5, 2025),
    ("B40", _bytes(csv_text([row(note="nul\x00byte")])), 33.5, 2025),
]


@pytest.mark.parametrize(("case", "blob", "value", "year"), CSV_ACCEPTED, ids=[c[0] for c in CSV_ACCEPTED])
def test_harmless_variants_are_read_correctly(tmp_path: Path, case: str, blob: bytes, value: float, year: int) -> None:
    path = tmp_path / f"{case}.csv"
    path.write_bytes(blob)
    assert check_file(path) == []
    frame = read_csv(path, origin="user")
    assert frame[["year", "value"]].values.tolist() == [[year, value]]


def test_B07_header_only_is_zero_rows(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text(HEADER + "\n", encoding="utf-8")
    assert check_file(path) == [] and read_csv(path).empty
    assert cli.main(["data", "check", str(path)]) == 0


# --- overlay mechanics (B22, B27, B28, B30, B41–B49) ----------------------------------------


def test_B22_two_user_files_disagreeing_on_a_key_is_an_error_naming_both(tmp_path: Path) -> None:
    a = tmp_path / "a.csv"
    b = tmp_path / "b.csv"
    a.write_text(csv_text([row(value=33.5)]), encoding="utf-8")
    b.write_text(csv_text([row(value=28.0)]), encoding="utf-8")
    for order in ([a, b], [b, a]):
        with pytest.raises(DataValidationError) as info:
            all_observations(extra_data=order)
        assert "a.csv" in str(info.value) and "b.csv" in str(info.value)


def test_B27_formula_text_never_reaches_a_table_cell(tmp_path: Path) -> None:
    from fjdata.report.explore import Exploration

    evil = '=HYPERLINK("http://x")'
    path = tmp_path / "f.csv"
    path.write_text(csv_text([row(year=2024, vintage="fx", source_title=evil, quote="@SUM(1)", note="+cmd")]), encoding="utf-8")
    assert check_file(path) == []  # accepted as text
    ex = Exploration.build("manufacturing_va_share_gdp", methods=["drift"], extra_data=path)
    table = ex.observations_table()
    assert evil in set(table["source_title"])  # kept verbatim for the economist …
    assert evil not in ex.observations_html()  # … and escaped in HTML


def test_B28_html_and_javascript_are_escaped(tmp_path: Path) -> None:
    from fjdata.report.explore import Exploration

    path = tmp_path / "x.csv"
    path.write_text(
        csv_text(
            [
                row(
                    year=2024,
                    vintage="xss",
                    source_title="<script>alert(1)</script>",
                    quote="<img src=x onerror=alert(1)>",
                    source_url="javascript:alert(1)",
                )
            ]
        ),
        encoding="utf-8",
    )
    page = Exploration.build("manufacturing_va_share_gdp", methods=["drift"], extra_data=path).observations_html()
    assert "<script>alert" not in page and "<img src=x" not in page and "href='javascript:" not in page and 'href="javascript:' not in page
    assert "&lt;script&gt;" in page


def test_B30_an_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as fh:  # sparse: 60 MB on paper, nothing on disk
        fh.truncate(MAX_FILE_BYTES + 10_000_000)
    with pytest.raises(DataValidationError, match="data files are limited to 50 MB"):
        check_file(path)


@pytest.fixture
def user_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "user"
    folder.mkdir()
    monkeypatch.setenv("FJDATA_USER_DATA", str(folder))
    return folder


def test_B41_bad_file_in_user_folder_names_file_line_field(user_dir: Path) -> None:
    (user_dir / "bad.csv").write_text(csv_text([row()], tuple(c for c in COLUMNS if c != "quote")), encoding="utf-8")
    assert cli.main(["assess"]) == 2
    with pytest.raises(DataValidationError) as info:
        all_observations()
    expect_problem(info.value, 1, "quote", "missing column")


def test_B42_folder_named_csv_in_user_folder(user_dir: Path) -> None:
    (user_dir / "x.csv").mkdir()
    with pytest.raises(DataValidationError, match="is a folder"):
        all_observations()


def test_B43_missing_extra_data_is_the_same_clean_error_everywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.csv"
    monkeypatch.setenv("FJDATA_EXTRA_DATA", str(missing))
    assert cli.main(["assess"]) == 2
    assert f"{missing}" in capsys.readouterr().err
    assert cli.main(["data", "check", str(missing)]) == 2
    assert "file not found" in capsys.readouterr().err


def test_B45_extra_data_is_a_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FJDATA_EXTRA_DATA", str(tmp_path))
    with pytest.raises(DataValidationError, match="is a folder"):
        data_fingerprint()


def test_B46_relative_extra_data_is_made_absolute_for_children(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "x.csv").write_text(csv_text([row()]), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FJDATA_EXTRA_DATA", "data/x.csv")
    changed = config.absolutize_env()
    assert changed["FJDATA_EXTRA_DATA"] == str(tmp_path / "data" / "x.csv") == os.environ["FJDATA_EXTRA_DATA"]


def test_B47_kernels_in_another_folder_read_the_same_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A child started in notebooks/ (where a same-named file exists) reads the user's file."""
    root_file = tmp_path / "my_figs.csv"
    root_file.write_text(csv_text([row(value=33.5)]), encoding="utf-8")
    kernel_cwd = tmp_path / "notebooks"
    kernel_cwd.mkdir()
    (kernel_cwd / "my_figs.csv").write_text(csv_text([row(value=20.1)]), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FJDATA_EXTRA_DATA", "my_figs.csv")
    config.absolutize_env()  # what `fjdata nightly` (and every CLI command) does before forking workers
    code = "from fjdata.inputs.observations import all_observations as a; f=a(); print(f[f.user_supplied]['value'].tolist())"
    out = subprocess.run([PY, "-c", code], cwd=kernel_cwd, capture_output=True, text=True, env=dict(os.environ), timeout=120, check=True)
    assert out.stdout.strip() == "[33.5]"


def test_B48_fifo_in_user_folder_is_refused_without_opening(user_dir: Path) -> None:
    os.mkfifo(user_dir / "new.csv")
    code = "import fjdata\ntry:\n fjdata.assess()\nexcept Exception as e:\n print(type(e).__name__, e)"
    out = run_limited(code, timeout=60, env={"FJDATA_USER_DATA": str(user_dir)})
    assert "DataValidationError" in out.stdout and "FIFO" in out.stdout, out.stdout + out.stderr


def test_B49_user_row_replaces_shipped_row_and_is_flagged(tmp_path: Path) -> None:
    shipped = all_observations()
    one = shipped[(shipped["indicator_id"] == "manufacturing_va_share_gdp") & (shipped["region"] == "Fujian")].iloc[-1]
    path = tmp_path / "same.csv"
    path.write_text(
        csv_text([row(year=int(one["year"]), value=float(one["value"]) + 0.1, vintage=one["vintage"], published=str(one["published"]))]),
        encoding="utf-8",
    )
    merged = all_observations(extra_data=path)
    same = merged[
        (merged["indicator_id"] == one["indicator_id"])
        & (merged["year"] == one["year"])
        & (merged["vintage"] == one["vintage"])
        & (merged["region"] == "Fujian")
    ]
    assert len(same) == 1 and bool(same["user_supplied"].iloc[0]) and same["file"].iloc[0] == "same.csv"
    assert len(merged) == len(shipped)


# --- params files (B50–B77) ----------------------------------------------------------------


def _params(tmp_path: Path, text: str, name: str = "p.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


BOMB_VALUE = 'notebook: chapter_report.ipynb\nname: b\nparameters:\n  chapter: &i [&h [&g [&f [&e [&d [&c [&b [&a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"],*a,*a,*a,*a,*a,*a,*a,*a],*b,*b,*b,*b,*b,*b,*b,*b],*c,*c,*c,*c,*c,*c,*c,*c],*d,*d,*d,*d,*d,*d,*d,*d],*e,*e,*e,*e,*e,*e,*e,*e],*f,*f,*f,*f,*f,*f,*f,*f],*g,*g,*g,*g,*g,*g,*g,*g],*h,*h,*h,*h,*h,*h,*h,*h]\n'  # noqa: E501 (the review's input, verbatim)
BOMB_TOP = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nnotebook: overview.ipynb\nname: x\n'  # noqa: E501 (the review's input, verbatim)
PARAMS_CASES: list[tuple[str, str, str, str]] = [
    ("B50", "notebook: chapter_report.ipynb\nname: x\ncolour: red\n", "colour", "unknown key; expected"),
    ("B51", "notebook: chapter_report.ipynb\nname: x\nparameters: {chapterr: '3'}\n", "parameters.chapterr", "declares chapter"),
    ("B52", "notebook: chapter_report.ipynb\nname: x\nparameters: {chapter: [1, 2]}\n", "parameters.chapter", "is not one of"),
    (
        "B53",
        "notebook: chapter_report.ipynb\nname: x\nparameters: {chapter: 9}\n",
        "parameters.chapter",
        "9 is not one of",
    ),
    ("B54", "notebook: chapter_report.ipynb\nname: x\nparameters: {lang: fr}\n", "parameters.lang", "'fr' is not 'zh' or 'en'"),
    ("B55", "notebook: chapter_report.ipynb\nname: x\nparameters: {as_of: 2100}\n", "parameters.as_of", "not a year in 2005–"),
    ("B56", BOMB_TOP, "-", "aliases (*name) are not allowed"),
    ("B57", BOMB_VALUE, "-", "aliases (*name) are not allowed"),
    ("B58", "notebook: !!python/object/apply:os.system ['touch /tmp/fjdata-pwned']\nname: x\n", "-", "could not determine a constructor"),
    ("B60", "notebook: chapter_report.ipynb\nname: x\nparameters: {extra_data: /etc/passwd}\n", "parameters.extra_data", "missing column"),
    ("B61", "notebook: chapter_report.ipynb\nname: x\nparameters: {extra_data: /etc}\n", "parameters.extra_data", "does not exist"),
    ("B62", "notebook: ../../../../etc/passwd\nname: x\n", "notebook", "is not a notebook inside"),
    ("B63", "notebook: ../../rel-p/evil.ipynb\nname: monthly\nparameters: {lang: zh}\n", "notebook", "is not a notebook inside"),
    ("B64", "notebook: chapter_report.ipynb\nname: index\nparameters: {chapter: '5'}\n", "name", "reserved for the run folder's own files"),
    ("B66", "notebook: chapter_report.ipynb\nname: ../../evil\n", "name", "must be a non-empty ASCII file stem"),
    ("B67", "notebook: chapter_report.ipynb\nname: x\nparameters:\n  chapter: '2'\n  chapter: '3'\n", "-", "duplicate key 'chapter'"),
    ("B68", "notebook: chapter_report.ipynb\nname: x\nparameters: {tolerance: .nan}\n", "parameters.tolerance", "is not a number in 0–0.5"),
    ("B69", "notebook: chapter_report.ipynb\nname: x\nparameters: {methods: [theta, prophet]}\n", "parameters.methods", "naive, drift"),
    (
        "B70",
        "notebook: chapter_report.ipynb\nname: x\nparameters: {chapter: " + "[" * 50_000 + "]" * 50_000 + "}\n",
        "-",
        "parameter files are limited to",
    ),
    (
        "B70-depth",
        "notebook: chapter_report.ipynb\nname: x\nparameters: {chapter: " + "[" * 1_000 + "]" * 1_000 + "}\n",
        "-",
        "nested deeper than",
    ),
    (
        "B71",
        "notebook: explore.ipynb\nname: x\nparameters: {indicator_id: ../../etc/passwd}\n",
        "parameters.indicator_id",
        "not an indicator id",
    ),
    ("B72", "- notebook: overview.ipynb\n", "-", "top level must be a mapping"),
    ("B73", "notebook: {overview.ipynb\nname: x\n", "-", "not valid YAML"),
]


@pytest.mark.parametrize(("case", "text", "key", "fragment"), PARAMS_CASES, ids=[c[0] for c in PARAMS_CASES])
def test_bad_params_files_name_file_and_key(tmp_path: Path, case: str, text: str, key: str, fragment: str) -> None:
    path = _params(tmp_path, text)
    started = time.monotonic()
    with pytest.raises(ParamsError) as info:
        params.load_report(path)
    assert time.monotonic() - started < 10, "refused quickly (no expansion of aliases or nesting)"
    assert info.value.key == key and fragment in info.value.problem, str(info.value)
    assert str(path) in str(info.value)
    assert not Path("/tmp/fjdata-pwned").exists()


def test_B57_alias_bomb_in_a_value_fails_only_its_report_in_bounded_memory(tmp_path: Path) -> None:
    bomb = _params(tmp_path, BOMB_VALUE, "bomb.yaml")
    batch = _params(tmp_path, f"reports:\n  - {ROOT / 'params' / 'overview.yaml'}\n  - bomb.yaml\n", "batch.yml")
    code = f"""
    from pathlib import Path
    from fjdata.batch.nightly import load_reports
    from fjdata.batch.params import load_batch
    loaded = load_reports(load_batch(Path({str(batch)!r})))
    print([s.name for s in loaded.specs], [(r.status.value, r.error.split(':')[0]) for r in loaded.results.values()])
    """
    out = run_limited(code, mem_mb=1200, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "['overview_zh']" in out.stdout and f"('invalid', '{bomb}')" in out.stdout


def test_B59_output_dir_is_overridden_by_the_run_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import papermill

    seen: dict[str, Any] = {}

    def fake_execute(src: str, dst: str, parameters: dict[str, Any], **kw: Any) -> None:
        seen.update(parameters)
        raise RuntimeError("stop here")

    monkeypatch.setattr(papermill, "execute_notebook", fake_execute)
    spec = params.load_report(
        _params(tmp_path, "notebook: overview.ipynb\nname: o\nparameters: {output_dir: ../../../../tmp/x-evil-outdir}\n")
    )
    nightly._execute(spec, str(tmp_path / "run"), 10, 0, "h")
    assert seen["output_dir"] == str(tmp_path / "run")


def test_B62_B74_unreadable_params_files_fail_only_their_report(tmp_path: Path) -> None:
    (tmp_path / "bin.yaml").write_bytes(b"\xff\xfe\x00notebook: \x81\x82\n")
    (tmp_path / "pw.yaml").write_text("notebook: ../../../../etc/passwd\nname: x\n", encoding="utf-8")
    batch = _params(tmp_path, f"reports:\n  - {ROOT / 'params' / 'overview.yaml'}\n  - bin.yaml\n  - pw.yaml\n", "batch.yml")
    loaded = nightly.load_reports(params.load_batch(batch))
    assert [s.name for s in loaded.specs] == ["overview_zh"]
    errors = {Path(r.params_file).name: r.error or "" for r in loaded.results.values()}
    assert "not UTF-8" in errors["bin.yaml"] and "is not a notebook inside" in errors["pw.yaml"]


def test_B63_no_params_file_can_run_a_notebook_outside_notebooks(tmp_path: Path) -> None:
    evil = tmp_path / "evil.ipynb"
    evil.write_text("{}", encoding="utf-8")
    rel = os.path.relpath(evil, config.notebooks_dir())
    for target in (rel, str(evil), "../params/overview.yaml"):
        with pytest.raises(ParamsError, match="is not a notebook inside"):
            params.load_report(_params(tmp_path, f"notebook: {target}\nname: m\n"))


def test_B65_duplicate_report_names_keep_the_first_and_reject_the_second(tmp_path: Path) -> None:
    dup = _params(
        tmp_path, (ROOT / "params" / "chapter_5.yaml").read_text(encoding="utf-8").replace('chapter: "5"', 'chapter: "1"'), "dup.yaml"
    )
    batch = _params(tmp_path, f"reports:\n  - {ROOT / 'params' / 'chapter_5.yaml'}\n  - dup.yaml\n", "b5.yml")
    loaded = nightly.load_reports(params.load_batch(batch))
    assert [s.name for s in loaded.specs] == ["chapter_5_zh"]
    (rejected,) = loaded.results.values()
    assert rejected.status.value == "invalid" and "names must be unique" in (rejected.error or "") and str(dup) == rejected.params_file


def test_B75_documented_extreme_years_are_accepted(tmp_path: Path) -> None:
    spec = params.load_report(_params(tmp_path, "notebook: chapter_report.ipynb\nname: x\nparameters: {mid_year: 2005, as_of: 2010}\n"))
    assert spec.parameters["as_of"] == 2010


def test_B76_extra_data_fifo_is_invalid_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "p.csv"
    os.mkfifo(fifo)
    with pytest.raises(ParamsError, match=r"does not exist|not a regular file"):
        params.load_report(_params(tmp_path, f"notebook: chapter_report.ipynb\nname: x\nparameters: {{extra_data: {fifo}}}\n"))


def test_B77_html_in_title_is_escaped_in_the_index(tmp_path: Path) -> None:
    from fjdata.batch.run_index import index_html

    evil = "<script>alert('t')</script>"
    res = nightly.ReportResult("x", nightly.ReportStatus.SUCCESS, 1.0, "p.yaml", "overview.ipynb", {}, title=evil, html="x.html")
    page = index_html(nightly.RunResult(tmp_path, (res,), "s", "f", "h"), "2026-01-01")
    assert evil not in page and "&lt;script&gt;" in page


# --- notebook parameters injected by papermill (B78, B79) ----------------------------------

NOTEBOOK_CASES = [
    ("B78", {"chapter": "9"}, "chapter", "is not one of"),
    ("B78-lang", {"lang": "fr"}, "lang", "'fr' is not 'zh' or 'en'"),
    ("B78-name", {"chapterr": "3"}, "chapterr", "did you mean 'chapter'"),
    ("B79", {"as_of": 1800}, "as_of", "not a year in 2005–"),
]


@pytest.mark.parametrize(("case", "injected", "key", "fragment"), NOTEBOOK_CASES, ids=[c[0] for c in NOTEBOOK_CASES])
def test_notebooks_refuse_bad_injected_parameters(case: str, injected: dict[str, object], key: str, fragment: str) -> None:
    namespace = {**params.notebook_parameters(config.notebooks_dir() / "chapter_report.ipynb"), **injected, "In": [], "get_ipython": print}
    with pytest.raises(ParamsError) as info:
        params.check_injected_parameters("chapter_report.ipynb", namespace)
    assert info.value.key == key and fragment in info.value.problem


def test_every_notebook_checks_its_parameters_right_after_the_parameters_cell() -> None:
    import nbformat

    for path in sorted(config.notebooks_dir().glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        i = next(k for k, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
        assert f'check_injected_parameters("{path.name}", dict(globals()))' in nb.cells[i + 1].source, path.name
        params.check_injected_parameters(path.name, params.notebook_parameters(path))  # the defaults pass


# --- command line (B80–B94) ----------------------------------------------------------------

CLI_CASES: list[tuple[str, list[str], int, str]] = [
    ("B80", ["project", "nosuch_indicator"], 2, "unknown indicator 'nosuch_indicator'"),
    ("B81", ["project", "gdp_real_growth", "--method", "bogus"], 2, "method 'bogus' is not valid"),
    ("B81-empty", ["project", "gdp_real_growth", "--method", ""], 2, "valid choices: auto"),
    ("B83", ["assess", "--as-of", "1800"], 2, "outside the data range 2005–"),
    ("B83-future", ["assess", "--as-of", "2100"], 2, "outside the data range 2005–"),
    ("B84", ["assess", "--chapter", "9"], 2, "chapter '9' is not valid; valid choices: 1, 2, 3, 4, 5, annex"),
    ("B84-targets", ["targets", "--chapter", "9"], 2, "valid choices: 1, 2, 3, 4, 5, annex"),
    ("B85", ["project", "gdp_real_growth", "--to-year", "3000"], 2, "to_year 3000 is outside 1991–2035"),
    ("B86", ["project", "gdp_real_growth", "--to-year", "100000"], 2, "to_year 100000 is outside"),
    ("B87", ["project", "gdp_real_growth", "--to-year", "1990"], 2, "to_year 1990 is outside"),
    ("B91", ["backtest", "--indicator", "nosuch"], 2, "unknown indicator 'nosuch'"),
    ("B92", ["data", "coverage", "--start", "2030", "--end", "2000"], 2, "need 1990 ≤ start ≤ end ≤ 2100"),
]


@pytest.mark.parametrize(("case", "argv", "rc", "fragment"), CLI_CASES, ids=[c[0] for c in CLI_CASES])
def test_cli_refuses_nonsense_with_a_clear_message(
    capsys: pytest.CaptureFixture[str], case: str, argv: list[str], rc: int, fragment: str
) -> None:
    assert cli.main(argv) == rc
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err, err


ARGPARSE_CASES = [
    ("B82", ["assess", "--as-of", "abc"], "invalid int value"),
    ("B88-bare", ["nightly", "--only"], "expected at least one argument"),
    ("B89", ["nightly", "--workers", "0"], "0 is not in 1–64"),
    ("B89-negative", ["nightly", "--workers", "-1"], "-1 is not in 1–64"),
    ("B90", ["nightly", "--workers", "1000"], "1000 is not in 1–64"),
    ("B93", ["targets", "--format", "xml"], "invalid choice: 'xml'"),
]


@pytest.mark.parametrize(("case", "argv", "fragment"), ARGPARSE_CASES, ids=[c[0] for c in ARGPARSE_CASES])
def test_cli_arguments_are_checked_by_the_parser(capsys: pytest.CaptureFixture[str], case: str, argv: list[str], fragment: str) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(argv)
    assert info.value.code == 2 and fragment in capsys.readouterr().err


def test_B88_only_with_unknown_name_says_nothing_matched(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["nightly", "--only", "nosuch", "--outputs", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "no report named nosuch; the batch has overview_zh" in err
    assert not [p for p in (tmp_path / "out").iterdir() if not p.name.startswith(".")]  # no empty run folder


def test_B94_outputs_is_a_file_or_batch_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "hostname"
    file.write_text("x", encoding="utf-8")
    assert cli.main(["nightly", "--outputs", str(file)]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err
    assert cli.main(["nightly", "--batch", str(tmp_path / "none.yml")]) == 2
    assert "file not found" in capsys.readouterr().err
    assert cli.main(["nightly", "--batch", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err


# --- the cache (F07–F10, F13, F18, K2) -----------------------------------------------------


@pytest.fixture
def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("FJDATA_CACHE", str(folder))
    return folder


def _stored(namespace: str, parts: dict[str, object]) -> Path:
    return cache.entry_path(namespace, parts)


@pytest.mark.parametrize("damage", ["truncate", "random", "empty"])
def test_F07_damaged_entries_are_misses(fresh_cache: Path, damage: str) -> None:
    parts = {"k": damage}
    assert cache.cached("t", parts, lambda: {"p": 0.25}) == {"p": 0.25}
    path = _stored("t", parts)
    blob = path.read_bytes()
    path.write_bytes({"truncate": blob[: len(blob) // 2], "random": os.urandom(len(blob)), "empty": b""}[damage])
    assert cache.cached("t", parts, lambda: {"p": 0.5}) == {"p": 0.5}  # recomputed, not the damaged value
    assert cache.cached("t", parts, lambda: {"p": 0.75}) == {"p": 0.5}  # and stored again


def test_F08_an_entry_with_one_float_changed_is_a_miss(fresh_cache: Path) -> None:
    import struct

    parts = {"k": "f08"}
    cache.cached("t", parts, lambda: {"model_prob": 0.00023526856501543403})
    path = _stored("t", parts)
    blob = path.read_bytes()
    tampered = blob.replace(struct.pack("<d", 0.00023526856501543403), struct.pack("<d", 0.97), 1)
    tampered = tampered if tampered != blob else blob[:-3] + bytes([blob[-3] ^ 1]) + blob[-2:]
    path.write_bytes(tampered)
    assert cache.cached("t", parts, lambda: {"model_prob": 0.00023526856501543403})["model_prob"] == 0.00023526856501543403


def test_F09_F10_foreign_pickles_are_never_unpickled(fresh_cache: Path) -> None:
    marker = fresh_cache.parent / "PWNED"

    class Evil:
        def __reduce__(self) -> tuple[Callable[..., Any], tuple[str]]:
            return (os.system, (f"touch {marker}",))

    parts = {"k": "f10"}
    cache.cached("t", parts, lambda: 1)
    for payload in (pickle.dumps({"assessment": "wrong type"}), pickle.dumps(Evil())):
        _stored("t", parts).write_bytes(payload)
        assert cache.cached("t", parts, lambda: 2) == 2
    key = cache.secret_key()
    assert key is not None
    _stored("t", parts).write_bytes(cache.seal(pickle.dumps(Evil()), b"\0" * 32))  # sealed with the wrong key
    assert cache.cached("t", parts, lambda: 3) == 3
    assert not marker.exists()
    assert (fresh_cache.stat().st_mode & 0o777) == 0o700 and ((fresh_cache / cache.KEY_FILE).stat().st_mode & 0o777) == 0o600


def test_F13_a_full_cache_folder_only_costs_recomputation(fresh_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(path: Path, data: bytes, mode: int = 0o644) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(cache, "atomic_write_bytes", full)
    assert cache.cached("t", {"k": "f13"}, lambda: 5) == 5
    assert not list(fresh_cache.glob("t-*"))


def test_F18_overlay_rewritten_with_its_old_mtime_is_read_again(tmp_path: Path) -> None:
    f = tmp_path / "x-stale.csv"
    f.write_text(csv_text([row(value=33.5)]), encoding="utf-8")
    st = f.stat()

    def latest() -> float:
        frame = all_observations(extra_data=f)
        return float(frame[frame["user_supplied"]]["value"].iloc[0])

    assert latest() == 33.5
    f.write_text(csv_text([row(value=20.1)]), encoding="utf-8")
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert f.stat().st_mtime_ns == st.st_mtime_ns
    assert latest() == 20.1
    assert data_fingerprint(f) != ""  # the results key follows the same content


def test_K2_cache_key_follows_overlay_changes(user_dir: Path) -> None:
    base = data_fingerprint()
    path = user_dir / "k2.csv"
    path.write_text(csv_text([row(value=33.5)]), encoding="utf-8")
    added = data_fingerprint()
    path.write_text(csv_text([row(value=29.9)]), encoding="utf-8")
    edited = data_fingerprint()
    path.unlink()
    assert len({base, added, edited}) == 3 and data_fingerprint() == base


# --- fault drills (F01–F06, F11, F12, F14–F17, K1) ------------------------------------------

SLEEPY = {
    "cells": [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "p",
            "metadata": {"tags": ["parameters"]},
            "outputs": [],
            "source": "seconds = 60",
        },
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "s",
            "metadata": {},
            "outputs": [],
            "source": "import time\ntime.sleep(seconds)",
        },
    ],
    "metadata": {"kernelspec": {"name": "fjdata", "display_name": "fjdata", "language": "python"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}


def _descendants(pid: int) -> set[int]:
    out: set[int] = set()
    for status in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = status.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                child = int(status.parent.name)
                out |= {child, *_descendants(child)}
    return out


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        with contextlib.suppress(OSError):
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            if state != "Z":
                alive.add(pid)
    return alive


@pytest.fixture
def sleepy_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    (home / "notebooks").mkdir(parents=True)
    (home / "params").mkdir()
    (home / "notebooks" / "sleepy.ipynb").write_text(json.dumps(SLEEPY), encoding="utf-8")
    for i in range(3):
        (home / "params" / f"s{i}.yaml").write_text(f"notebook: sleepy.ipynb\nname: s{i}\n", encoding="utf-8")
    (home / "params" / "nightly.yaml").write_text("reports: [s0.yaml, s1.yaml, s2.yaml]\nworkers: 2\n", encoding="utf-8")
    return home


def _start_sleepy_nightly(home: Path) -> tuple[subprocess.Popen[str], set[int]]:
    env = {**os.environ, "FJDATA_HOME": str(home), "FJDATA_OUTPUTS": str(home / "outputs")}
    log = home / "nightly.log"
    with log.open("w") as fh:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen(
            [PY, "-m", "fjdata.cli", "nightly"], env=env, text=True, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.monotonic() + 240
    kids: set[int] = set()
    while time.monotonic() < deadline:  # wait until workers have started kernels
        kids = _descendants(proc.pid)
        if len(kids) >= 4:
            break
        time.sleep(0.5)
    assert len(kids) >= 4, f"no kernels started: {proc.poll()} {log.read_text()[-2000:]}"
    time.sleep(2)
    return proc, _descendants(proc.pid)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("case", "sig"), [("F01", signal.SIGKILL), ("F02", signal.SIGTERM), ("F03", signal.SIGINT)], ids=["F01", "F02", "F03"]
)
def test_killed_nightly_leaves_no_orphans_and_no_dated_folder(sleepy_home: Path, case: str, sig: int) -> None:
    proc, kids = _start_sleepy_nightly(sleepy_home)
    if sig == signal.SIGINT:
        os.killpg(proc.pid, sig)  # Ctrl-C goes to the whole process group
    else:
        os.kill(proc.pid, sig)
    proc.wait(timeout=60)
    deadline = time.monotonic() + 30
    while _alive(kids) and time.monotonic() < deadline:
        time.sleep(0.5)
    left = _alive(kids)
    for pid in left:  # clean up what the test started, by pid, before failing
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    assert not left, f"orphaned processes: {left}"
    outputs = sleepy_home / "outputs"
    assert not [p for p in outputs.iterdir() if not p.name.startswith(".")], "no dated folder, no latest"
    if sig != signal.SIGKILL:  # a handled signal also removes the staging folder
        assert not list(outputs.glob(".staging-*"))
    else:  # kill -9 cannot be handled: the next run removes the dead run's staging at once, not after a day
        left_behind = list(outputs.glob(".staging-*"))
        assert left_behind and nightly.remove_stale_staging(outputs) == left_behind


def _fake_papermill(monkeypatch: pytest.MonkeyPatch, failures: list[BaseException]) -> list[int]:
    import papermill

    calls: list[int] = []

    def fake(src: str, dst: str, **kw: Any) -> None:
        calls.append(1)
        if failures:
            raise failures.pop(0)
        shutil.copy(src, dst)

    monkeypatch.setattr(papermill, "execute_notebook", fake)
    return calls


def test_F04_a_kernel_that_dies_once_is_retried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nbclient.exceptions import DeadKernelError

    calls = _fake_papermill(monkeypatch, [DeadKernelError("Kernel died")])
    spec = params.load_report(ROOT / "params" / "overview.yaml")
    res = nightly._execute(spec, str(tmp_path), 10, 1, "h")
    assert res.status.value == "success" and res.attempts == 2 and len(calls) == 2


def test_F05_a_kernel_that_keeps_dying_is_recorded_as_failed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_papermill(monkeypatch, [RuntimeError("Kernel died before replying to kernel_info")] * 3)
    spec = params.load_report(ROOT / "params" / "overview.yaml")
    res = nightly._execute(spec, str(tmp_path), 10, 1, "h")
    assert res.status.value == "failed" and res.attempts == 2 and "Kernel died" in (res.error or "")


def test_F06_concurrent_runs_claim_separate_folders(tmp_path: Path) -> None:
    claimed: list[Path] = []
    threads = [threading.Thread(target=lambda: claimed.append(nightly._claim_run_folder(tmp_path, "2026-11-29"))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(claimed)) == 8


def _invalid_only_batch(tmp_path: Path) -> Path:
    bad = _params(tmp_path, "notebook: nosuch.ipynb\nname: x\n", "bad.yaml")
    return _params(tmp_path, f"reports: [{bad.name}]\n", "batch.yml")


def test_F11_read_only_outputs_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real_mkdir = Path.mkdir

    def read_only(self: Path, *a: Any, **kw: Any) -> None:
        if self.name.startswith(".probe-"):
            raise OSError(errno.EROFS, "Read-only file system", str(self))
        real_mkdir(self, *a, **kw)

    monkeypatch.setattr(Path, "mkdir", read_only)
    assert cli.main(["nightly", "--batch", str(_invalid_only_batch(tmp_path)), "--outputs", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "cannot write to" in err and "Read-only file system" in err and "Traceback" not in err


def test_F12_full_disk_says_no_space_and_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    batch = _invalid_only_batch(tmp_path)
    # (a) too little space: refused up front, with the words "no space".
    monkeypatch.setattr(nightly.shutil, "disk_usage", lambda p: shutil._ntuple_diskusage(7_000_000, 6_900_000, 100_000))  # type: ignore[attr-defined]
    assert cli.main(["nightly", "--batch", str(batch), "--outputs", str(out)]) == 2
    assert "no space" in capsys.readouterr().err
    monkeypatch.undo()
    # (b) the disk fills while the run is written: no empty dated folder, no staging kept.
    real = nightly.atomic_write_bytes

    def fill(path: Path, data: bytes, mode: int = 0o644) -> None:
        if path.name == "manifest.json":
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, data, mode)

    monkeypatch.setattr(nightly, "atomic_write_bytes", fill)
    with pytest.raises(FjdataError, match="no space left"):
        nightly.run_nightly(batch, out)
    assert sorted(p.name for p in out.iterdir()) == []


def test_F14_runtime_never_needs_the_plan_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FJDATA_PLAN_TEXT", "/nonexistent/plan.txt")
    users = [p.name for p in config.PACKAGE_DIR.rglob("*.py") if "plan_text_file" in p.read_text(encoding="utf-8")]
    assert users == []
    assert not plan_text_file().exists()


def test_F15_any_working_directory_gives_the_same_result(tmp_path: Path) -> None:
    code = "import fjdata; print(fjdata.targets(chapter=2)['target_id'].tolist(), fjdata.series('rd_intensity').iloc[-1])"
    a = subprocess.run([PY, "-c", code], cwd="/", capture_output=True, text=True, timeout=120, check=True).stdout
    b = subprocess.run([PY, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=True).stdout
    assert a == b and a.strip()


def test_F16_only_stale_staging_folders_are_removed(tmp_path: Path) -> None:
    old = tmp_path / ".staging-2026-01-01-aaaa"
    keep = tmp_path / ".staging-manual-keep"
    fresh = tmp_path / ".staging-now"
    dated = tmp_path / "2026-01-01"
    for p in (old, keep, fresh, dated):
        p.mkdir()
    for p in (old, keep, dated):
        os.utime(p, (time.time() - 3 * 86400,) * 2)
    dead = tmp_path / ".staging-dead-owner"
    alive = tmp_path / ".staging-live-owner"
    for p, pid in ((dead, _dead_pid()), (alive, os.getpid())):
        p.mkdir()
        (p / nightly.OWNER_FILE).write_text(f"{socket.gethostname()} {pid}", encoding="utf-8")
    removed = nightly.remove_stale_staging(tmp_path)
    assert set(removed) == {old, keep, dead} and fresh.is_dir() and dated.is_dir() and alive.is_dir()


def _dead_pid() -> int:
    proc = subprocess.run([PY, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    return int(proc.stdout)


def test_F17_a_real_latest_folder_is_never_replaced(tmp_path: Path) -> None:
    (tmp_path / "latest").mkdir()
    run = tmp_path / "2026-11-29"
    run.mkdir()
    with pytest.raises(FjdataError, match="is a real folder"):
        nightly._update_latest(tmp_path, run)
    assert (tmp_path / "latest").is_dir() and not (tmp_path / "latest").is_symlink()
    assert not list(tmp_path.glob(".latest-*"))


def test_K1_assessment_is_deterministic_across_processes() -> None:
    code = "import fjdata; print(fjdata.assess(chapter=2, use_cache=False).to_csv(index=False))"
    outs = [
        subprocess.run(
            [PY, "-c", code], capture_output=True, text=True, timeout=600, check=True, env={**os.environ, "PYTHONHASHSEED": seed}
        ).stdout
        for seed in ("1", "2")
    ]
    assert outs[0] == outs[1] and len(outs[0].splitlines()) > 5


# --- the API refuses nonsense (the silent wrong answers) ----------------------------

API_CASES: list[tuple[str, Callable[[], object], str]] = [
    ("vintage_rule", lambda: __import__("fjdata").assess(vintage_rule="newest"), "did you mean 'latest'"),
    ("chapter", lambda: __import__("fjdata").targets(chapter=6), "valid choices: 1, 2, 3, 4, 5, annex"),
    ("as_of_low", lambda: __import__("fjdata").assess(as_of=1990), "outside the data range"),
    ("as_of_high", lambda: __import__("fjdata").assess(as_of=2100), "outside the data range"),
    ("series_as_of", lambda: __import__("fjdata").series("rd_intensity", as_of=1800), "outside the data range"),
    ("method", lambda: __import__("fjdata").project("gdp_real_growth", method="thetaa"), "did you mean 'theta'"),
]


@pytest.mark.parametrize(("case", "call", "fragment"), API_CASES, ids=[c[0] for c in API_CASES])
def test_api_refuses_nonsense_with_valid_choices(case: str, call: Callable[[], object], fragment: str) -> None:
    with pytest.raises(ArgumentError, match=None) as info:
        call()
    assert fragment in str(info.value)


def test_unknown_ids_raise_keyerror_with_a_suggestion() -> None:
    import fjdata

    with pytest.raises(KeyError, match="did you mean 'rd_intensity'"):
        fjdata.series("rd_intensty")
    with pytest.raises(KeyError, match="did you mean 'c2_mfg_share_gdp'"):
        fjdata.target("c2_mfg_share_gdpp")


def test_readme_project_example_is_non_empty_or_says_why() -> None:
    import fjdata

    proj = fjdata.project("gdp_real_growth", method="theta", to_year=2025)
    try:
        frame = proj.frame()
    except ValueError as exc:
        assert "nothing to forecast" in str(exc) and "2025" in str(exc)
    else:
        assert not frame.empty
    assert not fjdata.project("gdp_real_growth", method="theta", to_year=2027).frame().empty


def _count_cases() -> int:
    """How many review case ids this file covers (asserted ≥ 110 below)."""
    ids: set[str] = set()
    for table in (CSV_ERRORS, CSV_ACCEPTED, PARAMS_CASES, NOTEBOOK_CASES, CLI_CASES, ARGPARSE_CASES):
        ids |= {str(c[0]).split("-")[0] for c in table}
    import re

    for name in globals():
        ids |= {m.group(0) for m in re.finditer(r"(?<![A-Za-z0-9])[BFK]\d{1,2}(?![0-9])", name)}
    ids |= {"F01", "F02", "F03", "F07"}
    return len(ids)


def test_the_catalogue_covers_at_least_110_review_cases() -> None:
    assert _count_cases() >= 110, _count_cases()


_ = (Iterator, pd, json)


def test_kernel_socket_folder_must_be_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The review's hardening note: a socket folder another user could write is refused."""
    from fjdata.batch import kernel

    monkeypatch.setattr(kernel.tempfile, "gettempdir", lambda: str(tmp_path))
    assert kernel.ipc_dir().stat().st_mode & 0o777 == 0o700
    kernel.ipc_dir().chmod(0o777)
    with pytest.raises(FjdataError, match="is not a private folder"):
        kernel.ipc_dir()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("case", "args", "fragment"),
    [("B78-papermill", ["-p", "langg", "en"], "unknown parameter"), ("B79-papermill", ["-p", "as_of", "1800"], "not a year")],
)
def test_plain_papermill_fails_on_a_bad_parameter(tmp_path: Path, case: str, args: list[str], fragment: str) -> None:
    """Papermill only warns about an unknown name; our notebooks refuse it (and bad values), so the run exits non-zero."""
    papermill = Path(sys.executable).parent / "papermill"
    cmd = [
        str(papermill),
        str(ROOT / "notebooks" / "overview.ipynb"),
        str(tmp_path / "out.ipynb"),
        "-k",
        "fjdata",
        *args,
        "--no-progress-bar",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode != 0 and "ParamsError" in proc.stderr and fragment in proc.stderr, proc.stderr[-2000:]


@pytest.mark.slow
def test_B47_end_to_end_batch_and_kernels_use_the_same_relative_extra_data(tmp_path: Path) -> None:
    """The review's repro: a relative FJDATA_EXTRA_DATA, with a same-named decoy in notebooks/.
    The batch tables and the report rendered in a kernel must show the same (the user's) number."""
    home = tmp_path / "home"
    shutil.copytree(ROOT / "notebooks", home / "notebooks")
    shutil.copytree(ROOT / "params", home / "params")
    shutil.copytree(ROOT / "drafts", home / "drafts")
    (home / "my_figs.csv").write_text(csv_text([row(value=33.5)]), encoding="utf-8")
    (home / "notebooks" / "my_figs.csv").write_text(csv_text([row(value=20.1)]), encoding="utf-8")
    env = {**os.environ, "FJDATA_HOME": str(home), "FJDATA_OUTPUTS": str(home / "outputs"), "FJDATA_EXTRA_DATA": "my_figs.csv"}
    proc = subprocess.run(
        [PY, "-m", "fjdata.cli", "nightly", "--only", "chapter_2_zh"],
        cwd=home,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (folder,) = [p for p in (home / "outputs").iterdir() if p.is_dir() and not p.name.startswith(".") and p.name != "latest"]
    table = pd.read_csv(folder / "assessment.csv")
    latest = table[(table["target_id"] == "c2_mfg_share_gdp") & (table["view"] == "latest")]
    assert latest["latest_value"].tolist() == [33.5] and latest["latest_year"].tolist() == [2025]
    page = (folder / "chapter_2_zh.html").read_text(encoding="utf-8")
    assert re.search(r"33\.5%(<[^>]*>)*（2025年）", page) and "20.1%" not in page  # the value, then its year


def test_cli_project_default_year_always_gives_a_forecast(capsys: pytest.CaptureFixture[str]) -> None:
    """README's `fjdata project gdp_real_growth`: data reach 2025, so the default is the year after."""
    assert cli.main(["project", "gdp_real_growth", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert "\n2026," in out
