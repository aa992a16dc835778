"""Totals that mean money received: status words, platform layouts, guests, totals rows.

Every file is written here in its platform's layout (headers as the platform writes them); the
expected per-customer totals are worked out by hand from the rows.
"""
from __future__ import annotations

from clv_engine.intake import read_orders


def totals(data) -> dict[str, float]:
    return {k: round(v, 2) for k, v in data.orders.groupby("customer_id", observed=True)["amount"].sum().items()}


def test_generic_statuses_count_only_paid_orders(write):
    path = write("statuses.csv", "Order ID,Customer Email,Order Date,Order Total,Status\n"
                 "1,a@x.com,2024-01-01,50,Completed\n"
                 "2,a@x.com,2024-01-02,100,unpaid\n"
                 "3,b@x.com,2024-01-03,100,Pending\n"
                 "4,b@x.com,2024-01-04,100,Refunded\n"
                 "5,c@x.com,2024-01-05,100,Returned\n"
                 "6,c@x.com,2024-01-06,100,Chargeback\n"
                 "7,d@x.com,2024-01-07,50,Shipped\n"
                 "8,d@x.com,2024-01-08,100,Draft\n"
                 "9,e@x.com,2024-01-09,100,Quote\n"
                 "10,e@x.com,2024-01-10,50,processing\n"
                 "11,e@x.com,2024-01-11,100,Payment error\n"
                 "12,e@x.com,2024-01-12,100,Partially refunded\n")
    data = read_orders(path)
    assert data.orders["amount"].sum() == 250  # 700 of the 950 never arrived or went back
    assert totals(data) == {"a@x.com": 50, "d@x.com": 50, "e@x.com": 150}
    assert data.report.rows_skipped == {"not a payment": 2, "cancelled or failed": 1, "not paid": 2,
                                        "refunded or returned": 3}
    detail = dict(zip(data.report.skipped["row"], data.report.skipped["detail"]))
    assert detail[3] == "unpaid" and detail[5] == "Refunded" and detail[12] == "Payment error"
    assert any("no money was received" in n and "'Chargeback'" in n for n in data.report.notes)


def test_statuses_in_other_languages(write):
    path = write("statuts.csv", "Commande,Courriel,Date,Montant,Statut\n"
                 "1,a@x.com,2024-01-01,10,Livré\n"
                 "2,a@x.com,2024-01-02,20,Annulée\n"
                 "3,a@x.com,2024-01-03,30,Remboursé\n"
                 "4,b@x.com,2024-01-04,40,En attente de paiement\n"
                 "5,b@x.com,2024-01-05,50,Paiement accepté\n"
                 "6,b@x.com,2024-01-06,60,Devis\n")
    data = read_orders(path)
    assert totals(data) == {"a@x.com": 10, "b@x.com": 50}


def test_a_return_transaction_is_not_an_order_status(write):
    """A negative 'Return' row of an order is netted, not dropped: only orders whose own status
    says refunded or returned are left out whole."""
    path = write("ledger.csv", "Order ID,Email,Date,Amount,Status\n"
                 "1,a@x.com,2024-01-01,100,Completed\n"
                 "1,a@x.com,2024-01-05,-30,Returned\n"
                 "2,a@x.com,2024-02-01,40,Returned\n")
    data = read_orders(path)
    assert totals(data) == {"a@x.com": 70}


def test_wix_not_paid_in_payment_status_column(write):
    path = write("wix.csv", "Order number,Date created,Contact email,Billing customer,Payment status,"
                 "Fulfillment status,Total\n"
                 "10001,2024-03-01,ann@x.com,Ann Lee,Paid,Fulfilled,25.00\n"
                 "10002,2024-03-02,ann@x.com,Ann Lee,Not paid,Not fulfilled,40.00\n"
                 "10003,2024-03-03,bob@x.com,Bob Ray,Paid,Pending,15.00\n"
                 "10004,2024-03-04,bob@x.com,Bob Ray,Refunded,Fulfilled,30.00\n")
    data = read_orders(path)
    # "Pending" in the fulfilment column means not shipped yet: still paid
    assert totals(data) == {"ann@x.com": 25, "bob@x.com": 15}


def test_squarespace_cancelled_at_on_the_first_line_of_the_order(write):
    path = write("squarespace.csv",
                 "Order ID,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Currency,Subtotal,Shipping,"
                 "Cancelled at,Total,Created at,Lineitem quantity,Lineitem name,Lineitem price,Billing Name,"
                 "Refunded Amount\n"
                 "00101,ann@x.com,PAID,2024-01-02 10:00:00 -0500,FULFILLED,,USD,30,5,,35,2024-01-02 10:00:00 -0500,"
                 "1,Mug,20,Ann Lee,0\n"
                 "00101,ann@x.com,,,,,,,,,,,1,Cup,10,,\n"
                 "00102,ann@x.com,PAID,2024-02-02 10:00:00 -0500,PENDING,,USD,40,0,2024-02-03 09:00:00 -0500,40,"
                 "2024-02-02 10:00:00 -0500,2,Tea,20,Ann Lee,0\n"
                 "00102,ann@x.com,,,,,,,,,,,1,Pot,0,,\n"
                 "00103,bob@x.com,PAID,2024-03-02 10:00:00 -0500,FULFILLED,,USD,12,0,,12,2024-03-02 10:00:00 -0500,"
                 "1,Tea,12,Bob Ray,2\n")
    data = read_orders(path)
    assert data.report.layout == "squarespace"
    assert totals(data) == {"ann@x.com": 35, "bob@x.com": 10}
    assert data.report.rows_skipped == {"cancelled or failed": 2}


def test_magento_order_id_is_not_the_customer(write):
    path = write("magento.csv",
                 '"ID","Purchase Point","Purchase Date","Bill-to Name","Ship-to Name","Grand Total (Base)",'
                 '"Grand Total (Purchased)","Status","Customer Email","Customer Group","Customer Name",'
                 '"Payment Method","Total Refunded"\n'
                 '"000000001","Main Website","Mar 5, 2024 10:15:32 AM","Ann Lee","Ann Lee","$120.00","$120.00",'
                 '"Complete","ann@x.com","General","Ann Lee","Check / Money order","$20.00"\n'
                 '"000000002","Main Website","Mar 6, 2024 9:00:00 AM","Ann Lee","Ann Lee","$50.00","$50.00",'
                 '"Processing","ann@x.com","General","Ann Lee","Check / Money order",""\n'
                 '"000000003","Main Website","Mar 7, 2024 9:00:00 AM","Bob Ray","Bob Ray","$80.00","$80.00",'
                 '"Closed","bob@x.com","NOT LOGGED IN","Bob Ray","Check / Money order","$80.00"\n'
                 '"000000004","Main Website","Mar 8, 2024 9:00:00 AM","Bob Ray","Bob Ray","$30.00","$30.00",'
                 '"Pending","bob@x.com","NOT LOGGED IN","Bob Ray","Bank Transfer",""\n'
                 '"000000005","Main Website","Mar 9, 2024 9:00:00 AM","Bob Ray","Bob Ray","$45.00","$45.00",'
                 '"Complete","bob@x.com","NOT LOGGED IN","Bob Ray","Check / Money order",""\n'
                 '"000000006","Main Website","Mar 10, 2024 9:00:00 AM","Cy Fox","Cy Fox","$60.00","$60.00",'
                 '"Canceled","cy@x.com","General","Cy Fox","Check / Money order",""\n')
    data = read_orders(path)
    assert data.report.layout == "magento"
    assert data.report.mapping["order_id"] == "ID" and "customer_id" not in data.report.mapping
    assert totals(data) == {"ann@x.com": 150, "bob@x.com": 45}


def test_bigcommerce_amount_is_the_order_total_and_guests_stay_apart(write):
    path = write("bigcommerce.csv",
                 "Order ID,Customer ID,Customer Name,Customer Email,Order Date,Order Status,Subtotal (inc tax),"
                 "Order Total (inc tax),Order Total (ex tax),Payment Method,Store Credit Redeemed,"
                 "Gift Certificate Amount Redeemed,Order Currency Code,Refund Amount\n"
                 "101,0,Ann Lee,ann@x.com,2024-01-05,Completed,50.00,55.00,50.00,Card,0.00,0.00,USD,0.00\n"
                 "102,0,Bob Ray,bob@x.com,2024-01-06,Shipped,70.00,77.00,70.00,Card,0.00,25.00,USD,0.00\n"
                 "103,12,Cy Fox,cy@x.com,2024-01-07,Awaiting Fulfillment,10.00,11.00,10.00,Card,0.00,0.00,USD,0.00\n"
                 "104,12,Cy Fox,cy@x.com,2024-01-08,Awaiting Payment,30.00,33.00,30.00,Bank,0.00,0.00,USD,0.00\n"
                 "105,0,Dee Kay,dee@x.com,2024-01-09,Refunded,20.00,22.00,20.00,Card,0.00,0.00,USD,22.00\n"
                 "106,12,Cy Fox,cy@x.com,2024-01-10,Partially Refunded,40.00,44.00,40.00,Card,0.00,0.00,USD,4.00\n")
    data = read_orders(path)
    assert data.report.layout == "bigcommerce"
    assert data.report.mapping["amount"] == "Order Total (inc tax)"
    assert totals(data) == {"ann@x.com": 55, "bob@x.com": 77, "12": 51}


def test_lightspeed_sales_ledger_counts_each_sale_once(write):
    path = write("lightspeed.csv",
                 "Date,Receipt Number,Line Type,Customer Code,Customer Name,Note,Quantity,Subtotal,Sales Tax,Discount,"
                 "Loyalty,Total,Paid,Details,Register,User,Status,Sku\n"
                 "2024-04-01 10:00:00,1001,Sale,C-ANN,Ann Lee,,3,27.27,2.73,0,0,30.00,30.00,,Main,kim,CLOSED,\n"
                 "2024-04-01 10:00:00,1001,Sale Line,C-ANN,Ann Lee,,1,9.09,0.91,0,0,10.00,,Mug,Main,kim,,MUG-1\n"
                 "2024-04-01 10:00:00,1001,Sale Line,C-ANN,Ann Lee,,2,18.18,1.82,0,0,20.00,,Cup,Main,kim,,CUP-1\n"
                 "2024-04-02 11:00:00,1002,Sale,C-BOB,Bob Ray,,1,45.45,4.55,0,0,50.00,50.00,,Main,kim,CLOSED,\n"
                 "2024-04-02 11:00:00,1002,Sale Line,C-BOB,Bob Ray,,1,45.45,4.55,0,0,50.00,,Pot,Main,kim,,POT-1\n"
                 "2024-04-03 12:00:00,1003,Sale,C-BOB,Bob Ray,,1,9.09,0.91,0,0,10.00,0.00,,Main,kim,VOIDED,\n"
                 "2024-04-03 12:00:00,1003,Sale Line,C-BOB,Bob Ray,,1,9.09,0.91,0,0,10.00,,Tea,Main,kim,,TEA-1\n"
                 "2024-04-04 12:00:00,1004,Sale,C-ANN,Ann Lee,,1,9.09,0.91,0,0,10.00,0.00,,Main,kim,ONACCOUNT,\n"
                 "2024-04-04 12:00:00,1004,Sale Line,C-ANN,Ann Lee,,1,9.09,0.91,0,0,10.00,,Tea,Main,kim,,TEA-1\n")
    data = read_orders(path)
    assert data.report.layout == "lightspeed"
    assert totals(data) == {"C-ANN": 30, "C-BOB": 50}
    assert ("5 sale-line and payment rows are part of their sale's total; each sale was counted once, from its "
            "sale row.") in data.report.notes


def test_lightspeed_one_sale_line_is_singular(write):
    path = write("lightspeed.csv",
                 "Date,Receipt Number,Line Type,Customer Code,Customer Name,Note,Quantity,Subtotal,Sales Tax,Discount,"
                 "Loyalty,Total,Paid,Details,Register,User,Status,Sku\n"
                 "2024-04-01 10:00:00,1001,Sale,C-ANN,Ann Lee,,1,27.27,2.73,0,0,30.00,30.00,,Main,kim,CLOSED,\n"
                 "2024-04-01 10:00:00,1001,Sale Line,C-ANN,Ann Lee,,1,27.27,2.73,0,0,30.00,,Mug,Main,kim,,MUG-1\n"
                 "2024-04-02 11:00:00,1002,Sale,C-BOB,Bob Ray,,1,45.45,4.55,0,0,50.00,50.00,,Main,kim,CLOSED,\n")
    data = read_orders(path)
    assert data.report.layout == "lightspeed" and totals(data) == {"C-ANN": 30, "C-BOB": 50}
    assert ("1 sale-line and payment row is part of its sale's total; each sale was counted once, from its "
            "sale row.") in data.report.notes


def test_quickbooks_online_customer_called_total_is_a_customer(write):
    path = write("qbo.csv",
                 "Craft Supplies Ltd,,,,,,,,,\nSales by Customer Detail,,,,,,,,,\n\"January - December 2024\",,,,,,,,,\n"
                 ",,,,,,,,,\n"
                 ",Date,Transaction Type,Num,Product/Service,Memo/Description,Qty,Sales Price,Amount,Balance\n"
                 "Amy's Bird Sanctuary,,,,,,,,,\n"
                 ",01/05/2024,Invoice,1001,Design,Logo design,1,75.00,75.00,75.00\n"
                 "Total for Amy's Bird Sanctuary,,,,,,,,$75.00,\n"
                 "Total Wine & More,,,,,,,,,\n"
                 ",02/05/2024,Invoice,1002,Wine,Case,2,60.00,120.00,120.00\n"
                 ",03/05/2024,Sales Receipt,1003,Wine,Bottle,1,30.00,30.00,150.00\n"
                 "Total for Total Wine & More,,,,,,,,$150.00,\n"
                 ",,,,,,,,,\nTOTAL,,,,,,,,$225.00,\n")
    data = read_orders(path)
    assert data.report.layout == "quickbooks"
    assert totals(data) == {"amy's bird sanctuary": 75, "total wine & more": 150} or \
        totals(data) == {"Amy's Bird Sanctuary": 75, "Total Wine & More": 150}


def test_prestashop_order_id_is_not_the_customer_and_statuses_count(write):
    path = write("prestashop.csv",
                 "ID;Reference;New client;Delivery;Customer;Total;Payment;Status;Date\n"
                 "1;XKBKNABJK;Yes;France;J. DOE;61,80 €;Bank wire;Payment accepted;2024-01-05 10:00:00\n"
                 "2;OHSATSERP;No;France;J. DOE;69,90 €;Bank wire;Awaiting bank wire payment;2024-01-06 10:00:00\n"
                 "3;WKWZYNSHX;Yes;France;A. SMITH;14,90 €;Payment by check;Canceled;2024-01-07 10:00:00\n"
                 "4;FFATNOMMJ;No;France;A. SMITH;20,00 €;Payment by check;Delivered;2024-01-08 10:00:00\n"
                 "5;UOYEVOLI;No;France;J. DOE;30,00 €;Card;Payment error;2024-01-09 10:00:00\n"
                 "6;KHWLILZLL;No;France;J. DOE;10,00 €;Card;Refunded;2024-01-10 10:00:00\n")
    data = read_orders(path)
    assert data.report.layout == "prestashop"
    assert "customer_id" not in data.report.mapping
    assert totals(data) == {"j. doe": 61.8, "a. smith": 20} or totals(data) == {"J. DOE": 61.8, "A. SMITH": 20}


def test_etsy_order_items_include_the_orders_shipping_once(write):
    path = write("EtsySoldOrderItems2024.csv",
                 "Sale Date,Item Name,Buyer,Quantity,Price,Coupon Code,Coupon Details,Discount Amount,Shipping Discount,"
                 "Order Shipping,Order Sales Tax,Item Total,Currency,Transaction ID,Listing ID,Date Paid,Date Shipped,"
                 "Ship Name,Order ID\n"
                 "01/05/24,Mug,annlee,1,12.00,,,0,0,4.50,0,12.00,USD,9001,501,01/05/24,01/06/24,Ann Lee,7001\n"
                 "01/05/24,Cup,annlee,2,5.00,,,0,0,4.50,0,10.00,USD,9002,502,01/05/24,01/06/24,Ann Lee,7001\n"
                 "02/01/24,Mug,annlee,1,12.00,,,0,0,0,0,12.00,USD,9003,501,02/01/24,02/02/24,Ann Lee,7002\n"
                 "02/03/24,Cup,bobray,1,5.00,,,0,1.00,3.00,0,5.00,USD,9004,502,02/03/24,02/04/24,Bob Ray,7003\n"
                 "02/03/24,Cup,bobray,1,5.00,,,0,1.00,3.00,0,5.00,USD,9005,502,02/03/24,02/04/24,Bob Ray,7003\n")
    data = read_orders(path)
    assert data.report.layout == "etsy_items"
    # Ann: 12 + 10 + 4.50 shipping, then 12; Bob: two identical 5.00 items + 3.00 shipping − 1.00 off
    assert totals(data) == {"annlee": 38.5, "bobray": 12}


def test_woocommerce_analytics_statuses_and_a_full_refund_as_its_own_row(write):
    path = write("woo.csv", "Date,Order #,Status,Customer,Customer type,Product(s),Items sold,Coupon(s),Net sales\n"
                 "2024-03-01,1201,Completed,Jane Miller,new,Scarf,1,,45.00\n"
                 "2024-03-02,1202,Refunded,Omar Haddad,new,Hat,1,,60.00\n"
                 "2024-03-04,1202,Refunded,Omar Haddad,returning,Hat,-1,,-60.00\n"
                 "2024-03-05,1203,Pending payment,Omar Haddad,returning,Hat,1,,30.00\n"
                 "2024-03-06,1204,On hold,Jane Miller,returning,Hat,1,,30.00\n"
                 "2024-03-07,1205,Failed,Lee Chen,new,Hat,1,,25.00\n"
                 "2024-03-08,1206,Refunded,Lee Chen,returning,Hat,1,,12.00\n"
                 "2024-03-09,1207,Processing,Lee Chen,returning,Hat,1,,8.00\n")
    data = read_orders(path)
    assert data.report.layout == "woocommerce_core"
    # 1202 refunded in full by its own negative row, 1206 refunded with no refund row: neither
    # is a purchase, so Omar, whose other order is unpaid, bought nothing
    assert totals(data) == {"jane miller": 45, "lee chen": 8}
    assert data.report.rows_skipped == {"cancelled or failed": 1, "not paid": 2, "refunded or returned": 3}
