"""Amount, date and consent cells in the shapes shops and spreadsheets write them."""
import pandas as pd
import pytest

from clv_engine.intake.values import parse_amounts, parse_consent, parse_dates, parse_dates_distinct


def amounts(cells, **kw):
    values, info = parse_amounts(pd.Series(cells, dtype=str), **kw)
    return [None if pd.isna(v) else round(v, 4) for v in values], info


@pytest.mark.parametrize("cell, expected", [
    ("$1,240.00", 1240.0), ("-$0.95", -0.95), ("$-0.95", -0.95), ("(50.00)", -50.0), ("50.00-", -50.0),
    ("'75.50", 75.5), ("USD 12.00", 12.0), ("RM 8.90", 8.9), ("£3", 3.0), ("1\u00a0234.50", 1234.5),
    (" 7 ", 7.0), ("€99", 99.0), ("+5.25", 5.25), (".5", 0.5),
])
def test_money_cells_are_read_with_symbols_and_negatives(cell, expected):
    values, _ = amounts([cell, "1.50"])
    assert values[0] == expected


def test_decimal_comma_is_decided_from_the_whole_column():
    values, info = amounts(["1.234,50", "35,82", "12,00 €", "1.000"])
    assert info.decimal == ","
    assert values == [1234.5, 35.82, 12.0, 1000.0]


def test_a_cell_that_proves_its_own_decimal_mark_is_read_as_written():
    # a spreadsheet's number cells (44.75) next to typed-in "€ 1.234,50" text cells
    values, info = amounts(["€ 1.234,50", "35,82", "44.75", "18", "1.234", "€ 2,5", "1234.5"])
    assert info.decimal == ","
    assert values == [1234.5, 35.82, 44.75, 18.0, 1234.0, 2.5, 1234.5]  # 1.234 could be either
    assert any("read as written" in note for note in info.notes)
    values, info = amounts(["1,234.50", "12.5", "7.25", "35,82"])
    assert info.decimal == "."
    assert values == [1234.5, 12.5, 7.25, 35.82]


def test_thousands_commas_with_decimal_point():
    values, info = amounts(["1,234.50", "1,000", "2,500,000"])
    assert info.decimal == "."
    assert values == [1234.5, 1000.0, 2500000.0]


def test_currency_found_inside_the_amount_cell():
    _, info = amounts(["USD 12.00", "12,00 €", "£4.00", "5.00"])
    assert list(info.currencies) == ["USD", "EUR", "GBP", ""]


def test_unreadable_amounts_are_nan_not_zero():
    values, _ = amounts(["abc", "12.3.4,5,6", "(12.00", "", "1.00"])
    assert values[:4] == [None, None, None, None]


def test_text_among_amounts_leaves_the_amounts_and_their_currency_and_mark_as_they_are():
    # cells that are no amount at all (a product name, a note) take no part in the decimal
    # decision and keep their rows: each amount stays beside its own currency
    values, info = amounts(["Gift card", "12,00 €", "", "1.234,50", "see note 5", "USD 3,5"])
    assert values == [None, 12.0, None, 1234.5, None, 3.5]
    assert info.decimal == ","
    assert list(info.currencies) == ["", "EUR", "", "", "", "USD"]
    values, info = amounts(["Gift card", "n/a"], decimal=",")
    assert values == [None, None] and info.decimal == "," and list(info.currencies) == ["", ""]


def dates(cells, **kw):
    out, info = parse_dates(pd.Series(cells, dtype=str), **kw)
    return list(out), info


def test_iso_dates_keep_local_wall_time_and_drop_offsets():
    out, info = dates(["2024-03-05 14:22:10 +0100", "2024-03-06T09:00:00Z", "2024-03-07", "2024-03-08 10:15 -05:00"])
    assert out == [pd.Timestamp("2024-03-05 14:22:10"), pd.Timestamp("2024-03-06 09:00"),
                   pd.Timestamp("2024-03-07"), pd.Timestamp("2024-03-08 10:15")]
    assert info.order == "YMD" and not info.ambiguous


def test_day_first_is_inferred_from_any_day_above_twelve():
    out, info = dates(["05/03/2024", "13/03/2024"])
    assert info.order == "DMY" and not info.ambiguous
    assert out[0] == pd.Timestamp("2024-03-05")


def test_month_first_is_inferred_from_any_day_above_twelve():
    out, info = dates(["05/03/2024", "03/13/2024 2:30:00 PM"])
    assert info.order == "MDY"
    assert out == [pd.Timestamp("2024-05-03"), pd.Timestamp("2024-03-13 14:30")]


def test_ambiguous_column_uses_the_given_order_and_is_flagged():
    out, info = dates(["05/03/2024", "04/03/2024"], date_order="DMY")
    assert info.ambiguous and info.order == "DMY"
    assert out[0] == pd.Timestamp("2024-03-05")
    out, info = dates(["05/03/2024"], default_order="MDY")
    assert info.ambiguous and out[0] == pd.Timestamp("2024-05-03")


def test_two_digit_years_dotted_dates_and_month_names():
    out, _ = dates(["03/05/24", "12/31/24"])
    assert out == [pd.Timestamp("2024-03-05"), pd.Timestamp("2024-12-31")]
    out, _ = dates(["05.03.2024", "31.12.2024 18:00"])
    assert out == [pd.Timestamp("2024-03-05"), pd.Timestamp("2024-12-31 18:00")]
    out, _ = dates(["5 Mar 2024", "Mar 5, 2024", "March 5th, 2024", "05-Mar-2024", "Tue, 5 March 2024"])
    assert set(out) == {pd.Timestamp("2024-03-05")}


def test_excel_serial_numbers_as_text():
    out, _ = dates(["45356", "45356.5"])
    assert out == [pd.Timestamp("2024-03-05"), pd.Timestamp("2024-03-05 12:00")]


def test_unreadable_dates_are_nat():
    out, _ = dates(["not a date", "2024-02-30", "", "31/31/2024"])
    assert all(pd.isna(v) for v in out)


def test_consent_words():
    out = parse_consent(pd.Series(["yes", "No", "TRUE", "subscribed", "never subscribed", "", "maybe"], dtype=str))
    assert out.tolist() == [True, False, True, True, False, pd.NA, pd.NA]


def test_one_impossible_date_does_not_claim_a_day_month_mix():
    out, info = dates(["03.01.2024", "15.01.2024", "32.13.2024", "01.03.2024"])
    assert info.order == "DMY" and not info.ambiguous
    assert not any("mixes" in n for n in info.notes)
    assert out[1] == pd.Timestamp("2024-01-15") and out[3] == pd.Timestamp("2024-03-01")
    assert pd.isna(out[2])


@pytest.mark.parametrize("cells, order, ambiguous", [
    (["31/02/2024", "05/03/2024"], "MDY", True),  # 31 February is no date: 05/03 still reads both ways
    (["29/02/2024", "05/03/2024"], "DMY", False),  # a leap day settles it
    (["29/02/2023", "05/03/2023"], "MDY", True),  # but not in a year without one
    (["31/02/2024", "30/02/2024"], "MDY", False),  # no date at all: nothing is ambiguous
])
def test_only_real_dates_settle_or_leave_open_the_day_month_order(cells, order, ambiguous):
    out, info = dates(cells)
    assert (info.order, info.ambiguous) == (order, ambiguous)
    assert "31/02" not in (info.why or "")


def test_a_real_day_month_mix_is_still_reported():
    out, info = dates(["13/01/2024", "01/14/2024", "13/02/2024"])
    assert info.order == "DMY"
    assert any("mixes day/month and month/day" in n for n in info.notes)
    assert out[0] == pd.Timestamp("2024-01-13") and pd.isna(out[1])


def test_a_large_iso_column_mixing_dates_and_date_times_is_read_in_one_go():
    """A spreadsheet writes a date-time at midnight as the date alone: such a column is
    still read by the whole-column path, with the same result as cell by cell."""
    import numpy as np

    from clv_engine.intake.values import iso_dates

    rng = np.random.default_rng(1)
    stamps = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 400 * 24, 5000), unit="h")
    cells = [s.strftime("%Y-%m-%d") if s.hour == 0 else s.strftime("%Y-%m-%d %H:%M:%S") for s in stamps]
    cells[7] = ""
    column = pd.Series(cells, dtype=str)
    fast = iso_dates(column)
    assert fast is not None
    slow, info = parse_dates_distinct(column)
    assert info.order == "YMD"
    pd.testing.assert_series_equal(fast, slow.astype("datetime64[ns]"), check_names=False)
    assert fast.isna().sum() == 1 and (fast.dt.hour == 0).sum() > 100
    # the first few hundred cells all have a time of day; the midnights come later
    late = pd.Series(["2023-01-01 10:00:00"] * 3000 + ["2023-05-01", "2023-05-02 11:30:00"] * 10, dtype=str)
    fast = iso_dates(late)
    assert fast is not None
    pd.testing.assert_series_equal(fast, parse_dates_distinct(late)[0].astype("datetime64[ns]"), check_names=False)
    assert (fast == pd.Timestamp("2023-05-01")).sum() == 10
    # one cell that is neither form: the column goes back to the per-cell parser
    column[20] = "2023-02-30"
    assert iso_dates(column) is None


def test_whole_amounts_with_thousands_dots_are_thousands():
    """A German export of whole-euro invoices: 1.200 is 1200, not 1.2 (no cell has cents)."""
    number, info = parse_amounts(pd.Series(["1.200", "2.450", "35", "3.990"]))
    assert number.tolist() == [1200.0, 2450.0, 35.0, 3990.0]
    assert info.decimal == "," and any("thousands" in n for n in info.notes)


@pytest.mark.parametrize("cells", [["1.200", "3.99"],          # cents after a point: decimal point
                                   ["0.125", "1.250"],          # a leading 0 is no thousands group
                                   ["KWD 1.250", "KWD 2.500"]])  # a currency with three decimals
def test_three_decimals_stay_decimals_where_the_column_says_so(cells):
    number, _ = parse_amounts(pd.Series(cells))
    assert number.iloc[0] < 10


def test_a_column_writing_dates_two_ways_reads_each_way_by_its_own_dates():
    """The "Retail case study" Transactions.csv: 28-02-2014 (day first) beside 2/20/2014 (month first)."""
    out, info = dates(["28-02-2014", "2/20/2014", "01-03-2014", "3/1/2014", "13-01-2014", "1/13/2014"])
    assert [d.date().isoformat() for d in out] == ["2014-02-28", "2014-02-20", "2014-03-01", "2014-03-01",
                                                   "2014-01-13", "2014-01-13"]
    assert any("those written with '-' as day/month and those written with '/' as month/day" in n for n in info.notes)


@pytest.mark.parametrize("text, expected", [
    ("5. März 2024", "2024-03-05"), ("15. Dezember 2023 14:30", "2023-12-15 14:30"), ("3 de marzo de 2024", "2024-03-03"),
    ("12 févr. 2024", "2024-02-12"), ("2 août 2024", "2024-08-02"), ("1 gennaio 2024", "2024-01-01"),
    ("5 mei 2024", "2024-05-05"), ("7 de setembro de 2024", "2024-09-07"), ("Mar 5, 2024", "2024-03-05"),
])
def test_month_names_in_other_languages_are_read(text, expected):
    parsed, _ = parse_dates(pd.Series([text, ""]))
    assert parsed.iloc[0] == pd.Timestamp(expected) and pd.isna(parsed.iloc[1])


def test_a_date_order_the_dates_rule_out_is_overruled_with_a_note():
    """--date-order MDY on a file with 24/07/2023: month/day cannot read it; the file's order
    is kept and the note says the choice was overruled (the desktop showed the choice as used)."""
    parsed, info = parse_dates(pd.Series(["03/02/2023", "24/07/2023"]), date_order="MDY")
    assert info.order == "DMY" and parsed.iloc[0] == pd.Timestamp("2023-02-03")
    assert "month/day was asked for, but a date like 24/07/2023 fits only day/month: read as day/month " \
        "(month/day would leave such dates unread)" in info.notes
    _, info = parse_dates(pd.Series(["03/02/2023", "07/24/2023"]), date_order="DMY")
    assert info.order == "MDY" and any(n.startswith("day/month was asked for") for n in info.notes)


@pytest.mark.parametrize("cells, expected", [
    (["12.5.3", "10.00"], [None, 10.0]),          # a typo, not 1,253
    (["1.234.00", "10.00"], [None, 10.0]),        # not 123,400
    (["1,234,56", "3,50"], [None, 3.5]),          # not 123,456
    (["1.234.567", "12"], [1234567.0, 12.0]),     # thousands dots
    (["12,34,567.00", "5.5"], [1234567.0, 5.5]),  # Indian grouping
    (["$1,240.00", "(50.00)"], [1240.0, -50.0]),
    (["1,234.", "10.00"], [1234.0, 10.0]),        # a decimal mark with nothing after it
])
def test_thousands_marks_must_group_digits_and_there_is_one_decimal_mark(cells, expected):
    parsed, _ = parse_amounts(pd.Series(cells))
    assert [None if pd.isna(v) else v for v in parsed] == expected
