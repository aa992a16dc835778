"""CSV text of a result table, byte for byte what ``DataFrame.to_csv(lineterminator="\\n")``
writes, in a fraction of the time on a million rows.

pandas formats and quotes every cell through its generic writer. Here each column of a
block of rows becomes a byte matrix (one row per record, fields NUL-padded) where it can:
numbers with at most six decimals (money, rounded shares: what the result files hold) and
integers are spelled as ASCII digits, and one-line text (ids, names, tiers; quoted where
needed, checked in one search over the whole column) as its UTF-8 bytes. The matrices are
put side by side with commas and turned into text at once, dropping the padding. Text with
line breaks keeps a string per cell, other floats use ``repr`` (Python's shortest
round-trip text, as pandas does), and column types this does not know go through pandas.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import numpy as np
import pandas as pd

__all__ = ["csv_chunks", "spreadsheet_safe_text", "to_csv_text"]

_NEEDS_QUOTES = (",", '"', "\n")  # QUOTE_MINIMAL with lineterminator "\n" (a lone \r is not quoted)
_SEPARATOR = "\x00"


# Cells a spreadsheet would run as a formula start with one of these (OWASP, ASVS 1.2.10;
# full-width forms included: some Excel locales read them as the ASCII sign).
FORMULA_STARTS = "=+-@\t\r\n\x00\uff1d\uff0b\uff0d\uff20"
# searched in the cells joined by NUL (a literal first character keeps the search fast);
# the first cell is checked on its own
_FORMULA_START_RE = re.compile("\x00[" + re.escape(FORMULA_STARTS.replace("\x00", "")) + "]")


_FORMULA_SET = frozenset(FORMULA_STARTS)


def spreadsheet_safe_text(values: list[str]) -> list[str]:
    """Text cells a spreadsheet shows as text: NUL characters dropped, and a ``'`` put before
    a cell that would start a formula (``=1+1`` -> ``'=1+1``, formats.md section C). A list
    with nothing to change is returned as it is (one search over the whole column)."""
    joined = _SEPARATOR.join(values)
    has_nul = joined.count(_SEPARATOR) != len(values) - 1 if values else False
    if not has_nul and not _FORMULA_START_RE.search(joined) and not (values and values[0][:1] in _FORMULA_SET):
        return values
    out = []
    for v in values:
        if has_nul:
            v = v.replace("\x00", "")
        out.append("'" + v if v and v[0] in FORMULA_STARTS else v)
    return out


def _text_values(column: pd.Series) -> list | None:
    """A text-like column's cells as a list ("" for missing), or None for other columns.
    Cells that are not strings stay as they are."""
    dtype = column.dtype
    if not (dtype.kind in "OU" or isinstance(dtype, pd.StringDtype)):
        return None
    values = column.to_numpy(dtype=object)
    try:
        _SEPARATOR.join(values.tolist())  # every cell a string: nothing is missing (faster than isna)
    except TypeError:
        blank = pd.isna(values)
        if blank.any():
            values = values.copy()
            values[blank] = ""
    return values.tolist()


def _all_text(values: list) -> list[str]:
    """``values`` with every cell as a string (one join tells when they all are)."""
    try:
        _SEPARATOR.join(values)
        return values
    except TypeError:
        return [v if isinstance(v, str) else str(v) for v in values]


def _safe_column(column: pd.Series) -> pd.Series:
    """A text-like column as spreadsheet-safe strings ("" for missing); others unchanged."""
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        labels = spreadsheet_safe_text([str(c) for c in dtype.categories])
        if len(set(labels)) == len(labels):
            return pd.Series(pd.Categorical.from_codes(column.array.codes, categories=labels), index=column.index)
        column = column.astype(object)
    values = _text_values(column)
    if values is None:
        return column
    return pd.Series(spreadsheet_safe_text(_all_text(values)), index=column.index, dtype=object)


def _quoted_always(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"' if cell else cell


def _quoted(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"' if any(c in cell for c in _NEEDS_QUOTES) else cell


def _text_cells(values: list, quote_all: bool = False) -> list[str] | None:
    """Text cells (quoted where needed, or every non-empty one), or None when a cell is not a string."""
    try:
        joined = _SEPARATOR.join(values)
    except TypeError:
        return None
    if quote_all:
        return [_quoted_always(v) for v in values]
    if any(c in joined for c in _NEEDS_QUOTES):
        return [_quoted(v) for v in values]
    return values


def _column_cells(column: pd.Series, quote_all: bool = False) -> list[str] | None:
    """The column's cells as CSV fields, or None to let pandas write the table."""
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        labels = _column_cells(pd.Series(dtype.categories), quote_all)
        if labels is None:
            return None
        codes = column.array.codes
        table = np.asarray(labels + [""], dtype=object)  # code -1 (missing) -> ""
        return table[codes].tolist()
    kind = dtype.kind
    if kind == "f" and isinstance(dtype, np.dtype):
        values = column.to_numpy()
        cells = list(map(float.__repr__, values.tolist()))
        missing = np.flatnonzero(np.isnan(values))
        for i in missing.tolist():
            cells[i] = ""
        return cells
    if kind in "iu" and isinstance(dtype, np.dtype):
        return list(map(str, column.to_numpy().tolist()))
    if kind == "b" and isinstance(dtype, np.dtype):
        return ["True" if v else "False" for v in column.to_numpy().tolist()]
    if kind in "OU" or isinstance(dtype, pd.StringDtype):
        values = column.to_numpy(dtype=object)
        blank = pd.isna(values)
        if blank.any():
            values = values.copy()
            values[blank] = ""
        return _text_cells(values.tolist(), quote_all)
    return None


# --- numbers without a string per cell: each numeric column becomes an (rows x width)
# uint8 matrix of its fields' ASCII bytes, NUL-padded; adjacent numeric columns are put
# side by side with commas and turned into one string per row by dropping the NULs.
_COMMA = ord(",")
_QUOTE = ord('"')
_NEWLINE = ord("\n")
_DECIMALS = (6, 4, 2, 0)  # a float column is written this way when every value has so few


def _digit_matrix(values: np.ndarray) -> np.ndarray:
    """ASCII digits of non-negative integers, right-aligned, NUL where a digit is not."""
    top = int(values.max()) if len(values) else 0
    width = len(str(top))
    # digit by digit on the narrowest unsigned type (division by a constant is far faster on
    # 32 bits), each digit position written as one contiguous row, transposed at the end
    rest = values.astype(np.uint32 if top < 2 ** 32 else np.uint64)
    small = rest.copy()
    out = np.empty((width, len(values)), dtype=np.uint8)
    for j in range(width - 1, -1, -1):
        quotient = rest // 10
        np.subtract(rest, quotient * 10, out=out[j], casting="unsafe")
        rest = quotient
    out += 48
    for j in range(width - 1):  # leading zeros of shorter numbers -> NUL
        out[j][small < 10 ** (width - 1 - j)] = 0
    return out.T


def _int_matrix(values: np.ndarray) -> np.ndarray | None:
    if len(values) and (values.max() > np.iinfo(np.int64).max or values.min() == np.iinfo(np.int64).min):
        return None
    values = values.astype(np.int64, copy=False)
    sign = np.where(values < 0, ord("-"), 0).astype(np.uint8)[:, None]
    return np.hstack([sign, _digit_matrix(np.abs(values))])


def _decimal_matrix(values: np.ndarray) -> np.ndarray | None:
    """``repr`` of floats that all have at most 6 decimals (money, rounded shares), NaN as an
    empty field; None for other columns.

    Such a value v is the double nearest to n / 10^k for an integer n < 2^50, so no decimal
    with fewer digits maps to it (those differ from n / 10^k by at least 10^-k, far more
    than v's spacing): its shortest round-trip text, ``repr``, is that decimal with trailing
    zeros dropped (keeping ".0"). Values ``repr`` writes with an exponent (below 1e-4) are
    left to ``repr``.
    """
    nan = np.isnan(values)
    magnitude = np.abs(np.where(nan, 0.0, values))
    if not np.all(np.isfinite(magnitude)):
        return None
    top = float(magnitude.max()) if len(values) else 0.0
    k = next((k for k in _DECIMALS if top * 10.0 ** k < 2.0 ** 50), None)
    if k is None or np.any((magnitude > 0) & (magnitude < 1e-4)):
        return None
    scale = 10.0 ** k
    scaled = np.rint(magnitude * scale)
    if not np.array_equal(scaled / scale, magnitude):
        return None
    units = scaled.astype(np.uint32 if top * scale < 2.0 ** 32 else np.int64)  # 32-bit division is faster
    whole = units // 10 ** k
    frac = units - whole * 10 ** k
    fraction = _digit_matrix(frac + 10 ** k)[:, -k:] if k else np.full((len(values), 1), 48, np.uint8)
    # drop trailing zeros of the fraction, keeping one digit
    for j in range(fraction.shape[1] - 1, 0, -1):
        zero = fraction[:, j] == 48
        if j < fraction.shape[1] - 1:
            zero &= fraction[:, j + 1] == 0
        fraction[zero, j] = 0
    sign = np.where(np.signbit(values) & ~nan, ord("-"), 0).astype(np.uint8)[:, None]
    dot = np.full((len(values), 1), ord("."), dtype=np.uint8)
    out = np.hstack([sign, _digit_matrix(whole), dot, fraction])
    out[nan] = 0
    return out


def _number_matrix(column: pd.Series) -> np.ndarray | None:
    """A numeric column's CSV fields as a byte matrix, or None (other columns, or numbers
    the matrix cannot spell)."""
    dtype = column.dtype
    if not isinstance(dtype, np.dtype):
        return None
    if dtype == np.float64:  # (float32 keeps the cell path: its repr is that of float64)
        return _decimal_matrix(column.to_numpy())
    if dtype.kind in "iu":
        return _int_matrix(column.to_numpy())
    return None


def _text_matrix(cells: list[str], quote: str | None = None) -> np.ndarray | None:
    """Text fields as a UTF-8 byte matrix, NUL-padded; None when a field holds a NUL or a
    line break (the matrix rows are split on neither) or when one long field would make the
    matrix far larger than the text.

    ``quote``: None, the cells are written as they are (already quoted); "all", every
    non-empty cell is quoted; "minimal", the cells holding a comma or a quote are. Quotes
    inside quoted cells are doubled; the quote marks are two extra matrix columns, the
    closing one after the padding (which is dropped when the rows are joined).
    """
    try:
        joined = _SEPARATOR.join(cells)
    except TypeError:
        return None
    if "\n" in joined or joined.count(_SEPARATOR) != len(cells) - 1:
        return None
    if quote == "minimal" and "," not in joined and '"' not in joined:
        quote = None
    if quote is not None:
        joined = joined.replace('"', '""')  # quoted cells double their quotes; others have none
    raw = np.frombuffer(joined.encode("utf-8"), dtype=np.uint8)
    ends = np.flatnonzero(raw == 0)
    lengths = np.diff(np.r_[-1, ends, len(raw)]) - 1
    width = int(lengths.max()) if len(lengths) else 0
    if len(cells) * width > 4 * len(raw) + (1 << 20):
        return None
    if quote is None:
        out = np.zeros((len(cells), width), dtype=np.uint8)
        out[np.arange(width) < lengths[:, None]] = raw[raw != 0]
        return out
    out = np.zeros((len(cells), width + 2), dtype=np.uint8)
    body = out[:, 1:width + 1]
    body[np.arange(width) < lengths[:, None]] = raw[raw != 0]
    if quote == "all":
        quoted = lengths > 0
    else:  # the cells that hold a comma or a quote
        special = np.flatnonzero((raw == _COMMA) | (raw == _QUOTE))
        quoted = np.zeros(len(cells), dtype=bool)
        quoted[np.searchsorted(ends, special)] = True
    out[quoted, 0] = _QUOTE
    out[quoted, width + 1] = _QUOTE
    return out


def _repeated_text_matrix(cells: list[str], quote: str) -> np.ndarray | None:
    """:func:`_text_matrix` of a column, spelled once per distinct cell when cells repeat
    (tiers, segments, actions, dates: a few hundred texts over a million rows)."""
    try:
        if len(cells) < 1000 or len(set(cells[:1000])) > 500:  # (ids, names, e-mails: mostly distinct)
            return _text_matrix(cells, quote)
        codes, distinct = pd.factorize(np.asarray(cells, dtype=object))
    except TypeError:  # unhashable cells: not text
        return None
    if 2 * len(distinct) > len(cells):
        return _text_matrix(cells, quote)
    matrix = _text_matrix(distinct.tolist(), quote)
    if matrix is None:
        return None
    # as _text_matrix: refused when one long field would make the matrix far larger than the text
    if len(cells) * matrix.shape[1] > 4 * int(np.count_nonzero(matrix, axis=1)[codes].sum()) + (1 << 20):
        return None
    return matrix[codes]


def _rows_bytes(matrices: list[np.ndarray]) -> bytes:
    """The rows of adjacent columns' byte matrices, fields joined by commas, each row ended
    by a newline."""
    rows = len(matrices[0])
    comma = np.full((rows, 1), _COMMA, dtype=np.uint8)
    parts = [m for matrix in matrices for m in (matrix, comma)]
    parts[-1] = np.full((rows, 1), _NEWLINE, dtype=np.uint8)
    flat = np.hstack(parts).ravel()
    return flat[flat != 0].tobytes()


def _chunk_text(columns: list[pd.Series], quote_all: bool = False) -> str | None:
    """CSV text of a block of rows; None when a column needs pandas.

    Every column whose fields can be spelled in a byte matrix (numbers, one-line text) is;
    when all can, the block is one matrix turned into text at once. Otherwise runs of
    adjacent matrix columns are joined into one string per row and the rows are joined
    with the other columns' cells.
    """
    fields: list[list[str]] = []
    run: list[np.ndarray] = []
    for column in columns:
        matrix = _number_matrix(column)
        if matrix is None:
            values = _text_values(column)
            if values is not None:
                if quote_all:  # excel-safe text (categories were made safe before)
                    values = spreadsheet_safe_text(_all_text(values))
                    column = pd.Series(values, dtype=object)
                matrix = _repeated_text_matrix(values, "all" if quote_all else "minimal")
        if matrix is None:
            cells = _column_cells(column, quote_all)
            if cells is None:
                return None
            matrix = _text_matrix(cells)
            if matrix is None:
                if run:
                    fields.append(_rows_bytes(run).decode("utf-8").split("\n")[:-1])
                    run = []
                fields.append(cells)
                continue
        run.append(matrix)
    if not fields:
        return _rows_bytes(run).decode("utf-8")
    if run:
        fields.append(_rows_bytes(run).decode("utf-8").split("\n")[:-1])
    return "\n".join(map(",".join, zip(*fields))) + "\n"


def csv_chunks(frame: pd.DataFrame, *, index: bool = False, rows_per_chunk: int = 50_000,
               excel_safe: bool = False, prepare=None) -> Iterator[str]:
    """The text of ``frame.to_csv(index=index, lineterminator="\n")`` in pieces: the header
    line, then the rows ``rows_per_chunk`` at a time (so a million customers are never
    all in memory as text at once). Row blocks with a cell this module does not know
    are written by pandas, which gives the same text.

    ``excel_safe``: text cells (and headers) are made spreadsheet-safe
    (:func:`spreadsheet_safe_text`) and every non-empty text cell is quoted, so no line
    break, ``;`` or tab inside a cell can start a new row or cell; numbers stay plain.

    ``prepare``: a function applied to each block of rows before it is written (rounding,
    dates as text …), keeping its columns; the whole prepared table never exists at once.
    """
    headers = ([frame.index.name if frame.index.name is not None else ""] if index else []) + \
        [str(c) for c in frame.columns]
    if excel_safe:
        yield ",".join(_quoted_always(h) if any(c in h for c in ',";\t\r\n') else h
                       for h in spreadsheet_safe_text(headers)) + "\n"
    elif len(headers) < 2 or isinstance(frame.columns, pd.MultiIndex):
        yield frame.to_csv(index=index, lineterminator="\n")  # a lone empty field is written as ""
        return
    else:
        header = io.StringIO()
        csv.writer(header, lineterminator="\n").writerow(headers)
        yield header.getvalue()
    for start in range(0, len(frame), rows_per_chunk):
        part = frame.iloc[start:start + rows_per_chunk]
        if prepare is not None:
            part = prepare(part)
        columns = ([part.index.to_series(index=range(len(part)))] if index else []) + \
            [part.iloc[:, i] for i in range(part.shape[1])]
        if excel_safe:  # text columns are made safe as they are written
            columns = [_safe_column(c) if isinstance(c.dtype, pd.CategoricalDtype) else c for c in columns]
        text = _chunk_text(columns, quote_all=excel_safe)
        if text is None:
            if excel_safe:
                safe = pd.DataFrame({i: _safe_column(c).to_numpy() for i, c in enumerate(columns)})
                text = safe.to_csv(index=False, header=False, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
            else:
                text = part.to_csv(index=index, header=False, lineterminator="\n")
        yield text


def to_csv_text(frame: pd.DataFrame, *, index: bool = False, excel_safe: bool = False) -> str:
    """``frame.to_csv(index=index, lineterminator="\n")``, computed faster for plain columns
    (``excel_safe``: see :func:`csv_chunks`)."""
    return "".join(csv_chunks(frame, index=index, excel_safe=excel_safe))
