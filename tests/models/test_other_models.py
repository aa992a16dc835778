"""MBG/NBD, BG/BB and sBG: published values and behaviour users notice."""
import numpy as np
import pytest

from clv_engine.errors import InputError, ModelWarning
from clv_engine.models import BetaGeoBetaBinomModel, ModifiedBetaGeoModel, ShiftedBetaGeometricModel

REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241]
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491]


def test_mbg_reproduces_btydplus_cdnow_parameters(cdnow):
    model = ModifiedBetaGeoModel().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    assert [round(model.params_[n], 3) for n in ("r", "alpha", "a", "b")] == [0.525, 6.183,
                                                                             0.891, 1.614]


def test_mbg_one_time_buyers_can_be_inactive():
    model = ModifiedBetaGeoModel().set_params(r=0.525, alpha=6.183, a=0.891, b=1.614)
    assert model.p_alive([0], [0.0], [38.86])[0] < 1.0
    n = np.arange(300)
    probabilities = model.p_n_purchases(n, np.full(n.shape, 39.0))
    assert probabilities.sum() == pytest.approx(1.0, abs=1e-6)
    assert (n * probabilities).sum() == pytest.approx(model.expected_purchases_new(39)[0], rel=1e-6)


@pytest.fixture(scope="module")
def bgbb(donations):
    return BetaGeoBetaBinomModel().fit(donations["frequency"], donations["recency"],
                                       donations["periods"], weights=donations["weights"])


def test_bgbb_reproduces_published_donation_parameters(bgbb):
    values = [round(bgbb.params_[n], 3) for n in ("alpha", "beta", "gamma", "delta")]
    assert values == [1.204, 0.750, 0.657, 2.783]
    assert round(bgbb.log_likelihood_, 1) == -33225.6
    assert bgbb.n_customers_ == 11104


def test_bgbb_new_customer_distribution_matches_expectation(bgbb):
    counts = np.arange(7)
    probabilities = bgbb.p_n_purchases(counts, 6)
    assert probabilities.sum() == pytest.approx(1.0, abs=1e-9)
    assert (counts * probabilities).sum() == pytest.approx(bgbb.expected_purchases_new([6])[0])


def test_bgbb_regular_donors_are_more_alive_and_give_more(bgbb):
    alive = bgbb.p_alive([6, 3, 3], [6, 5, 3], [6, 6, 6])
    assert alive[0] > alive[1] > alive[2]
    expected = bgbb.expected_purchases(5, [6, 0], [6, 0], [6, 6])
    assert expected[0] > 3 * expected[1] > 0


def test_bgbb_gamma_equal_to_one_is_finite():
    model = BetaGeoBetaBinomModel().set_params(alpha=1.2, beta=0.75, gamma=1.0, delta=2.8)
    assert np.isfinite(model.expected_purchases(10, [3], [5], [6])).all()


def test_bgbb_recency_beyond_periods_is_input_error():
    with pytest.raises(InputError, match="recency .* larger than n_periods"):
        BetaGeoBetaBinomModel().fit([1, 2], [7, 3], [6, 6])


@pytest.mark.parametrize("survivors, alpha, beta", [(REGULAR, 0.704, 1.182),
                                                    (HIGH_END, 0.668, 3.806)])
def test_sbg_reproduces_published_retention_parameters(survivors, alpha, beta):
    model = ShiftedBetaGeometricModel().fit(survivors)
    assert round(model.params_["alpha"], 3) == alpha
    assert round(model.params_["beta"], 3) == beta
    assert model.n_customers_ == 1000


def test_sbg_retention_rises_with_tenure_and_survival_fits_data():
    model = ShiftedBetaGeometricModel().fit(REGULAR)
    rates = model.retention_rate([1, 2, 5, 12])
    assert np.all(np.diff(rates) > 0)
    assert model.survival([7])[0] * 1000 == pytest.approx(241, abs=6)


def test_sbg_derl_equals_discounted_sum_of_survival():
    model = ShiftedBetaGeometricModel().fit(HIGH_END)
    survival = model.survival(np.arange(0, 3000))
    n = 3  # two renewals made, active in period 3
    direct = sum(survival[t] / survival[n - 1] / 1.1 ** (t - n) for t in range(n, 3000))
    assert model.discounted_expected_residual_lifetime(0.1, renewals=2) == pytest.approx(direct,
                                                                                        rel=1e-8)


def test_sbg_infinite_lifetime_is_refused_but_horizon_works():
    model = ShiftedBetaGeometricModel().fit(REGULAR)
    with pytest.raises(InputError, match="infinite"):
        model.expected_lifetime()
    assert 1 < model.expected_lifetime(horizon=10) < 10


def test_sbg_increasing_survivors_are_input_error():
    with pytest.raises(InputError, match="must not increase"):
        ShiftedBetaGeometricModel().fit([1000, 600, 700])


def test_sbg_one_period_warns_that_only_the_retention_rate_is_identified():
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = ShiftedBetaGeometricModel().fit([1000, 600])
    assert [type(w.message) for w in caught] == [ModelWarning]  # no numpy RuntimeWarning
    assert "only the retention rate is identified" in str(caught[0].message)
    identified = model.identified_retention_
    assert identified["estimate"] == pytest.approx(0.6)
    assert identified["standard_error"] == pytest.approx((0.6 * 0.4 / 1000) ** 0.5)
    assert identified["lower_95"] < 0.6 < identified["upper_95"]
    alpha, beta = model.params_["alpha"], model.params_["beta"]
    assert beta / (alpha + beta) == pytest.approx(0.6)
    # reported at the no-heterogeneity limit: a constant retention of 0.6
    np.testing.assert_allclose(model.survival([1, 2, 5]), 0.6 ** np.array([1, 2, 5]), rtol=1e-3)
    assert model.log_likelihood_ == pytest.approx(400 * np.log(0.4) + 600 * np.log(0.6), rel=1e-12)
    assert model.covariance_ is None and np.isnan(list(model.standard_errors_.values())).all()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        summary = model.summary
    assert not caught
    assert summary.loc[["alpha", "beta"], "standard_error"].isna().all()
    assert summary.loc["retention_rate_1", "estimate"] == pytest.approx(0.6)
    assert np.isfinite(model.discounted_expected_residual_lifetime(0.1))


def test_sbg_one_period_with_no_churn_or_a_penalizer_also_warns():
    with pytest.warns(ModelWarning, match="only the retention rate"):
        model = ShiftedBetaGeometricModel().fit([1000, 1000])
    assert model.identified_retention_["estimate"] == 1.0
    with pytest.warns(ModelWarning, match="only the retention rate"):
        ShiftedBetaGeometricModel(penalizer=0.1).fit([1000, 600])


def test_sbg_two_periods_are_identified_and_do_not_warn():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = ShiftedBetaGeometricModel().fit(REGULAR[:3])
    assert model.identified_retention_ is None
    assert list(model.summary.index) == ["alpha", "beta"]


def test_sbg_derl_is_finite_for_large_parameters():
    # scipy's hyp2f1 returns NaN once alpha + beta is in the hundreds
    model = ShiftedBetaGeometricModel().set_params(alpha=600.0, beta=900.0)
    survival = model.survival(np.arange(0, 400))
    n = 4
    direct = sum(survival[t] / survival[n - 1] / 1.1 ** (t - n) for t in range(n, 400))
    assert model.discounted_expected_residual_lifetime(0.1, renewals=3) == pytest.approx(direct, rel=1e-10)
