"""lifetimes-compatible data helpers (``lifetimes.utils``), on CLV Toolkit's summary.

Same signatures, column names, index (the customer id column, original dtype, sorted)
and float dtypes as lifetimes 0.11.3. Differences, all on purpose:

* no global pandas option is changed on import (lifetimes turns off chained-assignment
  warnings for everyone);
* ``calibration_and_holdout_data`` works without a monetary column on pandas 3;
* ``find_first_transactions`` is public (``_find_first_transactions``, lifetimes' private
  name, is the same function) and always returns a fresh ``RangeIndex``;
* ``freq="M"`` (and other calendar periods) counts whole periods: lifetimes 0.11.3 divides
  the time between period starts by numpy's average month (30.436875 days) on pandas < 2,
  giving e.g. 1.94 months from January to March, and raises ``ValueError`` on pandas >= 2.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ...errors import ConvergenceError  # noqa: F401 (lifetimes.utils.ConvergenceError: what a fit that fails raises)
from ...summary import customer_summary, period_index

__all__ = [
    "ConvergenceError",
    "summary_data_from_transaction_data",
    "calibration_and_holdout_data",
    "find_first_transactions",
    "expected_cumulative_transactions",
]


def _orders_frame(transactions, customer_id_col, datetime_col, monetary_value_col, datetime_format):
    """The engine's order table (customer_id as str, date, amount) plus the original ids.

    As lifetimes' group-by does: rows without a customer id are left out, a missing amount
    adds nothing to its period's sum, and time-zone-aware times count on their local date
    (the zone is dropped, not converted to UTC)."""
    transactions = transactions[transactions[customer_id_col].notna()]
    ids = transactions[customer_id_col]
    dates = pd.to_datetime(transactions[datetime_col], format=datetime_format)
    if isinstance(dates.dtype, pd.DatetimeTZDtype):
        dates = dates.dt.tz_localize(None)
    if monetary_value_col:
        amount = np.nan_to_num(transactions[monetary_value_col].to_numpy(dtype=np.float64), nan=0.0)
    else:
        amount = np.zeros(len(transactions))
    # each distinct id (as lifetimes' group-by tells them apart: 1 and "1" are two customers)
    # becomes the text of its position among the distinct ids
    codes, _ = pd.factorize(ids)
    orders = pd.DataFrame(
        {"customer_id": codes.astype(str), "date": dates.to_numpy(), "amount": amount}
    )
    return orders, ids


def _period_end(when, freq: str, datetime_format=None) -> pd.Timestamp:
    """The last instant of the period containing ``when`` (lifetimes keeps the whole period)."""
    if isinstance(when, pd.Period):
        when = when.to_timestamp()
    stamp = pd.to_datetime(when, format=datetime_format)
    if stamp.tzinfo is not None:  # local wall time, as the orders are read
        stamp = stamp.tz_localize(None)
    return pd.Period(stamp, freq=freq).end_time


def _sorted_positions(ids: pd.Index) -> np.ndarray:
    """Positions that sort ``ids`` as lifetimes' group-by does; ids mixing numbers and text
    (read from a spreadsheet) sort numbers first, then text, as pandas does for them."""
    try:
        return np.asarray(ids.argsort(), dtype=np.int64)
    except TypeError:
        def key(i):
            value = ids[i]
            number = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
            return (0, float(value), "") if number else (1, 0.0, str(value))
        return np.asarray(sorted(range(len(ids)), key=key), dtype=np.int64)


def _restore_index(table: pd.DataFrame, original_ids: pd.Series, name: str) -> pd.DataFrame:
    """Re-index a summary keyed by id positions (see :func:`_orders_frame`) with the original
    ids, sorted like lifetimes (a categorical id keeps its dtype)."""
    _, distinct = pd.factorize(original_ids)
    distinct = pd.Index(distinct)
    order = _sorted_positions(distinct)
    keys = pd.Index(order.astype(str))
    keep = keys.isin(table.index)
    out = table.loc[keys[keep]]
    out.index = pd.Index(distinct[order[keep]], name=name)
    return out


def summary_data_from_transaction_data(
    transactions,
    customer_id_col,
    datetime_col,
    monetary_value_col=None,
    datetime_format=None,
    observation_period_end=None,
    freq="D",
    freq_multiplier=1,
    include_first_transaction=False,
):
    """Per-customer ``frequency``, ``recency``, ``T`` [, ``monetary_value``] (lifetimes' conventions)."""
    orders, ids = _orders_frame(transactions, customer_id_col, datetime_col, monetary_value_col, datetime_format)
    if observation_period_end is None:
        observation_period_end = orders["date"].max()
    end = _period_end(observation_period_end, freq, datetime_format)
    columns = ["frequency", "recency", "T"]
    if not (orders["date"] <= end).any():  # as lifetimes: an empty summary, not an error
        empty = pd.DataFrame({c: pd.Series(dtype=float) for c in columns + ["monetary_value"][:bool(monetary_value_col)]})
        empty.index.name = customer_id_col
        return empty
    summary = customer_summary(orders, observation_end=end, freq=freq, freq_multiplier=freq_multiplier)
    out = summary[columns].copy()
    if include_first_transaction:
        out["frequency"] = out["frequency"] + 1
    if monetary_value_col:
        if include_first_transaction:
            out["monetary_value"] = summary["total_value"] / out["frequency"]
        else:
            out["monetary_value"] = summary["monetary_value"]
    return _restore_index(out.astype(float), ids, customer_id_col)


def calibration_and_holdout_data(
    transactions,
    customer_id_col,
    datetime_col,
    calibration_period_end,
    observation_period_end=None,
    freq="D",
    freq_multiplier=1,
    datetime_format=None,
    monetary_value_col=None,
    include_first_transaction=False,
):
    """Calibration summary (``*_cal``) plus ``frequency_holdout``, ``duration_holdout``
    [and ``monetary_value_holdout``], lifetimes 0.11.3's rules:

    * calibration: the summary of the transactions on or before ``calibration_period_end``
      (a date and time: on the day itself, later hours of that day are holdout);
    * holdout transactions: after ``calibration_period_end`` and on or before
      ``observation_period_end``, by their date and time, never by their period. A
      holdout transaction in the same week (or month) as the calibration end counts;
    * ``frequency_holdout``: the number of distinct ``freq`` periods with a holdout
      transaction; ``monetary_value_holdout``: the mean value of the holdout transactions
      themselves (not of the periods); 0 without holdout transactions;
    * ``duration_holdout``: periods from the calibration end's to the observation end's
      period, divided by ``freq_multiplier``;
    * only customers with a calibration transaction are listed.
    """
    if observation_period_end is None:
        observation_period_end = transactions[datetime_col].max()
    dates = pd.to_datetime(transactions[datetime_col], format=datetime_format)
    cal_end = pd.to_datetime(calibration_period_end, format=datetime_format)
    obs_end = pd.to_datetime(observation_period_end, format=datetime_format)

    in_calibration = (dates <= cal_end).to_numpy()
    in_holdout = ((dates > cal_end) & (dates <= obs_end)).to_numpy()
    if not in_holdout.any():
        raise ValueError(
            "There is no data available. Check the `observation_period_end` and  `calibration_period_end` "
            "and confirm that values in `transactions` occur prior to those dates."
        )
    calibration = summary_data_from_transaction_data(
        transactions.loc[in_calibration], customer_id_col, datetime_col, monetary_value_col,
        datetime_format, cal_end, freq, freq_multiplier, include_first_transaction,
    )
    out = calibration.add_suffix("_cal")

    hold_ids = transactions[customer_id_col].to_numpy()[in_holdout]
    hold_periods = period_index(dates.to_numpy()[in_holdout], freq)
    distinct = pd.DataFrame({"id": hold_ids, "period": hold_periods}).drop_duplicates()
    frequency_holdout = distinct.groupby("id", sort=False).size()
    out["frequency_holdout"] = frequency_holdout.reindex(out.index).fillna(0).to_numpy(dtype=float)
    if monetary_value_col:
        amounts = transactions[monetary_value_col].to_numpy(dtype=np.float64)[in_holdout]
        mean_value = pd.Series(amounts).groupby(hold_ids, sort=False).mean()
        out["monetary_value_holdout"] = mean_value.reindex(out.index).fillna(0.0).to_numpy(dtype=float)
    periods = pd.Period(obs_end, freq=freq) - pd.Period(cal_end, freq=freq)
    out["duration_holdout"] = float(periods.n) / freq_multiplier
    return out.astype(float)


def find_first_transactions(
    transactions,
    customer_id_col,
    datetime_col,
    monetary_value_col=None,
    datetime_format=None,
    observation_period_end=None,
    freq="D",
):
    """One row per customer and period (values summed) with a ``first`` flag.

    Columns ``customer_id_col``, ``datetime_col`` (pandas Period of ``freq``)
    [, ``monetary_value_col``], ``first``; sorted by customer then period.
    """
    dates = pd.to_datetime(transactions[datetime_col], format=datetime_format)
    if observation_period_end is None:
        observation_period_end = dates.max()
    end = _period_end(observation_period_end, freq, datetime_format)
    keep = (dates <= end).to_numpy()
    ids = transactions[customer_id_col].to_numpy()[keep]
    period = period_index(dates.to_numpy()[keep], freq)
    frame = pd.DataFrame({"id": ids, "period": period})
    if monetary_value_col:
        frame["value"] = transactions[monetary_value_col].to_numpy(dtype=np.float64)[keep]
        grouped = frame.groupby(["id", "period"], sort=True)["value"].sum().reset_index()
    else:
        grouped = frame.drop_duplicates(["id", "period"]).sort_values(["id", "period"], kind="stable")
        grouped = grouped.reset_index(drop=True)
    first = np.ones(len(grouped), dtype=bool)
    id_values = grouped["id"].to_numpy()
    first[1:] = id_values[1:] != id_values[:-1]
    periods = _periods_from_index(grouped["period"].to_numpy(), dates, keep, period, freq)
    out = pd.DataFrame({customer_id_col: grouped["id"].to_numpy(), datetime_col: periods})
    if monetary_value_col:
        out[monetary_value_col] = grouped["value"].to_numpy()
    out["first"] = first
    return out


#: lifetimes' private name for :func:`find_first_transactions` (some user code imports it)
_find_first_transactions = find_first_transactions


def _periods_from_index(wanted, dates, keep, period, freq):
    """pandas Periods for the integer period numbers ``wanted`` (via one date of each)."""
    lookup = pd.Series(dates.to_numpy()[keep]).groupby(period).first()
    return pd.PeriodIndex(pd.DatetimeIndex(lookup.reindex(wanted).to_numpy()), freq=freq)


def expected_cumulative_transactions(
    model,
    transactions,
    datetime_col,
    customer_id_col,
    t,
    datetime_format=None,
    freq="D",
    freq_multiplier=1,
    set_index_date=False,
):
    """Actual and model-predicted cumulative repeat transactions, period by period.

    ``predicted`` at period ``i`` is the sum over first-purchase periods ``d < i`` of the
    number of new customers in ``d`` times ``model.expected_number_of_purchases_up_to_time``
    of ``(i - d) / freq_multiplier`` (Fader, Hardie & Lee, note 008), vectorised.
    """
    dates = pd.to_datetime(transactions[datetime_col], format=datetime_format)
    start = dates.min().to_period(freq)
    periods = period_index(dates.to_numpy(), freq)
    start_n = int(period_index(np.array([start.to_timestamp().to_datetime64()]), freq)[0])
    rel = periods - start_n
    frame = pd.DataFrame({"id": transactions[customer_id_col].to_numpy(), "rel": rel})
    frame = frame.loc[frame["rel"] <= t].drop_duplicates(["id", "rel"])
    first_rel = frame.groupby("id", sort=False)["rel"].transform("min").to_numpy()
    is_first = frame["rel"].to_numpy() == first_rel
    new_per_period = np.bincount(frame["rel"].to_numpy()[is_first], minlength=t + 1)[: t + 1]
    repeat_per_period = np.bincount(frame["rel"].to_numpy()[~is_first], minlength=t + 1)[: t + 1]

    lags = np.arange(1, t + 1, dtype=np.float64) / freq_multiplier
    curve = np.concatenate(([0.0], np.asarray(model.expected_number_of_purchases_up_to_time(lags), dtype=float)))
    steps = np.arange(freq_multiplier, t + 1, freq_multiplier)
    predicted = [float(np.dot(new_per_period[:i], curve[i - np.arange(i)])) for i in steps]
    cumulative = np.cumsum(repeat_per_period)
    actual = [float(cumulative[j * freq_multiplier - 1]) for j in range(1, t // freq_multiplier + 1)]
    actual = np.asarray(actual).astype(repeat_per_period.dtype)
    if set_index_date:
        date_periods = pd.period_range(start, periods=t + 1, freq=freq)
        index = date_periods[freq_multiplier - 1 : -1 : freq_multiplier]
    else:
        index = range(0, t // freq_multiplier)
    return pd.DataFrame({"actual": actual, "predicted": predicted}, index=index)
