"""Large files take faster paths (whole-column text checks, ISO dates in one go, per-customer
cleaning); they must give exactly what the same rows give in a small file."""
import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clv_engine.intake import read_orders
from clv_engine.intake.values import clean_text

HEADER = ["Order", "Customer ID", "Email", "Name", "Date", "Total", "Currency", "Country", "Note"]
# one block of messy rows; {b} makes order ids and notes unique per copy of the block
BLOCK = [
    ["{b}-1", "C1", "ann@x.test", "Ann Lee", "2024-03-05", "12.50", "USD", "AT", "a"],
    ["{b}-2", " C2", "BOB@X.TEST ", "Bob  Day", "2024-03-06 14:22:10", "$1,240.00", "usd ", " FR", "b"],
    ["{b}-3", "'C3", "'cy@x.test", "", "5 Mar 2024", "7.25", "", "", "c"],
    ["{b}-4", "unknown", "dee@x.test", "Dee\u00a0Ray", "2024-04-01", " 4.25", "USD", "DE", "d"],
    ["{b}-5", "N/A", "", "Eve Ray ", "2024-04-02", "9.99", "USD", "US", "e"],
    ["{b}-6", "", "NULL", "GUEST", "2024-04-03", "3.00", "USD", "", "f"],
    ["{b}-7", "C5\u00a0", "e\u00a0@x.test", "Zoë Brandt", "soon", "5.00", "USD", "AT", "g"],
    ["{b}-8", "C1", "not an email", "Ann Lee", "2024-05-01", "4.00", "USD", "AT", "h"],
    ["{b}-9", "C1", "  ", "", "2024-05-02", "20.00", "USD", "IT", "i"],
    ["{b}-10", "C6", "fay@x.test", "Fay", "2024-05-03", "lots", "USD", "", "j"],
    ["{b}-15", "C6", "fay@x.test", "Fay", "2024-05-04", "", "EUR", "", "q"],
    ["", "", "", "", "", "", "", "", ""],
    ["Total", "", "", "", "", "100.00", "", "", ""],
    ["{b}-11", "C7", "gus@x.test", "Gus", "2024-05-04", "8.00", "USD", "NL", "k"],
    ["{b}-11", "C7", "", "", "", "2.00", "", "", "l"],
    ["{b}-2", " C2", "bob@x.test", "Bob Day", "2024-03-06 14:22:10", "(1,240.00)", "USD", "", "m"],
    ["{b}-12", "", "", "Kim\u202fPark", "2024-06-01", "11.00", "EUR", "KR", "n"],
    ["{b}-13", "UN\u212aNOWN", "hal@x.test", "Hal", "2024-06-02", "6.00", "USD", "", "o"],
    ["{b}-14", "UnKnOwN", "ivy@x.test", "Ivy", "2024-06-03", "6.50", "USD", "", "p"],
]


def write_blocks(path, copies):
    rows = [HEADER] + [[c.format(b=b) for c in row] for b in range(copies) for row in BLOCK]
    pd.DataFrame(rows).to_csv(path, header=False, index=False)
    return path


def reference_clean(cell: str) -> str:
    for space in "\u00a0\u202f\u2007\u2009\u200b\ufeff":
        cell = cell.replace(space, " ")
    cell = cell.strip()
    return (cell[1:] if cell.startswith("'") else cell).strip()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=" \t\n'a@\u00a0\u200b\u3000\x00\u212aİ", max_size=6), max_size=40))
def test_text_cleaning_matches_cleaning_each_cell(cells):
    cleaned = clean_text(pd.Series(cells, dtype=str))
    assert cleaned.tolist() == [reference_clean(c) for c in cells]


def test_large_file_reads_every_row_like_a_small_file(tmp_path):
    copies = 2000 // len(BLOCK) + 2
    small = read_orders(write_blocks(tmp_path / "small.csv", 1))
    large = read_orders(write_blocks(tmp_path / "large.csv", copies))
    assert large.report.rows_read == copies * small.report.rows_read
    assert large.report.rows_skipped == {r: copies * n for r, n in small.report.rows_skipped.items()}
    assert [re.sub(r"\d+", "N", n) for n in large.report.notes] == [re.sub(r"\d+", "N", n) for n in small.report.notes]
    offsets = large.report.skipped["row"] - (large.report.skipped.index // len(small.report.skipped)) * len(BLOCK)
    assert offsets.tolist() == small.report.skipped["row"].tolist() * copies
    assert large.report.skipped["reason"].tolist() == small.report.skipped["reason"].tolist() * copies
    pd.testing.assert_frame_equal(large.customers, small.customers)
    per_customer = large.orders.groupby("customer_id")["amount"].sum()
    pd.testing.assert_series_equal(per_customer, small.orders.groupby("customer_id")["amount"].sum() * copies)


def test_placeholder_customer_ids_in_any_spelling_fall_back_to_the_email(tmp_path):
    data = read_orders(write_blocks(tmp_path / "orders.csv", 120))
    assert {"dee@x.test", "hal@x.test", "ivy@x.test"} <= set(data.customers.index)
    assert not {"unknown", "UnKnOwN", "UN\u212aNOWN"} & set(data.orders["customer_id"])


def test_latest_usable_email_wins_over_later_blank_or_invalid_cells(tmp_path):
    data = read_orders(write_blocks(tmp_path / "orders.csv", 120))
    assert data.customers.loc["C1", "email"] == "ann@x.test"
    assert data.customers.loc["C1", "Country"] == "IT"
    # C2's one order came back in full (row m): no purchase, so no customer
    assert "C2" not in data.customers.index
    assert set(data.report.skipped.loc[data.report.skipped["row"].isin([3, 17]), "reason"]) == {"refunded or returned"}


@pytest.mark.parametrize("odd_cell", [" 2024-01-03", "'2024-01-03", "2024-01-03\u00a0"])
def test_a_padded_date_in_a_large_iso_column_is_still_read(tmp_path, odd_cell):
    rows = [f"C{i % 700},2024-01-{1 + i % 28:02d} 10:00:00,{i}.50" for i in range(3000)]
    rows[1500] = f"C1,{odd_cell},5.00"
    path = tmp_path / "orders.csv"
    path.write_text("Customer ID,Date,Total\n" + "\n".join(rows) + "\n", encoding="utf-8")
    data = read_orders(path)
    assert data.report.rows_used == 3000
    assert data.orders.loc[data.orders["row"] == 1502, "date"].iloc[0] == pd.Timestamp("2024-01-03")


def test_non_utf8_text_after_the_sniffed_part_is_read_as_windows_1252(tmp_path):
    rows = "".join(f"a{i}@x.test,Ann,2024-01-{1 + i % 28:02d},{i % 90}.50\n" for i in range(12000))
    path = tmp_path / "orders.csv"
    path.write_bytes(("Email,Name,Date,Total\n" + rows + "zoe@x.test,Zoë,2024-02-01,3.00\n").encode("cp1252"))
    data = read_orders(path)
    assert data.customers.loc["zoe@x.test", "name"] == "Zoë"
    assert any("Windows-1252" in note for note in data.report.notes)
    assert data.report.rows_used == 12001


def test_many_customers_come_back_once_each_in_the_same_order_every_time(tmp_path):
    ids = [f"{c}{i}" for i in range(6000) for c in ("b", "A", "é", "Z")][::-1]
    path = tmp_path / "orders.csv"
    path.write_text("Customer ID,Date,Total\n" + "".join(f"{c},2024-01-01,{i}.00\n" for i, c in enumerate(ids)),
                    encoding="utf-8")
    customers = read_orders(path).customers
    assert customers.index.is_unique and sorted(customers.index) == sorted(ids)
    assert customers.index.equals(read_orders(path).customers.index)


@pytest.mark.parametrize("odd_cell", [None, "2024-02-30 10:00:00 +0100", "2024-01-03 24:00:00 +0100",
                                      "2024-01-03 10:00:00 later", "２024-01-03 10:00:00 +0100",
                                      "2024-01-03T10:00:00.250Z", " 2024-01-03 10:00:00 +0100", "3 Jan 2024"])
def test_large_columns_of_stamps_with_offsets_read_as_each_cell_alone(odd_cell):
    """Export time stamps ("2024-01-03 10:00:00 +0100", fractions, "Z") take a whole-column
    path; every cell gets the wall-clock time the per-cell parser gives it (to the second),
    and one odd cell sends the column back to the per-cell parser."""
    from clv_engine.intake.values import parse_dates, parse_dates_distinct

    cells = [f"2024-{1 + i % 12:02d}-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d}:{i * 7 % 60:02d}"
             f"{['', ' +0100', '-05:00', 'Z', '.123 +0530'][i % 5]}" for i in range(3000)]
    cells[10::7] = [""] * len(cells[10::7])  # line items without the order's date
    if odd_cell is not None:
        cells[1700] = odd_cell
    values = pd.Series(cells, dtype=str)
    fast, info = parse_dates(values)
    slow, _ = parse_dates_distinct(values)
    assert info.order == "YMD"
    assert fast.dt.floor("s").equals(slow.dt.floor("s"))
    assert fast.notna().sum() == sum(1 for c in cells if c) - (odd_cell is not None and slow[1700] is pd.NaT)


def test_total_labels_and_number_only_rows_are_found_among_many_line_items(tmp_path):
    lines = []
    for i in range(3000):
        lines.append(f"#{i},c{i % 400}@x.test,2024-01-{1 + i % 28:02d} 10:00:00 +0100,10.00,Mug,1")
        lines.append(f"#{i},,,,Total mug,2")  # a second line item: no date, names the order
    lines += [",,,,TOTAL,6000", ",,,,,30000.00", ",,,,Grand total:,30000.00"]
    path = tmp_path / "orders.csv"
    path.write_text("Name,Email,Created at,Total,Lineitem name,Lineitem quantity\n" + "\n".join(lines) + "\n")
    data = read_orders(path)
    assert data.report.rows_skipped.get("totals row") == 3
    assert len(data.orders) == 3000 and data.orders["amount"].sum() == pytest.approx(30000.0)


def test_text_is_stored_as_python_strings_whatever_the_callers_pandas_setting(tmp_path):
    """With pyarrow installed pandas 3 would store text in Arrow arrays; the engine picks
    Python strings itself for its own work and leaves the caller's setting as it was."""
    pytest.importorskip("pyarrow")
    path = write_blocks(tmp_path / "orders.csv", 2)
    with pd.option_context("mode.string_storage", "pyarrow"):
        data = read_orders(path)
        assert pd.get_option("mode.string_storage") == "pyarrow"
        assert pd.Series(["x"], dtype="string").dtype.storage == "pyarrow"
    assert data.customers["email"].dtype.storage == "python"
