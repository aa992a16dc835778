"""Files in every encoding, delimiter and spreadsheet format read the same orders."""
import datetime as dt

import pandas as pd
import pytest

from clv_engine.errors import InputError
from clv_engine.intake import read_orders
from intake_helpers import without_calamine, workbook

CSV = ("Order ID,Email,Date,Total,Country\n"
       "A1,ann@x.test,2024-03-05,12.50,DE\n"
       "A2,bob@x.test,2024-03-06,7.00,FR\n"
       "A3,ann@x.test,2024-04-01,30.00,AT\n")


def summary(data):
    return list(zip(data.orders["order_id"], data.orders["customer_id"], data.orders["amount"],
                    data.orders["date"].dt.strftime("%Y-%m-%d")))


EXPECTED = [("A1", "ann@x.test", 12.5, "2024-03-05"), ("A2", "bob@x.test", 7.0, "2024-03-06"),
            ("A3", "ann@x.test", 30.0, "2024-04-01")]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_sniffed(tmp_path, delimiter, write):
    path = write("orders.csv", CSV.replace(",", delimiter))
    data = read_orders(path)
    assert summary(data) == EXPECTED
    assert data.customers.loc["ann@x.test", "Country"] == "AT"


@pytest.mark.parametrize("encoding, prefix", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"),
                                              ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")])
def test_encodings_with_and_without_bom(tmp_path, encoding, prefix):
    text = CSV.replace("DE", "Österreich").replace(",", "\t" if "16" in encoding else ",")
    path = tmp_path / "orders.txt"
    path.write_bytes(prefix + text.encode(encoding))
    data = read_orders(path)
    assert summary(data) == EXPECTED
    assert data.report.columns[0] == "Order ID"  # BOM gone


def test_windows_1252_fallback(tmp_path, write):
    path = write("orders.csv", CSV.replace("ann@x.test,2024-03-05", "ann@x.test,2024-03-05")
                 .replace("Country", "Land").replace("DE", "Müller€"), encoding="cp1252")
    data = read_orders(path)
    assert summary(data) == EXPECTED
    assert any("Windows-1252" in n for n in data.report.notes)


def test_quoted_newlines_and_crlf(tmp_path, write):
    text = ('Order ID,Email,Date,Total,Note\r\n"A1",ann@x.test,2024-03-05,12.50,"line one\r\nline two"\r\n'
            'A2,bob@x.test,2024-03-06,"7.00",\r\nA3,ann@x.test,2024-04-01,30.00,"say ""hi"""\r\n')
    data = read_orders(write("orders.csv", text))
    assert summary(data) == EXPECTED
    assert data.orders["row"].tolist() == [2, 3, 4]  # records, as a spreadsheet shows them


def test_title_rows_above_the_header_and_totals_rows(tmp_path, write):
    text = ("My Shop - Orders report\nFrom 2024-03-01 to 2024-04-30\n\n" + CSV
            + "Total,,,49.50,\nGrand total,,,49.50,\n,,,49.50,\n")
    data = read_orders(write("orders.csv", text))
    assert data.report.header_row == 4
    assert summary(data) == EXPECTED
    assert data.report.rows_skipped == {"totals row": 3}
    assert data.orders["row"].tolist() == [5, 6, 7]


def test_blank_rows_inside_are_counted_trailing_ones_ignored(tmp_path, write):
    text = CSV.replace("A2,", "\n,,,,\nA2,") + "\n\n,,,,\n"
    data = read_orders(write("orders.csv", text))
    assert data.report.rows_skipped == {"blank row": 2}
    assert data.report.rows_read == 5


def rows_with_excel_values():
    return [["Order ID", "Email", "Date", "Total", "Country"],
            ["A1", "ann@x.test", dt.datetime(2024, 3, 5), 12.5, "DE"],
            ["A2", "bob@x.test", 45357.0, 7, "FR"],  # Excel serial number for 2024-03-06
            ["A3", "ann@x.test", dt.date(2024, 4, 1), 30.0, "AT"],
            [None, None, None, None, None], [None, None, None, None, None]]


def test_list_of_rows_from_an_excel_range(tmp_path):
    data = read_orders(rows_with_excel_values())
    assert summary(data) == EXPECTED
    assert data.report.source == "range" and data.report.rows_read == 3


def test_dataframe_and_list_of_rows_equal_file_input(tmp_path, write):
    from_file = read_orders(write("orders.csv", CSV))
    frame = pd.DataFrame({"Order ID": ["A1", "A2", "A3"], "Email": ["ann@x.test", "bob@x.test", "ann@x.test"],
                          "Date": pd.to_datetime(["2024-03-05", "2024-03-06", "2024-04-01"]),
                          "Total": [12.5, 7.0, 30.0], "Country": ["DE", "FR", "AT"]})
    from_frame = read_orders(frame)
    from_rows = read_orders(rows_with_excel_values())
    for other in (from_frame, from_rows):
        pd.testing.assert_frame_equal(other.orders, from_file.orders)
        pd.testing.assert_frame_equal(other.customers, from_file.customers)
    assert from_frame.report.source == "DataFrame"


def excel_rows():
    return [["Sales export"], [], ["Order ID", "Email", "Date", "Total", "Country"],
            ["A1", "ann@x.test", dt.datetime(2024, 3, 5), 12.5, "DE"],
            ["A2", "bob@x.test", dt.datetime(2024, 3, 6), 7.0, "FR"],
            ["A3", "ann@x.test", dt.datetime(2024, 4, 1), 30.0, "AT"]]


def test_xlsx_with_sheet_choice(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["nothing here"])
    sheet = book.create_sheet("Orders")
    for row in excel_rows():
        sheet.append(row)
    path = tmp_path / "orders.xlsx"
    book.save(path)
    data = read_orders(path, sheet="Orders")
    assert summary(data) == EXPECTED
    assert data.report.sheet == "Orders" and data.report.header_row == 3


def test_xls_workbook(tmp_path, write):
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    sheet = book.add_sheet("Orders")
    style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for r, row in enumerate(excel_rows()):
        for c, value in enumerate(row):
            sheet.write(r, c, value, style) if isinstance(value, dt.datetime) else sheet.write(r, c, value)
    path = tmp_path / "orders.xls"
    book.save(str(path))
    assert summary(read_orders(path)) == EXPECTED


def test_ods_spreadsheet(tmp_path):
    pytest.importorskip("odf")
    frame = pd.DataFrame(excel_rows()[3:], columns=excel_rows()[2])
    path = tmp_path / "orders.ods"
    frame.to_excel(path, engine="odf", index=False, sheet_name="Orders")
    assert summary(read_orders(path)) == EXPECTED


def test_xlsx_read_without_calamine_uses_openpyxl(tmp_path, monkeypatch):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    for row in excel_rows():
        book.active.append(row)
    path = tmp_path / "orders.xlsx"
    book.save(path)
    without_calamine(monkeypatch)
    assert summary(read_orders(path)) == EXPECTED


def test_mapping_overrides_detection(tmp_path, write):
    text = "Ref,Buyer,When,Paid,Other\nA1,ann@x.test,2024-03-05,12.50,x\nA2,bob@x.test,2024-03-06,7.00,y\n"
    data = read_orders(write("o.csv", text),
                       mapping={"order_id": "ref", "email": "Buyer", "date": "When", "amount": "Paid"})
    assert data.report.mapping == {"email": "Buyer", "order_id": "Ref", "date": "When", "amount": "Paid"}
    assert data.orders["amount"].tolist() == [12.5, 7.0]


def test_german_headers_are_recognised(tmp_path, write):
    text = "Bestellnummer;E-Mail;Datum;Betrag;Kunde\n1;a@b.de;05.03.2024;12,50;Anna\n2;c@d.de;13.03.2024;1.234,00;Carl\n"
    data = read_orders(write("bestellungen.csv", text))
    assert data.report.mapping["email"] == "E-Mail" and data.report.mapping["amount"] == "Betrag"
    assert data.orders["amount"].tolist() == [12.5, 1234.0]
    assert data.report.date_order == "DMY"


def test_ambiguous_dates_are_reported_never_silent(tmp_path, write):
    text = "Order ID,Email,Date,Total\n1,a@x.test,05/03/2024,1\n2,b@x.test,04/03/2024,2\n"
    data = read_orders(write("o.csv", text))
    assert any("day/month or month/day" in n for n in data.report.notes)
    settled = read_orders(write("o.csv", text), date_order="DMY")
    assert settled.orders["date"].iloc[0] == pd.Timestamp("2024-03-04")


def test_several_currencies_keep_the_most_frequent_or_the_chosen(tmp_path, write):
    text = ("Order ID,Email,Date,Total,Currency\n1,a@x.test,2024-03-05,10,USD\n2,b@x.test,2024-03-06,20,usd\n"
            "3,c@x.test,2024-03-07,30,EUR\n")
    data = read_orders(write("o.csv", text))
    assert data.report.currency == "USD"
    assert data.report.skipped[["row", "reason", "detail"]].values.tolist() == [[4, "other currency", "EUR"]]
    assert read_orders(write("o.csv", text), currency="eur").orders["amount"].tolist() == [30.0]


def test_exact_duplicates_and_bad_cells_are_skipped_with_reasons(tmp_path, write):
    text = ("Order ID,Email,Date,Total\n1,a@x.test,2024-03-05,10\n1,a@x.test,2024-03-05,10\n"
            "2,,2024-03-06,5\n3,c@x.test,someday,5\n4,d@x.test,2024-03-08,lots\n5,e@x.test,2024-03-09,0\n")
    data = read_orders(write("o.csv", text))
    assert data.report.skipped[["row", "reason"]].values.tolist() == [
        [3, "exact duplicate"], [4, "no customer"], [5, "unreadable date"], [6, "unreadable amount"]]
    assert data.orders["amount"].tolist() == [10.0, 0.0]  # zero-amount orders are kept
    assert data.preview.shape == (6, 4)


def test_progress_is_reported(tmp_path, write):
    steps = []
    read_orders(write("o.csv", CSV), progress=lambda step, fraction: steps.append(fraction))
    assert steps[0] == 0.0 and steps[-1] == 1.0 and steps == sorted(steps)


def test_a_customer_column_holding_person_names_is_the_name_and_email_identifies(tmp_path, write):
    text = ("Bestellnummer;Kunde;E-Mail;Datum;Betrag;Land\n"
            "1001;Jürgen Müller;juergen@example.de;03.01.2024;35,82;DE\n"
            "1002;Anna Schmidt;anna@example.de;15.01.2024;120,00;AT\n"
            "1003;Jürgen Müller;Juergen@Example.de;20.02.2024;12,50;DE\n")
    data = read_orders(write("bestellungen.csv", text, encoding="cp1252"))
    assert data.report.mapping["name"] == "Kunde" and "customer_id" not in data.report.mapping
    assert data.orders["customer_id"].tolist() == ["juergen@example.de", "anna@example.de", "juergen@example.de"]
    assert data.customers.loc["juergen@example.de", "name"] == "Jürgen Müller"
    assert any("'Kunde' holds names" in n for n in data.report.notes)


def test_an_english_customer_column_with_names_and_no_email_identifies_by_name(tmp_path, write):
    text = ("Order,Customer,Date,Total\n1,Mary Ann O'Neil,2024-03-05,10\n2,José García,2024-03-06,20\n"
            "3,mary ann o'neil,2024-04-01,5\n")
    data = read_orders(write("o.csv", text))
    assert data.report.mapping["name"] == "Customer" and "customer_id" not in data.report.mapping
    assert data.orders.groupby("customer_id")["amount"].sum().to_dict() == {"mary ann o'neil": 15.0,
                                                                             "josé garcía": 20.0}


@pytest.mark.parametrize("ids", [["C1043", "C1044", "C1043"], ["cus_9s8df", "cus_Aa71k", "cus_9s8df"],
                                 ["1043", "1044", "1043"]])
def test_an_id_like_customer_column_stays_the_customer_id(tmp_path, write, ids):
    text = "Order,Customer,Email,Date,Total\n" + "".join(
        f"{i},{c},x{i}@y.test,2024-03-0{i},{i}0\n" for i, c in enumerate(ids, start=1))
    data = read_orders(write("o.csv", text))
    assert data.report.mapping["customer_id"] == "Customer"
    assert data.orders["customer_id"].tolist() == ids


@pytest.mark.parametrize("summary_rows", [[["Total sales", "Orders"]], [["Sales summary"], [], ["Total", 49.5]]])
def test_without_a_sheet_choice_the_first_sheet_with_orders_is_read(tmp_path, summary_rows):
    path = workbook(tmp_path / "shop.xlsx", {"Summary": summary_rows, "Orders": excel_rows(), "Notes": [["x"]]})
    data = read_orders(path)
    assert summary(data) == EXPECTED
    assert data.report.sheet == "Orders"
    assert "Read sheet 'Orders' (the workbook has 3 sheets)." in data.report.notes


def test_a_workbook_without_an_order_sheet_lists_its_sheets(tmp_path):
    from clv_engine.errors import InputError

    path = workbook(tmp_path / "shop.xlsx", {"Summary": [["Total sales", "Orders"], [49.5, 3]],
                                              "Notes": [["Customer", "Note"], ["Ann", "likes blue"]]})
    with pytest.raises(InputError) as err:
        read_orders(path)
    message = str(err.value)
    assert "'Summary', 'Notes'" in message and "--sheet" in message


def test_a_chosen_sheet_is_read_even_when_an_earlier_one_has_orders(tmp_path):
    rows = [["Order ID", "Email", "Date", "Total"], ["B1", "cy@x.test", dt.datetime(2024, 5, 1), 9.0]]
    path = workbook(tmp_path / "shop.xlsx", {"Orders": excel_rows(), "Archive": rows})
    assert read_orders(path, sheet="Archive").orders["order_id"].tolist() == ["B1"]
    assert read_orders(path).report.sheet == "Orders"


def test_a_totals_label_after_blank_cells_is_found(tmp_path, write):
    """A totals row's first filled cell may sit in a later column, behind blanks; an
    order's line without a date but with its order number is not a totals row."""
    text = CSV + ",Total,,49.50,\n,,,49.50,\nA3,,,,\n"
    data = read_orders(write("orders.csv", text))
    assert data.report.rows_skipped.get("totals row") == 2
    skipped = data.report.skipped.set_index("row")["reason"]
    assert skipped.get(5) == "totals row" and skipped.get(6) == "totals row"
    assert skipped.get(7) != "totals row"


def test_a_file_another_program_holds_open_says_so(tmp_path, write, monkeypatch):
    import builtins

    path = write("o.csv", "Order,Email,Date,Total\n1,a@x.com,2024-01-01,10\n")
    real_open = builtins.open

    def locked(file, *args, **kwargs):  # as Windows answers while Excel has the file open
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", locked)
    with pytest.raises(InputError) as err:
        read_orders(path)
    text = str(err.value)
    assert "open in another program" in text and "Close it" in text and "PermissionError" not in text


def test_a_sheet_asked_of_a_csv_file_is_said_not_to_exist(tmp_path, write):
    path = write("o.csv", "Order,Email,Date,Total\n1,a@x.com,2024-01-01,10\n")
    data = read_orders(path, sheet="Orders")
    assert any("The sheet 'Orders' was not looked for" in n for n in data.report.notes)
    assert len(data.orders) == 1


def test_a_currency_given_for_a_file_without_one_is_said_to_be_taken_as_given(tmp_path, write):
    path = write("o.csv", "Order,Email,Date,Total\n1,a@x.com,2024-01-01,10\n")
    data = read_orders(path, currency="sek")
    assert data.report.currency == "SEK"
    assert any("taken to be in SEK, as given" in n for n in data.report.notes)
