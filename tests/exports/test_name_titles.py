"""First and last names: titles are dropped, middle initials belong to the first name.

Audit: "Dr. John Watson" gave First ``Dr.``, Last ``John Watson``; "Amélie P. Fischer" gave
Last ``P. Fischer``. Mailchimp's *|FNAME|* and HubSpot's First name greet a person by it.
"""
from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clv_engine.exports import export_email_lists, split_name
from clv_engine.exports.contacts import first_and_last_names


@pytest.mark.parametrize("name, expected", [
    ("Dr. John Watson", ("John", "Watson")),
    ("Dr John Watson", ("John", "Watson")),
    ("Prof. Dr. Hans Müller", ("Hans", "Müller")),
    ("Mrs. Emma Nowak-Smith", ("Emma", "Nowak-Smith")),
    ("Herr Jonas Becker", ("Jonas", "Becker")),
    ("Frau Lena Vogel", ("Lena", "Vogel")),
    ("Mme Claire Dubois", ("Claire", "Dubois")),
    ("M. Pierre Martin", ("Pierre", "Martin")),
    ("Sra. Ana García López", ("Ana", "García López")),
    ("MS Jane Roe", ("Jane", "Roe")),
    ("Mr Smith", ("", "Smith")),  # a title and one word: that word is the family name
    ("Watson, Dr. John", ("John", "Watson")),
    ("Amélie P. Fischer", ("Amélie P.", "Fischer")),
    ("John F. Kennedy", ("John F.", "Kennedy")),
    ("George R. R. Martin", ("George R. R.", "Martin")),
    ("Jan K Nowak", ("Jan K", "Nowak")),
    ("Dr. Amélie P. Fischer", ("Amélie P.", "Fischer")),
    # not titles or initials
    ("Drake Bell", ("Drake", "Bell")),
    ("Mario Sr Rossi", ("Mario", "Sr Rossi")),
    ("Anna S.", ("Anna", "S.")),
    ("Maria e Silva", ("Maria", "e Silva")),
    ("Vincent v. Gogh", ("Vincent", "v. Gogh")),
    ("Ludwig van Beethoven", ("Ludwig", "van Beethoven")),
    ("Cher", ("Cher", "")),
])
def test_titles_and_initials(name, expected):
    assert split_name(name) == expected
    first, last = first_and_last_names(pd.DataFrame({"name": [name]}))
    assert (first[0], last[0]) == expected


def test_a_title_in_the_files_own_first_name_column_is_dropped():
    frame = pd.DataFrame({"first_name": ["Dr. John", "Frau", "Anna"], "last_name": ["Watson", "Meier", "Lee"]})
    # "Frau" alone is no first name: better no greeting by first name than "Hallo Frau"
    assert first_and_last_names(frame) == (["John", "", "Anna"], ["Watson", "Meier", "Lee"])


def test_names_in_the_import_files(tmp_path):
    frame = pd.DataFrame({
        "customer_id": ["1", "2"], "email": ["j@example.com", "a@example.com"],
        "name": ["Dr. John Watson", "Amélie P. Fischer"], "tier": ["High", "High"], "clv": [2.0, 1.0],
    })
    export_email_lists(frame, "mailchimp", tmp_path, mode="tagged")
    got = list(csv.DictReader(io.StringIO((tmp_path / "mailchimp_all.csv").read_text(encoding="utf-8"))))
    assert [(r["First Name"], r["Last Name"]) for r in got] == [("John", "Watson"), ("Amélie P.", "Fischer")]


WORDS = st.sampled_from(["Dr.", "dr", "Mr", "Mrs.", "M.", "Frau", "P.", "P", "e", "v.", "Anna", "Zoë", "Lee", ",",
                         "J.", "Drake", "-", "ß."])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.lists(WORDS, max_size=5).map(" ".join)), max_size=8))
def test_column_wise_names_equal_split_name_with_titles_and_initials(names):
    frame = pd.DataFrame({"name": pd.Series(names, dtype=object)}).set_axis([0] * len(names))  # repeated ids
    first, last = first_and_last_names(frame)
    assert list(zip(first, last)) == [split_name(n) for n in names]
