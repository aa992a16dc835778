"""CLV_SIMPLE, CLV_RETENTION and CLV_TIER with arguments shaped as xlwings passes them."""
import pytest

from clv_engine import formulas, tiers
from clv_excel import udfs

from excel_helpers import assert_excel_safe, is_error_cell, last_error


def test_simple_clv_matches_engine_formula():
    value = udfs.clv_simple(50.0, 4.0, 3.0, 0.3, 20.0)
    assert_excel_safe(value)
    assert value == pytest.approx(formulas.simple_clv(50, 4, 3, margin=0.3, acquisition_cost=20))
    assert value == pytest.approx(160.0)


def test_simple_clv_accepts_single_cell_ranges_and_percent_text():
    assert udfs.clv_simple([[50.0]], [4.0], 3, "30%", None) == pytest.approx(180.0)


def test_simple_clv_missing_argument_is_a_readable_cell():
    value = udfs.clv_simple(50.0, None, 3.0)
    assert is_error_cell(value) and "orders per year is missing" in last_error()


def test_retention_clv_matches_gupta_lehmann_formula():
    value = udfs.clv_retention(100.0, 0.8, None, None)
    assert value == pytest.approx(100 * 0.8 / (1 + 0.10 - 0.8))
    assert udfs.clv_retention(100.0, "80%", "10%", 5.0) == pytest.approx(
        formulas.retention_clv(100, 0.8, 0.1, years=5)
    )


def test_retention_rate_of_80_is_refused_with_a_hint():
    value = udfs.clv_retention(100.0, 80.0)
    assert is_error_cell(value) and "80% or 0.8" in last_error()


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
    assert is_error_cell(value) and "'lots'" in last_error()


def test_errors_are_excel_error_values_that_iferror_can_catch():
    from clv_excel import functions
    from clv_excel.shaping import CellError

    assert udfs.clv_simple(50.0, None, 3.0) == "#VALUE!"  # Office.js makes it the error value
    value = functions.clv_simple(50.0, None, 3.0)
    assert isinstance(value, CellError) and value.code == "#VALUE!"
    assert functions.clv_rfm([[None, None]]).code == "#N/A"  # nothing to show
    assert functions.clv_last_error("clv_rfm").startswith("CLV_RFM: #N/A")
    assert functions.clv_last_error("CLV_SIMPLE").startswith("CLV_SIMPLE: #VALUE! orders per year")


def test_error_reasons_stay_under_255_characters_and_keep_the_advice():
    from clv_excel import functions

    header = [f"Column number {i} with a long name" for i in range(40)]
    rows = [header] + [[f"x{i}"] * 40 for i in range(5)]
    assert udfs.clv_predict(rows) == "#VALUE!"
    reason = functions.LAST_ERRORS["CLV_PREDICT"].message
    assert len(reason) <= 255
    # every missing column is named at once, and the advice survives the cut
    assert reason.endswith("Name those columns' headers 'Date', 'Total' and 'Customer'.")


def test_a_formula_that_works_again_clears_its_error_and_an_infinite_result_is_an_error():
    import numpy as np

    from clv_excel.functions import clv_last_error, clv_simple
    from clv_excel.shaping import CellError

    assert isinstance(clv_simple(50, 4, "abc"), CellError)
    assert "CLV_SIMPLE" in clv_last_error() and clv_last_error("CLV_SIMPLE")
    assert clv_simple(50, 4, 3) == 600.0
    assert clv_last_error() == "" and clv_last_error("CLV_SIMPLE") == ""
    with np.errstate(over="ignore"):
        too_big = clv_simple(50, 4, 1e308)
    assert isinstance(too_big, CellError) and "too large" in too_big.message


def test_command_line_advice_is_given_in_workbook_terms():
    from clv_excel.shaping import in_excel_words

    assert in_excel_words("Name that column 'Date', or tell the program which one it is, e.g. --map date=COLUMN "
                          "(mapping={'date': 'COLUMN'}).") == "Name that column 'Date'."
    text = in_excel_words("If that is wrong, set the date order to DMY (--date-order).")
    assert "--" not in text and "date cells" in text
    assert "--" not in in_excel_words("count each once with --duplicates drop")
    assert in_excel_words("(see intake.csv)") == "(see =CLV_INTAKE(range))"


def test_clv_tier_skips_the_header_of_a_column_taken_from_a_spill():
    from clv_excel.functions import clv_tier

    tiers_out = clv_tier([["CLV likely"], [100.0], [50.0], [10.0], [5.0], [1.0]])
    assert tiers_out[0] == [None] and [t[0] for t in tiers_out[1:]] == ["High", "Medium", "Medium", "Medium", "Low"]
    assert "not a number" in clv_tier([[100.0], [50.0], ["abc"]]).message  # text further down is still an error
