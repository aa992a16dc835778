"""Gamma-Gamma spend model: Fader & Hardie (2013), "The Gamma-Gamma model of monetary
value" (note), after Colombo & Jiang (1999), J. Interactive Marketing 13(3).

Each transaction value z ~ Gamma(p, nu); nu ~ Gamma(q, gamma) across customers. Only the
mean value ``zbar`` of a customer's x transactions is used (eq. 3 of the note). ``gamma``
is lifetimes' ``v``.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import special

from ..errors import InputError, ModelWarning
from .base import BaseModel, check_same_length, check_weights, to_float_column


def spend_inputs(frequency, monetary_value, weights=None, *, allow_zero=False, whole=True):
    """Validated arrays of repeat customers only: (x, zbar, weights, mask of rows used).

    Customers with frequency 0 carry no spend information and are left out of the fit.
    For customers with frequency > 0 the value must be > 0 (fitting: the likelihood has
    log(zbar)), or >= 0 with ``allow_zero`` (predicting: the conditional expectation is
    defined at zbar = 0). Negative and missing values are always errors. ``whole=False``
    (predicting) takes a fractional frequency as it is (an "average customer").
    """
    x = to_float_column(frequency, "frequency", integer=whole)
    try:
        values = np.asarray(monetary_value, dtype=float).ravel()
    except (TypeError, ValueError):
        raise InputError("'monetary_value' must contain numbers only.",
                         where="column 'monetary_value'") from None
    check_same_length(frequency=x, monetary_value=values)
    used = x > 0
    with np.errstate(invalid="ignore"):
        allowed = (values >= 0) if allow_zero else (values > 0)
    bad = used & ~(np.isfinite(values) & allowed)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        index = monetary_value.index if isinstance(monetary_value, pd.Series) else None
        position = f"customer {index[i]!r}" if index is not None else f"position {i}"
        if allow_zero:
            raise InputError(
                f"'monetary_value' is {float(values[i])!r} for a customer with repeat purchases; "
                f"expected order values need average order values of zero or more "
                f"({int(bad.sum())} such customer(s)).",
                where=f"column 'monetary_value', {position}",
                hint="Fill in missing values and check negative ones (refunds larger than "
                     "the orders?).")
        raise InputError(
            f"'monetary_value' is {float(values[i])!r} for a customer with repeat purchases; the "
            f"Gamma-Gamma spend model needs average order values above zero "
            f"({int(bad.sum())} such customer(s)).",
            where=f"column 'monetary_value', {position}",
            hint="Fit on customers with positive repeat spend (fully refunded or free "
                 "orders carry no spend information); predicting for customers whose "
                 "average is 0 is fine.")
    weights = check_weights(weights, len(x))
    return x, values, weights, used


class SpendLookup:
    """Rows (x, zbar) with log(zbar), the distinct frequencies and each row's index into them."""

    def __init__(self, rows):
        rows = np.asarray(rows, dtype=float)
        self.x, self.z = rows[:, 0], rows[:, 1]
        with np.errstate(divide="ignore"):
            self.log_z = np.log(self.z)
        index, uniques = pd.factorize(self.x, sort=False)
        self.unique_x, self.x_index = np.asarray(uniques, dtype=float), index


class GammaGammaModel(BaseModel):
    """Gamma-Gamma average-order-value model; parameters p, q, gamma.

    ``mean_exists_`` is False when q <= 1: then the population mean order value
    p * gamma / (q - 1) is infinite, the fit warns (ModelWarning) and
    :meth:`expected_order_value` raises InputError instead of returning nonsense.
    ``n_ignored_`` counts customers without repeat purchases left out of the fit.
    """

    parameter_names = ("p", "q", "gamma")

    def fit(self, frequency, monetary_value, weights=None) -> GammaGammaModel:
        """Fit on customers with frequency > 0 (others ignored); returns self."""
        self._validate_hyperparameters()
        x, z, w, used = spend_inputs(frequency, monetary_value, weights)
        if not used.any() or w[used].sum() <= 0:
            raise InputError("No customer has a repeat purchase, so the spend model has "
                             "nothing to learn from.",
                             hint="Use historical average order values instead.")
        self._fit_patterns([x[used], z[used]], w[used])
        self.n_ignored_ = int(round(float(w[~used].sum())))
        if not self.mean_exists_:
            warnings.warn(ModelWarning(
                f"GammaGammaModel: q = {self.params_['q']:.3g} <= 1, so order values are too "
                f"heavy-tailed for a finite expected order value; use historical averages."),
                stacklevel=2)
        return self

    def _after_params_set(self) -> None:
        self.mean_exists_ = bool(self.params_["q"] > 1)
        if not hasattr(self, "n_ignored_"):
            self.n_ignored_ = 0

    # -- likelihood (note, eq. 3: density of the mean zbar given x) ----------------------------
    def _prepare_patterns(self, rows):
        return SpendLookup(rows)

    def _pattern_log_likelihood(self, params, data):
        return self._log_likelihood_parts(params, data)[0]

    def _log_likelihood_parts(self, params, data):
        """Per-row log-likelihood and ``log(gamma + x zbar)``; special functions are
        evaluated once per distinct frequency."""
        data = data if isinstance(data, SpendLookup) else SpendLookup(data)
        p, q, gamma = params
        ux, xi = data.unique_x, data.x_index
        pux = p * ux
        per_x = (special.gammaln(pux + q) - special.gammaln(pux) - special.gammaln(q)
                 + q * np.log(gamma) + pux * np.log(ux))
        px = p * data.x
        log_gz = np.log(gamma + data.x * data.z)
        return per_x[xi] + (px - 1) * data.log_z - (px + q) * log_gz, log_gz

    def _pattern_gradient(self, params, data):
        data = data if isinstance(data, SpendLookup) else SpendLookup(data)
        p, q, gamma = params
        ux, xi = data.unique_x, data.x_index
        pux = p * ux
        dg_sum_u = special.digamma(pux + q)
        ll, log_gz = self._log_likelihood_parts(params, data)
        x = data.x
        grad = np.empty((len(x), 3))
        grad[:, 0] = x * ((dg_sum_u - special.digamma(pux) + np.log(ux))[xi] + data.log_z - log_gz)
        grad[:, 1] = (dg_sum_u - special.digamma(q) + np.log(gamma))[xi] - log_gz
        grad[:, 2] = q / gamma - (p * x + q) / (gamma + x * data.z)
        return ll, grad

    def _starting_points(self, data, weights):
        mean = float(weights @ data[:, 1]) / float(weights.sum())
        return [[p, q, mean * (q - 1) / p] for p in (1.0, 5.0) for q in (2.0, 4.0)]

    # -- predictions --------------------------------------------------------------------------
    def _require_mean(self):
        p, q, gamma = self._require_params()
        if q <= 1:
            raise InputError(
                f"The fitted spend model has q = {q:.3g} <= 1: order values vary so much that "
                f"the expected order value is infinite.",
                hint="Use historical average order values (or remove extreme orders).")
        return p, q, gamma

    @property
    def mean_order_value(self) -> float:
        """Population mean order value p * gamma / (q - 1) (note, eq. 2)."""
        p, q, gamma = self._require_mean()
        return float(p * gamma / (q - 1))

    def expected_order_value(self, frequency, monetary_value) -> np.ndarray:
        """E[Z | x, zbar] = (q - 1)/(px + q - 1) * p*gamma/(q - 1) + px/(px + q - 1) * zbar
        (note, eq. 5). Customers with frequency 0 get the population mean (their
        monetary_value is ignored). An average of 0 (repeat orders that were free or fully
        refunded) is allowed: the expectation is then p*gamma/(px + q - 1), finite and
        below the population mean (the model itself is fitted on values > 0 only)."""
        p, q, gamma = self._require_mean()
        x, z, _, used = spend_inputs(frequency, monetary_value, allow_zero=True, whole=False)
        px = p * x
        z = np.where(used, z, 0.0)
        return (p * gamma + px * z) / (px + q - 1)
