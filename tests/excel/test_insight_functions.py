"""CLV_PROFILES and CLV_COHORTS: ranges in, the engine's profiles and cohort heat map out."""
import datetime as dt

from excel_helpers import assert_excel_safe, is_error_cell, last_error

from clv_excel import udfs

HEADER = ["Order ID", "Customer", "Date", "Sales", "Category", "Channel"]


def _orders():
    # a: Jan (Binders 60 + Paper 40), Mar (Binders 50); b: Jan Paper 30; c: Feb Paper 20, Feb Binders 40
    return [HEADER,
            ["o1", "a", dt.datetime(2024, 1, 5), 60.0, "Binders", "ig"],
            ["o1", "a", dt.datetime(2024, 1, 5), 40.0, "Paper", "ig"],
            ["o2", "a", dt.datetime(2024, 3, 10), 50.0, "Binders", "web"],
            ["o3", "b", dt.datetime(2024, 1, 20), 30.0, "Paper", "web"],
            ["o4", "c", dt.datetime(2024, 2, 1), 20.0, "Paper", "ig"],
            ["o5", "c", dt.datetime(2024, 2, 11), 40.0, "Binders", "ig"]]


def test_cohorts_give_the_heat_map_of_customers_still_buying():
    rows = udfs.clv_cohorts(_orders(), None, None, dt.datetime(2024, 4, 30))
    assert not is_error_cell(rows), last_error()
    assert_excel_safe(rows)
    assert rows[0] == ["First order", "Customers", "M0", "M1", "M2", "M3"]
    by_cohort = {row[0]: row[1:] for row in rows[1:]}
    assert by_cohort["2024-01"] == [2, 1.0, 0.0, 0.5, 0.0]
    assert by_cohort["2024-02"][:2] == [1, 1.0] and by_cohort["2024-02"][4] is None  # May not reached
    revenue = {row[0]: row[1:] for row in udfs.clv_cohorts(_orders(), "revenue", None, dt.datetime(2024, 4, 30))[1:]}
    assert revenue["2024-01"][1:] == [65.0, 65.0, 90.0, 90.0]


def test_profiles_show_lift_per_tier():
    rows = udfs.clv_profiles(_orders(), None, "category", None, None, None, "historical", None)
    assert not is_error_cell(rows), last_error()
    assert_excel_safe(rows)
    header = rows[0]
    assert header[:5] == ["Segment", "Segment customers", "What", "Value", "Customers"]
    assert {row[2] for row in rows[1:]} == {"category"}
    lift = header.index("Lift per order")
    assert all(isinstance(row[lift], float) for row in rows[1:])
    assert header[-1] == "Clear preference" and {row[-1] for row in rows[1:]} <= {True, False}


def test_an_unknown_measure_is_an_error_with_its_reason():
    assert is_error_cell(udfs.clv_cohorts(_orders(), "volume"))
    assert "measure 'volume' is not one of" in last_error()


def test_profiles_are_computed_when_first_asked_for_and_equal_the_full_run():
    from clv_engine.pipeline import Settings, analyze
    from clv_excel import functions

    functions.RESULTS.clear()
    end = dt.datetime(2024, 4, 30)
    assert not is_error_cell(udfs.clv_predict(_orders(), None, None, None, "historical", end))
    _, analysis = functions.analysis_of(_orders(), None, None, None, "historical", end)
    assert analysis.insights is None and "insights" not in analysis.summary  # CLV_PREDICT did not need them
    rows = udfs.clv_profiles(_orders(), None, "category", None, None, None, "historical", end)
    assert not is_error_cell(rows), last_error()
    full = analyze(functions.prepared_orders(_orders()).data,
                   Settings(method="historical", observation_end=end))
    assert analysis.summary["insights"] == full.summary["insights"]
    assert analysis.insights.profiles.equals(full.insights.profiles)


def test_a_run_without_insights_still_writes_every_file(tmp_path):
    from clv_engine.pipeline import Settings, analyze
    from clv_excel import functions

    data = functions.prepared_orders(_orders()).data
    lean = analyze(data, Settings(method="historical", observation_end=dt.datetime(2024, 4, 30)), insights=False)
    written = {p.name for p in lean.write(tmp_path / "lean")}
    assert {"profiles.csv", "cohorts.csv", "drivers.csv", "summary.json"} <= written
    assert "insights" in lean.summary
