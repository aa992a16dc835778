"""'Total value' meant expected value (CLV) on the Tiers sheet and in segments.csv but spend to
date on the tier sheets and in customers.csv: every place now says which it is."""

import pandas as pd
import pytest

openpyxl = pytest.importorskip("openpyxl")

from clv_engine.report import write_excel_report  # noqa: E402
from clv_engine.segments import profile_file_columns, profiles_for_files, segment_profiles  # noqa: E402


def _rows(ws):
    rows = list(ws.iter_rows(values_only=True))
    header = list(rows[0])
    return header, [dict(zip(header, r)) for r in rows[1:] if r[0] is not None]


def test_report_names_expected_value_and_spend_apart(analysis, tmp_path):
    path = write_excel_report(analysis, tmp_path / "report.xlsx")
    book = openpyxl.load_workbook(path)
    customers = analysis.customers
    for sheet in ("Tiers", "RFM segments"):
        header, _ = _rows(book[sheet])
        assert "Total value" not in header and "Average order value" not in header
        assert {"Expected value (CLV), total", "Expected value (CLV), average per customer",
                "Share of expected value (CLV)", "Spent to date", "Average order (spent to date ÷ orders)"} <= set(header)
    _, tiers = _rows(book["Tiers"])
    high = next(r for r in tiers if r["Tier"] == "High")
    mine = customers[customers["tier"] == "High"]
    assert high["Expected value (CLV), total"] == pytest.approx(mine["clv"].sum())
    assert high["Spent to date"] == pytest.approx(mine["total_value"].sum())
    assert high["Average order (spent to date ÷ orders)"] == pytest.approx(mine["total_value"].sum()
                                                                          / mine["orders"].sum())
    header, people = _rows(book["Tier High"])
    assert "Spent to date" in header and "Total value" not in header
    assert sum(p["Spent to date"] for p in people) == pytest.approx(mine["total_value"].sum())
    assert book["Tiers"]._charts[0].y_axis.title is not None


def test_profiles_for_files_rename_the_value_totals():
    customers = pd.DataFrame({"customer_id": ["a", "b", "c"], "tier": ["High", "Low", "Low"],
                              "clv": [100.0, 10.0, 30.0], "total_value": [250.0, 20.0, 40.0], "orders": [5, 1, 1]})
    profile = segment_profiles(customers, "tier")
    assert profile.set_index("tier").loc["High", "spent_to_date"] == 250.0
    assert profile.set_index("tier").loc["Low", "average_order_value"] == pytest.approx(30.0)
    named = profiles_for_files(profile)
    assert {"expected_value_total", "expected_value_average", "share_of_expected_value", "spent_to_date",
            "average_order_value"} <= set(named.columns)
    assert "total_value" not in named.columns and "average_value" not in named.columns
    assert named.set_index("tier").loc["High", "expected_value_total"] == 100.0
    # ranked by spend: the totals are the spend, named so and not repeated
    by_spend = profiles_for_files(segment_profiles(customers, "tier", value_col="total_value"), "total_value")
    assert "spent_to_date_total" in by_spend.columns and "spent_to_date" not in by_spend.columns
    assert profile_file_columns("clv")["total_value"] == "expected_value_total"


def test_a_historical_value_after_margin_is_named_gross_profit_not_value_to_date(tmp_path):
    """Value to date × a margin below 100% is not the customers' spend to date (customers.csv's
    total_value): the totals and tier headers call it gross profit to date."""
    from clv_engine.pipeline import Settings, analyze, value_words

    rows = [{"customer_id": f"c{i:02d}", "date": f"2024-{1 + i % 12:02d}-15", "amount": 10.0 * (i + 1)}
            for i in range(30)]
    result = analyze(pd.DataFrame(rows), Settings(method="historical", margin=0.4))
    assert value_words(result.summary) == "gross profit to date"
    assert "gross profit to date" in result.summary["headline"]
    book = openpyxl.load_workbook(write_excel_report(result, tmp_path / "report.xlsx"))
    header, tiers = _rows(book["Tiers"])
    assert "Gross profit to date (CLV), total" in header and "Expected value (CLV), total" not in header
    high = next(r for r in tiers if r["Tier"] == "High")
    assert high["Gross profit to date (CLV), total"] == pytest.approx(0.4 * high["Spent to date"])
    summary_text = " ".join(str(c) for row in book["Summary"].iter_rows(values_only=True) for c in row if c)
    assert "Total gross profit to date:" in summary_text
    # at a margin of 100% it is the value to date
    plain = analyze(pd.DataFrame(rows), Settings(method="historical"))
    assert value_words(plain.summary) == "value to date"
