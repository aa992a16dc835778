"""Reading a source (file, DataFrame, list of rows) into a grid of text cells.

The grid is a DataFrame of ``str`` with integer columns ``0..n-1``; its index is the row
number a spreadsheet program shows (first line = 1). Nothing is converted here: every cell
is text ("" when blank) so later steps convert explicitly.
"""
from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import logging
import math
import mmap
import os
import re
import threading
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

import numpy as np
import pandas as pd

from ..arrays import text_per_distinct
from ..errors import InputError, agree
from .workbooks import FAR_COLUMNS, FAR_ROWS, WorkbookGuard, check_ods, probe_in_child

__all__ = ["RawTable", "cell_to_text", "read_raw_table"]

log = logging.getLogger(__name__)

TEXT_SUFFIXES = {".csv", ".tsv", ".txt", ".tab", ".dat", ""}
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".xlsb"}
DELIMITERS = [",", ";", "\t", "|"]
WHITESPACE = r"\s+"  # columns lined up with spaces (e.g. the CDNOW purchase log)
_SAMPLE_BYTES = 256 * 1024


@dataclass
class RawTable:
    """A grid of text cells plus where it came from.

    ``parts``: when several sheets of a workbook were read as one table (``sheet`` is then
    None), one ``(sheet, first grid row, shift)`` per sheet in grid order, where a row's
    number in its own sheet is its grid row + ``shift``; see :meth:`locate`.
    """

    grid: pd.DataFrame
    source: str
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)
    parts: list[tuple[str, int, int]] = field(default_factory=list)

    def locate(self, rows: pd.DataFrame) -> pd.DataFrame:
        """``rows`` (a frame with a ``row`` column of grid rows, like ``IntakeReport.skipped``)
        with each row's own sheet and its row in that sheet, when several sheets were read as
        one table: a ``sheet`` column first, ``row`` the row as that sheet shows it. Otherwise
        ``rows`` as it is (the grid row is the row in the one sheet or file)."""
        if len(self.parts) < 2 or "row" not in rows.columns:
            return rows
        grid_rows = rows["row"].to_numpy(dtype=np.int64)
        firsts = np.array([first for _, first, _ in self.parts], dtype=np.int64)
        shifts = np.array([shift for _, _, shift in self.parts], dtype=np.int64)
        part = np.clip(np.searchsorted(firsts, grid_rows, side="right") - 1, 0, len(firsts) - 1)
        names = np.array([name for name, _, _ in self.parts], dtype=object)
        out = rows.assign(row=grid_rows + shifts[part])
        out.insert(0, "sheet", pd.Series(names[part], index=rows.index, dtype=str))
        return out


def cell_to_text(value) -> str:
    """One cell from Excel/openpyxl/calamine/a DataFrame -> its text form."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float | np.floating):
        if math.isnan(value) or math.isinf(value):
            return ""
        if float(value).is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(float(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, pd.Timestamp):
        if pd.isna(value):
            return ""
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.replace(tzinfo=None)
        if value.time() == dt.time(0):
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, dt.timedelta | pd.Timedelta):
        return str(value)
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


def _grid_from_rows(rows: list[list]) -> pd.DataFrame:
    lengths = set(map(len, rows))  # map: C-speed loops over a 100k-row range
    width = max(lengths, default=0)
    if not rows or width == 0:
        grid = pd.DataFrame(dtype=str)
    else:
        padded = rows if len(lengths) == 1 else \
            [r if len(r) == width else list(r) + [None] * (width - len(r)) for r in rows]
        # Title and header rows hold text above typed columns: convert the first rows cell by
        # cell and the rest column by column.
        head = min(len(padded), 20)
        top = [[cell_to_text(c) for c in r] for r in padded[:head]]
        columns = {j: np.array(cells, dtype=object) for j, cells in enumerate(zip(*top))}
        if len(padded) > head:
            # one flat list of the cells, then a strided slice per column: both are C loops
            # that only copy pointers (2x faster than itemgetter per column, 10x than zip(*rows))
            flat = list(chain.from_iterable(padded[head:]))
            for j in range(width):
                below = np.asarray(_column_to_text(flat[j::width]), dtype=object)
                columns[j] = np.concatenate([columns[j], below])
            del flat
        grid = pd.DataFrame(columns, dtype=str)
    grid.index = range(1, len(grid) + 1)
    return grid


def _fraction_text(values: np.ndarray) -> np.ndarray:
    """repr() of non-whole floats. Money (whole cents, the usual case) is built from the
    integer cents with numpy's string functions, 3x faster than float -> str; the text is
    the same, since a float equal to c/100 prints as that decimal, shortest form."""
    cents = np.rint(values * 100.0)
    if len(values) < 1000 or not (np.all(np.abs(values) < 1e13) and np.all(cents / 100.0 == values)):
        return values.astype(str)
    string = np.dtypes.StringDType()
    count = np.abs(cents).astype(np.int64)
    units, rest = np.divmod(count, 100)
    digits = np.where(rest % 10 == 0, (rest // 10).astype(string), np.strings.zfill(rest.astype(string), 2))
    text = np.strings.add(np.strings.add(units.astype(string), "."), digits)
    text = np.where(values < 0, np.strings.add("-", text), text)
    return text.astype(object)


def _column_to_text(cells: list) -> list[str] | np.ndarray:
    """:func:`cell_to_text` for a whole column, vectorised for the shapes Excel ranges take
    (all text, all numbers, all plain datetimes, with blanks); anything else cell by cell.
    Numbers and datetimes are converted once per distinct value (a price, quantity, id or
    order time repeats over many lines) and spread back by their codes."""
    kinds = set(map(type, cells))
    blanks = type(None) in kinds
    kinds.discard(type(None))
    if kinds <= {str}:
        return ["" if c is None else c for c in cells] if blanks else cells
    if kinds <= {float} or (kinds <= {float, int} and all(abs(c) < 1e15 for c in cells if type(c) is int)):
        return text_per_distinct(np.array(cells, dtype=np.float64), _numbers_to_text)  # None -> NaN
    if kinds <= {dt.datetime}:
        try:
            stamps = pd.DatetimeIndex(cells)  # None -> NaT
        except ValueError:  # time zones mixed with each other or with plain times
            return [cell_to_text(c) for c in cells]
        if stamps.tz is not None:
            stamps = stamps.tz_localize(None)
        return text_per_distinct(stamps.to_numpy(), _stamps_to_text)  # NaT -> ""
    return [cell_to_text(c) for c in cells]


def _numbers_to_text(values: np.ndarray) -> np.ndarray:
    finite = np.isfinite(values)
    with np.errstate(invalid="ignore"):  # inf has no remainder
        whole = finite & (np.mod(values, 1.0) == 0) & (np.abs(values) < 1e15)
    text = np.full(len(values), "", dtype=object)
    text[whole] = values[whole].astype(np.int64).astype(str)
    fractional = finite & ~whole
    text[fractional] = _fraction_text(values[fractional])
    return text


def _stamps_to_text(values: np.ndarray) -> np.ndarray:
    stamps = pd.DatetimeIndex(values)
    midnight = np.asarray(stamps == stamps.normalize())
    if midnight.all():  # plain dates (the usual Excel column): one format
        return np.asarray(stamps.strftime("%Y-%m-%d"), dtype=object)
    return np.where(midnight, stamps.strftime("%Y-%m-%d"), stamps.strftime("%Y-%m-%d %H:%M:%S")).astype(object)


def _frame_to_grid(frame: pd.DataFrame) -> pd.DataFrame:
    header = [cell_to_text(c) for c in frame.columns]
    cols = {}
    for i, name in enumerate(frame.columns):
        col = frame.iloc[:, i]
        if pd.api.types.is_datetime64_any_dtype(col.dtype):
            c = col
            if getattr(c.dt, "tz", None) is not None:
                c = c.dt.tz_localize(None)
            has_time = bool((c.dropna() != c.dropna().dt.normalize()).any())
            fmt = "%Y-%m-%d %H:%M:%S" if has_time else "%Y-%m-%d"
            cols[i] = c.dt.strftime(fmt).fillna("").astype(str)
        else:
            cols[i] = pd.Series([cell_to_text(v) for v in col.tolist()], index=frame.index, dtype=str)
    body = pd.DataFrame(cols, dtype=str)
    grid = pd.concat([pd.DataFrame([header], columns=range(len(header)), dtype=str),
                      body.set_axis(range(len(header)), axis=1)], ignore_index=True)
    grid.index = range(1, len(grid) + 1)
    return grid.astype(str)


WIDE_GRID = 256  # columns beyond which columns with nothing under their header are left out
MAX_COLUMNS = 1000  # columns an order table may have (exports have well under 300)


def _narrow(grid: pd.DataFrame, where: str, notes: list[str]) -> pd.DataFrame:
    """A very wide grid loses the columns holding at most one cell (a header over nothing, or
    one stray cell): per-column work on 16,384 empty columns takes minutes. A table still wider
    than :data:`MAX_COLUMNS` is refused."""
    if grid.shape[1] <= WIDE_GRID:
        return grid
    if grid.size <= 20_000_000:  # one array: per-column access of 16,384 columns is slow
        filled = list(np.count_nonzero(grid.to_numpy(dtype=object) != "", axis=0))
    else:
        filled = [int(np.count_nonzero(grid[c].to_numpy(dtype=object) != "")) for c in grid.columns]
    keep = [c for c, n in zip(grid.columns, filled) if n >= 2]
    dropped = grid.shape[1] - len(keep)
    if len(keep) > MAX_COLUMNS:
        raise InputError(f"the table has {len(keep):,} filled columns; an order list has far fewer (at most "
                         f"{MAX_COLUMNS:,} are read).", where=where,
                         hint="Check that you chose the order export, or delete the columns you do not need "
                              "and save the file again.")
    if dropped:
        grid = grid[keep]
        grid.columns = range(len(keep))
        notes.append(f"Left out {dropped:,} of the table's {len(filled):,} columns: they hold nothing below their "
                     "header (or one stray cell).")
    return grid


class _Fallbacks(threading.local):
    count = 0


_fallbacks = _Fallbacks()


def _cp1252_fallback(err: UnicodeDecodeError) -> tuple[str, int]:
    """Decoding error handler: bytes that are not UTF-8 are read as Windows-1252 (and counted)."""
    _fallbacks.count += 1
    return err.object[err.start:err.end].decode("cp1252", errors="replace"), err.end


codecs.register_error("clv-cp1252", _cp1252_fallback)
_MIXED = "utf-8 (some Windows-1252)"  # a UTF-8 file with stray Windows-1252 bytes
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _utf8_or_cp1252(raw: bytes) -> str:
    """Bytes that are not all UTF-8: mostly UTF-8 characters with a few stray bytes (a UTF-8
    file someone edited in a Windows-1252 program) or a Windows-1252 file."""
    found = _UTF8_SEQUENCE.findall(raw)
    high = int(np.count_nonzero(np.frombuffer(raw, dtype=np.uint8) >= 0x80))
    stray = high - sum(map(len, found))
    return _MIXED if len(found) > stray else "cp1252"


def _decode_sample(raw: bytes) -> tuple[str, str]:
    """Pick the encoding: BOMs first, then strict UTF-8, then Windows-1252."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig", raw[3:].decode("utf-8", errors="replace")
    if raw.startswith(b"\xff\xfe"):
        return "utf-16", raw.decode("utf-16", errors="replace")
    if raw.startswith(b"\xfe\xff"):
        return "utf-16", raw.decode("utf-16", errors="replace")
    head = raw[:4096]
    if len(head) >= 4 and head[1::2].count(0) > len(head) // 4 and head[0::2].count(0) == 0:
        return "utf-16-le", raw.decode("utf-16-le", errors="replace")
    if len(head) >= 4 and head[0::2].count(0) > len(head) // 4 and head[1::2].count(0) == 0:
        return "utf-16-be", raw.decode("utf-16-be", errors="replace")
    try:
        return "utf-8", raw.decode("utf-8")
    except UnicodeDecodeError as err:
        if err.start > len(raw) - 4:  # sample cut inside a multi-byte character
            try:
                return "utf-8", raw[: err.start].decode("utf-8")
            except UnicodeDecodeError:
                pass
        if _utf8_or_cp1252(raw) == _MIXED:
            return _MIXED, raw.decode("utf-8", errors="clv-cp1252")
        return "cp1252", raw.decode("cp1252", errors="replace")


def sniff_delimiter(text: str) -> str:
    """Choose among , ; tab | the delimiter giving the most consistent field count."""
    lines = text.splitlines()[:200]
    sample = "\n".join(lines[:-1] if len(lines) > 5 else lines)
    best, best_score = ",", -1.0
    for delim in DELIMITERS:
        try:
            with _big_fields():
                counts = [len(r) for r in csv.reader(io.StringIO(sample), delimiter=delim) if any(c.strip() for c in r)]
        except csv.Error:
            continue
        counts = [c for c in counts if c > 1]
        if not counts:
            continue
        modal = max(set(counts), key=lambda c: (counts.count(c), c))
        share = counts.count(modal) / len(counts)
        score = modal * share * (len(counts) ** 0.5)
        if score > best_score:
            best, best_score = delim, score
    if best_score < 0:  # no delimiter splits any line: columns lined up with spaces?
        counts = [len(line.split()) for line in sample.splitlines() if line.strip()]
        if counts and min(counts) >= 2 and max(set(counts), key=counts.count) == max(counts) \
                and counts.count(max(counts)) >= 0.9 * len(counts):
            return WHITESPACE
    return best


_CONTROL = np.zeros(256, dtype=bool)
_CONTROL[[*range(0, 9), 11, *range(14, 27), *range(28, 32)]] = True


def _check_not_binary(raw: bytes, name: str) -> None:
    kinds = {b"%PDF": "a PDF document", b"PK\x03\x04": "a zip archive", b"\x89PNG": "a PNG image",
             b"\xff\xd8\xff": "a JPEG image", b"GIF8": "a GIF image", b"\x1f\x8b": "a gzip archive",
             b"{\\rtf": "an RTF document", b"Rar!": "a RAR archive", b"7z\xbc\xaf": "a 7-zip archive"}
    if raw.startswith(b"PAR1"):
        raise InputError("this file is a Parquet table, not an order export.", where=name,
                         hint="A customer summary made with clv summary-sql is read with --summary FILE; for "
                              "orders in Parquet, use --duckdb, or export them as CSV.")
    for magic, kind in kinds.items():
        if raw.startswith(magic):
            raise InputError(f"this file is {kind}, not a spreadsheet or CSV file.", where=name,
                             hint="Export the orders from your shop as CSV or Excel and choose that file.")
    head = raw[:4096]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        zeros = head.count(0)
        utf16 = head[1::2].count(0) > len(head) // 4 or head[0::2].count(0) > len(head) // 4
        # control characters other than tab/newline: text has none, a stray NUL or two aside
        controls = int(np.count_nonzero(_CONTROL[np.frombuffer(head, dtype=np.uint8)]))
        if (not utf16 and controls > max(8, len(head) // 100)) or zeros > len(head) * 0.7:
            raise InputError("this file is not text: it looks like a binary file, not a CSV.", where=name,
                             hint="Export the orders from your shop as CSV or Excel and choose that file.")


@contextlib.contextmanager
def _big_fields():
    """Python's csv module refuses fields over 128 KB; a long note in one cell is no reason to fail."""
    old = csv.field_size_limit()
    csv.field_size_limit(2**31 - 1)
    try:
        yield
    finally:
        csv.field_size_limit(old)


def _strip_nul(grid: pd.DataFrame, path: Path, encoding: str, notes: list[str]) -> pd.DataFrame:
    """NUL characters (zero bytes) inside cells are removed, with a note."""
    if encoding.startswith("utf-16"):
        return grid
    with open(path, "rb") as fh:
        try:
            with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
                if mm.find(b"\x00") < 0:
                    return grid
        except (ValueError, OSError):
            pass
    cells = 0
    for c in grid.columns:
        col = grid[c]
        has = col.str.contains("\x00", regex=False)
        if has.any():
            cells += int(has.sum())
            grid[c] = col.str.replace("\x00", "", regex=False)
    if cells:
        notes.append(f"Removed invisible NUL characters (zero bytes) from {cells} cell{'s' if cells != 1 else ''}.")
    return grid


def _read_text(path: Path, progress=None) -> RawTable:
    with open(path, "rb") as fh:
        sample = fh.read(_SAMPLE_BYTES)
    name = path.name
    if not sample.strip(b"\xef\xbb\xbf\xff\xfe\x00 \r\n\t"):
        raise InputError("the file is empty.", where=name,
                         hint="Export the orders again and check that the export contains rows.")
    _check_not_binary(sample, name)
    encoding, text = _decode_sample(sample)
    delimiter = sniff_delimiter(text)
    if delimiter == WHITESPACE:
        width = max((len(line.split()) for line in text.splitlines()[:-1] or text.splitlines()), default=1)
    else:
        with _big_fields():
            width = max((len(r) for r in csv.reader(io.StringIO("\n".join(text.splitlines()[:-1] or text.splitlines())),
                                                      delimiter=delimiter)), default=1)
    if progress:
        progress("Reading file", 0.05)
    errors = {"utf-8": "strict", _MIXED: "clv-cp1252"}.get(encoding, "replace")
    kwargs = dict(sep=delimiter, header=None, dtype=str, keep_default_na=False, na_filter=False,
                  skip_blank_lines=False, encoding="utf-8" if encoding == _MIXED else encoding, quotechar='"',
                  doublequote=True, engine="c", encoding_errors=errors)
    _fallbacks.count = 0
    grid = None
    widenings = 0
    while grid is None:
        try:
            grid = pd.read_csv(path, names=range(width), **kwargs)
        except pd.errors.ParserError as err:
            if "Expected" in str(err) and widenings < 2:
                width *= 4
                widenings += 1
                continue
            raise InputError(f"the file could not be read as a table ({err}).", where=name,
                             hint="Open it in a spreadsheet program and save it again as CSV.") from err
        except UnicodeDecodeError as err:
            if encoding != "utf-8":
                raise InputError("the file's text encoding could not be read.", where=name,
                                 hint="Save it again as 'CSV UTF-8'.") from err
            # not all UTF-8 after all (the sample was): the bytes that are not are read as
            # Windows-1252, the rest stays UTF-8 (one stray byte must not garble every name)
            encoding = _MIXED
            kwargs.update(encoding="utf-8", encoding_errors="clv-cp1252")
            _fallbacks.count = 0
        except UnicodeError as err:
            raise InputError("the file's text encoding could not be read.", where=name,
                             hint="Save it again as 'CSV UTF-8'.") from err
    assert grid is not None
    last = next((c for c in reversed(grid.columns) if (grid[c].to_numpy() != "").any()), 0)
    grid = grid.loc[:, : last].astype(str)
    if encoding == "utf-8-sig" or encoding.startswith("utf-16"):
        pass
    grid.index = range(1, len(grid) + 1)
    label = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe", WHITESPACE: "space"}[delimiter]
    table = RawTable(grid, name, encoding=encoding, delimiter=delimiter)
    table.grid = _narrow(grid, name, table.notes)
    if encoding == "cp1252":
        table.notes.append("The file is not UTF-8; read it as Windows-1252 (Western European).")
    elif encoding == _MIXED:
        n = _fallbacks.count
        table.notes.append(f"The file is UTF-8 except for {n} character{'s' if n != 1 else ''} written in "
                           "Windows-1252 (Western European); those were read as Windows-1252.")
    table.grid = _strip_nul(table.grid, path, encoding, table.notes)
    log.debug("read %s rows, %s-separated, encoding %s", len(grid), label, encoding)
    return table


def _read_excel(path: Path, sheet: str | None, accept=None) -> RawTable:
    """Read one sheet: ``sheet`` if given, else the first that ``accept(grid)`` takes (else the
    first) together with the later sheets that have its column headers (see :func:`_same_columns`)."""
    name = path.name
    suffix = path.suffix.lower()
    try:
        import python_calamine  # noqa: F401
        have_calamine = True
    except ImportError:
        have_calamine = False
    # an .xlsx/.xlsm is checked before any reader opens it: sizes, and each sheet's cells
    guard = WorkbookGuard(path) if _is_xlsx_package(path) else None
    if guard is None and (suffix == ".ods" or _is_ods_package(path)):
        check_ods(path)  # repeated cells counted before the native reader allocates them
    elif guard is None and suffix == ".xlsb" and have_calamine:
        probe_in_child(path)  # a binary workbook: the native reader tries it in a child process first

    narrowed: dict[str, list[str]] = {}
    plans: dict[str, tuple] = {}

    def plan(s):
        if s not in plans:
            plans[s] = guard.plan(s)
        return plans[s]

    def guarded(load):
        def load_checked(s):
            if guard is None:
                grid = load(s)
            else:
                how, shape = plan(s)
                grid = load(s) if how == "native" else _grid_from_rows(guard.read_sparse(s, shape))
            return _narrow(grid, f"{name}, sheet '{s}'", narrowed.setdefault(s, []))
        return load_checked

    def headed(first_rows, load):
        """``head(s) -> (grid, whole)``: the sheet's first rows (``whole``: all of it, when
        the reader cannot stop early), to compare its column headers before reading it all."""
        def head(s):
            if guard is not None and plan(s)[0] != "native":  # checked first; a sparse sheet is read here
                return load(s), True
            rows = first_rows(s)
            return (load(s), True) if rows is None else (_grid_from_rows(rows), False)
        return head

    combine = sheet is None and accept is not None
    parts: list[tuple[str, int, int]] = []
    notes: list[str] = []
    try:
        if have_calamine:
            from python_calamine import CalamineWorkbook

            book = CalamineWorkbook.from_path(str(path))
            sheets = list(book.sheet_names)
            opened: dict = {}  # the sheet whose first rows were just read: read in full without parsing it again

            def open_sheet(s):
                return opened.pop(s, None) or book.get_sheet_by_name(s)

            load = guarded(lambda s: _grid_from_rows(
                _calamine_rows(open_sheet(s), s, narrowed.setdefault(s, []), checked=guard is not None)))

            def first_rows(s):
                opened.clear()
                opened[s] = book.get_sheet_by_name(s)
                try:
                    return opened[s].to_python(skip_empty_area=False, nrows=HEAD_ROWS)
                except TypeError:  # python-calamine before 0.3 reads whole sheets only
                    return None

            chosen, grid = _pick_sheet(sheets, sheet, name, accept, load)
            if combine and len(sheets) > 1:
                grid, parts, notes = _same_columns(sheets, chosen, grid, load, headed(first_rows, load))
        else:
            engine = {".xls": "xlrd", ".ods": "odf"}.get(suffix, "openpyxl")

            def frame_rows(s, nrows=None):
                frame = pd.read_excel(book, sheet_name=s, header=None, dtype=object, nrows=nrows)
                return frame.astype(object).where(frame.notna(), None).values.tolist()

            load = guarded(lambda s: _grid_from_rows(frame_rows(s)))
            with pd.ExcelFile(path, engine=engine) as book:
                sheets = list(book.sheet_names)
                chosen, grid = _pick_sheet(sheets, sheet, name, accept, load)
                if combine and len(sheets) > 1:
                    grid, parts, notes = _same_columns(sheets, chosen, grid, load,
                                                       headed(lambda s: frame_rows(s, HEAD_ROWS), load))
    except InputError:
        raise
    except ImportError as err:
        raise InputError(f"reading {suffix} files needs an extra package ({err.name}).", where=name,
                         hint="Install python-calamine, or save the sheet as CSV and use that file.") from err
    except Exception as err:  # readers raise many unrelated types for damaged files
        raise InputError(f"the file could not be opened as a {suffix} workbook: it is damaged or incomplete (cut "
                         "short while downloading or copying, for example).",
                         where=name, hint="Open it in Excel or LibreOffice and save it again, or save the sheet as CSV; "
                                          "if it does not open there either, export it again.") from err
    read = [s for s, _, _ in parts] or [chosen]
    table = RawTable(grid, name, sheet=None if parts else chosen, sheets=sheets, parts=parts)
    if guard is not None:
        table.notes.extend(n for n in guard.notes if any(f"'{s}'" in n for s in read))
    for s in read:
        table.notes.extend(narrowed.get(s, []))
    if sheet is None and len(sheets) > 1 and not parts:
        table.notes.append(f"Read sheet '{chosen}' (the workbook has {len(sheets)} sheets).")
    table.notes.extend(notes)
    if _is_xlsx_package(path):
        table.notes.extend(_unsaved_formulas(path, read))
    return table


# a formula cell without a saved result: <c r="E3"><f>2*9.25</f><v /></c> (or no <v> at all);
# not one whose saved result is an empty text (t="str", as Excel saves =IF(A1="","",A1))
_UNSAVED_FORMULA = re.compile(rb'<c\b(?![^>]*\bt="str")[^>]*?\br="([A-Z]+[0-9]+)"[^>]*>'
                              rb'(?:<f\b[^>]*/>|<f\b[^>]*>[^<]*</f>)'
                              rb'(?:<v\s*/>|<v>\s*</v>)?</c>')


def _unsaved_formulas(path: Path, sheets: list[str]) -> list[str]:
    """Notes on formula cells whose results were never saved (a workbook written by a program,
    not saved by Excel or LibreOffice): every reader sees them blank, so say why and what to do."""
    import zipfile

    notes = []
    try:
        with zipfile.ZipFile(path) as zf:
            book = zf.read("xl/workbook.xml").decode("utf-8", "replace")
            rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
            ids = dict(re.findall(r'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"', book))
            targets = {i: t for t, i in re.findall(r'<Relationship\b[^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"', rels)}
            targets.update({i: t for i, t in re.findall(r'<Relationship\b[^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"',
                                                          rels)})
            for name in sheets:
                target = targets.get(ids.get(_xml_text(name), ""), "")
                member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                if member not in zf.NameToInfo or zf.getinfo(member).file_size > 300_000_000:
                    continue
                data = zf.read(member)
                if b"<f" not in data:
                    continue
                cells = [m.group(1).decode() for m in _UNSAVED_FORMULA.finditer(data)]
                if cells:
                    notes.append(f"Sheet '{name}': {len(cells):,} {agree(len(cells), 'cell holds a formula whose', 'cells hold formulas whose')} "
                                 f"result was never saved (e.g. {cells[0]}; the file was written by a program, not "
                                 "saved by Excel), so they read as blank. Open the file in Excel or LibreOffice, "
                                 "save it, and read it again.")
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return notes
    return notes


def _xml_text(name: str) -> str:
    """A sheet name as workbook.xml writes it (&amp; for &, …)."""
    return name.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


HEAD_ROWS = 200  # rows of a further sheet read first, to compare its column headers


def _quoted(names: list[str]) -> str:
    """'A' / 'A' and 'B' / 'A', 'B' and 'C'."""
    quoted = [f"'{n}'" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _header_of(grid: pd.DataFrame) -> tuple[int, list[str]] | None:
    """The header row intake finds in ``grid`` (as ``find_header_row`` finds it) and its
    names, trailing blank cells left off; None without a header of two or more names."""
    from .columns import find_header_row

    top = grid.head(HEAD_ROWS)
    if top.empty:
        return None
    row = find_header_row(top)
    names = [str(c).strip() for c in top.loc[row].tolist()]
    while names and not names[-1]:
        names.pop()
    return (row, names) if sum(map(bool, names)) >= 2 else None


def _filled_rows(grid: pd.DataFrame) -> int:
    """How many rows ``grid`` has up to its last row with a filled cell (looked for from the end)."""
    end, step = len(grid), 64
    while end > 0:
        begin = max(0, end - step)
        filled = (grid.iloc[begin:end].to_numpy(dtype=object) != "").any(axis=1)
        if filled.any():
            return begin + int(np.flatnonzero(filled)[-1]) + 1
        end, step = begin, step * 4
    return 0


def _column_map(mine: list[str], theirs: list[str]) -> list[int] | None:
    """Where each of ``mine``'s columns is among ``theirs`` when the two headers name the same
    columns (in any order, case and spacing aside, a few extra columns allowed); None when
    they do not, or when a name is blank or repeated (the order must then match exactly)."""
    if theirs == mine:
        return list(range(len(mine)))

    def norm(names):
        return [" ".join(n.split()).casefold() for n in names]

    m, t = norm(mine), norm(theirs)
    if "" in m or len(set(m)) != len(m) or len(set(n for n in t if n)) != sum(1 for n in t if n):
        return None
    where = {n: i for i, n in enumerate(t) if n}
    if any(n not in where for n in m) or len(where) > len(m) + max(2, len(m) // 2):
        return None
    return [where[n] for n in m]


def _same_columns(sheets: list[str], chosen: str, grid: pd.DataFrame, load, head
                  ) -> tuple[pd.DataFrame, list[tuple[str, int, int]], list[str]]:
    """``chosen``'s grid with the rows of the later sheets that have the same column headers
    (the same names as intake finds them, in any order; columns a later sheet adds are left
    out, with a note) below it, in sheet order: one table, for a workbook that splits its
    orders over sheets (a year or a month each).

    Each further sheet's rows above and on its header row are left out (its header is not a
    data row); every sheet's blank rows after its last filled row too. Returns the grid,
    ``RawTable.parts`` (empty when no sheet joins: the grid is then ``chosen``'s as it was)
    and the notes saying which sheets were read as one and which were left out.
    """
    mine = _header_of(grid)
    if mine is None:
        return grid, [], []
    at = sheets.index(chosen)
    bodies = [(chosen, grid.iloc[grid.index.get_loc(mine[0]) + 1:_filled_rows(grid)])]  # rows below the headers
    copies: list[str] = []
    found: list[tuple[str, pd.DataFrame]] = []
    left_out = list(sheets[:at])  # earlier sheets: no order list (``accept`` refused them)
    unreadable: list[str] = []
    above: list[str] = []
    rearranged: list[str] = []
    for s in sheets[at + 1:]:
        try:
            top, whole = head(s)
            theirs = _header_of(top)
            if not whole and top.shape[1] > WIDE_GRID:  # narrowed when read in full: compare that
                top, whole = load(s), True
                theirs = _header_of(top)
            if theirs is None or _column_map(mine[1], theirs[1]) is None:
                left_out.append(s)
                continue
            full = top if whole else load(s)
            del top
            theirs = _header_of(full)
        except Exception as err:  # a sheet not read before either: the others are still read
            log.debug("sheet %r left out: %s", s, err)
            unreadable.append(s)
            continue
        where = None if theirs is None else _column_map(mine[1], theirs[1])
        if where is None:
            left_out.append(s)
            continue
        start = full.index.get_loc(theirs[0]) + 1
        body = full.iloc[start:_filled_rows(full)]
        if where != list(range(len(theirs[1]))):  # another order, or columns of its own: in this sheet's order
            extra = [n for i, n in enumerate(theirs[1]) if n and i not in set(where)]
            body = body.iloc[:, where].set_axis(range(len(where)), axis=1)
            rearranged.append(f"Sheet '{s}' has the same columns in another order" if not extra else
                              f"Sheet '{s}' has the same columns" + (" in another order" if sorted(where) != where
                                                                      else "") +
                              f" and {agree(len(extra), 'one more', 'more')} ({_quoted(extra)}), left out")
        if body.empty:
            left_out.append(s)
            continue
        copy = next((t for t, rows in bodies if _same_cells(rows, body)), None)
        if copy is not None:  # a backup copy of a sheet: its orders would count twice
            copies.append(f"Left out sheet '{s}': it repeats sheet '{copy}' row for row.")
            continue
        if start > 1 and (full.iloc[:start - 1].to_numpy(dtype=object) != "").any():
            above.append(f"Sheet '{s}': the column headers are on row {theirs[0]}; the rows above them were "
                         "skipped.")
        found.append((s, body))
        bodies.append((s, body))
        del full
    del bodies
    if not found:
        others = [t for t in left_out if t != chosen]
        if others:  # say so: a sheet of orders under other headers must not vanish unnoticed
            copies.insert(0, f"Left out {agree(len(others), 'sheet')} {_quoted(others)}: "
                             f"{agree(len(others), 'its columns differ', 'their columns differ')} from those of "
                             f"'{chosen}' (read on its own; choose a sheet with --sheet).")
        return grid, [], copies
    found.insert(0, (chosen, grid.iloc[:_filled_rows(grid)]))
    del grid
    width = max(part.shape[1] for _, part in found)
    parts, first = [], 1
    for s, part in found:
        parts.append((s, first, int(part.index[0]) - first))
        first += len(part)
    # column by column: slices of the sheets' columns joined (Arrow-backed text: no copy of the cells)
    columns = {}
    for j in range(width):
        pieces = [part[j] if j < part.shape[1] else pd.Series("", index=part.index, dtype=part[0].dtype)
                  for _, part in found]
        columns[j] = pd.concat(pieces, ignore_index=True)
    del found
    combined = pd.DataFrame(columns)
    combined.index = range(1, len(combined) + 1)
    names = [s for s, _, _ in parts]
    notes = [f"Read sheets {_quoted(names)} as one table: they have the same columns."]
    if left_out:
        notes.append(f"Left out {agree(len(left_out), 'sheet')} {_quoted(left_out)}: "
                     f"{agree(len(left_out), 'it does', 'they do')} not hold orders with these columns.")
    if unreadable:
        notes.append(f"{agree(len(unreadable), 'Sheet')} {_quoted(unreadable)} could not be read and "
                     f"{agree(len(unreadable), 'was', 'were')} left out.")
    return combined, parts, notes + [f"{r}." for r in rearranged] + copies + above


def _same_cells(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Do two sheets' rows hold the same cells (row numbers, and blank columns at the right, aside)?"""
    if len(a) != len(b):
        return False

    def column(frame, j):
        return frame.iloc[:, j].to_numpy(dtype=object) if j < frame.shape[1] else np.full(len(frame), "", dtype=object)

    return all(np.array_equal(column(a, j), column(b, j)) for j in range(max(a.shape[1], b.shape[1])))


def _is_xlsx_package(path: Path) -> bool:
    """An Office Open XML workbook (a zip holding xl/workbook.xml), whatever the file is called."""
    import zipfile

    try:
        with open(path, "rb") as fh:
            if fh.read(4) != b"PK\x03\x04":
                return False
        with zipfile.ZipFile(path) as zf:
            return "xl/workbook.xml" in zf.NameToInfo
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False


def _merged_down(book_sheet, rows: list[list], notes: list[str]) -> list[list]:
    """Cells merged down several rows (a customer's name and email spanning their orders)
    hold their value on every row they cover, as the sheet shows them; cells merged only
    across (a title over the table) are left as they are."""
    try:
        ranges = book_sheet.merged_cell_ranges or []
    except Exception:  # noqa: BLE001 - an older reader or a format without merges
        return rows
    filled = 0
    for (top, left), (bottom, right) in ranges:
        if bottom <= top or top >= len(rows) or left >= len(rows[top]):
            continue
        value = rows[top][left]
        if value is None or value == "":
            continue
        for r in range(top, min(bottom, len(rows) - 1) + 1):
            row = rows[r]
            for c in range(left, min(right, len(row) - 1) + 1):
                if (r, c) != (top, left) and (row[c] is None or row[c] == ""):
                    row[c] = value
                    filled += 1
    if filled:
        notes.append(f"Filled {filled:,} {agree(filled, 'cell')} of merged ranges with the value the merge shows "
                     "(a merged cell belongs to every row it covers).")
    return rows


def _calamine_rows(book_sheet, sheet: str, notes: list[str], checked: bool) -> list[list]:
    """The rows of a sheet read by calamine, as ``to_python(skip_empty_area=False)`` gives them.

    A big sheet of a format not checked before reading (.xls, .xlsb, .ods), where the reader
    returns every cell of its used rectangle, is streamed row by row: a mostly empty one keeps
    only its table, stray cells far below it are left out and wide blank stretches of columns
    close up. A .xls with one cell in IV65536 took 134 s and 1.3 GB.
    """
    r0, c0 = book_sheet.start or (0, 0)
    if checked or (r0 + book_sheet.height) * (c0 + book_sheet.width) < 1_000_000:
        return _merged_down(book_sheet, book_sheet.to_python(skip_empty_area=False), notes)
    kept: list[tuple[int, list]] = []
    filled = 0
    height, width = r0, c0
    for i, row in enumerate(book_sheet.iter_rows()):
        n = len(row) - row.count("") - row.count(None)
        width = max(width, c0 + len(row))
        height = r0 + i + 1
        if n:
            kept.append((r0 + i, [""] * c0 + row if c0 else row))
            filled += n
    if filled * 3 + 10_000 >= height * width:  # dense: every row, as the reader gives them
        blank = [""] * width
        rows = [blank] * height
        for i, row in kept:
            rows[i] = row if len(row) == width else row + [""] * (width - len(row))
        return rows
    if not kept:
        return []
    used_rows = np.array([i for i, _ in kept])
    cells = np.empty((len(kept), width), dtype=object)
    cells[:] = [row + [""] * (width - len(row)) for _, row in kept]
    mask = (cells != None) & (cells != "")  # noqa: E711 - elementwise on an object array
    breaks = np.flatnonzero(np.diff(used_rows) > FAR_ROWS)
    block = np.searchsorted(used_rows[breaks + 1], used_rows, side="right")
    main = int(np.bincount(block, weights=mask.sum(axis=1)).argmax())
    keep_rows = block <= main
    dropped = int(mask[~keep_rows].sum())
    if dropped:
        notes.append(f"Sheet '{sheet}': left out {dropped} cell{'s' if dropped > 1 else ''} far below the table "
                     f"(after more than {FAR_ROWS} blank rows).")
    cells, mask, used_rows = cells[keep_rows], mask[keep_rows], used_rows[keep_rows]
    used_cols = np.flatnonzero(mask.any(axis=0))
    gaps = np.diff(np.r_[-1, used_cols])
    columns = np.concatenate([np.arange(c - g + 1, c + 1) if g <= FAR_COLUMNS else [c]
                              for c, g in zip(used_cols, gaps)]).astype(np.int64)
    notes.append(f"Sheet '{sheet}': its cells span {height:,} rows × {width:,} columns but only {filled:,} are "
                 "filled in; only the cells in use were read.")
    out = [[""] * len(columns) for _ in range(int(used_rows.max()) + 1)]
    for i, row in zip(used_rows.tolist(), cells[:, columns].tolist()):
        out[i] = row
    return out


def _is_ods_package(path: Path) -> bool:
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            return "content.xml" in zf.NameToInfo
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False


def _pick_sheet(sheets: list[str], sheet, name: str, accept, load) -> tuple[str, pd.DataFrame]:
    """The chosen sheet and its grid; without a choice, the first sheet ``accept`` takes."""
    if sheet is not None or accept is None or len(sheets) < 2:
        chosen = _choose_sheet(sheets, sheet, name)
        return chosen, load(chosen)
    for candidate in sheets:
        grid = load(candidate)
        if accept(grid):
            return candidate, grid
    listed = ", ".join(f"'{s}'" for s in sheets)
    raise InputError(f"none of the {len(sheets)} sheets holds an order list (no sheet has columns for the order "
                     "date, amount and customer).", where=name,
                     hint=f"The sheets are: {listed}. Choose the one with the orders (--sheet NAME, or "
                          "sheet='NAME'), and name its columns with --map role=COLUMN if needed.")


def _choose_sheet(sheets: list[str], sheet: str | int | None, name: str) -> str:
    if not sheets:
        raise InputError("the workbook has no sheets.", where=name, hint="Check that you chose the right file.")
    if sheet is None:
        return sheets[0]
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        if 0 <= sheet < len(sheets):
            return sheets[sheet]
    else:
        if sheet in sheets:
            return sheet
        folded = {s.strip().casefold(): s for s in sheets}
        if str(sheet).strip().casefold() in folded:
            return folded[str(sheet).strip().casefold()]
    listed = ", ".join(f"'{s}'" for s in sheets)
    raise InputError(f"there is no sheet '{sheet}' in this workbook.", where=name,
                     hint=f"The sheets are: {listed}. Choose one of them.")


def read_raw_table(source, sheet=None, progress=None, accept=None) -> RawTable:
    """Read any supported source into a :class:`RawTable` of text cells.

    ``accept(grid) -> bool`` picks a workbook's sheet when ``sheet`` is None (see ``_pick_sheet``).
    """
    if isinstance(source, pd.DataFrame):
        table = RawTable(_frame_to_grid(source), "DataFrame")
        table.grid = _narrow(table.grid, "DataFrame", table.notes)
        return table
    if isinstance(source, list | tuple):
        # rows are only read, never changed: lists (what xlwings passes) are used as they are
        rows = source if set(map(type, source)) <= {list} else \
            [list(r) if isinstance(r, list | tuple) else [r] for r in source]
        table = RawTable(_grid_from_rows(rows), "range")
        table.grid = _narrow(table.grid, "range", table.notes)
        return table
    if not isinstance(source, str | os.PathLike):
        raise InputError(f"cannot read orders from a {type(source).__name__}.",
                         hint="Give a file path, a pandas DataFrame or a list of rows (first row = headers).")
    path = Path(source)
    name = path.name
    if not path.exists():
        raise InputError("the file does not exist.", where=str(path),
                         hint="Check the file name and folder, or choose the file again.")
    if path.is_dir():
        raise InputError("this is a folder, not a file.", where=str(path), hint="Choose the exported orders file inside it.")
    if path.stat().st_size == 0:
        raise InputError("the file is empty.", where=name,
                         hint="Export the orders again and check that the export contains rows.")
    try:
        with open(path, "rb") as fh:
            magic = fh.read(8)
    except PermissionError:
        raise InputError("the file cannot be opened: it is open in another program (such as Excel) that keeps "
                         "others out, or you may not read it.", where=str(path),
                         hint="Close it in the other program and run again, or copy it to a folder of yours.") from None
    suffix = path.suffix.lower()
    if magic.startswith(b"PK\x03\x04") and suffix not in {".xlsx", ".xlsm", ".ods", ".xlsb"}:
        import zipfile

        try:
            members = zipfile.ZipFile(path).namelist()
        except zipfile.BadZipFile:
            members = []
        if "xl/workbook.xml" in members or "content.xml" in members:
            return _read_excel(path, sheet, accept)
    if magic.startswith(b"\xd0\xcf\x11\xe0") and suffix != ".xls":
        return _read_excel(path, sheet, accept) if suffix in EXCEL_SUFFIXES else _read_ole(path, sheet, accept)
    if suffix in EXCEL_SUFFIXES:
        if suffix in {".xlsx", ".xlsm", ".ods"} and not magic.startswith(b"PK\x03\x04"):
            if magic.lstrip(b"\xef\xbb\xbf").lstrip()[:1] not in (b"",) and b"\x00" not in magic:
                # a CSV saved with an Excel extension: read it as text
                table = None if _control_bytes_share(path) > 0.01 else _read_text(path, progress)
                if table is None or len(table.grid) < 2:  # not a table either: a damaged or mislabelled file
                    raise InputError(f"the file is named {suffix} but is not a workbook, and its text is not a "
                                     "table of orders.", where=name,
                                     hint="Open it in Excel and save it again as .xlsx, or export the orders again.")
                table.notes.append(f"The file is named {suffix} but holds text (a CSV file saved under an Excel "
                                   "name); it was read as text.")
                return table
        return _read_excel(path, sheet, accept)
    table = _read_text(path, progress)
    if sheet:
        table.notes.append(f"The sheet '{sheet}' was not looked for: {name} is a text file, which has no sheets; "
                           "the whole file was read.")
    return table


def _control_bytes_share(path: Path) -> float:
    """Share of control bytes (other than tab and line breaks) at the start of a file: text
    has none; a damaged workbook or other binary data has many."""
    with open(path, "rb") as fh:
        sample = fh.read(65536)
    if not sample:
        return 0.0
    control = sum(sample.count(bytes([b])) for b in range(32) if b not in (9, 10, 13))
    return control / len(sample)


def _read_ole(path: Path, sheet, accept=None) -> RawTable:
    """An old .xls workbook saved under another extension."""
    try:
        return _read_excel(path, sheet, accept)
    except InputError:
        raise InputError("this file is an old Excel workbook or another Office document saved under a "
                         "different extension.", where=path.name,
                         hint="Open it in Excel and save it as .xlsx or CSV.") from None
