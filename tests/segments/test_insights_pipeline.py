"""Descriptive columns through intake, the pipeline's profiles/cohorts/drivers files and the CLI."""
import csv
from pathlib import Path

import pandas as pd
import pytest

from clv_engine.cli import main
from clv_engine.intake import read_orders
from clv_engine.pipeline import Settings, analyze

SUPERSTORE = ["Row ID", "Order ID", "Order Date", "Customer ID", "Customer Name", "Segment", "Country", "City",
              "State", "Region", "Category", "Sub-Category", "Product Name", "Sales", "Quantity", "Discount", "Profit"]


def _superstore(path):
    rows = [
        [1, "CA-1", "2024-01-05", "CG-1", "Claire Gute", "Consumer", "United States", "Henderson", "Kentucky", "South",
         "Office Supplies", "Binders", "Avery Binder", "60.00", 2, 0, "20.00"],
        [2, "CA-1", "2024-01-05", "CG-1", "Claire Gute", "Consumer", "United States", "Henderson", "Kentucky", "South",
         "Office Supplies", "Paper", "Xerox 1967", "40.00", 1, 0, "10.00"],
        [3, "CA-2", "2024-03-10", "CG-1", "Claire Gute", "Consumer", "United States", "Henderson", "Kentucky", "South",
         "Office Supplies", "Binders", "GBC Binder", "50.00", 1, 0, "15.00"],
        [4, "CA-3", "2024-01-20", "DV-2", "Darrin Van Huff", "Corporate", "United States", "Los Angeles",
         "California", "West", "Furniture", "Chairs", "Hon Chair", "30.00", 1, 0, "-5.00"],
        [5, "CA-4", "2024-02-01", "SO-3", "Sean O'Donnell", "Home Office", "United States", "Fort Lauderdale",
         "Florida", "South", "Office Supplies", "Paper", "Xerox 1967", "20.00", 1, 0, "8.00"],
        [6, "CA-5", "2024-02-11", "SO-3", "Sean O'Donnell", "Home Office", "United States", "Fort Lauderdale",
         "Florida", "South", "Office Supplies", "Binders", "Avery Binder", "40.00", 1, 0, "12.00"],
    ]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(SUPERSTORE)
        writer.writerows(rows)
    return path


def test_superstore_columns_become_line_and_order_details(tmp_path):
    data = read_orders(_superstore(tmp_path / "superstore.csv"))
    roles = data.details.roles
    assert roles["product"] == "Product Name" and roles["category"] == "Category"
    assert roles["subcategory"] == "Sub-Category" and roles["profit"] == "Profit"
    assert roles["customer_type"] == "Segment" and roles["region"] == "Region" and roles["city"] == "City"
    lines = data.details.lines
    assert list(lines["value"]) == [60.0, 40.0, 50.0, 30.0, 20.0, 40.0]  # file order
    order_of_line = data.orders["order_id"].astype(str).to_numpy()[lines["order"].to_numpy()]
    by_order = pd.Series(lines["value"].to_numpy(), index=order_of_line).groupby(level=0).sum()
    assert by_order["CA-1"] == 100.0 and by_order["CA-2"] == 50.0
    assert "margin" not in data.details.missing and "channels" in data.details.missing
    # line-level columns describe lines, not the customer
    assert "Category" not in data.customers.columns and "Sub-Category" not in data.customers.columns


def test_map_overrides_a_descriptive_role(tmp_path):
    data = read_orders(_superstore(tmp_path / "s.csv"), mapping={"category": "Sub-Category", "channel": "Region"})
    assert data.details.roles["category"] == "Sub-Category" and data.details.roles["channel"] == "Region"
    assert set(data.details.lines["category"]) == {"Binders", "Paper", "Chairs"}


def test_analysis_writes_profiles_cohorts_and_drivers(tmp_path):
    result = analyze(_superstore(tmp_path / "s.csv"), Settings(method="historical", acquisition_cost=30))
    files = {p.name for p in result.write(tmp_path / "out")}
    assert {"profiles.csv", "cohorts.csv", "drivers.csv"} <= files
    profiles = pd.read_csv(tmp_path / "out" / "profiles.csv", keep_default_na=False)
    binders = profiles[(profiles["group_by"] == "tier") & (profiles["dimension"] == "subcategory")
                       & (profiles["value"] == "Binders")]
    assert len(binders) >= 1
    # margin from the Profit column: 20+10+15-5+8+12 = 60 of 240
    margin = profiles[(profiles["dimension"] == "behaviour") & (profiles["value"] == "average margin")]
    assert margin["all_figure"].iloc[0] == pytest.approx(60 / 240)
    cohorts = pd.read_csv(tmp_path / "out" / "cohorts.csv")
    assert set(cohorts["cohort"]) == {"2024-01", "2024-02", "all"}
    drivers = pd.read_csv(tmp_path / "out" / "drivers.csv", keep_default_na=False)
    assert {"first_category", "first_subcategory", "first_product", "region", "customer_type", "tier"} <= \
        set(drivers["dimension"])
    assert result.summary["insights"]["acquisition"]["average_cac"] == 30.0


def test_plain_order_list_still_works_and_says_what_is_missing(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text("customer,date,amount\na,2024-01-05,100\na,2024-03-10,50\nb,2024-01-20,30\n", encoding="utf-8")
    result = analyze(path, Settings(method="historical"))
    result.write(tmp_path / "out")
    missing = result.summary["insights"]["not_profiled"]
    assert any("what each segment buys" in m and "no product" in m for m in missing)
    assert any("sales channels" in m for m in missing) and any("where customers are" in m for m in missing)
    profiles = pd.read_csv(tmp_path / "out" / "profiles.csv", keep_default_na=False)
    assert set(profiles["dimension"]) == {"behaviour"}
    assert (tmp_path / "out" / "cohorts.csv").exists()


def test_cli_takes_channel_costs_and_ad_spend(tmp_path, capsys):
    path = tmp_path / "orders.csv"
    path.write_text("customer,date,amount,source\na,2024-01-05,100,ig\na,2024-03-10,50,web\nb,2024-01-20,30,web\n",
                    encoding="utf-8")
    assert main(["analyze", str(path), "--method", "historical", "--out", str(tmp_path / "o1"), "--no-report",
                 "--channel-cost", "ig=40", "--channel-cost", "web=10", "-q"]) == 0
    drivers = pd.read_csv(tmp_path / "o1" / "drivers.csv", keep_default_na=False)
    ig = drivers[(drivers["dimension"] == "channel") & (drivers["value"] == "ig")].iloc[0]
    assert ig["cac"] == 40.0
    spend = tmp_path / "spend.csv"
    spend.write_text("month,spend\n2024-01,90\n", encoding="utf-8")
    assert main(["analyze", str(path), "--method", "historical", "--out", str(tmp_path / "o2"), "--no-report",
                 "--ad-spend", str(spend), "-q"]) == 0
    assert main(["analyze", str(path), "--out", str(tmp_path / "o3"), "--ad-spend", str(tmp_path / "nope.csv")]) == 2
    assert "ad-spend file was not found" in capsys.readouterr().err
    assert not (tmp_path / "o3").exists()


def test_postage_and_fee_lines_are_not_among_what_customers_buy():
    """Online Retail's POSTAGE, Manual and AMAZON FEE lines are reported by intake, but the
    line table that profiles use holds only products; each order keeps all its product lines."""
    data = read_orders(Path(__file__).parents[1] / "data" / "intake" / "online_retail.csv")
    assert data.report.non_product["lines"] > 0
    kinds = data.lines.set_index("row")["non_product"]
    products = data.details.lines["product"].str.upper()
    for word in ("POSTAGE", "MANUAL", "AMAZON FEE", "BANK CHARGES", "DOTCOM POSTAGE"):
        assert not (products == word).any(), word
    # every product line of a kept order is there
    assert len(data.details.lines) == int(((kinds == "") & ~data.lines.set_index("row")["is_return"]).sum())


@pytest.mark.parametrize("city, state, country", [("customer_city", "customer_state", "customer_country"),
                                                  ("Ship To City", "Ship To State", "Buyer Country")])
def test_place_columns_named_after_who_or_where_are_found(tmp_path, city, state, country):
    """Olist's customer_city and customer_state; "Ship To …" in marketplace exports."""
    path = tmp_path / "orders.csv"
    path.write_text(f"order_id,customer_unique_id,order_purchase_timestamp,payment_value,{city},{state},{country}\n"
                    "o1,u1,2017-10-02 10:56:33,38.71,sao paulo,SP,BR\n"
                    "o2,u2,2017-11-05 09:00:00,141.46,barreiras,BA,BR\n"
                    "o3,u1,2018-01-07 12:00:00,50.00,sao paulo,SP,BR\n", encoding="utf-8")
    data = read_orders(path)
    assert data.details.roles["city"] == city and data.details.roles["state"] == state
    assert data.details.roles["country"] == country
    assert "geography" not in data.details.missing
