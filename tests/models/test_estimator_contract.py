"""The estimator contract shared by every model, and the analytic gradients."""
import json

import numpy as np
import pytest
from scipy import optimize

from clv_engine.errors import InputError, NotFittedError
from clv_engine.models import (BaseModel, BetaGeoBetaBinomModel, BetaGeoModel, GammaGammaModel,
                               ModifiedBetaGeoModel, ParetoNBDModel, ShiftedBetaGeometricModel)

CONTINUOUS = [BetaGeoModel, ModifiedBetaGeoModel, ParetoNBDModel]
ALL = CONTINUOUS + [BetaGeoBetaBinomModel, GammaGammaModel, ShiftedBetaGeometricModel]

PARAMS = {
    BetaGeoModel: [0.24, 4.4, 0.79, 2.4],
    ModifiedBetaGeoModel: [0.52, 6.2, 0.89, 1.6],
    ParetoNBDModel: [0.55, 10.6, 0.61, 11.7],
    BetaGeoBetaBinomModel: [1.2, 0.75, 0.66, 2.8],
    GammaGammaModel: [6.2, 3.7, 15.4],
    ShiftedBetaGeometricModel: [0.7, 1.2],
}
DATA = {
    BetaGeoModel: np.array([[0, 0, 38.0], [1, 5.0, 30.0], [7, 29.0, 35.0], [3, 12.0, 12.0]]),
    BetaGeoBetaBinomModel: np.array([[0, 0, 6], [2, 4, 6], [3, 3, 6], [6, 6, 6]], dtype=float),
    GammaGammaModel: np.array([[1, 12.0], [4, 30.5], [10, 3.2]]),
    ShiftedBetaGeometricModel: np.array([[1, 1], [4, 1], [7, 0]], dtype=float),
}
DATA[ModifiedBetaGeoModel] = DATA[ParetoNBDModel] = DATA[BetaGeoModel]


@pytest.mark.parametrize("model_class", ALL)
def test_analytic_gradient_matches_finite_differences(model_class):
    model = model_class()
    params, data = np.array(PARAMS[model_class]), DATA[model_class]
    _, analytic = model._pattern_gradient(params, data)
    for j in range(len(params)):
        step = 1e-6 * params[j]
        up, down = params.copy(), params.copy()
        up[j] += step
        down[j] -= step
        numeric = (model._pattern_log_likelihood(up, data)
                   - model._pattern_log_likelihood(down, data)) / (2 * step)
        np.testing.assert_allclose(analytic[:, j], numeric, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("model_class", ALL)
def test_init_only_stores_hyperparameters(model_class):
    model = model_class(penalizer=0.5)
    assert model.get_params() == {"penalizer": 0.5}
    assert not [name for name in vars(model) if name.endswith("_")]


@pytest.mark.parametrize("model_class", ALL)
def test_bad_hyperparameter_is_reported_when_fit_starts(model_class):
    model = model_class(penalizer=-1)  # stored as given, no error yet
    with pytest.raises(InputError, match="penalizer"):
        if model_class is ShiftedBetaGeometricModel:
            model.fit([100, 50, 30])
        elif model_class is GammaGammaModel:
            model.fit([1, 2], [10.0, 20.0])
        else:
            model.fit([1, 2], [1, 2], [3, 3])


@pytest.mark.parametrize("model_class", ALL)
def test_predicting_before_fit_raises_not_fitted(model_class):
    with pytest.raises(NotFittedError, match="not fitted"):
        _ = model_class().summary


def test_fit_returns_the_model_itself(cdnow):
    model = BetaGeoModel()
    assert model.fit(cdnow["frequency"], cdnow["recency"], cdnow["T"]) is model


def test_saved_model_round_trip_gives_identical_predictions(cdnow):
    model = ParetoNBDModel().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    text = json.dumps(model.to_dict())
    loaded = BaseModel.from_dict(json.loads(text))
    assert type(loaded) is ParetoNBDModel
    args = (cdnow["frequency"], cdnow["recency"], cdnow["T"])
    np.testing.assert_array_equal(loaded.expected_purchases(39, *args),
                                  model.expected_purchases(39, *args))
    assert loaded.log_likelihood_ == model.log_likelihood_
    assert loaded.summary.equals(model.summary)


def test_loading_a_saved_model_as_the_wrong_class_is_refused():
    saved = GammaGammaModel().set_params(p=6, q=3.7, gamma=15).to_dict()
    with pytest.raises(InputError, match="cannot be loaded as BetaGeoModel"):
        BetaGeoModel.from_dict(saved)


def test_set_params_predicts_from_known_parameters_without_fit(cdnow):
    fitted = BetaGeoModel().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    known = BetaGeoModel().set_params(**fitted.params_)
    np.testing.assert_allclose(known.p_alive(cdnow["frequency"], cdnow["recency"], cdnow["T"]),
                               fitted.p_alive(cdnow["frequency"], cdnow["recency"], cdnow["T"]))
    assert known.log_likelihood_ is None and known.n_customers_ == 0


def test_set_params_rejects_non_positive_values():
    with pytest.raises(InputError, match="must be a finite number > 0"):
        BetaGeoModel().set_params(r=0.2, alpha=-1, a=1, b=2)


def test_weights_give_the_same_fit_as_repeated_rows(donations):
    expanded = donations.loc[donations.index.repeat(donations["weights"])]
    by_rows = BetaGeoBetaBinomModel().fit(expanded["frequency"], expanded["recency"],
                                          expanded["periods"])
    by_weights = BetaGeoBetaBinomModel().fit(donations["frequency"], donations["recency"],
                                             donations["periods"], weights=donations["weights"])
    assert by_rows.log_likelihood_ == pytest.approx(by_weights.log_likelihood_, rel=1e-10)


def test_penalizer_shrinks_log_parameters_towards_zero(cdnow):
    args = (cdnow["frequency"], cdnow["recency"], cdnow["T"])
    plain = BetaGeoModel().fit(*args)
    shrunk = BetaGeoModel(penalizer=0.1).fit(*args)
    size = lambda m: sum(np.log(v) ** 2 for v in m.params_.values())
    assert size(shrunk) < size(plain)
    assert shrunk.log_likelihood_ < plain.log_likelihood_


def test_fallback_optimiser_recovers_when_lbfgsb_fails(cdnow, monkeypatch):
    real = optimize.minimize

    def broken_lbfgsb(fun, x0, *args, method=None, **kwargs):
        if method == "L-BFGS-B":
            return optimize.OptimizeResult(x=np.asarray(x0), fun=np.inf, success=False,
                                           message="simulated failure")
        return real(fun, x0, *args, method=method, **kwargs)

    monkeypatch.setattr(optimize, "minimize", broken_lbfgsb)
    model = BetaGeoModel().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    assert model.optimizer_ in ("Nelder-Mead", "BFGS")
    assert round(model.log_likelihood_, 1) == -9582.4


@pytest.mark.parametrize("model_class", [BetaGeoModel, ModifiedBetaGeoModel, ParetoNBDModel])
def test_a_fit_without_standard_errors_has_the_same_parameters(cdnow, model_class):
    args = cdnow["frequency"], cdnow["recency"], cdnow["T"]
    full = model_class().fit(*args)
    quick = model_class().fit(*args, standard_errors=False)
    assert quick.covariance_ is None and quick.standard_errors_ is None
    assert full.covariance_ is not None
    assert quick.params_ == pytest.approx(full.params_, rel=1e-9)
    assert quick.log_likelihood_ == pytest.approx(full.log_likelihood_, rel=1e-12)
    assert quick.summary["estimate"].tolist() == pytest.approx(list(quick.params_.values()))


@pytest.mark.parametrize("model_class", [BetaGeoModel, ModifiedBetaGeoModel, ParetoNBDModel])
def test_a_fit_on_distinct_patterns_equals_the_fit_on_customers(cdnow, model_class):
    from clv_engine.predictive.value import compress_patterns

    args = [cdnow[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T")]
    (x, tx, T), _, counts = compress_patterns(*args)
    counts = counts.astype(float)
    counts[0] = 0.0  # a pattern without customers is left out, as compression would
    plain = model_class().fit(x, tx, T, weights=counts)
    distinct = model_class().fit(x, tx, T, weights=counts, distinct=True)
    assert distinct.params_ == pytest.approx(plain.params_, rel=1e-12)
    assert distinct.log_likelihood_ == pytest.approx(plain.log_likelihood_, rel=1e-13)
    assert distinct.n_customers_ == plain.n_customers_ == len(args[0]) - compress_patterns(*args)[2][0]


def test_bfgs_stops_when_rounding_hides_the_decrease():
    """A line search on an objective whose last bits are noise can spend tens of
    evaluations at one point; the guarded BFGS stops after a few and keeps the best point."""
    from scipy import optimize

    from clv_engine.models.base import STALL_EVALUATIONS, bfgs

    mix = np.array([[3.0, 1.0, 0.5], [1.0, 2.0, 0.3], [0.5, 0.3, 1.0]])

    def noisy(x):  # smooth, minimum 3 at x = 1, plus deterministic "rounding" of 1e-12
        d = x - 1.0
        value = float(np.sum(np.log(np.cosh(mix @ d)))) + 0.1 * float(d @ d) ** 2 + 3.0
        return value + 1e-12 * np.sin(1e9 * float(x.sum())), mix.T @ np.tanh(mix @ d) + 0.4 * float(d @ d) * d

    options = {"gtol": 1e-12, "maxiter": 200}  # below what the noise lets a line search see
    plain = optimize.minimize(noisy, np.zeros(3), jac=True, method="BFGS", options=options)
    guarded = bfgs(noisy, np.zeros(3), options)
    assert "precision loss" in plain.message and plain.nfev > 50  # scipy alone searches the noise
    assert guarded.nfev < plain.nfev / 2
    assert guarded.fun <= plain.fun and np.allclose(guarded.x, 1.0, atol=1e-5)

    def smooth(x):
        return float((x - 1.0) @ (x - 1.0)), 2.0 * (x - 1.0)

    clean = bfgs(smooth, np.zeros(3), {"gtol": 1e-8})
    reference = optimize.minimize(smooth, np.zeros(3), jac=True, method="BFGS", options={"gtol": 1e-8})
    assert clean.success and np.array_equal(clean.x, reference.x) and clean.nfev < STALL_EVALUATIONS


def test_summary_of_a_barely_identified_parameter_has_an_open_interval_and_no_warning():
    import warnings

    from clv_engine.models import BetaGeoModel

    model = BetaGeoModel()
    model.params_ = {"r": 0.24, "alpha": 4.4, "a": 1e-8, "b": 2.4}
    model.standard_errors_ = {"r": 0.01, "alpha": 0.2, "a": 1e-5, "b": 0.1}  # 1000 × the estimate
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = model.summary
    assert table.loc["a", "upper_95"] == np.inf and table.loc["a", "lower_95"] == 0.0
    assert np.isfinite(table.loc[["r", "alpha", "b"], ["lower_95", "upper_95"]].to_numpy()).all()
