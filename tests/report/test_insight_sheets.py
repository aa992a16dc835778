"""The report's sheets about who buys what, cohorts, drivers and payback, on a realistic line-item export."""
import dataclasses
import re
from pathlib import Path

import pytest

openpyxl = pytest.importorskip("openpyxl")

from clv_engine.pipeline import Settings, analyze  # noqa: E402
from clv_engine.report.insight_sheets import write_insight_sheets  # noqa: E402

DATA = Path(__file__).parents[1] / "data"


@pytest.fixture(scope="module")
def shop():
    return analyze(DATA / "line_items_shop.csv", Settings(method="historical", margin=1.0, acquisition_cost=60,
                                                          channel_costs="Instagram=80,Marketplace=30"))


@pytest.fixture(scope="module")
def book(shop, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    shop.write(out)
    return openpyxl.load_workbook(out / "report.xlsx")


def _texts(sheet):
    return [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]


def test_report_gains_profile_cohort_driver_and_payback_sheets(book):
    names = book.sheetnames
    for name in ("Who buys what", "Cohorts", "Drivers", "Payback"):
        assert name in names
    assert names.index("Charts") < names.index("Who buys what") < names.index("Intake")


def test_profile_sheet_shows_what_the_high_tier_buys_with_lift(shop, book):
    texts = _texts(book["Who buys what"])
    high_tier = int((shop.customers["tier"] == "High").sum())
    assert 290 <= high_tier <= 300 and f"High tier: {high_tier} customers" in texts
    high = shop.insights.profiles
    top = high[(high["group_by"] == "tier") & (high["segment"] == "High") & (high["dimension"] == "subcategory")]
    assert top.iloc[0]["value"] in texts
    # besides what it spends most on, its clearest preference per order (Machines: 1.6× per order)
    most_lifted = top[top["preference"]].sort_values("order_lift").iloc[-1]["value"]
    rows = list(book["Who buys what"].iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == f"High tier: {high_tier} customers")
    end = next(i for i, r in enumerate(rows) if i > start and isinstance(r[0], str) and r[0].startswith("Medium"))
    header = list(rows[start + 1])
    assert header[3:7] == ["Share of its orders", "Share of all orders", "Times as often per order", "Clear preference"]
    shown = {(r[0], r[1]): r for r in rows[start:end]}
    assert ("Sub-category", most_lifted) in shown
    assert shown[("Sub-category", most_lifted)][6] == "yes"
    assert len(book["Who buys what"]._charts) == 1


def test_cohort_sheet_is_a_heat_map_with_a_chart(book):
    sheet = book["Cohorts"]
    rules = [rule for cf in sheet.conditional_formatting for rule in cf.rules]
    assert sum(rule.type == "colorScale" for rule in rules) == 2
    texts = _texts(sheet)
    assert "2023-01" in texts and "All cohorts" in texts and "M0" in texts
    assert len(sheet._charts) == 1


def test_driver_and_payback_sheets_have_native_charts(book):
    assert len(book["Drivers"]._charts) == 1
    assert len(book["Payback"]._charts) == 1
    texts = _texts(book["Payback"])
    assert "Payback month" in texts and "By sales channel" in texts


def test_payback_curve_says_how_it_is_built_and_never_falls(book):
    rows = list(book["Payback"].iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == "Months since first order")
    assert str(rows[start - 1][0]).startswith("Each month adds the average margin earned in that month")
    margin = [r[1] for r in rows[start + 1:] if isinstance(r[0], int)]
    assert len(margin) > 3 and all(b >= a for a, b in zip(margin, margin[1:]))


def test_summary_sheet_carries_the_findings(shop, book):
    texts = _texts(book["Summary"])
    assert shop.insights.findings and shop.insights.findings[0] in texts


def test_no_nan_cells_in_the_new_sheets(book):
    for name in ("Who buys what", "Cohorts", "Drivers", "Payback"):
        for row in book[name].iter_rows(values_only=True):
            for value in row:
                assert not (isinstance(value, float) and value != value), name


def test_sheets_work_in_a_write_only_workbook(shop, tmp_path):
    workbook = openpyxl.Workbook(write_only=True)
    taken = []
    write_insight_sheets(workbook, shop.insights, "USD", lambda name: taken.append(name) or name)
    workbook.save(tmp_path / "wo.xlsx")
    loaded = openpyxl.load_workbook(tmp_path / "wo.xlsx")
    assert loaded.sheetnames == taken == ["Who buys what", "Cohorts", "Drivers", "Payback"]


def test_a_plain_order_list_says_what_could_not_be_profiled(tmp_path):
    path = tmp_path / "plain.csv"
    rows = ["customer,date,amount"] + [f"c{i % 40},2024-{1 + i % 12:02d}-{1 + i % 27:02d},{10 + i % 7}"
                                       for i in range(200)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = analyze(path, Settings(method="historical"))
    result.write(tmp_path / "out")
    texts = _texts(openpyxl.load_workbook(tmp_path / "out" / "report.xlsx")["Who buys what"])
    assert any(t.startswith("Not profiled: what each segment buys") for t in texts)
    assert any(t.startswith("Not profiled: sales channels") for t in texts)


def test_counts_of_one_are_singular(shop, tmp_path):
    """One customer in a segment, one repeat customer, a one-day wait, a one-month window and history."""
    insights = shop.insights
    profiles = insights.profiles
    high = (profiles["group_by"] == "tier") & (profiles["segment"] == "High")
    one = dataclasses.replace(
        insights,
        profiles=profiles.assign(segment_customers=profiles["segment_customers"].where(~high, 1)),
        repeat={**insights.repeat, "customers": 1, "repeat_rate": 1.0,
                "days_to_second_order": {**insights.repeat["days_to_second_order"], "median": 1.0}},
        drivers=insights.drivers.assign(window_months=1),
        acquisition={**insights.acquisition, "payback_month": None, "months_observed": 1})
    workbook = openpyxl.Workbook()
    write_insight_sheets(workbook, one, "USD", lambda name: name)
    workbook.save(tmp_path / "one.xlsx")
    book = openpyxl.load_workbook(tmp_path / "one.xlsx")
    texts = {name: _texts(book[name]) for name in ("Who buys what", "Cohorts", "Drivers", "Payback")}
    assert any(t in ("High tier: 1 customer", "High tier: 1 customer — too few customers to trust")
               for t in texts["Who buys what"])
    assert ("100% of 1 customer ordered more than once; the median wait for the second order is 1 day."
            in texts["Cohorts"])
    assert any(t.startswith("Average spend in a customer's first 1 month, over") for t in texts["Drivers"])
    assert "Spent in first 1 month" in texts["Drivers"]
    assert book["Drivers"]._charts[0].title.tx.rich.p[0].r[0].t == "Spent in the first 1 month by first category"
    assert "not within 1 month" in texts["Payback"]
    for name, sheet_texts in texts.items():
        assert not any(re.search(r"\b1 (customers|days|months)\b", t) for t in sheet_texts), name


def test_the_payback_chart_covers_no_table_and_draws_straight_lines(book):
    chart = book["Payback"]._charts[0]
    anchor = chart.anchor._from
    assert anchor.col >= 10  # column K or further right: the tables use columns A to I
    assert all(series.smooth is False for series in chart.series)


def test_without_a_margin_the_owner_is_told_the_most_worth_paying_counts_revenue_as_profit(tmp_path):
    # the bundled Shopify sample has no profit or cost column
    sample = Path(__file__).parents[2] / "clv_engine" / "sample" / "shopify_orders_sample.csv"
    shop = analyze(sample, Settings(method="historical"))
    found = shop.insights.findings
    assert any("depends on your margin, which was not given" in f for f in found)
    assert not any("The most it is worth paying" in f for f in found)
    shop.write(tmp_path)
    texts = _texts(openpyxl.load_workbook(tmp_path / "report.xlsx")["Payback"])
    assert any(t.startswith("No margin was given, so these figures count revenue as profit") for t in texts)
