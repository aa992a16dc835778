"""Order-range functions: shaped like xlwings passes ranges, equal to the pipeline."""
import datetime as dt

import pytest
from excel_helpers import as_lite, assert_excel_safe, cdnow_orders, is_error_cell, last_error

from clv_engine.pipeline import Settings, analyze
from clv_excel import functions, udfs

ORDER_FUNCTIONS = ["clv_summary", "clv_predict", "clv_rfm", "clv_segments", "clv_model", "clv_intake", "clv_customers"]


@pytest.mark.parametrize("name", ORDER_FUNCTIONS)
def test_every_order_function_returns_excel_safe_cells(name, orders):
    result = getattr(udfs, name)(orders)
    assert not is_error_cell(result), result
    rows = assert_excel_safe(result)
    assert len(rows) >= 2


def test_predict_equals_the_pipeline_for_the_same_orders(orders):
    result = udfs.clv_predict(orders)
    expected = analyze(orders, Settings(horizon_months=12)).customers.set_index("customer_id")
    header, body = result[0], result[1:]
    assert header == ["Customer", "CLV low", "CLV likely", "CLV high", "P(alive)", "Expected orders", "Tier"]
    assert len(body) == len(expected)
    for row in body:
        want = expected.loc[row[0]]
        assert row[1:4] == pytest.approx([want["clv_low"], want["clv"], want["clv_high"]], rel=1e-12)
        assert row[6] == str(want["tier"])


def test_predict_settings_reach_the_pipeline(orders):
    result = udfs.clv_predict(orders, 24.0, "8%", 0.3, "bgnbd", None)
    settings = Settings(horizon_months=24, discount_rate=0.08, margin=0.3, model="bgnbd")
    expected = analyze(orders, settings).customers.set_index("customer_id")["clv"]
    got = {row[0]: row[2] for row in result[1:]}
    assert got == pytest.approx(expected.to_dict(), rel=1e-12)


def test_lite_serial_dates_give_the_same_result_as_datetimes(orders):
    classic = udfs.clv_summary(orders)
    functions.RESULTS.clear()
    lite = udfs.clv_summary(as_lite(orders))
    assert lite == classic


def test_blank_trailing_rows_and_extra_columns_are_ignored(orders):
    plain = udfs.clv_summary(orders)
    padded = [row + [None, "note"] for row in orders]
    padded[0][-2:] = [None, "Comment"]
    padded += [[None] * 5 for _ in range(20)]
    assert udfs.clv_summary(padded) == plain


def last_order_of(result, customer):
    header = result[0]
    return next(row[header.index("Last order")] for row in result[1:] if row[0] == customer)


def test_lite_serial_dates_are_read_as_the_right_days(orders):
    assert last_order_of(udfs.clv_summary(as_lite(orders)), "C00004") == dt.datetime(1997, 12, 12)


def test_datetime_cells_are_read_as_the_right_days(orders):
    assert last_order_of(udfs.clv_summary(orders), "C00004") == dt.datetime(1997, 12, 12)


def test_text_dates_are_read_as_the_right_days(orders):
    text = [orders[0]] + [[c, d.strftime("%Y-%m-%d"), v] for c, d, v in orders[1:]]
    assert last_order_of(udfs.clv_summary(text), "C00004") == dt.datetime(1997, 12, 12)


def test_missing_date_column_is_one_readable_cell():
    rows = [["Customer", "Total"], ["a", 10.0], ["b", 12.0]]
    result = udfs.clv_predict(rows)
    assert is_error_cell(result)
    assert "date" in last_error().lower()
    assert "Traceback" not in last_error()


def test_empty_range_is_one_readable_cell():
    assert is_error_cell(udfs.clv_rfm([[None, None], [None, None]]))


def test_bad_setting_is_one_readable_cell(orders):
    assert is_error_cell(udfs.clv_predict(orders, None, None, None, "neural net"))
    assert "model 'neural net' is not one of" in last_error()
    assert is_error_cell(udfs.clv_predict(orders, None, 10.0))
    assert "looks like a percentage" in last_error()


def test_summary_as_of_cuts_later_orders(orders):
    result = udfs.clv_summary(orders, dt.datetime(1997, 3, 31))
    header = result[0]
    last = header.index("Last order")
    assert all(row[last] <= dt.datetime(1997, 3, 31) for row in result[1:])


def test_rfm_scores_are_1_to_5_with_a_segment(orders):
    result = udfs.clv_rfm(orders)
    assert result[0] == ["Customer", "R", "F", "M", "RFM", "Segment"]
    for row in result[1:]:
        assert all(1 <= score <= 5 for score in row[1:4])
        assert row[4] == f"{row[1]}{row[2]}{row[3]}" and row[5]


def test_segments_have_one_profile_per_tier_with_actions(orders):
    result = udfs.clv_segments(orders)
    header = result[0]
    assert header == ["Tier", "Customers", "Share of customers", "Total CLV", "Average CLV", "Share of CLV",
                      "Orders", "Average order value", "Orders per year", "Days since last order", "Actions"]
    tiers = [row[0] for row in result[1:]]
    assert tiers and tiers == [t for t in ["High", "Medium", "Low"] if t in tiers]


def test_model_lists_parameters_and_verdict(orders):
    rows = dict((row[0], row[1]) for row in udfs.clv_model(orders))
    assert rows["Verdict"]
    assert rows["Method"] in ("predictive", "simple", "historical")


def test_formulas_over_the_same_range_read_and_fit_once():
    rows = cdnow_orders(300)
    udfs.clv_predict([list(r) for r in rows])
    misses = functions.RESULTS.misses
    udfs.clv_segments([list(r) for r in rows])
    udfs.clv_model([list(r) for r in rows])
    udfs.clv_customers([list(r) for r in rows])
    assert functions.RESULTS.misses == misses
    changed = [list(r) for r in rows]
    changed[5][2] = changed[5][2] + 1.0
    udfs.clv_predict(changed)
    assert functions.RESULTS.misses == misses + 2  # new intake and new fit


def test_a_formula_never_stops_for_the_cyclic_garbage_collector_and_leaves_it_as_it_was():
    import gc

    from clv_excel.functions import excel_function

    collections = []

    def count(phase, info):
        if phase == "start":
            collections.append(info["generation"])

    @excel_function
    def allocate(n):
        return [[i, str(i)] for i in range(n)]  # far past the collector's thresholds

    gc.callbacks.append(count)
    try:
        assert gc.isenabled()
        allocate(200_000)
        assert collections == [] and gc.isenabled()
        [[i, str(i)] for i in range(200_000)]  # the same work outside a formula does collect
        assert collections
        gc.disable()
        allocate(10)
        assert not gc.isenabled()  # a caller that had paused it keeps it paused
    finally:
        gc.enable()
        gc.callbacks.remove(count)


def test_number_cells_next_to_european_money_text_keep_their_value():
    """A bookkeeper's sheet: some amounts typed as text "€ 12,50", others number cells
    (12.5); dates as text, serial numbers and date cells; a 'Client' column."""
    clean = [["Customer", "Date", "Total"]]
    messy = [["Order date", "Client", "Amount (€)"]]
    for i in range(300):
        day = dt.datetime(2023, 1, 1) + dt.timedelta(days=(i * 37) % 700)
        total = round(10 + (i * 7.31) % 90, 2)
        clean.append([f"C{i % 40}", day, total])
        date_cell = [day.strftime("%d.%m.%Y"), (day - dt.datetime(1899, 12, 30)).days + 0.0, day][i % 3]
        money = f"€ {total:.2f}".replace(".", ",") if i % 2 else total
        messy.append([date_cell, f"C{i % 40}", money])
    ours, theirs = udfs.clv_summary(messy), udfs.clv_summary(clean)
    assert not is_error_cell(ours), ours
    assert ours[1:] == theirs[1:]


def test_a_range_without_a_date_column_says_which_header_to_write():
    result = udfs.clv_predict([["Customer", "Total"], ["a", 5.0], ["b", 7.0]])
    assert is_error_cell(result)
    assert "Name the order date column's header 'Date'" in last_error() and "--map" not in last_error()


def test_a_table_without_its_header_row_gives_the_same_result(orders):
    """=CLV_PREDICT(Orders) passes the Table's data rows only."""
    with_header = udfs.clv_predict(orders)
    functions.RESULTS.clear()
    assert udfs.clv_predict([list(r) for r in orders[1:]]) == with_header
    notes = [r[1] for r in functions.clv_intake([list(r) for r in orders[1:]]) if r[0] == "Note"]
    assert any("no header row" in note for note in notes), notes


def test_headerless_rows_with_an_email_and_numeric_ids_are_named_by_content():
    rows = [[12346.0 + i % 40, f"c{i % 40}@example.com", dt.datetime(2023, 1, 1) + dt.timedelta(days=i * 3),
             round(10 + i * 0.37, 2)] for i in range(300)]
    result = udfs.clv_summary(rows)
    assert not is_error_cell(result), last_error()
    assert {row[0] for row in result[1:]} == {12346 + i for i in range(40)}


@pytest.mark.parametrize("first_id", [20004, 50004])
def test_headerless_rows_with_five_digit_ids_and_serial_dates_find_the_dates(first_id):
    """xlwings Lite hands dates as serial numbers; ids from 20,000 to 80,000 are serials too
    (1954-2119): the column of this era's dates is the date column."""
    rows = [[float(first_id + i % 40), 45000.0 + i * 3, round(10 + i * 0.37, 2)] for i in range(300)]
    result = udfs.clv_summary(rows)
    assert not is_error_cell(result), last_error()
    assert {row[0] for row in result[1:]} == {first_id + i for i in range(40)}


def test_numeric_customer_ids_come_back_as_numbers_for_xlookup(orders):
    numeric = [orders[0]] + [[float(r[0][1:]), r[1], r[2]] for r in orders[1:]]
    for name in ("clv_predict", "clv_summary", "clv_rfm", "clv_customers"):
        result = getattr(udfs, name)(numeric)
        ids = [row[0] for row in result[1:]]
        assert all(type(i) is int for i in ids), (name, ids[:3])
        assert 4 in ids  # customer 00004 of the text version
    text = udfs.clv_predict(orders)
    assert all(isinstance(row[0], str) for row in text[1:])  # text ids stay text


def test_mixed_text_and_number_ids_stay_text():
    rows = [["Customer", "Date", "Total"]] + [
        [("A-" + str(i % 30)) if i % 2 else float(i % 30), dt.datetime(2023, 1, 1) + dt.timedelta(days=i), 10.0]
        for i in range(200)]
    result = udfs.clv_summary(rows)
    assert all(isinstance(row[0], str) for row in result[1:])


def test_customer_table_has_the_same_columns_for_every_method(orders):
    predictive = udfs.clv_customers(orders)
    historical = udfs.clv_customers(orders, None, None, None, "historical")
    simple = udfs.clv_customers(orders, None, None, None, "simple")
    assert predictive[0] == historical[0] == simple[0]
    assert predictive[0] == [functions.CUSTOMER_HEADERS.get(c, c) for c in functions.CUSTOMER_COLUMNS]
    assert len(predictive[0]) == 33 and "revenue_to_date" in predictive[0] and "total_value" not in predictive[0]
    p_alive = historical[0].index("p_alive")
    assert all(row[p_alive] is None for row in historical[1:])


def test_model_says_which_settings_the_method_could_not_use(orders):
    rows = functions.clv_model(orders, 24.0, "8%", None, "historical")
    notes = [value for item, value in rows if item == "Note"]
    said = [n for n in notes if "24" in n and "horizon" in n.lower() and "8%" in n and "not used" in n]
    assert len(said) == 1, rows  # said once, by the engine or by CLV_MODEL
    predictive = dict((r[0], r[1]) for r in functions.clv_model(orders))
    assert predictive["Method"] == "predictive" and predictive["Verdict"]
    assert not any(r[0] == "Note" and "not used" in r[1] for r in functions.clv_model(orders))


def test_text_dates_nothing_settles_are_refused_with_how_to_enter_them():
    """05/03/2024 as text, every day 12 or less: read month/day it would silently change every
    value for a UK or EU analyst, and a formula has no date-order argument."""
    rows = [["Customer", "Date", "Total"]] + [[f"C{i % 30}", f"{1 + i % 12:02d}/{1 + (i * 7) % 12:02d}/2024", 10.0 + i]
                                             for i in range(200)]
    assert is_error_cell(udfs.clv_predict(rows))
    assert "day/month or as month/day" in last_error() and "date cells" in last_error()
    settled = [["Customer", "Date", "Total"]] + [[f"C{i % 30}", f"{1 + i % 28:02d}/{1 + (i * 7) % 12:02d}/2024",
                                                  10.0 + i] for i in range(200)]
    assert not is_error_cell(udfs.clv_predict(settled)), last_error()
