"""A Stripe payment whose dispute (chargeback) the shop lost brought no money in the end:
the disputed amount is taken off like a refund; won or open disputes change nothing."""
from __future__ import annotations

from clv_engine.intake import read_orders

HEADER = "id,Created date (UTC),Amount,Amount Refunded,Currency,Captured,Status,Customer ID,Customer Email," \
         "Disputed Amount,Dispute Status\n"


def test_lost_disputes_are_taken_off_won_and_open_ones_are_not(tmp_path):
    path = tmp_path / "unified_payments.csv"
    path.write_text(HEADER +
                    "ch_1,2025-01-02 10:00,100.00,0.00,usd,true,Paid,cus_A,ann@x.com,,\n"
                    "ch_2,2025-02-02 10:00,60.00,0.00,usd,true,Paid,cus_A,ann@x.com,60.00,lost\n"
                    "ch_3,2025-03-02 10:00,80.00,20.00,usd,true,Paid,cus_B,bob@x.com,40.00,lost\n"
                    "ch_4,2025-04-02 10:00,50.00,0.00,usd,true,Paid,cus_B,bob@x.com,50.00,won\n"
                    "ch_5,2025-05-02 10:00,30.00,0.00,usd,true,Paid,cus_B,bob@x.com,30.00,needs_response\n",
                    encoding="utf-8")
    data = read_orders(path)
    value = data.orders.groupby("customer_id", observed=True)["amount"].sum().round(2).to_dict()
    # ann: 100 (the 60 was taken back in full); bob: 80 - 20 refunded - 40 lost + 50 + 30
    assert value == {"cus_A": 100.0, "cus_B": 100.0}
    assert data.report.rows_skipped == {"refunded or returned": 1}
    assert any("lost in a dispute" in n and "100.00" in n for n in data.report.notes)
