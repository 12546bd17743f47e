"""The vintage selection (fjdata.inputs.observations) against a straightforward pandas reference of
the rule in docs/vintage-rule.md, on every indicator and region of the shipped data: the same rows,
columns, dtypes, order and alternatives, for each rule, with and without ``as_of``."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from fjdata.inputs import observations as obs
from fjdata.inputs.indicators import indicator

FIELDS = obs.ALTERNATIVE_FIELDS
RANK = obs.STATUS_RANK


def _owned(row: pd.Series) -> bool:
    return str(row["vintage"]).startswith(obs.PLAN_OWNER_VINTAGES) or str(row.get("source_tier", "")) == "department"


def _best(rows: pd.DataFrame) -> tuple[pd.Series, str]:
    if len(rows) == 1:
        return rows.iloc[0], "only"
    owner = rows.apply(_owned, axis=1).astype(bool)
    rank = rows["status"].map(RANK).fillna(0)
    top = rows[(owner == owner.max()) & (rank == rank[owner == owner.max()].max())]
    reason = "plan_owner" if owner.any() else "status" if len(top) < len(rows) else "newer"
    if (top["bound"] == "lower").all() and len(top) > 1:
        return top.sort_values(["value", "published_date"]).iloc[-1], reason if reason != "newer" else "highest_floor"
    return top.sort_values(["published_date", "vintage"]).iloc[-1], reason


def _per_year(frame: pd.DataFrame, reason: str | None = None) -> pd.DataFrame:
    picked = [_best(rows)[0].to_dict() | {"selection": reason or _best(rows)[1]} for _, rows in frame.groupby("year", sort=True)]
    return pd.DataFrame(picked, columns=[*frame.columns, "selection"])


def _alternatives(rows: pd.DataFrame, chosen: pd.Series) -> tuple[dict[str, object], ...]:
    out = []
    for _, r in rows.iterrows():
        scale = max(abs(float(chosen["value"])), abs(float(r["value"])), 1e-12)
        same = abs(float(r["value"]) - float(chosen["value"])) / scale <= obs.SAME_VALUE_TOLERANCE and r["bound"] == chosen["bound"]
        if r["vintage"] != chosen["vintage"] and not same:
            out.append({k: r[k] for k in FIELDS})
    return tuple(out)


def _with_alternatives(chosen: pd.DataFrame, every: pd.DataFrame) -> pd.DataFrame:
    alts = [_alternatives(every[every["year"] == row["year"]], row) for _, row in chosen.iterrows()]
    return chosen.assign(alternatives=pd.Series(alts, index=chosen.index, dtype=object))


def reference(frame: pd.DataFrame, rule: str) -> pd.DataFrame:
    """The rule for ONE indicator and region, written plainly with pandas."""
    every = frame.sort_values(["year", "published_date", "vintage"])
    if rule in ("latest", "first"):
        by_year = every.groupby("year", sort=True)
        return _with_alternatives((by_year.tail(1) if rule == "latest" else by_year.head(1)).assign(selection="rule", spliced=False), every)
    if rule != "consistent":
        return _with_alternatives(every[every["vintage"] == rule].groupby("year").tail(1).assign(selection="rule", spliced=False), every)
    ind = indicator(str(frame["indicator_id"].iloc[0]))
    if ind.series_kind in ("rate", "yearly_change", "period_average"):
        return _with_alternatives(_per_year(every).assign(spliced=False), every)
    fam = every.assign(family=every["vintage"].map(obs.vintage_family))
    stats = fam.groupby("family").agg(n=("year", "nunique"), last=("year", "max"), pub=("published_date", "max"))
    candidates = stats[stats["last"] >= stats["last"].max() - 1]
    best = candidates.sort_values(["n", "last", "pub"], ascending=False).index[0]
    mine_all = _per_year(fam[fam["family"] == best].drop(columns="family"), reason="family" if len(stats) > 1 else None)
    overall = {int(r["year"]): r for _, r in _per_year(every).iterrows()}
    rows = []
    for _, mine in mine_all.iterrows():
        other = overall[int(mine["year"])]
        better = (
            (_owned(other) and not _owned(mine))
            or RANK.get(str(other["status"]), 0) > RANK.get(str(mine["status"]), 0)
            or (other["bound"] == mine["bound"] == "lower" and float(other["value"]) > float(mine["value"]))
        )
        rows.append(other if better else mine)
    chosen = pd.DataFrame(rows).assign(spliced=False)
    missing = sorted(set(overall) - set(chosen["year"].astype(int)))
    if ind.splice and missing:
        chosen = pd.concat([chosen, pd.DataFrame([overall[y] for y in missing]).assign(selection="spliced", spliced=True)])
    return _with_alternatives(chosen.sort_values("year"), every)


def reference_select(stamp: tuple[tuple[str, str], ...], rule: str, as_of: int | None) -> pd.DataFrame:
    frame = obs._overlaid(stamp)
    if as_of is not None:
        frame = frame[(frame["year"] <= as_of) & (frame["published_date"] <= date(as_of + 1, 12, 31))]
    parts = [reference(g, rule) for _, g in frame.groupby(["indicator_id", "region"])]
    cols = [*obs.COLUMNS, "published_date", "user_supplied", "origin", "file", "line", "selection", "spliced", "alternatives"]
    return pd.concat(parts)[cols].sort_values(["indicator_id", "region", "year", "published_date"]).reset_index(drop=True)


@pytest.mark.parametrize("as_of", [None, 2019])
@pytest.mark.parametrize("rule", ["consistent", "latest", "first", "label"])
def test_the_selection_equals_the_reference_on_the_shipped_data(rule: str, as_of: int | None) -> None:
    stamp = obs._stamp(None)
    if rule == "label":  # the vintage that labels the most rows known then: several indicators, some years
        known = obs._overlaid(stamp)
        known = known if as_of is None else known[(known["year"] <= as_of) & (known["published_date"] <= date(as_of + 1, 12, 31))]
        rule = str(known["vintage"].value_counts().index[0])
    got = obs._select(stamp, None, None, rule, as_of)
    want = reference_select(stamp, rule, as_of)
    assert len(got) > 20
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert got["alternatives"].tolist() == want["alternatives"].tolist()  # the dicts inside, too
    if rule == "consistent" and as_of is None:  # the shipped data exercise every branch of the rule
        assert {"only", "status", "newer", "family", "spliced"} <= set(got["selection"])
        assert got["alternatives"].map(len).sum() > 0 and got["spliced"].any()
