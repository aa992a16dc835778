"""The customer table model and its numpy sort/filter proxy."""
from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

from clv_desktop.models import ColumnTableModel, RowFilterProxy  # noqa: E402
from clv_desktop.insights import ValueContext  # noqa: E402
from clv_desktop.table_data import ColumnTable, customer_columns  # noqa: E402

from .fakes import fake_customers  # noqa: E402


def _models(frame):
    known = customer_columns(ValueContext(currency="GBP", method="predictive", horizon_months=12))
    model = ColumnTableModel(ColumnTable.from_frame(frame, known=known))
    proxy = RowFilterProxy()
    proxy.setSourceModel(model)
    return model, proxy


def _column(proxy, key):
    return proxy.sourceModel().table.column_index(key)


def _shown(proxy, key):
    col = _column(proxy, key)
    return [proxy.index(r, col).data() for r in range(proxy.rowCount())]


def test_models_pass_qt_model_tester(qtmodeltester):
    model, proxy = _models(fake_customers(50))
    qtmodeltester.check(model)
    qtmodeltester.check(proxy)
    proxy.sort(_column(proxy, "clv"), Qt.SortOrder.DescendingOrder)
    proxy.set_filter("tier", "High")
    proxy.set_search("person 1", ("name", "email"))
    qtmodeltester.check(proxy)


def test_cells_are_formatted_for_people():
    frame = pd.DataFrame({"name": ["Ann", None], "clv": [1234.5, np.nan],
                          "p_alive": [0.42, 1.0], "last_order": pd.to_datetime(["2024-03-05", None]),
                          "consent": pd.array([True, pd.NA], dtype="boolean")})
    model, _ = _models(frame)
    table = model.table
    cells = {key: [model.index(r, table.column_index(key)).data() for r in range(2)]
             for key in frame.columns}
    assert cells["name"] == ["Ann", ""]
    assert cells["clv"] == ["1,234.50", ""]
    assert cells["p_alive"] == ["42%", "100%"]
    assert cells["last_order"] == ["2024-03-05", ""]
    assert cells["consent"] == ["yes", "unknown"]
    assert model.headerData(table.column_index("clv"), Qt.Orientation.Horizontal) == \
        "Expected value, next 12 months (£)"


def test_sorting_by_value_orders_rows_and_keeps_ties_in_previous_order():
    frame = pd.DataFrame({"name": ["a", "b", "c", "d", "e"], "clv": [5.0, 1.0, 5.0, np.nan, 3.0],
                          "tier": ["Low", "High", "High", "Low", "Low"]})
    _, proxy = _models(frame)
    proxy.sort(_column(proxy, "clv"), Qt.SortOrder.DescendingOrder)
    assert _shown(proxy, "name") == ["a", "c", "e", "b", "d"]  # missing value last
    proxy.sort(_column(proxy, "tier"), Qt.SortOrder.AscendingOrder)
    # stable: within a tier the previous (value) order is kept
    assert _shown(proxy, "name") == ["c", "b", "a", "e", "d"]


def test_text_sort_ignores_case():
    frame = pd.DataFrame({"name": ["bob", "Alice", "carl", "alice"]})
    _, proxy = _models(frame)
    proxy.sort(_column(proxy, "name"), Qt.SortOrder.AscendingOrder)
    assert _shown(proxy, "name") == ["Alice", "alice", "bob", "carl"]


def test_filter_by_tier_and_search_by_name_or_email():
    frame = fake_customers(300)
    _, proxy = _models(frame)
    proxy.set_filter("tier", "High")
    assert proxy.rowCount() == (frame["tier"] == "High").sum()
    assert set(_shown(proxy, "tier")) == {"High"}
    proxy.set_search("PERSON12@", ("name", "email"))
    expected = frame[(frame["tier"] == "High") & frame["email"].str.startswith("person12@")]
    assert proxy.rowCount() == len(expected)
    proxy.set_filter("tier", None)
    proxy.set_search("", ())
    assert proxy.rowCount() == 300


def test_filter_and_sort_combine():
    frame = fake_customers(100)
    _, proxy = _models(frame)
    proxy.set_filter("rfm_segment", "Lost")
    proxy.sort(_column(proxy, "clv"), Qt.SortOrder.AscendingOrder)
    rows = proxy.visible_source_rows()
    expected = frame.index[frame["rfm_segment"] == "Lost"]
    assert sorted(rows.tolist()) == sorted(expected.tolist())
    values = frame["clv"].to_numpy()[rows]
    assert np.all(np.diff(values) >= 0)


def test_proxy_maps_rows_both_ways():
    frame = fake_customers(40)
    model, proxy = _models(frame)
    proxy.sort(_column(proxy, "clv"), Qt.SortOrder.DescendingOrder)
    proxy.set_filter("tier", "Low")
    for row in range(proxy.rowCount()):
        source = proxy.mapToSource(proxy.index(row, 0))
        assert proxy.mapFromSource(source).row() == row
    hidden = int(np.flatnonzero(frame["tier"].to_numpy() != "Low")[0])
    assert not proxy.mapFromSource(model.index(hidden, 0)).isValid()


def test_sorting_many_distinct_names_matches_a_case_insensitive_sort_with_missing_last():
    rng = np.random.default_rng(3)
    names = [f"{rng.choice(['ann', 'Bob', 'CARL', 'dora'])} {i}" for i in range(8000)]
    names[17] = None
    _, proxy = _models(pd.DataFrame({"name": names}))
    proxy.sort(_column(proxy, "name"), Qt.SortOrder.AscendingOrder)
    shown = _shown(proxy, "name")
    present = [n for n in names if n is not None]
    assert shown[:-1] == sorted(present, key=str.lower)
    assert shown[-1] == ""


def test_search_finds_substrings_anywhere_and_ignores_case():
    frame = pd.DataFrame({"name": ["Zoë Müller", None, "Ann Lee", "bob"],
                          "email": ["zoe@x.org", "ANN@shop.com", "", "bob@ann.net"]})
    _, proxy = _models(frame)
    proxy.set_search("ann", ("name", "email"))
    assert _shown(proxy, "email") == ["ANN@shop.com", "", "bob@ann.net"]
    proxy.set_search("MÜLL", ("name", "email"))
    assert _shown(proxy, "name") == ["Zoë Müller"]
    proxy.set_search("nobody", ("name", "email"))
    assert proxy.rowCount() == 0


@pytest.mark.parametrize("lifespan, text", [(4.416667, "(4.4 years, simple formula)"),
                                            (1.0, "(1 year, simple formula)"), (None, "(an estimated lifetime")])
def test_the_simple_formulas_lifespan_reads_as_a_person_writes_it(lifespan, text):
    assert text in ValueContext(method="simple", lifespan_years=lifespan).value_phrase()


def test_cards_of_a_shop_with_one_customer_speak_in_the_singular():
    from clv_desktop.insights import summary_cards

    cards = summary_cards(pd.DataFrame({"customer_id": ["a"], "clv": [12.0]}), {"method": "historical"})
    text = " ".join(f"{c.title} {c.value} {c.explanation}" for c in cards)
    assert "What your 1 customer has spent so far;" in text and "1 customers" not in text
    cards = summary_cards(pd.DataFrame({"customer_id": ["a"], "clv": [12.0]}), {"method": "predictive"})
    assert "What your 1 customer is expected over the next 12 months;" in " ".join(c.explanation for c in cards)
