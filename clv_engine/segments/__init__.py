"""Segments that lead to action: profiles, RFM scores and segments, the playbook and
run-to-run comparison. Input is the customer table of ``docs/architecture.md``."""
from __future__ import annotations

from .comparison import Comparison, compare_runs, read_previous_customers
from .grouping import DEFAULT_TIER_ORDER, MISSING_LABEL, RFM_SEGMENT_ORDER, numeric_bands, segment_profiles
from .playbook import Playbook, is_safe_tag, tag_slug
from .rfm import RFM_GRID, quintile_score, rfm_scores, rfm_segment_name

__all__ = [
    "DEFAULT_TIER_ORDER",
    "MISSING_LABEL",
    "RFM_GRID",
    "RFM_SEGMENT_ORDER",
    "Comparison",
    "Playbook",
    "compare_runs",
    "read_previous_customers",
    "is_safe_tag",
    "numeric_bands",
    "quintile_score",
    "rfm_scores",
    "rfm_segment_name",
    "segment_profiles",
    "tag_slug",
]
