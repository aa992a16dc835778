"""lifetimes' own test expectations (lifetimes 0.11.3, tests/test_estimation.py) through the
compatible layer: inputs lifetimes accepts, the penalizer, BG/BB expectations."""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import clv_engine.compat.lifetimes as lifetimes
from clv_engine.errors import ModelWarning
from clv_engine.models import BetaGeoBetaBinomModel

DATA = Path(__file__).resolve().parents[1] / "data" / "models"


@pytest.fixture(scope="module")
def cdnow():
    table = pd.read_csv(DATA / "cdnow_customers_summary.csv")
    return table["frequency"], table["recency"], table["T"]


@pytest.fixture(scope="module")
def donations():
    return pd.read_csv(DATA / "donations.csv")


def test_recency_without_repeat_purchase_warns_instead_of_raising(cdnow):
    bgf = lifetimes.BetaGeoFitter().fit(*cdnow)
    with pytest.warns(ModelWarning, match="frequency is 0"):
        value = bgf.conditional_probability_alive(0, 1, 1)
    assert np.all(value == 1.0)  # lifetimes: test_conditional_probability_alive_returns_1_if_no_repeat_purchases
    mbgf = lifetimes.ModifiedBetaGeoFitter().fit(*cdnow)
    with pytest.warns(ModelWarning):
        value = mbgf.conditional_probability_alive(0, 1, 1)
    # lifetimes: ..._returns_lessthan_1_if_no_repeat_purchases; lifetimes' own formula gives 0.64422
    assert np.all(value < 1.0) and float(np.squeeze(value)) == pytest.approx(0.6442197548580716, rel=1e-6)
    with pytest.warns(ModelWarning):
        expected = bgf.conditional_expected_number_of_purchases_up_to_time(10, 0, 10, 30)
    assert np.isfinite(expected) and expected > 0


@pytest.mark.parametrize("fitter", [lifetimes.BetaGeoFitter, lifetimes.ModifiedBetaGeoFitter, lifetimes.ParetoNBDFitter])
def test_conditional_probability_alive_is_between_0_and_1_on_lifetimes_grid(cdnow, fitter):
    model = fitter().fit(*cdnow)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelWarning)
        for i in range(0, 100, 10):
            for j in range(0, 100, 10):
                for k in range(j, 100, 10):
                    assert 0 <= np.squeeze(model.conditional_probability_alive(i, j, k)) <= 1.0


@pytest.mark.parametrize("fitter", [lifetimes.BetaGeoFitter, lifetimes.ModifiedBetaGeoFitter])
def test_conditional_probability_alive_matrix_matches_single_calls(cdnow, fitter):
    model = fitter().fit(*cdnow)
    matrix = model.conditional_probability_alive_matrix()
    max_t = int(model.data["T"].max())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelWarning)
        for t_x in range(0, matrix.shape[0], 7):
            for x in range(matrix.shape[1]):
                assert matrix[t_x][x] == pytest.approx(float(np.squeeze(
                    model.conditional_probability_alive(x, t_x, max_t))), rel=1e-12)


def test_bg_penalizer_shrinks_every_parameter_like_lifetimes(cdnow):
    p1 = lifetimes.BetaGeoFitter().fit(*cdnow).params_.to_numpy()
    p2 = lifetimes.BetaGeoFitter(penalizer_coef=0.1).fit(*cdnow).params_.to_numpy()
    p3 = lifetimes.BetaGeoFitter(penalizer_coef=10).fit(*cdnow).params_.to_numpy()
    assert np.all(p2 < p1) and np.all(p3 < p2)
    # lifetimes 0.11.3 on the same data: penalizer_coef * sum(params ** 2), times scaled by 1/max(T)
    np.testing.assert_allclose(p2, [0.230947, 4.219288, 0.128655, 0.267127], rtol=2e-4)
    np.testing.assert_allclose(p3, [0.08646, 1.068347, 0.011905, 0.024863], rtol=2e-3)


def test_mbg_and_pareto_penalizer_shrink_the_parameters(cdnow):
    for fitter in (lifetimes.ModifiedBetaGeoFitter, lifetimes.ParetoNBDFitter):
        sums = [fitter(penalizer_coef=c).fit(*cdnow).params_.sum() for c in (0.0, 0.1, 100)]
        assert sums[1] < sums[0] and sums[2] < sums[1]
    mbg = lifetimes.ModifiedBetaGeoFitter(penalizer_coef=0.1).fit(*cdnow).params_.to_numpy()
    np.testing.assert_allclose(mbg, [0.40822, 5.31209, 0.204822, 0.346788], rtol=2e-4)  # lifetimes 0.11.3


def test_bgbb_expected_transactions_match_hardie_and_cover_every_frequency(donations):
    bbtf = lifetimes.BetaGeoBetaBinomFitter().fit(
        donations["frequency"], donations["recency"], donations["periods"], donations["weights"])
    estimated = bbtf.expected_number_of_transactions_in_first_n_periods(6).loc[[0, 6]].to_numpy().ravel()
    np.testing.assert_allclose(estimated, [3454.9, 1253.1], atol=0.5)  # Hardie's in-sample fit sheet
    total = donations["weights"].sum()
    for n in (6, 10, 25):
        table = bbtf.expected_number_of_transactions_in_first_n_periods(n)
        assert list(table.index) == list(range(n + 1))  # past the largest frequency in the data (6)
        assert table["model"].sum() == pytest.approx(total, rel=1e-9)
    # below the largest frequency in the data, the rows go on to it (zero past n), as in lifetimes
    short = bbtf.expected_number_of_transactions_in_first_n_periods(3)
    assert list(short.index) == list(range(7)) and (short.loc[4:, "model"] == 0).all()
    assert short["model"].sum() == pytest.approx(total, rel=1e-9)
    native = BetaGeoBetaBinomModel().set_params(**bbtf._model().params_)
    table = bbtf.expected_number_of_transactions_in_first_n_periods(10)
    np.testing.assert_allclose(table.loc[9:10, "model"], total * native.p_n_purchases([9, 10], [10, 10]), rtol=1e-12)
