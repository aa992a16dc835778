"""Column layouts of the contact-import files, one per email tool (formats.md section B).

Each layout turns a contact row into the tool's header -> cell text. Tags are built by
:func:`contact_tags`: ``clv-tier-<tier>``, ``rfm-<segment>`` and the playbook tags of the
contact's tier and RFM segment; every tag is lower-case letters, digits and dashes
(:func:`~clv_engine.segments.playbook.tag_slug`: accents dropped from Latin letters,
other scripts kept), ≤100 characters, so it never holds a comma, quote or emoji.

Consent (formats.md B): Klaviyo and the generic file say each contact's consent in a
column (``consent_column``); Mailchimp, HubSpot, Brevo and ActiveCampaign set it for a
whole import, so contacts without consent go to files of their own (``consent_files``:
what to do with each when importing).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Callable

import pandas as pd

from ..segments.playbook import tag_slug

EMAIL_TOOLS = ("mailchimp", "klaviyo", "hubspot", "brevo", "activecampaign", "generic")


@dataclass(frozen=True)
class ToolLayout:
    """How one email tool wants its import file."""

    tool: str
    label: str
    columns: tuple[str, ...]
    row: Callable[[dict, list[str]], dict]
    text_columns: tuple[str, ...]
    excel_bound: bool = False
    ascii_local_part: bool = False
    max_text: int = 255  # longest text cell (Mailchimp's limit for text fields; others take it too)
    # header and cell texts (said yes, said no, no statement) of a per-contact consent column
    consent_column: tuple[str, tuple[str, str, str]] | None = None
    # consent set per import: how to import the tier files, the opt-out file and the
    # no-statement file
    consent_files: tuple[str, str, str] | None = None


TIER_TAG_PREFIX = "clv-tier-"


def contact_tags(contact: dict, playbook=None, tier_slugs: dict[str, str] | None = None) -> list[str]:
    """Tags for one contact, in a fixed order, without duplicates. ``tier_slugs`` (tier name
    -> slug, distinct per tier) overrides :func:`tag_slug` for the tier tag."""
    tags = []
    tier = _text(contact.get("tier"))
    segment = _text(contact.get("rfm_segment"))
    if tier:
        tags.append(TIER_TAG_PREFIX + ((tier_slugs or {}).get(tier) or tag_slug(tier)))
    if segment:
        tags.append("rfm-" + tag_slug(segment))
    if playbook is not None:
        for name in (tier, segment):
            tag = playbook.tag_for(name) if name else None
            slug = tag_slug(tag, fallback="") if tag else ""
            if slug:
                tags.append(slug)
    unique = []
    for tag in tags:
        tag = tag[:100]
        if tag not in unique:
            unique.append(tag)
    return unique


def _text(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).strip()


def number_text(value, decimals: int = 2) -> str:
    """A plain number (no currency symbol, no thousands separator) or '' when missing."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return ""
    if not math.isfinite(number):
        return ""
    return f"{number:.{decimals}f}"


def date_text(value) -> str:
    """``YYYY-MM-DD`` or '' when missing."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    try:
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    except (TypeError, ValueError):
        return ""


# Each tool's columns, in order: header -> the contact field it holds. Fields: email,
# first_name, last_name, tier, clv, churn, segment, orders, last_order, customer_id,
# total_value, actions, and the tags joined by "," / ";" or as a JSON list.
FIELDS = {
    "mailchimp": {"Email Address": "email", "First Name": "first_name", "Last Name": "last_name",
                  "Tags": "tags,", "CLV Tier": "tier", "Predicted CLV": "clv", "Churn Risk": "churn",
                  "RFM Segment": "segment"},
    "klaviyo": {"Email": "email", "First Name": "first_name", "Last Name": "last_name", "CLV Tier": "tier",
                "Predicted CLV": "clv", "Churn Risk": "churn", "RFM Segment": "segment", "Orders": "orders",
                "Last Order Date": "last_order", "CLV Tags": "tags[]"},
    "hubspot": {"Email": "email", "First name": "first_name", "Last name": "last_name", "CLV Tier": "tier",
                "Predicted CLV": "clv", "Churn Risk": "churn", "RFM Segment": "segment", "CLV Tags": "tags;"},
    "brevo": {"EMAIL": "email", "FIRSTNAME": "first_name", "LASTNAME": "last_name", "CLV_TIER": "tier",
              "CLV": "clv", "CHURN_RISK": "churn", "RFM_SEGMENT": "segment", "CLV_TAGS": "tags,"},
    "activecampaign": {"Email": "email", "First Name": "first_name", "Last Name": "last_name", "Tags": "tags,",
                       "CLV Tier": "tier", "Predicted CLV": "clv", "Churn Risk": "churn", "RFM Segment": "segment",
                       "Last Order Date": "last_order"},
    "generic": {"customer_id": "customer_id", "email": "email", "first_name": "first_name",
                "last_name": "last_name", "tier": "tier", "clv": "clv", "churn_risk": "churn",
                "rfm_segment": "segment", "orders": "orders", "total_value": "total_value",
                "last_order": "last_order", "tags": "tags,", "actions": "actions"},
}
_SOURCE = {"tier": "tier", "segment": "rfm_segment", "customer_id": "customer_id", "actions": "actions",
           "clv": "clv", "churn": "churn_risk", "orders": "orders", "total_value": "total_value",
           "last_order": "last_order", "email": "email", "first_name": "first_name", "last_name": "last_name"}
_DECIMALS = {"clv": 2, "churn": 2, "orders": 0, "total_value": 2}


def join_tags(tags: list[str], how: str) -> str:
    """Tags as one cell: ``tags,`` comma-joined, ``tags;`` semicolon-joined, ``tags[]`` a JSON list."""
    if how == "tags[]":
        return json.dumps(tags, ensure_ascii=False, separators=(",", ":"))
    return (";" if how == "tags;" else ",").join(tags)


def field_value(key: str, contact: dict, tags: list[str]) -> str:
    """One cell of a contact's row."""
    if key.startswith("tags"):
        return join_tags(tags, key)
    value = contact.get(_SOURCE[key])
    if key in _DECIMALS:
        return number_text(value, _DECIMALS[key])
    if key == "last_order":
        return date_text(value)
    if key in ("email", "first_name", "last_name"):
        return "" if value is None else str(value)
    return _text(value)


def _row_builder(tool: str):
    fields = FIELDS[tool]
    return lambda c, tags: {column: field_value(key, c, tags) for column, key in fields.items()}


LAYOUTS = {
    "mailchimp": ToolLayout("mailchimp", "Mailchimp", tuple(FIELDS["mailchimp"]), _row_builder("mailchimp"),
                            ("First Name", "Last Name", "CLV Tier", "RFM Segment"), ascii_local_part=True,
                            consent_files=("import with the status Subscribed", "import with the status Unsubscribed",
                                           "import with the status Non-Subscribed")),
    "klaviyo": ToolLayout("klaviyo", "Klaviyo", tuple(FIELDS["klaviyo"]), _row_builder("klaviyo"),
                          ("First Name", "Last Name", "CLV Tier", "RFM Segment"),
                          consent_column=("Email Marketing Consent", ("subscribed", "unsubscribed", ""))),
    "hubspot": ToolLayout("hubspot", "HubSpot", tuple(FIELDS["hubspot"]), _row_builder("hubspot"),
                          ("First name", "Last name", "CLV Tier", "RFM Segment"),
                          consent_files=("import as marketing contacts",
                                         "import it as an opt-out list (Email column), which sets 'Unsubscribed "
                                         "from all email'",
                                         "import as non-marketing contacts")),
    "brevo": ToolLayout("brevo", "Brevo", tuple(FIELDS["brevo"]), _row_builder("brevo"),
                        ("FIRSTNAME", "LASTNAME", "CLV_TIER", "RFM_SEGMENT"),
                        consent_files=("import into the lists you send campaigns to",
                                       "import them as blocklisted for email (emailBlacklist)",
                                       "import into a list you do not send campaigns to")),
    "activecampaign": ToolLayout("activecampaign", "ActiveCampaign", tuple(FIELDS["activecampaign"]),
                                 _row_builder("activecampaign"), ("First Name", "Last Name", "CLV Tier", "RFM Segment"),
                                 consent_files=("import as active contacts", "import into the Exclusion list",
                                                "import without subscribing them to a list")),
    "generic": ToolLayout("generic", "Spreadsheet (generic CSV)", tuple(FIELDS["generic"]), _row_builder("generic"),
                          ("customer_id", "email", "first_name", "last_name", "tier", "rfm_segment", "tags", "actions"),
                          excel_bound=True, consent_column=("consent", ("yes", "no", ""))),
}
