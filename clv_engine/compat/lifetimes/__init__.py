"""lifetimes-compatible API: change ``import lifetimes`` to
``import clv_engine.compat.lifetimes as lifetimes`` (or ``from clv_engine.compat.lifetimes
import BetaGeoFitter``) and keep the rest of the code.

The fitters are thin wrappers over :mod:`clv_engine.models`; no model maths lives here.
Importing this package changes no global setting and prints nothing.
"""
from __future__ import annotations

from . import datasets, utils
from .fitters import (
    BaseFitter,
    BetaGeoBetaBinomFitter,
    BetaGeoFitter,
    GammaGammaFitter,
    ModifiedBetaGeoFitter,
    ParetoNBDFitter,
)

__version__ = "0.11.3"  # the lifetimes API version this layer follows

__all__ = (
    "__version__",
    "BetaGeoFitter",
    "ParetoNBDFitter",
    "GammaGammaFitter",
    "ModifiedBetaGeoFitter",
    "BetaGeoBetaBinomFitter",
    "BaseFitter",
    "utils",
    "datasets",
)
