"""Formula CLV: simple, net, retention (infinite and finite horizon), historical."""
import numpy as np
import pandas as pd
import pytest

from clv_engine.errors import InputError
from clv_engine.formulas import (
    measured_retention,
    DEFAULT_LIFESPAN_YEARS,
    business_clv,
    estimate_lifespan_years,
    historical_clv,
    retention_clv,
    retention_clv_per_customer,
    simple_clv,
    simple_clv_per_customer,
)
from clv_engine.summary import customer_summary


def test_simple_clv_is_aov_times_frequency_times_lifespan():
    assert simple_clv(50, 4, 3) == 600
    # 40% gross margin and 20 to acquire the customer: 600 * 0.4 - 20
    assert simple_clv(50, 4, 3, margin=0.4, acquisition_cost=20) == pytest.approx(220)
    np.testing.assert_allclose(simple_clv(np.array([10.0, 20.0]), 2, 1), [20, 40])


def test_net_clv_can_be_negative_for_an_unprofitable_customer():
    assert simple_clv(10, 1, 1, margin=0.5, acquisition_cost=30) == pytest.approx(-25)


def test_retention_clv_infinite_and_finite_horizon():
    # m r / (1 + d - r) = 100 * 0.8 / 0.3
    assert retention_clv(100, 0.8, 0.1) == pytest.approx(266.6667, rel=1e-6)
    # one year: first term m r / (1 + d)
    assert retention_clv(100, 0.8, 0.1, years=1) == pytest.approx(100 * 0.8 / 1.1)
    # two years: sum of two terms
    x = 0.8 / 1.1
    assert retention_clv(100, 0.8, 0.1, years=2) == pytest.approx(100 * (x + x * x))
    # a long finite horizon approaches the infinite form
    assert retention_clv(100, 0.8, 0.1, years=300) == pytest.approx(retention_clv(100, 0.8, 0.1))
    # full retention with no discount: m per year for N years
    assert retention_clv(100, 1.0, 0.0, years=5) == pytest.approx(500)


@pytest.mark.parametrize("kwargs, message", [
    (dict(margin_per_year=100, retention_rate=1.2), "retention rate"),
    (dict(margin_per_year=100, retention_rate=0.5, discount_rate=-0.1), "discount rate"),
    (dict(margin_per_year=100, retention_rate=1.0), "retention rate"),  # infinite value
])
def test_retention_clv_rejects_impossible_inputs(kwargs, message):
    with pytest.raises(InputError, match=message):
        retention_clv(**kwargs)


def test_simple_clv_rejects_negative_and_bad_margin():
    with pytest.raises(InputError, match="average order value"):
        simple_clv(-5, 1, 1)
    with pytest.raises(InputError, match="margin"):
        simple_clv(5, 1, 1, margin=40)


def _orders(rows):
    return pd.DataFrame(rows, columns=["customer_id", "date", "amount"]).assign(date=lambda d: pd.to_datetime(d["date"]))


def test_historical_clv_is_value_to_date_times_margin_and_never_negative():
    orders = _orders([("a", "2024-01-01", 100.0), ("a", "2024-02-01", 50.0), ("b", "2024-01-10", -20.0)])
    s = customer_summary(orders)
    clv = historical_clv(s, margin=0.5)
    assert clv["a"] == 75 and clv["b"] == 0


def test_lifespan_needs_a_year_and_says_why():
    orders = _orders([("a", "2024-01-01", 10.0), ("a", "2024-06-01", 10.0)])
    years, why = estimate_lifespan_years(customer_summary(orders))
    assert years == DEFAULT_LIFESPAN_YEARS and "shorter than a year" in why


def test_lifespan_from_yearly_retention():
    rows = []
    # 40 customers active in the year before last; 30 of them buy again in the last year.
    for i in range(40):
        rows.append((f"c{i}", "2023-03-01", 10.0))
        if i < 30:
            rows.append((f"c{i}", "2024-10-01", 10.0))
    rows.append(("old", "2022-01-01", 5.0))
    orders = _orders(rows)
    years, why = estimate_lifespan_years(customer_summary(orders, observation_end="2024-12-31"))
    assert years == pytest.approx(1 / (1 - 0.75))
    assert "75%" in why


def test_simple_clv_per_customer_and_business():
    orders = _orders([("a", "2024-01-01", 100.0), ("a", "2024-07-01", 100.0), ("b", "2024-03-01", 50.0)])
    s = customer_summary(orders, observation_end="2024-12-30")  # through that whole day: 365 days of 2024
    clv, basis = simple_clv_per_customer(s, lifespan_years=2, margin=0.5)
    # a: AOV 100, 2 orders in a year of tenure -> 100*2*2*0.5 ; b: 50*1*2*0.5
    assert clv["a"] == pytest.approx(200) and clv["b"] == pytest.approx(50)
    assert "2 years (as set)" in basis
    assert simple_clv_per_customer(s, lifespan_years=1)[1].endswith("expected lifespan of 1 year (as set)")
    assert business_clv(s, lifespan_years=1)["lifespan_basis"] == "1 year (as set)"
    biz = business_clv(s, lifespan_years=2)
    assert biz["average_order_value"] == pytest.approx(250 / 3)
    assert biz["orders_per_customer_per_year"] == pytest.approx(1.5)
    assert biz["clv"] == pytest.approx(250 / 3 * 1.5 * 2)


def _retention_orders():
    rows = []  # 40 customers active in the year before last; 30 of them buy again in the last year
    for i in range(40):
        rows.append((f"c{i}", "2023-03-01", 10.0))
        if i < 30:
            rows.append((f"c{i}", "2024-10-01", 30.0))
    rows.append(("old", "2022-01-01", 5.0))
    return customer_summary(_orders(rows), observation_end="2024-12-31")


def test_retention_clv_per_customer_is_the_yearly_margin_times_the_discounted_years_to_come():
    s = _retention_orders()
    clv, basis = retention_clv_per_customer(s, discount_rate=0.1, margin=0.5)
    # c0: AOV 20, 2 orders over its tenure (673 days, so 2 / 1.84 years) -> m = 20 * orders_per_year * 0.5
    m = 20.0 * s.loc["c0", "orders_per_year"] * 0.5
    assert clv["c0"] == pytest.approx(m * 0.75 / (1 + 0.1 - 0.75))
    assert clv["c0"] == pytest.approx(retention_clv(m, 0.75, 0.1))
    # without the orders only first and last dates are known: the count is an estimate and says so
    assert "yearly retention of 75% (30 of 40 customers active a year ago bought again, estimated from first " \
        "and last order dates)" in basis
    assert "10% discount rate" in basis
    given, basis = retention_clv_per_customer(s, retention_rate=0.5, discount_rate=0.0, acquisition_cost=1.0)
    m = 20.0 * s.loc["c0", "orders_per_year"]
    assert given["c0"] == pytest.approx(m * 0.5 / 0.5 - 1.0) and "50% (as set)" in basis
    assert (retention_clv_per_customer(s, retention_rate=0.1, acquisition_cost=1e6)[0] == 0).all()  # floored


def test_retention_clv_without_a_year_assumes_the_default_lifespans_retention_and_says_so():
    s = customer_summary(_orders([("a", "2024-01-01", 10.0), ("a", "2024-06-01", 10.0)]))
    clv, basis = retention_clv_per_customer(s, discount_rate=0.0)
    r = 1 - 1 / DEFAULT_LIFESPAN_YEARS
    assert clv["a"] == pytest.approx(10.0 * s.loc["a", "orders_per_year"] * r / (1 - r))
    assert "an assumed yearly retention of 67% (the history is shorter than a year" in basis
    with pytest.raises(InputError, match="retention rate"):
        retention_clv_per_customer(s, retention_rate=1.0)


def test_the_command_runs_the_retention_method(tmp_path, capsys):
    import json

    from clv_engine import cli

    lines = ["customer_id,date,amount"] + [f"c{i},2023-03-01,10" for i in range(40)] + \
        [f"c{i},2024-10-01,30" for i in range(30)] + ["old,2022-01-01,5"]
    src = tmp_path / "orders.csv"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert cli.main(["analyze", str(src), "--method", "retention", "--as-of", "2024-12-31", "--margin", "0.5",
                     "--out", str(out), "--no-report"]) == 0
    text = capsys.readouterr().out
    assert "Method: retention" in text and "75%" in text
    customers = pd.read_csv(out / "customers.csv").set_index("customer_id")
    s = _retention_orders()
    expected = retention_clv_per_customer(s, discount_rate=0.1, margin=0.5)[0]
    assert customers.loc["c0", "clv"] == pytest.approx(round(expected["c0"], 2))
    assert json.loads((out / "summary.json").read_text())["method"] == "retention"
    assert cli.main(["analyze", str(src), "--method", "retention", "--retention", "1.5", "--out", str(out)]) == 2
    assert "retention 1.5 is out of range" in capsys.readouterr().err
    assert cli.main(["analyze", str(src), "--method", "simple", "--retention", "0.5", "--as-of", "2024-12-31",
                     "--out", str(out), "--no-report"]) == 0
    assert "The yearly retention of 50% was not used: it applies only to the retention method, and the simple " \
        "method was used." in capsys.readouterr().out


def test_a_shop_whose_first_customers_never_came_back_gets_a_one_year_lifespan_not_an_assumed_one():
    """18 months of one-time buyers: none of the 40 who bought in the first half year ordered
    again, so the formula must not assume they keep buying for 3 years."""
    rows = [(f"c{i}", str((pd.Timestamp("2023-01-01") + pd.Timedelta(days=9 * i)).date()), 30.0) for i in range(60)]
    s = customer_summary(_orders(rows), observation_end=pd.Timestamp("2024-06-30"))
    years, why = estimate_lifespan_years(s)
    assert years == 1.0 and "yearly retention of 0%" in why
    clv, _ = simple_clv_per_customer(s)
    assert (clv <= 30.0 + 1e-9).all()  # at most the one order each has placed in a year


def test_retention_counts_only_customers_who_ordered_in_the_year_before_last():
    """Customers who skipped the year before last (an order before it, the next one in the last
    year) were not active a year ago: with the orders they are left out of the count; from first
    and last dates alone they cannot be told apart, so the estimate counts them and says so."""
    rows = []
    for i in range(40):  # ordered in the year before last; 30 of them again in the last year
        rows.append((f"c{i}", "2023-03-01", 10.0))
        if i < 30:
            rows.append((f"c{i}", "2024-10-01", 10.0))
    for i in range(10):  # an order in mid-2022, the next in mid-2024: nothing in between
        rows += [(f"s{i}", "2022-06-01", 10.0), (f"s{i}", "2024-06-01", 10.0)]
    orders = _orders(rows)
    s = customer_summary(orders, observation_end="2024-12-31")
    exact, why = measured_retention(s, orders)
    assert exact == pytest.approx(30 / 40) and "(30 of 40 customers active a year ago bought again)" in why
    estimate, why = measured_retention(s)
    assert estimate == pytest.approx(40 / 50) and "estimated from first and last order dates" in why
    years, _ = estimate_lifespan_years(s, orders)
    assert years == pytest.approx(4.0)
    # the command counts from the orders, for each customer's value and the business figure alike
    from clv_engine.pipeline import Settings, analyze

    run = analyze(orders, Settings(method="simple", observation_end="2024-12-31", report=False)).summary
    assert "(30 of 40 customers active a year ago bought again)" in run["clv_basis"]
    assert "(30 of 40 customers active a year ago bought again)" in run["business_formula_clv"]["lifespan_basis"]
