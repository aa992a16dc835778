"""The result of a predictive CLV run."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

__all__ = ["Prediction", "PREDICTION_COLUMNS"]

PREDICTION_COLUMNS = [
    "clv_low",
    "clv",
    "clv_high",
    "p_alive",
    "churn_risk",
    "churn_label",
    "expected_orders",
    "expected_order_value",
    "next_order_date",
    "expected_days_between_orders",
]


@dataclass
class Prediction:
    """Predictive CLV per customer, or the plain reason why there is none.

    ``ok`` is False when the data is too thin for a model; ``verdict`` then says why and
    ``customers`` is empty, so the caller falls back to formula or historical CLV.
    ``customers`` is indexed by ``customer_id`` with :data:`PREDICTION_COLUMNS`; every
    number is finite and non-negative; ``churn_risk`` is P(no order in the next horizon)
    and ``churn_label`` its Low / Medium / High label (text). ``next_order_date`` is empty (NaT) when a next
    order is unlikely (see ``docs/predictive.md``).
    ``model`` holds ``name``, ``params``, ``spend_params``, ``holdout_score``,
    ``candidates`` and ``verdict``; ``settings`` the arguments of the run; ``notes`` any
    plain-language remarks (fallbacks taken).
    """

    ok: bool
    verdict: str
    customers: pd.DataFrame = field(default_factory=lambda: empty_customers())
    model: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:  # a Prediction is truthy when usable
        return self.ok


def empty_customers() -> pd.DataFrame:
    """An empty customer table with the prediction columns and dtypes."""
    frame = pd.DataFrame({c: pd.Series(dtype="float64") for c in PREDICTION_COLUMNS})
    frame["next_order_date"] = pd.Series(dtype="datetime64[ns]")
    frame["churn_label"] = pd.Series(dtype=object)
    frame.index = pd.Index([], dtype=object, name="customer_id").astype(str)
    return frame
