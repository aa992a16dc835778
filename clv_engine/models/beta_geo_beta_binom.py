"""BG/BB model for discrete transaction opportunities: Fader, Hardie & Shang (2010),
"Customer-base analysis in a discrete-time noncontractual setting", Marketing Science 29(6).

In each of ``n_periods`` opportunities an alive customer transacts with probability
p ~ Beta(alpha, beta); before each opportunity they may drop out with probability
theta ~ Beta(gamma, delta). Data: frequency x (transactions), recency t_x (period of the
last one, 0 if none), n_periods n.
"""
from __future__ import annotations

import numpy as np
from scipy import special

from ..errors import InputError
from .base import BaseModel, check_same_length, check_weights, to_float_column
from .beta_geo import check_order


def discrete_inputs(frequency, recency, n_periods, weights=None):
    """Validated (x, t_x, n, weights) for BG/BB; whole numbers with x <= t_x <= n."""
    x = to_float_column(frequency, "frequency", integer=True)
    t_x = to_float_column(recency, "recency", integer=True)
    n = to_float_column(n_periods, "n_periods", integer=True)
    check_same_length(frequency=x, recency=t_x, n_periods=n)
    check_order(t_x, n, recency, "recency", "n_periods")
    check_order(x, t_x, frequency, "frequency", "recency")
    if ((x > 0) & (t_x == 0)).any():
        raise InputError("recency is 0 for a customer with transactions.",
                         where="column 'recency'",
                         hint="recency is the period of the last transaction (1..n_periods).")
    return x, t_x, n, check_weights(weights, len(x))


class BetaGeoBetaBinomModel(BaseModel):
    """BG/BB model; parameters alpha, beta (transaction), gamma, delta (dropout)."""

    parameter_names = ("alpha", "beta", "gamma", "delta")

    def fit(self, frequency, recency, n_periods, weights=None) -> BetaGeoBetaBinomModel:
        """Maximum-likelihood fit (eq. 5); ``weights`` = number of customers per row."""
        self._validate_hyperparameters()
        x, t_x, n, w = discrete_inputs(frequency, recency, n_periods, weights)
        return self._fit_patterns([x, t_x, n], w)

    # -- likelihood (eq. 5): alive through n, or dropped out after period t_x + i ------------
    def _log_terms(self, params, data):
        """Log of each term of eq. 5 (rows x (1 + max(n - t_x))), -inf where absent."""
        al, be, ga, de = params
        x, t_x, n = data[:, 0], data[:, 1], data[:, 2]
        i = np.arange(int((n - t_x).max()) if len(n) else 0)[None, :]
        beta_ab = special.betaln(al, be)
        beta_gd = special.betaln(ga, de)
        alive = (special.betaln(al + x, be + n - x) - beta_ab
                 + special.betaln(ga, de + n) - beta_gd)
        dead = (special.betaln(al + x[:, None], be + t_x[:, None] - x[:, None] + i) - beta_ab
                + special.betaln(ga + 1, de + t_x[:, None] + i) - beta_gd)
        dead = np.where(i < (n - t_x)[:, None], dead, -np.inf)
        return np.column_stack([alive, dead]), i

    def _pattern_log_likelihood(self, params, data):
        terms, _ = self._log_terms(params, data)
        return special.logsumexp(terms, axis=1)

    def _pattern_gradient(self, params, data):
        al, be, ga, de = params
        x, t_x, n = data[:, 0], data[:, 1], data[:, 2]
        terms, i = self._log_terms(params, data)
        total = special.logsumexp(terms, axis=1)
        share = np.exp(terms - total[:, None])
        dg = special.digamma
        # transaction part: alive uses (α+x, β+n-x), dead term i uses (α+x, β+t_x-x+i)
        b_end = np.column_stack([be + n - x, be + t_x[:, None] - x[:, None] + i])
        d_al = dg(al + x)[:, None] - dg(al + x[:, None] + b_end) - dg(al) + dg(al + be)
        d_be = dg(b_end) - dg(al + x[:, None] + b_end) - dg(be) + dg(al + be)
        # dropout part: alive uses (γ, δ+n), dead term i uses (γ+1, δ+t_x+i)
        g_first = np.column_stack([np.full(len(x), ga), np.full((len(x), i.shape[1]), ga + 1)])
        d_end = np.column_stack([de + n, de + t_x[:, None] + i])
        d_ga = dg(g_first) - dg(g_first + d_end) - dg(ga) + dg(ga + de)
        d_de = dg(d_end) - dg(g_first + d_end) - dg(de) + dg(ga + de)
        grad = np.column_stack([(share * d).sum(axis=1) for d in (d_al, d_be, d_ga, d_de)])
        return total, grad

    def _starting_points(self, data, weights):
        rate = float(weights @ data[:, 0]) / max(float(weights @ data[:, 2]), 1e-12)
        rate = min(max(rate, 0.05), 0.95)
        return [[k * rate, k * (1 - rate), g, d] for k in (1.0, 3.0)
                for g, d in ((1.0, 3.0), (0.5, 2.0), (1.0, 10.0))]

    # -- predictions --------------------------------------------------------------------------
    def _log_alive_share(self, x, t_x, n):
        """log P(alive through period n | data) (alive term over the whole likelihood)."""
        params = self._require_params()
        terms, _ = self._log_terms(params, np.column_stack([x, t_x, n]))
        return terms[:, 0] - special.logsumexp(terms, axis=1)

    def p_alive(self, frequency, recency, n_periods, periods_ahead: int = 1) -> np.ndarray:
        """P(alive in period n + periods_ahead | x, t_x, n); default is eq. 11 of the paper
        (alive in the next period). ``periods_ahead=0`` is lifetimes' default."""
        x, t_x, n, _ = discrete_inputs(frequency, recency, n_periods)
        _, _, ga, de = self._require_params()
        survive = special.betaln(ga, de + n + periods_ahead) - special.betaln(ga, de + n)
        return np.exp(self._log_alive_share(x, t_x, n) + survive)

    def _expected_alive(self, periods, al, be, ga, de):
        """E[transactions in the next ``periods``] for a customer alive now with Beta(al, be)
        transaction and Beta(ga, de) dropout: al/(al+be) * Σ_k B(ga, de+k)/B(ga, de)
        (the sum form of eq. 13, finite at gamma = 1)."""
        periods, al, be, de = np.broadcast_arrays(*(np.asarray(v, dtype=float)
                                                    for v in (periods, al, be, de)))
        k = np.arange(1, int(periods.max()) + 1 if periods.size else 1)[None, :]
        survival = np.exp(special.betaln(ga, de[..., None] + k) - special.betaln(ga, de)[..., None])
        survival = np.where(k <= periods[..., None], survival, 0.0)
        return al / (al + be) * survival.sum(axis=-1)

    def expected_purchases(self, periods, frequency, recency, n_periods) -> np.ndarray:
        """E[X(n, n + periods) | x, t_x, n] (eq. 13): transactions in the next ``periods``."""
        x, t_x, n, _ = discrete_inputs(frequency, recency, n_periods)
        periods = to_float_column(periods, "periods", integer=True)
        al, be, ga, de = self._require_params()
        alive = np.exp(self._log_alive_share(x, t_x, n))
        return alive * self._expected_alive(periods, al + x, be + n - x, ga, de + n)

    def expected_purchases_new(self, periods) -> np.ndarray:
        """E[X(n)] for a new customer over ``periods`` opportunities (eq. 9)."""
        periods = to_float_column(periods, "periods", integer=True)
        al, be, ga, de = self._require_params()
        return self._expected_alive(periods, al, be, ga, de)

    def p_n_purchases(self, count, periods) -> np.ndarray:
        """P(X(n) = count) for a new customer over ``periods`` opportunities (eq. 8)."""
        count = to_float_column(count, "count", integer=True)
        periods = to_float_column(periods, "periods", integer=True)
        al, be, ga, de = self._require_params()
        count, periods = np.broadcast_arrays(count, periods)
        i = np.arange(int(periods.max()) if periods.size else 1)[None, :]
        x, n = count[:, None], periods[:, None]
        log_choose_n = special.gammaln(n + 1) - special.gammaln(x + 1) - special.gammaln(n - x + 1)
        alive = (log_choose_n + special.betaln(al + x, be + n - x) - special.betaln(al, be)
                 + special.betaln(ga, de + n) - special.betaln(ga, de))
        log_choose_i = (special.gammaln(i + 1) - special.gammaln(x + 1)
                        - special.gammaln(np.maximum(i - x, 0) + 1))
        dead = (log_choose_i + special.betaln(al + x, be + np.maximum(i - x, 0)) - special.betaln(al, be)
                + special.betaln(ga + 1, de + i) - special.betaln(ga, de))
        dead = np.where((i >= x) & (i < n), dead, -np.inf)
        log_p = special.logsumexp(np.column_stack([alive, dead]), axis=1)
        return np.where(count <= periods, np.clip(np.exp(log_p), 0.0, 1.0), 0.0)
