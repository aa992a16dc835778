"""Column layouts of the contact-import files, one per email tool (formats.md section B).

Each layout turns a contact row into the tool's header -> cell text. Tags are built by
:func:`contact_tags`: ``clv-tier-<tier>``, ``rfm-<segment>`` and the playbook tags of the
contact's tier and RFM segment; every tag is lower-case ``a-z0-9-``, ≤100 characters, so it
never holds a comma, quote or emoji.
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


def contact_tags(contact: dict, playbook=None) -> list[str]:
    """Tags for one contact, in a fixed order, without duplicates."""
    tags = []
    tier = _text(contact.get("tier"))
    segment = _text(contact.get("rfm_segment"))
    if tier:
        tags.append("clv-tier-" + tag_slug(tier))
    if segment:
        tags.append("rfm-" + tag_slug(segment))
    if playbook is not None:
        for name in (tier, segment):
            tag = playbook.tag_for(name) if name else None
            if tag:
                tags.append(tag_slug(tag))
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


def _common(c: dict) -> dict:
    return {
        "tier": _text(c.get("tier")),
        "clv": number_text(c.get("clv")),
        "churn": number_text(c.get("churn_risk")),
        "segment": _text(c.get("rfm_segment")),
        "orders": number_text(c.get("orders"), 0),
        "last_order": date_text(c.get("last_order")),
    }


def _mailchimp(c: dict, tags: list[str]) -> dict:
    v = _common(c)
    return {"Email Address": c["email"], "First Name": c["first_name"], "Last Name": c["last_name"],
            "Tags": ",".join(tags), "CLV Tier": v["tier"], "Predicted CLV": v["clv"],
            "Churn Risk": v["churn"], "RFM Segment": v["segment"]}


def _klaviyo(c: dict, tags: list[str]) -> dict:
    v = _common(c)
    return {"Email": c["email"], "First Name": c["first_name"], "Last Name": c["last_name"],
            "CLV Tier": v["tier"], "Predicted CLV": v["clv"], "Churn Risk": v["churn"],
            "RFM Segment": v["segment"], "Orders": v["orders"], "Last Order Date": v["last_order"],
            "CLV Tags": json.dumps(tags, ensure_ascii=False, separators=(",", ":"))}


def _hubspot(c: dict, tags: list[str]) -> dict:
    v = _common(c)
    return {"Email": c["email"], "First name": c["first_name"], "Last name": c["last_name"],
            "CLV Tier": v["tier"], "Predicted CLV": v["clv"], "Churn Risk": v["churn"],
            "RFM Segment": v["segment"], "CLV Tags": ";".join(tags)}


def _brevo(c: dict, tags: list[str]) -> dict:
    v = _common(c)
    return {"EMAIL": c["email"], "FIRSTNAME": c["first_name"], "LASTNAME": c["last_name"],
            "CLV_TIER": v["tier"], "CLV": v["clv"], "CHURN_RISK": v["churn"],
            "RFM_SEGMENT": v["segment"], "CLV_TAGS": ",".join(tags)}


def _activecampaign(c: dict, tags: list[str]) -> dict:
    v = _common(c)
    return {"Email": c["email"], "First Name": c["first_name"], "Last Name": c["last_name"],
            "Tags": ",".join(tags), "CLV Tier": v["tier"], "Predicted CLV": v["clv"],
            "Churn Risk": v["churn"], "RFM Segment": v["segment"], "Last Order Date": v["last_order"]}


def _generic(c: dict, tags: list[str]) -> dict:
    v = _common(c)
    return {"customer_id": _text(c.get("customer_id")), "email": c["email"], "first_name": c["first_name"],
            "last_name": c["last_name"], "tier": v["tier"], "clv": v["clv"], "churn_risk": v["churn"],
            "rfm_segment": v["segment"], "orders": v["orders"], "total_value": number_text(c.get("total_value")),
            "last_order": v["last_order"], "tags": ",".join(tags), "actions": _text(c.get("actions"))}


def _columns(builder) -> tuple[str, ...]:
    sample = {"email": "", "first_name": "", "last_name": ""}
    return tuple(builder(sample, []).keys())


LAYOUTS = {
    "mailchimp": ToolLayout("mailchimp", "Mailchimp", _columns(_mailchimp), _mailchimp,
                            ("First Name", "Last Name", "CLV Tier", "RFM Segment"), ascii_local_part=True),
    "klaviyo": ToolLayout("klaviyo", "Klaviyo", _columns(_klaviyo), _klaviyo,
                          ("First Name", "Last Name", "CLV Tier", "RFM Segment")),
    "hubspot": ToolLayout("hubspot", "HubSpot", _columns(_hubspot), _hubspot,
                          ("First name", "Last name", "CLV Tier", "RFM Segment")),
    "brevo": ToolLayout("brevo", "Brevo", _columns(_brevo), _brevo,
                        ("FIRSTNAME", "LASTNAME", "CLV_TIER", "RFM_SEGMENT")),
    "activecampaign": ToolLayout("activecampaign", "ActiveCampaign", _columns(_activecampaign), _activecampaign,
                                 ("First Name", "Last Name", "CLV Tier", "RFM Segment")),
    "generic": ToolLayout("generic", "Spreadsheet (generic CSV)", _columns(_generic), _generic,
                          ("customer_id", "email", "first_name", "last_name", "tier", "rfm_segment", "tags", "actions"),
                          excel_bound=True),
}
