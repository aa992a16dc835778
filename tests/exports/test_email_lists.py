import csv
import io
import json

import pandas as pd
import pytest

from clv_engine.errors import InputError
from clv_engine.exports import EMAIL_TOOLS, export_email_lists, is_valid_email, split_name

EXPECTED_HEADERS = {
    "mailchimp": ["Email Address", "First Name", "Last Name", "Tags", "CLV Tier", "Predicted CLV", "Churn Risk", "RFM Segment"],
    "klaviyo": ["Email", "First Name", "Last Name", "CLV Tier", "Predicted CLV", "Churn Risk", "RFM Segment", "Orders",
                "Last Order Date", "CLV Tags"],
    "hubspot": ["Email", "First name", "Last name", "CLV Tier", "Predicted CLV", "Churn Risk", "RFM Segment", "CLV Tags"],
    "brevo": ["EMAIL", "FIRSTNAME", "LASTNAME", "CLV_TIER", "CLV", "CHURN_RISK", "RFM_SEGMENT", "CLV_TAGS"],
    "activecampaign": ["Email", "First Name", "Last Name", "Tags", "CLV Tier", "Predicted CLV", "Churn Risk", "RFM Segment",
                       "Last Order Date"],
    "generic": ["customer_id", "email", "first_name", "last_name", "tier", "clv", "churn_risk", "rfm_segment", "orders",
                "total_value", "last_order", "tags", "actions"],
}


@pytest.fixture
def customers():
    return pd.DataFrame(
        {
            "customer_id": ["1", "2", "3", "4", "5", "6", "7"],
            "email": ["anna@example.com", "ANNA@Example.com", "not-an-email", "bob@example.org", "", "zoë@example.de",
                      "eve@example.net"],
            "name": ["Anna Schmidt", "Anna S.", "Carl", "=HYPERLINK(\"http://x\") Bob", "Dora", "Zoë Quinn", "Eve Adams"],
            "consent": pd.array([True, pd.NA, True, True, True, True, False], dtype="boolean"),
            "tier": pd.Categorical(["High", "Low", "Low", "Medium", "Low", "High", "High"],
                                   categories=["High", "Medium", "Low"], ordered=True),
            "clv": [120.5, 3.0, 1.0, 45.25, 2.0, 99.0, 80.0],
            "churn_risk": [0.1, 0.9, 0.5, 0.25, 0.8, 0.2, 0.3],
            "rfm_segment": ["Champions", "Lost", "Lost", "At risk", "Lost", "Loyal", "Loyal"],
            "last_order": pd.to_datetime(["2024-05-01", "2023-01-01", "2022-01-01", "2024-02-03", "2022-01-01",
                                          "2024-04-04", "2024-04-01"]),
        }
    )


def read(path, encoding="utf-8"):
    with open(path, encoding=encoding, newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("tool", EMAIL_TOOLS)
def test_each_tool_writes_its_documented_headers(customers, tmp_path, tool):
    result = export_email_lists(customers, tool, tmp_path, mode="single")
    raw = (tmp_path / f"{tool}_all.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") == (tool == "generic")  # BOM only for the Excel-bound file
    text = raw.decode("utf-8-sig")
    assert "\r\n" in text
    header = next(csv.reader(io.StringIO(text)))
    assert header == EXPECTED_HEADERS[tool]
    # anna (duplicate merged), bob, zoë; eve has no consent; Mailchimp also refuses zoë (non-ASCII before @)
    assert result.per_file == {f"{tool}_all.csv": 2 if tool == "mailchimp" else 3}
    assert result.written == (2 if tool == "mailchimp" else 3)


def test_consent_duplicates_and_invalid_emails_are_counted(customers, tmp_path):
    result = export_email_lists(customers, "mailchimp", tmp_path, mode="single")
    rows = read(tmp_path / "mailchimp_all.csv")
    # zoë@… has non-ASCII before @ (Mailchimp refuses it); eve said no; ANNA@… merged into anna@…
    assert [r["Email Address"] for r in rows] == ["anna@example.com", "bob@example.org"]  # highest value first
    assert result.left_out == {"no valid email": 3, "no marketing consent": 1, "duplicates merged": 1}
    lines = result.describe()
    assert "Left out 1 without marketing consent, 3 without a valid email; 1 duplicate merged." in lines
    # which emails were not valid, and what to do about them
    assert lines[-1] == ("2 emails are not a valid address ('not-an-email', 'zoë@example.de') and were left out; "
                         "the other 1 left out has no email. Correct them in the shop and export again; "
                         "customers.csv lists every customer.")


def test_left_out_counts_are_written_with_thousands_separators():
    from clv_engine.exports.email_lists import ExportResult

    result = ExportResult(tool="mailchimp", left_out={"no marketing consent": 1257, "no valid email": 142,
                                                       "duplicates merged": 1001})
    assert result.describe()[-1] == ("Left out 1,257 without marketing consent, 142 without a valid email; "
                                     "1,001 duplicates merged.")


def test_mailchimp_rejects_non_ascii_before_at_but_klaviyo_keeps_it(customers, tmp_path):
    export_email_lists(customers, "mailchimp", tmp_path, mode="single")
    export_email_lists(customers, "klaviyo", tmp_path, mode="single")
    assert "zoë@example.de" not in [r["Email Address"] for r in read(tmp_path / "mailchimp_all.csv")]
    assert "zoë@example.de" in [r["Email"] for r in read(tmp_path / "klaviyo_all.csv")]


def test_duplicate_email_keeps_the_highest_value_row(customers, tmp_path):
    export_email_lists(customers, "klaviyo", tmp_path, mode="single")
    anna = [r for r in read(tmp_path / "klaviyo_all.csv") if r["Email"].lower() == "anna@example.com"]
    assert len(anna) == 1
    assert anna[0]["CLV Tier"] == "High" and anna[0]["Predicted CLV"] == "120.50"


def test_no_consent_contacts_included_only_when_asked(customers, tmp_path):
    result = export_email_lists(customers, "hubspot", tmp_path, mode="single", include_no_consent=True)
    # eve said no: HubSpot takes opt-outs as an import of their own (opt-out list)
    assert "eve@example.net" in [r["Email"] for r in read(tmp_path / "hubspot_opted-out.csv")]
    assert "eve@example.net" not in [r["Email"] for r in read(tmp_path / "hubspot_all.csv")]
    assert result.left_out["no marketing consent"] == 0


def test_opt_out_on_a_duplicate_row_wins(customers, tmp_path):
    table = customers.copy()
    table.loc[1, "consent"] = False  # ANNA@… said no on her other record
    result = export_email_lists(table, "brevo", tmp_path, mode="single")
    assert "anna@example.com" not in [r["EMAIL"] for r in read(tmp_path / "brevo_all.csv")]
    assert result.left_out["no marketing consent"] == 2


def test_table_without_consent_information_exports_everyone_with_a_warning_note(customers, tmp_path):
    result = export_email_lists(customers.drop(columns="consent"), "klaviyo", tmp_path, mode="single")
    assert result.per_file == {"klaviyo_all.csv": 4}
    assert any("permission" in line for line in result.describe())


def test_tags_per_tool_follow_their_rules(customers, tmp_path):
    for tool in ("mailchimp", "klaviyo", "hubspot", "activecampaign"):
        export_email_lists(customers, tool, tmp_path, mode="single")
    mailchimp = read(tmp_path / "mailchimp_all.csv")[0]
    assert mailchimp["Tags"] == "clv-tier-high,rfm-champions,vip,champion"
    assert all(len(t) <= 100 and "," not in t for t in mailchimp["Tags"].split(","))
    klaviyo = read(tmp_path / "klaviyo_all.csv")[0]
    assert json.loads(klaviyo["CLV Tags"]) == ["clv-tier-high", "rfm-champions", "vip", "champion"]
    assert klaviyo["Last Order Date"] == "2024-05-01"
    assert read(tmp_path / "hubspot_all.csv")[0]["CLV Tags"] == "clv-tier-high;rfm-champions;vip;champion"
    assert read(tmp_path / "activecampaign_all.csv")[0]["Last Order Date"] == "2024-05-01"


def test_numbers_are_plain_without_currency(customers, tmp_path):
    export_email_lists(customers, "klaviyo", tmp_path, mode="single")
    bob = [r for r in read(tmp_path / "klaviyo_all.csv") if r["Email"] == "bob@example.org"][0]
    assert bob["Predicted CLV"] == "45.25"
    assert bob["Churn Risk"] == "0.25"


def test_formula_in_name_gives_no_name_and_other_formulas_stay_neutralised(customers, tmp_path):
    customers.loc[3, "rfm_segment"] = '=HYPERLINK("http://x")'  # bob's segment text looks like a formula
    export_email_lists(customers, "mailchimp", tmp_path, mode="single")
    export_email_lists(customers, "generic", tmp_path, mode="single")
    bob_import = [r for r in read(tmp_path / "mailchimp_all.csv") if r["Email Address"] == "bob@example.org"][0]
    # '=HYPERLINK("http://x") Bob' is not a person's name: no first/last name rather than broken halves
    assert (bob_import["First Name"], bob_import["Last Name"]) == ("", "")
    assert bob_import["RFM Segment"] == 'HYPERLINK("http://x")'  # import file: no ' stored, no leading =
    generic = read(tmp_path / "generic_all.csv", encoding="utf-8-sig")
    bob_excel = [r for r in generic if r["email"] == "bob@example.org"][0]
    assert (bob_excel["first_name"], bob_excel["last_name"]) == ("", "")
    assert bob_excel["rfm_segment"] == "'=HYPERLINK(\"http://x\")"
    first_data_line = (tmp_path / "generic_all.csv").read_text(encoding="utf-8-sig").splitlines()[1]
    assert first_data_line.startswith('"')  # every cell quoted for Excel


NAME_COLUMNS = {"mailchimp": ("First Name", "Last Name"), "klaviyo": ("First Name", "Last Name"),
                "hubspot": ("First name", "Last name"), "brevo": ("FIRSTNAME", "LASTNAME"),
                "activecampaign": ("First Name", "Last Name"), "generic": ("first_name", "last_name")}


@pytest.mark.parametrize("tool", EMAIL_TOOLS)
def test_names_that_are_not_person_names_are_left_blank_in_every_tool(tool, tmp_path):
    odd = ['=HYPERLINK("http://e","x")', "http://shop.example/x", "+44 7700 900123", "#1001", "...", "@anna",
           'Bob "the builder"', "-Carl"]
    names = ["Ann Lee", "Lee, Ann"] + odd
    frame = pd.DataFrame({
        "customer_id": [str(i) for i in range(len(names))],
        "email": [f"c{i}@example.com" for i in range(len(names))],
        "name": names,
        "consent": pd.array([True] * len(names), dtype="boolean"),
        "tier": ["High"] * len(names),
        "clv": [float(100 - i) for i in range(len(names))],
    })
    export_email_lists(frame, tool, tmp_path, mode="single")
    rows = read(tmp_path / f"{tool}_all.csv", encoding="utf-8-sig")
    email = "email" if tool == "generic" else next(c for c in rows[0] if c.upper().startswith("EMAIL"))
    first, last = NAME_COLUMNS[tool]
    got = {r[email]: (r[first], r[last]) for r in rows}
    assert got["c0@example.com"] == ("Ann", "Lee") and got["c1@example.com"] == ("Ann", "Lee")
    for i in range(2, len(names)):
        assert got[f"c{i}@example.com"] == ("", ""), names[i]


def test_own_name_columns_that_are_formulas_are_left_blank(tmp_path):
    frame = pd.DataFrame({
        "customer_id": ["1", "2"], "email": ["a@example.com", "b@example.com"],
        "first_name": ['=HYPERLINK("http://e","x")', "Bea"], "last_name": ["Lund", "@SUM(A1)"],
        "tier": ["High", "High"], "clv": [2.0, 1.0],
    })
    export_email_lists(frame, "hubspot", tmp_path, mode="single")
    rows = {r["Email"]: (r["First name"], r["Last name"]) for r in read(tmp_path / "hubspot_all.csv")}
    assert rows == {"a@example.com": ("", "Lund"), "b@example.com": ("Bea", "")}


def test_per_tier_mode_writes_one_file_per_tier_in_tier_order(customers, tmp_path):
    result = export_email_lists(customers, "mailchimp", tmp_path)
    assert [p.name for p in result.files] == ["mailchimp_high.csv", "mailchimp_medium.csv"]
    assert result.per_file == {"mailchimp_high.csv": 1, "mailchimp_medium.csv": 1}
    assert result.written == 2
    assert result.describe()[0] == "Wrote 1 contact to mailchimp_high.csv."


def test_existing_file_is_not_overwritten_without_permission(customers, tmp_path):
    (tmp_path / "mailchimp_all.csv").write_text("keep me", encoding="utf-8")
    with pytest.raises(InputError, match="would replace mailchimp_all.csv"):
        export_email_lists(customers, "mailchimp", tmp_path, mode="single")
    assert (tmp_path / "mailchimp_all.csv").read_text(encoding="utf-8") == "keep me"
    export_email_lists(customers, "mailchimp", tmp_path, mode="single", overwrite=True)
    assert (tmp_path / "mailchimp_all.csv").read_text(encoding="utf-8").startswith("Email Address")
    assert [p.name for p in tmp_path.iterdir()] == ["mailchimp_all.csv"]  # no temp files left


def test_unknown_tool_is_a_clear_error(customers, tmp_path):
    with pytest.raises(InputError, match="mailchimp, klaviyo"):
        export_email_lists(customers, "sendgrid", tmp_path)


def test_table_without_emails_writes_nothing_and_says_so(tmp_path):
    table = pd.DataFrame({"customer_id": ["1"], "tier": ["High"], "clv": [1.0]})
    result = export_email_lists(table, "mailchimp", tmp_path)
    assert result.files == [] and result.left_out["no valid email"] == 1
    assert any("no email addresses" in line for line in result.describe())


def test_customer_table_indexed_by_id_and_full_names_split(customers, tmp_path):
    export_email_lists(customers.set_index("customer_id"), "generic", tmp_path, mode="single")
    anna = read(tmp_path / "generic_all.csv", encoding="utf-8-sig")[0]
    assert (anna["customer_id"], anna["first_name"], anna["last_name"]) == ("1", "Anna", "Schmidt")


@pytest.mark.parametrize(
    "email, ok",
    [("a@b.de", True), ("john+news@gmail.com", True), ("x@münchen.de", True), ("a..b@x.com", False),
     ("a.@x.com", False), ("a@b", False), ("=cmd@x.com", False), ("a b@x.com", False), ("a@b@c.de", False),
     ("a@-x.com", False), ("", False)],
)
def test_email_syntax_check(email, ok):
    assert is_valid_email(email) is ok


def test_name_split_rules():
    assert split_name("Schmidt, Anna") == ("Anna", "Schmidt")
    assert split_name("Ludwig van Beethoven") == ("Ludwig", "van Beethoven")
    assert split_name("Cher") == ("Cher", "")
    assert split_name('=HYPERLINK("http://e","x")') == ("", "")
    assert split_name("Anne-Marie O'Brien") == ("Anne-Marie", "O'Brien")
    assert split_name("J. R. Tolkien") == ("J. R.", "Tolkien")  # initials belong to the first name
    assert split_name("--") == ("", "")
