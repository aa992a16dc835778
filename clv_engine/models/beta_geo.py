"""BG/NBD model: Fader, Hardie & Lee (2005), "Counting your customers the easy way: an
alternative to the Pareto/NBD model", Marketing Science 24(2), 275-284.

While alive a customer buys at Poisson rate lambda ~ Gamma(r, alpha); after each purchase
they drop out with probability p ~ Beta(a, b). Times are in the unit of ``recency``/``T``.

Numerics: likelihood and P(alive) in log space (log-sum-exp); the expectations use the
Euler transform of 2F1 (no overflow for customers with thousands of orders) and, when
``a + b + x - 1 <= 0`` (one-time buyers when a + b < 1, where eq. 7/10 divide by zero),
the exact Beta mixture identity that shifts ``b`` up by one.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from ..arrays import distinct_rows
from .base import BaseModel, check_same_length, check_weights, to_float_column

A_NEAR_ONE = 1e-7  # eq. 7 divides by (a - 1); nearer than this we average a +/- A_STEP
A_STEP = 1e-5
NARROW_DROPOUT = 50.0  # min(a, b) from which E[X(t)] averages over p by quadrature
DROPOUT_NODES, DROPOUT_WEIGHTS = np.polynomial.hermite_e.hermegauss(20)


def continuous_inputs(frequency, recency, T, weights=None, *, lenient: bool = False):
    """Validated (frequency, recency, T, weights) arrays for the continuous-time models.

    frequency: repeat purchases (whole numbers >= 0); recency: time of the last purchase
    since the first (0 when frequency is 0); T: age of the customer at the end of the data.
    A recency above 0 with frequency 0 raises InputError, or with ``lenient=True`` (what
    lifetimes' prediction methods accept) warns with :class:`ModelWarning` and is used as
    given, and a fractional frequency (an "average customer" from ``summary.mean()``) is
    used as it is, as lifetimes' formulas use it.
    """
    x = to_float_column(frequency, "frequency", integer=not lenient)
    t_x = to_float_column(recency, "recency")
    big_t = to_float_column(T, "T")
    check_same_length(frequency=x, recency=t_x, T=big_t)
    check_order(t_x, big_t, recency, "recency", "T")
    bad = (x == 0) & (t_x > 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        message = (f"recency is {t_x[i]} but frequency is 0: with no repeat purchase the "
                   f"recency must be 0")
        if lenient:
            import warnings

            from ..errors import ModelWarning
            warnings.warn(ModelWarning(f"{message} (position {i}; {int(bad.sum())} such row(s)); "
                                       f"the rows are used as given."), stacklevel=3)
        else:
            from ..errors import InputError
            raise InputError(message + ".", where=f"column 'recency', position {i}",
                             hint="Use the BTYD summary (frequency = repeat purchases).")
    return x, t_x, big_t, check_weights(weights, len(x))


def check_order(smaller, larger, original, small_name, large_name):
    """Raise InputError where ``smaller > larger`` (e.g. recency after the end of the data)."""
    bad = smaller > larger * (1 + 1e-12) + 1e-12
    if bad.any():
        from ..errors import InputError
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"{small_name} ({smaller[i]}) is larger than {large_name} "
                         f"({larger[i]}).", where=f"column '{small_name}', position {i}",
                         hint=f"{small_name} is measured from the first purchase and cannot "
                              f"exceed {large_name}; check the summary step.")


def bg_expected_purchases_new(t, r, alpha, a, b):
    """E[X(t)] for a new BG/NBD customer, FHL (2005) eq. 7, finite for all a, b > 0.

    Arrays broadcast. Uses Euler's transform
    ``(alpha/(alpha+t))**r 2F1(r, b; c; z) = (1-z)**(a-1) 2F1(c-r, a-1; c; z)``,
    ``c = a + b - 1``, and ``E_{a,b} = b/(a+b) E_{a,b+1} + a/(a+b) E_{a+1,b}`` when c <= 0.
    """
    t, r, alpha, a, b = np.broadcast_arrays(*(np.asarray(v, dtype=float)
                                              for v in (t, r, alpha, a, b)))
    out = np.zeros(t.shape)
    narrow = np.minimum(a, b) >= NARROW_DROPOUT
    low_c = (a + b - 1 <= 0.05) & ~narrow
    ok = ~low_c & ~narrow
    out[ok] = _expected_new_direct(t[ok], r[ok], alpha[ok], a[ok], b[ok])
    if narrow.any():
        out[narrow] = _expected_new_by_dropout_quadrature(t[narrow], r[narrow], alpha[narrow],
                                                          a[narrow], b[narrow])
    if low_c.any():
        tt, rr, al, aa, bb = t[low_c], r[low_c], alpha[low_c], a[low_c], b[low_c]
        out[low_c] = (bb / (aa + bb) * bg_expected_purchases_new(tt, rr, al, aa, bb + 1)
                      + aa / (aa + bb) * bg_expected_purchases_new(tt, rr, al, aa + 1, bb))
    return np.maximum(out, 0.0)


def _expected_new_direct(t, r, alpha, a, b):
    near = np.abs(a - 1) < A_NEAR_ONE
    if near.any():
        a_low = np.where(near, 1 - A_STEP, a)
        a_high = np.where(near, 1 + A_STEP, a)
        return (_expected_new_euler(t, r, alpha, a_low, b)
                + _expected_new_euler(t, r, alpha, a_high, b)) / 2
    return _expected_new_euler(t, r, alpha, a, b)


def _expected_new_euler(t, r, alpha, a, b):
    c = a + b - 1
    z = t / (alpha + t)
    log_one_minus_z = np.log(alpha) - np.log(alpha + t)
    series = special.hyp2f1(c - r, a - 1, c, z)
    with np.errstate(invalid="ignore", over="ignore"):
        out = c / (a - 1) * (1 - np.exp((a - 1) * log_one_minus_z) * series)
    bad = ~np.isfinite(out)
    if bad.any():  # scipy's 2F1 gives up for very large r (nearly Poisson purchase rates)
        out[bad] = _expected_new_by_rate_quadrature(t[bad], r[bad], alpha[bad], a[bad], b[bad])
    return out


def _expected_new_by_rate_quadrature(t, r, alpha, a, b, nodes=40):
    """E[X(t)] as the average over lambda ~ Gamma(r, alpha) of the fixed-rate BG result
    ``c/(a-1) * (1 - 1F1(a-1; c; -lambda t))`` (the r -> infinity limit of eq. 7's Euler
    form, FHL 2005), with Gauss quadrature on the standardised gamma: used where the 2F1
    series fails, which happens only for very large r, where the gamma is nearly normal.
    """
    c = a + b - 1
    x, w = np.polynomial.hermite_e.hermegauss(nodes)
    w = w / w.sum()
    sd = np.sqrt(r)[:, None]
    rate = np.maximum((r[:, None] + sd * x[None, :]) / alpha[:, None], 0.0)
    fixed = c[:, None] / (a[:, None] - 1) * (1 - special.hyp1f1(a[:, None] - 1, c[:, None], -rate * t[:, None]))
    return (fixed * w[None, :]).sum(axis=1)


def _expected_new_by_dropout_quadrature(t, r, alpha, a, b):
    """E[X(t)] as the average over p ~ Beta(a, b) of the fixed-p result
    ``(1 - (alpha / (alpha + p t))**r) / p`` (given lambda, E[X(t)] = (1 - exp(-lambda p t)) / p;
    FHL 2005 eq. 7 before integrating over p). For large a and b (a narrow Beta, where the
    2F1 series overflows) Gauss-Hermite quadrature on logit p, centred at log(a/b) with
    sd sqrt(1/a + 1/b) and weighted by the exact Beta density, is accurate to about 1e-13
    from min(a, b) = 50; as a, b -> infinity it tends to the fixed-dropout limit.
    """
    # nodes and weights depend only on (a, b): computed once per distinct pair (a posterior
    # b + x takes few values; many rows differ only in t, r or alpha)
    (a, b), pair, _ = distinct_rows(a, b)
    centre = np.log(a) - np.log(b)
    sd = np.sqrt(1.0 / a + 1.0 / b)
    logit = centre[:, None] + sd[:, None] * DROPOUT_NODES
    log_density = (a[:, None] * (logit - centre[:, None])
                   - (a + b)[:, None] * (np.logaddexp(0.0, logit) - np.logaddexp(0.0, centre)[:, None])
                   + DROPOUT_NODES ** 2 / 2)
    weights = DROPOUT_WEIGHTS * np.exp(log_density - log_density.max(axis=1, keepdims=True))
    weights /= weights.sum(axis=1, keepdims=True)
    p = special.expit(logit)
    weights /= p  # E[X(t)] = sum_k w_k (1 - (alpha / (alpha + p_k t))**r) / p_k
    per_p = np.log1p(p[pair] * (t / alpha)[:, None])
    per_p *= -r[:, None]
    return -np.einsum("ij,ij->i", np.expm1(per_p, out=per_p), weights[pair])


def bg_p_n_purchases_new(n, t, r, alpha, a, b):
    """P(X(t) = n) for a new BG/NBD customer, FHL (2005) eq. 8 (log space, NB tail by betainc)."""
    n, t, r, alpha, a, b = np.broadcast_arrays(*(np.asarray(v, dtype=float)
                                                 for v in (n, t, r, alpha, a, b)))
    log_nb = (special.gammaln(r + n) - special.gammaln(r) - special.gammaln(n + 1)
              + r * (np.log(alpha) - np.log(alpha + t))
              + special.xlogy(n, t) - n * np.log(alpha + t))
    first = np.exp(special.betaln(a, b + n) - special.betaln(a, b) + log_nb)
    positive = n > 0
    tail = special.betainc(np.where(positive, n, 1.0), r, t / (alpha + t))
    second = np.where(positive, np.exp(special.betaln(a + 1, np.maximum(b + n - 1, 1e-300))
                                       - special.betaln(a, b)) * tail, 0.0)
    return np.clip(first + second, 0.0, 1.0)


class PatternLookup:
    """Rows (x, t_x, T) with their distinct values and each row's index into them."""

    def __init__(self, rows):
        rows = np.asarray(rows, dtype=float)
        self.x, self.t_x, self.big_t = rows[:, 0], rows[:, 1], rows[:, 2]
        self.unique_x, self.x_index = distinct(self.x)
        self.unique_tx, self.tx_index = distinct(self.t_x)
        self.unique_t, self.t_index = distinct(self.big_t)


def distinct(values):
    """``(uniques, index)`` with ``uniques[index] == values`` (hash-based)."""
    index, uniques = pd.factorize(values, sort=False)
    return np.asarray(uniques, dtype=float), index


class BetaGeoModel(BaseModel):
    """BG/NBD purchase model (Fader, Hardie & Lee 2005); parameters r, alpha, a, b.

    ``fit(frequency, recency, T, weights=None)`` uses the BTYD summary (frequency = repeat
    purchases, recency = time of last purchase since the first, T = customer age).
    """

    parameter_names = ("r", "alpha", "a", "b")
    boundary_pairs = ((0, 1), (2, 3))  # one common purchase rate; one common dropout
    runoff_pair = (2, 3)  # a, b -> infinity together: a fixed dropout probability
    #: MBG/NBD (Batislam et al. 2007) also lets customers drop out right after the first purchase.
    dropout_at_first_purchase = False

    def fit(self, frequency, recency, T, weights=None, *, initial_params=None,
            standard_errors: bool = True, distinct: bool = False) -> BetaGeoModel:
        """Maximum-likelihood fit (eq. 6); returns self.

        ``initial_params`` (dict r, alpha, a, b), e.g. a fit on part of the same data, is
        tried as a starting point; the optimum does not depend on it.
        ``standard_errors=False`` skips the covariance (``covariance_`` stays None).
        ``distinct=True``: the rows are already distinct patterns and ``weights`` their
        numbers of customers (as ``compress_patterns`` gives them): not compressed again.
        """
        self._validate_hyperparameters()
        x, t_x, big_t, w = continuous_inputs(frequency, recency, T, weights)
        return self._fit_patterns([x, t_x, big_t], w, initial_params, standard_errors, distinct)

    # -- likelihood (eq. 6) -------------------------------------------------------------------
    def _prepare_patterns(self, rows):
        return PatternLookup(rows)

    def _log_terms(self, params, data):
        """Per-row ``base``, ``log_a``, ``log_b`` of eq. 6 (log_b = -inf where absent).

        Special functions are evaluated once per distinct frequency and logs once per
        distinct recency / T, then looked up per row.
        """
        data = data if isinstance(data, PatternLookup) else PatternLookup(data)
        r, alpha, a, b = params
        ux = data.unique_x
        shift = 1.0 if self.dropout_at_first_purchase else 0.0
        beta_ab = special.betaln(a, b)
        base_u = special.gammaln(r + ux) - special.gammaln(r) + r * np.log(alpha)
        log_a_u = special.betaln(a, b + ux + shift) - beta_ab
        has_b_u = (ux > 0) | (shift > 0)
        log_b_u = np.where(has_b_u, special.betaln(a + 1, np.maximum(b + ux - 1 + shift, 1e-300))
                           - beta_ab, -np.inf)
        rx = r + data.x
        xi = data.x_index
        log_a = log_a_u[xi] - rx * np.log(alpha + data.unique_t)[data.t_index]
        log_b = log_b_u[xi] - rx * np.log(alpha + data.unique_tx)[data.tx_index]
        return base_u[xi], log_a, log_b, has_b_u[xi]

    def _pattern_log_likelihood(self, params, data):
        base, log_a, log_b, _ = self._log_terms(params, data)
        return base + np.logaddexp(log_a, log_b)

    def _pattern_gradient(self, params, data):
        data = data if isinstance(data, PatternLookup) else PatternLookup(data)
        r, alpha, a, b = params
        shift = 1.0 if self.dropout_at_first_purchase else 0.0
        base, log_a, log_b, has_b = self._log_terms(params, data)
        total = np.logaddexp(log_a, log_b)
        w_a = np.exp(log_a - total)
        w_b = np.where(has_b, np.exp(log_b - total), 0.0)
        dg = special.digamma
        ux, xi = data.unique_x, data.x_index
        ab = dg(a + b)
        end_u = dg(a + b + ux + shift)
        rate_u = dg(r + ux) - dg(r) + np.log(alpha)
        b_u = dg(b + ux + shift) - dg(b) + ab - end_u
        b_x_u = dg(np.maximum(b + ux - 1 + shift, 1e-300)) - dg(b) + ab - end_u
        a_u = ab - end_u
        log_t = np.log(alpha + data.unique_t)[data.t_index]
        log_tx = np.log(alpha + data.unique_tx)[data.tx_index]
        inv_t = (1.0 / (alpha + data.unique_t))[data.t_index]
        inv_tx = (1.0 / (alpha + data.unique_tx))[data.tx_index]
        a_row = a_u[xi]
        grad = np.empty((len(data.x), 4))
        grad[:, 0] = rate_u[xi] - w_a * log_t - w_b * log_tx
        grad[:, 1] = r / alpha - (r + data.x) * (w_a * inv_t + w_b * inv_tx)
        grad[:, 2] = w_a * a_row + w_b * (dg(a + 1) - dg(a) + a_row)
        grad[:, 3] = w_a * b_u[xi] + w_b * b_x_u[xi]
        return base + total, grad

    def _starting_points(self, data, weights):
        x, big_t = data[:, 0], data[:, 2]
        rate = max(float(weights @ x) / max(float(weights @ big_t), 1e-12), 1e-6)
        return [[r, r / rate, a, b] for r in (0.3, 1.0) for a, b in ((1.0, 3.0), (0.5, 2.0),
                                                                     (2.0, 8.0))]

    # -- predictions --------------------------------------------------------------------------
    def _log_odds_dead(self, x, t_x, big_t):
        r, alpha, a, b = self._require_params()
        shift = 1.0 if self.dropout_at_first_purchase else 0.0
        b_x = np.maximum(b + x - 1 + shift, 1e-300)
        log_odds = np.log(a) - np.log(b_x) + (r + x) * (np.log(alpha + big_t) - np.log(alpha + t_x))
        if not self.dropout_at_first_purchase:
            log_odds = np.where(x > 0, log_odds, -np.inf)
        return log_odds

    def p_alive(self, frequency, recency, T) -> np.ndarray:
        """P(alive at T | x, t_x, T) (Fader, Hardie & Lee 2008 note, eq. 2); 1 for x = 0."""
        x, t_x, big_t, _ = continuous_inputs(frequency, recency, T, lenient=self.lenient_inputs)
        return special.expit(-self._log_odds_dead(x, t_x, big_t))

    def _posterior_new_params(self, x, big_t):
        """Parameters of the process after T for a customer alive at T."""
        r, alpha, a, b = self._require_params()
        shift = 1.0 if self.dropout_at_first_purchase else 0.0
        return r + x, alpha + big_t, a, b + x + shift

    def expected_purchases(self, t, frequency, recency, T) -> np.ndarray:
        """E[Y(t) | x, t_x, T]: purchases in the next ``t`` time units, FHL (2005) eq. 10.

        Computed as P(alive) times eq. 7 with the posterior parameters, the same quantity
        without the 1/(a - 1) and 2F1 overflow problems.
        """
        x, t_x, big_t, _ = continuous_inputs(frequency, recency, T, lenient=self.lenient_inputs)
        t = to_float_column(t, "t")
        alive = special.expit(-self._log_odds_dead(x, t_x, big_t))
        r, alpha, a, b = self._posterior_new_params(x, big_t)
        return alive * bg_expected_purchases_new(t, r, alpha, a, b)

    def expected_purchases_if_alive(self, t, frequency, T) -> np.ndarray:
        """E[Y(t) | alive at T, x]: :meth:`expected_purchases` divided by P(alive).

        Depends only on the frequency and T, so it can be computed once per distinct pair.
        """
        x = to_float_column(frequency, "frequency", integer=True)
        big_t = to_float_column(T, "T")
        t = to_float_column(t, "t")
        r, alpha, a, b = self._posterior_new_params(x, big_t)
        return bg_expected_purchases_new(t, r, alpha, a, b)

    def expected_purchases_new(self, t) -> np.ndarray:
        """E[X(t)] for a customer just acquired, FHL (2005) eq. 7."""
        t = to_float_column(t, "t")
        r, alpha, a, b = self._require_params()
        if self.dropout_at_first_purchase:
            return b / (a + b) * bg_expected_purchases_new(t, r, alpha, a, b + 1)
        return bg_expected_purchases_new(t, r, alpha, a, b)

    def p_n_purchases(self, n, t) -> np.ndarray:
        """P(X(t) = n) for a customer just acquired, FHL (2005) eq. 8."""
        n = to_float_column(n, "n", integer=True)
        t = to_float_column(t, "t")
        r, alpha, a, b = self._require_params()
        if self.dropout_at_first_purchase:
            return (a / (a + b) * (n == 0)
                    + b / (a + b) * bg_p_n_purchases_new(n, t, r, alpha, a, b + 1))
        return bg_p_n_purchases_new(n, t, r, alpha, a, b)

    def p_no_purchase(self, t, frequency, recency, T) -> np.ndarray:
        """P(no purchase in (T, T + t] | x, t_x, T): the churn risk over the next ``t``.

        A customer can only drop out right after a purchase (MBG/NBD: also at time 0, which
        is in P(alive)), so a customer alive at T makes no purchase in the next ``t``
        exactly when the Poisson process has no event: with the posterior rate
        Gamma(r + x, alpha + T),
        ``1 - P(alive) + P(alive) * ((alpha + T) / (alpha + T + t)) ** (r + x)``.
        It ranks customers by their purchase rate even when the fit finds no dropout.
        """
        x, t_x, big_t, _ = continuous_inputs(frequency, recency, T, lenient=self.lenient_inputs)
        t = to_float_column(t, "t")
        r, alpha = self._require_params()[:2]
        alive = special.expit(-self._log_odds_dead(x, t_x, big_t))
        silent = np.exp(-(r + x) * np.log1p(t / (alpha + big_t)))
        return np.clip(1.0 - alive * (1.0 - silent), 0.0, 1.0)

    def p_n_purchases_conditional(self, n, t, frequency, recency, T) -> np.ndarray:
        """P(Y(t) = n | x, t_x, T): n purchases in the next ``t`` (Fader, Hardie & Lee 2008
        note "Computing P(alive) ... and P(X(t)=x)"), as dead-or-alive mixture."""
        x, t_x, big_t, _ = continuous_inputs(frequency, recency, T, lenient=self.lenient_inputs)
        n = to_float_column(n, "n", integer=True)
        t = to_float_column(t, "t")
        alive = special.expit(-self._log_odds_dead(x, t_x, big_t))
        r, alpha, a, b = self._posterior_new_params(x, big_t)
        return np.clip((1 - alive) * (n == 0)
                       + alive * bg_p_n_purchases_new(n, t, r, alpha, a, b), 0.0, 1.0)
