"""Buy-till-you-die purchase models, spend model and retention model.

All share :class:`~clv_engine.models.base.BaseModel` (fit, summary, standard errors,
``to_dict``/``from_dict``); ``log_likelihood_`` is always the total over customers.
"""
from __future__ import annotations

from .base import BaseModel
from .beta_geo import BetaGeoModel
from .beta_geo_beta_binom import BetaGeoBetaBinomModel
from .gamma_gamma import GammaGammaModel
from .modified_beta_geo import ModifiedBetaGeoModel
from .pareto_nbd import ParetoNBDModel
from .shifted_beta_geometric import ShiftedBetaGeometricModel

__all__ = [
    "BaseModel",
    "BetaGeoBetaBinomModel",
    "BetaGeoModel",
    "GammaGammaModel",
    "ModifiedBetaGeoModel",
    "ParetoNBDModel",
    "ShiftedBetaGeometricModel",
]
