"""Fixed-dropout run-off of the BTYD fits.

When every customer has about the same dropout chance, BG/NBD and MBG/NBD push a and b to
infinity together (p = a / (a + b) fixed) and Pareto/NBD pushes s and beta (mu = s / beta
fixed): the likelihood keeps rising towards the fixed-dropout limit. :class:`RunoffWatch`
notices this during a fit; :func:`fit_fixed_dropout_limit` then fits the limit with the
pair held at a large fixed scale, where every prediction formula of the model still works
and equals the limit's to about 1 / RUNOFF_SCALE.
"""
from __future__ import annotations

import logging
import math

import numpy as np

from .base import LOG_PARAM_BOUND, bfgs, inverse_hessian, numerical_hessian

logger = logging.getLogger(__name__)

# A model's ``runoff_pair`` (e.g. BG/NBD a, b; Pareto/NBD s, beta) growing together
# with a fixed ratio means dropout looks like a fixed rate; the optimum is that limit, at
# infinity. Detected when both are at least RUNOFF_SIZE and have grown together by
# RUNOFF_GROWTH on the log scale over the last RUNOFF_ITERATIONS iterations, their log
# ratio moving less than a tenth of that.
RUNOFF_SIZE = 20.0
RUNOFF_GROWTH = 0.1
RUNOFF_ITERATIONS = 5
RUNOFF_SCALE = 1e4  # the limit is reported with the smaller of the pair at this size


class RunoffWatch:
    """Optimiser callback that stops the fit when ``pair`` (two parameter positions)
    runs off to infinity together; ``detected`` then holds the iterate where it stopped.

    Raising StopIteration from a callback ends scipy's BFGS / L-BFGS-B at the current
    point (scipy >= 1.11).
    """

    def __init__(self, pair: tuple[int, int] | None):
        self.pair = pair
        self.history: list[tuple[float, float]] = []
        self.detected = False
        self.dismissed = False  # a detection the likelihood did not confirm: stop watching
        self.iterate: np.ndarray | None = None

    def __call__(self, *args, **kwargs):
        if self.pair is None or self.dismissed:
            return
        theta = args[0] if args else kwargs["intermediate_result"].x
        theta = np.asarray(getattr(theta, "x", theta), dtype=float)
        i, j = self.pair
        self.history.append((float(theta[i] + theta[j]), float(theta[i] - theta[j])))
        if self.detected or min(theta[i], theta[j]) < math.log(RUNOFF_SIZE):
            return
        if len(self.history) <= RUNOFF_ITERATIONS:
            return
        recent = self.history[-RUNOFF_ITERATIONS - 1:]
        sums = np.array([h[0] for h in recent])
        diffs = np.array([h[1] for h in recent])
        growth = (sums[-1] - sums[0]) / 2
        if (growth >= RUNOFF_GROWTH and np.all(np.diff(sums) > -1e-9)
                and np.ptp(diffs) < 0.1 * growth):
            self.detected = True
            self.iterate = theta.copy()
            raise StopIteration


    def pushed(self, theta: np.ndarray) -> np.ndarray:
        """``theta`` with the pair moved out together until the smaller is RUNOFF_SCALE."""
        i, j = self.pair
        out = np.array(theta, dtype=float)
        out[[i, j]] += max(0.0, math.log(RUNOFF_SCALE) - min(out[i], out[j]))
        return out

    def confirm(self, objective) -> bool:
        """Keep a detection only if moving the pair out to RUNOFF_SCALE does not lower the
        likelihood (a finite optimum with large values is not run-off)."""
        if not self.detected:
            return False
        further = self.pushed(self.iterate)
        if (np.all(further < LOG_PARAM_BOUND - 1)
                and objective(further) <= objective(self.iterate) + 1e-9):
            return True
        self.detected = False
        self.dismissed = True
        return False

    def probe(self, objective, theta: np.ndarray) -> None:
        """Mark run-off when both parameters are large and growing them together by a
        factor e does not make the objective worse (e.g. a fit started near the limit)."""
        if self.pair is None or min(theta[self.pair[0]], theta[self.pair[1]]) < math.log(
                RUNOFF_SIZE):
            return
        further = theta.copy()
        further[list(self.pair)] += 1.0
        logger.debug("run-off probe at %s: %.12g -> %.12g", np.exp(theta), objective(theta),
                     objective(further))
        if np.all(further < LOG_PARAM_BOUND) and objective(further) <= objective(theta) + 1e-9:
            self.detected = True
            self.iterate = theta.copy()


RUNOFF_GRADIENT_TOLERANCE = 1e-6


def fit_fixed_dropout_limit(pair, theta, objective_and_gradient, pilot_gradient, total, covariance=True):
    """Fit the fixed-dropout limit once run-off is detected at ``theta``.

    The run-off pair is moved out together to RUNOFF_SCALE (the smaller of the two; the
    watch confirmed that this does not lower the likelihood), then the pair's sum is held
    fixed and the rest (the other parameters and the pair's ratio) is fitted by BFGS: a
    well-posed fit of one parameter fewer. Returns ``(optimiser name, theta, objective,
    covariance of log-parameters or None)``; that covariance has rank one less than the
    number of parameters (None when ``covariance`` is False: not computed).
    """
    from scipy import optimize

    i, j = pair
    theta = RunoffWatch(pair).pushed(theta)
    level = theta[i] + theta[j]
    keep = [k for k in range(len(theta)) if k != j]  # theta_i carries the log ratio

    def expand(phi):
        full = np.empty(len(theta))
        full[keep] = phi
        half_ratio = phi[keep.index(i)]  # (theta_i - theta_j) / 2
        full[i] = level / 2 + half_ratio
        full[j] = level / 2 - half_ratio
        return full

    def reduced(gradient_function):
        def value_and_gradient(phi):
            value, grad = gradient_function(expand(phi))
            out = grad[keep].copy()
            out[keep.index(i)] = grad[i] - grad[j]
            return value, out
        return value_and_gradient

    phi = theta[keep].copy()
    phi[keep.index(i)] = (theta[i] - theta[j]) / 2
    # The limit is itself an approximation (predictions equal it to about 1/RUNOFF_SCALE),
    # and the reduced objective is smooth only to about 1e-7 in the gradient (the pair sits
    # at 1e4..1e6): asking for less ended every big fit in failing line searches
    # (30-70 evaluations at the same point, seconds on 100k+ customers).
    options = {"gtol": RUNOFF_GRADIENT_TOLERANCE, "maxiter": 200}
    if pilot_gradient is not None:
        # only a start for the fit on all data below (same tolerance, same reason)
        pilot = optimize.minimize(reduced(pilot_gradient), phi, jac=True, method="BFGS",
                                  options={"gtol": RUNOFF_GRADIENT_TOLERANCE, "maxiter": 200})
        phi = pilot.x
        hess_inv = inverse_hessian(reduced(pilot_gradient), phi)
        if hess_inv is not None:
            options["hess_inv0"] = hess_inv
    full = reduced(objective_and_gradient)
    result = bfgs(full, phi, options)
    theta = np.clip(expand(result.x), -LOG_PARAM_BOUND, LOG_PARAM_BOUND)
    if not covariance:
        return "BFGS (fixed-dropout limit)", theta, float(result.fun), None
    covariance = None
    hessian = numerical_hessian(full, result.x, central=pilot_gradient is None) * total
    if np.all(np.isfinite(hessian)):
        try:
            cov_reduced = np.linalg.inv(hessian)
        except np.linalg.LinAlgError:
            cov_reduced = None
        if cov_reduced is not None and np.all(np.diag(cov_reduced) > 0):
            jacobian = np.zeros((len(theta), len(keep)))
            for column, k in enumerate(keep):
                jacobian[k, column] = 1.0
            jacobian[j, keep.index(i)] = -1.0
            covariance = jacobian @ cov_reduced @ jacobian.T
    return "BFGS (fixed-dropout limit)", theta, float(result.fun), covariance
