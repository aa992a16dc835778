"""Bounded reading of .xlsx/.xlsm workbooks: checked before a native reader sees them.

An .xlsx file is a zip of XML parts. Its size on disk says little about the work it
causes: a 1.7 KB file with one cell at XFD1048576 spans 17 billion cells, and the fast
native reader (calamine) allocates the whole rectangle and aborts the process; a zip
part can unpack to gigabytes. :class:`WorkbookGuard` looks first:

* every part's declared unpacked size, and (streamed, with the same caps) its real one;
* each sheet's cells, in one vectorised pass over its XML: how many there are and the
  rectangle they span.

A sheet whose cells fill most of their rectangle goes to the native reader. A sparse sheet
(a few stray cells far from the table) is read here, cell by cell, keeping only cells in
use; cells far outside the table are left out with a note. Anything beyond the caps stops
with an :class:`~clv_engine.errors.InputError` that says what the workbook claims.
"""
from __future__ import annotations

import datetime as dt
import html
import logging
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import InputError

__all__ = ["SheetShape", "WorkbookGuard", "column_letters"]

log = logging.getLogger(__name__)

# Caps (module constants so tests can lower them).
MAX_PART_BYTES = 2 << 30  # one unpacked XML part
MAX_TOTAL_BYTES = 3 << 30  # all parts together
MAX_CELLS = 25_000_000  # cells a sheet may hold (Excel's row limit × 24 columns; ~90 bytes each in memory)
MAX_NATIVE_AREA = 30_000_000  # rectangle the native reader may allocate
MAX_SPARSE_CELLS = 2_000_000  # cells of a sparse sheet read here, one by one
MAX_GRID_AREA = 20_000_000  # rows × columns kept from a sparse sheet
FAR_ROWS = 1000  # blank rows that separate stray cells from the table
FAR_COLUMNS = 64  # blank columns that are dropped from a sparse sheet
EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384
_CHUNK = 16 << 20

_HINT_CSV = ("Open it in Excel or LibreOffice, delete the stray cells (Ctrl+End shows the last one) and save it "
             "again, or save the sheet as CSV and use that file.")


def column_letters(col: int) -> str:
    """1 -> A, 28 -> AB, 16384 -> XFD."""
    out = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def _gb(n: int) -> str:
    return f"{n / (1 << 30):.1f} GB" if n >= 1 << 30 else f"{n / (1 << 20):.0f} MB"


@dataclass
class SheetShape:
    """What one pass over a sheet's XML found."""

    cells: int = 0  # cell elements
    placed: int = 0  # cell elements with a reference (r="B7")
    rows: int = 0  # highest row referenced
    columns: int = 0  # highest column referenced
    dimension: str | None = None  # the sheet's own claim, e.g. "A1:C400"

    @property
    def area(self) -> int:
        return self.rows * self.columns

    @property
    def dense(self) -> bool:
        """Every cell placed and the rectangle mostly filled: safe and quick for the native reader."""
        return self.placed == self.cells and self.area <= 3 * self.cells + 10_000


_WS = np.zeros(256, dtype=bool)
_WS[[9, 10, 13, 32]] = True
_TAG_END = _WS.copy()
_TAG_END[[ord(">"), ord("/")]] = True


def _scan_chunk(buf: bytes, lo: int, hi: int, prefix: bytes, shape: SheetShape) -> None:
    """Count cell tags and read the references (r="…") whose attribute starts in ``[lo, hi)``.

    ``buf`` ends with at least 40 bytes of padding past ``hi``.
    """
    a = np.frombuffer(buf, dtype=np.uint8)
    # cell tags: "<c" (or "<x:c") followed by whitespace, ">" or "/"
    tag = np.frombuffer(b"<" + prefix + b"c", dtype=np.uint8)
    at = np.flatnonzero(a[lo:hi] == 60) + lo
    for i in range(1, len(tag)):
        at = at[a[at + i] == tag[i]]
    shape.cells += int(_TAG_END[a[at + len(tag)]].sum())
    # references: whitespace, r, =, quote (the attribute of <c> and of <row>)
    eq = np.flatnonzero(a[lo + 2:hi + 2] == 61) + (lo + 2)
    eq = eq[a[eq - 1] == 114]
    quote = a[eq + 1]
    eq = eq[((quote == 34) | (quote == 39)) & _WS[a[eq - 2]]]
    pos = eq + 2  # first character of each reference
    if not len(pos):
        return
    letters = np.zeros(len(pos), dtype=np.int8)
    going = np.ones(len(pos), dtype=bool)
    for i in range(4):
        c = a[pos + i]
        going &= (c >= 65) & (c <= 90)
        if not going.any():
            break
        letters += going
    if (letters > 3).any():
        raise ValueError("a cell reference that is not a cell")
    cell = letters > 0
    shape.placed += int(cell.sum())
    if cell.any():
        widest = int(letters.max())
        ref = pos[letters == widest]
        col = np.zeros(len(ref), dtype=np.int64)
        for i in range(widest):
            col = col * 26 + (a[ref + i].astype(np.int64) - 64)
        shape.columns = max(shape.columns, int(col.max()))
    start = pos + letters
    digits = np.zeros(len(pos), dtype=np.int8)
    going = np.ones(len(pos), dtype=bool)
    for i in range(9):
        c = a[start + i]
        going &= (c >= 48) & (c <= 57)
        if not going.any():
            break
        digits += going
    if (digits > 8).any() or (cell & (digits == 0)).any():
        raise ValueError("a cell reference that is not a cell")
    longest = int(digits.max())
    if longest:
        ref = start[digits == longest]
        row = np.zeros(len(ref), dtype=np.int64)
        for i in range(longest):
            row = row * 10 + (a[ref + i].astype(np.int64) - 48)
        shape.rows = max(shape.rows, int(row.max()))


def _scan_sheet(stream, limit: int) -> SheetShape:
    """One pass over a worksheet's XML: cell count and the rectangle the cells span."""
    shape = SheetShape()
    carry = b""
    total = 0
    prefix = None
    while True:
        chunk = stream.read(_CHUNK)
        total += len(chunk)
        if total > limit:
            raise _TooBig(total)
        last = not chunk
        buf = carry + chunk
        if prefix is None:
            head = re.search(rb"<(\w+:)?worksheet\b", buf[:65536])
            if head is None and not last and len(buf) < 65536:
                carry = buf
                continue
            prefix = head.group(1) or b"" if head else b""
            dim = re.search(rb"<(?:\w+:)?dimension\s+ref=[\"']([A-Z]{1,3}\d{1,8}(?::[A-Z]{1,3}\d{1,8})?)", buf[:65536])
            shape.dimension = dim.group(1).decode() if dim else None
            lo = 0
        else:
            lo = len(carry) - 32
        hi = len(buf) if last else len(buf) - 32
        _scan_chunk(buf + b"\0" * 40, lo, hi, prefix, shape)
        if shape.cells > MAX_CELLS:
            raise _TooManyCells(shape)
        if last:
            return shape
        carry = buf[-64:]


class _TooBig(Exception):
    def __init__(self, size):
        self.size = size


class _TooManyCells(Exception):
    def __init__(self, shape):
        self.shape = shape


def _damaged(name: str, what: str) -> InputError:
    return InputError(f"the workbook is damaged ({what}).", where=name,
                      hint="Open it in Excel or LibreOffice and save it again, or save the sheet as CSV.")


@dataclass
class WorkbookGuard:
    """Checks of one .xlsx/.xlsm workbook; ``plan(sheet)`` says how to read a sheet."""

    path: Path
    parts: dict[str, str] = field(default_factory=dict)  # sheet name -> worksheet part
    notes: list[str] = field(default_factory=list)

    def __post_init__(self):
        name = self.path.name
        try:
            self.zip = zipfile.ZipFile(self.path)
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as err:
            raise _damaged(name, f"not a readable zip archive: {err}") from err
        total = 0
        for info in infos:
            total += info.file_size
            if info.file_size > MAX_PART_BYTES or total > MAX_TOTAL_BYTES:
                raise self._size_error(info.filename, info.file_size, total, declared=True)
        self.declared_total = total
        # every part the readers open besides the sheets is unpacked once here, under the same caps
        for info in infos:
            if not info.filename.startswith("xl/worksheets/") and not info.is_dir():
                self._unpack(info.filename, keep=info.filename in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels"))
        self._map_sheets()

    def _size_error(self, part: str, size: int, total: int, declared: bool) -> InputError:
        verb = "claims to unpack" if declared else "unpacks"
        big = size if size > MAX_PART_BYTES else total
        what = f"part '{part}' alone" if size > MAX_PART_BYTES else "its parts together"
        return InputError(
            f"this workbook {verb} to more than {_gb(min(big, MAX_PART_BYTES if size > MAX_PART_BYTES else MAX_TOTAL_BYTES))} "
            f"({what}: {_gb(big)}{' or more' if not declared else ''} from a {_gb(self.path.stat().st_size)} file), "
            "more than a spreadsheet of orders needs; it was not opened.", where=self.path.name,
            hint="If it really holds your orders, save the sheet as CSV and use that file.")

    def _unpack(self, member: str, keep: bool = False) -> bytes | None:
        kept = []
        size = 0
        try:
            with self.zip.open(member) as stream:
                while chunk := stream.read(_CHUNK):
                    size += len(chunk)
                    if size > MAX_PART_BYTES:
                        raise self._size_error(member, size, size, declared=False)
                    if keep:
                        kept.append(chunk)
        except InputError:
            raise
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError) as err:
            raise _damaged(self.path.name, f"part '{member}': {err}") from err
        return b"".join(kept) if keep else None

    def _map_sheets(self) -> None:
        """Sheet names (workbook.xml) -> worksheet parts (its relationships)."""
        try:
            book = self._unpack("xl/workbook.xml", keep=True) or b""
            rels = self._unpack("xl/_rels/workbook.xml.rels", keep=True) or b""
        except InputError:
            raise
        except KeyError:
            return
        targets = {}
        for attrs in re.findall(rb"<(?:\w+:)?Relationship\b([^>]*)>", rels):
            rid = re.search(rb"\bId=[\"']([^\"']*)", attrs)
            target = re.search(rb"\bTarget=[\"']([^\"']*)", attrs)
            if rid and target:
                t = html.unescape(target.group(1).decode("utf-8", "replace"))
                t = t.lstrip("/") if t.startswith("/") else posixpath.normpath(posixpath.join("xl", t))
                targets[rid.group(1).decode("utf-8", "replace")] = t
        for attrs in re.findall(rb"<(?:\w+:)?sheet\b([^>]*)>", book):
            name = re.search(rb"\bname=\"([^\"]*)\"|\bname='([^']*)'", attrs)
            rid = re.search(rb"\b\w+:id=[\"']([^\"']*)", attrs)
            if name and rid:
                sheet = html.unescape((name.group(1) or name.group(2)).decode("utf-8", "replace"))
                self.parts[sheet] = targets.get(rid.group(1).decode("utf-8", "replace"), "")
        self.date1904 = bool(re.search(rb"date1904=[\"'](?:1|true)", book))

    def shape(self, sheet: str) -> SheetShape:
        member = self.parts.get(sheet)
        if not member or member not in self.zip.NameToInfo:
            raise _damaged(self.path.name, f"sheet '{sheet}' has no worksheet part")
        try:
            with self.zip.open(member) as stream:
                return _scan_sheet(stream, MAX_PART_BYTES)
        except _TooBig as big:
            raise self._size_error(member, big.size, big.size, declared=False) from None
        except _TooManyCells as many:
            raise InputError(
                f"this workbook claims more than {MAX_CELLS:,} cells in sheet '{sheet}' (stopped counting at "
                f"{many.shape.cells:,}{self._claim(many.shape)}), more than a spreadsheet of orders needs; "
                "it was not read.", where=self.path.name,
                hint="If it really holds your orders, save the sheet as CSV and use that file.") from None
        except ValueError as err:
            raise _damaged(self.path.name, f"sheet '{sheet}': {err}") from err
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as err:
            raise _damaged(self.path.name, f"sheet '{sheet}': {err}") from err

    @staticmethod
    def _claim(shape: SheetShape) -> str:
        if shape.dimension:
            return f"; it says its cells span {shape.dimension}"
        return ""

    def plan(self, sheet: str) -> tuple[str, SheetShape]:
        """("native", shape) when the native reader may read ``sheet``; ("sparse", shape) to read it here."""
        shape = self.shape(sheet)
        where = self.path.name
        if shape.rows > EXCEL_ROWS or shape.columns > EXCEL_COLUMNS:
            raise _damaged(where, f"sheet '{sheet}' has a cell beyond Excel's last row or column "
                                  f"({column_letters(shape.columns)}{shape.rows})")
        if shape.dense:
            if shape.area > MAX_NATIVE_AREA:
                raise InputError(
                    f"this workbook claims {shape.area:,} cells in sheet '{sheet}' ({shape.rows:,} rows × "
                    f"{shape.columns:,} columns), more than can be read from a workbook.", where=where,
                    hint="Save the sheet as CSV and use that file.")
            return "native", shape
        if shape.cells > MAX_SPARSE_CELLS:
            raise InputError(
                f"this workbook claims {shape.area:,} cells in sheet '{sheet}' (its cells span A1:"
                f"{column_letters(shape.columns)}{shape.rows}) but holds only {shape.cells:,}; a sheet this "
                "large and this empty cannot be read quickly.", where=where, hint=_HINT_CSV)
        return "sparse", shape

    # --- reading a sparse sheet here -------------------------------------------------

    def read_sparse(self, sheet: str, shape: SheetShape) -> list[list]:
        """The sheet's cells in use as rows (lists), stray cells far outside the table left out."""
        cells = _SheetReader(self, sheet).read()
        return self._compact(cells, sheet, shape)

    def _compact(self, cells: list[tuple[int, int, object]], sheet: str, shape: SheetShape) -> list[list]:
        if not cells:
            return []
        rows = np.fromiter((c[0] for c in cells), dtype=np.int64, count=len(cells))
        cols = np.fromiter((c[1] for c in cells), dtype=np.int64, count=len(cells))
        # blocks of rows separated by FAR_ROWS blank rows: keep up to the block holding most cells
        used_rows = np.unique(rows)
        breaks = np.flatnonzero(np.diff(used_rows) > FAR_ROWS)
        block_of_row = np.searchsorted(used_rows[breaks + 1], rows, side="right")
        keep = np.ones(len(cells), dtype=bool)
        if len(breaks):
            main = int(np.bincount(block_of_row).argmax())
            keep = block_of_row <= main
            dropped = np.flatnonzero(~keep)
            if len(dropped):
                first = cells[int(dropped[0])]
                self.notes.append(
                    f"Sheet '{sheet}': left out {len(dropped)} cell{'s' if len(dropped) > 1 else ''} far below the "
                    f"table (from {column_letters(first[1])}{first[0]}, after more than {FAR_ROWS} blank rows).")
        rows, cols = rows[keep], cols[keep]
        # blank stretches wider than FAR_COLUMNS close up (the column letters of a sheet are never used)
        used_cols = np.unique(cols)
        gaps = np.diff(np.r_[0, used_cols])
        steps = np.where(gaps > FAR_COLUMNS, 1, gaps)
        new_of_used = np.cumsum(steps)
        new_cols = new_of_used[np.searchsorted(used_cols, cols)]
        height, width = int(rows.max()), int(new_of_used[-1])
        if height * width > MAX_GRID_AREA:
            raise InputError(
                f"this workbook claims {shape.area:,} cells in sheet '{sheet}' (its cells span A1:"
                f"{column_letters(shape.columns)}{shape.rows}), and even its cells in use span {height:,} rows × "
                f"{width:,} columns.", where=self.path.name, hint=_HINT_CSV)
        self.notes.append(f"Sheet '{sheet}': its cells span A1:{column_letters(shape.columns)}{shape.rows} but only "
                          f"{shape.cells:,} are filled in; only the cells in use were read.")
        grid: list[list] = [[None] * width for _ in range(height)]
        values = [c[2] for c in cells]
        for r, c, i in zip(rows.tolist(), new_cols.tolist(), np.flatnonzero(keep).tolist()):
            grid[r - 1][c - 1] = values[i]
        return grid


_DATE_IDS = set(range(14, 23)) | set(range(27, 37)) | set(range(45, 48)) | set(range(50, 59))


def _is_date_format(code: str) -> bool:
    code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.', "", code).lower()
    return bool(re.search(r"[dmyhs]", code)) and "general" not in code


class _SheetReader:
    """Cells of one worksheet part, read with expat (only the cells present in the XML)."""

    def __init__(self, guard: WorkbookGuard, sheet: str):
        self.guard = guard
        self.sheet = sheet
        self.strings = self._shared_strings()
        self.date_styles = self._date_styles()

    def _parse(self, data_or_stream, start, end, text=None):
        import xml.parsers.expat

        parser = xml.parsers.expat.ParserCreate()
        parser.buffer_text = True
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        if text is not None:
            parser.CharacterDataHandler = text
        try:
            if isinstance(data_or_stream, bytes):
                parser.Parse(data_or_stream, True)
            else:
                while chunk := data_or_stream.read(1 << 20):
                    parser.Parse(chunk, False)
                parser.Parse(b"", True)
        except xml.parsers.expat.ExpatError as err:
            raise _damaged(self.guard.path.name, f"sheet '{self.sheet}': {err}") from err

    def _shared_strings(self) -> list[str]:
        member = next((n for n in self.guard.zip.namelist() if n.lower() == "xl/sharedstrings.xml"), None)
        if member is None:
            return []
        out: list[str] = []
        parts: list[str] = []
        state = {"in_t": False, "depth_rph": 0}

        def start(tag, attrs):
            tag = tag.rsplit(":", 1)[-1]
            if tag == "si":
                parts.clear()
            elif tag == "t" and not state["depth_rph"]:
                state["in_t"] = True
            elif tag in ("rPh", "phoneticPr"):
                state["depth_rph"] += 1

        def end(tag):
            tag = tag.rsplit(":", 1)[-1]
            if tag == "si":
                out.append("".join(parts))
            elif tag == "t":
                state["in_t"] = False
            elif tag in ("rPh", "phoneticPr"):
                state["depth_rph"] -= 1

        def text(data):
            if state["in_t"]:
                parts.append(data)

        with self.guard.zip.open(member) as stream:
            self._parse(stream, start, end, text)
        return out

    def _date_styles(self) -> set[int]:
        data = self.guard._unpack("xl/styles.xml", keep=True) if "xl/styles.xml" in self.guard.zip.NameToInfo else None
        if not data:
            return set()
        custom = {}
        xfs: list[int] = []
        state = {"in_cellxfs": False}

        def start(tag, attrs):
            tag = tag.rsplit(":", 1)[-1]
            if tag == "numFmt":
                try:
                    custom[int(attrs.get("numFmtId", -1))] = attrs.get("formatCode", "")
                except ValueError:
                    pass
            elif tag == "cellXfs":
                state["in_cellxfs"] = True
            elif tag == "xf" and state["in_cellxfs"]:
                try:
                    xfs.append(int(attrs.get("numFmtId", 0)))
                except ValueError:
                    xfs.append(0)

        def end(tag):
            if tag.rsplit(":", 1)[-1] == "cellXfs":
                state["in_cellxfs"] = False

        self._parse(data, start, end)
        return {i for i, fmt in enumerate(xfs)
                if fmt in _DATE_IDS or (fmt in custom and _is_date_format(custom[fmt]))}

    def read(self) -> list[tuple[int, int, object]]:
        cells: list[tuple[int, int, object]] = []
        strings, date_styles = self.strings, self.date_styles
        epoch = dt.datetime(1904, 1, 1) if getattr(self.guard, "date1904", False) else dt.datetime(1899, 12, 30)
        st = {"row": 0, "col": 0, "r": None, "t": None, "s": 0, "v": [], "in": None, "inline": False}
        ref_re = re.compile(r"([A-Z]{1,3})(\d{1,7})$")

        def start(tag, attrs):
            tag = tag.rsplit(":", 1)[-1]
            if tag == "c":
                ref = ref_re.match(attrs.get("r", ""))
                if ref:
                    col = 0
                    for ch in ref.group(1):
                        col = col * 26 + ord(ch) - 64
                    st["row"], st["col"] = int(ref.group(2)), col
                else:
                    st["col"] += 1
                st["t"] = attrs.get("t", "n")
                try:
                    st["s"] = int(attrs.get("s", 0))
                except ValueError:
                    st["s"] = 0
                st["v"] = []
                st["in"] = None
                st["has"] = False
            elif tag == "row":
                r = attrs.get("r")
                st["row"] = int(r) if r and r.isdigit() else st["row"] + 1
                st["col"] = 0
            elif tag == "v":
                st["in"] = "v"
                st["has"] = True
            elif tag == "is":
                st["inline"] = True
                st["has"] = True
            elif tag == "t" and st["inline"]:
                st["in"] = "t"

        def end(tag):
            tag = tag.rsplit(":", 1)[-1]
            if tag == "c":
                if st["has"]:
                    value = _cell_value(st["t"], "".join(st["v"]), st["s"], strings, date_styles, epoch)
                    if value is not None and value != "":
                        cells.append((st["row"], st["col"], value))
                        if len(cells) > MAX_SPARSE_CELLS:
                            raise InputError(f"sheet '{self.sheet}' holds more than {MAX_SPARSE_CELLS:,} cells spread "
                                             "over a far larger area.", where=self.guard.path.name, hint=_HINT_CSV)
                st["inline"] = False
            elif tag in ("v", "t"):
                st["in"] = None
            elif tag == "is":
                st["inline"] = False

        def text(data):
            if st["in"]:
                st["v"].append(data)

        member = self.guard.parts[self.sheet]
        try:
            with self.guard.zip.open(member) as stream:
                self._parse(stream, start, end, text)
        except (zipfile.BadZipFile, OSError, EOFError) as err:
            raise _damaged(self.guard.path.name, f"sheet '{self.sheet}': {err}") from err
        return cells


def _cell_value(kind: str, text: str, style: int, strings: list[str], date_styles: set[int], epoch: dt.datetime):
    if kind == "s":
        try:
            return strings[int(text)]
        except (ValueError, IndexError):
            return ""
    if kind in ("inlineStr", "str", "e"):
        return text
    if kind == "b":
        return text.strip() in ("1", "true")
    if kind == "d":
        return text
    try:
        number = float(text)
    except ValueError:
        return text
    if style in date_styles and 0 <= number < 2958466:
        return epoch + dt.timedelta(days=number)
    return number


def check_ods(path: Path) -> None:
    """An OpenDocument spreadsheet's cells, counted with their repeats before calamine reads it.

    ODS compresses a block of equal cells into one element with ``number-columns-repeated``
    and ``number-rows-repeated``: 800 bytes can claim 63 million cells, which the native
    reader allocates (and aborts on). Empty repeated cells (LibreOffice pads every sheet with
    them) claim nothing. Raises :class:`InputError` for a sheet that claims more than the
    caps, or whose cells are spread far wider than they fill.
    """
    import xml.parsers.expat

    name = path.name
    try:
        zf = zipfile.ZipFile(path)
        info = zf.getinfo("content.xml")
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, EOFError) as err:
        raise _damaged(name, f"no readable content: {err}") from err
    if info.file_size > MAX_PART_BYTES:
        raise InputError(f"this workbook claims to unpack to {_gb(info.file_size)} (its content part), more than a "
                         "spreadsheet of orders needs; it was not opened.", where=name,
                         hint="If it really holds your orders, save the sheet as CSV and use that file.")
    sheets: list[dict] = []
    st = {"sheet": None, "row": 0, "rows_rep": 1, "col": 0, "row_has": False, "depth_cell": 0, "cell_rep": 1,
          "cell_value": False, "cell_start": 0}

    def start(tag, attrs):
        local = tag.rsplit(":", 1)[-1]
        if local == "table" and tag.startswith("table"):
            st["sheet"] = {"name": attrs.get("table:name", "?"), "rows": 0, "columns": 0, "cells": 0}
            sheets.append(st["sheet"])
            st["row"] = 0
        elif st["sheet"] is None:
            return
        elif local == "table-row":
            st["rows_rep"] = _repeat(attrs.get("table:number-rows-repeated"))
            st["col"] = 0
            st["row_has"] = False
        elif local in ("table-cell", "covered-table-cell") and not st["depth_cell"]:
            st["cell_rep"] = _repeat(attrs.get("table:number-columns-repeated"))
            st["cell_value"] = "office:value-type" in attrs or "calcext:value-type" in attrs
            st["depth_cell"] = 1
        elif st["depth_cell"]:
            st["depth_cell"] += 1
            if local == "p":
                st["cell_value"] = True

    def end(tag):
        local = tag.rsplit(":", 1)[-1]
        sheet = st["sheet"]
        if sheet is None:
            return
        if st["depth_cell"]:
            st["depth_cell"] -= 1
            if st["depth_cell"]:
                return
            if st["cell_value"]:
                sheet["columns"] = max(sheet["columns"], st["col"] + st["cell_rep"])
                sheet["cells"] += st["cell_rep"] * st["rows_rep"]
                st["row_has"] = True
                if sheet["cells"] > MAX_CELLS:
                    raise _TooManyCells(SheetShape(cells=sheet["cells"]))
            st["col"] += st["cell_rep"]
        elif local == "table-row":
            if st["row_has"]:
                sheet["rows"] = st["row"] + st["rows_rep"]
            st["row"] += st["rows_rep"]
        elif local == "table":
            st["sheet"] = None

    parser = xml.parsers.expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    total = 0
    try:
        with zf.open(info) as stream:
            while chunk := stream.read(1 << 20):
                total += len(chunk)
                if total > MAX_PART_BYTES:
                    raise _TooBig(total)
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _TooManyCells:
        sheet = sheets[-1]
        raise InputError(f"this workbook claims more than {MAX_CELLS:,} cells in sheet '{sheet['name']}' (cells "
                         "repeated by the file format counted), more than a spreadsheet of orders needs; it was "
                         "not read.", where=name,
                         hint="If it really holds your orders, save the sheet as CSV and use that file.") from None
    except _TooBig:
        raise InputError(f"this workbook unpacks to more than {_gb(MAX_PART_BYTES)}; it was not read.", where=name,
                         hint="If it really holds your orders, save the sheet as CSV and use that file.") from None
    except (xml.parsers.expat.ExpatError, zipfile.BadZipFile, OSError, EOFError, ValueError) as err:
        raise _damaged(name, str(err)) from err
    for sheet in sheets:
        area = sheet["rows"] * sheet["columns"]
        if area > MAX_NATIVE_AREA or (area > 3 * sheet["cells"] + 1_000_000):
            raise InputError(
                f"this workbook claims {area:,} cells in sheet '{sheet['name']}' ({sheet['rows']:,} rows × "
                f"{sheet['columns']:,} columns) but holds {sheet['cells']:,}; it was not read.", where=name,
                hint=_HINT_CSV)


def _repeat(value: str | None) -> int:
    try:
        return max(1, min(int(value), 1 << 31)) if value else 1
    except ValueError:
        return 1


_PROBE = """
import sys
from python_calamine import CalamineWorkbook
book = CalamineWorkbook.from_path(sys.argv[1])
for name in book.sheet_names:
    sheet = book.get_sheet_by_name(name)
    print(sheet.height * sheet.width, name.encode("unicode_escape").decode("ascii"), flush=True)
"""
PROBE_MEMORY = 3 << 30  # address space the probing child may use (Linux/macOS)
PROBE_SECONDS = 120


def probe_in_child(path: Path) -> None:
    """Open a workbook the checks here cannot read (.xlsb) with the native reader in a child
    process first: if that reader would abort, exhaust memory or hang, the child does, and
    the user gets one clear line instead of a native backtrace."""
    import subprocess
    import sys

    def limit():  # pragma: no cover - runs in the child
        try:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (PROBE_MEMORY, PROBE_MEMORY))
        except (ImportError, ValueError, OSError):
            pass

    name = path.name
    try:
        done = subprocess.run([sys.executable, "-c", _PROBE, str(path)], capture_output=True, text=True,
                              timeout=PROBE_SECONDS, preexec_fn=limit if sys.platform != "win32" else None)
    except subprocess.TimeoutExpired:
        raise InputError(f"reading this workbook took more than {PROBE_SECONDS} seconds; it was stopped.", where=name,
                         hint=_HINT_CSV) from None
    except OSError:
        return  # no child process possible here: read as usual
    for line in done.stdout.splitlines():
        area, _, sheet = line.partition(" ")
        if area.isdigit() and int(area) > MAX_NATIVE_AREA:
            raise InputError(f"this workbook claims {int(area):,} cells in sheet '{sheet}', more than can be read "
                             "from a workbook.", where=name, hint=_HINT_CSV)
    ordinary_error = done.returncode == 1 and "Traceback" in done.stderr and "MemoryError" not in done.stderr
    if done.returncode != 0 and not ordinary_error:  # aborted, killed or out of memory
        raise InputError("the workbook could not be read: the spreadsheet reader stopped (it claims more cells or "
                         "memory than a spreadsheet of orders needs).", where=name, hint=_HINT_CSV)
