"""A plain spreadsheet's status column still keeps cancelled and failed orders out."""
from clv_engine.intake import read_orders


def test_generic_file_skips_cancelled_failed_and_void_orders(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(
        "Order ID,Customer Email,Order Date,Order Total,Status\n"
        "A1,a@x.com,2024-01-05,10.00,completed\n"
        "A2,a@x.com,2024-02-05,20.00,Cancelled\n"
        "A3,b@x.com,2024-02-06,30.00,payment failed\n"
        "A4,b@x.com,2024-02-07,40.00,Storniert\n"
        "A5,c@x.com,2024-02-08,50.00,pending\n"
        "A6,c@x.com,2024-02-09,60.00,Voided\n", encoding="utf-8")
    data = read_orders(path)
    assert data.report.layout == "generic"
    # a pending order has brought no money yet: not a purchase either
    assert sorted(data.orders["order_id"]) == ["A1"]
    skipped = data.report.skipped.set_index("row")
    assert skipped["reason"].tolist() == ["cancelled or failed"] * 3 + ["not paid", "cancelled or failed"]
    assert skipped.loc[6, "detail"] == "pending"
    assert skipped.loc[3, "detail"] == "Cancelled"
    assert data.report.rows_read == data.report.rows_used + len(data.report.skipped)
    assert any("cancelled" in note for note in data.report.notes)


def test_generic_file_without_status_words_keeps_every_order(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("Email,Date,Total,Status\na@x.com,2024-01-05,10.00,shipped\n"
                    "b@x.com,2024-01-06,12.00,\n", encoding="utf-8")
    data = read_orders(path)
    assert len(data.orders) == 2 and len(data.report.skipped) == 0


def test_a_status_word_the_tool_does_not_know_is_counted_and_named():
    """Vocabulary is a start, not a design: a status no list knows still counts as a
    purchase (nothing is dropped on a guess), but the note names it and its rows."""
    rows = [["Order ID", "Date", "Email", "Total", "Status"],
            ["1", "2024-01-01", "a@x.test", "10", "Delivered"], ["2", "2024-01-02", "b@x.test", "20", "hold for review"],
            ["3", "2024-01-03", "a@x.test", "30", "hold for review"], ["4", "2024-01-04", "c@x.test", "5", "cancelled"],
            ["5", "2024-01-05", "c@x.test", "5", "Awaiting Fulfillment"], ["6", "2024-01-06", "c@x.test", "2", "Return"]]
    data = read_orders(rows)
    assert len(data.orders) == 4
    note = next(n for n in data.report.notes if "does not know" in n)
    assert "'hold for review' (2 rows)" in note
    listed = note.split("purchases: ")[1].split(". If")[0]
    assert listed == "'hold for review' (2 rows)"


def test_known_statuses_bring_no_such_note():
    rows = [["Order ID", "Date", "Email", "Total", "Status"]]
    rows += [[str(k), f"2024-01-{1 + k:02d}", f"p{k}@x.test", "10", word]
             for k, word in enumerate(["completed", "shipped", "processing", "paid", "wc-completed", "Bezahlt"])]
    data = read_orders(rows)
    assert not any("does not know" in n for n in data.report.notes)
