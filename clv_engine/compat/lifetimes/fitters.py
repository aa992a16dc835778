"""lifetimes-compatible fitters: thin wrappers over :mod:`clv_engine.models`.

Each fitter keeps lifetimes 0.11.3's constructor, ``fit`` keywords, attribute names
(``params_`` as a Series with lifetimes' keys, ``data``, ``variance_matrix_``,
``standard_errors_``, ``confidence_intervals_``, ``summary``) and prediction methods, and
forwards the work to the native model. Differences on purpose:

* optimiser keywords (``initial_params``, ``tol``, ``iterative_fitting``, ``fit_method``,
  ``maxiter``, scipy options) are accepted but the engine picks its own starting values
  and optimisers; ``verbose`` logs instead of printing;
* ``penalizer_coef`` adds lifetimes' penalty, ``penalizer_coef * sum(params ** 2)`` on
  the mean negative log-likelihood with times scaled by 1 / max(T) as lifetimes scales
  them, so parameters shrink towards 0 as it grows;
* prediction methods accept rows lifetimes accepts but that contradict the BTYD summary
  (recency > 0 with frequency 0): a ``ModelWarning`` instead of an error, the row used as
  given (lifetimes' formulas);
* BG/BB ``expected_number_of_transactions_in_first_n_periods(n)`` gives every frequency
  0..n (lifetimes stops at the largest frequency in the data);
* predictions are finite where lifetimes gives NaN (Pareto/NBD with recency = T,
  BG/NBD with a + b < 1); ``save_model``/``load_model`` write JSON, not dill;
* Pareto/NBD has standard errors and a working ``summary``.
"""
from __future__ import annotations

import io
import json
import logging
import warnings

import numpy as np
import pandas as pd

from ... import models
from ...errors import ModelWarning

__all__ = [
    "BaseFitter",
    "BetaGeoFitter",
    "ModifiedBetaGeoFitter",
    "ParetoNBDFitter",
    "BetaGeoBetaBinomFitter",
    "GammaGammaFitter",
]

logger = logging.getLogger(__name__)


def _shape_like(result, *inputs):
    """Return ``result`` as a Series when an input was a Series, a scalar when all were scalars."""
    for value in inputs:
        if isinstance(value, pd.Series):
            return pd.Series(np.asarray(result, dtype=float), index=value.index)
    result = np.asarray(result, dtype=float)
    if all(np.ndim(v) == 0 for v in inputs) and result.size == 1:
        return result.reshape(())[()]
    return result


def _aligned(*values):
    """Series inputs matched up by their index, as lifetimes' pandas arithmetic matches them:
    columns taken from differently ordered or filtered frames pair each customer's own
    values, on the union of the indexes (NaN where a customer is missing from one)."""
    series = [v for v in values if isinstance(v, pd.Series)]
    if len(series) < 2 or all(s.index.equals(series[0].index) for s in series[1:]):
        return values
    union = series[0].index
    for s in series[1:]:
        union = union.union(s.index)
    return tuple(v.reindex(union) if isinstance(v, pd.Series) else v for v in values)


def _lifetimes_int(values) -> np.ndarray:
    """A count column cast as lifetimes casts it (``astype(int)``: 2.5 -> 2), except that
    missing and infinite values stay as they are, so the engine names them (the cast would
    turn NaN into -9.2e18, reported as a negative count)."""
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        return np.asarray(values)  # text: the engine says "numbers only"
    finite = np.isfinite(array)
    if finite.all():
        return array.astype(int)
    return np.where(finite, np.trunc(array), array)


class BaseFitter:
    """Shared behaviour of the compatible fitters (lifetimes' ``BaseFitter``)."""

    native_class: type = None
    #: lifetimes key -> engine key (only where they differ)
    renamed: dict[str, str] = {}
    param_names: tuple[str, ...] = ()

    def __init__(self, penalizer_coef=0.0):
        self.penalizer_coef = penalizer_coef

    # -- parameters -------------------------------------------------------------------------
    def _native_name(self, key: str) -> str:
        return self.renamed.get(key, key)

    @property
    def params_(self) -> pd.Series:
        """The parameters as a Series with lifetimes' keys. As in lifetimes it is the model's
        own: ``fitter.params_['r'] = 0.5`` changes the model (and so do later predictions)."""
        native = getattr(self, "_native", None)
        if native is None or getattr(native, "params_", None) is None:
            raise AttributeError("params_")
        self._sync_params()
        values = np.array([native.params_[self._native_name(k)] for k in self.param_names], dtype=float)
        view = self.__dict__.get("_params_view")
        if view is None:
            view = pd.Series(values, index=list(self.param_names), dtype=float)
            self._params_view = view
        else:
            view.iloc[:] = values
        self._params_seen = values
        return view

    @params_.setter
    def params_(self, values) -> None:
        values = pd.Series(values, dtype=float)
        native = getattr(self, "_native", None) or self.native_class()
        native.lenient_inputs = True
        native.set_params(**{self._native_name(k): float(values[k]) for k in self.param_names})
        self._native = native
        self.__dict__.pop("_params_view", None)

    def _sync_params(self) -> None:
        """Carry values written into the ``params_`` Series (``params_['r'] = 0.5``) into the model."""
        view, seen = self.__dict__.get("_params_view"), self.__dict__.get("_params_seen")
        native = getattr(self, "_native", None)
        if view is None or seen is None or native is None:
            return
        now = view.to_numpy(dtype=float)
        if not np.array_equal(now, seen, equal_nan=True):
            native.set_params(**{self._native_name(k): float(v) for k, v in zip(self.param_names, now)})
            self._params_seen = now.copy()

    def _model(self):
        self._sync_params()
        native = getattr(self, "_native", None)
        if native is None or getattr(native, "params_", None) is None:
            raise ValueError("Model has not been fit yet. Please call the .fit method first.")
        return native

    def _unload_params(self, *args):
        params = self.params_ if hasattr(self, "_native") else None
        if params is None:
            raise ValueError("Model has not been fit yet. Please call the .fit method first.")
        return [params[a] for a in args]

    # -- uncertainty ------------------------------------------------------------------------
    @property
    def variance_matrix_(self) -> pd.DataFrame:
        cov = getattr(self._model(), "covariance_", None)
        names = list(self.param_names)
        if cov is None:
            return pd.DataFrame(np.nan, index=names, columns=names)
        native = [self._native_name(k) for k in names]
        return pd.DataFrame(cov.loc[native, native].to_numpy(), index=names, columns=names)

    @property
    def standard_errors_(self) -> pd.Series:
        return pd.Series(np.sqrt(np.diag(self.variance_matrix_.to_numpy())), index=list(self.param_names))

    @property
    def confidence_intervals_(self) -> pd.DataFrame:
        params, se = self.params_, self.standard_errors_
        return pd.DataFrame(
            {"lower 95% bound": params - 1.96 * se, "upper 95% bound": params + 1.96 * se},
            index=params.index,
        )

    @property
    def summary(self) -> pd.DataFrame:
        """coef, se(coef), lower/upper 95% bound (lifetimes' layout)."""
        df = pd.DataFrame(index=self.params_.index)
        df["coef"] = self.params_
        df["se(coef)"] = self.standard_errors_
        df["lower 95% bound"] = self.confidence_intervals_["lower 95% bound"]
        df["upper 95% bound"] = self.confidence_intervals_["upper 95% bound"]
        return df

    @property
    def log_likelihood_(self) -> float:
        """Total log-likelihood over customers (the engine's convention)."""
        return self._model().log_likelihood_

    # -- fitting helpers --------------------------------------------------------------------
    def _fit_native(self, columns, weights, verbose, ignored):
        used = {k: v for k, v in ignored.items() if v is not None}
        if used:
            logger.debug("lifetimes optimiser options %s accepted; the engine uses its own", sorted(used))
        native = self.native_class(penalizer=self.native_penalizer(columns))
        native.penalty_scales = self.penalty_scales(columns)
        native.lenient_inputs = True
        native.fit(*columns, weights=weights)
        if verbose:
            logger.info("%s fitted: %s", type(self).__name__, native)
        self._native = native
        self.__dict__.pop("_params_view", None)  # a new fit: values written before do not carry over
        return native

    def native_penalizer(self, columns) -> float:
        """The engine's penalizer for lifetimes' ``penalizer_coef``: both add it to the mean
        negative log-likelihood per customer (lifetimes' BG/NBD, MBG/NBD, BG/BB and
        Gamma-Gamma objectives)."""
        return float(self.penalizer_coef)

    def penalty_scales(self, columns) -> list[float]:
        """lifetimes' penalty scales: parameters in time units are penalised after times are
        divided by max(T) (``scaled_params``: their positions), the others as they are."""
        scales = [1.0] * len(self.param_names)
        if self.scaled_params:
            largest = float(np.max(np.asarray(columns[2], dtype=float))) if len(columns[2]) else 1.0
            for i in self.scaled_params:
                scales[i] = 1.0 / largest if largest > 0 else 1.0
        return scales

    #: positions of the parameters in time units (scaled by lifetimes before penalising)
    scaled_params: tuple[int, ...] = ()

    # -- saving -----------------------------------------------------------------------------
    def save_model(self, path, save_data=True, save_generate_data_method=True, values_to_save=None):
        """Save parameters and metadata as JSON (no pickle), with the fitted ``data`` as
        lifetimes saves it unless ``save_data=False``."""
        saved = self._model().to_dict()
        data = getattr(self, "data", None)
        if save_data and isinstance(data, pd.DataFrame):
            saved["lifetimes_data"] = json.loads(data.to_json(orient="split"))
            # what JSON does not keep: the index name and the columns' number types
            saved["lifetimes_data_index_name"] = data.index.name
            saved["lifetimes_data_dtypes"] = {str(c): str(t) for c, t in data.dtypes.items() if t.kind in "iuf"}
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(saved, handle)

    def load_model(self, path):
        """Load a model saved with :meth:`save_model` (and its ``data`` when it was saved)."""
        from ...errors import InputError

        try:
            with open(path, encoding="utf-8") as handle:
                saved = json.load(handle)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise InputError(
                "this file is not a model saved by CLV Toolkit (a JSON file); a model lifetimes saved "
                "(a dill pickle) is not read, as loading a pickle can run any code.", where=str(path),
                hint="Fit the model again, or set its parameters by hand: fitter.params_ = {'r': …, 'alpha': …}.",
            ) from None
        self._native = self.native_class.from_dict(saved)
        self.__dict__.pop("_params_view", None)  # a new model: values written before do not carry over
        self._native.lenient_inputs = True
        if isinstance(saved.get("lifetimes_data"), dict):
            data = pd.read_json(io.StringIO(json.dumps(saved["lifetimes_data"])), orient="split")
            data.index.name = saved.get("lifetimes_data_index_name")
            for column, dtype in (saved.get("lifetimes_data_dtypes") or {}).items():
                if column in data.columns:
                    data[column] = data[column].astype(dtype)
            self.data = data

    def _fitted_subjects(self) -> int:
        return int(self.data.shape[0])

    def __repr__(self) -> str:
        classname = type(self).__name__
        try:
            subj = f" fitted with {self._fitted_subjects():d} subjects,"
        except AttributeError:
            subj = ""
        try:
            params = ", ".join(f"{k}: {v:.2f}" for k, v in sorted(self.params_.items()))
        except (AttributeError, ValueError):
            return f"<lifetimes.{classname}>"
        return f"<lifetimes.{classname}:{subj} {params}>"


def _where_known(compute, *columns: np.ndarray) -> np.ndarray:
    """``compute(*columns)`` on the rows where every input is a number, NaN on the others:
    one missing row (after a left join) gives one NaN, as in lifetimes, not an error."""
    known = np.logical_and.reduce([~np.isnan(c) for c in columns])
    if known.all():
        return np.asarray(compute(*columns), dtype=float)
    out = np.full(len(columns[0]), np.nan)
    if known.any():
        out[known] = compute(*(c[known] for c in columns))
    return out


class _ContinuousFitter(BaseFitter):
    """BG/NBD, MBG/NBD and Pareto/NBD share their prediction API."""

    param_names = ("r", "alpha", "a", "b")
    scaled_params = (1,)

    def fit(self, frequency, recency, T, weights=None, initial_params=None, verbose=False, tol=1e-7,
            index=None, **kwargs):
        """Fit to the BTYD summary; returns self."""
        frequency = _lifetimes_int(frequency)
        recency = np.asarray(recency, dtype=float)
        T = np.asarray(T, dtype=float)
        if weights is None:
            weights = np.ones_like(recency, dtype=int)
        else:
            weights = np.asarray(weights)
        self._fit_native((frequency, recency, T), weights, verbose,
                         {"initial_params": initial_params, **kwargs})
        self.data = pd.DataFrame(
            {"frequency": frequency, "recency": recency, "T": T, "weights": weights}, index=index
        )
        return self

    def predict(self, t, frequency, recency, T):
        """Alias of :meth:`conditional_expected_number_of_purchases_up_to_time`."""
        return self.conditional_expected_number_of_purchases_up_to_time(t, frequency, recency, T)

    def conditional_expected_number_of_purchases_up_to_time(self, t, frequency, recency, T):
        """Expected repeat purchases in the next ``t`` given the history (NaN where an input is)."""
        t, frequency, recency, T = _aligned(t, frequency, recency, T)
        model = self._model()
        f, r, tt = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (frequency, recency, T)))
        shape = np.broadcast_shapes(np.shape(t), f.shape)
        values = _where_known(model.expected_purchases, np.broadcast_to(np.asarray(t, dtype=float), shape).ravel(),
                              np.broadcast_to(f, shape).ravel(), np.broadcast_to(r, shape).ravel(),
                              np.broadcast_to(tt, shape).ravel())
        return _shape_like(np.reshape(values, shape), t, frequency, recency, T)

    def conditional_probability_alive(self, frequency, recency, T):
        """P(alive) given the history (NaN where an input is)."""
        frequency, recency, T = _aligned(frequency, recency, T)
        f, r, tt = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (frequency, recency, T)))
        values = np.reshape(_where_known(self._model().p_alive, f.ravel(), r.ravel(), tt.ravel()), f.shape)
        if self._alive_keeps_shape:  # lifetimes' Pareto/NBD: a Series for Series, a float for scalars
            return _shape_like(values, frequency, recency, T)
        return np.atleast_1d(values)  # lifetimes' BG/NBD and MBG/NBD: always a positional array

    #: what lifetimes' ``conditional_probability_alive`` returns: an array whatever the input
    #: (False), or the input's shape (True)
    _alive_keeps_shape = False

    def conditional_probability_alive_matrix(self, max_frequency=None, max_recency=None):
        """P(alive) on a grid: rows recency 0..max_recency, columns frequency 0..max_frequency."""
        max_frequency = max_frequency or int(self.data["frequency"].max())
        max_recency = max_recency or int(self.data["T"].max())
        rec, freq = np.meshgrid(np.arange(max_recency + 1), np.arange(max_frequency + 1), indexing="ij")
        # lifetimes' grid pairs frequency 0 with recency > 0, used as given (as lifetimes does)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ModelWarning)
            values = self._model().p_alive(freq.ravel(), rec.ravel(), np.full(freq.size, max_recency))
        return np.reshape(values, freq.shape)

    def expected_number_of_purchases_up_to_time(self, t):
        """Expected repeat purchases by ``t`` of a newly acquired customer."""
        values = self._model().expected_purchases_new(np.atleast_1d(np.asarray(t, dtype=float)))
        return _shape_like(np.reshape(values, np.shape(t)), t)

    def probability_of_n_purchases_up_to_time(self, t, n):
        """P(N(t) = n) for a newly acquired customer."""
        shape = np.broadcast_shapes(np.shape(t), np.shape(n))
        values = self._model().p_n_purchases(
            np.broadcast_to(n, shape).ravel(), np.broadcast_to(t, shape).ravel()
        )
        return _shape_like(np.reshape(values, shape), t, n)

    def conditional_probability_of_n_purchases_up_to_time(self, n, t, frequency, recency, T):
        """P(n purchases in the next ``t``) given the history."""
        n, t, frequency, recency, T = _aligned(n, t, frequency, recency, T)
        arrays = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (n, t, frequency, recency, T)))
        values = self._model().p_n_purchases_conditional(*(a.ravel() for a in arrays))
        return _shape_like(np.reshape(values, arrays[0].shape), n, t, frequency, recency, T)


class BetaGeoFitter(_ContinuousFitter):
    """BG/NBD (Fader, Hardie & Lee 2005), lifetimes-compatible."""

    native_class = models.BetaGeoModel


class ModifiedBetaGeoFitter(_ContinuousFitter):
    """MBG/NBD (Batislam et al. 2007), lifetimes-compatible."""

    native_class = models.ModifiedBetaGeoModel


class ParetoNBDFitter(_ContinuousFitter):
    """Pareto/NBD (Schmittlein, Morrison & Colombo 1987), lifetimes-compatible."""

    native_class = models.ParetoNBDModel
    param_names = ("r", "alpha", "s", "beta")
    scaled_params = (1, 3)
    _alive_keeps_shape = True

    def native_penalizer(self, columns) -> float:
        """lifetimes' Pareto/NBD, unlike its other fitters, adds ``penalizer_coef`` to the
        *total* negative log-likelihood (divided by the mean weight): per customer row that
        is ``penalizer_coef`` / rows on the mean the engine minimises."""
        rows = len(columns[0])
        return float(self.penalizer_coef) / rows if rows else float(self.penalizer_coef)

    def fit(self, frequency, recency, T, weights=None, iterative_fitting=1, initial_params=None, verbose=False,
            tol=1e-4, index=None, fit_method="Nelder-Mead", maxiter=2000, **kwargs):
        """Fit to the BTYD summary; returns self (optimiser keywords accepted, see module)."""
        if iterative_fitting <= 0:
            raise ValueError("iterative_fitting parameter should be greater than 0 as of lifetimes v0.2.1")
        return super().fit(frequency, recency, T, weights, initial_params, verbose, tol, index, **kwargs)


class BetaGeoBetaBinomFitter(BaseFitter):
    """BG/BB for discrete opportunities (Fader, Hardie & Shang 2010), lifetimes-compatible."""

    native_class = models.BetaGeoBetaBinomModel
    param_names = ("alpha", "beta", "gamma", "delta")

    def fit(self, frequency, recency, n_periods, weights=None, initial_params=None, verbose=False, tol=1e-7,
            index=None, **kwargs):
        """Fit to (frequency, recency, n_periods[, weights]); returns self."""
        frequency = _lifetimes_int(frequency)
        recency = _lifetimes_int(recency)
        n_periods = _lifetimes_int(n_periods)
        weights = np.ones_like(recency) if weights is None else np.asarray(weights)
        self._fit_native((frequency, recency, n_periods), weights, verbose,
                         {"initial_params": initial_params, **kwargs})
        self.data = pd.DataFrame(
            {"frequency": frequency, "recency": recency, "n_periods": n_periods, "weights": weights}, index=index
        )
        return self

    def conditional_expected_number_of_purchases_up_to_time(self, m_periods_in_future, frequency, recency,
                                                             n_periods):
        """Expected transactions in the next ``m_periods_in_future`` opportunities."""
        m_periods_in_future, frequency, recency, n_periods = _aligned(m_periods_in_future, frequency, recency,
                                                                      n_periods)
        values = self._model().expected_purchases(
            *np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in
                                   (m_periods_in_future, frequency, recency, n_periods)))
        )
        return _shape_like(values, m_periods_in_future, frequency, recency, n_periods)

    def conditional_probability_alive(self, m_periods_in_future, frequency, recency, n_periods):
        """P(alive at opportunity n_periods + m_periods_in_future) given the history."""
        m_periods_in_future, frequency, recency, n_periods = _aligned(m_periods_in_future, frequency, recency,
                                                                      n_periods)
        m, f, r, n = (a.ravel() for a in np.broadcast_arrays(
            *(np.asarray(v, dtype=float) for v in (m_periods_in_future, frequency, recency, n_periods))))
        shape = np.broadcast_shapes(*(np.shape(v) for v in (m_periods_in_future, frequency, recency, n_periods)))
        values = np.empty(len(f))
        for ahead in np.unique(m):  # a horizon per row, as lifetimes takes it
            rows = m == ahead
            values[rows] = self._model().p_alive(f[rows], r[rows], n[rows], periods_ahead=int(ahead))
        return _shape_like(np.reshape(values, shape), m_periods_in_future, frequency, recency, n_periods)

    def expected_number_of_transactions_in_first_n_periods(self, n):
        """Expected number of customers with each frequency 0..n in the first ``n``
        opportunities (every frequency, also above the largest in the data); as in lifetimes
        the rows go on to the largest frequency in the data when that is above ``n`` (zero
        there: no one buys more often than they can)."""
        n = int(n)
        total = float(self.data["weights"].sum())
        x = np.arange(max(n, int(self.data["frequency"].max())) + 1)
        probability = np.where(x <= n, self._model().p_n_purchases(np.minimum(x, n), np.full(len(x), n)), 0.0)
        return pd.DataFrame(
            np.asarray(probability) * total, index=pd.Index(x, name="frequency"), columns=["model"]
        )


class GammaGammaFitter(BaseFitter):
    """Gamma-Gamma spend model (Fader & Hardie 2013), lifetimes-compatible (``v`` = engine ``gamma``)."""

    native_class = models.GammaGammaModel
    param_names = ("p", "q", "v")
    renamed = {"v": "gamma"}

    def fit(self, frequency, monetary_value, weights=None, initial_params=None, verbose=False, tol=1e-7,
            index=None, q_constraint=False, **kwargs):
        """Fit on repeat buyers; returns self.

        With ``q_constraint=True`` a fit ending at q <= 1 raises ``ValueError`` (lifetimes
        would bound q instead; a forced q = 1 still has no finite mean spend).
        """
        frequency_arr = np.asarray(frequency).astype(float)
        monetary = np.asarray(monetary_value).astype(float)
        if np.any(monetary[frequency_arr > 0] <= 0):
            raise ValueError("There exist non-positive (<= 0) values in the monetary_value vector.")
        weights = np.ones_like(frequency_arr, dtype=int) if weights is None else np.asarray(weights)
        native = self._fit_native((frequency_arr, monetary), weights, verbose,
                                  {"initial_params": initial_params, **kwargs})
        if q_constraint and not native.mean_exists_:
            raise ValueError(
                f"The fitted q = {native.params_['q']:.3g} is <= 1: expected spend is not finite for this data."
            )
        self.data = pd.DataFrame(
            {"monetary_value": monetary, "frequency": frequency_arr, "weights": weights}, index=index
        )
        return self

    def _fitted_subjects(self) -> int:
        """The repeat buyers the fit used (rows with frequency 0 are left out of it)."""
        return int((self.data["frequency"] > 0).sum())

    def conditional_expected_average_profit(self, frequency=None, monetary_value=None):
        """Expected average order value given a customer's repeat orders (raises if q <= 1)."""
        if monetary_value is None:
            monetary_value = self.data["monetary_value"]
        if frequency is None:
            frequency = self.data["frequency"]
        frequency, monetary_value = _aligned(frequency, monetary_value)
        f, m = np.broadcast_arrays(np.asarray(frequency, dtype=float), np.asarray(monetary_value, dtype=float))
        p, q, v = (float(self.params_[k]) for k in ("p", "q", "v"))
        if q > 1:
            values = _where_known(self._model().expected_order_value, f.ravel(), m.ravel())
        else:  # no finite population mean: defined only for customers with p·x + q > 1
            x, z = f.ravel(), m.ravel()
            denominator = p * x + q - 1
            defined = np.isfinite(x) & np.isfinite(z) & (denominator > 0)
            values = np.full(len(x), np.nan)
            values[defined] = (p * v + p * x[defined] * z[defined]) / denominator[defined]
            if not defined.all():
                warnings.warn(f"q = {q:.3g} <= 1: the expected spend of {int((~defined).sum())} customers (those "
                              "with few or no repeat orders) is not finite; it is NaN for them (lifetimes gives a "
                              "negative number)", RuntimeWarning, stacklevel=2)
        return _shape_like(np.reshape(values, f.shape), frequency, monetary_value)

    def customer_lifetime_value(self, transaction_prediction_model, frequency, recency, T, monetary_value,
                                time=12, discount_rate=0.01, freq="D"):
        """Discounted value over ``time`` months (lifetimes' method: monthly steps, monthly rate).

        ``freq`` is the unit of ``T``: "D", "H", "W" or "M". Returns a Series named ``clv``.
        """
        frequency, recency, T, monetary_value = _aligned(frequency, recency, T, monetary_value)
        value = np.asarray(self.conditional_expected_average_profit(frequency, monetary_value), dtype=float)
        factor = {"W": 4.345, "M": 1.0, "D": 30, "H": 30 * 24}[freq]
        index = frequency.index if isinstance(frequency, pd.Series) else pd.RangeIndex(len(np.atleast_1d(value)))
        clv = np.zeros(len(index))
        previous = np.asarray(transaction_prediction_model.predict(0.0, frequency, recency, T), dtype=float)
        for month in np.arange(1, time + 1):  # lifetimes' steps: time=6.5 sums months 1..7
            current = np.asarray(transaction_prediction_model.predict(month * factor, frequency, recency, T),
                                 dtype=float)
            clv = clv + value * (current - previous) / (1 + discount_rate) ** month
            previous = current
        return pd.Series(clv, index=index, name="clv")
