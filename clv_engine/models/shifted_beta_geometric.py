"""Shifted-beta-geometric (sBG) retention model: Fader & Hardie (2007), "How to project
customer retention", J. Interactive Marketing 21(1); DERL from Fader & Hardie (2010),
"Customer-base valuation in a contractual setting: the perils of ignoring heterogeneity",
Marketing Science 29(1).

Each customer churns at the end of a period with probability theta ~ Beta(alpha, beta).
Data: survivors of one cohort at the start of periods 0, 1, 2, ... (e.g. 1000, 631, 468).
"""
from __future__ import annotations

import math

import numpy as np
from scipy import special

from ..errors import InputError
from .base import BaseModel, to_float_column


class ShiftedBetaGeometricModel(BaseModel):
    """sBG contractual retention model; parameters alpha, beta."""

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
        periods = np.arange(1, len(counts), dtype=float)
        churned = -np.diff(counts)
        t = np.append(periods, periods[-1])
        kind = np.append(np.ones(len(periods)), 0.0)  # 1 = churned in t, 0 = still active at t
        weights = np.append(churned, counts[-1])
        return self._fit_patterns([t, kind], weights)

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
        return float((b + n - 1) / (a + b + n - 1)
                     * special.hyp2f1(1.0, b + n, a + b + n, 1.0 / (1.0 + discount_rate)))
