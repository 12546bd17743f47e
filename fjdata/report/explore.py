"""The economist's exploration view of one indicator (used by notebooks/explore.ipynb)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from fjdata.assess.assessment import assess
from fjdata.assess.prepare import prepare_exploration
from fjdata.core.cache import cached
from fjdata.core.inert import safe_link
from fjdata.core.wording import words
from fjdata.forecast.backtest import summarise
from fjdata.forecast.models import Forecast
from fjdata.forecast.projection import ExtraData, JudgedSeries
from fjdata.inputs.indicators import Indicator, indicator
from fjdata.inputs.observations import observations
from fjdata.inputs.plan import Plan
from fjdata.inputs.transforms import by_year
from fjdata.report import formatting as fmt
from fjdata.report.chapter_report import CSS, esc, png_img
from fjdata.report.charts import TEXT_PT, TITLE_PT, consecutive_runs, png_bytes
from fjdata.report.fonts import use_cjk_font

USER_ROWS_SHOWN = 200


@dataclass(frozen=True, eq=False)
class Exploration:
    ind: Indicator
    lang: str
    as_of: int | None
    judged: JudgedSeries
    fits: tuple[Forecast, ...]
    skipped: dict[str, str]
    extra_data: ExtraData
    tolerance: float | None
    confidence: float
    plan: Plan
    errors: pd.DataFrame = field(default_factory=pd.DataFrame)  # the indicator's backtest errors (precomputed)

    @classmethod
    def build(
        cls,
        indicator_id: str,
        lang: str = "zh",
        as_of: int | None = None,
        methods: str | Sequence[str] = "auto",
        extra_data: ExtraData = None,
        tolerance: float | None = None,
        confidence: float = 0.8,
        plan: str | Plan | None = None,
    ) -> Exploration:
        """One indicator in a plan's region, projected to the plan's end year (default plan: the default).
        The projections and the backtest come from :func:`fjdata.assess.prepare.prepare_exploration`."""
        p = prepare_exploration(indicator_id, as_of, methods, extra_data, plan)
        return cls(
            indicator(indicator_id), lang, as_of, p.judged, p.fits, p.skipped, extra_data, tolerance, confidence, p.plan, p.backtest_errors
        )

    @property
    def _words(self) -> dict[str, Any]:
        explore: dict[str, Any] = words(self.lang)["explore"]
        return explore

    def heading_html(self, section: str) -> str:
        """A section heading of the notebook with its one-line explanation, in the view's language
        (``explore.headings`` in the wording files: observations, methods, backtest, targets, add_data)."""
        title, intro = self._words["headings"][section]
        text = intro.format(y=self.plan.end_year)
        note = f"<p class='note'>{esc(text)}</p>" if text else ""
        return f"<div class='fj'><h2>{esc(title)}</h2>{note}</div>"

    def header_html(self) -> str:
        i = self.ind
        scale = self.judged.describe(self.lang)
        return (
            f"{CSS}<div class='fj'><h1>{esc(i.name(self.lang))}</h1><p class='meta'>{esc(i.indicator_id)} · {esc(i.unit)} · "
            f"{esc(i.series_kind)}"
            f"{' · ' + esc(scale) if scale else ''}</p><p>{esc(i.definition)}</p></div>"
        )

    def observations_table(self) -> pd.DataFrame:
        rows = observations(self.ind.indicator_id, region=None, as_of=self.as_of, extra_data=self.extra_data)
        used = observations(self.ind.indicator_id, region=None, vintage_rule="consistent", as_of=self.as_of, extra_data=self.extra_data)
        used_keys = set(zip(used["region"], used["year"], used["vintage"], strict=True))
        rows = rows.assign(used=[(r, y, v) in used_keys for r, y, v in zip(rows["region"], rows["year"], rows["vintage"], strict=True)])
        return rows[
            [
                "region",
                "year",
                "value",
                "unit",
                "status",
                "vintage",
                "published",
                "used",
                "user_supplied",
                "source_title",
                "source_url",
                "quote",
                "note",
            ]
        ]

    def observations_html(self) -> str:
        """The observations as a compact table with linked sources (all versions; ``used`` marks the analysis series)."""
        rows = self.observations_table()
        body = []
        for r in rows.itertuples():
            url = safe_link(r.source_url)
            src = f"<a href='{esc(url)}'>{esc(r.source_title)}</a>" if url else esc(r.source_title)
            flag = " <b>[user]</b>" if r.user_supplied else ""
            body.append(
                f"<tr><td>{esc(r.region)}</td><td class='num'>{r.year}</td><td class='num'>{r.value:,.2f}</td><td>{esc(r.status)}</td>"
                f"<td>{esc(r.vintage)}<br><span class='note'>{esc(r.published)}</span></td><td>{'✔' if r.used else ''}</td>"
                f"<td>{src}{flag}<br><span class='note'>“{esc(r.quote)}”</span></td></tr>"
            )
        names = self._words["observation_columns"]
        head = [names[k] for k in ("region", "year", "value", "status", "vintage", "used", "source")]
        return _table(head, body)

    def methods_table(self) -> pd.DataFrame:
        rows = []
        legend = words(self.lang)["explore"]["legend_column"]
        for f, label in zip(self.fits, self.legend_labels(), strict=True):
            at = f.at(f.years[-1])
            lo, hi = (at["lo80"], at["hi80"]) if self.confidence == 0.8 else (at["lo95"], at["hi95"])
            rows.append(
                {
                    legend: label,
                    "method": f.method,
                    "year": f.years[-1],
                    "mean": at["mean"],
                    "lo": lo,
                    "hi": hi,
                    "n_obs": f.n_obs,
                    "fit_years": f"{f.fit_years[0]}–{f.fit_years[1]}",
                    "warnings": "; ".join(f.warnings),
                }
            )
        for m, why in self.skipped.items():
            rows.append(
                {
                    legend: "",
                    "method": m,
                    "year": None,
                    "mean": None,
                    "lo": None,
                    "hi": None,
                    "n_obs": None,
                    "fit_years": "",
                    "warnings": f"not fitted: {why}",
                }
            )
        return pd.DataFrame(rows)

    def legend_labels(self) -> list[str]:
        """Each fit's legend entry: a Chinese chart numbers the projections (no method names; the
        methods table pairs each number with its method), an English one names the method."""
        line = words(self.lang)["chart"]["method_line"]
        return [line.format(i=i, m=f.method) for i, f in enumerate(self.fits, start=1)]

    def methods_html(self) -> str:
        """The methods table for reading: projections in the indicator's unit, the interval as one cell."""
        names = self._words["method_columns"]
        unit = "" if self.judged.index_base_year is not None else self.ind.unit  # a chained index has no unit
        lang = self.lang
        head = [
            self._words["legend_column"],
            names["method"],
            names["year"],
            names["mean"],
            names["interval"].format(c=f"{self.confidence:.0%}"),
            names["n_obs"],
            names["fit_years"],
            names["warnings"],
        ]
        rows = []
        for label, f in zip(self.legend_labels(), self.fits, strict=True):
            at = f.at(f.years[-1])
            lo, hi = (at["lo80"], at["hi80"]) if self.confidence == 0.8 else (at["lo95"], at["hi95"])
            interval = self._words["range"].format(lo=fmt.number(lo, unit, lang), hi=fmt.number(hi, unit, lang))
            cells = [label, f.method, str(f.years[-1]), fmt.value(at["mean"], unit, lang), interval, str(f.n_obs)]
            rows.append(_row([*cells, f"{f.fit_years[0]}–{f.fit_years[1]}", "; ".join(f.warnings)]))
        for m, why in self.skipped.items():
            rows.append(_row(["", m, "—", "—", "—", "—", "", self._words["not_fitted"].format(why=why)]))
        return _table(head, rows)

    def methods_figure(self) -> Figure:
        """Every fitted method's projection over the observations (80 % bands)."""
        import matplotlib.pyplot as plt

        years = self.judged.years
        use_cjk_font()
        fig, ax = plt.subplots(figsize=(7.2, 3.6), dpi=96)
        values = self.judged.values.to_numpy(dtype=float)
        for run_years, run_values in consecutive_runs(years, list(values)):  # no line across gaps
            ax.plot(run_years, run_values, "-", color="#1f3b73", lw=1.4)
        ax.plot(years, values, "o", color="#1f3b73", ms=4, label=words(self.lang)["chart"]["obs"])
        for f, label in zip(self.fits, self.legend_labels(), strict=True):
            xs = [years[-1], *f.years]
            (line,) = ax.plot(xs, [values[-1], *f.mean], "--", lw=1.2, label=label)
            ax.fill_between(xs, [values[-1], *f.lo80], [values[-1], *f.hi80], color=line.get_color(), alpha=0.08, lw=0)
        ax.set_title(self.ind.name(self.lang), loc="left", fontsize=TITLE_PT)
        ax.tick_params(labelsize=TEXT_PT)
        ax.grid(alpha=0.25)
        ax.legend(fontsize=TEXT_PT, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)  # png_bytes keeps it whole
        fig.tight_layout()
        return fig

    def methods_chart_html(self) -> str:
        if not self.judged.years:
            return f"<p>{html.escape(words(self.lang)['explore']['insufficient'])}</p>"
        key = {
            "explore": self.ind.indicator_id,
            "lang": self.lang,
            "history": sorted(by_year(self.judged.values).items()),
            "fits": [(f.method, f.years, f.mean, f.lo80, f.hi80) for f in self.fits],
        }
        png = cached("chart", key, lambda: png_bytes(self.methods_figure()))
        return f"<div class='fj'><figure class='fj-chart'>{png_img(png, self.ind.name(self.lang))}</figure></div>"

    def backtest_table(self) -> pd.DataFrame:
        errors = self.errors
        if errors.empty:
            return pd.DataFrame({"note": ["series too short for a rolling-origin backtest"]})
        return summarise(errors)

    def backtest_html(self) -> str:
        """The backtest summary for reading: MASE to two decimals, coverage and accuracy as shares."""
        table = self.backtest_table()
        if "method" not in table:
            return f"<div class='fj'><p>{esc(self._words['too_short'])}</p></div>"
        names = self._words["backtest_columns"]
        shares = ("coverage80", "coverage95", "status_accuracy")
        rows = []
        for r in table.to_dict("records"):
            cells = [str(r["method"]), f"{r['mase']:.2f}", f"{r['relative_to_drift']:.2f}"]
            rows.append(_row([*cells, *(fmt.share(r[k]) for k in shares), str(r["n"])]))
        return _table([names[k] for k in ("method", "mase", "relative_to_drift", *shares, "n")], rows)

    def assessment_html(self) -> str:
        """The targets judged on this indicator, in the view's language and the report's number formats."""
        frame = assess(as_of=self.as_of, tolerance=self.tolerance, extra_data=self.extra_data, plan=self.plan)
        frame = frame[frame["indicator_id"] == self.ind.indicator_id]
        if frame.empty:
            return f"<div class='fj'><p>{esc(self._words['no_targets'])}</p></div>"
        names, lang = self._words["target_columns"], self.lang
        keys = (
            "target",
            "target_text",
            "latest_year",
            "n_obs",
            "overall",
            "attainment",
            "gap",
            "years_missing",
            "model",
            "model_prob_band",
        )
        rows = []
        for r in frame.to_dict("records"):
            latest = "—" if pd.isna(r["latest_year"]) else str(int(r["latest_year"]))
            gap = "—" if pd.isna(r["gap"]) else fmt.gap(float(r["gap"]), str(r["unit"]), str(r["gap_unit"]), lang)
            missing = [int(y) for y in str(r["years_missing"] or "").split(",") if y.strip()]
            cells = [r[f"name_{lang}"], r["target_text"], latest, str(r["n_obs"]), r[f"overall_label_{lang}"]]
            cells += [fmt.share(r["attainment"]), gap, fmt.years(missing, lang) or "—", r[f"model_label_{lang}"]]
            rows.append(_row([*cells, fmt.probability(r["model_prob"], lang)]))
        return _table([names[k] for k in keys], rows)

    def assessment_table(self) -> pd.DataFrame:
        frame = assess(as_of=self.as_of, tolerance=self.tolerance, extra_data=self.extra_data, plan=self.plan)
        cols = [
            "target_id",
            "name_zh",
            "target_text",
            "latest_year",
            "n_obs",
            "overall_label_zh",
            "attainment",
            "gap",
            "years_missing",
            "cn_label_zh",
            "sdg_label_zh",
            "model_label_zh",
            "model_prob_band",
            "model_method",
            "disputes",
        ]
        return frame.loc[frame["indicator_id"] == self.ind.indicator_id, cols].reset_index(drop=True)

    def user_rows_html(self) -> str:
        rows = observations(region=None, extra_data=self.extra_data)
        rows = rows[rows["user_supplied"]]
        if rows.empty:
            return f"<div class='fj'><p>{esc(words(self.lang)['explore']['no_user_rows'])}</p></div>"
        # Capped (B30): a 500k-row overlay must not turn a leadership report into 150 MB of HTML.
        shown = rows.head(USER_ROWS_SHOWN)[["indicator_id", "region", "year", "value", "vintage", "source_title", "file"]]
        more = len(rows) - len(shown)
        note = f"<p class='note'>{esc(words(self.lang)['explore']['more_rows'].format(n=more))}</p>" if more else ""
        return "<div class='fj'>" + shown.to_html(index=False, escape=True) + note + "</div>"


def _row(cells: Sequence[object]) -> str:
    return "<tr>" + "".join(f"<td>{esc(str(c))}</td>" for c in cells) + "</tr>"


def _table(head: Sequence[str], rows: Sequence[str]) -> str:
    """A table of already escaped rows under escaped headings."""
    heads = "".join(f"<th>{esc(h)}</th>" for h in head)
    return f"<div class='fj'><table><thead><tr>{heads}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
