"""Pareto/NBD model: Schmittlein, Morrison & Colombo (1987), "Counting your customers: who
are they and what will they do next?", Management Science 33(1); likelihood as in Fader &
Hardie (2005), "A note on deriving the Pareto/NBD model and related expressions".

While alive a customer buys at Poisson rate lambda ~ Gamma(r, alpha); the lifetime is
exponential with rate mu ~ Gamma(s, beta).

Likelihood (note, eqs. 16-22) written as the integral it comes from,
``L = Γ(r+x)α^r β^s / Γ(r) * [(α+T)^-(r+x) (β+T)^-s + s * I]`` with
``I = ∫_{t_x}^{T} (α+τ)^-(r+x) (β+τ)^-(s+1) dτ`` (the dropout time τ between the last
purchase and T). The note's 2F1 expressions (α >= β and α < β cases) are this integral in
closed form; evaluating it by Gauss-Legendre quadrature after the substitution
``y = (α+τ)^-(r+x+s)`` (which absorbs the steep power so the rest is smooth and bounded)
gives the value *and* analytic parameter derivatives, with no difference of two nearly equal
2F1 terms: I = 0 exactly when recency == T, so large frequency with recency == T is finite.
"""
from __future__ import annotations

import numpy as np
from scipy import special

from .base import BaseModel, log1mexp_ratio, to_float_column
from .beta_geo import continuous_inputs

GAUSS_NODES, GAUSS_WEIGHTS = np.polynomial.legendre.leggauss(12)
GAUSS_POSITIONS = (GAUSS_NODES + 1) / 2  # nodes on [0, 1]
LOG_HALF_WEIGHTS = np.log(GAUSS_WEIGHTS / 2)
LN10 = np.log(10.0)
MAX_PANEL_DECADES = 3.0  # panel width, in decades of y', where the log integrand's slope is 1
DEPTH_DECADES = 18.0  # what lies below the panels is under 1e-18 of the total
MAX_PANELS = 40  # beyond this, substitute with the larger of alpha, beta if that needs fewer,
# else widen the panels
CHUNK_ROWS = 10_000  # rows per block (12 nodes per panel; most rows need 1-2 panels)


def pareto_log_integral(r, alpha, s, beta, x, t_x, big_t, with_gradient=False):
    """log I and (optionally) d log I / d(r, alpha, s, beta), arrays over customers.

    I = ∫_{t_x}^{T} (α+τ)^-(r+x) (β+τ)^-(s+1) dτ; -inf where t_x == T. With
    y' = ((lead + t_x) / (lead + τ))^n, n = r + x + s and lead = min(α, β), the integral is
    ``(lead + t_x)^-n / n ∫_q^1 g(y') dy'`` with g = ((lead + τ) / (other + τ))^k in (0, 1]
    (k the power of the other parameter's term): the steep power is absorbed and the rest
    is bounded. Gauss-Legendre nodes linear in l = log y' (12 per panel) give it to about
    1e-13 (nodes linear in y' gave about 1e-8: g has a y'^(1/n) branch point at y' = 0).
    See :func:`_panel_plan` for where the panels go.

    Where that would need more than MAX_PANELS panels (large s and beta, a nearly fixed
    dropout rate, with alpha far below beta: the mass of g lies hundreds of decades down),
    the rows substitute with the larger of alpha, beta instead when that needs fewer.
    Rows are grouped by their number of panels (most need one or two).
    """
    lead, other = min(alpha, beta), max(alpha, beta)
    n = r + x + s
    k_other = (s + 1.0) if alpha <= beta else (r + x)
    floor, width, panels = _panel_plan(lead, other, k_other, n, t_x, big_t)
    swap = panels > MAX_PANELS
    if swap.any():
        k_lead = (r + x) if alpha <= beta else (s + 1.0)
        k_lead = np.broadcast_to(k_lead, n.shape)
        floor_s, width_s, panels_s = _panel_plan(other, lead, k_lead[swap], n[swap], t_x[swap],
                                                 big_t[swap])
        better = panels_s < panels[swap]
        swap[swap] = better
        floor[swap], width[swap], panels[swap] = floor_s[better], width_s[better], panels_s[better]
    over = panels > MAX_PANELS  # rare: stretch the panels to cover the range
    if over.any():
        panels[over] = MAX_PANELS
        width[over] = -floor[over] / MAX_PANELS
    log_integral = np.empty(len(x))
    grad = np.empty((len(x), 4)) if with_gradient else None
    for count, swapped in set(zip(panels.tolist(), swap.tolist())):
        rows = (panels == count) & (swap == swapped)
        part = _log_integral_panels(r, alpha, s, beta, x[rows], t_x[rows], with_gradient,
                                    floor[rows], width[rows], count, swapped)
        if with_gradient:
            log_integral[rows], grad[rows] = part
        else:
            log_integral[rows] = part
    return (log_integral, grad) if with_gradient else log_integral


def _blocked_log_integral(r, alpha, s, beta, x, t_x, big_t, with_gradient=False):
    """:func:`pareto_log_integral` over blocks of CHUNK_ROWS rows: its per-node work
    arrays (rows x panels x 12) stay a few MB however many customers there are.
    Returns ``(log I, gradient or None)``."""
    parts = [pareto_log_integral(r, alpha, s, beta, x[i:i + CHUNK_ROWS], t_x[i:i + CHUNK_ROWS],
                                 big_t[i:i + CHUNK_ROWS], with_gradient)
             for i in range(0, len(x), CHUNK_ROWS)]
    if not parts:
        return np.empty(0), (np.empty((0, 4)) if with_gradient else None)
    if with_gradient:
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    return np.concatenate(parts), None


def _panel_plan(lead, other, k_other, n, t_x, big_t):
    """``(floor, width, panels)`` per row: the panels in l = log y' run from 0 down to
    ``floor`` (>= log q) in steps of ``width``.

    The log integrand in l, phi(l) = l + log g, has slope
    ``phi' = 1 - (k/n) (other - lead) / (other + τ)``, which moves monotonically from its
    value at the top (τ = t_x) towards 1 as τ grows. Panels are as wide as lets e^phi change
    by at most e^7 across one (three decades where |phi'| = 1; far wider where phi is
    nearly flat, as with a nearly fixed dropout rate) and at most n / 1.5 decades (g is
    analytic within |Im l| < n pi). Depth: below ``floor`` lies less than 1e-18 of the
    total. When lead < other (phi concave, phi' <= 1), by one of two bounds: phi' >=
    phi'(top) > 0 (the integrand decays at least that fast, while it is at least
    e^(phi(0) + l)); or g <= 1 (the integrand is at most e^l, the total at least g(1)).
    When lead > other (phi convex, phi' >= 1) the total is at least e^phi(0) / phi'(top),
    and panels are also no wider than twice the distance from l = 0 to the branch point of
    log(other + τ) at τ = -other, just above the range.
    """
    log_c0 = np.log(lead + t_x)
    log_q = n * (log_c0 - np.log(lead + big_t))
    gap = other - lead
    slope_top = 1.0 - (k_other / n) * gap / (other + t_x)
    slope_bottom = 1.0 - (k_other / n) * gap / (other + big_t)
    steepest = np.maximum(np.abs(slope_top), np.abs(slope_bottom))  # phi' is monotone
    with np.errstate(divide="ignore"):
        width = LN10 * np.minimum(n / 1.5, MAX_PANEL_DECADES / steepest)
    depth = DEPTH_DECADES * LN10 + 1.0
    if gap >= 0:  # phi concave: phi' >= phi'(top) all the way down
        with np.errstate(divide="ignore", invalid="ignore"):
            by_slope = np.where(slope_top > 0, -(depth - np.log(np.abs(slope_top))) / slope_top, -np.inf)
        log_g1 = k_other * (log_c0 - np.log(other + t_x))
        floor = np.maximum(np.maximum(log_q, by_slope), log_g1 - depth)
    else:  # phi convex, phi' from phi'(top) down to 1: total >= e^phi(0) / phi'(top)
        floor = np.maximum(log_q, -(depth + np.log(slope_top)))
        # log(other + τ) has a branch point at τ = -other, a distance d above l = 0
        d = n * np.log1p((other + t_x) / -gap)
        width = np.minimum(width, 2.0 * d)
    panels = np.maximum(np.ceil(-floor / width), 1).astype(int)
    return floor, width, panels


def _log_integral_panels(r, alpha, s, beta, x, t_x, with_gradient, floor, panel_width,
                         n_panels, swapped=False):
    """log I by Gauss-Legendre nodes linear in l = log y' on ``n_panels`` panels of
    ``panel_width`` from 0 down to ``floor`` (see :func:`pareto_log_integral`).

    The substitution is with the smaller of alpha, beta, or the larger when ``swapped``.
    The gradient is E_f[d log f / dθ] with f the integrand, carried by the same nodes.
    """
    alpha_first = (alpha <= beta) != swapped
    lead, other = (alpha, beta) if alpha_first else (beta, alpha)
    n = r + x + s
    log_c0 = np.log(lead + t_x)
    edges = -panel_width[:, None] * np.arange(n_panels + 1)
    upper = np.maximum(floor[:, None], edges[:, :-1])
    lower = np.maximum(floor[:, None], edges[:, 1:])
    width = upper - lower
    empty = ~(width[:, 0] > 0)  # recency == T: I = 0
    rows = len(x)
    log_y = (lower[:, :, None] + width[:, :, None] * GAUSS_POSITIONS).reshape(rows, -1)
    with np.errstate(divide="ignore"):
        log_weights = (np.log(width)[:, :, None] + LOG_HALF_WEIGHTS).reshape(rows, -1)
    log_weights += log_y  # dy' = y' dl
    # lead + τ = (lead + t_x) y'^(-1/n); the other factor differs by a constant
    log_lead_tau = log_y
    log_lead_tau *= (-1.0 / n)[:, None]
    log_lead_tau += log_c0[:, None]
    lead_tau = np.exp(log_lead_tau)
    other_tau = lead_tau + (other - lead)
    log_other_tau = np.log(other_tau)
    k_other = (s + 1.0) if alpha_first else (r + x)[:, None]
    log_terms = log_lead_tau - log_other_tau
    log_terms *= k_other
    log_terms += log_weights
    log_terms[empty, 0] = 0.0  # placeholder, result masked below
    top = log_terms.max(axis=1)
    share = np.exp(log_terms - top[:, None])
    total = share.sum(axis=1)
    log_sum = top + np.log(total)
    log_integral = np.where(empty, -np.inf, -n * log_c0 - np.log(n) + log_sum)
    if not with_gradient:
        return log_integral
    share /= total[:, None]
    alpha_tau, beta_tau = (lead_tau, other_tau) if alpha_first else (other_tau, lead_tau)
    log_alpha_tau, log_beta_tau = ((log_lead_tau, log_other_tau) if alpha_first
                                   else (log_other_tau, log_lead_tau))
    grad = np.empty((rows, 4))
    grad[:, 0] = -np.einsum("ij,ij->i", share, log_alpha_tau)
    grad[:, 1] = -(r + x) * np.einsum("ij,ij->i", share, 1.0 / alpha_tau)
    grad[:, 2] = -np.einsum("ij,ij->i", share, log_beta_tau)
    grad[:, 3] = -(s + 1) * np.einsum("ij,ij->i", share, 1.0 / beta_tau)
    grad[empty] = 0.0
    return log_integral, grad


class ParetoNBDModel(BaseModel):
    """Pareto/NBD purchase model; parameters r, alpha, s, beta."""

    parameter_names = ("r", "alpha", "s", "beta")
    boundary_pairs = ((0, 1), (2, 3))  # one common purchase rate; one common dropout
    runoff_pair = (2, 3)  # s, beta -> infinity together: a fixed dropout rate

    def fit(self, frequency, recency, T, weights=None, *, initial_params=None,
            standard_errors: bool = True, distinct: bool = False) -> ParetoNBDModel:
        """Maximum-likelihood fit; returns self. ``initial_params`` (dict r, alpha, s,
        beta) is tried as a starting point; the optimum does not depend on it.
        ``standard_errors=False`` skips the covariance (``covariance_`` stays None).
        ``distinct=True``: the rows are already distinct patterns and ``weights`` their
        numbers of customers: not compressed again."""
        self._validate_hyperparameters()
        x, t_x, big_t, w = continuous_inputs(frequency, recency, T, weights)
        return self._fit_patterns([x, t_x, big_t], w, initial_params, standard_errors, distinct)

    # -- likelihood ---------------------------------------------------------------------------
    def _log_parts(self, params, data, with_gradient):
        r, alpha, s, beta = params
        x, t_x, big_t = data[:, 0], data[:, 1], data[:, 2]
        base = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha) + s * np.log(beta)
        alive = -(r + x) * np.log(alpha + big_t) - s * np.log(beta + big_t)
        log_i, grad_i = _blocked_log_integral(r, alpha, s, beta, x, t_x, big_t, with_gradient)
        return base, alive, np.log(s) + log_i, grad_i

    def _pattern_log_likelihood(self, params, data):
        base, alive, dead, _ = self._log_parts(params, data, False)
        return base + np.logaddexp(alive, dead)

    def _pattern_gradient(self, params, data):
        r, alpha, s, beta = params
        x, big_t = data[:, 0], data[:, 2]
        base, alive, dead, grad_i = self._log_parts(params, data, True)
        total = np.logaddexp(alive, dead)
        w_alive = np.exp(alive - total)
        w_dead = np.exp(dead - total)
        grad = np.empty((len(x), 4))
        grad[:, 0] = (special.digamma(r + x) - special.digamma(r) + np.log(alpha)
                      - w_alive * np.log(alpha + big_t) + w_dead * grad_i[:, 0])
        grad[:, 1] = r / alpha - w_alive * (r + x) / (alpha + big_t) + w_dead * grad_i[:, 1]
        grad[:, 2] = (np.log(beta) - w_alive * np.log(beta + big_t)
                      + w_dead * (1 / s + grad_i[:, 2]))
        grad[:, 3] = s / beta - w_alive * s / (beta + big_t) + w_dead * grad_i[:, 3]
        return base + total, grad

    def _starting_points(self, data, weights):
        x, big_t = data[:, 0], data[:, 2]
        rate = max(float(weights @ x) / max(float(weights @ big_t), 1e-12), 1e-6)
        typical_t = float(np.average(big_t, weights=weights)) or 1.0
        return [[r, r / rate, s, beta * typical_t] for r in (0.5, 1.0) for s in (0.5, 1.0)
                for beta in (0.25, 1.0)]

    # -- predictions --------------------------------------------------------------------------
    def _log_alive_dead(self, x, t_x, big_t):
        r, alpha, s, beta = self._require_params()
        alive = -(r + x) * np.log(alpha + big_t) - s * np.log(beta + big_t)
        dead = np.log(s) + _blocked_log_integral(r, alpha, s, beta, x, t_x, big_t)[0]
        return alive, dead

    def p_alive(self, frequency, recency, T) -> np.ndarray:
        """P(alive at T | x, t_x, T) (Fader & Hardie 2005 note, eq. 24); 1 when recency == T."""
        x, t_x, big_t, _ = continuous_inputs(frequency, recency, T, lenient=self.lenient_inputs)
        alive, dead = self._log_alive_dead(x, t_x, big_t)
        return np.exp(alive - np.logaddexp(alive, dead))

    @staticmethod
    def _expected_while_alive(t, r, alpha, s, beta):
        """E[X(t)] for a customer alive at the start: rβ/(α(s-1)) [1 - (β/(β+t))^(s-1)],
        written as (r/α) β (1 - e^{-(s-1)L})/(s-1), L = log(1 + t/β), finite at s = 1."""
        return r / alpha * beta * log1mexp_ratio(s - 1, np.log1p(t / beta))

    def expected_purchases(self, t, frequency, recency, T) -> np.ndarray:
        """E[Y(t) | x, t_x, T] (Fader & Hardie 2005 note, eq. 26): P(alive) times the
        expectation of a new customer with posterior parameters (r+x, α+T, s, β+T)."""
        x, t_x, big_t, _ = continuous_inputs(frequency, recency, T, lenient=self.lenient_inputs)
        t = to_float_column(t, "t")
        r, alpha, s, beta = self._require_params()
        alive, dead = self._log_alive_dead(x, t_x, big_t)
        p_alive = np.exp(alive - np.logaddexp(alive, dead))
        return p_alive * self._expected_while_alive(t, r + x, alpha + big_t, s, beta + big_t)

    def expected_purchases_if_alive(self, t, frequency, T) -> np.ndarray:
        """E[Y(t) | alive at T, x]: :meth:`expected_purchases` divided by P(alive).

        Depends only on the frequency and T, so it can be computed once per distinct pair.
        """
        x = to_float_column(frequency, "frequency", integer=True)
        big_t = to_float_column(T, "T")
        t = to_float_column(t, "t")
        r, alpha, s, beta = self._require_params()
        return self._expected_while_alive(t, r + x, alpha + big_t, s, beta + big_t)

    def expected_purchases_new(self, t) -> np.ndarray:
        """E[X(t)] for a customer just acquired (Schmittlein et al. 1987, eq. 17)."""
        t = to_float_column(t, "t")
        return self._expected_while_alive(t, *self._require_params())

    @staticmethod
    def _p_n_new(n, t, r, alpha, s, beta):
        """P(X(t) = n) by conditioning on the dropout time τ (Fader, Hardie & Lee 2005,
        "Deriving an expression for P(X(t)=x) under the Pareto/NBD model", eq. 1):
        NB(n; λ-mixture over t) P(τ > t) + ∫_0^t NB(n; over τ) s β^s (β+τ)^-(s+1) dτ."""
        from scipy import integrate

        def nb_log(u):
            return (special.gammaln(r + n) - special.gammaln(r) - special.gammaln(n + 1)
                    + r * (np.log(alpha) - np.log(alpha + u))
                    + special.xlogy(n, u) - n * np.log(alpha + u))

        alive_part = np.exp(nb_log(t) + s * (np.log(beta) - np.log(beta + t)))
        dead_part = integrate.quad(
            lambda u: np.exp(nb_log(u) + np.log(s) + s * np.log(beta) - (s + 1) * np.log(beta + u)),
            0.0, t, limit=200, epsabs=1e-13, epsrel=1e-10)[0] if t > 0 else 0.0
        return alive_part + dead_part

    def p_n_purchases(self, n, t) -> np.ndarray:
        """P(X(t) = n) for a customer just acquired (pairs of n and t broadcast)."""
        n = to_float_column(n, "n", integer=True)
        t = to_float_column(t, "t")
        params = self._require_params()
        n, t = np.broadcast_arrays(n, t)
        values = [self._p_n_new(nn, tt, *params) for nn, tt in zip(n, t)]
        return np.clip(np.array(values, dtype=float), 0.0, 1.0)

    def p_no_purchase(self, t, frequency, recency, T) -> np.ndarray:
        """P(no purchase in (T, T + t] | x, t_x, T): the churn risk over the next ``t``.

        The conditional PMF at x* = 0 (Fader & Hardie, "Deriving the conditional PMF of the
        Pareto/NBD model", 2006): 1 - P(alive) + P(alive) * P(0 | alive at T), where for a
        customer alive at T (posterior rates Gamma(r + x, alpha + T), Gamma(s, beta + T))
        ``P(0 | alive) = (alpha+T)^(r+x) (beta+T)^s [(alpha+T+t)^-(r+x) (beta+T+t)^-s
        + s * I]``, I = the likelihood's dropout integral from T to T + t
        (:func:`pareto_log_integral` with recency T and age T + t): either alive and silent
        through T + t, or dropping out at some tau in (T, T + t] with no purchase before.
        """
        x, t_x, big_t, _ = continuous_inputs(frequency, recency, T, lenient=self.lenient_inputs)
        t = to_float_column(t, "t")
        x, t_x, big_t, t = np.broadcast_arrays(x, t_x, big_t, t)
        r, alpha, s, beta = self._require_params()
        alive, dead = self._log_alive_dead(x, t_x, big_t)
        p_alive = np.exp(alive - np.logaddexp(alive, dead))
        norm = (r + x) * np.log(alpha + big_t) + s * np.log(beta + big_t)
        stays = norm - (r + x) * np.log(alpha + big_t + t) - s * np.log(beta + big_t + t)
        positive = t > 0
        leaves = np.full(x.shape, -np.inf)
        if positive.any():
            leaves[positive] = norm[positive] + np.log(s) + pareto_log_integral(
                r, alpha, s, beta, x[positive], big_t[positive], big_t[positive] + t[positive])
        silent = np.exp(np.minimum(np.logaddexp(stays, leaves), 0.0))
        return np.clip(1.0 - p_alive * (1.0 - silent), 0.0, 1.0)

    def p_n_purchases_conditional(self, n, t, frequency, recency, T) -> np.ndarray:
        """P(Y(t) = n | x, t_x, T): dead (no purchases) or alive with posterior parameters."""
        x, t_x, big_t, _ = continuous_inputs(frequency, recency, T, lenient=self.lenient_inputs)
        n = to_float_column(n, "n", integer=True)
        t = to_float_column(t, "t")
        r, alpha, s, beta = self._require_params()
        alive, dead = self._log_alive_dead(x, t_x, big_t)
        p_alive = np.exp(alive - np.logaddexp(alive, dead))
        n, t, x, big_t, p_alive = np.broadcast_arrays(n, t, x, big_t, p_alive)
        new = np.array([self._p_n_new(nn, tt, r + xx, alpha + tb, s, beta + tb)
                        for nn, tt, xx, tb in zip(n, t, x, big_t)], dtype=float)
        return np.clip((1 - p_alive) * (n == 0) + p_alive * new, 0.0, 1.0)
