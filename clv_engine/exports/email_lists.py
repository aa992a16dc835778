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

File names: ``<tool>_<tier>.csv`` per tier, ``<tool>_all.csv`` for one tagged file. Tier
names become ASCII slugs (:func:`~clv_engine.segments.playbook.distinct_slugs`: accents
dropped, ``tier-<rank>`` for names in other scripts), different for every tier, so two
tiers never write the same file; tier tags keep the letters of any script.

Consent with ``include_no_consent`` (formats.md B): contacts who said no are exported
marked as such, so the email tool itself keeps them from marketing email. Tools that set
consent per import (Mailchimp, HubSpot, Brevo, ActiveCampaign) get them in
``<tool>_opted-out.csv`` (and contacts without a statement in ``<tool>_not-subscribed.csv``);
the tier files then hold only contacts who said yes. Klaviyo and the generic file say each
contact's consent in a column (``Email Marketing Consent``, ``consent``).
"""
from __future__ import annotations

import csv
import logging
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..intake.values import cell_example
from ..outputs import earlier_lists
from ..segments.grouping import DEFAULT_TIER_ORDER
from ..segments.playbook import MAX_TAG_LENGTH, Playbook, distinct_slugs, tag_slug
from .contacts import REASON_DUPLICATE, REASON_NO_CONSENT, REASON_NO_EMAIL, select_contacts, valid_emails
from .tools import EMAIL_TOOLS, FIELDS, LAYOUTS, TIER_TAG_PREFIX, contact_tags, join_tags

logger = logging.getLogger(__name__)

EXPORT_MODES = ("per-tier", "single")
OPTED_OUT = "opted-out"  # file name part: contacts who said no to marketing email
NOT_SUBSCRIBED = "not-subscribed"  # contacts without any consent statement
_RESERVED_NAMES = ("all", "no-tier", OPTED_OUT, NOT_SUBSCRIBED)
FORMULA_START = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")  # full-width forms too
_LINE_BREAKS = "\r\n\t\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
CONTROL_CHARACTERS = str.maketrans({**{c: " " for c in _LINE_BREAKS}, "\0": ""})
_CONTROL_RE = re.compile("[" + re.escape(_LINE_BREAKS) + "\x00]")


@dataclass
class ExportResult:
    """What :func:`export_email_lists` did.

    ``files``: paths written, in order; ``written``: contacts written in total;
    ``per_file``: file name -> contacts in it; ``import_as``: file name -> how to import it
    (set when contacts without consent were included into separate files);
    ``left_out``: reason -> count (``no valid email``, ``no marketing consent``,
    ``duplicates merged``); ``notes``: extra plain-language remarks.
    """

    tool: str
    files: list[Path] = field(default_factory=list)
    written: int = 0
    per_file: dict[str, int] = field(default_factory=dict)
    import_as: dict[str, str] = field(default_factory=dict)
    left_out: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    consent_known: bool = True
    cells_cut: int = 0

    def describe(self) -> list[str]:
        """Plain-language lines, e.g. 'Wrote 612 contacts to mailchimp_high.csv.'; each file's
        line says so when the order file has no consent information."""
        unknown = "" if self.consent_known else " Consent unknown: the order file has no marketing-consent column."
        lines = [f"Wrote {_contacts(n)} to {name}{_how(self.import_as.get(name))}.{unknown}"
                 for name, n in self.per_file.items()]
        if not self.per_file:
            lines.append(f"No {LAYOUTS[self.tool].label} file was written: no contact could be exported.")
        parts = []
        if self.left_out.get(REASON_NO_CONSENT):
            parts.append(f"{self.left_out[REASON_NO_CONSENT]:,} without marketing consent")
        if self.left_out.get(REASON_NO_EMAIL):
            parts.append(f"{self.left_out[REASON_NO_EMAIL]:,} without a valid email")
        text = f"Left out {', '.join(parts)}" if parts else ""
        merged = self.left_out.get(REASON_DUPLICATE, 0)
        if merged:
            dup = f"{merged:,} duplicate{'s' if merged != 1 else ''} merged"
            text = f"{text}; {dup}" if text else dup[0].upper() + dup[1:]
        if text:
            lines.append(text + ".")
        return lines + list(self.notes)


def _contacts(n: int) -> str:
    return f"{n:,} contact{'s' if n != 1 else ''}"


def _how(text: str | None) -> str:
    return f" ({text})" if text else ""


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
    mode_key = "single" if str(mode).strip().lower() in ("single", "tagged", "all", "one-file") else str(mode).strip().lower()
    if mode_key not in EXPORT_MODES:
        raise InputError(f"Unknown export mode {mode!r}.", hint="Use 'per-tier' (one file per tier) or 'tagged' (one file, tiers as tags).")
    if not isinstance(customers, pd.DataFrame):
        raise InputError("Email lists need the customer table as a pandas DataFrame.")
    layout = LAYOUTS[tool_key]
    excel_safe = layout.excel_bound if excel_safe is None else bool(excel_safe)
    playbook = Playbook.load() if playbook is None else playbook
    if "tier" in customers.columns:  # tiers of other names act as the built-in tier of their rank
        playbook = playbook.for_tiers(customers["tier"])
    value = value_col if value_col in customers.columns else "total_value"
    contacts, left_out, consent_known = select_contacts(
        customers, value_col=value, include_no_consent=include_no_consent, ascii_local_part=layout.ascii_local_part
    )
    result = ExportResult(tool=tool_key, left_out=left_out, consent_known=consent_known)
    emails = customers["email"].astype("string").str.strip().fillna("") if "email" in customers.columns else None
    if emails is None or not (emails != "").any():
        result.notes.append(
            "The order file has no email addresses, so no customer can go to an email tool. Export the orders "
            "with the customers' emails (or use the shop's customer export beside this one), or name the email "
            "column with --map email=COLUMN." +
            ("" if consent_known else " It has no marketing-consent column either: you need the customers' "
                                      "permission before emailing them."))
    elif left_out.get(REASON_NO_EMAIL):
        filled = emails[emails != ""]
        bad = filled[~valid_emails(filled, layout.ascii_local_part)]
        if len(bad):
            shown = ", ".join(f"'{cell_example(v)}'" for v in bad.drop_duplicates().head(3).tolist())
            blank = left_out[REASON_NO_EMAIL] - len(bad)
            others = f"; the other {blank:,} left out {'has' if blank == 1 else 'have'} no email" if blank else ""
            result.notes.append(
                f"{len(bad):,} {'email is' if len(bad) == 1 else 'emails are'} not a valid address ({shown}) and "
                f"{'was' if len(bad) == 1 else 'were'} left out{others}. Correct "
                f"{'it' if len(bad) == 1 else 'them'} in the shop and export again; customers.csv lists every customer.")
    if not consent_known and emails is not None and (emails != "").any():
        result.notes.append(
            "The order file has no marketing-consent information: import these contacts only if you have "
            "their permission to email them."
        )
    marked = include_no_consent and consent_known  # contacts may lack consent: say whose is whose
    split = marked and layout.consent_files is not None
    consent_column = layout.consent_column if marked else None
    if consent_column:
        header, (yes, no, _) = consent_column
        result.notes.append(
            f"Contacts without marketing consent are included as asked; the '{header}' column says each contact's "
            f"consent: '{yes}' (said yes), '{no}' (said no), blank (no statement).")
    tiers = _all_tiers(customers, value)
    file_slugs = distinct_slugs(tiers, ascii_only=True, reserved=_RESERVED_NAMES)
    groups = _split_files(contacts, tool_key, mode_key, tiers, file_slugs, layout.consent_files if split else None)
    tier_tags = distinct_slugs(tiers, max_length=MAX_TAG_LENGTH - len(TIER_TAG_PREFIX))  # distinct after the prefix
    if split:
        kept = {name for name, _, _ in groups}
        apart = [f"{tool_key}_{name}.csv for {who}" for name, who in
                 ((OPTED_OUT, "those who said no"), (NOT_SUBSCRIBED, "those who never said yes or no"))
                 if f"{tool_key}_{name}.csv" in kept]
        if apart:
            result.notes.append(
                f"Contacts without marketing consent are included as asked, in files of their own "
                f"({' and '.join(apart)}); the other files hold only contacts who said yes. "
                f"Import each file into {layout.label} as its line says.")
    out_dir = Path(out_dir)
    targets = [out_dir / name for name, _, _ in groups]
    if len(set(targets)) != len(targets):  # never two lists into one file
        raise RuntimeError(f"export file names are not distinct: {[t.name for t in targets]}")
    earlier = _earlier_lists(out_dir, tool_key, tiers)
    if earlier and not overwrite:
        raise InputError(
            f"The export would replace {', '.join(earlier)} (the {layout.label} lists of an earlier run).",
            where=str(out_dir),
            hint="Choose another folder, move the old files away, or allow overwriting (lists not written this "
                 "time are then removed).",
        )
    if groups:
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"Cannot create the export folder ({exc.strerror or exc}).", where=str(out_dir),
                             hint="Choose a folder you can write to.") from None
    # every file is written in full before any is moved in: a full disk leaves no half of a set
    temporary = []
    try:
        columns = layout.columns + ((consent_column[0],) if consent_column else ())
        for (name, group, how), path in zip(groups, targets):
            frame, cut = _export_frame(group, layout, excel_safe, playbook, tier_tags, consent_column)
            temporary.append(_write_csv_temporary(path, columns, frame, excel_safe=excel_safe))
            result.files.append(path)
            result.per_file[name] = len(group)
            if how:
                result.import_as[name] = how
            result.written += len(group)
            result.cells_cut += cut
        for tmp, path in zip(temporary, targets):
            os.replace(tmp, path)
        for name in earlier:
            if out_dir / name not in targets:
                (out_dir / name).unlink(missing_ok=True)
    except OSError as exc:
        raise InputError(f"Cannot write the {layout.label} lists ({exc.strerror or exc}).", where=str(out_dir),
                         hint="Check that the folder is writable, that the disk has space and that no list is "
                              "open in another program.") from None
    finally:
        for tmp in temporary:
            tmp.unlink(missing_ok=True)
    if result.cells_cut:
        cells = "1 cell" if result.cells_cut == 1 else f"{result.cells_cut:,} cells"
        result.notes.append(f"{cells} (names, ids, tiers or segments) longer than {layout.max_text} bytes "
                            f"{'was' if result.cells_cut == 1 else 'were'} cut to that length.")
    logger.info("exported %d contacts for %s in %d files", result.written, tool_key, len(result.files))
    return result


def _split_files(contacts: pd.DataFrame, tool: str, mode: str, tiers: list[str], file_slugs: dict[str, str],
                 consent_files: tuple[str, str, str] | None) -> list[tuple[str, pd.DataFrame, str]]:
    """(file name, contacts, how to import it) per file. With ``consent_files`` only contacts
    who said yes go into the tier files (or the one tagged file); those who said no and
    those without a statement get a file each, listed first: a caller that moves every
    file of a one-file export onto one name (the desktop app's "shown customers" export
    does) then ends with the list of those who said yes, never with the opt-outs."""
    if not len(contacts):
        return []
    extra: list[tuple[str, pd.DataFrame, str]] = []
    how = ""
    if consent_files is not None:
        said = contacts["consent"].astype("boolean")
        yes = said.fillna(False).to_numpy(dtype=bool)
        no = (~said).fillna(False).to_numpy(dtype=bool)
        for name, members, text in ((OPTED_OUT, contacts.loc[no], consent_files[1]),
                                    (NOT_SUBSCRIBED, contacts.loc[~yes & ~no], consent_files[2])):
            if len(members):
                extra.append((f"{tool}_{name}.csv", members, text))
        contacts, how = contacts.loc[yes], consent_files[0]
    if not len(contacts):
        return extra
    if mode == "single" or "tier" not in contacts.columns:
        return extra + [(f"{tool}_all.csv", contacts, how)]
    cells = _stripped(contacts["tier"])
    present = set(cells)
    order = [t for t in tiers if t in present]
    order += sorted(present - set(order) - {""}) + ([""] if "" in present else [])
    groups = []
    for tier in order:
        members = contacts.loc[cells == tier]
        if len(members):
            slug = (file_slugs.get(tier) or tag_slug(tier)) if tier else "no-tier"
            groups.append((f"{tool}_{slug}.csv", members, how))
    return extra + groups


def _all_tiers(customers: pd.DataFrame, value_col: str | None = None) -> list[str]:
    """Every tier name of the table, best first, whether or not a contact is in it: a tier's
    rank, and so its ``tier-<rank>`` slug, does not depend on who is exported.

    An ordered tier column gives the order; otherwise tiers are ranked by the highest
    ``value_col`` among their customers (tiers are cut by value), then High, Medium, Low,
    then by name."""
    if "tier" not in customers.columns:
        return []
    column = customers["tier"]
    if isinstance(column.dtype, pd.CategoricalDtype):
        order = [str(c).strip() for c in column.cat.categories]
        return [t for t in dict.fromkeys(order) if t]
    names = _stripped(column)
    present = sorted(set(names) - {""})
    best = {}
    if value_col and value_col in customers.columns:
        values = pd.to_numeric(customers[value_col], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        best = pd.Series(values).groupby(names).max().to_dict()
    default = {t: i for i, t in enumerate(DEFAULT_TIER_ORDER)}

    def key(tier):
        top = best.get(tier, np.nan)
        return (-top if pd.notna(top) else np.inf, default.get(tier, len(default)), tier)

    return sorted(present, key=key)


def _stripped(column: pd.Series) -> np.ndarray:
    """Each cell as stripped text ("" for missing), worked out once per distinct value."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    labels = np.array([str(u).strip() for u in np.asarray(uniques, dtype=object).tolist()] + [""], dtype=object)
    return labels[codes]


def _earlier_lists(out_dir: Path, tool: str, tiers: list[str]) -> list[str]:
    """This tool's per-tier, one-file and consent lists already in ``out_dir`` (for any tier
    name of this table, ``tiers`` from :func:`_all_tiers`, or the default ones). Other
    files, such as a list saved under a name of its own, are not this export's to replace
    or remove."""
    slugs = set(distinct_slugs(tiers, ascii_only=True, reserved=_RESERVED_NAMES).values())
    slugs |= {tag_slug(t) for t in DEFAULT_TIER_ORDER} | set(_RESERVED_NAMES)
    names = {f"{tool}_{slug}.csv" for slug in slugs}
    return [name for name in earlier_lists(out_dir) if name in names]


_CAPPED_FIELDS = ("first_name", "last_name", "tier", "segment", "customer_id")


_EDGE_SPACE = re.compile(r"(?:^|\x00)\s|\s(?:\x00|$)")


def _texts(group: pd.DataFrame, column: str) -> list[str]:
    """A column's cells as stripped text ("" for missing), without a Python call per cell
    where the column allows."""
    if column not in group.columns:
        return [""] * len(group)
    values = group[column]
    if isinstance(values.dtype, pd.CategoricalDtype):
        labels = np.array([str(c).strip() for c in values.cat.categories] + [""], dtype=object)
        return labels[values.array.codes].tolist()
    cells = values.to_numpy(dtype=object)
    missing = pd.isna(cells)
    if missing.any():
        cells = cells.copy()
        cells[missing] = ""
    cells = cells.tolist()
    try:
        joined = "\x00".join(cells)
    except TypeError:  # not all text
        return ["" if v is None else str(v).strip() for v in cells]
    return [c.strip() for c in cells] if _EDGE_SPACE.search(joined) else cells


def _numbers(group: pd.DataFrame, column: str, decimals: int) -> list[str]:
    if column not in group.columns:
        return [""] * len(group)
    values = pd.to_numeric(group[column], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    text = f"{{:.{decimals}f}}".format
    if np.isfinite(values).all():
        return list(map(text, values.tolist()))
    return [text(v) if math.isfinite(v) else "" for v in values.tolist()]


def _dates(group: pd.DataFrame, column: str) -> list[str]:
    if column not in group.columns:
        return [""] * len(group)
    values = pd.to_datetime(group[column], errors="coerce")
    return values.dt.strftime("%Y-%m-%d").fillna("").tolist()


def _cap(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    return text if len(data) <= limit else data[:limit].decode("utf-8", "ignore")


def _export_frame(group: pd.DataFrame, layout, excel_safe: bool, playbook, tier_slugs: dict[str, str] | None = None,
                  consent_column: tuple[str, tuple[str, str, str]] | None = None
                  ) -> tuple[dict[str, list[str]], int]:
    """The file's cells, column by column (header -> texts), and how many cells were cut.

    Built a column at a time; tags are worked out once per (tier, segment) pair, the tier
    tag from ``tier_slugs``. ``consent_column`` (header, texts for yes / no / unknown) adds
    each contact's consent. Text
    cells lose line breaks, tabs and NULs; user text (names, ids, tiers, segments) is cut
    to ``layout.max_text`` UTF-8 bytes; text columns are made formula-free (module docstring).
    """
    tiers, segments = _texts(group, "tier"), _texts(group, "rfm_segment")
    pair_tags: dict[tuple[str, str], list[str]] = {}
    for pair in set(zip(tiers, segments)):
        pair_tags[pair] = contact_tags({"tier": pair[0], "rfm_segment": pair[1]}, playbook, tier_slugs)
    fields = FIELDS[layout.tool]
    source = {"tier": tiers, "segment": segments}
    out: dict[str, list[str]] = {}
    cut = 0
    for column, key in fields.items():
        if key.startswith("tags"):
            joined = {pair: join_tags(tags, key) for pair, tags in pair_tags.items()}
            cells = [joined[pair] for pair in zip(tiers, segments)]
        elif key in source:
            cells = source[key]
        elif key in ("clv", "churn", "orders", "total_value"):
            cells = _numbers(group, {"churn": "churn_risk"}.get(key, key), 0 if key == "orders" else 2)
        elif key == "last_order":
            cells = _dates(group, "last_order")
        else:
            cells = _texts(group, key)
        if _CONTROL_RE.search("".join(cells)):
            cells = [c.translate(CONTROL_CHARACTERS) for c in cells]
        if column in layout.text_columns:
            cells = _formula_free(cells, excel_safe)
        if key in _CAPPED_FIELDS and cells and max(map(len, cells)) > layout.max_text // 4:
            capped = [_cap(c, layout.max_text) for c in cells]
            cut += sum(a != b for a, b in zip(capped, cells))
            cells = capped
        out[column] = cells
    if consent_column:
        header, (yes, no, unknown) = consent_column
        said = group["consent"].astype("boolean") if "consent" in group.columns else \
            pd.Series(pd.NA, index=group.index, dtype="boolean")
        out[header] = np.where(said.fillna(False).to_numpy(dtype=bool), yes,
                               np.where((~said).fillna(False).to_numpy(dtype=bool), no, unknown)).tolist()
    return out, cut


_FORMULA_RE = re.compile("(?:^|\x00)[" + re.escape("".join(FORMULA_START)) + "]")


def _formula_free(cells: list[str], excel_safe: bool) -> list[str]:
    if not _FORMULA_RE.search("\x00".join(cells)):
        return cells
    if excel_safe:
        return ["'" + c if c.startswith(FORMULA_START) else c for c in cells]
    return [c.lstrip("".join(FORMULA_START) + " ") if c.startswith(FORMULA_START) else c for c in cells]


def _write_csv_temporary(path: Path, columns, cells: dict[str, list[str]], *, excel_safe: bool) -> Path:
    """Write the file next to ``path`` under a temporary name; returns that name."""
    encoding = "utf-8-sig" if excel_safe else "utf-8"
    quoting = csv.QUOTE_ALL if excel_safe else csv.QUOTE_MINIMAL
    tmp = path.parent / f".{path.stem}-{os.getpid()}-{id(cells)}.tmp"
    try:
        # readable by the user alone, as the other result files (it holds names and emails)
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding=encoding,
                       newline="") as handle:
            writer = csv.writer(handle, lineterminator="\r\n", quoting=quoting)
            writer.writerow(list(columns))
            writer.writerows(zip(*(cells[c] for c in columns)))
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp
