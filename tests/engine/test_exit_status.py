"""Exit status 0 or 2 with one line; warnings as notes with the results, never on stderr."""
from __future__ import annotations

import logging
import warnings

import pytest

from clv_engine import cli, pipeline

GOOD = ("Order,Email,Date,Total\n1,a@x.com,2024-01-01,10\n2,b@x.com,2024-01-02,20\n"
        "3,a@x.com,2024-03-01,15\n")


def test_a_cell_over_128_kb_is_read_or_refused_in_one_line(tmp_path, capsys):
    path = tmp_path / "huge_cell.csv"
    path.write_text("Order,Email,Date,Total,Note\n1,a@x.com,2024-01-01,10," + "x" * 200_000 + "\n"
                    "2,b@x.com,2024-01-02,20,y\n", encoding="utf-8")
    code = cli.main(["analyze", str(path), "--out", str(tmp_path / "out"), "--method", "historical", "-q"])
    err = capsys.readouterr().err
    assert code == 0 and err == "" or code == 2 and err.count("\n") == 1 and "128 KB" in err


@pytest.mark.parametrize("name,text", [
    ("empty.csv", ""),
    ("header_only.csv", "Order,Email,Date,Total\n"),
    ("no_amount.csv", "Order,Email,Date\n1,a@x.com,2024-01-01\n"),
])
def test_bad_input_is_exit_2_with_one_line(tmp_path, capsys, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert cli.main(["analyze", str(path), "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and captured.err.startswith("clv: error: ")
    assert captured.out == ""
    assert not out.exists() or [p.name for p in out.iterdir() if p.name != ".clv-lock"] == []


def test_option_mistakes_are_one_line(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["analyze", "x.csv", "--export-mode", "sideways"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "sideways" in err


@pytest.fixture
def noisy(monkeypatch):
    real = pipeline.customer_summary

    def summary_with_warnings(*args, **kwargs):
        warnings.warn("the model fit took the slow path", RuntimeWarning)
        logging.getLogger("clv_engine.models").warning("a log warning from a model")
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "customer_summary", summary_with_warnings)


def test_warnings_are_notes_in_the_plain_output(tmp_path, capsys, noisy):
    path = tmp_path / "orders.csv"
    path.write_text(GOOD, encoding="utf-8")
    assert cli.main(["analyze", str(path), "--out", str(tmp_path / "out"), "--method", "historical",
                     "--no-report"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert "  Note: the model fit took the slow path" in captured.out
    assert "  Note: a log warning from a model" in captured.out


def test_quiet_prints_nothing_on_success_and_only_the_error_on_failure(tmp_path, capsys, noisy):
    path = tmp_path / "orders.csv"
    path.write_text(GOOD, encoding="utf-8")
    args = ["analyze", str(path), "--out", str(tmp_path / "out"), "--method", "historical", "--no-report", "-q"]
    assert cli.main(args) == 0
    assert capsys.readouterr() == ("", "")
    assert cli.main(args + ["--export", "mailchimp"]) == 0
    capsys.readouterr()
    assert cli.main(args + ["--export", "klaviyo"]) == 2  # the folder holds lists of an earlier run
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
