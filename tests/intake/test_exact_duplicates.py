"""Exact duplicate rows are found whether or not the file is in date order."""
from __future__ import annotations

import pytest

from clv_engine.intake import read_orders

HEADER = ["Customer", "Date", "Total", "Note"]
ROWS = [
    ["A", "2024-01-01 09:00:00", "10.00", ""],
    ["B", "2024-01-02 10:00:00", "20.00", ""],
    ["B", "2024-01-02 10:00:00", "20.00", ""],      # exact duplicate of the row above
    ["C", "2024-01-02 10:00:00", "20.00", ""],      # same date and amount, other customer
    ["B", "2024-01-02 10:00:00", "20.00", "gift"],  # differs in one cell: not a duplicate
    ["D", "2024-01-03 11:00:00", "5.00", ""],
    ["A", "2024-01-04 12:00:00", "10.00", ""],
]


def _skipped(rows):
    data = read_orders([HEADER, *rows])
    return {int(r): reason for r, reason in zip(data.report.skipped["row"], data.report.skipped["reason"])}, data


@pytest.mark.parametrize("order", ["ascending", "descending", "shuffled"])
def test_exact_duplicate_is_skipped_once_in_any_row_order(order):
    rows = list(ROWS)
    if order == "descending":
        rows = rows[::-1]
    elif order == "shuffled":
        rows = [rows[i] for i in (3, 0, 6, 2, 5, 1, 4)]
    skipped, data = _skipped(rows)
    assert list(skipped.values()) == ["exact duplicate"]
    (row,) = skipped
    assert rows[row - 2] == ["B", "2024-01-02 10:00:00", "20.00", ""]  # row 1 is the header
    # the first of the two identical rows is kept
    first = min(i for i, r in enumerate(rows) if r == ["B", "2024-01-02 10:00:00", "20.00", ""]) + 2
    assert row != first
    assert len(data.orders) == len(rows) - 1


def test_unreadable_dates_in_a_sorted_file_keep_their_own_reason():
    # the unreadable dates break the date order, so every row is checked for duplicates
    rows = [*ROWS, ["E", "someday", "7.00", ""], ["E", "someday", "7.00", ""]]
    skipped, _ = _skipped(rows)
    assert sorted(skipped.values()) == ["exact duplicate", "unreadable date", "unreadable date"]


def test_summary_lines_agree_with_counts_of_one():
    _, data = _skipped(ROWS)
    lines = data.report.summary_lines()
    assert "7 rows read, 6 used, 1 skipped." in lines and "1 exact duplicate row left out." in lines
    one = read_orders([HEADER, ROWS[0]]).report
    assert "1 row read, 1 used, 0 skipped." in one.summary_lines()
    one.refunds_netted = 1
    assert "1 refund netted against its order." in one.summary_lines()
    one.refunds_netted = 2
    assert "2 refunds netted against their orders." in one.summary_lines()
