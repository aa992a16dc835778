"""Shared fitting base for the customer-base models (BG/NBD, Pareto/NBD, Gamma-Gamma, ...).

Estimator contract (scikit-learn style): ``__init__`` only stores hyper-parameters;
allowed values are declared once (``hyperparameter_rules``) and checked when ``fit``
starts; ``fit`` returns ``self``; fitted state ends in ``_``; predicting before ``fit`` or
``set_params`` raises :class:`~clv_engine.errors.NotFittedError`.

Log-likelihood convention, the same for every model: ``log_likelihood_`` is the **total**
log-likelihood over all customers (each data pattern's log-likelihood times its weight),
keeping every constant term of the published likelihood, so values compare directly with
the papers (BG/NBD on CDNOW: -9582.4).

Fitting: maximum likelihood on the log-parameter scale. The data are compressed to unique
rows with weights. The objective is the *mean* negative log-likelihood per customer plus
``penalizer * sum(log(param) ** 2)``, minimised with analytic gradients by L-BFGS-B from
the best of several data-driven starting points; if that fails, Nelder-Mead and then BFGS
from the best point found. Standard errors come from a numerical Hessian (central
differences of the analytic gradient) of the total objective, mapped to the natural scale
with the delta method; 95% intervals are computed on the log scale (always positive).
Fits that run off to a fixed-dropout limit are detected and fitted in that limit
(``runoff.py``; ``fixed_dropout_limit_``).
"""
from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd

from ..arrays import distinct_rows
from ..errors import ConvergenceError, InputError, ModelWarning, NotFittedError
from ..parallel import map_blocks

logger = logging.getLogger(__name__)

LOG_PARAM_BOUND = 18.0  # parameters are kept in [exp(-18), exp(18)] ~ [1.5e-8, 6.6e7]
PILOT_ABOVE_PATTERNS = 8_000  # bigger fits start on a sample of customers ...
PILOT_CUSTOMERS = 10_000  # ... of this many
GRADIENT_TOLERANCE = 1e-5  # on the mean log-likelihood per customer, log-parameter scale
# BFGS stops below this gradient. The objective (mean log-likelihood per customer, O(10))
# carries rounding of about 1e-15, so a line search can only see a decrease where the
# gradient is above about sqrt(1e-15) ~ 3e-8: asking for 1e-8 made BFGS on big data spend
# 20-50 evaluations in failing line searches at the same point, or stop by luck.
FINAL_GRADIENT_TOLERANCE = 1e-7
FORMAT_VERSION = 1
# The likelihood is summed over blocks of this many patterns, evaluated on several threads
# (fixed size: the sums, and so the fit, are the same on any machine).
LIKELIHOOD_BLOCK_ROWS = 65_536


def non_negative_number(value) -> bool:
    """Rule for hyper-parameters such as ``penalizer``: a finite number >= 0."""
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, bool) and math.isfinite(value) and value >= 0


def _position_label(values, position: int) -> str:
    index = values.index if isinstance(values, (pd.Series, pd.DataFrame)) else None
    if index is not None and not isinstance(index, pd.RangeIndex):
        return f"customer {index[position]!r}"
    return f"position {position}"


def to_float_column(values, name: str, *, integer: bool = False, positive: bool = False,
                    allow_empty: bool = False) -> np.ndarray:
    """Turn ``values`` (list, array, Series) into a 1-D float array or raise InputError.

    Checks: numbers only, finite, >= 0 (> 0 with ``positive``), whole numbers with
    ``integer``. The error names the column and the first offending customer/position.
    """
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"'{name}' must contain numbers only.", where=f"column '{name}'",
                         hint="Check for text or empty cells in that column.") from None
    array = np.atleast_1d(array)
    if array.ndim != 1:
        raise InputError(f"'{name}' must be a single column of numbers, got shape {array.shape}.",
                         where=f"column '{name}'")
    if array.size == 0 and not allow_empty:
        raise InputError(f"'{name}' is empty: a model needs at least one customer.",
                         where=f"column '{name}'")
    problems = [
        (~np.isfinite(array), "is missing or not a finite number",
         "Fill in or remove that customer."),
        (array < 0 if not positive else array <= 0,
         "must be greater than zero" if positive else "must not be negative",
         "Check the data for refunds or typing errors."),
    ]
    if integer:
        problems.append((np.isfinite(array) & (array != np.round(array)),
                         "must be a whole number", "Counts of orders cannot have fractions."))
    for mask, what, hint in problems:
        if mask.any():
            first = int(np.flatnonzero(mask)[0])
            raise InputError(f"'{name}' {what} (value {array[first]!r}; {int(mask.sum())} "
                             f"such value(s) in all).",
                             where=f"column '{name}', {_position_label(values, first)}", hint=hint)
    return array


def check_same_length(**columns: np.ndarray) -> int:
    """Raise InputError unless all columns have the same length; return that length."""
    lengths = {name: len(col) for name, col in columns.items()}
    if len(set(lengths.values())) > 1:
        described = ", ".join(f"'{n}' has {k}" for n, k in lengths.items())
        raise InputError(f"Columns must have one value per customer, but {described}.",
                         hint="Pass columns of the same customer table.")
    return next(iter(lengths.values()))


def check_weights(weights, n_rows: int) -> np.ndarray:
    """Customer counts per row (default 1); non-negative, finite, summing to more than 0."""
    if weights is None:
        return np.ones(n_rows)
    weights = to_float_column(weights, "weights")
    check_same_length(rows=np.empty(n_rows), weights=weights)
    if weights.sum() <= 0:
        raise InputError("'weights' add up to zero: there are no customers to fit.",
                         where="column 'weights'")
    return weights


def compress_patterns(columns: list[np.ndarray], weights: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Unique data rows and the total weight of each (speeds up fits on big data).

    Hash-based (linear in the rows); rows come back in order of first appearance.
    """
    keep = weights > 0
    unique, inverse, _ = distinct_rows(*(np.asarray(c, dtype=float)[keep] for c in columns))
    return np.column_stack(unique), np.bincount(inverse, weights=weights[keep], minlength=len(unique[0]))


def pilot_sample(weights: np.ndarray, n_customers: int) -> tuple[np.ndarray, np.ndarray]:
    """A systematic sample of about ``n_customers`` customers from weighted patterns.

    Returns ``(pattern indices, weights)``; the weights add up to the same total, and a
    pattern holding many customers is drawn about in proportion (deterministic).
    """
    cumulative = np.cumsum(weights)
    step = cumulative[-1] / n_customers
    positions = (np.arange(n_customers) + 0.5) * step
    drawn = np.minimum(np.searchsorted(cumulative, positions, side="right"), len(weights) - 1)
    index, hits = np.unique(drawn, return_counts=True)
    return index, hits * step


def numerical_hessian(objective_and_gradient, theta: np.ndarray, central: bool = True
                      ) -> np.ndarray:
    """Symmetric Hessian of the objective by differences of its analytic gradient."""
    k = len(theta)
    hessian = np.empty((k, k))
    base = None if central else objective_and_gradient(theta)[1]
    for j in range(k):
        step = 1e-5 * max(1.0, abs(theta[j]))
        up = theta.copy()
        up[j] += step
        if central:
            down = theta.copy()
            down[j] -= step
            hessian[:, j] = (objective_and_gradient(up)[1]
                             - objective_and_gradient(down)[1]) / (2 * step)
        else:
            hessian[:, j] = (objective_and_gradient(up)[1] - base) / step
    return (hessian + hessian.T) / 2


def inverse_hessian(objective_and_gradient, theta: np.ndarray) -> np.ndarray | None:
    """Inverse of the numerical Hessian when it is positive definite, else None.

    Only a starting curvature for BFGS, so forward differences (k + 1 gradients instead of
    2k) are accurate enough."""
    hessian = numerical_hessian(objective_and_gradient, theta, central=False)
    if not np.all(np.isfinite(hessian)):
        return None
    eigenvalues, eigenvectors = np.linalg.eigh(hessian)
    if eigenvalues.min() <= 1e-9 * max(eigenvalues.max(), 1e-300):
        return None
    inverse = (eigenvectors / eigenvalues) @ eigenvectors.T
    return (inverse + inverse.T) / 2


STALL_EVALUATIONS = 8  # evaluations in a row without a decrease that end a BFGS run


class _Stalled(Exception):
    pass


def bfgs(objective_and_gradient, x0, options: dict, callback=None):
    """scipy's BFGS (``jac=True``), stopped once :data:`STALL_EVALUATIONS` evaluations in a
    row have not lowered the objective below the best value seen.

    Near the optimum of a fit on hundreds of thousands of customers the decrease a line
    search looks for is hidden by rounding (about 1e-15 of the objective, more where a
    quadrature's panels change with the parameters); scipy's line searches then spend tens
    of evaluations at the same point before giving up, and whether they do hinges on the
    last bits of a sum. Returns an ``OptimizeResult``; when stopped, at the best point seen.
    """
    from scipy import optimize

    best = {"value": np.inf, "x": None, "stale": 0, "calls": 0}

    def watched(x):
        value, grad = objective_and_gradient(x)
        best["calls"] += 1
        if best["x"] is None or value < best["value"] - 1e-15 * abs(best["value"]):
            best.update(value=value, x=np.array(x, dtype=float), stale=0)
        else:
            best["stale"] += 1
            if best["stale"] >= STALL_EVALUATIONS:
                raise _Stalled
        return value, grad

    try:
        return optimize.minimize(watched, x0, jac=True, method="BFGS", callback=callback, options=options)
    except _Stalled:
        return optimize.OptimizeResult(x=best["x"], fun=best["value"], success=False, nfev=best["calls"],
                                       message="stopped: the objective no longer decreases within rounding")


def weighted_sum(weights: np.ndarray, values: np.ndarray):
    """``weights @ values`` (over rows) without BLAS: on a busy machine a threaded BLAS dot
    over thousands of rows can take milliseconds, far longer than the arithmetic."""
    if values.ndim == 1:
        return np.multiply(weights, values).sum()
    # one pass, no (rows x columns) temporary: four times faster than multiply-then-sum
    return np.einsum("i,ij->j", weights, values)


def log1mexp_ratio(k, length):
    """``(1 - exp(-k * length)) / k`` with the limit ``length`` at k = 0 (k, length arrays)."""
    k = np.asarray(k, dtype=float)
    length = np.asarray(length, dtype=float)
    small = np.abs(k) < 1e-10
    safe_k = np.where(small, 1.0, k)
    value = -np.expm1(-safe_k * length) / safe_k
    return np.where(small, length, value)


FAR_OUT = 5.0  # |log parameter| beyond which a fit may be heading for a limit at the boundary


def push_to_boundary(objective, objective_and_gradient, theta, value, lower, upper, pairs=()):
    """Follow a fit that stopped on its way to a limit at the edge of the parameter range.

    Where the optimum is a limit (a -> 0: no dropout; r, alpha -> infinity together: one
    common purchase rate), the likelihood is nearly flat in that direction and a
    gradient-based optimiser stops while the total log-likelihood can still improve by a
    tenth. Each far-out log-parameter (|log| > :data:`FAR_OUT`) and each declared pair of
    large ones is pushed further out by doubling steps while the objective decreases; the
    other parameters are then re-optimised with the pushed ones held. Returns ``(theta,
    value, pushed)``; the result is never worse than the input."""
    from scipy import optimize

    theta = np.asarray(theta, dtype=float)
    directions = []
    for i, t in enumerate(theta):
        if abs(t) > FAR_OUT:
            d = np.zeros(len(theta))
            d[i] = np.sign(t)
            directions.append(d)
    for i, j in pairs:
        if theta[i] > FAR_OUT and theta[j] > FAR_OUT:
            d = np.zeros(len(theta))
            d[[i, j]] = 1.0
            directions.append(d)
    if not directions:
        return theta, value, False
    best, best_value = theta.copy(), value
    for _ in range(3):
        improved = False
        for d in directions:
            step = 1.0
            while True:
                candidate = np.clip(best + step * d, lower, upper)
                if np.array_equal(candidate, best):
                    break
                v = objective(candidate)
                if not v < best_value - 1e-15 * abs(best_value):
                    break
                best, best_value, improved = candidate, v, True
                step *= 2
        if not improved:
            break
    if best_value >= value:
        return theta, value, False
    held = np.abs(best) >= np.minimum(np.abs(lower), upper) - 1e-9
    bounds = [(b, b) if h else (lower, upper) for b, h in zip(best, held)]
    result = optimize.minimize(objective_and_gradient, best, jac=True, method="L-BFGS-B", bounds=bounds,
                               options={"maxiter": 500, "ftol": 1e-15, "gtol": 1e-10})
    if np.isfinite(result.fun) and result.fun < best_value:
        best, best_value = np.asarray(result.x, dtype=float), float(result.fun)
    return best, best_value, True


class BaseModel:
    """Base of every model: parameters, fitting, standard errors, summary, saving.

    Subclasses set ``parameter_names`` and implement ``_pattern_log_likelihood(params, data)``
    (per-row log-likelihood, natural-scale parameter vector), ``_pattern_gradient(params,
    data)`` (per-row log-likelihood and its gradient with respect to the natural-scale
    parameters, shape rows x parameters) and ``_starting_points(data, weights)``.
    """

    parameter_names: tuple[str, ...] = ()
    # positions of two parameters that run off to infinity together when dropout looks
    # like a fixed rate (see RunoffWatch); None: the model has no such limit
    runoff_pair: tuple[int, int] | None = None
    # pairs of parameters whose joint limit at infinity is a simpler model (e.g. r and
    # alpha: one common purchase rate); followed by push_to_boundary
    boundary_pairs: tuple[tuple[int, int], ...] = ()
    #: predictions accept rows lifetimes accepts (recency > 0 with frequency 0) with a
    #: ModelWarning instead of an InputError (set by the lifetimes-compatible layer)
    lenient_inputs: bool = False
    # gradient at which BFGS stops after the pilot fit on big data (see FINAL_GRADIENT_TOLERANCE)
    final_gradient_tolerance: float = FINAL_GRADIENT_TOLERANCE
    hyperparameter_rules: dict[str, tuple[Callable[[object], bool], str]] = {
        "penalizer": (non_negative_number, "a number >= 0"),
    }

    def __init__(self, penalizer: float = 0.0):
        self.penalizer = penalizer

    # -- hyper-parameters -------------------------------------------------------------------
    def get_params(self) -> dict:
        """Hyper-parameters as given to ``__init__`` (scikit-learn ``get_params``)."""
        return {name: getattr(self, name) for name in self.hyperparameter_rules}

    def _validate_hyperparameters(self) -> None:
        for name, (rule, description) in self.hyperparameter_rules.items():
            value = getattr(self, name)
            if not rule(value):
                raise InputError(f"{type(self).__name__}: {name}={value!r} is not allowed; "
                                 f"it must be {description}.", where=f"setting '{name}'")

    def set_params(self, **params) -> BaseModel:
        """Set hyper-parameters and/or model parameters (to predict from known values).

        Model parameters must be finite and > 0. Setting model parameters marks the model
        as fitted from known values: ``log_likelihood_``, ``standard_errors_`` and
        ``covariance_`` become ``None`` and ``n_customers_`` 0.
        """
        unknown = set(params) - set(self.parameter_names) - set(self.hyperparameter_rules)
        if unknown:
            raise InputError(f"{type(self).__name__} has no parameter(s) {sorted(unknown)}; "
                             f"known: {list(self.parameter_names)} and "
                             f"{list(self.hyperparameter_rules)}.")
        for name in self.hyperparameter_rules:
            if name in params:
                setattr(self, name, params[name])
        model_values = {n: params[n] for n in self.parameter_names if n in params}
        if not model_values:
            return self
        current = dict(getattr(self, "params_", {}))
        current.update(model_values)
        missing = [n for n in self.parameter_names if n not in current]
        if missing:
            raise InputError(f"{type(self).__name__}: parameter(s) {missing} missing; give all "
                             f"of {list(self.parameter_names)}.")
        for name, value in current.items():
            if not non_negative_number(value) or value <= 0:
                raise InputError(f"{type(self).__name__}: parameter {name}={value!r} must be "
                                 f"a finite number > 0.", where=f"parameter '{name}'")
        self.params_ = {n: float(current[n]) for n in self.parameter_names}
        self.log_likelihood_ = None
        self.standard_errors_ = None
        self.covariance_ = None
        self.n_customers_ = 0
        self.converged_ = True
        self.fixed_dropout_limit_ = False
        self._after_params_set()
        return self

    def _after_params_set(self) -> None:
        """Hook for derived fitted attributes (e.g. Gamma-Gamma ``mean_exists_``)."""

    # -- fitted state -----------------------------------------------------------------------
    def _require_params(self) -> np.ndarray:
        params = getattr(self, "params_", None)
        if params is None:
            raise NotFittedError(f"{type(self).__name__} is not fitted yet: call fit(...) or "
                                 f"set_params(...) before predicting.")
        return np.array([params[n] for n in self.parameter_names])

    @property
    def summary(self) -> pd.DataFrame:
        """Estimates with standard errors and 95% intervals (NaN errors when params were set)."""
        values = self._require_params()
        errors = self.standard_errors_ or {}
        se = np.array([errors.get(n, np.nan) for n in self.parameter_names], dtype=float)
        se_log = se / values
        with np.errstate(over="ignore"):  # an error hundreds of times the estimate: the bound is inf
            spread = np.exp(1.959964 * se_log)
        table = pd.DataFrame({
            "estimate": values,
            "standard_error": se,
            "lower_95": values / spread,
            "upper_95": values * spread,
        }, index=pd.Index(list(self.parameter_names), name="parameter"))
        return table

    # -- fitting ----------------------------------------------------------------------------
    #: None: the penalty is ``penalizer * sum(log(param) ** 2)`` (shrinks towards 1). A
    #: sequence of per-parameter scales w: ``penalizer * sum((w * param) ** 2)``, lifetimes'
    #: penalty (shrinks towards 0; lifetimes scales times by 1 / max(T) before penalising).
    penalty_scales = None

    def penalty(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """The penalty added to the mean negative log-likelihood at log-parameters
        ``theta``, and its gradient."""
        penalizer = float(self.penalizer)
        theta = np.asarray(theta, dtype=float)
        if penalizer == 0:
            return 0.0, np.zeros_like(theta)
        if self.penalty_scales is None:
            return penalizer * float(theta @ theta), 2 * penalizer * theta
        scaled = np.asarray(self.penalty_scales, dtype=float) * np.exp(np.clip(theta, -LOG_PARAM_BOUND,
                                                                              LOG_PARAM_BOUND))
        return penalizer * float(scaled @ scaled), 2 * penalizer * scaled * scaled

    def _objectives(self, rows: np.ndarray, pattern_weights: np.ndarray, total: float):
        """``(objective, objective_and_gradient)`` of log-parameters on these patterns:
        minus the weighted log-likelihood divided by ``total`` plus the penalty."""
        blocks = [(self._prepare_patterns(rows[i:i + LIKELIHOOD_BLOCK_ROWS]),
                   pattern_weights[i:i + LIKELIHOOD_BLOCK_ROWS])
                  for i in range(0, max(len(rows), 1), LIKELIHOOD_BLOCK_ROWS)]
        lower, upper = -LOG_PARAM_BOUND, LOG_PARAM_BOUND

        def log_likelihood(params):
            def block(item):
                data, weights = item
                with np.errstate(all="ignore"):  # (error state is per thread)
                    return weighted_sum(weights, self._pattern_log_likelihood(params, data))
            return sum(map_blocks(block, blocks))

        def log_likelihood_and_gradient(params):
            def block(item):
                data, weights = item
                with np.errstate(all="ignore"):
                    return self._weighted_gradient(params, data, weights)
            parts = map_blocks(block, blocks)
            return sum(ll for ll, _ in parts), sum(grad for _, grad in parts)

        # the last gradient evaluation: the checks after an optimiser stops (gradient at the
        # optimum, log-likelihood, the Hessian's base point) ask for the point it ended on
        last: list = [None, None, None]  # theta, value, gradient

        def objective(theta):
            if last[0] is not None and np.array_equal(theta, last[0]):
                return last[1]
            params = np.exp(np.clip(theta, lower, upper))
            ll = log_likelihood(params)
            value = -ll / total + self.penalty(theta)[0]
            return value if np.isfinite(value) else 1e100

        def objective_and_gradient(theta):
            if last[0] is not None and np.array_equal(theta, last[0]):
                return last[1], last[2].copy()
            params = np.exp(np.clip(theta, lower, upper))
            ll, grad_sum = log_likelihood_and_gradient(params)
            pen_value, pen_grad = self.penalty(theta)
            with np.errstate(all="ignore"):
                grad = -grad_sum * params / total + pen_grad
                grad[(theta < lower) | (theta > upper)] = 0.0  # objective is flat out there
            value = -ll / total + pen_value
            if not (np.isfinite(value) and np.all(np.isfinite(grad))):
                value, grad = 1e100, np.zeros_like(theta)
            last[:] = [np.array(theta, dtype=float), value, grad.copy()]
            return value, grad

        return objective, objective_and_gradient

    def _fit_patterns(self, columns: list[np.ndarray], weights: np.ndarray,
                      initial_params=None, standard_errors: bool = True, distinct: bool = False) -> BaseModel:
        """Fit on validated columns (one row per customer or pattern) and weights.

        ``initial_params`` (dict name -> value, e.g. from a fit on part of the same data)
        is tried as a starting point next to the model's own. ``standard_errors=False``
        skips the Hessian behind ``covariance_`` (left None) for fits that are only used
        for their point predictions. With more than
        :data:`PILOT_ABOVE_PATTERNS` patterns a pilot fit on a sample of
        :data:`PILOT_CUSTOMERS` customers comes first; BFGS then finishes on all the data
        from the pilot's optimum and curvature (a few evaluations instead of dozens).
        """
        from scipy import optimize

        from .runoff import RunoffWatch, fit_fixed_dropout_limit

        if distinct:  # rows already distinct (the caller compressed them)
            keep = weights > 0
            rows, pattern_weights = np.column_stack(columns)[keep], weights[keep]
        else:
            rows, pattern_weights = compress_patterns(columns, weights)
        total = float(pattern_weights.sum())
        lower, upper = -LOG_PARAM_BOUND, LOG_PARAM_BOUND
        objective, objective_and_gradient = self._objectives(rows, pattern_weights, total)

        points = list(self._starting_points(rows, pattern_weights))
        if initial_params is not None:
            points.insert(0, [float(initial_params[n]) for n in self.parameter_names])
        starts = [np.log(np.clip(np.asarray(s, dtype=float), 1e-7, 1e7)) for s in points]
        candidates = []
        converged = False
        watch = RunoffWatch(self.runoff_pair)
        large = len(rows) > PILOT_ABOVE_PATTERNS
        if large:
            sample, sample_weights = pilot_sample(pattern_weights, PILOT_CUSTOMERS)
            pilot_objective, pilot_gradient = self._objectives(rows[sample], sample_weights, total)
            pilot_start = min(starts, key=pilot_objective)
            # BFGS, not L-BFGS-B: on a busy machine L-BFGS-B's own BLAS calls can cost
            # milliseconds per iteration, more than the pilot's likelihood
            pilot = optimize.minimize(pilot_gradient, pilot_start, jac=True, method="BFGS",
                                      callback=watch, options={"gtol": 1e-8, "maxiter": 500})
            theta0 = np.clip(watch.iterate if watch.detected else pilot.x, lower, upper)
            if not watch.detected:
                watch.probe(pilot_objective, theta0)
            watch.confirm(pilot_objective)
            hess_inv = inverse_hessian(pilot_gradient, theta0)
            starts.insert(0, theta0)
            if watch.detected:
                candidates.append(("BFGS", theta0, objective(theta0)))
            elif hess_inv is not None and np.all(np.abs(theta0) < upper - 1e-3):
                result = bfgs(objective_and_gradient, theta0,
                              {"gtol": self.final_gradient_tolerance, "maxiter": 200, "hess_inv0": hess_inv})
                candidates.append(("BFGS", result.x, result.fun))
                converged = self._good_optimum(objective_and_gradient, result.x, lower, upper)
        if initial_params is not None and not large and not converged:
            # a start from a fit on part of the same data that ran off to the fixed-dropout
            # limit: when it still does on all the data, fit the limit directly
            watch.probe(objective, starts[0])
            watch.confirm(objective)
        if not converged and not watch.detected:
            start = min(starts, key=objective)
            result = optimize.minimize(objective_and_gradient, start, jac=True,
                                       method="L-BFGS-B", bounds=[(lower, upper)] * len(start),
                                       callback=watch,
                                       options={"maxiter": 3000, "ftol": 1e-14, "gtol": 1e-9})
            if watch.iterate is not None and not watch.confirm(objective):
                result = optimize.minimize(objective_and_gradient, watch.iterate, jac=True,
                                           method="L-BFGS-B",
                                           bounds=[(lower, upper)] * len(start),
                                           options={"maxiter": 3000, "ftol": 1e-14,
                                                    "gtol": 1e-9})
            candidates.append(("L-BFGS-B", watch.iterate if watch.detected else result.x,
                               objective(watch.iterate) if watch.detected else result.fun))
            converged = self._good_optimum(objective_and_gradient, result.x, lower, upper)
        if not converged and not watch.detected:
            logger.info("L-BFGS-B did not converge (%s); trying Nelder-Mead and BFGS",
                        result.message)
            best = min(candidates, key=lambda c: c[2])[1]
            # on big data the simplex searches the pilot sample; BFGS then finishes on all
            nm = optimize.minimize(pilot_objective if large else objective, best,
                                   method="Nelder-Mead",
                                   options={"maxiter": 400 * len(start), "maxfev": 400 * len(start),
                                            "xatol": 1e-8, "fatol": 1e-14, "adaptive": True})
            if not large:
                candidates.append(("Nelder-Mead", nm.x, nm.fun))
            watch = RunoffWatch(self.runoff_pair)
            finish = bfgs(objective_and_gradient, np.clip(nm.x, lower, upper),
                          {"gtol": FINAL_GRADIENT_TOLERANCE if large else 1e-9, "maxiter": 500},
                          callback=watch)
            if watch.iterate is not None and not watch.confirm(objective):
                finish = bfgs(objective_and_gradient, watch.iterate, {"gtol": 1e-9, "maxiter": 500})
            candidates.append(("BFGS", watch.iterate if watch.detected else finish.x,
                               objective(watch.iterate) if watch.detected else finish.fun))
        limit_covariance = None
        if watch.detected:
            name, theta, value, limit_covariance = fit_fixed_dropout_limit(
                self.runoff_pair, watch.iterate, objective_and_gradient,
                pilot_gradient if large else None, total, covariance=standard_errors)
            candidates = [(name, theta, value)]
        name, theta, value = min(candidates, key=lambda c: c[2])
        if not np.isfinite(value) or value >= 1e99:
            raise ConvergenceError(f"{type(self).__name__} could not be fitted to this data: "
                                   f"every optimiser ended on an undefined likelihood. Check "
                                   f"the data for extreme values or use a simpler method.")
        theta = np.clip(theta, lower, upper)
        if not watch.detected and self.penalizer == 0:
            theta, value, pushed = push_to_boundary(objective, objective_and_gradient, theta, value,
                                                    lower, upper, self.boundary_pairs)
            if pushed:
                name += " + boundary"
        converged = converged or self._good_optimum(objective_and_gradient, theta, lower, upper)
        params = np.exp(theta)
        self.params_ = {n: float(v) for n, v in zip(self.parameter_names, params)}
        penalty = self.penalty(theta)[0]
        self.log_likelihood_ = float(-(objective(theta) - penalty) * total)
        self.n_customers_ = int(round(total))
        self.converged_ = bool(converged)
        self.optimizer_ = name
        self.fixed_dropout_limit_ = bool(watch.detected)
        if limit_covariance is not None:
            self._set_limit_covariance(limit_covariance, theta)
            errors_known = True
        elif not standard_errors:
            self.covariance_ = self.standard_errors_ = None
            errors_known = True  # not asked for: nothing to warn about
        else:
            errors_known = self._set_standard_errors(objective_and_gradient, theta, total,
                                                     central=not large)
        at_bound = [n for n, t in zip(self.parameter_names, theta)
                    if abs(t) >= LOG_PARAM_BOUND - 1e-3]
        if watch.detected:
            self.converged_ = False
            i, j = self.runoff_pair
            names = self.parameter_names
            warnings.warn(ModelWarning(
                f"{type(self).__name__}: dropout looks like a fixed rate; the model was fitted "
                f"in its fixed-dropout limit ({names[i]} and {names[j]} grow together without "
                f"bound at a fixed ratio {names[i]}/{names[j]} = {params[i] / params[j]:.4g}; "
                f"reported at {names[i]}={params[i]:.4g}, {names[j]}={params[j]:.4g}, where "
                f"predictions equal the limit's to about 1/{min(params[i], params[j]):.0f})."),
                stacklevel=3)
        elif at_bound or not errors_known:
            self.converged_ = False
            which = f"parameter(s) {at_bound} ran to the edge of the allowed range" if at_bound \
                else "the likelihood is flat in some direction (no standard errors)"
            warnings.warn(ModelWarning(
                f"{type(self).__name__}: {which}; the data do not pin down the parameters "
                f"(too few, too short or too uniform customer histories). Predictions are "
                f"finite but rough; consider a simpler method or a penalizer > 0."),
                stacklevel=3)
        elif not self.converged_:
            warnings.warn(ModelWarning(
                f"{type(self).__name__}: the fit converged only weakly (optimiser {name}); "
                f"treat the parameters with care."), stacklevel=3)
        self._after_params_set()
        return self

    def _set_limit_covariance(self, cov_log: np.ndarray, theta: np.ndarray) -> None:
        params = np.exp(theta)
        cov = cov_log * np.outer(params, params)
        self.covariance_ = pd.DataFrame(cov, index=list(self.parameter_names),
                                        columns=list(self.parameter_names))
        self.standard_errors_ = {n: float(math.sqrt(max(cov[k, k], 0.0)))
                                 for k, n in enumerate(self.parameter_names)}

    @staticmethod
    def _good_optimum(objective_and_gradient, theta, lower, upper) -> bool:
        value, grad = objective_and_gradient(theta)
        if value >= 1e99:
            return False
        free = (theta > lower + 1e-6) & (theta < upper - 1e-6)
        return bool(np.all(np.abs(grad[free]) < GRADIENT_TOLERANCE))

    def _set_standard_errors(self, objective_and_gradient, theta, total, central=True) -> bool:
        """Set ``covariance_`` and ``standard_errors_``; False when the Hessian is singular.

        The Hessian is differenced from the analytic gradient: central differences, or
        forward differences (half the evaluations) with ``central=False`` on big data.
        """
        hessian = numerical_hessian(objective_and_gradient, theta, central)
        hessian = hessian * total
        params = np.exp(theta)
        try:
            cov_log = np.linalg.inv(hessian)
            ok = np.all(np.isfinite(cov_log)) and np.all(np.diag(cov_log) > 0)
        except np.linalg.LinAlgError:
            ok = False
        if not ok:
            self.covariance_ = None
            self.standard_errors_ = {n: math.nan for n in self.parameter_names}
            return False
        cov = cov_log * np.outer(params, params)
        self.covariance_ = pd.DataFrame(cov, index=list(self.parameter_names),
                                        columns=list(self.parameter_names))
        self.standard_errors_ = {n: float(math.sqrt(cov[i, i]))
                                 for i, n in enumerate(self.parameter_names)}
        return True

    # -- saving -----------------------------------------------------------------------------
    def to_dict(self) -> dict:
        """Parameters plus metadata as a JSON-able dict (no pickle)."""
        self._require_params()
        from .. import __version__

        errors = self.standard_errors_
        return {
            "model": type(self).__name__,
            "format_version": FORMAT_VERSION,
            "clv_toolkit_version": __version__,
            "hyperparameters": {n: float(v) for n, v in self.get_params().items()},
            "params": dict(self.params_),
            "log_likelihood": self.log_likelihood_,
            "standard_errors": None if errors is None else
            {n: (None if math.isnan(v) else v) for n, v in errors.items()},
            "covariance": None if self.covariance_ is None else self.covariance_.to_numpy().tolist(),
            "n_customers": self.n_customers_,
            "converged": self.converged_,
            "fixed_dropout_limit": bool(getattr(self, "fixed_dropout_limit_", False)),
        }

    @classmethod
    def from_dict(cls, data: dict) -> BaseModel:
        """Rebuild a model saved with :meth:`to_dict` (called on BaseModel, it picks the class)."""
        name = data.get("model") if isinstance(data, dict) else None
        target = cls
        if cls is BaseModel or name != cls.__name__:
            known = {sub.__name__: sub for sub in _all_subclasses(BaseModel)}
            if name not in known or not issubclass(known[name], cls):
                raise InputError(f"Saved model {name!r} cannot be loaded as {cls.__name__}.",
                                 hint="Load it with the class it was saved from.")
            target = known[name]
        if data.get("format_version", 0) > FORMAT_VERSION:
            raise InputError("The saved model was written by a newer CLV Toolkit.",
                             hint="Update CLV Toolkit to load it.")
        model = target(**data.get("hyperparameters", {}))
        model.set_params(**data["params"])
        model.log_likelihood_ = data.get("log_likelihood")
        errors = data.get("standard_errors")
        model.standard_errors_ = None if errors is None else {
            n: (math.nan if v is None else float(v)) for n, v in errors.items()}
        cov = data.get("covariance")
        model.covariance_ = None if cov is None else pd.DataFrame(
            np.array(cov, dtype=float), index=list(target.parameter_names),
            columns=list(target.parameter_names))
        model.n_customers_ = int(data.get("n_customers", 0))
        model.converged_ = data.get("converged", True)
        model.fixed_dropout_limit_ = bool(data.get("fixed_dropout_limit", False))
        return model

    def __repr__(self) -> str:
        hyper = ", ".join(f"{n}={v!r}" for n, v in self.get_params().items())
        params = getattr(self, "params_", None)
        fitted = "" if params is None else " " + ", ".join(
            f"{n}={v:.4g}" for n, v in params.items())
        return f"<{type(self).__name__}({hyper}){fitted}>"

    # -- to implement -----------------------------------------------------------------------
    def _weighted_gradient(self, params: np.ndarray, data, weights: np.ndarray
                           ) -> tuple[float, np.ndarray]:
        """Weighted total log-likelihood and its gradient (natural-scale parameters)."""
        ll_rows, grad_rows = self._pattern_gradient(params, data)
        return float(weighted_sum(weights, ll_rows)), weighted_sum(weights, grad_rows)

    def _prepare_patterns(self, rows: np.ndarray):
        """Data handed to the likelihood during a fit (a model may precompute lookups)."""
        return rows

    def _pattern_log_likelihood(self, params: np.ndarray, data: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _pattern_gradient(self, params: np.ndarray, data: np.ndarray
                          ) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def _starting_points(self, data: np.ndarray, weights: np.ndarray) -> list:
        raise NotImplementedError


def _all_subclasses(cls) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_all_subclasses(sub))
    return found
