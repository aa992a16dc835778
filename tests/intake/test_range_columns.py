"""Excel ranges are converted column by column; the result must equal cell-by-cell reading."""
import datetime as dt

import numpy as np

from clv_engine.intake import read_orders


def _range(n=120):
    rows = [["My shop export", None, None, None], ["Customer", "Email", "Date", "Total"]]
    for i in range(n):
        date = dt.datetime(2024, 1, 1) + dt.timedelta(days=i % 300, hours=(i % 3) * 5)
        total = [12.5, 40.0, 0.1, None, 1234.56, 7][i % 6]
        rows.append([f"C{i % 37}", f"c{i % 37}@shop.test", date, total])
    rows.append(["Total", None, None, 9999.0])
    return rows


def test_a_typed_range_reads_like_the_same_cells_as_text():
    rows = _range()
    as_text = [["" if c is None else (c.strftime("%Y-%m-%d %H:%M:%S") if isinstance(c, dt.datetime)
                                      else (str(int(c)) if isinstance(c, float) and c.is_integer() else str(c)))
                for c in r] for r in rows]
    typed, text = read_orders(rows), read_orders(as_text)
    assert typed.report.rows_read == text.report.rows_read == 121
    assert typed.report.rows_skipped == text.report.rows_skipped
    assert typed.orders["customer_id"].tolist() == text.orders["customer_id"].tolist()
    np.testing.assert_allclose(typed.orders["amount"], text.orders["amount"])
    assert (typed.orders["date"] == text.orders["date"]).all()
    assert typed.orders["date"].dt.hour.isin([0, 5, 10]).all()


def test_a_range_with_blank_cells_and_ragged_rows_reads_like_the_padded_range():
    rows = _range()
    ragged = [list(r) for r in rows]
    ragged[5] = ragged[5][:3]  # a row xlwings would never give, but a Python caller might
    padded = [r + [None] * (4 - len(r)) for r in ragged]
    a, b = read_orders(ragged), read_orders(padded)
    assert a.report.rows_read == b.report.rows_read
    assert a.orders["amount"].tolist() == b.orders["amount"].tolist()


def test_time_zones_mixed_in_a_date_column_are_read_cell_by_cell():
    rows = _range()
    utc, plus_two = dt.timezone.utc, dt.timezone(dt.timedelta(hours=2))
    zoned = [list(r) for r in rows]
    for i, r in enumerate(zoned[2:-1]):
        r[2] = r[2].replace(tzinfo=utc if i % 2 else plus_two)
    a, b = read_orders(zoned), read_orders(rows)
    assert a.report.rows_skipped == b.report.rows_skipped
    assert (a.orders["date"] == b.orders["date"]).all()  # wall-clock time as the cell shows it


def test_typed_columns_become_the_text_each_cell_would_give():
    """Numbers and datetimes are converted once per distinct value: the text is the same as
    cell by cell, for every kind of value an Excel range holds (before and after row 20)."""
    from clv_engine.intake.files import cell_to_text, read_raw_table

    rng = np.random.default_rng(3)
    n = 3000
    money = [None, 0.1, 12.5, -3.0, 1234.56, 1e15, 2.5e-7, float("nan"), float("inf"), 19.99, 7.0, -0.05]
    base = dt.datetime(2024, 3, 1)
    zone = dt.timezone(dt.timedelta(hours=2))
    rows = [["Amount", "Whole", "When", "Zoned", "Mixed"]]
    for i in range(n):
        rows.append([money[i % len(money)] if i % 5 else float(np.round(rng.gamma(2.0, 9.0), 2)),
                     [None, 3, 12.0, -1, 10**14][i % 5],
                     None if i % 97 == 0 else base + dt.timedelta(days=i % 400, minutes=int(rng.integers(0, 3)) * 90),
                     dt.datetime(2024, 1, 1, 23, 30, tzinfo=zone) + dt.timedelta(days=i % 9),
                     ["x", 1.5, None, dt.date(2024, 1, 2)][i % 4]])
    grid = read_raw_table(rows).grid
    for j in range(5):
        want = [cell_to_text(r[j]) for r in rows]
        assert grid[j].tolist() == want, rows[0][j]
