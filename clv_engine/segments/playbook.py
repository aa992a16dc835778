"""Playbook: recommended actions per segment, kept in a plain CSV a shop owner can edit.

The file has the columns ``segment``, ``action`` and ``tag`` (header names, any order;
comma or semicolon separated; UTF-8 or Windows-1252). One row per action; a segment may
have several rows. ``tag`` is the short email-tool tag for the segment (the first non-empty
tag of a segment wins). Segment names match tiers (``High``) and RFM segments
(``Champions``) case-insensitively.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pandas as pd

from ..errors import InputError

PLAYBOOK_COLUMNS = ("segment", "action", "tag")
MAX_TAG_LENGTH = 100
TAG_FORBIDDEN = re.compile(r"[,\"'\r\n\t]")


# Latin letters that Unicode does not decompose into a base letter and an accent
_LATIN_LETTERS = str.maketrans({"ß": "ss", "ẞ": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ø": "o", "Ø": "o",
                                "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "þ": "th", "Þ": "th",
                                "ı": "i", "ħ": "h", "Ħ": "h", "ŧ": "t", "Ŧ": "t", "ŀ": "l", "Ŀ": "l", "ĸ": "k"})


def tag_slug(text: str, fallback: str = "segment") -> str:
    """A safe email-tool tag from any text: lower-case letters, digits and dashes, ≤100 chars.

    Latin letters lose their accents (Unicode NFKD: ``Élite`` → ``elite``, ``Fidèle`` →
    ``fidele``, ``Straße`` → ``strasse``); letters of other scripts, which have no such
    spelling, are kept as they are (``Золото`` → ``золото``): Mailchimp, Klaviyo, HubSpot,
    Brevo and ActiveCampaign take them in tags (formats.md B: no commas, quotes or emoji,
    ≤100 characters). Everything else (spaces, punctuation, symbols, emoji) becomes one
    dash. ``fallback`` when nothing is left.
    """
    decomposed = unicodedata.normalize("NFKD", str(text).translate(_LATIN_LETTERS).lower())
    out: list[str] = []
    for ch in decomposed:
        if ch.isascii():
            out.append(ch if ch.isalnum() else "-")
            continue
        kind = unicodedata.category(ch)
        if kind[0] == "M":  # an accent: dropped from a Latin letter, kept in other scripts
            if out and not out[-1].isascii():
                out.append(ch)
        elif kind[0] in "LN":
            out.append(ch)
        else:
            out.append("-")
    slug = re.sub(r"-+", "-", unicodedata.normalize("NFC", "".join(out))).strip("-")
    return slug[:MAX_TAG_LENGTH].strip("-") or fallback


def distinct_slugs(names, *, ascii_only: bool = False, reserved=(), fallback: str = "tier",
                   max_length: int = MAX_TAG_LENGTH) -> dict[str, str]:
    """A slug per name (:func:`tag_slug`), different for every name: what tells tiers apart
    in file names and tags.

    ``names`` in rank order (the first is rank 1). A name without letters or digits — and
    with ``ascii_only`` (file names) a name whose letters are not all Latin — gets
    ``<fallback>-<rank>`` (``tier-1``). A slug already taken by an earlier name or in
    ``reserved`` gets ``-<rank>`` appended (``gold``, ``gold-2``), then a counter. Slugs are
    at most ``max_length`` characters (less than a tag's 100 when a prefix goes before them).
    """
    used = set(reserved)
    slugs: dict[str, str] = {}
    for rank, name in enumerate(names, start=1):
        if name in slugs:
            continue
        slug = tag_slug(name, fallback="")[:max_length].strip("-")
        if not slug or (ascii_only and not slug.isascii()):
            slug = f"{fallback}-{rank}"
        candidate, extra = slug, 1
        while candidate in used:
            suffix = f"-{rank}" if extra == 1 else f"-{rank}-{extra}"
            candidate = slug[:max_length - len(suffix)].rstrip("-") + suffix
            extra += 1
        used.add(candidate)
        slugs[name] = candidate
    return slugs


def is_safe_tag(tag: str) -> bool:
    """True when ``tag`` is ≤100 chars, has no commas/quotes/control chars and no emoji
    (letters of any script are fine; other characters from U+2000 on are not)."""
    if not tag or len(tag) > MAX_TAG_LENGTH or TAG_FORBIDDEN.search(tag):
        return False
    if tag[0] in "=+-@":
        return False
    return all(ord(ch) < 0x2000 or unicodedata.category(ch)[0] in "LMN" for ch in tag)


@dataclass
class Playbook:
    """Actions and tags per segment. Build with :meth:`load`."""

    actions: dict[str, list[str]] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    source: str = "built-in playbook"

    @classmethod
    def load(cls, path=None) -> "Playbook":
        """Read a playbook CSV; ``None`` loads the bundled ``playbook.csv``."""
        if path is None:
            text = resources.files(__package__).joinpath("playbook.csv").read_text(encoding="utf-8")
            return cls.from_text(text, source="built-in playbook")
        path = Path(path)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise InputError(
                f"Cannot read the playbook file ({exc.strerror or exc}).",
                where=str(path),
                hint="Check the path, or leave the playbook setting empty to use the built-in one.",
            ) from None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")
        return cls.from_text(text, source=path.name)

    @classmethod
    def from_text(cls, text: str, source: str = "playbook") -> "Playbook":
        """Parse playbook CSV text; errors name ``source`` and the row."""
        lines = text.splitlines()
        if not lines or not lines[0].strip():
            raise InputError("The playbook file is empty.", where=source, hint="Add a header line: segment,action,tag")
        delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        header = [h.strip().lower() for h in next(reader)]
        missing = [c for c in ("segment", "action") if c not in header]
        if missing:
            raise InputError(
                f"The playbook has no {' or '.join(repr(m) for m in missing)} column (found: {', '.join(header) or 'nothing'}).",
                where=f"{source}, row 1",
                hint="The first line must be: segment,action,tag",
            )
        seg_i, act_i = header.index("segment"), header.index("action")
        tag_i = header.index("tag") if "tag" in header else None
        book = cls(source=source)
        keys: dict[str, str] = {}
        for row_number, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            cells = row + [""] * (len(header) - len(row))
            segment, action = cells[seg_i].strip(), cells[act_i].strip()
            tag = cells[tag_i].strip() if tag_i is not None else ""
            where = f"{source}, row {row_number}"
            if not segment:
                raise InputError("The segment name is empty.", where=f"{where}, column 'segment'",
                                 hint="Write the tier or segment name (e.g. High, Champions) or delete the row.")
            if not action:
                raise InputError(f"Segment '{segment}' has no action text.", where=f"{where}, column 'action'",
                                 hint="Write what to do for this segment or delete the row.")
            if tag and not is_safe_tag(tag):
                raise InputError(
                    f"The tag '{tag}' cannot be used in email tools.",
                    where=f"{where}, column 'tag'",
                    hint="Use at most 100 characters without commas, quotes or emoji, e.g. 'win-back'.",
                )
            key = keys.setdefault(segment.casefold(), segment)
            book.actions.setdefault(key, [])
            if action not in book.actions[key]:
                book.actions[key].append(action)
            if tag and key not in book.tags:
                book.tags[key] = tag
        if not book.actions:
            raise InputError("The playbook has no actions.", where=source, hint="Add rows like: High,Send exclusive offers,vip")
        return book

    def _key(self, segment) -> str | None:
        wanted = str(segment).strip().casefold()
        for key in self.actions:
            if key.casefold() == wanted:
                return key
        return None

    @property
    def segments(self) -> list[str]:
        """Segment names in file order."""
        return list(self.actions)

    def for_tiers(self, tiers) -> "Playbook":
        """This playbook for tiers of other names (``--tier-names Gold,Silver,Bronze``, or
        more than three tiers): a tier it has no row for takes the actions and tag of the
        built-in tier of its rank: the best tier High's, the last Low's, any other
        Medium's. ``tiers``: the tier names best first, or a tier column (its categories
        when it is categorical). Tiers the playbook names keep their own rows."""
        names = [str(t) for t in (tiers.cat.categories if isinstance(getattr(tiers, "dtype", None),
                                                                      pd.CategoricalDtype) else pd.unique(pd.Series(tiers)))]
        missing = [(rank, name) for rank, name in enumerate(names) if self._key(name) is None]
        if not missing:
            return self
        book = Playbook(actions={k: list(v) for k, v in self.actions.items()}, tags=dict(self.tags),
                        source=self.source)
        for rank, name in missing:
            like = self._key("High" if rank == 0 else "Low" if rank == len(names) - 1 else "Medium")
            if like is None:
                continue
            book.actions[name] = list(self.actions[like])
            if like in self.tags:
                book.tags[name] = self.tags[like]
        return book

    def actions_for(self, segment) -> list[str]:
        """Actions for a tier or segment name (empty list when the playbook has none)."""
        key = self._key(segment)
        return list(self.actions[key]) if key else []

    def tag_for(self, segment) -> str | None:
        """The email-tool tag for a segment, or ``None`` when it has none."""
        key = self._key(segment)
        return self.tags.get(key) if key else None
