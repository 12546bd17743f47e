"""The ``fjdata`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from fjdata.core.errors import FjdataError
from fjdata.core.inert import inert_frame
from fjdata.inputs.observations import REGIONS


def _emit(frame: pd.DataFrame, fmt: str) -> None:
    if fmt == "csv":
        sys.stdout.write(inert_frame(frame).to_csv(index=False))  # meant for Excel: no live formula
    elif fmt == "json":
        sys.stdout.write(frame.to_json(orient="records", force_ascii=False, indent=1) + "\n")
    else:
        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200, "display.max_colwidth", 40):
            sys.stdout.write(frame.to_string(index=False) + "\n")


def _targets(args: argparse.Namespace) -> int:
    from fjdata.inputs.registry import targets

    frame = targets(args.chapter, plan=args.plan)
    if args.format == "table":
        frame = frame[["target_id", "chapter", "column_box", "name_zh", "kind", "target_op", "target_value", "unit", "attribute"]]
    _emit(frame, args.format)
    return 0


def _data_check(args: argparse.Namespace) -> int:
    from fjdata.inputs.observations import all_observations, check_file, implausible_jumps

    if args.file:
        from fjdata.inputs.observations import read_csv

        warnings = check_file(args.file)
        print(f"{args.file}: OK ({len(read_csv(args.file, origin='user'))} rows)")
    else:
        frame = all_observations()
        warnings = implausible_jumps(frame)
        print(f"shipped + user data: OK ({len(frame)} rows, {frame['indicator_id'].nunique()} indicators)")
    for w in warnings:
        print(f"warning: implausible jump: {w}")
    return 0


def _data_coverage(args: argparse.Namespace) -> int:
    from fjdata.inputs.observations import YEAR_RANGE, coverage
    from fjdata.inputs.plan import get_plan

    plan = get_plan()
    end = plan.end_year if args.end is None else args.end
    if not YEAR_RANGE[0] <= args.start <= end <= YEAR_RANGE[1]:
        raise ValueError(f"--start {args.start} --end {end}: need {YEAR_RANGE[0]} ≤ start ≤ end ≤ {YEAR_RANGE[1]}")
    table = coverage(args.region or plan.region, range(args.start, end + 1))
    table.columns = [str(c) for c in table.columns]
    _emit(table.reset_index(names="indicator_id"), args.format)
    print("● final  p preliminary  r revised  d derived  o only in another vintage  · missing  + other versions exist", file=sys.stderr)
    return 0


# --- department data loop (issue 12): questionnaire out, filled questionnaire in -------------------------
def _data_request(args: argparse.Namespace) -> int:
    from fjdata.department.questionnaire import parse_years, write_request, write_requests_by_department

    try:
        years = parse_years(args.years)
    except ValueError as exc:
        print(f"error: --years: {exc}", file=sys.stderr)
        return 2
    if args.by_department:
        for s in write_requests_by_department(args.output or Path(), args.chapter, years, args.lang, plan=args.plan):
            print(f"{s.path}: {s.data_rows} figure rows, {s.statement_rows} statement rows")
        return 0
    out = args.output or Path(f"request_{args.lang}.xlsx")
    summary = write_request(out, args.chapter, years, args.lang, plan=args.plan)
    reasons = ", ".join(f"{k} {v}" for k, v in sorted(summary.reasons.items()))
    print(f"{summary.path}: {summary.data_rows} figure rows ({reasons}), {summary.statement_rows} statement rows")
    return 0


def _data_import(args: argparse.Namespace) -> int:
    from fjdata.department.intake import import_workbook

    result = import_workbook(args.file, compare=not args.no_compare)
    print(result.summary())
    return 0


def _what_if(items: Sequence[str] | None) -> dict[str, dict[int, float]]:
    """``KEY:YEAR=VALUE`` options (e.g. ``c2_mfg_share_gdp:2025=32.5``) as the ``what_if`` mapping."""
    out: dict[str, dict[int, float]] = {}
    for item in items or ():
        key, sep, rest = item.partition(":")
        year, eq, value = rest.partition("=")
        try:
            if not (sep and eq and key):
                raise ValueError
            out.setdefault(key, {})[int(year)] = float(value)
        except ValueError:
            raise ValueError(f"--what-if {item!r}: expected TARGET_OR_INDICATOR:YEAR=VALUE, e.g. c2_mfg_share_gdp:2025=32.5") from None
    return out


def _assess(args: argparse.Namespace) -> int:
    from fjdata.assess.assessment import assess

    frame = assess(
        args.chapter,
        args.as_of,
        method=_methods(args.method),
        tolerance=args.tolerance,
        vintage_rule=args.vintage_rule,
        extra_data=args.extra_data or None,
        use_cache=not args.no_cache,
        plan=args.plan,
        what_if=_what_if(args.what_if),
    )
    if args.format == "table":
        columns = ["target_id", "latest_year", "n_obs", "overall_label_zh", "attainment", "years_missing", "cn_label_zh", "sdg_label_zh"]
        columns += ["model_label_zh", "model_prob_band", *(["model_prob"] if args.raw else []), *(["what_if"] if args.what_if else [])]
        frame = frame[columns]
    elif not args.raw:
        frame = frame.drop(columns=["model_prob"])
    _emit(frame, args.format)
    return 0


_FEASIBILITY_LEGEND = (
    "rates are % a year (pp a year where rate_unit is pp: a share); chance as a band (--raw for the number); "
    "value_p50/p75/p90: the value reached with 50/75/90% chance (for a floor, a higher chance gives a lower value)"
)


def _rounded(frame: pd.DataFrame) -> pd.DataFrame:
    """One decimal for every figure a person reads on the terminal (no 0.272 next to 2184.6)."""
    numbers = frame.select_dtypes("float").columns
    return frame.assign(**{c: frame[c].round(1) for c in numbers if c != "probability"})


def _feasibility(args: argparse.Namespace) -> int:
    from fjdata.assess.feasibility import assess_drafts, feasibility_frame

    results = assess_drafts(args.file, _methods(args.method), args.as_of, args.extra_data or None)
    frame = feasibility_frame(results, raw=args.raw)
    if args.format == "table":
        columns = ["name", "target", "target_year", "unit", "last_year", "rate_unit", "required_rate", "achieved_rate_5y"]
        columns += [
            "achieved_rate_10y",
            "probability_band",
            *(["probability"] if args.raw else []),
            "value_p50",
            "value_p75",
            "value_p90",
            "note",
        ]
        frame = _rounded(frame[columns])
        print(_FEASIBILITY_LEGEND, file=sys.stderr)
    _emit(frame, args.format)
    return 0


def _draft(args: argparse.Namespace) -> int:
    from fjdata.assess.drafting import draft_report

    report = draft_report(args.file, _methods(args.method), args.as_of, args.extra_data or None)
    frame = report.frame(raw=args.raw)
    if args.format == "table":
        columns = ["name", "target", "previous_target", "previous_outcome", "previous_status", "last_year", "rate_unit", "required_rate"]
        columns += ["achieved_rate_5y", "achieved_rate_10y", "probability_band", *(["probability"] if args.raw else [])]
        columns += ["value_p50", "value_p75", "value_p90", "consistency", "note"]
        frame = _rounded(frame[columns])
        title = report.draft.title or report.draft.path.name
        print(title + (f" — {report.draft.note}" if report.draft.note else ""), file=sys.stderr)
        print(_FEASIBILITY_LEGEND, file=sys.stderr)
    _emit(frame, args.format)
    return 0


def _methods(methods: Sequence[str] | None) -> str | list[str]:
    """``--method`` given once, several times, or not at all ("auto")."""
    if not methods:
        return "auto"
    return methods[0] if len(methods) == 1 else list(methods)


def _backtest(args: argparse.Namespace) -> int:
    from fjdata.forecast.backtest import backtest

    _emit(backtest(args.indicator), args.format)
    return 0


def _project(args: argparse.Namespace) -> int:
    from fjdata.forecast.auto import project

    to_year = args.to_year
    if to_year is None:  # the plan's target year, or the year after the data when it already reaches it
        from fjdata.inputs.observations import series
        from fjdata.inputs.plan import get_plan

        end = get_plan().end_year
        observed = series(args.indicator)
        to_year = max(end, int(observed.index[-1].year) + 1) if len(observed) else end
    proj = project(args.indicator, args.method, to_year)
    if proj.forecast is None:
        print(f"{args.indicator}: no forecast to {to_year}; " + "; ".join(f"{k}: {v}" for k, v in proj.skipped.items()))
        return 1
    print(f"{args.indicator}: {proj.forecast.method} on {proj.forecast.n_obs} points {proj.forecast.fit_years}")
    _emit(proj.frame(), args.format)
    return 0


def _nightly(args: argparse.Namespace) -> int:
    from fjdata.batch.nightly import run_nightly

    run = run_nightly(args.batch, args.outputs, args.workers, args.only or None, pdf=False if args.no_pdf else None)
    for r in run.reports:
        print(f"{r.status.value:8s} {r.duration_s:7.1f}s  {r.name}" + (f"  — {r.error.splitlines()[0]}" if r.error else ""))
    print(f"run folder: {run.folder}")
    print(f"index: {run.folder / 'index.html'}")
    if run.latest_updated:
        print("latest -> this run")
    else:
        why = "some reports failed" if not run.ok else "not the whole batch, the tables failed, or the data changed during the run"
        print(f"latest NOT updated ({why})")
    return 0 if run.ok and not run.extra.get("data_changed") else 1


def _workers(text: str) -> int:
    from fjdata.batch.nightly import MAX_WORKERS

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if not 1 <= value <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"{value} is not in 1–{MAX_WORKERS}")
    return value


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="fjdata", description="Plan targets as data: cited figures, projections, assessment, reports.")
    sub = p.add_subparsers(dest="command", required=True)

    def add_format(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--format", choices=["table", "csv", "json"], default="table", help="output layout (default: table)")

    def add_raw(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--raw", action="store_true", help="also print probabilities as numbers (default: only their bands, e.g. 50–75%%)")

    def add_view_options(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--as-of", type=int, dest="as_of", help="use only what was published by the end of this year (default: all data)")
        sp.add_argument(
            "--method",
            action="append",
            help="projection method: auto (default), combination, or a method; repeat it to combine methods with equal weights",
        )
        sp.add_argument(
            "--extra-data",
            dest="extra_data",
            action="append",
            type=Path,
            metavar="CSV",
            help="a CSV file of cited observations overlaid on the shipped data (repeatable; see `fjdata data check`)",
        )

    t = sub.add_parser("targets", help="the plan's target registry")
    t.add_argument("--chapter", help="one of the plan's chapters (e.g. 1–5 or annex)")
    t.add_argument("--plan", help="a plan id (a folder in plans/; default: the default plan)")
    add_format(t)
    t.set_defaults(func=_targets)

    d = sub.add_parser("data", help="observed data: check files, show coverage")
    dsub = d.add_subparsers(dest="data_command", required=True)
    c = dsub.add_parser("check", help="validate a CSV of observations (default: all shipped and user data)")
    c.add_argument("file", nargs="?", type=Path)
    c.set_defaults(func=_data_check)
    cov = dsub.add_parser("coverage", help="indicator × year coverage table")
    cov.add_argument("--region", choices=list(REGIONS), help="default: the default plan's region")
    cov.add_argument("--start", type=int, default=2010, help="first year shown (default 2010)")
    cov.add_argument("--end", type=int, help="default: the default plan's end year")
    add_format(cov)
    cov.set_defaults(func=_data_coverage)
    req = dsub.add_parser("request", help="write the department questionnaire (XLSX) for every missing or weak figure")
    req.add_argument("--chapter", help="one of the plan's chapters")
    req.add_argument("--plan", help="a plan id (default: the default plan)")
    req.add_argument("--years", help="e.g. 2021-2025 (default: each target's base year to its target year)")
    req.add_argument("--lang", choices=["zh", "en"], default="zh")
    req.add_argument("-o", "--output", type=Path, help="output file (default request_<lang>.xlsx; a folder with --by-department)")
    req.add_argument("--by-department", action="store_true", help="one file per responsible department (request_<lang>_<department>.xlsx)")
    req.set_defaults(func=_data_request)
    imp = dsub.add_parser("import", help="validate and import a filled questionnaire; prints the verdicts that change")
    imp.add_argument("file", type=Path)
    imp.add_argument("--no-compare", action="store_true", help="skip the before/after assessment")
    imp.set_defaults(func=_data_import)

    a = sub.add_parser("assess", help="every target judged three ways (the options of fjdata.assess)")
    a.add_argument("--chapter", help="one of the plan's chapters, e.g. 2 or annex (default: every chapter)")
    add_view_options(a)
    a.add_argument("--tolerance", type=float, help="δ: how far progress may trail elapsed time and still be on track (default: settings)")
    a.add_argument(
        "--vintage-rule",
        dest="vintage_rule",
        default="consistent",
        help="which release of a figure to use: consistent (default), latest, first, all, or a vintage label",
    )
    a.add_argument("--plan", help="a plan id (a folder in plans/; default: the default plan)")
    a.add_argument("--no-cache", dest="no_cache", action="store_true", help="recompute instead of reusing cached results (use_cache=False)")
    a.add_argument(
        "--what-if",
        dest="what_if",
        action="append",
        metavar="ID:YEAR=VALUE",
        help="a hypothetical value for this run only, e.g. c2_mfg_share_gdp:2025=32.5 (repeatable; never written to the data)",
    )
    add_raw(a)
    add_format(a)
    a.set_defaults(func=_assess)

    b = sub.add_parser("backtest", help="rolling-origin accuracy of the projection methods")
    b.add_argument("--indicator")
    add_format(b)
    b.set_defaults(func=_backtest)

    pr = sub.add_parser("project", help="project one indicator")
    pr.add_argument("indicator")
    pr.add_argument("--method", default="auto")
    pr.add_argument(
        "--to-year",
        type=int,
        dest="to_year",
        help="last year to project (default: the default plan's end year, or the year after the data)",
    )
    add_format(pr)
    pr.set_defaults(func=_project)

    fe = sub.add_parser("feasibility", help="test draft targets: calibrated chance of meeting them, required vs achieved growth")
    fe.add_argument("file", help="draft targets: YAML (see drafts/) or XLSX with one row per target")
    add_view_options(fe)
    add_raw(fe)
    add_format(fe)
    fe.set_defaults(func=_feasibility)

    dr = sub.add_parser(
        "draft",
        help="target-setting evidence for a draft plan: last plan's outcome, growth needed vs achieved, chance, national consistency",
    )
    dr.add_argument("file", help="a draft file: YAML (see drafts/fifteenth-main-indicators-example.yaml) or XLSX")
    add_view_options(dr)
    add_raw(dr)
    add_format(dr)
    dr.set_defaults(func=_draft)

    n = sub.add_parser("nightly", help="run every report with papermill and export HTML (the main job)")
    n.add_argument("--batch", type=Path, help="batch file (default params/nightly.yaml)")
    n.add_argument("--outputs", type=Path, help="outputs folder (default outputs/)")
    n.add_argument("--workers", type=_workers, help="parallel reports, 1–64 (default: batch file, else number of cores)")
    n.add_argument("--only", nargs="+", metavar="NAME", help="run only these report names")
    n.add_argument(
        "--no-pdf", action="store_true", help="web pages only, no A4 PDFs (default: the batch file's pdf; PDFs where Chromium is installed)"
    )
    n.set_defaults(func=_nightly)
    return p


def _warn_skipped_plans() -> None:
    """A broken plan folder is skipped, not fatal; every command says so (with its path)."""
    from fjdata.inputs.plan import plan_problems

    for problem in plan_problems():
        print(f"warning: {problem}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 a report failed, 2 bad input).

    >>> main(["targets", "--chapter", "9"])
    2
    """
    args = parser().parse_args(argv)
    from fjdata.core.config import absolutize_env, check_env
    from fjdata.core.threads import limit_this_process

    absolutize_env()  # relative FJDATA_* paths mean the caller's working directory, for every child too
    limit_this_process()
    try:
        check_env()
        _warn_skipped_plans()
        return int(args.func(args))
    except FjdataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyError as exc:
        print(f"error: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 2
    except (ValueError, OSError) as exc:  # a bad argument or an unreadable path: one line, no traceback
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
