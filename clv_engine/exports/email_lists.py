"""Write contact-import files for email tools (Mailchimp, Klaviyo, HubSpot, Brevo,
ActiveCampaign, generic CSV).

Files are UTF-8, comma-separated, RFC 4180 quoted, CRLF line ends. Only the Excel-bound
``generic`` file starts with a BOM and gets formula-injection protection (a ``'`` before
text starting with ``= + - @``, every cell quoted so a ``;`` inside a cell cannot start a
new cell in a semicolon-separated locale; OWASP). Import files for the tools never get the ``'``
(the tool would store it); instead, text cells there lose leading ``= + - @`` characters,
so no cell can start a formula if someone opens the file in a spreadsheet anyway. Numbers
are written plain (no currency symbol); they are never negative.
Every file is written to a temporary file and moved into place; an existing file is never
replaced unless ``overwrite=True`` (otherwise :class:`InputError`, before anything is written).
"""
from __future__ import annotations

import csv
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..segments.grouping import DEFAULT_TIER_ORDER
from ..segments.playbook import Playbook, tag_slug
from .contacts import REASON_DUPLICATE, REASON_NO_CONSENT, REASON_NO_EMAIL, select_contacts
from .tools import EMAIL_TOOLS, LAYOUTS, contact_tags

logger = logging.getLogger(__name__)

EXPORT_MODES = ("per-tier", "single")
FORMULA_START = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")  # full-width forms too
_LINE_BREAKS = "\r\n\t\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
CONTROL_CHARACTERS = str.maketrans({**{c: " " for c in _LINE_BREAKS}, "\0": ""})


@dataclass
class ExportResult:
    """What :func:`export_email_lists` did.

    ``files``: paths written, in order; ``written``: contacts written in total;
    ``per_file``: file name -> contacts in it;
    ``left_out``: reason -> count (``no valid email``, ``no marketing consent``,
    ``duplicates merged``); ``notes``: extra plain-language remarks.
    """

    tool: str
    files: list[Path] = field(default_factory=list)
    written: int = 0
    per_file: dict[str, int] = field(default_factory=dict)
    left_out: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    consent_known: bool = True

    def describe(self) -> list[str]:
        """Plain-language lines, e.g. 'Wrote 612 contacts to mailchimp_high.csv.'; each file's
        line says so when the order file has no consent information."""
        unknown = "" if self.consent_known else " Consent unknown: the order file has no marketing-consent column."
        lines = [f"Wrote {_contacts(n)} to {name}.{unknown}" for name, n in self.per_file.items()]
        if not self.per_file:
            lines.append(f"No {LAYOUTS[self.tool].label} file was written: no contact could be exported.")
        parts = []
        if self.left_out.get(REASON_NO_CONSENT):
            parts.append(f"{self.left_out[REASON_NO_CONSENT]} without marketing consent")
        if self.left_out.get(REASON_NO_EMAIL):
            parts.append(f"{self.left_out[REASON_NO_EMAIL]} without a valid email")
        text = f"Left out {', '.join(parts)}" if parts else ""
        merged = self.left_out.get(REASON_DUPLICATE, 0)
        if merged:
            dup = f"{merged} duplicate{'s' if merged != 1 else ''} merged"
            text = f"{text}; {dup}" if text else dup[0].upper() + dup[1:]
        if text:
            lines.append(text + ".")
        return lines + list(self.notes)


def _contacts(n: int) -> str:
    return f"{n} contact{'s' if n != 1 else ''}"


def export_email_lists(
    customers: pd.DataFrame,
    tool: str,
    out_dir,
    *,
    mode: str = "per-tier",
    include_no_consent: bool = False,
    overwrite: bool = False,
    excel_safe: bool | None = None,
    playbook: Playbook | None = None,
    value_col: str = "clv",
) -> ExportResult:
    """Write the import file(s) for ``tool`` (one of ``EMAIL_TOOLS``) into ``out_dir``.

    ``mode="per-tier"`` writes ``<tool>_<tier>.csv`` per tier (tiers without contacts get
    no file); ``mode="single"`` writes one tagged ``<tool>_all.csv``. ``excel_safe``
    (default: only for ``generic``) adds the BOM and ``'`` formula protection.
    ``playbook`` (default: the built-in one) supplies the action tags.
    """
    tool_key = str(tool).strip().lower()
    if tool_key not in LAYOUTS:
        raise InputError(f"Unknown email tool {tool!r}.", hint=f"Choose one of: {', '.join(EMAIL_TOOLS)}.")
    mode_key = "single" if str(mode).strip().lower() in ("single", "all", "one-file") else str(mode).strip().lower()
    if mode_key not in EXPORT_MODES:
        raise InputError(f"Unknown export mode {mode!r}.", hint="Use 'per-tier' (one file per tier) or 'single' (one tagged file).")
    if not isinstance(customers, pd.DataFrame):
        raise InputError("Email lists need the customer table as a pandas DataFrame.")
    layout = LAYOUTS[tool_key]
    excel_safe = layout.excel_bound if excel_safe is None else bool(excel_safe)
    playbook = Playbook.load() if playbook is None else playbook
    value = value_col if value_col in customers.columns else "total_value"
    contacts, left_out, consent_known = select_contacts(
        customers, value_col=value, include_no_consent=include_no_consent, ascii_local_part=layout.ascii_local_part
    )
    result = ExportResult(tool=tool_key, left_out=left_out, consent_known=consent_known)
    if "email" not in customers.columns:
        result.notes.append("The customer table has no email addresses, so there is nothing to send to an email tool.")
    if not consent_known:
        result.notes.append(
            "The order file has no marketing-consent information: import these contacts only if you have "
            "their permission to email them."
        )
    elif include_no_consent and consent_known:
        result.notes.append("Contacts without marketing consent are included as asked: import them as non-subscribed.")
    groups = _split_files(contacts, tool_key, mode_key, customers)
    out_dir = Path(out_dir)
    targets = [out_dir / name for name, _ in groups]
    existing = [p.name for p in targets if p.exists()]
    if existing and not overwrite:
        raise InputError(
            f"The export would replace {', '.join(existing)}.",
            where=str(out_dir),
            hint="Choose another folder, move the old files away, or allow overwriting.",
        )
    if groups:
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"Cannot create the export folder ({exc.strerror or exc}).", where=str(out_dir),
                             hint="Choose a folder you can write to.") from None
    for (name, group), path in zip(groups, targets):
        rows = [_clean_row(layout.row(c, contact_tags(c, playbook)), layout, excel_safe) for c in group.to_dict("records")]
        _write_csv_atomically(path, layout.columns, rows, excel_safe=excel_safe)
        result.files.append(path)
        result.per_file[name] = len(rows)
        result.written += len(rows)
    logger.info("exported %d contacts for %s in %d files", result.written, tool_key, len(result.files))
    return result


def _split_files(contacts: pd.DataFrame, tool: str, mode: str, customers: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    if not len(contacts):
        return []
    if mode == "single" or "tier" not in contacts.columns:
        return [(f"{tool}_all.csv", contacts)]
    tiers = contacts["tier"].astype(object).where(contacts["tier"].notna(), "")
    tiers = tiers.map(lambda t: str(t).strip())
    order = _tier_order(customers["tier"], set(tiers))
    groups = []
    for tier in order:
        members = contacts.loc[(tiers == tier).to_numpy()]
        if len(members):
            groups.append((f"{tool}_{tag_slug(tier) if tier else 'no-tier'}.csv", members))
    return groups


def _tier_order(tier_column: pd.Series, present: set[str]) -> list[str]:
    if isinstance(tier_column.dtype, pd.CategoricalDtype):
        order = [str(c) for c in tier_column.cat.categories if str(c) in present]
    else:
        order = [t for t in DEFAULT_TIER_ORDER if t in present]
    return order + sorted(present - set(order) - {""}) + ([""] if "" in present else [])


def _clean_row(row: dict, layout, excel_safe: bool) -> dict:
    cleaned = {}
    for column, cell in row.items():
        text = "" if cell is None else str(cell).translate(CONTROL_CHARACTERS)
        if column in layout.text_columns and text:
            if excel_safe:
                if text.startswith(FORMULA_START):
                    text = "'" + text
            else:
                text = text.lstrip("".join(FORMULA_START) + " ")
        cleaned[column] = text
    return cleaned


def _write_csv_atomically(path: Path, columns, rows: list[dict], *, excel_safe: bool) -> None:
    encoding = "utf-8-sig" if excel_safe else "utf-8"
    quoting = csv.QUOTE_ALL if excel_safe else csv.QUOTE_MINIMAL
    tmp = path.parent / f".{path.stem}-{os.getpid()}-{id(rows)}.tmp"
    try:
        with open(tmp, "x", encoding=encoding, newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(columns), lineterminator="\r\n", quoting=quoting)
            writer.writeheader()
            writer.writerows(rows)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(f"Cannot write {path.name} ({exc.strerror or exc}).", where=str(path.parent),
                         hint="Check that the folder is writable and the file is not open in another program.") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
