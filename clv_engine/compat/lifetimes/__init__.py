"""lifetimes-compatible API: change ``import lifetimes`` to
``import clv_engine.compat.lifetimes as lifetimes`` (or ``from clv_engine.compat.lifetimes
import BetaGeoFitter``) and keep the rest of the code.

The fitters are thin wrappers over :mod:`clv_engine.models`; no model maths lives here.
"""
from __future__ import annotations

from . import utils

__all__ = ["utils"]
