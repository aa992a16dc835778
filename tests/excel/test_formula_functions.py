"""CLV_SIMPLE, CLV_RETENTION and CLV_TIER with arguments shaped as xlwings passes them."""
import pytest

from clv_engine import formulas, tiers
from clv_excel import udfs

from excel_helpers import assert_excel_safe, is_error_cell


def test_simple_clv_matches_engine_formula():
    value = udfs.clv_simple(50.0, 4.0, 3.0, 0.3, 20.0)
    assert_excel_safe(value)
    assert value == pytest.approx(formulas.simple_clv(50, 4, 3, margin=0.3, acquisition_cost=20))
    assert value == pytest.approx(160.0)


def test_simple_clv_accepts_single_cell_ranges_and_percent_text():
    assert udfs.clv_simple([[50.0]], [4.0], 3, "30%", None) == pytest.approx(180.0)


def test_simple_clv_missing_argument_is_a_readable_cell():
    value = udfs.clv_simple(50.0, None, 3.0)
    assert is_error_cell(value) and "orders per year is missing" in value


def test_retention_clv_matches_gupta_lehmann_formula():
    value = udfs.clv_retention(100.0, 0.8, None, None)
    assert value == pytest.approx(100 * 0.8 / (1 + 0.10 - 0.8))
    assert udfs.clv_retention(100.0, "80%", "10%", 5.0) == pytest.approx(
        formulas.retention_clv(100, 0.8, 0.1, years=5)
    )


def test_retention_rate_of_80_is_refused_with_a_hint():
    value = udfs.clv_retention(100.0, 80.0)
    assert is_error_cell(value) and "80% or 0.8" in value


def test_tier_column_spills_one_label_per_value_and_skips_blanks():
    values = [[500.0], [20.0], [None], [90.0], [1000.0], [5.0]]
    result = assert_excel_safe(udfs.clv_tier(values))
    filled = [500.0, 20.0, 90.0, 1000.0, 5.0]
    expected = [str(t) for t in tiers.assign_tiers(filled)]
    assert [row[0] for row in result] == expected[:2] + [None] + expected[2:]


def test_tier_thresholds_and_labels():
    result = udfs.clv_tier([[1500.0], [300.0], [10.0]], "1000,200", "Gold,Silver,Bronze")
    assert result == [["Gold"], ["Silver"], ["Bronze"]]


def test_tier_of_a_row_spills_across_and_of_a_cell_is_a_scalar():
    assert udfs.clv_tier([[1500.0, 300.0, 10.0]], "1000;200") == [["High", "Medium", "Low"]]
    assert udfs.clv_tier(1500.0, "1000,200") == "High"


def test_tier_of_text_names_the_bad_value():
    value = udfs.clv_tier([[1.0], ["lots"]])
    assert is_error_cell(value) and "'lots'" in value
