"""An as-of date ends the history the analysis sees: later rows are accounted for as
skipped, not dropped, and nothing in them reaches the orders before it."""
import pandas as pd
import pytest

from clv_engine import cli
from clv_engine.intake import read_orders

ROWS = [  # order, email, date, total, status, newsletter
    ("1", "ann@example.com", "2024-01-05", "10.00", "paid", "yes"),
    ("2", "bob@example.com", "2024-02-01", "30.00", "paid", "yes"),
    ("3", "ann@example.com", "2024-03-31 18:00", "20.00", "paid", "yes"),  # on the as-of day: kept
    ("4", "cat@example.com", "2024-04-02", "15.00", "paid", "yes"),  # only after: not a customer
    ("5", "ann@example.com", "2024-04-10", "25.00", "paid", "unsubscribed"),
    ("", "bob@example.com", "2024-04-11", "-30.00", "refunded", "yes"),  # a return after the cut
]


def _file(tmp_path, rows=ROWS):
    path = tmp_path / "orders.csv"
    path.write_text("Order,Email,Date,Total,Status,Newsletter\n" + "".join(",".join(r) + "\n" for r in rows),
                    encoding="utf-8")
    return path


def test_rows_after_the_as_of_day_are_skipped_with_their_reason(tmp_path):
    data = read_orders(_file(tmp_path), as_of="2024-03-31")
    report = data.report
    assert report.rows_read == 6 and report.rows_used == 3
    assert report.rows_skipped == {"after the as-of date": 3}
    assert report.skipped["row"].tolist() == [5, 6, 7] and set(report.skipped["reason"]) == {"after the as-of date"}
    assert sorted(data.orders["amount"]) == [10.0, 20.0, 30.0]  # bob's later return does not reach his order
    assert list(data.customers.index) == ["ann@example.com", "bob@example.com"]
    note = next(n for n in report.notes if "as-of" in n)
    assert note == ("3 rows dated after the as-of date 2024-03-31 were left out; 1 customer who first ordered "
                    "after it is not in the results.")


def test_the_cut_file_and_the_whole_file_with_as_of_give_the_same_orders(tmp_path):
    whole = read_orders(_file(tmp_path), as_of="2024-03-31")
    (tmp_path / "cut").mkdir()
    cut = read_orders(_file(tmp_path / "cut", ROWS[:3]))
    ids = ["customer_id", "order_id"]  # (categories: every id of the file read)
    pd.testing.assert_frame_equal(whole.orders.drop(columns=ids), cut.orders.drop(columns=ids))
    for column in ids:
        assert whole.orders[column].astype(str).tolist() == cut.orders[column].astype(str).tolist()


def test_a_later_opt_out_is_still_respected(tmp_path):
    data = read_orders(_file(tmp_path), as_of="2024-03-31")
    assert data.customers.loc["ann@example.com", "consent"] == False  # noqa: E712  (said on 2024-04-10)
    assert data.customers.loc["bob@example.com", "consent"] == True  # noqa: E712


def test_the_command_counts_the_rows_after_the_as_of_date(tmp_path, capsys):
    out = tmp_path / "out"
    assert cli.main(["analyze", str(_file(tmp_path)), "--as-of", "2024-03-31", "--out", str(out), "--no-report"]) == 0
    text = capsys.readouterr().out
    assert "6 rows read, 3 used, 3 skipped (3 after the as-of date)" in text
    intake = pd.read_csv(out / "intake.csv")
    assert intake["reason"].tolist() == ["after the as-of date"] * 3


def test_an_as_of_date_long_after_the_last_order_is_said(tmp_path):
    notes = read_orders(_file(tmp_path), as_of="2026-01-31").report.notes
    assert any(n.startswith("The as-of date 2026-01-31 is 1.8 years after the last order in the file (2024-04-11)")
               for n in notes), notes


@pytest.mark.parametrize("as_of", ["2024-03-31", pd.Timestamp("2024-03-31"), pd.Timestamp("2024-03-31 23:59:59")])
def test_the_as_of_day_counts_whole_in_any_spelling(tmp_path, as_of):
    assert read_orders(_file(tmp_path), as_of=as_of).report.rows_used == 3
