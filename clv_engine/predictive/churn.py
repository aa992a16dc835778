"""Churn risk as owners read it, and the per-customer scores of the holdout check.

``churn_risk`` is the model's probability that a customer places **no order in the next
horizon** (P(X(T, T + t) = 0 | x, t_x, T), ``p_no_purchase`` of each model); its plain
label is Low / Medium / High by :data:`CHURN_THRESHOLDS`. The scores compare a ranking of
customers with what they really did after a cut: :func:`roc_auc` (does a churn score put
the customers who did not order above those who did?) and :func:`top_share_capture`
(what share of the next period's revenue came from the customers predicted to be the
top 20%?). Both treat tied scores fairly (a tie counts half / is shared pro rata), so two
models that give the same ranking get the same score.
"""
from __future__ import annotations

import numpy as np

__all__ = [
    "CHURN_THRESHOLDS",
    "CHURN_LABELS",
    "churn_labels",
    "roc_auc",
    "top_share_capture",
]

#: churn_risk below the first value is "Low", from it up to the second "Medium", from the
#: second on "High" (probabilities of no order in the next horizon).
CHURN_THRESHOLDS = (0.4, 0.7)
CHURN_LABELS = ("Low", "Medium", "High")


def churn_labels(churn_risk) -> np.ndarray:
    """Low / Medium / High for each churn risk (see :data:`CHURN_THRESHOLDS`)."""
    risk = np.nan_to_num(np.asarray(churn_risk, dtype=np.float64), nan=1.0)
    index = np.searchsorted(np.asarray(CHURN_THRESHOLDS), risk, side="right")
    return np.asarray(CHURN_LABELS, dtype=object)[index]


def roc_auc(score, event) -> float:
    """Area under the ROC curve of ``score`` for the boolean ``event`` (ties count half):
    the chance that a random customer with the event scores above one without it.
    NaN when everyone or no one has the event."""
    score = np.asarray(score, dtype=np.float64)
    event = np.asarray(event, dtype=bool)
    n_event = int(event.sum())
    n_other = len(event) - n_event
    if n_event == 0 or n_other == 0:
        return float("nan")
    if np.isnan(score).any():
        return float("nan")
    ranks = average_ranks(score)
    return float((ranks[event].sum() - n_event * (n_event + 1) / 2.0) / (n_event * n_other))


def average_ranks(values) -> np.ndarray:
    """Ranks 1..n of ``values``, ties sharing the average of their ranks (as
    ``scipy.stats.rankdata`` gives, without importing scipy.stats, which costs a third of
    a second at the start of every command)."""
    distinct, inverse, counts = np.unique(np.asarray(values), return_inverse=True, return_counts=True)
    before = np.cumsum(counts) - counts
    return (before + (counts + 1) / 2.0)[inverse.ravel()]


def top_share_capture(predicted, actual, share: float = 0.2) -> float:
    """Share of the ``actual`` total that the top ``share`` of customers by ``predicted``
    account for. Customers tied at the cut-off count in proportion (the expected capture
    over random tie-breaks), so equal rankings give equal captures. NaN when the actual
    total is not positive."""
    predicted = np.asarray(predicted, dtype=np.float64)
    actual = np.asarray(actual, dtype=np.float64)
    total = float(actual.sum())
    if len(actual) == 0 or not total > 0:
        return float("nan")
    keep = share * len(actual)
    values, inverse = np.unique(-predicted, return_inverse=True)  # best first
    group_size = np.bincount(inverse, minlength=len(values)).astype(np.float64)
    group_sum = np.bincount(inverse, weights=actual, minlength=len(values))
    before = np.concatenate(([0.0], np.cumsum(group_size)[:-1]))
    taken = np.clip(keep - before, 0.0, group_size) / group_size
    return float((taken * group_sum).sum() / total)
