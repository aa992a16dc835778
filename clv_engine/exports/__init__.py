"""Email-tool exports: contact-import files with CLV tiers, RFM segments and action tags."""
from __future__ import annotations

from .contacts import (REASON_DUPLICATE, REASON_NO_CONSENT, REASON_NO_EMAIL, is_person_name, is_valid_email,
                       split_name)
from .email_lists import EXPORT_MODES, ExportResult, export_email_lists
from .tools import EMAIL_TOOLS, LAYOUTS, contact_tags

__all__ = [
    "EMAIL_TOOLS",
    "EXPORT_MODES",
    "LAYOUTS",
    "REASON_DUPLICATE",
    "REASON_NO_CONSENT",
    "REASON_NO_EMAIL",
    "ExportResult",
    "contact_tags",
    "export_email_lists",
    "is_person_name",
    "is_valid_email",
    "split_name",
]
