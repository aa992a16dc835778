"""Hostile text files: mixed encodings, NUL bytes, huge fields, Infinity, Excel error values, guest ids.

Each file is written here byte by byte; the expected per-customer totals are worked out by hand.
"""
from __future__ import annotations

import pytest

from clv_engine import cli
from clv_engine.intake import read_orders


def totals(path) -> dict[str, float]:
    data = read_orders(path)
    return data.orders.groupby("customer_id", observed=True)["amount"].sum().to_dict()


def _utf8_body(rows: int) -> tuple[bytes, dict[str, float]]:
    lines = ["Customer,Date,Amount"]
    truth: dict[str, float] = {}
    for i in range(rows):
        who = f"Zoë Müller {i % 40}"
        lines.append(f"{who},2020-01-01 {i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d},{10 + i % 7}")
        truth[who] = truth.get(who, 0) + 10 + i % 7
    return ("\n".join(lines) + "\n").encode("utf-8"), truth


def test_one_windows_1252_byte_after_256_kb_garbles_nothing(tmp_path):
    body, truth = _utf8_body(9000)
    assert len(body) > 300_000
    path = tmp_path / "late.csv"
    path.write_bytes(body + "Ren\xe9 Dupont,2020-02-01,5\n".encode("cp1252"))
    data = read_orders(path)
    got = data.orders.groupby("customer_id", observed=True)["amount"].sum().to_dict()
    assert got == {**truth, "René Dupont": 5}
    assert not any("Ã" in name for name in got)
    assert any("UTF-8 except for 1 character written in Windows-1252" in n for n in data.report.notes)


def test_one_windows_1252_byte_in_the_first_lines_garbles_nothing(tmp_path):
    body, truth = _utf8_body(300)
    head, rest = body.split(b"\n", 1)
    path = tmp_path / "early.csv"
    path.write_bytes(head + b"\n" + "Ren\xe9 Dupont,2020-02-01,5\n".encode("cp1252") + rest)
    assert totals(path) == {**truth, "René Dupont": 5}


def test_a_windows_1252_file_is_still_read_as_windows_1252(tmp_path):
    path = tmp_path / "ansi.csv"
    path.write_bytes("Customer,Date,Amount\nZoë,2024-01-01,5\nRené,2024-01-02,7\nZoë,2024-01-03,1\n".encode("cp1252"))
    data = read_orders(path)
    assert totals(path) == {"Zoë": 6, "René": 7}
    assert any("read it as Windows-1252" in n for n in data.report.notes)


def test_nul_bytes_are_stripped_from_ids_and_text(tmp_path):
    path = tmp_path / "nul.csv"
    rows = b"".join(b"c%d,2024-01-%02d,%d\n" % (i % 3, 1 + i, i) for i in range(9))
    path.write_bytes(b"Customer,Date,Amount\n" + rows + b"a\x00nn,2024-02-01,5\nann,2024-02-02,6\nc\x000,2024-02-03,1\n")
    data = read_orders(path)
    got = data.orders.groupby("customer_id", observed=True)["amount"].sum().to_dict()
    assert got == {"c0": 0 + 3 + 6 + 1, "c1": 1 + 4 + 7, "c2": 2 + 5 + 8, "ann": 11}
    assert any("NUL" in n and "2 cells" in n for n in data.report.notes)


def test_a_few_nul_bytes_near_the_top_do_not_make_it_a_binary_file(tmp_path):
    path = tmp_path / "nul_top.csv"
    path.write_bytes(b"Customer,Date,Amount\nan\x00n,2024-01-01,5\nbob,2024-01-02,7\n")
    assert totals(path) == {"ann": 5, "bob": 7}


def test_a_field_over_128_kb_is_read(tmp_path, capsys):
    path = tmp_path / "big_field.csv"
    note = "x" * 200_000
    path.write_text(f'Customer,Date,Amount,Note\nann,2024-01-01,5,"{note}"\nbob,2024-01-02,7,short\n'
                    "ann,2024-01-03,1,\n", encoding="utf-8")
    assert totals(path) == {"ann": 6, "bob": 7}
    assert cli.main(["analyze", str(path), "--out", str(tmp_path / "out"), "-q"]) == 0


def test_a_field_over_128_kb_in_the_first_line_after_the_header(tmp_path):
    path = tmp_path / "big_first.csv"
    path.write_text("Customer;Date;Amount;Note\nann;2024-01-01;5;" + "y" * 300_000 + "\nbob;2024-01-02;7;z\n",
                    encoding="utf-8")
    assert totals(path) == {"ann": 5, "bob": 7}


@pytest.mark.parametrize("bad", ["Infinity", "-inf", "NaN", "1e999", "inf"])
def test_infinite_amount_is_an_unreadable_amount_on_its_row(tmp_path, bad, capsys):
    path = tmp_path / "inf.csv"
    path.write_text(f"Customer,Date,Amount\nann,2024-01-01,5\nbob,2024-01-02,{bad}\nbob,2024-01-06,3\n",
                    encoding="utf-8")
    data = read_orders(path)
    assert totals(path) == {"ann": 5, "bob": 3}
    skipped = data.report.skipped
    assert skipped[["row", "reason", "detail"]].values.tolist() == [[3, "unreadable amount", bad]]
    assert cli.main(["analyze", str(path), "--out", str(tmp_path / "out"), "-q"]) == 0


def test_excel_error_values_are_never_customers_or_amounts(tmp_path):
    path = tmp_path / "errors.csv"
    path.write_text("Customer ID,Email,Date,Amount\n"
                    "#REF!,a@x.com,2024-01-01,5\n"
                    "#VALUE!,b@x.com,2024-01-02,#VALUE!\n"
                    "#ref!,b@x.com,2024-01-03,2\n"
                    "17,f@x.com,2024-01-06,#DIV/0!\n"
                    "17,f@x.com,2024-01-07,4\n"
                    "#N/A,#N/A,2024-01-08,3\n"
                    "#NAME?,,2024-01-09,3\n", encoding="utf-8")
    data = read_orders(path)
    assert totals(path) == {"a@x.com": 5, "b@x.com": 2, "17": 4}
    reasons = dict(zip(data.report.skipped["row"], data.report.skipped["reason"]))
    assert reasons == {3: "unreadable amount", 5: "unreadable amount", 7: "no customer", 8: "no customer"}


def test_guest_ids_never_merge_people(tmp_path):
    """BigCommerce and others write customer id 0 (or "Guest") for every guest checkout."""
    path = tmp_path / "guests.csv"
    path.write_text("Customer ID,Customer Email,Order Date,Order Total\n"
                    "0,ann@x.com,2024-01-01,10\n"
                    "0,bob@x.com,2024-01-02,20\n"
                    "Guest,cid@x.com,2024-01-03,30\n"
                    "GUEST,ann@x.com,2024-01-04,1\n"
                    ",dan@x.com,2024-01-05,2\n"
                    "guest checkout,eve@x.com,2024-01-06,3\n"
                    "42,zed@x.com,2024-01-07,5\n"
                    "42,zed@x.com,2024-01-08,6\n", encoding="utf-8")
    assert totals(path) == {"ann@x.com": 11, "bob@x.com": 20, "cid@x.com": 30, "dan@x.com": 2, "eve@x.com": 3,
                            "42": 11}


def test_guests_without_email_or_name_are_reported_not_merged(tmp_path):
    path = tmp_path / "guests2.csv"
    path.write_text("Customer ID,Date,Amount\n0,2024-01-01,10\n0,2024-01-02,20\n7,2024-01-03,5\n", encoding="utf-8")
    data = read_orders(path)
    assert totals(path) == {"7": 5}
    assert data.report.rows_skipped == {"no customer": 2}


def test_id_0_among_ids_counted_from_0_is_a_customer_and_a_guest_row_says_why_it_was_skipped(tmp_path):
    # lifetimes' example data numbers customers 0, 1, 2 …: 0 is a customer like the others
    rows = "".join(f"{c},2024-01-{1 + (c + k) % 28:02d},{10 + c}\n" for c in range(30) for k in range(2))
    path = tmp_path / "numbered.csv"
    path.write_text("id,date,amount\n" + rows, encoding="utf-8")
    data = read_orders(path)
    assert data.report.rows_skipped == {} and data.customers.index.size == 30
    assert (data.orders["customer_id"] == "0").sum() == 2
    # id 0 on many rows beside arbitrary ids stays a guest; intake.csv says why the row is skipped
    path = tmp_path / "guests3.csv"
    path.write_text("Customer ID,Date,Amount\n0,2024-01-01,10\n0,2024-01-02,20\n7,2024-01-03,5\n", encoding="utf-8")
    skipped = read_orders(path).report.skipped
    assert skipped["detail"].tolist() == ["customer id 0 stands for a guest checkout; the row has no email or name"] * 2
