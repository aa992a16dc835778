"""Files that cannot be used give one clear message naming the file and what to do."""
import numpy as np
import zipfile

import pytest

from clv_engine.errors import InputError
from clv_engine.intake import read_orders


def error_for(source, **kw) -> str:
    with pytest.raises(InputError) as err:
        read_orders(source, **kw)
    return str(err.value)


def test_missing_file(tmp_path):
    message = error_for(tmp_path / "nope.csv")
    assert "nope.csv" in message and "does not exist" in message and "Check the file name" in message


def test_empty_file(tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    assert "empty.csv: the file is empty" in error_for(tmp_path / "empty.csv")
    (tmp_path / "blank.csv").write_bytes(b"\xef\xbb\xbf\r\n\r\n")
    assert "empty" in error_for(tmp_path / "blank.csv")


def test_header_only(tmp_path):
    (tmp_path / "head.csv").write_text("Order ID,Email,Date,Total\n")
    assert "no rows under the column headers" in error_for(tmp_path / "head.csv")


def test_pdf_renamed_to_csv(tmp_path):
    (tmp_path / "orders.csv").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    message = error_for(tmp_path / "orders.csv")
    assert "orders.csv" in message and "PDF" in message and "Export the orders" in message


def test_zip_renamed_to_csv(tmp_path):
    with zipfile.ZipFile(tmp_path / "orders.csv", "w") as z:
        z.writestr("a.txt", "hello")
    assert "zip archive" in error_for(tmp_path / "orders.csv")


def test_text_named_xlsx_is_read_as_text_with_a_note_or_refused_when_no_table(tmp_path):
    (tmp_path / "orders.xlsx").write_text("Order ID,Email,Date,Total\n1,a@x.test,2024-01-05,10\n", encoding="utf-8")
    data = read_orders(tmp_path / "orders.xlsx")
    assert data.report.rows_used == 1
    assert any("named .xlsx but holds text" in n for n in data.report.notes)
    (tmp_path / "broken.xlsx").write_text("not a zip file at all", encoding="utf-8")
    message = error_for(tmp_path / "broken.xlsx")
    assert message.startswith("broken.xlsx: the file is named .xlsx but is not a workbook") and "save it again" in message


def test_a_parquet_file_points_to_summary_and_duckdb(tmp_path):
    (tmp_path / "summary.parquet").write_bytes(b"PAR1" + bytes(range(200)) + b"PAR1")
    message = error_for(tmp_path / "summary.parquet")
    assert "is a Parquet table" in message and "--summary FILE" in message and "--duckdb" in message


def test_binary_garbage(tmp_path):
    (tmp_path / "orders.csv").write_bytes(bytes(range(256)) * 20)
    assert "not text" in error_for(tmp_path / "orders.csv")


def test_wrong_sheet_lists_the_sheets(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.title = "Orders 2024"
    book.create_sheet("Customers")
    book.save(tmp_path / "book.xlsx")
    message = error_for(tmp_path / "book.xlsx", sheet="Orders")
    assert "no sheet 'Orders'" in message and "'Orders 2024', 'Customers'" in message


def test_damaged_workbook(tmp_path):
    (tmp_path / "book.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    message = error_for(tmp_path / "book.xlsx")
    assert "book.xlsx" in message and "could not be opened" in message


@pytest.mark.parametrize("role, header", [("date", "Date"), ("amount", "Total"), ("customer_id", "Email")])
def test_missing_column_lists_columns_and_how_to_map(tmp_path, role, header):
    cols = ["Order ID", "Email", "Date", "Total"]
    cols[cols.index(header)] = "Something"
    text = ",".join(cols) + "\n1,a@x.test,2024-03-05,10\n"
    (tmp_path / "o.csv").write_text(text)
    message = error_for(tmp_path / "o.csv")
    assert "'Something'" in message and f"--map {role}=COLUMN" in message


def test_unknown_mapping_column(tmp_path):
    (tmp_path / "o.csv").write_text("Order ID,Email,Date,Total\n1,a@x.test,2024-03-05,10\n")
    message = error_for(tmp_path / "o.csv", mapping={"amount": "Revenue"})
    assert "no column 'Revenue'" in message and "'Total'" in message
    assert "unknown column role" in error_for(tmp_path / "o.csv", mapping={"price": "Total"})


def test_nothing_readable_names_the_top_reasons(tmp_path):
    (tmp_path / "o.csv").write_text("Order ID,Email,Date,Total\n1,a@x.test,soon,10\n2,b@x.test,later,5\n3,,2024-01-01,1\n")
    message = error_for(tmp_path / "o.csv")
    assert "none of the 3 rows" in message and "unreadable date: 2" in message and "no customer: 1" in message


def test_nothing_readable_in_a_one_row_file_says_row(tmp_path):
    (tmp_path / "o.csv").write_text("Order ID,Email,Date,Total\n1,,2024-01-01,10\n")
    message = error_for(tmp_path / "o.csv")
    assert "none of the 1 row could be used as an order (no customer: 1)" in message


def test_asking_for_a_currency_not_in_the_file(tmp_path):
    (tmp_path / "o.csv").write_text("Order ID,Email,Date,Total,Currency\n1,a@x.test,2024-03-05,10,USD\n")
    assert "no orders in GBP" in error_for(tmp_path / "o.csv", currency="GBP")


def test_unsupported_source_type():
    assert "cannot read orders from a int" in error_for(42)


def test_every_missing_column_is_named_in_one_message(tmp_path):
    (tmp_path / "t.csv").write_text("alpha,beta\nx,y\nz,w\n", encoding="utf-8")
    message = error_for(tmp_path / "t.csv")
    assert "no order date, order amount or customer (id, email or name) column was recognised" in message
    assert "--map date=COLUMN --map amount=COLUMN --map customer_id=COLUMN" in message


def test_damaged_workbooks_say_so_in_plain_words(tmp_path):
    # binary bytes under an .xlsx name (no zip inside): not read as text full of garbage columns
    rng = np.random.default_rng(5)
    noise = bytes(b for b in rng.integers(1, 256, 4000, dtype=np.uint8).tolist())
    (tmp_path / "noise.xlsx").write_bytes(b"Q^" + noise)
    assert error_for(tmp_path / "noise.xlsx").startswith("noise.xlsx: the file is named .xlsx but is not a workbook")
    # a workbook cut short while copying
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    for i in range(300):
        book.active.append([i, "a@x.com", "2024-01-01", 10])
    book.save(tmp_path / "full.xlsx")
    (tmp_path / "cut.xlsx").write_bytes((tmp_path / "full.xlsx").read_bytes()[:4000])
    message = error_for(tmp_path / "cut.xlsx")
    assert "damaged or incomplete" in message and "Error" not in message


def test_a_list_of_customers_without_orders_is_named_as_such(tmp_path):
    (tmp_path / "customers.csv").write_text("Customer ID,First name,Last name,Email,City,Accepts marketing\n"
                                            "1,Ann,Lee,a@x.com,Oslo,yes\n2,Bob,Ray,b@x.com,Bergen,no\n",
                                            encoding="utf-8")
    message = error_for(tmp_path / "customers.csv")
    assert "no order date or order amount column" in message
    assert "a list of customers rather than of their orders" in message and "order export" in message
