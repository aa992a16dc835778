"""Export files: capped and cleaned cells, both one-file mode names, consent lines per file,
stale lists of the same tool, and the column-wise contact rules equal the per-contact ones."""
from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clv_engine.errors import InputError
from clv_engine.exports import export_email_lists, is_valid_email, split_name
from clv_engine.exports.contacts import first_and_last_names, is_person_name, person_names, valid_emails


def table(**columns):
    base = {"customer_id": ["1", "2"], "email": ["a@x.com", "b@x.com"], "name": ["Ann Lee", "Bob Ray"],
            "consent": pd.array([True, True], dtype="boolean"), "tier": ["High", "Low"], "clv": [10.0, 5.0],
            "rfm_segment": ["Champions", "Lost"]}
    base.update(columns)
    return pd.DataFrame(base)


def rows(path):
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def test_a_huge_name_is_cut_to_255_bytes_with_a_line_saying_so(tmp_path):
    huge = "Zoë " + "x" * 10_000_000
    result = export_email_lists(table(name=[huge, "Bob Ray"]), "mailchimp", tmp_path, mode="tagged")
    ann = rows(tmp_path / "mailchimp_all.csv")[0]
    assert ann["First Name"] == "Zoë"
    assert len(ann["Last Name"].encode("utf-8")) == 255
    assert result.cells_cut == 1
    assert "1 cell (names, ids, tiers or segments) longer than 255 bytes was cut to that length." in result.describe()
    assert (tmp_path / "mailchimp_all.csv").stat().st_size < 2000


def test_nul_and_line_breaks_never_reach_a_list(tmp_path):
    export_email_lists(table(name=["An\x00n\u2028Lee", "Bob\r\nRay"], tier=["Hi\x00gh", "Low"]), "klaviyo",
                       tmp_path, mode="single")
    text = (tmp_path / "klaviyo_all.csv").read_text(encoding="utf-8")
    assert "\x00" not in text and "\u2028" not in text
    got = rows(tmp_path / "klaviyo_all.csv")
    assert len(got) == 2
    assert (got[0]["First Name"], got[0]["Last Name"], got[0]["CLV Tier"]) == ("Ann", "Lee", "High")


@pytest.mark.parametrize("mode", ["tagged", "single"])
def test_both_names_of_the_one_file_mode_work(tmp_path, mode):
    result = export_email_lists(table(), "hubspot", tmp_path, mode=mode)
    assert result.per_file == {"hubspot_all.csv": 2}


def test_every_file_line_says_when_consent_is_unknown(tmp_path):
    result = export_email_lists(table().drop(columns="consent"), "brevo", tmp_path)
    lines = result.describe()
    file_lines = [line for line in lines if line.startswith("Wrote ")]
    assert len(file_lines) == 2 and all("Consent unknown" in line for line in file_lines)
    assert any("permission" in line for line in lines)


def test_no_file_written_still_says_consent_is_unknown(tmp_path):
    result = export_email_lists(table(email=["", ""]).drop(columns="consent"), "brevo", tmp_path)
    assert result.files == [] and any("permission" in line for line in result.describe())


def test_earlier_lists_of_the_tool_are_refused_or_removed(tmp_path):
    export_email_lists(table(), "mailchimp", tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mailchimp_high.csv", "mailchimp_low.csv"]
    (tmp_path / "klaviyo_all.csv").write_text("another tool's list", encoding="utf-8")
    (tmp_path / "mailchimp_at-risk-customers.csv").write_text("a list saved under its own name", encoding="utf-8")
    later = table(consent=pd.array([True, False], dtype="boolean"))  # Bob said no since
    with pytest.raises(InputError, match="mailchimp_high.csv, mailchimp_low.csv"):
        export_email_lists(later, "mailchimp", tmp_path)
    export_email_lists(later, "mailchimp", tmp_path, overwrite=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["klaviyo_all.csv", "mailchimp_at-risk-customers.csv",
                                                          "mailchimp_high.csv"]


NAMES = st.text(alphabet=st.sampled_from(list("ab ,Zé\t.-=(\"@+1#")), max_size=12)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), NAMES), max_size=8))
def test_column_wise_names_equal_split_name(names):
    first, last = first_and_last_names(pd.DataFrame({"name": pd.Series(names, dtype=object)}))
    assert list(zip(first, last)) == [split_name(n) for n in names]


NAME_CELLS = st.lists(st.sampled_from(list("aw. ,'’-\t=(@+1_#é\u00a0\uff08\n") + ["www.", "://"]),
                      max_size=10).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.none(), NAME_CELLS), max_size=10))
def test_column_wise_person_name_check_equals_is_person_name(cells):
    got = person_names(pd.Series(cells, dtype=object)).tolist()
    assert got == [is_person_name(c) for c in cells]


EMAILS = st.text(alphabet=st.sampled_from(list("ab@._-é+ 1")), max_size=14)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), EMAILS), max_size=8), st.booleans())
def test_column_wise_email_check_equals_is_valid_email(emails, ascii_only):
    got = valid_emails(pd.Series(emails, dtype=object), ascii_only).tolist()
    assert got == [is_valid_email(e, ascii_only) for e in emails]


def test_a_file_without_emails_says_so_and_what_to_do(tmp_path):
    result = export_email_lists(table(email=["", ""]), "mailchimp", tmp_path)
    lines = result.describe()
    assert result.files == []
    note = next(line for line in lines if "no email addresses" in line)
    assert "--map email=COLUMN" in note
    assert not any("import these contacts" in line for line in lines)  # nothing was written to import


@pytest.mark.parametrize("tool", ["mailchimp", "klaviyo", "hubspot", "brevo", "activecampaign", "generic"])
def test_invisible_direction_and_zero_width_characters_never_reach_a_list(tmp_path, tool):
    """A right-to-left override shows "Bob\\u202eexe.live" as "Bobevil.exe" in a personalised email."""
    export_email_lists(table(name=["Bob\u202eexe.live Ray", "\ufeffAnn\u200b Lee\u2066"]), tool, tmp_path,
                       mode="tagged")
    text = "".join(p.read_text(encoding="utf-8-sig") for p in tmp_path.glob("*.csv"))
    for character in "\u202e\ufeff\u200b\u2066":
        assert character not in text
    assert "Bobexe.live" in text and "Ann" in text and "Lee" in text
