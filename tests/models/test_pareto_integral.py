"""The Pareto/NBD dropout integral is accurate across the parameter space: when s is much
larger than r (customers' dropout rates nearly alike), when alpha and beta differ by orders
of magnitude, near a fixed dropout rate (s and beta huge) and for heavy buyers."""
import numpy as np
import pytest
from scipy import integrate

from clv_engine.models.pareto_nbd import pareto_log_integral

R, ALPHA, S, BETA = 0.9, 15.6, 10.2, 842.0


def integral_by_adaptive_quadrature(r, alpha, s, beta, x, t_x, big_t):
    def integrand(tau):
        return (alpha + tau) ** -(r + x) * (beta + tau) ** -(s + 1)

    return integrate.quad(integrand, t_x, big_t, epsabs=0, epsrel=1e-12, limit=300)[0]


@pytest.mark.parametrize("x, t_x, big_t", [(0, 0.0, 104.0), (0, 0.0, 60.0), (1, 0.14, 103.3),
                                           (4, 50.0, 100.0)])
def test_dropout_integral_matches_adaptive_quadrature_when_s_dominates(x, t_x, big_t):
    expected = np.log(integral_by_adaptive_quadrature(R, ALPHA, S, BETA, x, t_x, big_t))
    value = pareto_log_integral(R, ALPHA, S, BETA, np.array([float(x)]), np.array([t_x]),
                                np.array([big_t]))[0]
    assert value == pytest.approx(expected, abs=1e-10)  # nodes linear in y' gave ~2e-7


def test_dropout_integral_gradient_matches_its_differences_when_s_dominates():
    x, t_x, big_t = np.array([0.0, 1.0]), np.array([0.0, 0.14]), np.array([104.0, 103.3])
    _, gradient = pareto_log_integral(R, ALPHA, S, BETA, x, t_x, big_t, with_gradient=True)
    params = np.array([R, ALPHA, S, BETA])
    for k in range(4):
        step = 1e-6 * params[k]
        up, down = params.copy(), params.copy()
        up[k] += step
        down[k] -= step
        difference = (pareto_log_integral(*up, x, t_x, big_t)
                      - pareto_log_integral(*down, x, t_x, big_t)) / (2 * step)
        np.testing.assert_allclose(gradient[:, k], difference, rtol=1e-5)


def log_integral_reference(r, alpha, s, beta, x, t_x, big_t):
    """log I by adaptive quadrature in u = log(min(alpha, beta) + τ) on 400 pieces, scaled by
    the integrand's largest value (I itself can be far below the smallest float)."""
    lead = min(alpha, beta)

    def log_integrand(u):
        tau = np.exp(u) - lead
        return -(r + x) * np.log(alpha + tau) - (s + 1) * np.log(beta + tau) + u

    points = np.linspace(np.log(lead + t_x), np.log(lead + big_t), 401)
    top = log_integrand(points).max()
    total = sum(integrate.quad(lambda u: np.exp(log_integrand(u) - top), points[i], points[i + 1],
                               epsabs=0, epsrel=1e-12, limit=200)[0] for i in range(400))
    return np.log(total) + top


# (r, alpha, s, beta, x, t_x, T); the comments give the error of the earlier quadrature
# (nodes linear in y', decade panels, substitution swapped beyond 20 decades)
HARD_CASES = [
    (0.5, 0.1, 2.0, 300.0, 10, 1.0, 68.0),  # alpha far below beta: 0.25
    (0.4404, 0.003022, 4130.0, 377500.0, 0, 0.0, 125.3),  # near fixed dropout: 0.02
    (160.7, 0.001052, 78900.0, 11170000.0, 0, 0.0, 35.96),  # near fixed dropout: 894
    (6.825, 0.00553, 183.1, 126.2, 0, 0.0, 85.06),  # 2.0
    (0.2606, 0.001657, 208.2, 745.5, 0, 0.0, 141.7),  # mass deep inside the range
    (0.5, 5.0, 200.0, 20000.0, 200, 3.0, 104.0),  # heavy buyer near fixed dropout: 6.6
    (0.5, 5.0, 200.0, 20000.0, 0, 0.0, 104.0),
    (0.9, 4.4, 30.0, 400.0, 200, 3.0, 104.0),  # 5e-6
    (0.89, 4.45, 1.36, 17.5, 0, 0.0, 104.0),  # a typical fit: 1e-8
    (2.0, 50.0, 0.3, 0.5, 1, 0.14, 103.3),  # beta below alpha: 1e-7
    (0.3, 0.001, 0.5, 0.001, 100, 50.0, 52.0),
]


@pytest.mark.parametrize("case", HARD_CASES)
def test_dropout_integral_matches_adaptive_quadrature_anywhere(case):
    r, alpha, s, beta, x, t_x, big_t = case
    expected = log_integral_reference(*case)
    value = pareto_log_integral(r, alpha, s, beta, np.array([float(x)]), np.array([t_x]),
                                np.array([big_t]))[0]
    assert value == pytest.approx(expected, rel=1e-13, abs=1e-9)


def test_dropout_integral_is_zero_when_the_last_purchase_is_at_the_end():
    value, gradient = pareto_log_integral(0.5, 5.0, 0.7, 9.0, np.array([3.0, 0.0]), np.array([40.0, 0.0]),
                                          np.array([40.0, 0.0]), with_gradient=True)
    assert np.all(value == -np.inf) and np.all(gradient == 0.0)


def test_predictions_for_many_customers_work_in_blocks_with_the_same_values():
    """P(alive) for 300,000 customers: equal to the integral taken in one piece, and its
    working memory a few MB (the per-node arrays in one piece took over 100 MB)."""
    import tracemalloc

    from clv_engine.models.pareto_nbd import CHUNK_ROWS, ParetoNBDModel

    rng = np.random.default_rng(3)
    n = 300_000
    big_t = rng.uniform(1.0, 104.0, n)
    t_x = big_t * rng.uniform(0.0, 1.0, n)
    x = np.where(t_x > 0, rng.integers(1, 30, n), 0).astype(float)
    model = ParetoNBDModel()
    model.params_ = {"r": 0.55, "alpha": 10.6, "s": 0.61, "beta": 11.7}
    tracemalloc.start()
    try:
        alive = model.p_alive(x, t_x, big_t)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert n > 10 * CHUNK_ROWS
    assert peak < 60 * 2**20  # inputs, outputs and their per-row arrays: about 30 MB
    r, alpha, s, beta = 0.55, 10.6, 0.61, 11.7
    whole = np.log(s) + pareto_log_integral(r, alpha, s, beta, x, t_x, big_t)
    live = -(r + x) * np.log(alpha + big_t) - s * np.log(beta + big_t)
    np.testing.assert_array_equal(alive, np.exp(live - np.logaddexp(live, whole)))
