"""The fast CSV writer writes exactly what pandas' to_csv writes."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clv_engine.csv_writer import to_csv_text

TEXT = st.text(alphabet=st.sampled_from(list('ab ,"\n\r\x00é€;\'') + ["x"]), max_size=6)
FLOATS = st.floats(allow_nan=True, allow_infinity=True, width=64)


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.tuples(TEXT, FLOATS, st.integers(-10**12, 10**12), st.booleans(),
                               st.one_of(st.none(), TEXT)), max_size=8),
       index=st.booleans())
def test_same_text_as_pandas(rows, index):
    assert_same_text_as_pandas(rows, ["id", "value", "count", "flag", "maybe"], ["High", None, "Low"], index)


def assert_same_text_as_pandas(rows, columns, tiers, index):
    """A customer-like table of these rows (text id, a tier column, named index) is written
    exactly as pandas writes it."""
    frame = pd.DataFrame(rows, columns=columns)
    frame["id"] = frame["id"].astype(str)
    frame["tier"] = pd.Categorical(tiers * (len(frame) // len(tiers) + 1))[: len(frame)]
    frame.index = pd.Index([f"C{i}" for i in range(len(frame))], name="customer_id")
    assert to_csv_text(frame, index=index) == frame.to_csv(index=index, lineterminator="\n")


@pytest.mark.parametrize("values", [[0.1, 1e16, 1e-05, -0.0, 123456789.125, np.nan, np.inf, -np.inf, 2.0]])
def test_float_spellings_match_pandas(values):
    frame = pd.DataFrame({"a": values, "b": ["x"] * len(values)})
    assert to_csv_text(frame) == frame.to_csv(index=False, lineterminator="\n")


def test_types_it_does_not_know_go_through_pandas():
    frame = pd.DataFrame({"when": pd.to_datetime(["2024-01-02", None]), "n": [1, 2]})
    assert to_csv_text(frame) == frame.to_csv(index=False, lineterminator="\n")
    single = pd.DataFrame({"only": ["", "a"]})  # a lone empty field is written as ""
    assert to_csv_text(single) == single.to_csv(index=False, lineterminator="\n")
    assert to_csv_text(single.iloc[:0]) == single.iloc[:0].to_csv(index=False, lineterminator="\n")


def test_rows_come_in_pieces_with_the_same_text():
    from clv_engine.csv_writer import csv_chunks

    frame = pd.DataFrame({"id": [f"C{i}" for i in range(25)], "value": np.arange(25) / 4,
                          "note": pd.Series(["a,b" if i % 7 == 0 else "x" for i in range(25)], dtype=object)})
    frame.loc[11, "note"] = 3  # a cell the fast path does not take: that block goes through pandas
    pieces = list(csv_chunks(frame, rows_per_chunk=10))
    assert len(pieces) == 1 + 3  # header, then 10 + 10 + 5 rows
    assert "".join(pieces) == frame.to_csv(index=False, lineterminator="\n")


ROUNDED = st.tuples(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False),
                    st.sampled_from([0, 1, 2, 3, 4, 5, 6])).map(lambda v: round(v[0], v[1]))


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.tuples(TEXT, st.one_of(ROUNDED, st.just(float("nan")), st.just(-0.0),
                                                st.sampled_from([1e-4, 5e-5, 0.0001234, 2.0 ** 50, 1e15])),
                               ROUNDED, st.integers(-2**63 + 1, 2**63 - 1), st.booleans()), min_size=1, max_size=12),
       index=st.booleans())
def test_rounded_numbers_take_the_byte_path_with_the_same_text_as_pandas(rows, index):
    assert_same_text_as_pandas(rows, ["id", "value", "share", "count", "flag"], ["High", None, "Låg"], index)


def test_rounded_numbers_are_written_without_a_string_per_cell():
    from clv_engine import csv_writer

    rng = np.random.default_rng(0)
    n = 200_000
    frame = pd.DataFrame({"clv": np.round(rng.lognormal(3, 2, n), 2), "p": np.round(rng.random(n), 4),
                          "orders": rng.integers(0, 50, n), "name": [f"Zoë {i}" for i in range(n)]})
    frame.loc[::17, "clv"] = np.nan
    text = to_csv_text(frame)
    assert text == frame.to_csv(index=False, lineterminator="\n")
    for column in ("clv", "p", "orders"):  # the byte path, not repr per cell
        assert csv_writer._number_matrix(frame[column].iloc[:1000]) is not None


@pytest.mark.parametrize("column", [
    pd.Series([0.1, 1 / 3]),  # not a short decimal: repr
    pd.Series([5e-05, 1.0]),  # repr writes an exponent
    pd.Series([np.inf, 1.0]),
    pd.Series(np.array([2**64 - 1, 1], dtype=np.uint64)),
])
def test_columns_the_byte_path_cannot_spell_fall_back_to_the_cell_path(column):
    from clv_engine import csv_writer

    assert csv_writer._number_matrix(column) is None
    frame = pd.DataFrame({"a": column, "b": ["x", "y"]})
    assert to_csv_text(frame) == frame.to_csv(index=False, lineterminator="\n")


@pytest.mark.parametrize("consent", [
    pd.array([True, pd.NA, False, True], dtype="boolean"),
    pd.Series([True, None, False, np.nan], dtype=object),
    pd.Series([1, 0, "yes", None], dtype=object),
])
def test_customers_csv_spells_consent_yes_no_or_blank(consent):
    from clv_engine.pipeline import customers_for_csv

    customers = pd.DataFrame({"customer_id": list("abcd"), "consent": consent, "clv": [1.234, 5.0, np.nan, 2.5],
                              "p_alive": [0.12346, 1.0, 0.0, 0.5]})
    out = customers_for_csv(customers)
    expected = customers["consent"].map({True: "yes", False: "no"}).fillna("").tolist()
    assert out["consent"].tolist() == expected
    assert out["clv"].tolist()[:2] == [1.23, 5.0] and out["p_alive"].tolist()[0] == 0.1235
    assert customers["clv"].tolist()[0] == 1.234  # the caller's table is not changed


def test_customers_csv_prepared_block_by_block_is_the_whole_table_prepared():
    from clv_engine.csv_writer import csv_chunks
    from clv_engine.pipeline import customers_for_csv

    rng = np.random.default_rng(2)
    n = 25
    customers = pd.DataFrame({
        "customer_id": [f"c{i}" for i in range(n)],
        "consent": pd.array(rng.choice([True, False, None], n), dtype="boolean"),
        "clv": rng.random(n) * 100, "p_alive": rng.random(n),
        "first_order": pd.to_datetime("2024-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D"),
        "next_order_date": pd.Series(pd.to_datetime("2025-03-01"), index=range(n)).where(rng.random(n) > 0.5),
        "tier": pd.Categorical(rng.choice(["High", "Medium", "Low"], n), categories=["High", "Medium", "Low"]),
    })
    whole = "".join(csv_chunks(customers_for_csv(customers), excel_safe=True))
    blocks = list(csv_chunks(customers, excel_safe=True, rows_per_chunk=4, prepare=customers_for_csv))
    assert len(blocks) == 1 + 7 and "".join(blocks) == whole
    assert '"2024-' in whole and ',"yes",' in whole  # dates and consent were spelled in the blocks


def test_one_line_text_takes_the_byte_path_and_odd_text_the_cell_path():
    from clv_engine import csv_writer

    plain = ["C1", "Zoë Müller", '"quoted, with comma"', "", "€ 5"]
    matrix = csv_writer._text_matrix(plain)
    assert matrix is not None and matrix.shape == (5, max(len(c.encode()) for c in plain))
    assert [bytes(row[row != 0]).decode() for row in matrix] == plain
    assert csv_writer._text_matrix(["a", "two\nlines"]) is None  # rows are split on line breaks
    assert csv_writer._text_matrix(["a", "nul\x00inside"]) is None  # NUL is the padding
    assert csv_writer._text_matrix(["x"] * 100 + ["long " * 100_000]) is None  # one cell would bloat it
    frame = pd.DataFrame({"name": ["Zoë", "two\nlines", "a,b", 'say "hi"', "long " * 100_000],
                          "clv": [1.5, 2.25, np.nan, 0.0, -3.0], "tier": pd.Categorical(["High", None, "Low", "Low", "High"])})
    assert to_csv_text(frame) == frame.to_csv(index=False, lineterminator="\n")
    assert to_csv_text(frame.iloc[[0, 2, 3]]) == frame.iloc[[0, 2, 3]].to_csv(index=False, lineterminator="\n")


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.tuples(TEXT, st.one_of(st.none(), TEXT), st.integers(-10**6, 10**6)), max_size=8))
def test_excel_safe_text_reads_back_cell_for_cell_and_quotes_every_text_cell(rows):
    import csv
    import io

    from clv_engine.csv_writer import spreadsheet_safe_text

    frame = pd.DataFrame(rows, columns=["id", "maybe", "count"])
    frame["id"] = frame["id"].astype(str)
    text = to_csv_text(frame, excel_safe=True)
    back = list(csv.reader(io.StringIO(text, newline="")))
    assert back[0] == ["id", "maybe", "count"] and len(back) == len(frame) + 1
    ids = spreadsheet_safe_text(frame["id"].tolist())
    maybes = spreadsheet_safe_text(["" if pd.isna(v) else v for v in frame["maybe"]])
    assert [r[0] for r in back[1:]] == ids
    assert [r[1] for r in back[1:]] == maybes
    assert [int(r[2]) for r in back[1:]] == frame["count"].tolist()
    for line, cell in zip(text.split("\n")[1:], ids):  # rows without a line break inside a cell
        if cell and "\n" not in "".join(ids + maybes):
            assert line.startswith('"')


@pytest.mark.parametrize("excel_safe", [False, True])
def test_repeated_text_is_spelled_once_with_the_same_result(excel_safe):
    """Columns of a few texts over many rows (tiers, actions, dates) take the per-distinct
    path; quoting, missing cells, formula starts and one very long field come out as cell by cell."""
    from clv_engine import csv_writer
    from clv_engine.csv_writer import csv_chunks

    rng = np.random.default_rng(3)
    texts = np.array(['Send a win-back campaign; "call"', "plain", "a,b", "", "=1+1", "é€ 🙂"], dtype=object)
    n = 30_000
    actions = texts[rng.integers(0, len(texts), n)]
    actions[5] = None
    frame = pd.DataFrame({"id": [f"C{i}" for i in range(n)], "actions": actions,
                          "note": pd.Series(["short"] * n, dtype=str), "value": np.arange(n) / 4})
    frame.loc[7, "note"] = "x" * 20_000  # one long field: the matrix would be far larger than the text
    spelled = []
    original = csv_writer._text_matrix
    csv_writer._text_matrix = lambda cells, quote=None: spelled.append(len(cells)) or original(cells, quote)
    try:
        text = "".join(csv_chunks(frame, excel_safe=excel_safe, rows_per_chunk=10_000))
    finally:
        csv_writer._text_matrix = original
    assert min(spelled) <= len(texts) + 1  # the actions were spelled once per distinct text
    if not excel_safe:
        assert text == frame.to_csv(index=False, lineterminator="\n")
    # the same text as spelling every cell (the path the pandas comparisons above cover)
    original_repeated = csv_writer._repeated_text_matrix
    csv_writer._repeated_text_matrix = csv_writer._text_matrix
    try:
        assert text == "".join(csv_chunks(frame, excel_safe=excel_safe, rows_per_chunk=10_000))
    finally:
        csv_writer._repeated_text_matrix = original_repeated
