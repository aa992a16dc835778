"""The clv command: outputs, exit codes, messages for people."""
import json
import os

import pandas as pd
import pytest

from clv_engine import cli

REQUIRED = ["customer_id", "email", "name", "orders", "total_value", "first_order", "last_order", "clv", "tier"]


def _write_orders(path, rows=None):
    rows = rows or [
        ("1001", "ann@example.com", "Ann Lee", "2024-01-05", "$120.00"),
        ("1002", "bob@example.com", "Bob Ray", "2024-01-09", "$35.50"),
        ("1003", "ann@example.com", "Ann Lee", "2024-03-02", "$80.00"),
        ("1004", "cy@example.com", "Cy Dee", "2024-04-11", "$1,240.00"),
        ("1005", "bob@example.com", "Bob Ray", "2024-05-20", "($10.00)"),
        ("1006", "", "", "2024-05-21", "$12.00"),
        ("1007", "dee@example.com", "Dee Fox", "not a date", "$40.00"),
    ]
    lines = ["Order,Email,Customer,Date,Total"] + [",".join(f'"{v}"' for v in r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_analyze_writes_every_file_with_required_columns(tmp_path, capsys):
    src = _write_orders(tmp_path / "orders.csv")
    out = tmp_path / "new" / "results"
    code = cli.main(["analyze", str(src), "--out", str(out), "--method", "historical", "--no-report"])
    assert code == 0
    customers = pd.read_csv(out / "customers.csv", dtype={"customer_id": str})
    assert all(c in customers.columns for c in REQUIRED)
    assert len(customers) == 3  # ann, bob, cy; the blank-customer and bad-date rows are skipped
    ann = customers.set_index("email").loc["ann@example.com"]
    assert ann["orders"] == 2 and ann["total_value"] == 200 and ann["first_order"] == "2024-01-05"
    bob = customers.set_index("email").loc["bob@example.com"]
    assert bob["total_value"] == pytest.approx(25.5)  # (10.00) is a negative amount
    summary = json.loads((out / "summary.json").read_text())
    assert summary["rows_read"] == 7 and summary["rows_used"] == 5
    assert sum(summary["rows_skipped"].values()) == 2
    assert summary["customers"] == 3 and summary["version"]
    assert summary["settings"]["method"] == "historical"
    intake = pd.read_csv(out / "intake.csv")
    assert sorted(intake["row"].tolist()) == [7, 8]  # spreadsheet rows: header is row 1
    assert (out / "segments.csv").exists()
    assert "3 customers" in capsys.readouterr().out


def test_missing_file_exits_2_with_one_line_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "results"
    code = cli.main(["analyze", str(tmp_path / "nope.csv"), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("clv: error:") and "nope.csv" in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists()


@pytest.mark.parametrize("args, expected", [
    (["--map", "date"], "ROLE=COLUMN"),
    (["--map", "colour=Total"], "unknown role"),
    (["--tiers", "20,20"], "adds up to 40"),
    (["--tier-names", "A,B"], "3 tiers need 3"),
    (["--margin", "40"], "margin"),
    (["--map", "date=Shipped"], "Shipped"),
])
def test_bad_options_are_explained(tmp_path, capsys, args, expected):
    src = _write_orders(tmp_path / "orders.csv")
    out = tmp_path / "results"
    code = cli.main(["analyze", str(src), "--out", str(out), *args])
    err = capsys.readouterr().err
    assert code == 2 and expected in err and "Traceback" not in err
    assert not out.exists()


def test_compare_with_an_earlier_run_adds_movement(tmp_path):
    src = _write_orders(tmp_path / "orders.csv")
    first, second = tmp_path / "first", tmp_path / "second"
    assert cli.main(["analyze", str(src), "--out", str(first), "--method", "historical", "--no-report", "-q"]) == 0
    assert cli.main(["analyze", str(src), "--out", str(second), "--method", "historical", "--no-report", "-q",
                     "--compare", str(first / "customers.csv")]) == 0
    customers = pd.read_csv(second / "customers.csv")
    assert set(customers["movement"]) == {"same"}
    migration = pd.read_csv(second / "migration.csv")
    assert migration.shape[0] >= 3


def test_demo_runs_the_whole_job_on_the_bundled_sample(tmp_path):
    out = tmp_path / "demo"
    assert cli.main(["demo", "--out", str(out), "-q"]) == 0
    customers = pd.read_csv(out / "customers.csv", dtype={"customer_id": str})
    summary = json.loads((out / "summary.json").read_text())
    assert summary["layout"] == "shopify_orders"
    assert summary["rows_read"] == summary["rows_used"] + sum(summary["rows_skipped"].values())
    assert len(customers) == summary["customers"] > 1000
    for column in ("clv", "clv_low", "clv_high"):
        assert customers[column].notna().all() and (customers[column] >= 0).all()
    assert (customers["clv_low"] <= customers["clv"] + 1e-6).all()
    assert (customers["clv"] <= customers["clv_high"] + 1e-6).all()
    assert set(customers["tier"]) == {"High", "Medium", "Low"}
    assert customers["rfm_segment"].notna().all()
    assert (out / "report.xlsx").exists()
    assert len(list((out / "exports").glob("mailchimp_*.csv"))) == 3
    # A second demo into the same folder replaces its own lists and says so in the summary.
    assert cli.main(["demo", "--out", str(out), "-q"]) == 0


def test_file_columns_named_like_results_are_kept_not_dropped(tmp_path):
    src = tmp_path / "orders.csv"
    src.write_text("Email,Date,Total,tier,Country\n"
                   "a@x.com,2024-01-05,10.00,Gold,FR\n"
                   "b@x.com,2024-02-05,20.00,Silver,DE\n"
                   "a@x.com,2024-03-05,30.00,Gold,FR\n", encoding="utf-8")
    out = tmp_path / "out"
    assert cli.main(["analyze", str(src), "--out", str(out), "--method", "historical", "--no-report", "-q"]) == 0
    customers = pd.read_csv(out / "customers.csv").set_index("email")
    assert customers.loc["a@x.com", "tier (from file)"] == "Gold"
    assert customers.loc["a@x.com", "Country"] == "FR"
    assert set(customers["tier"]) <= {"High", "Medium", "Low"}


def test_existing_email_lists_are_not_replaced_and_nothing_else_is_written(tmp_path, capsys):
    src = _write_orders(tmp_path / "orders.csv")
    out = tmp_path / "out"
    args = ["analyze", str(src), "--out", str(out), "--method", "historical", "--no-report", "-q",
            "--export", "mailchimp"]
    assert cli.main(args) == 0
    before = (out / "customers.csv").stat().st_mtime_ns
    (out / "customers.csv").write_text("marker", encoding="utf-8")
    capsys.readouterr()
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert "mailchimp" in err and "Traceback" not in err
    assert (out / "customers.csv").read_text(encoding="utf-8") == "marker"
    assert cli.main(args + ["--overwrite"]) == 0
    assert (out / "customers.csv").stat().st_mtime_ns >= before
    assert (out / "customers.csv").read_text(encoding="utf-8").startswith("\ufeffcustomer_id,")  # BOM: for Excel


@pytest.mark.parametrize("given", ["consent=", 'consent=""'])
def test_map_role_to_nothing_switches_the_role_off(tmp_path, given):
    src = tmp_path / "orders.csv"
    src.write_text("Order ID,Customer ID,Email,Date,Total,Accepts Marketing\n1,A,a@x.com,2024-01-01,10,yes\n"
                   "2,B,b@x.com,2024-02-01,20,yes\n3,A,a@x.com,2024-03-01,5,yes\n", encoding="utf-8")
    out = tmp_path / "out"
    assert cli.main(["analyze", str(src), "--map", given, "--out", str(out), "--no-report"]) == 0
    customers = pd.read_csv(out / "customers.csv")
    assert customers["consent"].isna().all()  # the column was not read as consent
    summary = json.loads((out / "summary.json").read_text())
    assert "consent" not in summary["mapping"]
    assert cli.main(["analyze", str(src), "--out", str(tmp_path / "with"), "--no-report"]) == 0
    assert (pd.read_csv(tmp_path / "with" / "customers.csv")["consent"] == "yes").all()


def test_running_out_of_memory_points_to_duckdb(tmp_path, capsys, monkeypatch):
    import clv_engine.pipeline as pipeline

    def too_big(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(pipeline, "read_orders_with", too_big)
    src = tmp_path / "orders.csv"
    src.write_text("customer_id,date,amount\na,2024-01-01,10\n", encoding="utf-8")
    assert cli.main(["analyze", str(src), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "too large for the memory of this computer" in err and "--duckdb" in err and "Traceback" not in err


def test_analyse_is_analyze_and_a_mistyped_option_points_to_the_commands_help(tmp_path, capsys):
    src = _write_orders(tmp_path / "orders.csv")
    out = tmp_path / "out"
    assert cli.main(["analyse", str(src), "--out", str(out), "--method", "historical", "--no-report", "-q"]) == 0
    assert (out / "customers.csv").is_file()
    capsys.readouterr()
    with pytest.raises(SystemExit) as stop:  # a shortened option is no option (--overwrit for --overwrite)
        cli.main(["analyze", str(src), "--out", str(out), "--overwrit"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err == "clv: error: unrecognized arguments: --overwrit. See 'clv analyze --help'.\n"


def test_tiers_without_names_are_named_for_their_number_and_the_total_is_printed(tmp_path, capsys):
    src = _write_orders(tmp_path / "orders.csv")
    out = tmp_path / "out"
    assert cli.main(["analyze", str(src), "--out", str(out), "--method", "historical", "--no-report",
                     "--tiers", "50,50"]) == 0
    printed = capsys.readouterr().out
    tiers = pd.read_csv(out / "customers.csv")["tier"]
    assert set(tiers) == {"Tier 1", "Tier 2"}
    total = pd.read_csv(out / "customers.csv")["clv"].sum()
    assert f"Total value to date: ${total:,.0f}" in printed  # the file writes "$120.00": $ in front
    assert "hold 98% of value to date." in printed  # not "expected value": nothing was predicted


def test_the_progress_bar_never_goes_back():
    import io

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    bar = cli._Progress(stream=screen, delay=0.0)
    for step, fraction in [("Reading file", 0.2), ("Done", 0.35), ("Reading orders", 0.0), ("Segmenting", 0.8),
                           ("Writing results", 0.6)]:
        bar.last_draw = 0.0  # draw every step
        bar(step, fraction)
    shown = [int(part.split("%")[0].split()[-1]) for part in screen.getvalue().split("\r") if "%" in part]
    assert shown == sorted(shown) and shown[-1] == 80


def test_terminal_control_characters_from_the_file_are_shown_not_obeyed(tmp_path, capsys):
    """An escape sequence in a cell would recolour or rewrite the user's terminal."""
    src = tmp_path / "orders.csv"
    src.write_text("Order,Email,Date,Total,Newsletter\n1,\x1b[31mRed\x1b[0m <a@x.com>,2024-01-05,10,\x1b[2Jmaybe\n"
                   "2,b@x.com,2024-01-06,20,yes\n", encoding="utf-8")
    assert cli.main(["analyze", str(src), "--out", str(tmp_path / "out"), "--no-report"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\\x1b[2Jmaybe" in out


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_every_result_file_is_readable_by_the_user_alone(tmp_path):
    """customers.csv, the email lists and the report all hold names and emails."""
    src = _write_orders(tmp_path / "orders.csv")
    out = tmp_path / "out"
    assert cli.main(["analyze", str(src), "--out", str(out), "--export", "mailchimp", "-q"]) == 0
    written = [p for p in out.rglob("*") if p.is_file() and not p.name.startswith(".")]
    names = {p.name for p in written}
    assert {"customers.csv", "report.xlsx"} <= names and any(n.startswith("mailchimp") for n in names)
    for path in written:
        assert path.stat().st_mode & 0o077 == 0, path.name


def test_the_internal_error_log_keeps_where_not_what(tmp_path, capsys, monkeypatch):
    """An unexpected error's message can quote a cell (a customer's email): the log keeps the
    code's location and the kind of error only."""
    import tempfile

    import clv_engine.pipeline as pipeline

    message = "could not use " + "'ann." + "secret@example.com'"  # (so that the raising line does not hold it)

    def broken(*args, **kwargs):
        raise ValueError(message)

    monkeypatch.setattr(pipeline, "_customer_table", broken)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert cli.main(["analyze", str(_write_orders(tmp_path / "orders.csv")), "--out", str(tmp_path / "out")]) == 1
    log = (tmp_path / "clv-toolkit-error.log").read_text(encoding="utf-8")
    assert "ValueError" in log and "broken" in log and "secret" not in log
    assert "secret" not in capsys.readouterr().err


def test_money_in_customers_csv_rounds_halves_up_like_a_spreadsheet(tmp_path):
    """Superstore's Sales have more than two decimals; 500.0 + 64.885 is stored as
    564.88499999…, which plain rounding wrote as 564.88 (a spreadsheet shows 564.89)."""
    src = tmp_path / "orders.csv"
    src.write_text("customer_id,date,amount\na,2024-01-05,500.0\na,2024-02-05,64.885\nb,2024-01-09,2014.545\n"
                   "c,2024-01-10,-0.125\nc,2024-03-10,10.0\n", encoding="utf-8")
    assert cli.main(["analyze", str(src), "--out", str(tmp_path / "out"), "--method", "historical", "-q",
                     "--no-report"]) == 0
    table = pd.read_csv(tmp_path / "out" / "customers.csv", dtype={"customer_id": str}).set_index("customer_id")
    assert table.loc["a", "total_value"] == 564.89 and table.loc["b", "total_value"] == 2014.55
