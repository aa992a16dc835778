"""Every file a run writes is safe to open in a spreadsheet, and nobody who said no is exported.

Hand-made hostile orders (formula names, a carriage return and a NUL inside cells, a
semicolon before a formula) go through the whole pipeline with every email tool; then
every written file is scanned for cells a spreadsheet would run, and every exported email
is checked against each customer's known consent.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from clv_engine import cli

FORMULA_START = tuple("=+-@\t\r\n") + ("\uff1d", "\uff0b", "\uff0d", "\uff20")
NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")

# email -> does this customer consent (their latest statement)
CONSENT = {"ann@x.com": True, "bob@x.com": False, "cy@x.com": True, "dee@x.com": False, "eve@x.com": False,
           "fay@x.com": True, "gus@x.com": False}
HOSTILE_ROWS = [
    # order, email, name, date, total, marketing, city
    ("1", "ann@x.com", "=HYPERLINK(\"http://evil\",\"x\")", "2024-01-05", "120", "yes", "Paris"),
    ("2", "bob@x.com", "+cmd|' /C calc'!A0", "2024-01-09", "35", "yes", "=1+1"),
    ("3", "bob@x.com", "+cmd|' /C calc'!A0", "2024-03-09", "35", "Opt-out", "Rome"),
    ("4", "cy@x.com", "@SUM(1+1)*cmd|' /C calc'!A0", "2024-02-01", "80", "\u2713", "a\rb"),
    ("5", "dee@x.com", "-2+3+cmd|' /C calc'!A0", "2024-02-11", "240", "maybe", "x;=1+1"),
    ("6", "eve@x.com", "Eve Null", "2024-03-20", "12", "", "\tTab"),
    ("7", "fay@x.com", "\uff1dSUM(1)", "2024-04-01", "50", "on", "Oslo"),
    ("8", "gus@x.com", "Gus", "2024-04-02", "60", "yes", "Bern"),
    ("9", "gus@x.com", "Gus", "2024-05-02", "60", "off", "Bern"),  # cancelled below
    ("10", "ann@x.com", "=HYPERLINK(\"http://evil\",\"x\")", "2024-05-05", "20", "", "Paris"),
]


def write_hostile(path: Path) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(["Order", "Email", "Name", "Date", "Total", "Email Marketing", "City", "Status", "Product",
                     "Channel"])
    products = ["=SUM(A1:A9)", "@cmd", "Mug", "+1+1"]
    for i, row in enumerate(HOSTILE_ROWS):
        writer.writerow(list(row) + ["cancelled" if row[0] == "9" else "paid", products[i % 4],
                                     "-web" if i % 2 else "=shop"])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def formula_cells(folder: Path) -> list[str]:
    """Every cell in every file under ``folder`` that a spreadsheet would run as a formula."""
    found = []
    for path in sorted(folder.rglob("*")):
        if path.suffix == ".csv":
            text = path.read_text(encoding="utf-8-sig")
            for r, row in enumerate(csv.reader(io.StringIO(text, newline=""))):
                for cell in row:
                    if cell.startswith(FORMULA_START) and not NUMBER.fullmatch(cell):
                        found.append(f"{path.name} row {r}: {cell!r}")
                    if "\x00" in cell:
                        found.append(f"{path.name} row {r}: NUL in {cell!r}")
        elif path.suffix == ".xlsx":
            from openpyxl import load_workbook

            book = load_workbook(path)
            for sheet in book.worksheets:
                for row in sheet.iter_rows():
                    for cell in row:
                        if cell.data_type == "f":
                            found.append(f"{path.name} {sheet.title}!{cell.coordinate}: {cell.value!r}")
    return found


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    src = write_hostile(tmp / "orders.csv")
    out = tmp / "out"
    code = cli.main(["analyze", str(src), "--out", str(out), "--method", "historical", "-q",
                     "--export", "mailchimp,klaviyo,hubspot,brevo,activecampaign,generic"])
    assert code == 0
    return out


def test_no_written_file_holds_a_formula_or_a_nul(hostile_run):
    assert formula_cells(hostile_run) == []


def test_each_csv_row_is_one_record_and_text_survives(hostile_run):
    text = (hostile_run / "customers.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == len(CONSENT)  # a CR inside a cell did not split a row
    by_email = {r["email"]: r for r in rows}
    assert by_email["ann@x.com"]["name"] == "'=HYPERLINK(\"http://evil\",\"x\")"  # shown as text
    assert by_email["cy@x.com"]["City"] in ("a\rb", "a\nb")  # the break inside the cell is kept, quoted
    assert by_email["dee@x.com"]["City"] == "x;=1+1"
    assert by_email["eve@x.com"]["City"] == "'\tTab" or by_email["eve@x.com"]["City"] == "Tab"
    # in a semicolon locale the quoted cell stays one cell: every text cell is quoted
    assert '"x;=1+1"' in text


def test_only_consenting_contacts_are_exported(hostile_run):
    exported = set()
    for path in (hostile_run / "exports").glob("*.csv"):
        for row in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")):
            email = row.get("Email Address") or row.get("Email") or row.get("EMAIL") or row.get("email")
            exported.add(email)
    assert exported == {e for e, ok in CONSENT.items() if ok}


def test_customers_csv_consent_column_is_the_latest_statement(hostile_run):
    rows = csv.DictReader(io.StringIO((hostile_run / "customers.csv").read_text(encoding="utf-8"), newline=""))
    assert {r["email"]: r["consent"] == "yes" for r in rows} == CONSENT


def test_nul_characters_are_dropped_from_result_cells():
    import pandas as pd

    from clv_engine.csv_writer import to_csv_text

    text = to_csv_text(pd.DataFrame({"id": ["A\x00B", "=1"], "n": [1, 2]}), excel_safe=True)
    assert text == 'id,n\n"AB",1\n"\'=1",2\n'


def test_previous_run_compares_with_its_own_protected_ids(tmp_path):
    from clv_engine.segments import read_previous_customers

    path = tmp_path / "customers.csv"
    path.write_text('customer_id,tier\n"\'=1+1","High"\n"\'-5","Low"\n', encoding="utf-8")
    table = read_previous_customers(path)
    assert list(table.index) == ["=1+1", "-5"]


def test_result_tables_start_with_a_byte_order_mark_for_excel(hostile_run):
    """Without it Excel reads UTF-8 as the local code page: "Zoë" becomes "ZoÃ«"."""
    tables = sorted(hostile_run.glob("*.csv"))
    assert tables and all(p.read_bytes().startswith(b"\xef\xbb\xbf") for p in tables)
    header = (hostile_run / "customers.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("customer_id,")
