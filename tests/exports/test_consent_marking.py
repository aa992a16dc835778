"""``include_no_consent``: every file says each contact's consent the way its tool imports it.

Audit: ``--include-no-consent`` put people who said "unsubscribed"/"nein"/"no" into the same
lists as those who said yes, with no consent column or tag, so they could only be imported
as subscribed or not at all.
"""
from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from clv_engine.errors import InputError
from clv_engine.exports import EMAIL_TOOLS, export_email_lists

EMAIL = {"mailchimp": "Email Address", "klaviyo": "Email", "hubspot": "Email", "brevo": "EMAIL",
         "activecampaign": "Email", "generic": "email"}
PER_IMPORT = ("mailchimp", "hubspot", "brevo", "activecampaign")  # consent is chosen for a whole import
WHERE_OPT_OUTS_GO = {"mailchimp": "status Unsubscribed", "hubspot": "opt-out list", "brevo": "blocklisted",
                     "activecampaign": "Exclusion list"}


def rows(path):
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


@pytest.fixture
def table():
    return pd.DataFrame({
        "customer_id": ["1", "2", "3", "4", "5"],
        "email": ["yes1@example.com", "no1@example.com", "yes2@example.com", "none@example.com", "no2@example.com"],
        "name": ["Ann Lee", "Bob Ray", "Cy Dee", "Dee Fox", "Eve Ash"],
        # yes, said no, yes, no statement, said no
        "consent": pd.array([True, False, True, pd.NA, False], dtype="boolean"),
        "tier": pd.Categorical(["High", "High", "Low", "Low", "Low"], categories=["High", "Medium", "Low"],
                               ordered=True),
        "clv": [50.0, 40.0, 30.0, 20.0, 10.0],
        "rfm_segment": ["Champions", "Loyal", "Lost", "Lost", "Lost"],
    })


def emails(path, tool):
    return sorted(r[EMAIL[tool]] for r in rows(path))


@pytest.mark.parametrize("tool", PER_IMPORT)
@pytest.mark.parametrize("mode", ["per-tier", "tagged"])
def test_tools_that_set_consent_per_import_get_opt_outs_in_a_file_of_their_own(table, tmp_path, tool, mode):
    result = export_email_lists(table, tool, tmp_path, mode=mode, include_no_consent=True)
    main = [f"{tool}_all.csv"] if mode == "tagged" else [f"{tool}_high.csv", f"{tool}_low.csv"]
    # opt-outs first: whoever moves all files onto one name keeps the consenting list
    assert list(result.per_file) == [f"{tool}_opted-out.csv", f"{tool}_not-subscribed.csv"] + main
    said_yes = sorted(e for name in main for e in emails(tmp_path / name, tool))
    assert said_yes == ["yes1@example.com", "yes2@example.com"]
    assert emails(tmp_path / f"{tool}_opted-out.csv", tool) == ["no1@example.com", "no2@example.com"]
    assert emails(tmp_path / f"{tool}_not-subscribed.csv", tool) == ["none@example.com"]
    assert result.written == 5 and result.left_out["no marketing consent"] == 0
    lines = result.describe()
    opt_out_line = next(line for line in lines if f"{tool}_opted-out.csv" in line)
    assert opt_out_line.startswith("Wrote 2 contacts") and WHERE_OPT_OUTS_GO[tool] in opt_out_line
    assert any(f"{tool}_not-subscribed.csv" in line and line.startswith("Wrote 1 contact ") for line in lines)


def test_mailchimp_files_say_which_status_to_import_them_with(table, tmp_path):
    result = export_email_lists(table, "mailchimp", tmp_path, mode="tagged", include_no_consent=True)
    assert result.describe()[:3] == [
        "Wrote 2 contacts to mailchimp_opted-out.csv (import with the status Unsubscribed).",
        "Wrote 1 contact to mailchimp_not-subscribed.csv (import with the status Non-Subscribed).",
        "Wrote 2 contacts to mailchimp_all.csv (import with the status Subscribed).",
    ]


@pytest.mark.parametrize("tool, header, cells", [
    ("klaviyo", "Email Marketing Consent", ("subscribed", "unsubscribed", "")),
    ("generic", "consent", ("yes", "no", "")),
])
def test_klaviyo_and_generic_say_each_contacts_consent_in_a_column(table, tmp_path, tool, header, cells):
    result = export_email_lists(table, tool, tmp_path, mode="tagged", include_no_consent=True)
    assert list(result.per_file) == [f"{tool}_all.csv"]
    got = {r[EMAIL[tool]]: r[header] for r in rows(tmp_path / f"{tool}_all.csv")}
    yes, no, unknown = cells
    assert got == {"yes1@example.com": yes, "no1@example.com": no, "yes2@example.com": yes,
                   "none@example.com": unknown, "no2@example.com": no}
    assert any(header in note for note in result.notes)


@pytest.mark.parametrize("tool", EMAIL_TOOLS)
def test_without_the_option_only_consenting_contacts_and_the_usual_files(table, tmp_path, tool):
    result = export_email_lists(table, tool, tmp_path, mode="tagged")
    assert list(result.per_file) == [f"{tool}_all.csv"]
    got = rows(tmp_path / f"{tool}_all.csv")
    assert sorted(r[EMAIL[tool]] for r in got) == ["yes1@example.com", "yes2@example.com"]
    assert "consent" not in got[0] and "Email Marketing Consent" not in got[0]


@pytest.mark.parametrize("tool", EMAIL_TOOLS)
def test_a_table_without_consent_information_is_not_split(table, tmp_path, tool):
    result = export_email_lists(table.drop(columns="consent"), tool, tmp_path, mode="tagged",
                                include_no_consent=True)
    assert list(result.per_file) == [f"{tool}_all.csv"] and result.written == 5


def test_an_earlier_opt_out_list_is_recognised_and_removed(table, tmp_path):
    export_email_lists(table, "hubspot", tmp_path, include_no_consent=True)
    with pytest.raises(InputError, match="hubspot_opted-out.csv"):
        export_email_lists(table, "hubspot", tmp_path)
    export_email_lists(table, "hubspot", tmp_path, overwrite=True)  # without the option this time
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hubspot_high.csv", "hubspot_low.csv"]


def test_only_opt_outs_left_gives_only_the_opt_out_file(table, tmp_path):
    said_no = table.assign(consent=pd.array([False] * 5, dtype="boolean"))
    result = export_email_lists(said_no, "brevo", tmp_path, include_no_consent=True)
    assert list(result.per_file) == ["brevo_opted-out.csv"] and result.written == 5
