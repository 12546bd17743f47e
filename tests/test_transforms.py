"""Chaining growth rates into an index, and bounded scales."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from fjdata.inputs.transforms import (
    average_growth,
    chain_index,
    from_model_scale,
    period,
    required_index,
    to_model_scale,
    transform_value,
    year_index,
)


def rates(values: dict[int, float]) -> pd.Series:
    return pd.Series(list(values.values()), index=year_index(list(values)), name="g")


def test_chain_growth_hand_computed() -> None:
    # 2021 +9.9 %, 2022 +5.7 %, 2023 +3.0 %: 100 → 109.9 → 116.1643 → 119.649229
    idx = chain_index(rates({2021: 9.9, 2022: 5.7, 2023: 3.0}), base_year=2020)
    assert list(idx.index.year) == [2020, 2021, 2022, 2023]
    assert idx.to_numpy() == pytest.approx([100.0, 109.9, 116.1643, 119.6492290])
    # average growth is the geometric mean of (1+g), NOT the mean of the rates
    assert average_growth(idx, 2020, 2023) == pytest.approx(((1.099 * 1.057 * 1.03) ** (1 / 3) - 1) * 100)
    assert average_growth(idx, 2020, 2023) != pytest.approx((9.9 + 5.7 + 3.0) / 3)


def test_chain_backwards_from_the_base() -> None:
    # growth into 2020 of 2 % gives the 2019 level 100/1.02
    idx = chain_index(rates({2019: 7.0, 2020: 2.0, 2021: 9.9}), base_year=2020)
    assert idx[period(2019)] == pytest.approx(100 / 1.02)
    assert idx[period(2018)] == pytest.approx(100 / 1.02 / 1.07)


def test_a_gap_ends_the_chain() -> None:
    idx = chain_index(rates({2021: 9.9, 2022: 5.7, 2025: 6.5}), base_year=2020)
    assert list(idx.index.year) == [2020, 2021, 2022]  # 2023–24 unknown, so 2025's level is unknown


def test_required_index() -> None:
    assert required_index(6, 5) == pytest.approx(133.8225578)


def test_logit_keeps_shares_inside_bounds() -> None:
    x = np.array([0.5, 50.0, 99.5])
    z = to_model_scale(x, "logit", (0, 100))
    assert from_model_scale(z, "logit", (0, 100)) == pytest.approx(x)
    back = from_model_scale(np.array([-50.0, 0.0, 50.0]), "logit", (20, 60))  # other bounds: scale and shift matter
    assert back[1] == pytest.approx(40.0) and 20 <= back[0] < 20.001 and 59.999 < back[2] <= 60


def test_the_chained_index_keeps_the_series_metadata_and_says_where_it_came_from() -> None:
    """Sources, unit and status travel with the values (data rule), and the index says what it was chained from."""
    g = rates({2021: 9.9, 2022: 5.7})
    g.attrs = {"unit": "%", "sources": ("yearbook 2023",)}
    idx = chain_index(g, base_year=2020)
    assert idx.name == "g_index"
    assert idx.attrs == {"unit": "%", "sources": ("yearbook 2023",), "chained_from": "g", "index_base_year": 2020}
    assert g.attrs == {"unit": "%", "sources": ("yearbook 2023",)}  # the input is left as it was
    assert list(idx.reset_index().columns) == ["year", "g_index"]  # a year index is named "year"


def test_log_scale_round_trip() -> None:
    x = np.array([1.0, math.e, math.e**2])
    assert to_model_scale(x, "log") == pytest.approx([0.0, 1.0, 2.0])
    assert from_model_scale(np.array([0.0, 1.0, 2.0]), "log") == pytest.approx(x)
    assert to_model_scale(np.array([5, 50]), "natural").tolist() == [5.0, 50.0]


def test_logit_uses_the_bounds_given_else_0_to_100() -> None:
    # (x − lo)/(hi − lo) = ¼ → ln(¼/¾) = −ln 3
    assert to_model_scale(np.array([30.0, 40.0]), "logit", (20, 60)) == pytest.approx([-math.log(3), 0.0])
    assert to_model_scale(np.array([25.0, 50.0]), "logit") == pytest.approx([-math.log(3), 0.0])
    assert from_model_scale(np.array([-math.log(3), 0.0]), "logit") == pytest.approx([25.0, 50.0])


@pytest.mark.parametrize("convert", [to_model_scale, from_model_scale])
def test_an_unknown_scale_is_named_in_the_error(convert: object) -> None:
    with pytest.raises(ValueError, match="unknown scale 'probit'"):
        convert(np.array([1.0]), "probit")  # type: ignore[operator]


@pytest.mark.parametrize(
    ("value", "scale", "bounds", "expected"),
    [
        (-5.0, "natural", None, -5.0),
        (math.e**2, "log", None, 2.0),
        (0.5, "log", None, -math.log(2)),
        (0.0, "log", None, -math.inf),  # a zero has no log: below every finite threshold
        (-1.0, "log", None, -math.inf),
        (40.0, "logit", (20, 60), 0.0),
        (30.0, "logit", (20, 60), -math.log(3)),
        (25.0, "logit", None, -math.log(3)),  # a share, 0–100 by default
        (0.5, "logit", None, math.log(0.5 / 99.5)),
        (20.0, "logit", (20, 60), -math.inf),  # on a bound
        (60.0, "logit", (20, 60), math.inf),
        (0.0, "logit", None, -math.inf),
        (100.0, "logit", None, math.inf),
        (100.5, "logit", None, math.inf),  # past a bound
        (-3.0, "logit", None, -math.inf),
    ],
)
def test_transform_value_maps_bounds_to_infinity_without_numpy_warnings(
    value: float, scale: str, bounds: tuple[float, float] | None, expected: float
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no divide-by-zero or invalid-log warning on the way
        assert transform_value(value, scale, bounds) == pytest.approx(expected, rel=1e-12)


def test_an_empty_year_index_is_still_annual() -> None:
    """An indicator with no observations yet gives an empty annual series, not an error."""
    idx = year_index([])
    assert len(idx) == 0 and str(idx.dtype) == "period[Y-DEC]" and idx.name == "year"
    assert str(year_index([2021, 2022]).dtype) == "period[Y-DEC]"
