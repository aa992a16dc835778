"""The customer-summary query (clv summary-sql), run in DuckDB on the same orders as the
engine, gives the engine's summary; `clv analyze --summary` gives the order file's results."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from clv_engine.cli import main
from clv_engine.intake import read_orders
from clv_engine.pipeline import Settings, analyze
from clv_engine.predictive.selection import holdout_split, holdout_split_date
from clv_engine.sample import sample_path
from clv_engine.summary import customer_summary
from clv_engine.summary_sql import DIALECTS, SUMMARY_FILE_COLUMNS, read_summary, summary_query

duckdb = pytest.importorskip("duckdb")


@pytest.fixture(scope="module")
def sample_orders() -> pd.DataFrame:
    """The bundled Shopify sample after intake: one row per order, timestamps with times."""
    orders = read_orders(sample_path()).orders
    return pd.DataFrame({"customer_id": orders["customer_id"].astype(str).to_numpy(dtype=object),
                         "order_date": orders["date"].to_numpy(), "amount": orders["amount"].to_numpy()})


def run_query(orders: pd.DataFrame, **options) -> pd.DataFrame:
    with duckdb.connect() as con:
        con.register("orders", orders)
        return con.execute(summary_query("orders", **options)).df()


def engine_orders(orders: pd.DataFrame) -> pd.DataFrame:
    return orders.rename(columns={"order_date": "date"})


def test_duckdb_summary_equals_the_engines(sample_orders):
    result = run_query(sample_orders)
    assert list(result.columns) == SUMMARY_FILE_COLUMNS
    got = read_summary(result)
    expected = customer_summary(engine_orders(sample_orders))
    # the sample's customers with a purchase (28 more had every order refunded in full)
    assert len(got.summary) == len(expected) == 2954
    pd.testing.assert_frame_equal(got.summary.sort_index(), expected.sort_index(), check_index_type=False,
                                  rtol=1e-12)
    assert got.observation_end == expected.attrs["observation_end"]
    # the model check's calibration columns: those the engine computes from the orders
    split = holdout_split_date(expected["first_order"].min(), expected.attrs["observation_end"])
    assert got.calibration_end == split
    table, _ = holdout_split(engine_orders(sample_orders), split, expected.attrs["observation_end"])
    bought = got.holdout.dropna()
    assert len(bought) == len(table) and 0 < len(table) < len(expected)
    for column in ("frequency_cal", "recency_cal", "T_cal"):
        np.testing.assert_array_equal(bought[column].sort_index().to_numpy() / (1 if column == "frequency_cal" else 7),
                                      table[column].sort_index().to_numpy())
    np.testing.assert_array_equal(bought["frequency_holdout"].sort_index().to_numpy(),
                                  table["frequency_holdout"].sort_index().to_numpy())


def test_an_observation_end_is_applied_like_the_engines(sample_orders):
    as_of = "2026-03-15"
    got = read_summary(run_query(sample_orders, as_of=as_of))
    expected = customer_summary(engine_orders(sample_orders), observation_end=as_of)
    assert len(expected) < 2954  # customers who first bought later are left out
    pd.testing.assert_frame_equal(got.summary.sort_index(), expected.sort_index(), check_index_type=False,
                                  rtol=1e-12)
    assert got.calibration_end == holdout_split_date(expected["first_order"].min(), pd.Timestamp(as_of))


@pytest.mark.parametrize("span_days", [70, 98, 99])
def test_the_holdout_length_rounds_half_to_even_like_python(span_days):
    """70 days: a quarter is 2.5 weeks, which Python's round() takes to 2 (SQL's ROUND to 3)."""
    rng = np.random.default_rng(span_days)
    days = np.r_[0, span_days, rng.integers(0, span_days, 300)]
    orders = pd.DataFrame({"customer_id": [f"c{i % 40}" for i in range(len(days))],
                           "order_date": np.datetime64("2024-01-01") + days.astype("timedelta64[D]"),
                           "amount": rng.integers(1, 100, len(days)).astype(float)})
    got = read_summary(run_query(orders))
    expected = customer_summary(engine_orders(orders))
    assert got.calibration_end == holdout_split_date(expected["first_order"].min(), expected.attrs["observation_end"])


@pytest.fixture(scope="module")
def both_runs(sample_orders, tmp_path_factory):
    """The sample analysed from its orders and from the DuckDB summary written as CSV."""
    folder = tmp_path_factory.mktemp("summary")
    orders_csv = folder / "orders.csv"
    sample_orders.to_csv(orders_csv, index=False)
    with duckdb.connect() as con:
        query = summary_query(f"read_csv('{orders_csv}')")
        con.execute(f"COPY ({query}) TO '{folder / 'summary.csv'}' (HEADER)")
        con.execute(f"COPY ({query}) TO '{folder / 'summary.parquet'}' (FORMAT parquet)")
    settings = Settings(report=False)
    from_orders = analyze(engine_orders(sample_orders), settings)
    from_summary = analyze(read_summary(folder / "summary.csv"), settings)
    return from_orders, from_summary, folder


def test_summary_results_equal_order_file_results(both_runs):
    from_orders, from_summary, _ = both_runs
    a = from_orders.customers.set_index("customer_id").sort_index()
    b = from_summary.customers.set_index("customer_id").sort_index()
    assert len(a) == len(b) == 2954
    numbers = [c for c in b.columns if b[c].dtype.kind in "fiu"]
    assert {"clv", "clv_low", "clv_high", "p_alive", "expected_orders", "total_value", "rfm_r"} <= set(numbers)
    # the query adds amounts in another order than numpy (and DuckDB's threads in a varying
    # order): sums differ in the last bits, and the fits that start from them end within the
    # optimiser's gradient tolerance (1e-7) of each other, so predictions agree to about 1e-7
    pd.testing.assert_frame_equal(b[numbers], a[numbers], check_index_type=False, rtol=1e-6)
    for column in ("tier", "rfm_score", "rfm_segment", "actions", "next_order_date", "first_order", "last_order",
                   "clv_method"):
        pd.testing.assert_series_equal(b[column], a[column], check_index_type=False, check_categorical=False)
    for key in ("method", "clv_basis", "customers", "orders", "observation_end", "tiers", "headline"):
        assert from_summary.summary[key] == from_orders.summary[key], key
    model, expected_model = from_summary.summary["model"], from_orders.summary["model"]
    for key in ("name", "candidates", "holdout_start", "verdict"):
        assert model[key] == expected_model[key], key
    assert model["params"] == pytest.approx(expected_model["params"], rel=1e-6)
    assert model["spend_params"] == pytest.approx(expected_model["spend_params"], rel=1e-6)
    assert from_summary.summary["total_clv"] == pytest.approx(from_orders.summary["total_clv"], rel=1e-6)
    assert from_orders.summary["method"] == "predictive"


def test_cli_analyses_a_summary_file(both_runs, tmp_path, capsys):
    _, from_summary, folder = both_runs
    for name in ("summary.csv", "summary.parquet"):
        out = tmp_path / name
        assert main(["analyze", "--summary", str(folder / name), "--out", str(out), "--no-report", "-q"]) == 0
        written = pd.read_csv(out / "customers.csv")
        assert len(written) == 2954
        np.testing.assert_allclose(np.sort(written["clv"].to_numpy()),
                                   np.sort(from_summary.customers["clv"].round(2).to_numpy()), atol=0.011)
        assert pd.read_csv(out / "intake.csv").empty


def test_cli_prints_the_query_for_each_dialect(capsys):
    for dialect in DIALECTS:
        assert main(["summary-sql", "--dialect", dialect, "--table", "shop.orders", "--date", "Order Date"]) == 0
        text = capsys.readouterr().out
        assert "FROM shop.orders" in text and "Order Date" in text and "frequency_holdout" in text
    with pytest.raises(SystemExit) as exit_status:
        main(["summary-sql", "--dialect", "oracle"])
    assert exit_status.value.code == 2
    assert main(["summary-sql", "--as-of", "soon"]) == 2
    assert "'soon' is not a date" in capsys.readouterr().err


def test_bad_summary_files_stop_with_a_clear_message(sample_orders, tmp_path, capsys):
    good = run_query(sample_orders)
    cases = {
        "missing.csv": good.drop(columns=["T_cal"]),
        "twice.csv": pd.concat([good, good.head(1)]),
        "contradiction.csv": good.assign(recency=good["T"] + 1),
        "text.csv": good.astype({"orders": object}).assign(orders=["x"] + list(good["orders"][1:])),
    }
    expected = {"missing.csv": "no column 'T_cal'", "twice.csv": "appears twice",
                "contradiction.csv": "row 2: the numbers", "text.csv": "row 2, column 'orders'"}
    for name, frame in cases.items():
        frame.to_csv(tmp_path / name, index=False)
        assert main(["analyze", "--summary", str(tmp_path / name), "--out", str(tmp_path / "out")]) == 2
        err = capsys.readouterr().err
        assert expected[name] in err and err.count("\n") == 1 and "Traceback" not in err
    good.to_csv(tmp_path / "good.csv", index=False)
    assert main(["analyze", "--summary", str(tmp_path / "good.csv"), "--map", "date=x"]) == 2
    assert "--map cannot be used with --summary" in capsys.readouterr().err
    assert main(["analyze", "--summary", str(tmp_path / "good.csv"), "--as-of", "2025-01-01",
                 "--out", str(tmp_path / "out")]) == 2
    said = capsys.readouterr().err
    assert "compute it again" in said.lower()
    assert re.search(r"summary is up to (the end of )?\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?, not 2025-01-01\.",
                     said)
    assert ".999999" not in said
    assert not (tmp_path / "out").exists()


@pytest.fixture(scope="module")
def plain_file(sample_orders, tmp_path_factory):
    """The sample's orders as a plain order table with an email column and three bad rows."""
    frame = sample_orders.rename(columns={"customer_id": "Customer", "order_date": "Date", "amount": "Amount"})
    email = frame["Customer"].where(frame["Customer"].str.contains("@"),
                                    frame["Customer"].str.replace(r"\W+", ".", regex=True) + "@mail.example")
    frame = frame.assign(Email=email, Date=frame["Date"].dt.strftime("%Y-%m-%d %H:%M:%S"),
                         Amount=frame["Amount"].map("{:.2f}".format))
    bad = pd.DataFrame({"Customer": ["", "someone@example.com", "other@example.com"],
                        "Date": ["2025-01-01 10:00:00", "not a date", "2025-01-02 10:00:00"],
                        "Amount": ["10.00", "12.00", "twelve"], "Email": ["", "", ""]})
    path = tmp_path_factory.mktemp("plain") / "orders.csv"
    pd.concat([frame.iloc[:100], bad, frame.iloc[100:]]).to_csv(path, index=False)
    return path


def test_duckdb_reads_a_plain_order_file_like_intake(plain_file):
    from clv_engine.summary_duckdb import summarise_with_duckdb

    settings = Settings(report=False)
    by_duckdb = analyze(summarise_with_duckdb(plain_file), settings)
    by_intake = analyze(plain_file, settings)
    a = by_intake.customers.set_index("customer_id").sort_index()
    b = by_duckdb.customers.set_index("customer_id").sort_index()
    assert len(a) == len(b) == 2954
    np.testing.assert_array_equal(b["orders"], a["orders"])
    np.testing.assert_array_equal(b["rfm_score"], a["rfm_score"])
    # DuckDB adds each customer's amounts in another order (threads, varying run to run): sums
    # differ in the last bits, and the fits that start from them end within the optimiser's
    # gradient tolerance (1e-7) of each other, so predictions agree to about 1e-7
    numbers = ["total_value", "clv", "clv_low", "clv_high", "p_alive", "expected_orders"]
    pd.testing.assert_frame_equal(b[numbers], a[numbers], check_index_type=False, rtol=1e-6)
    assert (b["email"] == a["email"]).all() and b["email"].str.contains("@").all()
    for key in ("rows_read", "rows_used", "rows_skipped", "customers", "orders", "method"):
        assert by_duckdb.summary[key] == by_intake.summary[key], key
    assert by_duckdb.summary["rows_skipped"] == {"no customer": 1, "unreadable date": 1, "unreadable amount": 1}


def test_duckdb_refuses_files_that_need_intake(sample_orders, plain_file, tmp_path, capsys):
    assert main(["analyze", str(sample_path()), "--duckdb", "--out", str(tmp_path / "a")]) == 2
    err = capsys.readouterr().err
    assert "Shopify orders export" in err and "without --duckdb" in err and err.count("\n") == 1
    text = pd.read_csv(plain_file, dtype=str, keep_default_na=False)
    text["Date"] = pd.to_datetime(text["Date"], errors="coerce").dt.strftime("%d/%m/%Y").fillna("")
    text.to_csv(tmp_path / "dmy.csv", index=False)
    assert main(["analyze", str(tmp_path / "dmy.csv"), "--duckdb", "--out", str(tmp_path / "b")]) == 2
    assert "column 'Date': --duckdb reads dates like 2025-03-04" in capsys.readouterr().err
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
    assert main(["analyze", str(plain_file), "--duckdb", "--out", str(tmp_path / "c"), "--no-report", "-q"]) == 0
    assert len(pd.read_csv(tmp_path / "c" / "customers.csv")) == 2954


def _consent_file(path, *, header: str, blank_before: int = 0, email_key: bool = False, customers: int = 120):
    """Orders of ``customers`` customers with a consent column: g1 says yes then no, g2 no twice, g3 no then
    yes, g4 yes and no on the same day; everyone else yes. The first ``blank_before`` rows have
    a blank consent cell (the question was added to the checkout later)."""
    rng = np.random.default_rng(5)
    rows = []
    for i in range(customers):
        for k in range(3):
            rows.append({"Customer ID": str(1000 + i), "Email": f"c{i}@example.com",
                         "Order Date": str((pd.Timestamp("2023-01-01") + pd.Timedelta(days=int(rng.integers(0, 600))))
                                           .date()), "Total": f"{rng.uniform(10, 200):.2f}", header: "yes"})
    frame = pd.DataFrame(rows).sort_values("Order Date", kind="stable").reset_index(drop=True)
    frame.loc[: blank_before - 1, header] = ""
    said = {"g1": [("2024-01-05", "yes"), ("2024-06-05", "no")], "g2": [("2024-02-01", "no"), ("2024-07-01", "no")],
            "g3": [("2024-01-10", "no"), ("2024-08-10", "yes")], "g4": [("2024-03-03", "yes"), ("2024-03-03", "no")]}
    extra = [{"Customer ID": name, "Email": f"{name}@example.com", "Order Date": day, "Total": "50.00", header: word}
             for name, statements in said.items() for day, word in statements]
    frame = pd.concat([frame, pd.DataFrame(extra)], ignore_index=True)
    if email_key:
        frame = frame.drop(columns="Customer ID")
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("case", [dict(header="Accepts Email Marketing"),
                                  dict(header="Marketing", blank_before=2500, customers=1000),
                                  dict(header="Newsletter", email_key=True)])
def test_duckdb_reads_marketing_consent_like_intake(tmp_path, case):
    """--duckdb used to drop the consent column: people who said no were in the email lists."""
    from clv_engine.summary_duckdb import summarise_with_duckdb

    path = _consent_file(tmp_path / "orders.csv", **case)
    settings = Settings(report=False, method="historical")
    by_duckdb = analyze(summarise_with_duckdb(path), settings).customers
    by_intake = analyze(path, settings).customers
    a = by_intake.set_index(by_intake["email"].str.lower()).sort_index()
    b = by_duckdb.set_index(by_duckdb["email"].str.lower()).sort_index()
    assert list(a.index) == list(b.index) and len(a) == case.get("customers", 120) + 4
    said = b["consent"].astype("boolean")
    assert said.tolist() == a["consent"].astype("boolean").tolist()
    assert not said["g1@example.com"] and not said["g2@example.com"] and not said["g4@example.com"]
    assert said["g3@example.com"] and said.sum() > 100
