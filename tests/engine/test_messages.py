"""Messages for people: sentences end before the advice, the command line names its own
options, counts of one are singular."""
import re

import pytest

from clv_engine import cli
from clv_engine import errors
from clv_engine.errors import InputError
from clv_engine.pipeline import Settings


def _orders(path, rows=(("1", "ann@example.com", "2024-01-05", "10.00"), ("2", "ann@example.com", "2024-02-05", "20.00"),
                        ("3", "bob@example.com", "2024-03-01", "15.00"))):
    path.write_text("Order,Email,Date,Total\n" + "".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _error_line(tmp_path, capsys, *args, src=None):
    src = src or _orders(tmp_path / "orders.csv")
    code = cli.main(["analyze", str(src), "--out", str(tmp_path / "out"), "--no-report", *args])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1, err
    return err.strip()


@pytest.mark.parametrize("args, joint", [
    (["--as-of", "2000-01-01"], "as-of date 2000-01-01; the first order in the file is on 2024-01-05. Choose a later"),
    (["--as-of", "2999-01-01"], "as-of date 2999-01-01 is in the future. The as-of date ends"),
    (["--as-of", "2024-02-30"], "as-of date '2024-02-30' is not a date. Write it as YYYY-MM-DD"),
    (["--tiers", "50,10"], "not 100%. Make the shares"),
    (["--tiers", "abc"], "not a list of numbers. Write it like 20,50,30"),
    (["--margin", "2"], "margin 2 is out of range. Use a value"),
    (["--discount-rate", "5"], "discount rate 5 is out of range. Use a value"),
    (["--thresholds", "abc"], "not a list of numbers. Write it like --thresholds"),
    (["--thresholds", "5,10"], "from highest to lowest. Write them like"),
    (["--lifespan", "500"], "lifespan 500 is out of range. Use a number of years"),
    (["--horizon", "0"], "from 1 to 120. Use e.g. 12"),
])
def test_bad_settings_end_their_sentence_before_the_advice(tmp_path, capsys, args, joint):
    line = _error_line(tmp_path, capsys, *args)
    assert joint in line
    assert line.endswith(".")
    # no sentence runs into the next one: a word, number or quote directly before a capital
    assert not re.search(r"[a-z0-9%'\]] (Use|Make|Write|Choose|Give|Check|Name) ", line), line


@pytest.mark.parametrize("message, hint, text", [
    ("no orders up to 2020-01-01", "Choose a later date.", "no orders up to 2020-01-01. Choose a later date."),
    ("margin 2 is out of range.", "Use a value from 0 to 1", "margin 2 is out of range. Use a value from 0 to 1."),
    ("is this a file?", "Check it.", "is this a file? Check it."),
    ("the columns are:", "'A', 'B'.", "the columns are: 'A', 'B'."),
    ("unknown tool 'x'", None, "unknown tool 'x'"),  # without advice the message is shown as given
    ("cannot read it (it is empty.)", "Export it again.", "cannot read it (it is empty.) Export it again."),
    ("cannot read it ('x')", "Export it again.", "cannot read it ('x'). Export it again."),
])
def test_input_error_ends_the_message_before_the_hint(message, hint, text):
    assert str(InputError(message, hint=hint)) == text
    assert str(InputError(message, where="orders.csv", hint=hint)) == f"orders.csv: {text}"
    assert InputError(message, hint=hint).message == message  # the parts stay as given


def test_settings_errors_are_input_errors_with_a_full_stop():
    with pytest.raises(InputError, match=r"^lifespan must be a number of years, got 'x'\. Use"):
        Settings(lifespan_years="x").validate()
    with pytest.raises(InputError, match=r"^margin 2 is out of range\. Use"):
        Settings(margin=2).validate()


@pytest.mark.parametrize("header, row, role", [
    ("Order,Email,Total", "1,a@example.com,10", "date"),
    ("Order,Email,Date", "1,a@example.com,2024-01-05", "amount"),
])
def test_missing_column_on_the_command_line_names_the_option_not_python(tmp_path, capsys, header, row, role):
    src = tmp_path / "orders.csv"
    src.write_text(f"{header}\n{row}\n", encoding="utf-8")
    line = _error_line(tmp_path, capsys, src=src)
    assert f"--map {role}=COLUMN" in line
    assert "mapping=" not in line and "{" not in line
    assert line.endswith(".")


def test_command_line_text_drops_python_only_alternatives():
    error = InputError("none of the 2 sheets holds an order list.", where="book.xlsx",
                       hint="Choose the one with the orders (--sheet NAME, or sheet='NAME'), and name its columns "
                            "with --map role=COLUMN if needed.")
    assert errors.command_line_text(error) == ("book.xlsx: none of the 2 sheets holds an order list. Choose the one with "
                                        "the orders (--sheet NAME), and name its columns with --map role=COLUMN "
                                        "if needed.")
    error = InputError("no order date column was recognised.",
                       hint="Name it 'Date', e.g. --map date=COLUMN (mapping={'date': 'COLUMN'}).")
    assert errors.command_line_text(error) == "no order date column was recognised. Name it 'Date', e.g. --map date=COLUMN."


def test_counts_of_one_are_singular_in_the_command_line_summary(tmp_path, capsys):
    src = _orders(tmp_path / "orders.csv", rows=(("1", "ann@example.com", "2024-01-05", "10.00"),))
    code = cli.main(["analyze", str(src), "--out", str(tmp_path / "out"), "--no-report", "--method", "historical"])
    out = capsys.readouterr().out
    assert code == 0
    assert "1 row read, 1 used, 0 skipped" in out
    assert "1 customer, 1 order up to 2024-01-05." in out
    assert not re.search(r"\b1 (rows|customers|orders|files)\b", out), out


def test_counts_above_one_stay_plural(tmp_path, capsys):
    code = cli.main(["analyze", str(_orders(tmp_path / "orders.csv")), "--out", str(tmp_path / "out"), "--no-report",
                     "--method", "historical"])
    out = capsys.readouterr().out
    assert code == 0
    assert "3 rows read" in out and "2 customers, 3 orders up to" in out and re.search(r"Wrote \d+ files to", out)


@pytest.mark.parametrize("names", [("VIP", "VIP", "Rest"), ("VIP", "", "Rest"), ("VIP", "Rest")])
def test_tier_names_are_checked_with_the_other_settings_before_a_run(names):
    """The desktop checks settings before it runs and remembers them: duplicate tier names used
    to pass that check and fail only once the analysis was under way."""
    from clv_engine.pipeline import Settings

    with pytest.raises(InputError, match="tiers need 3 different, non-empty names|named 2 tiers but gave 3"):
        Settings(tier_names=names).validate()
    assert Settings(tier_names=(" VIP ", "Regular", "Rest")).validate().tier_names == ["VIP", "Regular", "Rest"]
