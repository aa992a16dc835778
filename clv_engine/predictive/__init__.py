"""Predictive CLV: buy-till-you-die purchase models plus Gamma-Gamma spend.

``predict_clv(orders, ...) -> Prediction`` chooses a model on the user's own holdout,
predicts each customer's value over a horizon with an interval, and says in plain words
why it trusts the model, or why the data is too thin (``Prediction.ok`` False).
See ``docs/predictive.md``.
"""
from __future__ import annotations

from .core import predict_clv
from .result import PREDICTION_COLUMNS, Prediction

__all__ = ["predict_clv", "Prediction", "PREDICTION_COLUMNS"]
