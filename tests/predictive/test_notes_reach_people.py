"""Model notes and fallbacks reach summary.json and the CLI's output, never as Python warnings."""
from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd

from clv_engine.cli import main
from clv_engine.pipeline import analyze

from test_churn import no_dropout_orders  # same directory (pytest puts it on sys.path)


def test_no_dropout_run_says_so_in_words_and_warns_nothing(tmp_path, capsys):
    orders = no_dropout_orders(600, seed=11)
    path = tmp_path / "orders.csv"
    orders.assign(date=orders["date"].dt.strftime("%Y-%m-%d")).to_csv(path, index=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code = main(["analyze", str(path), "--out", str(tmp_path / "out")])
    assert code == 0
    model_warnings = [w for w in caught if "Model" in w.category.__name__ or issubclass(w.category, RuntimeWarning)]
    assert model_warnings == []
    printed = capsys.readouterr()
    assert "Warning" not in printed.err and printed.err.strip() == ""
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["method"] == "predictive"
    assert "no measurable dropout" in summary["clv_basis"]
    assert "no measurable dropout" in printed.out
    customers = pd.read_csv(tmp_path / "out" / "customers.csv")
    assert {"churn_risk", "churn_label"} <= set(customers.columns)
    assert customers["churn_risk"].nunique() > 50 and set(customers["churn_label"]) <= {"Low", "Medium", "High"}


def test_a_fallback_says_the_horizon_and_discount_were_not_used():
    rng = np.random.default_rng(2)
    orders = pd.DataFrame({
        "customer_id": [f"c{i % 40}" for i in range(120)],
        "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 300, 120), unit="D"),
        "amount": rng.gamma(3, 20, 120),
    })
    analysis = analyze(orders)
    summary = analysis.summary
    assert summary["method"] == "simple" and "fallback_reason" in summary
    notes = summary["prediction_notes"]
    assert any("12-month horizon" in n and "10% discount rate" in n and "not used" in n for n in notes)


def test_a_model_whose_check_was_near_chance_comes_with_a_plain_caution():
    from clv_engine.pipeline import _weak_check_note

    weak = {"method": "predictive", "model": {"holdout_score": {"churn_auc": 0.479}}}
    note = _weak_check_note(weak)
    assert len(note) == 1 and note[0].startswith("Caution:") and "AUC 0.48" in note[0]
    assert _weak_check_note({"method": "predictive", "model": {"holdout_score": {"churn_auc": 0.76}}}) == []
    assert _weak_check_note({"method": "simple"}) == []
