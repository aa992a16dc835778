"""A workbook that splits its orders over sheets with the same columns (the UCI "Online
Retail II" workbook: one sheet per year) is read as one table; every skipped row is still
reported with its own sheet and its row in that sheet."""
import csv
import datetime as dt

import pandas as pd
import pytest

from clv_engine.intake import read_orders
from intake_helpers import without_calamine, workbook

openpyxl = pytest.importorskip("openpyxl")

HEADER = ["Invoice", "StockCode", "Description", "Quantity", "InvoiceDate", "Price", "Customer ID", "Country"]


def line(invoice, quantity, day, price, customer):
    return [invoice, "85123A", "WHITE HANGING HEART T-LIGHT HOLDER", quantity, day, price, customer, "United Kingdom"]


YEAR_1 = [HEADER,
          line(1001, 2, dt.datetime(2023, 1, 5, 10, 0), 10.0, 111),
          line(1002, 1, dt.datetime(2023, 2, 1, 11, 0), 5.0, 222),
          line(1003, 3, dt.datetime(2023, 3, 1, 12, 0), 10.0, 111)]
YEAR_2 = [HEADER,
          line(2001, 1, dt.datetime(2024, 1, 5, 9, 30), 10.0, 222),
          line("C2002", -1, dt.datetime(2024, 1, 6, 9, 30), 10.0, 111),  # cancels a sheet-1 purchase of 111
          line(2003, 1, dt.datetime(2024, 2, 1, 9, 30), 10.0, None),  # no customer: skipped
          line(2004, 4, dt.datetime(2024, 3, 1, 9, 30), 2.5, 333)]
NOTES = [["Note", "Author"], ["Prices are in GBP", "shop"]]


def totals(data):
    return data.orders.groupby("customer_id", observed=True)["amount"].sum().round(2).to_dict()


@pytest.fixture
def two_years(tmp_path):
    return workbook(tmp_path / "online_retail.xlsx", {"Year 1": YEAR_1, "Year 2": YEAR_2, "Notes": NOTES})


def test_sheets_with_the_same_columns_are_read_as_one_table(two_years):
    data = read_orders(two_years)
    assert sorted(data.orders["order_id"].astype(str)) == ["1001", "1002", "1003", "2001", "2004"]
    # the cancellation in the second sheet is taken off 111's purchases in the first
    assert totals(data) == {"111": 40.0, "222": 15.0, "333": 10.0}
    assert "refund without its order" not in data.report.rows_skipped
    assert data.report.rows_read == 3 + 4  # the second sheet's header row is not a data row
    assert data.report.rows_skipped == {"no customer": 1}
    assert data.report.sheet is None and data.report.sheets_read == ["Year 1", "Year 2"]
    assert data.report.sheets == ["Year 1", "Year 2", "Notes"]
    assert "Read sheets 'Year 1' and 'Year 2' as one table: they have the same columns." in data.report.notes
    assert "Left out sheet 'Notes': it does not hold orders with these columns." in data.report.notes
    assert data.report.sheet is None  # not one sheet
    assert data.orders["date"].max() == pd.Timestamp("2024-03-01 09:30")


def test_a_skipped_row_names_its_sheet_and_its_row_there(two_years):
    data = read_orders(two_years)
    skipped = data.report.skipped
    assert list(skipped.columns) == ["sheet", "row", "reason", "detail"]
    assert skipped[["sheet", "row", "reason"]].values.tolist() == [["Year 2", 4, "no customer"]]


def test_rows_above_a_later_sheets_header_are_not_data_and_rows_keep_their_numbers(tmp_path):
    year_2 = [["Sales 2024"], [], *YEAR_2]  # headers on row 3
    path = workbook(tmp_path / "titled.xlsx", {"Year 1": YEAR_1, "Year 2": year_2})
    data = read_orders(path)
    assert data.report.rows_read == 3 + 4
    assert totals(data) == {"111": 40.0, "222": 15.0, "333": 10.0}
    assert data.report.skipped[["sheet", "row", "reason"]].values.tolist() == [["Year 2", 6, "no customer"]]
    assert "Sheet 'Year 2': the column headers are on row 3; the rows above them were skipped." in data.report.notes


def test_a_chosen_sheet_is_read_alone(two_years):
    assert len(read_orders(two_years).orders) == 5  # both sheets without a choice
    data = read_orders(two_years, sheet="Year 2")
    assert sorted(data.orders["order_id"].astype(str)) == ["2001", "2004"]
    assert data.report.sheet == "Year 2"
    # its cancellation's order is in the other sheet, which was not asked for
    assert data.report.rows_skipped == {"no customer": 1, "refund without its order": 1}
    assert list(data.report.skipped.columns) == ["row", "reason", "detail"]
    assert not any("as one table" in n for n in data.report.notes)
    assert sorted(read_orders(two_years, sheet="Year 1").orders["order_id"].astype(str)) == ["1001", "1002", "1003"]


YEAR_3 = [HEADER, line(3001, 1, dt.datetime(2025, 1, 2, 8, 0), 7.0, 444)]


@pytest.mark.parametrize("other", [
    [h for h in HEADER if h != "Country"],  # a column fewer
    [*HEADER[:-1], "Land"],  # one column named differently
])  # (the same columns in another order are joined: see the test below)
def test_sheets_with_other_columns_are_not_combined(tmp_path, other):
    order = {h: i for i, h in enumerate(HEADER)}
    year_2 = [other] + [[row[order[h]] if h in order else row[-1] for h in other] for row in YEAR_2[1:]]
    path = workbook(tmp_path / "mixed.xlsx", {"Year 1": YEAR_1, "Year 2": year_2, "Year 3": YEAR_3})
    data = read_orders(path)
    assert sorted(data.orders["order_id"].astype(str)) == ["1001", "1002", "1003", "3001"]
    assert "Read sheets 'Year 1' and 'Year 3' as one table: they have the same columns." in data.report.notes
    assert "Left out sheet 'Year 2': it does not hold orders with these columns." in data.report.notes
    assert data.report.rows_skipped == {}  # the other sheet's row without a customer was not read
    # with no other sheet like it, the first sheet with orders is read alone, as before
    path = workbook(tmp_path / "two.xlsx", {"Year 1": YEAR_1, "Year 2": year_2})
    data = read_orders(path)
    assert data.report.sheet == "Year 1" and len(data.orders) == 3
    assert "Read sheet 'Year 1' (the workbook has 2 sheets)." in data.report.notes
    assert list(data.report.skipped.columns) == ["row", "reason", "detail"]


def test_three_sheets_after_a_cover_sheet(tmp_path):
    """Only the sheets from the first one with orders on are combined; the cover is left out."""
    cover = [["Online shop export"], ["Made by the shop"]]
    path = workbook(tmp_path / "three.xlsx", {"Cover": cover, "Year 1": YEAR_1, "Notes": NOTES, "Year 2": YEAR_2,
                                              "Year 3": YEAR_3})
    data = read_orders(path)
    assert sorted(data.orders["order_id"].astype(str)) == ["1001", "1002", "1003", "2001", "2004", "3001"]
    assert "Read sheets 'Year 1', 'Year 2' and 'Year 3' as one table: they have the same columns." in data.report.notes
    assert "Left out sheets 'Cover' and 'Notes': they do not hold orders with these columns." in data.report.notes
    assert data.report.skipped[["sheet", "row"]].values.tolist() == [["Year 2", 4]]


def test_the_openpyxl_reader_combines_the_same_way(two_years, monkeypatch):
    without_calamine(monkeypatch)
    data = read_orders(two_years)
    assert totals(data) == {"111": 40.0, "222": 15.0, "333": 10.0}
    assert data.report.skipped[["sheet", "row", "reason"]].values.tolist() == [["Year 2", 4, "no customer"]]


def test_an_ods_workbook_combines_its_sheets(tmp_path):
    pytest.importorskip("odf")
    path = tmp_path / "online_retail.ods"
    with pd.ExcelWriter(path, engine="odf") as writer:
        for title, rows in {"Year 1": YEAR_1, "Year 2": YEAR_2, "Notes": NOTES}.items():
            pd.DataFrame(rows[1:], columns=rows[0]).to_excel(writer, sheet_name=title, index=False)
    data = read_orders(path)
    assert totals(data) == {"111": 40.0, "222": 15.0, "333": 10.0}
    assert data.report.skipped[["sheet", "row", "reason"]].values.tolist() == [["Year 2", 4, "no customer"]]


def test_intake_csv_and_the_excel_report_name_the_sheet(two_years, tmp_path):
    from clv_engine import cli

    out = tmp_path / "out"
    assert cli.main(["analyze", str(two_years), "--out", str(out), "--method", "historical", "-q"]) == 0
    with open(out / "intake.csv", newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["sheet", "row", "reason", "detail"]
    assert rows[1][:3] == ["Year 2", "4", "no customer"]
    intake = list(openpyxl.load_workbook(out / "report.xlsx")["Intake"].iter_rows(values_only=True))
    header = next(r for r in intake if r[0] == "Sheet")
    assert list(header[:3]) == ["Sheet", "Row", "Reason"]
    assert intake[intake.index(header) + 1][:3] == ("Year 2", 4, "no customer")


def test_a_backup_copy_of_a_sheet_is_not_counted_twice(tmp_path):
    path = workbook(tmp_path / "backup.xlsx", {"Year 1": YEAR_1, "Year 2": YEAR_2, "Year 2 (copy)": YEAR_2})
    data = read_orders(path)
    assert totals(data) == {"111": 40.0, "222": 15.0, "333": 10.0}
    assert "Read sheets 'Year 1' and 'Year 2' as one table: they have the same columns." in data.report.notes
    assert "Left out sheet 'Year 2 (copy)': it repeats sheet 'Year 2' row for row." in data.report.notes


def test_a_later_year_with_its_columns_in_another_order_or_one_more_column_is_joined(tmp_path):
    """A hand-kept workbook's 2025 sheet moved a column or added a Notes column: its orders were
    left out without a word (the newest year gone, every customer's recency wrong)."""
    order = [HEADER.index(n) for n in ("Customer ID", "Invoice", "InvoiceDate", "Quantity", "Price", "StockCode",
                                       "Description", "Country")]
    moved = [[row[i] for i in order] for row in YEAR_2]
    noted = [row + [note] for row, note in zip(YEAR_2, ["Notes", "", "gift", "", ""])]
    for name, sheet2, said in (("moved", moved, "Sheet 'Year 2' has the same columns in another order."),
                               ("noted", noted, "Sheet 'Year 2' has the same columns and one more ('Notes'), "
                                                "left out.")):
        data = read_orders(workbook(tmp_path / f"{name}.xlsx", {"Year 1": YEAR_1, "Year 2": sheet2}))
        assert totals(data) == {"111": 40.0, "222": 15.0, "333": 10.0}, name
        assert said in data.report.notes


def test_a_sheet_of_other_columns_left_out_is_named(tmp_path):
    other = [["Date", "Visitors", "Page"], [dt.datetime(2024, 1, 1), 10, "home"], [dt.datetime(2024, 1, 2), 12, "shop"]]
    data = read_orders(workbook(tmp_path / "w.xlsx", {"Year 1": YEAR_1, "Visits": other}))
    assert any(n.startswith("Left out sheet 'Visits': its columns differ from those of 'Year 1'")
               for n in data.report.notes)


def test_cells_merged_down_a_customers_orders_belong_to_every_order(tmp_path):
    """A hand-kept sheet groups orders by customer with the name and email merged down: 11 of
    18 orders were skipped as having no customer."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["Orders by customer"])
    ws.merge_cells("A1:D1")  # a title merged across: left as it is
    ws.append(["Date", "Customer", "Email", "Amount"])
    rows = [("2024-01-05", "Anna Berg", "anna@x.com", 45.0), ("2024-02-02", None, None, 120.0),
            ("2024-04-22", None, None, 18.5), ("2024-01-19", "Ben Carter", "ben@x.com", 18.5),
            ("2024-03-03", None, None, 80.0)]
    for row in rows:
        ws.append(list(row))
    for column in "BC":
        ws.merge_cells(f"{column}3:{column}5")
        ws.merge_cells(f"{column}6:{column}7")
    book.save(tmp_path / "merged.xlsx")
    data = read_orders(tmp_path / "merged.xlsx")
    assert totals(data) == {"anna@x.com": 183.5, "ben@x.com": 98.5}
    assert not data.report.rows_skipped
    assert any(n.startswith("Filled 6 cells of merged ranges") for n in data.report.notes)


def test_formulas_without_a_saved_result_are_named_with_what_to_do(tmp_path, capsys):
    """A workbook written by a program keeps formulas without their results: every reader sees
    blank cells. The rows were skipped as "unreadable amount (blank)" with no word why."""
    from clv_engine.cli import main

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Orders"
    ws.append(["Date", "Email", "Amount"])
    for i in range(6):
        ws.append([dt.datetime(2024, 1 + i, 5), f"c{i % 3}@x.com", 10.0 + i])
    ws["C3"] = "=2*9.25"
    book.save(tmp_path / "some.xlsx")
    data = read_orders(tmp_path / "some.xlsx")
    assert data.report.rows_skipped == {"unreadable amount": 1}
    assert ("Sheet 'Orders': 1 cell holds a formula whose result was never saved (e.g. C3; the file was written by "
            "a program, not saved by Excel), so they read as blank. Open the file in Excel or LibreOffice, save it, "
            "and read it again.") in data.report.notes
    for row in range(2, 8):
        ws[f"C{row}"] = f"={row}*10"
    book.save(tmp_path / "all.xlsx")
    assert main(["analyze", str(tmp_path / "all.xlsx"), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "6 cells hold formulas whose result was never saved (e.g. C2" in err
    assert err.rstrip().endswith("Open the workbook in Excel or LibreOffice, save it, and read it again.")
