"""Property: every data row is used or skipped with a reason, whatever the mess."""
import string

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clv_engine.intake import SKIP_REASONS, read_orders

EMAILS = ["ann@x.test", "BOB@x.test ", "cy@x.test", "", "n/a"]
NAMES = ["Ann Lee", "Bob Day", "", "Zoë Brandt"]
DATES = ["2024-03-05", "2024-03-05 14:22:10 +0100", "05/03/2024", "13/03/2024", "", "soon", "45356", "5 Mar 2024"]
AMOUNTS = ["12.50", "$1,240.00", "(5.00)", "-3.00", "0", "", "lots", "7,50", "USD 9.99", "20.00-"]
CURRENCIES = ["USD", "USD", "EUR", ""]


@st.composite
def messy_rows(draw):
    n = draw(st.integers(1, 25))
    rows = []
    for i in range(n):
        kind = draw(st.sampled_from(["order", "order", "order", "blank", "total", "dup", "refund"]))
        if kind == "blank":
            rows.append(["", "", "", "", "", "", ""])
        elif kind == "total":
            rows.append(["Total", "", "", "", draw(st.sampled_from(["100.00", "$5"])), "", ""])
        elif kind == "dup" and rows:
            rows.append(list(draw(st.sampled_from(rows))))
        else:
            amount = draw(st.sampled_from(AMOUNTS))
            order = draw(st.sampled_from([f"#{i}", f"#{max(i - 1, 0)}", ""]))
            if kind == "refund":
                amount = "-" + amount.lstrip("-")
            rows.append([order, draw(st.sampled_from(EMAILS)), draw(st.sampled_from(NAMES)),
                         draw(st.sampled_from(DATES)), amount, draw(st.sampled_from(CURRENCIES)),
                         draw(st.text(string.ascii_letters + " ,;\"", max_size=6))])
    return rows


HEADER = ["Order", "Email", "Customer Name", "Date", "Total", "Currency", "Note"]


def to_csv(rows, delimiter):
    def quote(cell):
        return '"' + cell.replace('"', '""') + '"' if any(c in cell for c in ' ,;|\t"') else cell
    return "\n".join(delimiter.join(quote(c) for c in r) for r in [HEADER] + rows) + "\n"


def check(data):
    r = data.report
    assert r.rows_read == r.rows_used + len(r.skipped)
    assert set(r.skipped["reason"]) <= set(SKIP_REASONS)
    assert r.skipped["row"].is_unique
    assert not data.orders["amount"].isna().any() and not data.orders["date"].isna().any()
    assert (data.orders["customer_id"] != "").all()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=messy_rows(), delimiter=st.sampled_from([",", ";", "\t", "|"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
       title=st.booleans())
def test_every_row_is_used_or_skipped_with_a_reason(tmp_path, rows, delimiter, encoding, title):
    text = ("Orders export\n\n" if title else "") + to_csv(rows, delimiter)
    path = tmp_path / "orders.csv"
    path.write_bytes(text.encode(encoding, errors="replace"))
    try:
        data = read_orders(path)
    except Exception as err:  # only clear input errors are allowed
        from clv_engine.errors import InputError

        assert isinstance(err, InputError), repr(err)
        return
    check(data)
    nonblank = [r for r in rows if any(c.strip() for c in r)]
    last = max((i for i, r in enumerate(rows) if any(c.strip() for c in r)), default=-1)
    assert data.report.rows_read == last + 1 >= len(nonblank)


@settings(max_examples=25, deadline=None)
@given(rows=messy_rows())
def test_range_input_accounts_for_every_row(rows):
    try:
        data = read_orders([HEADER] + rows)
    except Exception as err:
        from clv_engine.errors import InputError

        assert isinstance(err, InputError), repr(err)
        return
    check(data)
    assert isinstance(data.preview, pd.DataFrame)
