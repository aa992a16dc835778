"""MBG/NBD model: Batislam, Denizel & Filiztekin (2007), "Empirical validation and
comparison of models for customer base analysis", Int. J. Research in Marketing 24(3).

Like BG/NBD (Fader, Hardie & Lee 2005) but a customer may also drop out right after the
first purchase (time 0), so one-time buyers can be inactive. Likelihood (Batislam et al.
eq. 4): B(a, b+x+1)/B(a,b) Γ(r+x)α^r/(Γ(r)(α+T)^(r+x)) + B(a+1, b+x)/B(a,b)
Γ(r+x)α^r/(Γ(r)(α+t_x)^(r+x)). Reference values: BTYDplus (r=0.525, α=6.183, a=0.891,
b=1.614 on CDNOW). Predictions reuse the BG/NBD formulas with the posterior parameters.
"""
from __future__ import annotations

from .beta_geo import BetaGeoModel


class ModifiedBetaGeoModel(BetaGeoModel):
    """MBG/NBD purchase model; parameters r, alpha, a, b (same interface as BetaGeoModel)."""

    dropout_at_first_purchase = True
