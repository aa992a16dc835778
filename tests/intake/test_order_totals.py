"""Order totals repeated on each line: one order whose lines differ does not turn the
whole file into line amounts."""
from __future__ import annotations

import pytest

from clv_engine.intake import read_orders

HEADER = ["Order", "Email", "Date", "Product", "Order Total"]


def _repeated_totals(split_payment: bool) -> list[list]:
    rows = [HEADER]
    for k in range(20):
        total = f"{50 + k}.00"
        for product in ("mug", "tea", "cup"):
            rows.append([f"#{100 + k}", f"p{k % 7}@x.test", f"2024-02-{1 + k:02d}", product, total])
    if split_payment:  # order #100 paid as 10 + 40 (a table of lines joined with its payments)
        rows[1:4] = [["#100", "p0@x.test", "2024-02-01", product, part]
                     for product in ("mug", "tea") for part in ("10.00", "40.00")]
    return rows


def test_lines_repeating_the_total_count_once_per_order():
    data = read_orders(_repeated_totals(split_payment=False))
    assert len(data.orders) == 20
    assert data.orders["amount"].sum() == pytest.approx(sum(50 + k for k in range(20)))


def test_an_order_paid_in_parts_adds_its_distinct_amounts_and_the_rest_count_once():
    data = read_orders(_repeated_totals(split_payment=True))
    amounts = dict(zip(data.orders["order_id"].astype(str), data.orders["amount"]))
    assert amounts["#100"] == pytest.approx(50.0)
    assert amounts["#101"] == pytest.approx(51.0)
    assert sum(amounts.values()) == pytest.approx(sum(50 + k for k in range(20)))
    assert any("On 1 order the lines carry different amounts (e.g. order #100)" in n for n in data.report.notes)


def test_lines_with_their_own_amounts_are_added_up():
    rows = [HEADER]
    for k in range(20):
        for j, product in enumerate(("mug", "tea", "cup")):
            rows.append([f"#{100 + k}", f"p{k % 7}@x.test", f"2024-02-{1 + k:02d}", product, f"{5 + j + k}.00"])
    data = read_orders(rows)
    assert len(data.orders) == 20
    assert data.orders["amount"].sum() == pytest.approx(sum(3 * (6 + k) for k in range(20)))
