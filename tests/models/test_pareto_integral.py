"""The Pareto/NBD dropout integral stays accurate when s is much larger than r
(customers' dropout rates nearly alike), where most of its mass sits far down the
quadrature's range."""
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
    assert value == pytest.approx(expected, abs=1e-6)  # 12-node decade panels: ~2e-7


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
