"""Buy-till-you-die purchase models, spend model and retention model.

All share :class:`~clv_engine.models.base.BaseModel` (fit, summary, standard errors,
``to_dict``/``from_dict``); ``log_likelihood_`` is always the total over customers.
"""
from __future__ import annotations

from .base import BaseModel
from .beta_geo import BetaGeoModel
from .gamma_gamma import GammaGammaModel

__all__ = ["BaseModel", "BetaGeoModel", "GammaGammaModel"]
