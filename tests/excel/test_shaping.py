import datetime as dt

import numpy as np
import pandas as pd
import pytest

from clv_engine.errors import InputError
from clv_excel.cache import ResultCache
from clv_excel.shaping import (
    as_table,
    error_cell,
    excel_value,
    frame_to_cells,
    optional_date,
    optional_number,
)

from excel_helpers import assert_excel_safe


def test_trailing_blank_rows_and_columns_are_dropped():
    rows = [["Customer", "Date", None], ["a", 1.0, None], [None, None, None], ["", " ", None]]
    assert as_table(rows) == [["Customer", "Date"], ["a", 1.0]]


def test_single_row_as_1d_list_becomes_one_row():
    assert as_table(["Customer", "Date", "Total"]) == [["Customer", "Date", "Total"]]


def test_empty_range_is_a_clear_error():
    with pytest.raises(InputError, match="orders range is empty"):
        as_table([[None, None], [None, None]])


def test_percent_text_and_fractions_read_as_rates():
    assert optional_number("10%", "discount rate", None, rate=True) == pytest.approx(0.10)
    assert optional_number([[0.3]], "margin", None, rate=True) == 0.3
    assert optional_number(None, "margin", 1.0, rate=True) == 1.0


@pytest.mark.parametrize("text, number", [
    ("49,90", 49.9), ("1.234,56", 1234.56), ("1,234.56", 1234.56), ("€ 49,90", 49.9), ("0,125", 0.125),
    ("-0,5", -0.5), ("1 234,50", 1234.5), ("1\u00a0234,50", 1234.5), ("1'234.50", 1234.5), ("1,200", 1200.0),
    ("1,234,567", 1234567.0), ("12.5", 12.5), ("$1,200.00", 1200.0),
])
def test_numbers_as_text_read_either_decimal_mark(text, number):
    assert optional_number(text, "average order value", None) == pytest.approx(number)


def test_decimal_comma_rates_and_unreadable_numbers():
    assert optional_number("12,5%", "margin", None, rate=True) == pytest.approx(0.125)
    with pytest.raises(InputError, match="must be a number; got '1,2,3.4.5'"):
        optional_number("1,2,3.4.5", "margin", None)


def test_rate_given_as_whole_percent_asks_for_percent_sign():
    with pytest.raises(InputError, match=r"looks like a percentage.*30% or 0.3"):
        optional_number(30.0, "margin", None, rate=True)


def test_dates_arrive_as_datetime_serial_or_text():
    assert optional_date(dt.datetime(2024, 3, 1, 0, 0)) == dt.datetime(2024, 3, 1)
    assert optional_date(45352.0) == dt.datetime(2024, 3, 1)
    assert optional_date("2024-03-01") == dt.datetime(2024, 3, 1)
    with pytest.raises(InputError, match="not a date"):
        optional_date("next tuesday")


def test_numpy_and_pandas_values_become_plain_cells():
    assert excel_value(np.float64("nan")) is None
    assert excel_value(pd.NaT) is None
    assert excel_value(pd.NA) is None
    assert type(excel_value(np.int64(3))) is int
    assert type(excel_value(np.bool_(True))) is bool
    assert type(excel_value(pd.Timestamp("2024-01-02"))) is dt.datetime
    assert excel_value(float("inf")) is None


def test_frame_becomes_header_plus_rows_of_safe_cells():
    frame = pd.DataFrame(
        {"value": [1.5, np.nan], "when": pd.to_datetime(["2024-01-01", None]), "name": ["x", None]},
        index=pd.Index(["a", "b"], name="customer_id"),
    )
    cells = assert_excel_safe(frame_to_cells(frame, index_label="Customer", headers={"value": "Value"}))
    assert cells[0] == ["Customer", "Value", "when", "name"]
    assert cells[2] == ["b", None, None, None]


def test_error_cell_is_one_line_with_prefix():
    text = error_cell(InputError("no date column", where="orders", hint="Name one 'Date'."))
    assert text == "CLV: orders: no date column. Name one 'Date'."


def test_cache_computes_once_for_equal_content_and_again_after_a_change():
    cache = ResultCache(max_ranges=2)
    calls = []
    rows = [["a", 1.0], ["b", 2.0]]
    compute = lambda: calls.append(1) or len(calls)  # noqa: E731
    assert cache.get_or_compute([list(r) for r in rows], "k", compute) == 1
    assert cache.get_or_compute([list(r) for r in rows], "k", compute) == 1
    changed = [["a", 1.0], ["b", 2.5]]
    assert cache.get_or_compute(changed, "k", compute) == 2
    assert cache.get_or_compute(rows, "other settings", compute) == 3


def test_cache_keeps_user_errors_and_evicts_oldest():
    cache = ResultCache(max_ranges=1)

    def fail():
        raise InputError("bad range")

    for _ in range(2):
        with pytest.raises(InputError):
            cache.get_or_compute([["x"]], "k", fail)
    assert cache.misses == 1 and cache.hits == 1
    cache.get_or_compute([["y"]], "k", lambda: 1)
    assert len(cache) == 1 and cache.copies_of_ranges() == 1


def test_cache_keeps_one_copy_of_a_range_for_every_setting():
    cache = ResultCache()
    rows = [["a", float(i)] for i in range(1000)]
    for setting in range(10):
        cache.get_or_compute([list(r) for r in rows], ("analysis", setting), lambda: setting)
    assert cache.copies_of_ranges() == 1 and len(cache) == 10
    assert cache.get_or_compute([list(r) for r in rows], ("analysis", 3), lambda: None) == 3


def test_whole_column_references_are_cut_to_the_used_rows():
    from clv_excel.shaping import as_table

    used = [["Customer", "Date", "Total"]] + [["a", 45000.0 + i, 1.0] for i in range(10)]
    whole_column = used + [[None, None, None] for _ in range(1_048_576 - len(used))]
    assert as_table(whole_column) == used
    gap = used + [[None] * 3] * 5000 + [["b", 45100.0, 2.0]] + [[None] * 3] * 9000
    assert as_table(gap)[-1] == ["b", 45100.0, 2.0] and len(as_table(gap)) == len(used) + 5001


def test_long_messages_are_shortened_keeping_the_hint():
    from clv_excel.shaping import short_message

    error = InputError("no date column. The columns are: " + ", ".join(f"'c{i}'" for i in range(200)) + ".",
                       hint="Name the order date column's header 'Date'.")
    text = short_message(error)
    assert len(text) <= 255 and text.endswith("Name the order date column's header 'Date'.") and "…" in text
    assert short_message(InputError("short")) == "short"
