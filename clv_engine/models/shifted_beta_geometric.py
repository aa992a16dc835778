"""Shifted-beta-geometric (sBG) retention model: Fader & Hardie (2007), "How to project
customer retention", J. Interactive Marketing 21(1); DERL from Fader & Hardie (2010),
"Customer-base valuation in a contractual setting: the perils of ignoring heterogeneity",
Marketing Science 29(1).

Each customer churns at the end of a period with probability theta ~ Beta(alpha, beta).
Data: survivors of one cohort at the start of periods 0, 1, 2, ... (e.g. 1000, 631, 468).
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
from scipy import special

from ..errors import InputError, ModelWarning
from .base import BaseModel, to_float_column

#: alpha + beta at which a one-period fit is reported (the no-heterogeneity limit)
ONE_PERIOD_SCALE = 1e4


class ShiftedBetaGeometricModel(BaseModel):
    """sBG contractual retention model; parameters alpha, beta.

    With survivor counts for one period only ([cohort, survivors]) the data identify just
    the first-period retention rate r_1 = beta / (alpha + beta): the likelihood is the same
    all along that ray. The fit then warns (ModelWarning), reports the identified quantity
    in ``identified_retention_`` (estimate S_1/S_0 with its binomial standard error and
    95% interval; also a ``retention_rate_1`` row of :attr:`summary`), leaves alpha and beta
    without standard errors and reports them at the no-heterogeneity limit
    (alpha + beta = :data:`ONE_PERIOD_SCALE`: a constant retention rate r_1, the lowest
    survival curve consistent with the data). ``identified_retention_`` is None otherwise.
    """

    parameter_names = ("alpha", "beta")

    def fit(self, survivors) -> ShiftedBetaGeometricModel:
        """Fit to cohort survivor counts (non-increasing, first > 0); returns self.

        Log-likelihood (2007, eq. 7): Σ_t (S_{t-1} - S_t) ln P(T = t) + S_last ln S(last).
        """
        self._validate_hyperparameters()
        counts = to_float_column(survivors, "survivors")
        if len(counts) < 2 or counts[0] <= 0:
            raise InputError("survivors needs the cohort size (> 0) and at least one later count.",
                             where="survivors", hint="E.g. [1000, 631, 468, 382].")
        rising = np.flatnonzero(np.diff(counts) > 0)
        if rising.size:
            i = int(rising[0]) + 1
            raise InputError(f"survivor counts must not increase, but {counts[i]:g} follows "
                             f"{counts[i - 1]:g}.", where=f"survivors, position {i}",
                             hint="Give the number of the original customers still active.")
        if len(counts) == 2 and 0 < counts[1] < counts[0] and self.penalizer == 0:
            return self._fit_one_period(float(counts[0]), float(counts[1]))
        periods = np.arange(1, len(counts), dtype=float)
        churned = -np.diff(counts)
        t = np.append(periods, periods[-1])
        kind = np.append(np.ones(len(periods)), 0.0)  # 1 = churned in t, 0 = still active at t
        weights = np.append(churned, counts[-1])
        if len(counts) == 2:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ModelWarning)  # replaced by the warning below
                self._fit_patterns([t, kind], weights)
            self._warn_one_period(float(counts[0]), float(counts[1]))
            return self
        return self._fit_patterns([t, kind], weights)

    def _fit_one_period(self, cohort: float, survivors: float) -> ShiftedBetaGeometricModel:
        """Closed-form fit to [cohort, survivors]: only r_1 = survivors / cohort is identified."""
        retention = survivors / cohort
        self.params_ = {"alpha": ONE_PERIOD_SCALE * (1 - retention), "beta": ONE_PERIOD_SCALE * retention}
        self.log_likelihood_ = float((cohort - survivors) * math.log1p(-retention)
                                     + survivors * math.log(retention))
        self.n_customers_ = int(round(cohort))
        self.converged_ = True
        self.optimizer_ = "closed form (one period)"
        self.fixed_dropout_limit_ = False
        self.covariance_ = None
        self.standard_errors_ = {n: math.nan for n in self.parameter_names}
        self._after_params_set()
        self._warn_one_period(cohort, survivors, stacklevel=4)
        return self

    def _warn_one_period(self, cohort: float, survivors: float, stacklevel: int = 3) -> None:
        """Set ``identified_retention_`` (binomial standard error, exact Clopper-Pearson
        95% interval) and warn that only it is identified."""
        retention = survivors / cohort
        error = math.sqrt(retention * (1 - retention) / cohort)
        churned = cohort - survivors
        lower = float(special.betaincinv(survivors, churned + 1, 0.025)) if survivors > 0 else 0.0
        upper = float(special.betaincinv(survivors + 1, churned, 0.975)) if churned > 0 else 1.0
        self.identified_retention_ = {"estimate": retention, "standard_error": error,
                                      "lower_95": lower, "upper_95": upper}
        if self.penalizer > 0:
            where = "alpha and beta are where the penalizer puts them"
        elif 0 < retention < 1:
            where = (f"alpha and beta are reported at the no-heterogeneity limit (alpha + beta = "
                     f"{ONE_PERIOD_SCALE:.0e}: the same retention every period, the lowest "
                     f"survival curve the data allow)")
        else:
            where = "alpha and beta ran to the edge of the allowed range"
        warnings.warn(ModelWarning(
            f"{type(self).__name__}: with one observed period only the retention rate is "
            f"identified: r_1 = beta/(alpha + beta) = {retention:.4g} (s.e. {error:.2g}); the "
            f"likelihood is flat along alpha/(alpha + beta) = const, so alpha and beta are not "
            f"(no standard errors); {where}. Survival and retention after period 1 are an "
            f"assumption, not an estimate: give survivor counts for more periods."),
            stacklevel=stacklevel)

    def _after_params_set(self) -> None:
        self.identified_retention_ = None

    @property
    def summary(self) -> pd.DataFrame:
        """Estimates with standard errors and 95% intervals; after a one-period fit alpha
        and beta have none and a ``retention_rate_1`` row gives the identified quantity."""
        identified = getattr(self, "identified_retention_", None)
        if identified is None:
            return super().summary
        values = self._require_params()
        table = pd.DataFrame({"estimate": values, "standard_error": np.nan, "lower_95": np.nan,
                              "upper_95": np.nan},
                             index=pd.Index(list(self.parameter_names), name="parameter"))
        table.loc["retention_rate_1"] = [identified[k] for k in table.columns]
        return table

    def _pattern_log_likelihood(self, params, data):
        a, b = params
        t, churned = data[:, 0], data[:, 1]
        return np.where(churned > 0,
                        special.betaln(a + 1, b + t - 1) - special.betaln(a, b),
                        special.betaln(a, b + t) - special.betaln(a, b))

    def _pattern_gradient(self, params, data):
        a, b = params
        t, churned = data[:, 0], data[:, 1]
        dg = special.digamma
        common = dg(a + b) - dg(a + b + t)
        grad = np.column_stack([
            np.where(churned > 0, dg(a + 1) - dg(a), 0.0) + common,
            np.where(churned > 0, dg(b + t - 1), dg(b + t)) - dg(b) + common,
        ])
        return self._pattern_log_likelihood(params, data), grad

    def _starting_points(self, data, weights):
        return [[a, b] for a in (0.5, 1.0, 2.0) for b in (0.5, 2.0, 8.0)]

    # -- predictions --------------------------------------------------------------------------
    def survival(self, t) -> np.ndarray:
        """S(t) = B(alpha, beta + t) / B(alpha, beta): share of a cohort still active at t."""
        t = to_float_column(t, "t")
        a, b = self._require_params()
        return np.exp(special.betaln(a, b + t) - special.betaln(a, b))

    def retention_rate(self, t) -> np.ndarray:
        """r_t = S(t)/S(t-1) = (beta + t - 1)/(alpha + beta + t - 1), t >= 1 (2007, eq. 5)."""
        t = to_float_column(t, "t")
        if (t < 1).any():
            raise InputError("retention_rate is defined from period 1 on.", where="t")
        a, b = self._require_params()
        return (b + t - 1) / (a + b + t - 1)

    def expected_lifetime(self, horizon: int | None = None) -> float:
        """Expected number of periods a new customer stays (counting period 1).

        Without a horizon this is (alpha + beta - 1)/(alpha - 1), finite only when
        alpha > 1; otherwise pass ``horizon`` (periods) for the truncated mean
        Σ_{t=0}^{horizon-1} S(t), or use :meth:`discounted_expected_residual_lifetime`.
        """
        a, b = self._require_params()
        if horizon is None:
            if a <= 1:
                raise InputError(
                    f"With alpha = {a:.3g} <= 1 the expected lifetime is infinite (a share of "
                    f"customers practically never leaves).",
                    hint="Pass a horizon, or use the discounted expected residual lifetime.")
            return float((a + b - 1) / (a - 1))
        if not (isinstance(horizon, (int, np.integer)) and horizon >= 1):
            raise InputError(f"horizon must be a whole number of periods >= 1, not {horizon!r}.")
        return float(self.survival(np.arange(horizon)).sum())

    def discounted_expected_residual_lifetime(self, discount_rate: float,
                                              renewals: int = 0) -> float:
        """DERL (Fader & Hardie 2010, eq. 6) for a customer who has made ``renewals``
        renewals (n - 1), i.e. is active in period n = renewals + 1:
        (beta + n - 1)/(alpha + beta + n - 1) * 2F1(1, beta + n; alpha + beta + n; 1/(1 + d)).
        Multiply by the margin per period to get the residual value."""
        if not (isinstance(discount_rate, (int, float)) and math.isfinite(discount_rate)
                and discount_rate > 0):
            raise InputError(f"discount_rate must be a number > 0, not {discount_rate!r}.",
                             hint="E.g. 0.1 for 10% per period.")
        if not (isinstance(renewals, (int, np.integer)) and renewals >= 0):
            raise InputError(f"renewals must be a whole number >= 0, not {renewals!r}.")
        a, b = self._require_params()
        n = renewals + 1
        z = 1.0 / (1.0 + discount_rate)
        value = float((b + n - 1) / (a + b + n - 1) * special.hyp2f1(1.0, b + n, a + b + n, z))
        if not math.isfinite(value):  # scipy's hyp2f1 gives NaN once alpha + beta is in the hundreds
            value = _derl_series(a, b, n, z)
        return value


def _derl_series(a: float, b: float, n: int, z: float) -> float:
    """DERL summed directly: sum over k >= 0 of z**k * prod_{j=0..k} (b+n-1+j)/(a+b+n-1+j),
    i.e. S(n-1+k+1)/S(n-1) discounted k periods; stops when the tail (each term falls by at
    least z) is below 1e-16 of the sum."""
    total, log_term, start, block = 0.0, 0.0, 0, 4096
    tail_factor = z / (1.0 - z)
    while True:
        j = np.arange(start, start + block, dtype=float)
        steps = np.log((b + n - 1 + j) / (a + b + n - 1 + j)) + np.where(j > 0, math.log(z), 0.0)
        logs = log_term + np.cumsum(steps)
        terms = np.exp(logs)
        total += float(terms.sum())
        log_term = float(logs[-1])
        start += block
        if terms[-1] * tail_factor <= 1e-16 * total or start >= 50_000_000:
            return total
