"""Segments that lead to action: profiles, RFM scores and segments, the playbook and
run-to-run comparison. Input is the customer table of ``docs/architecture.md``."""
from __future__ import annotations

from .acquisition import AcquisitionCosts, read_ad_spend
from .cohorts import COHORT_COLUMNS, COHORT_MEASURES, cohort_grid, cohort_table, gap_distribution, repeat_summary
from .drivers import DRIVER_COLUMNS, ltv_drivers
from .insights import Insights, purchase_insights
from .profiles import PROFILE_TABLE_COLUMNS, purchase_profiles
from .purchases import MIN_TRUSTED_CUSTOMERS, PurchaseData, purchase_data
from .comparison import Comparison, compare_runs, read_previous_customers
from .grouping import (DEFAULT_TIER_ORDER, MISSING_LABEL, RFM_SEGMENT_ORDER, numeric_bands, profile_file_columns,
                       profile_headers, profiles_for_files, segment_profiles)
from .playbook import Playbook, is_safe_tag, tag_slug
from .rfm import RFM_GRID, quintile_score, rfm_scores, rfm_segment_name

__all__ = [
    "AcquisitionCosts",
    "COHORT_COLUMNS",
    "DRIVER_COLUMNS",
    "Insights",
    "MIN_TRUSTED_CUSTOMERS",
    "PROFILE_TABLE_COLUMNS",
    "PurchaseData",
    "COHORT_MEASURES",
    "cohort_grid",
    "cohort_table",
    "gap_distribution",
    "ltv_drivers",
    "purchase_data",
    "purchase_insights",
    "purchase_profiles",
    "read_ad_spend",
    "repeat_summary",
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
    "profile_file_columns",
    "profile_headers",
    "profiles_for_files",
    "quintile_score",
    "rfm_scores",
    "rfm_segment_name",
    "segment_profiles",
    "tag_slug",
]
