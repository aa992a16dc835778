import math
import shutil
import subprocess
import types

import numpy as np
import pandas as pd
import pytest

openpyxl = pytest.importorskip("openpyxl")

from clv_engine.errors import InputError  # noqa: E402
from clv_engine.report import histogram_table, pareto_curve, top_share, write_excel_report  # noqa: E402


@pytest.fixture(scope="module")
def report_path(analysis, tmp_path_factory):
    return write_excel_report(analysis, tmp_path_factory.mktemp("report") / "report.xlsx")


def test_report_has_every_sheet_in_order(report_path):
    book = openpyxl.load_workbook(report_path)
    assert book.sheetnames == ["Summary", "Tiers", "RFM segments", "Charts", "Tier High", "Tier Medium", "Tier Low",
                               "Intake", "Settings"]
    assert all(len(name) <= 31 for name in book.sheetnames)


def test_report_has_native_charts_and_rfm_heat_map(report_path):
    book = openpyxl.load_workbook(report_path)
    assert len(book["Tiers"]._charts) == 1
    assert len(book["Charts"]._charts) == 2  # Pareto curve and CLV histogram
    rules = book["RFM segments"].conditional_formatting
    assert any(rule.type == "colorScale" for cf in rules for rule in cf.rules)


def test_summary_states_top_customer_share_in_plain_words(analysis, report_path):
    # the top tier as drawn, in the words the command prints (ties can make it 21%)
    high = analysis.customers[analysis.customers["tier"] == "High"]
    share = high["clv"].sum() / analysis.customers["clv"].sum()
    texts = [c.value for c in openpyxl.load_workbook(report_path)["Summary"]["A"] if c.value]
    assert analysis.summary["headline"] in texts
    assert f"hold {share:.0%} of expected value." in analysis.summary["headline"]
    assert any(t.startswith("High: Send exclusive offers") for t in texts)
    horizon = analysis.settings.horizon_months
    assert any(t.startswith(f"Total expected value over the next {horizon} months: ") for t in texts)


def test_tier_sheets_list_each_customer_once_best_first(analysis, report_path):
    book = openpyxl.load_workbook(report_path)
    ids = []
    for tier in ("High", "Medium", "Low"):
        ws = book[f"Tier {tier}"]
        header = [c.value for c in ws[1]]
        assert header[:3] == ["Customer ID", "Name", "Email"]
        clv_col = header.index("CLV")
        clvs = [row[clv_col] for row in ws.iter_rows(min_row=2, values_only=True)]
        assert clvs == sorted(clvs, reverse=True)
        ids += [row[0] for row in ws.iter_rows(min_row=2, values_only=True)]
        assert ws.freeze_panes == "A2"
    assert sorted(ids) == sorted(analysis.customers["customer_id"])


def test_no_nan_or_formula_cells_in_report(report_path):
    book = openpyxl.load_workbook(report_path)
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate)
                if isinstance(cell.value, float):
                    assert math.isfinite(cell.value)
    names = [c.value for c in book["Tier High"]["B"]] + [c.value for c in book["Tier Medium"]["B"]] + \
        [c.value for c in book["Tier Low"]["B"]]
    assert '=HYPERLINK("http://evil.example","click")' in names  # stored as text


def test_money_cells_use_currency_format(report_path):
    ws = openpyxl.load_workbook(report_path)["Tiers"]
    header = [c.value for c in ws[1]]
    cell = ws.cell(row=2, column=header.index("Expected value (CLV), total") + 1)
    assert "€" in cell.number_format
    assert "€" in ws.cell(row=2, column=header.index("Spent to date") + 1).number_format
    share = ws.cell(row=2, column=header.index("Share of expected value (CLV)") + 1)
    assert share.number_format == "0.0%"


def test_intake_and_settings_sheets(report_path):
    book = openpyxl.load_workbook(report_path)
    intake = list(book["Intake"].iter_rows(values_only=True))
    assert any(row[:2] == (17, "date not readable") for row in intake)
    settings = {row[0]: row[1] for row in book["Settings"].iter_rows(min_row=2, values_only=True)}
    assert settings["Setting: tier shares (%)"] == "20, 50, 30"
    assert settings["Setting: mapping"] == "(not set)"
    assert settings["Model detail (for analysts): params.r"] == 0.24
    assert not any("_" in str(label) for label in settings)  # plain words, not the program's names
    formats = {row[0].value: row[1].number_format for row in book["Settings"].iter_rows(min_row=2)}
    assert formats["Setting: margin"] == formats["Setting: discount rate"] == "0%"
    assert formats["Customers"] == "#,##0"


def test_report_without_optional_parts(tmp_path):
    customers = pd.DataFrame({"customer_id": ["a", "b"], "clv": [10.0, np.nan], "tier": ["High", "Low"]})
    analysis = types.SimpleNamespace(customers=customers, segments=None, summary={}, orders=None)
    path = write_excel_report(analysis, tmp_path / "out" / "r.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Summary", "Tiers", "Charts", "Tier High", "Tier Low", "Intake", "Settings"]


def test_report_needs_a_customer_table(tmp_path):
    with pytest.raises(InputError, match="customer table"):
        write_excel_report(types.SimpleNamespace(customers=None), tmp_path / "r.xlsx")


def test_pareto_and_histogram_helpers_match_hand_values():
    curve = pareto_curve([50.0, 30.0, 10.0, 10.0, 0.0], points=5)
    assert curve["share_of_value"].round(4).tolist() == [0.0, 0.5, 0.8, 0.9, 1.0, 1.0]
    # each row's share of customers is that of the whole customers it counts (24 of 122: 19.7%)
    curve = pareto_curve(np.arange(122.0), points=10)
    top = curve[curve["share_of_customers"].between(0.19, 0.21)].iloc[0]
    assert top["share_of_customers"] == pytest.approx(24 / 122)
    assert top["share_of_value"] == pytest.approx(np.arange(98.0, 122.0).sum() / np.arange(122.0).sum())
    assert top_share([50.0, 30.0, 10.0, 10.0, 0.0]) == pytest.approx(0.5)
    assert top_share([0.0, 0.0]) == 0.0
    hist = histogram_table(np.array([0.0, 5.0, 12.0, 99.0]), bins=4)
    assert hist["customers"].sum() == 4


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")
def test_libreoffice_converts_report_to_pdf(report_path, tmp_path):
    profile = (tmp_path / "lo-profile").as_uri()
    completed = subprocess.run(
        [SOFFICE, "--headless", "--norestore", f"-env:UserInstallation={profile}", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(report_path)],
        capture_output=True, text=True, timeout=120,
    )
    pdf = tmp_path / "report.pdf"
    assert completed.returncode == 0, completed.stderr
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
    assert pdf.stat().st_size > 20_000


def test_big_tiers_list_themost_valuable_customers_and_point_to_the_csv(analysis, tmp_path, monkeypatch):
    from clv_engine.report import workbook

    monkeypatch.setattr(workbook, "MAX_CUSTOMER_ROWS", 10)
    path = write_excel_report(analysis, tmp_path / "big.xlsx")
    ws = openpyxl.load_workbook(path)["Tier Medium"]
    members = analysis.customers[analysis.customers["tier"].astype(str) == "Medium"]
    assert len(members) > 10
    assert "customers.csv" in ws["A1"].value and f"{len(members):,}" in ws["A1"].value
    header = [c.value for c in ws[2]]
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 10
    clvs = [row[header.index("CLV")] for row in rows]
    assert clvs == sorted(members["clv"], reverse=True)[:10]


def test_skipped_rows_are_counted_by_reason_with_a_few_examples(analysis, tmp_path):
    """Thousands of skipped rows: every reason counted, ten examples each, the rest in intake.csv."""
    reasons = np.array(["cancelled or failed"] * 3000 + ["no customer"] * 4 + ["unreadable date"] * 50)
    skipped = pd.DataFrame({"row": np.arange(2, len(reasons) + 2), "reason": reasons,
                            "detail": [f"detail {i}" for i in range(len(reasons))]})
    counts = {"cancelled or failed": 3000, "no customer": 4, "unreadable date": 50}
    many = types.SimpleNamespace(**{**vars(analysis), "summary": {**analysis.summary, "rows_skipped": counts},
                                    "orders": types.SimpleNamespace(report=types.SimpleNamespace(skipped=skipped))})
    path = write_excel_report(many, tmp_path / "skipped.xlsx")
    rows = list(openpyxl.load_workbook(path)["Intake"].iter_rows(values_only=True))
    texts = [row[0] for row in rows if isinstance(row[0], str)]
    assert "3,000 rows: cancelled or failed" in texts and "4 rows: no customer" in texts
    assert any("every skipped row is in intake.csv" in t and "24 of 3,054" in t for t in texts)
    listed = [row for row in rows if isinstance(row[0], int)]
    assert [r[1] for r in listed].count("cancelled or failed") == 10
    assert [r[1] for r in listed].count("no customer") == 4
    assert [r[0] for r in listed if r[1] == "unreadable date"] == list(range(3006, 3016))  # the first ten, in order


def test_tier_sheets_stay_small_on_a_big_table(analysis, tmp_path, monkeypatch):
    """The capped sheet holds exactly the most valuable customers, ties in table order."""
    from clv_engine.report import workbook

    monkeypatch.setattr(workbook, "MAX_CUSTOMER_ROWS", 7)
    values = np.array([5.0, 9.0, 9.0, 1.0, 9.0, 3.0, 9.0, 8.0, 2.0, 9.0, 7.0])
    got = workbook.most_valuable(values, np.arange(len(values)), 7)
    assert got.tolist() == [1, 2, 4, 6, 9, 7, 10]
    assert workbook.most_valuable(values, np.array([0, 3, 5]), 7).tolist() == [0, 5, 3]


def test_counts_of_one_are_singular_on_the_summary_and_intake_sheets(analysis, report_path, tmp_path):
    intake = [row[0] for row in openpyxl.load_workbook(report_path)["Intake"].iter_rows(values_only=True)]
    assert "1 row: no customer" in intake and "1 row: date not readable" in intake  # one row of each reason
    one = analysis.customers[analysis.customers["clv"] > 0].iloc[:1].copy()
    tier = str(one["tier"].iloc[0])
    single = types.SimpleNamespace(customers=one, segments=None, rfm_profiles=None,
                                   summary={**analysis.summary, "rows_read": 1, "rows_used": 1, "rows_skipped": {}},
                                   orders=types.SimpleNamespace(report=types.SimpleNamespace(skipped=None)))
    path = write_excel_report(single, tmp_path / "single.xlsx")
    texts = [c.value for c in openpyxl.load_workbook(path)["Summary"]["A"] if isinstance(c.value, str)]
    assert "Read 1 row, used 1; none skipped." in texts
    assert "1 customer analysed." in texts
    assert any(t.startswith(f"{tier}: 1 customer (100%) holds 100% of expected value, ") for t in texts)
    assert not any("1 customers" in t or "1 rows" in t for t in texts)


def test_tier_sheets_leave_out_the_range_when_the_formula_gave_none(analysis, tmp_path):
    formula = analysis.customers.assign(clv_low=analysis.customers["clv"], clv_high=analysis.customers["clv"])
    book = openpyxl.load_workbook(write_excel_report(types.SimpleNamespace(**{**vars(analysis), "customers": formula}),
                                                     tmp_path / "formula.xlsx"))
    header = [c.value for c in book["Tier High"][1]]
    assert "CLV" in header and "CLV (low)" not in header and "CLV (high)" not in header
    ranged = [c.value for c in openpyxl.load_workbook(write_excel_report(analysis, tmp_path / "r.xlsx"))["Tier High"][1]]
    assert "CLV (low)" in ranged


def test_the_summary_says_how_a_prediction_was_made_in_plain_words_and_settings_keep_the_details(analysis, tmp_path):
    from clv_engine.pipeline import plain_method as _plain_method

    summary = {**analysis.summary, "model": {"name": "BG/NBD", "holdout_score": {
        "holdout_weeks": 21.0, "predicted_orders": 51.8, "actual_orders": 55.0}}}
    text = _plain_method(summary)
    assert "buying rhythm" in text and "(BG/NBD)" in text
    assert "Tested on the last 21 weeks" in text and "it expected 52 repeat orders; customers placed 55." in text
    assert _plain_method({**summary, "method": "simple"}) is None
    book = openpyxl.load_workbook(write_excel_report(types.SimpleNamespace(**{**vars(analysis), "summary": summary}),
                                                     tmp_path / "r.xlsx"))
    summary_texts = [c.value for c in book["Summary"]["A"] if c.value]
    assert f"How CLV was computed: {text}" in summary_texts and not any(str(t).startswith("BG/NBD + Gamma") for t in summary_texts)
    settings = {row[0]: row[1] for row in book["Settings"].iter_rows(min_row=2, values_only=True)}
    assert settings["How CLV was computed (for analysts)"] == analysis.summary["clv_basis"]


def test_wide_sheets_print_on_two_page_widths_with_the_first_column_repeated(report_path):
    book = openpyxl.load_workbook(report_path)
    wide, narrow = book["Tier High"], book["Summary"]
    assert wide.page_setup.fitToWidth == 2 and wide.print_title_cols == "$A:$A"
    assert narrow.page_setup.fitToWidth == 1 and narrow.print_title_cols is None
