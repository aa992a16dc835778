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
