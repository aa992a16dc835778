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
