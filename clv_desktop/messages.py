"""Engine messages in the app's own words (no Qt here).

The engine's messages name command-line flags and Python arguments ("--map amount=COLUMN
(mapping={...})", "(--date-order)", "--sheet NAME"); in the app the same fix is a control
on the Check data or Settings page, so those phrases are rewritten to name the control.
"""
from __future__ import annotations

import re

ROLE_NAMES = {
    "customer_id": "Customer ID", "email": "Email", "name": "Name", "order_id": "Order number",
    "date": "Date", "amount": "Amount", "currency": "Currency", "status": "Status",
    "refund": "Refund", "consent": "Marketing consent", "quantity": "Quantity",
    "unit_price": "Unit price", "discount": "Discount", "line_total": "Line total",
    "original_order": "Original order",
}
CHECK = "on the Check data page"

_RULES: list[tuple[re.Pattern, object]] = [
    # "--map amount=COLUMN (mapping={'amount': 'COLUMN'})"
    (re.compile(r"(?:e\.g\.\s*)?--map\s+(\w+)=COLUMN\s*\(mapping=\{[^}]*\}\)"),
     lambda m: f"choose it in the '{ROLE_NAMES.get(m.group(1), m.group(1))}' box under "
               f"'Which column holds what' {CHECK} and press 'Read again'"),
    (re.compile(r"map it with --map (\w+)=COLUMN"),
     lambda m: f"choose it in the '{ROLE_NAMES.get(m.group(1), m.group(1))}' box {CHECK}"),
    (re.compile(r"\(--map role=COLUMN\)"), lambda m: f"(the column boxes {CHECK})"),
    (re.compile(r"name its columns with --map role=COLUMN"),
     lambda m: f"choose its columns in the boxes {CHECK}"),
    # "give --map quantity=COLUMN --map unit_price=COLUMN": the boxes by name
    (re.compile(r"(?:give\s+)?(--map\s+\w+=COLUMN(?:\s+--map\s+\w+=COLUMN)+)"),
     lambda m: "choose the " + _listed([f"'{ROLE_NAMES.get(r, r)}'" for r in re.findall(r"--map\s+(\w+)=", m.group(1))])
               + f" boxes {CHECK}"),
    (re.compile(r"--map\s+\S+=\S+"), lambda m: f"the column boxes {CHECK}"),
    (re.compile(r"\(--sheet NAME, or sheet='NAME'\)"), lambda m: f"in the 'Sheet' box {CHECK}"),
    (re.compile(r"--sheet\s+NAME|--sheet"), lambda m: f"the 'Sheet' box {CHECK}"),
    (re.compile(r"set the date order to (DMY|MDY|YMD)\s*\(--date-order\)"),
     lambda m: f"choose '{DATE_ORDER_LABELS[m.group(1)]}' in the 'Date order' box {CHECK}"),
    (re.compile(r"\(--date-order\)|--date-order(?:\s+\w+)?"),
     lambda m: f"(the 'Date order' box {CHECK})"),
    (re.compile(r"--currency(?:\s+[A-Z]{3})?"), lambda m: f"the 'Currency' box {CHECK}"),
    (re.compile(r"with --exclude-non-product|--exclude-non-product"),
     lambda m: f"by ticking 'Exclude non-product lines' {CHECK}"),
    (re.compile(r"with --keep-duplicates|--keep-duplicates|with --duplicates keep|--duplicates keep"),
     lambda m: f"by choosing 'Keep every row' under 'Duplicate rows' {CHECK}"),
    (re.compile(r"with --duplicates drop|--duplicates drop"),
     lambda m: f"by choosing 'Count rows that repeat an earlier row exactly once' under 'Duplicate rows' {CHECK}"),
    (re.compile(r"\(--acquisition-cost\)|--acquisition-cost(?:\s+\S+)?"),
     lambda m: "(the 'Acquisition cost' setting)"),
    (re.compile(r"the --margin setting"), lambda m: "the 'Profit margin' setting"),
    (re.compile(r"\(--margin, e\.g\. 0\.3 for 30%\)"), lambda m: "(the 'Profit margin' setting, e.g. 30%)"),
    (re.compile(r"--lifespan(?:\s+\S+)?"), lambda m: "the 'Customer lifespan' setting"),
    (re.compile(r"--margin(?:\s+\S+)?"), lambda m: "the 'Profit margin' setting"),
    (re.compile(r"--horizon(?:\s+\S+)?"), lambda m: "the 'Horizon' setting"),
]

def _listed(names: list[str]) -> str:
    """'A', 'B' and 'C'."""
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)


DATE_ORDER_LABELS = {"DMY": "day/month/year", "MDY": "month/day/year",
                     "YMD": "year-month-day"}


def in_app_words(message: str) -> str:
    """``message`` with command-line advice replaced by the app control that does it."""
    text = str(message)
    for pattern, replace in _RULES:
        text = pattern.sub(replace, text)
    return text
