import pandas as pd
import pytest

from clv_engine.errors import InputError
from clv_engine.segments import compare_runs, read_previous_customers


def test_migration_table_and_movement_match_hand_count():
    old = pd.DataFrame({"customer_id": ["a", "b", "c", "d", "f"], "tier": ["High", "Medium", "Low", "Low", "High"]})
    new = pd.DataFrame({"customer_id": ["a", "b", "c", "e", "f"], "tier": ["Medium", "High", "Low", "High", "High"]})
    result = compare_runs(old, new)
    assert list(result.migration.index) == ["High", "Medium", "Low", "new"]
    assert list(result.migration.columns) == ["High", "Medium", "Low", "gone"]
    assert result.migration.loc["High", "Medium"] == 1
    assert result.migration.loc["High", "High"] == 1
    assert result.migration.loc["Medium", "High"] == 1
    assert result.migration.loc["Low", "gone"] == 1
    assert result.migration.loc["new", "High"] == 1
    assert result.migration.to_numpy().sum() == 6
    assert result.movement.to_dict() == {"a": "down", "b": "up", "c": "same", "d": "gone", "e": "new", "f": "same"}
    assert result.changes.loc["a", "change"] == "High → Medium"
    assert result.counts() == {"up": 1, "down": 1, "same": 2, "new": 1, "gone": 1}
    assert result.describe()[0].startswith("1 customer moved up")


def test_description_agrees_with_counts_of_one_and_more():
    old = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "tier": ["Low", "High", "Low", "Medium"]})
    new = pd.DataFrame({"customer_id": ["a", "b", "c", "e"], "tier": ["High", "Low", "High", "Low"]})
    one_each = compare_runs(old.iloc[:3], new.iloc[[0, 1, 3]]).describe()
    assert one_each == ["1 customer moved up a tier and 1 moved down; 0 stayed in the same tier.",
                        "1 customer is new since the last run; 1 from the last run is not in this one."]
    two = compare_runs(old, new.iloc[:3]).describe()
    assert two == ["2 customers moved up a tier and 1 moved down; 0 stayed in the same tier.",
                   "0 customers are new since the last run; 1 from the last run is not in this one."]


def test_custom_tier_names_ranked_by_value():
    old = pd.DataFrame({"tier": ["Gold", "Bronze"]}, index=pd.Index(["x", "y"], name="customer_id"))
    new = pd.DataFrame({"tier": ["Bronze", "Gold"], "clv": [5.0, 500.0]}, index=pd.Index(["x", "y"], name="customer_id"))
    result = compare_runs(old, new)
    assert list(result.migration.index) == ["Gold", "Bronze", "new"]
    assert result.movement.to_dict() == {"x": "down", "y": "up"}


def test_previous_run_file_keeps_customer_ids_as_text(tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text("customer_id,tier,clv\n007,High,10\n1e5,Low,1\n", encoding="utf-8")
    old = read_previous_customers(path)
    assert list(old.index) == ["007", "1e5"]
    new = pd.DataFrame({"customer_id": ["007", "1e5"], "tier": ["High", "High"]})
    assert compare_runs(old, new).movement.to_dict() == {"007": "same", "1e5": "up"}


def test_previous_run_without_tiers_is_a_clear_error(tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text("customer_id,clv\n1,10\n", encoding="utf-8")
    with pytest.raises(InputError, match="no 'tier' column"):
        read_previous_customers(path)


def test_description_writes_large_counts_with_thousands_separators():
    ids = [f"c{i}" for i in range(2500)]
    old = pd.DataFrame({"customer_id": ids, "tier": "Low"})
    new = pd.DataFrame({"customer_id": ids, "tier": "Low"})
    assert compare_runs(old, new).describe()[0] == "0 customers moved up a tier and 0 moved down; 2,500 stayed in the " \
        "same tier."


def test_choosing_a_workbook_or_an_order_file_as_the_previous_run_says_what_to_pick(tmp_path):
    """The desktop showed "('utf-8' codec can't decode bytes in position 10-11 …)"."""
    book = tmp_path / "orders.xlsx"
    book.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)
    with pytest.raises(InputError) as error:
        read_previous_customers(book)
    assert "not a customers.csv of an earlier analysis: it is not a text file" in str(error.value)
    assert "codec" not in str(error.value)
    orders = tmp_path / "orders.csv"
    orders.write_text("Order,Email,Date,Total\n1,a@x.com,2024-01-01,10\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        read_previous_customers(orders)
    assert "it has no 'customer_id' or 'tier' column" in str(error.value)
