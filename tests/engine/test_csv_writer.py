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
    frame = pd.DataFrame(rows, columns=["id", "value", "count", "flag", "maybe"])
    frame["id"] = frame["id"].astype(str)
    frame["tier"] = pd.Categorical(["High", None, "Low"] * 3)[: len(frame)]
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
