"""Which column plays which role: header guesses checked against the cells, the ways a
file can give an order's value, and the message when a needed column is missing."""
from __future__ import annotations

import re

import pandas as pd

from ..errors import InputError
from .columns import CONTENT_CHECKED_ROLES, content_problem, guess_roles
from .presets import LAYOUTS
from .values import clean_text, read_day_numbers

__all__ = ["content_checked_roles", "has_value_roles", "missing_role_error", "price_is_the_amount"]

_HEADER_FOR_ROLE = {"date": "Date", "amount": "Total", "customer": "Customer"}


_SUMMARY_HEADER = re.compile(
    r"^(recency|frequency|monetary|monetaryvalue|totalspend|totalspent|itemspurchased|purchasefrequency|"
    r"dayssincelast(purchase|order|visit)|lastpurchasedaysago|numberofpurchases|purchasecount|lifetimevalue|"
    r"customerlifetimevalue|avgordervalue|averageordervalue|mnt[a-z]+|num[a-z]*purchases|num[a-z]*visits[a-z]*)$")


def customer_summary_headers(headers: list[str]) -> list[str]:
    """Headers of per-customer totals (Recency, MntWines, NumWebPurchases, Total Spend,
    Days Since Last Purchase …): two or more make a file a customer summary, not orders."""
    from .columns import normalise_header

    return [h for h in headers if _SUMMARY_HEADER.match(normalise_header(h))]


def customer_summary_error(headers: list[str], where: str) -> InputError:
    named = ", ".join(f"'{h}'" for h in customer_summary_headers(headers)[:4])
    return InputError(f"this looks like a list of customers with one total per customer ({named}), not the orders "
                      "themselves, so lifetime value cannot be computed from it.", where=where,
                      hint="Export the orders from the shop instead: one row per order (or order line) with the "
                           "customer, the order date and the amount. A summary made by clv summary-sql (frequency, "
                           "recency and T per customer) is read with --summary.")


_MISSING_WHAT = {"date": "order date", "amount": "order amount", "customer": "customer (id, email or name)"}
_MISSING_KEY = {"date": "date", "amount": "amount", "customer": "customer_id"}


def _missing_roles_error(missing: list[str], headers: list[str], where: str, layout: str, in_range: bool,
                         rejected: dict) -> InputError:
    """Several roles without a column, named in one message."""
    whats, keys = _MISSING_WHAT, _MISSING_KEY
    listed = ", ".join(whats[r] for r in missing[:-1]) + f" or {whats[missing[-1]]}"
    names = [f"'{_HEADER_FOR_ROLE[r]}'" for r in missing]
    named = ", ".join(names[:-1]) + f" and {names[-1]}"
    why = "".join(f" ('{h}' was not used as the {whats[r]}: {reason})"
                  for r in missing for h, reason in rejected.get(keys[r], []))
    columns = "The columns are: " + ", ".join(f"'{h}'" for h in headers)
    if {"date", "amount"} <= set(missing) and "customer" not in missing:  # customers, but no orders
        columns = ("It looks like a list of customers rather than of their orders: use the shop's order "
                   "export (each order with its date and amount). " + columns)
    if in_range:
        fix = f". Name those columns' headers {named}."
    else:
        maps = " ".join(f"--map {keys[r]}=COLUMN" for r in missing)
        fix = f". Name those columns {named}, or tell the program which they are: {maps}."
    return InputError(f"no {listed} column was recognised ({LAYOUTS.get(layout, layout)}).", where=where,
                      hint=columns + why + fix)


def missing_role_error(role: str, headers: list[str], where: str, layout: str,
                        in_range: bool = False, roles: dict | None = None, rejected: dict | None = None,
                        also: list[str] | tuple = ()) -> InputError:
    """The error for a role no column was recognised for. A worksheet range (Excel) can
    only be fixed by renaming its header; a file also through a column mapping. For the
    amount it names the columns that could make one (quantity × unit price). A file of
    per-customer totals is named as such instead."""
    if len(customer_summary_headers(headers)) >= 2:
        return customer_summary_error(headers, where)
    if also:
        return _missing_roles_error([role, *also], headers, where, layout, in_range, rejected or {})
    what, key = _MISSING_WHAT[role], _MISSING_KEY[role]
    roles = roles or {}
    columns = "The columns are: " + ", ".join(f"'{h}'" for h in headers)
    header = _HEADER_FOR_ROLE[role]
    why = "".join(f" ('{h}' was not used as the {what}: {reason})" for h, reason in (rejected or {}).get(key, []))
    if role == "amount" and ("quantity" in roles) != ("unit_price" in roles):
        have, need = ("quantity", "unit_price") if "quantity" in roles else ("unit_price", "quantity")
        label = {"quantity": "quantity", "unit_price": "unit price"}
        fix = (f". '{roles[have]}' is the {label[have]}; with a {label[need]} column the amount is quantity × unit "
               f"price: --map {need}=COLUMN, or --map amount=COLUMN for an order total.")
        if in_range:
            fix = f". '{roles[have]}' is the {label[have]}; name the {label[need]} column's header " \
                  f"'{'Unit Price' if need == 'unit_price' else 'Quantity'}', or name an order total 'Total'."
        return InputError(f"no order amount column was recognised ({LAYOUTS.get(layout, layout)}).",
                          where=where, hint=columns + why + fix)
    if in_range:
        fix = f". Name the {what} column's header '{header}'."
    elif role == "amount":
        fix = (f". Name that column '{header}', or tell the program which one it is, e.g. --map amount=COLUMN "
               "(mapping={'amount': 'COLUMN'}); for line items give --map quantity=COLUMN --map unit_price=COLUMN.")
    else:
        fix = (f". Name that column '{header}', or tell the program which one it is, e.g. "
               f"--map {key}=COLUMN (mapping={{'{key}': 'COLUMN'}}).")
    return InputError(f"no {what} column was recognised ({LAYOUTS.get(layout, layout)}).", where=where,
                      hint=columns + why + fix)


def has_value_roles(roles: dict) -> bool:
    """Is there a way to value an order: an amount, a line total, or quantity and unit price."""
    return "amount" in roles or "line_total" in roles or {"quantity", "unit_price"} <= set(roles)


def price_is_the_amount(roles: dict, fixed: dict) -> None:
    """A lone price column with no quantity next to it (one item per row) is the order amount."""
    if not has_value_roles(roles) and "unit_price" in roles and "quantity" not in roles \
            and "unit_price" not in fixed:
        roles["amount"] = roles.pop("unit_price")


def content_checked_roles(headers: list[str], body: pd.DataFrame, fixed: dict, disabled: set,
                           notes: list[str]) -> tuple[dict, dict]:
    """Guess roles by header, then reject any guess whose cells cannot play the role (a
    'State' of US states as the status, a 'Date' of words as the date) and guess again.

    Returns (roles, rejected: role -> [(header, reason)]).
    """
    rejected: dict[str, set] = {}
    reasons: dict[str, list] = {}
    checked: dict[tuple, str | None] = {}
    sample = body.head(5000)
    for _ in range(8):
        roles = guess_roles(headers, None, fixed, rejected)
        for role in disabled:
            roles.pop(role, None)
        bad = False
        for role, header in roles.items():
            if role in fixed or role not in CONTENT_CHECKED_ROLES:
                continue
            if (role, header) not in checked:
                cells = clean_text(sample[header])
                day_numbers = role == "date" and read_day_numbers(header, cells) is not None  # dunnhumby's DAY
                checked[role, header] = None if day_numbers else content_problem(role, cells)
            problem = checked[role, header]
            if problem:
                rejected.setdefault(role, set()).add(header)
                reasons.setdefault(role, []).append((header, problem))
                bad = True
        if not bad:
            break
    # A needed role with no other candidate keeps its first guess: its rows are then skipped
    # one by one with the reason (unreadable date …) rather than the whole file refused.
    # Without an amount, a quantity next to a unit price is needed as much.
    for role in ("date", "amount", "quantity", "unit_price", "line_total"):
        missing = role not in roles if role == "date" else not has_value_roles(roles)
        if role in ("quantity", "unit_price"):
            other = "unit_price" if role == "quantity" else "quantity"
            missing = missing and (other in roles or other in reasons)
        if missing and reasons.get(role) and reasons[role][0][0] not in roles.values():
            roles[role] = reasons.pop(role)[0][0]
    for role, found in reasons.items():
        for header, problem in found:
            if header not in roles.values() or roles.get(role) != header:
                notes.append(f"The column '{header}' was not used as the {role.replace('_', ' ')}: {problem}.")
    _amount_of_items(roles, headers, sample, fixed, notes)
    return roles, reasons


def _amount_of_items(roles: dict, headers: list[str], sample: pd.DataFrame, fixed: dict, notes: list[str]) -> None:
    """An 'Amount' column of small whole numbers beside a price or sales column of money
    counts items, not money (the Ta Feng grocery data's AMOUNT next to SALES_PRICE): it
    becomes the quantity and that column the price (whether the price is per unit or the
    line's total is then read from the cells, as for any quantity and price)."""
    from .columns import normalise_header
    from .values import parse_amounts

    header = roles.get("amount")
    if header is None or "amount" in fixed or {"quantity", "line_total"} & set(roles):
        return
    counts = parse_amounts(clean_text(sample[header]))[0].dropna().abs()
    if len(counts) < 20 or not (counts == counts.round()).all() or counts.median() > 3 or counts.max() > 100:
        return
    taken = set(roles.values())
    candidates = [roles["unit_price"]] if "unit_price" in roles else \
        [h for h in headers if h not in taken and any(w in normalise_header(h) for w in ("price", "sales", "revenue"))]
    for other in candidates:
        money = parse_amounts(clean_text(sample[other]))[0]
        if money.notna().mean() > 0.8 and money.abs().median() > 3 * max(counts.median(), 1):
            roles["quantity"], roles["unit_price"] = roles.pop("amount"), other
            notes.append(f"The column '{header}' holds small whole numbers (like {int(counts.iloc[0])}) beside "
                         f"'{other}': it was read as the number of items and '{other}' as the price.")
            return
