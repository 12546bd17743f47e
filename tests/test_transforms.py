"""Chaining growth rates into an index, and bounded scales."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fjdata.inputs.transforms import average_growth, chain_index, from_model_scale, period, required_index, to_model_scale, year_index


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
