"""Hostile and odd .xlsx workbooks, each built here with zipfile: bounded work, clear errors.

Per-customer truth is computed from the rows the test writes, never by the code under test.
"""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from clv_engine import cli
from clv_engine.errors import InputError
from clv_engine.intake import read_orders
from clv_engine.intake import workbooks
from clv_engine.intake.files import read_raw_table
from clv_engine.intake.workbooks import WorkbookGuard

ROOT = Path(__file__).resolve().parents[2]

_CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
       '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       '<Default Extension="xml" ContentType="application/xml"/>'
       '<Override PartName="/xl/workbook.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
       '<Override PartName="/xl/worksheets/sheet1.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>{extra}</Types>')
_CT_SHARED = ('<Override PartName="/xl/sharedStrings.xml" '
              'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
_CT_STYLES = ('<Override PartName="/xl/styles.xml" '
              'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>')
_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
         'officeDocument" Target="xl/workbook.xml"/></Relationships>')
_BOOK = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
         'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
         '<sheets><sheet name="Orders" sheetId="1" r:id="rId1"/></sheets></workbook>')
_BOOK_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
              '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
              '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
              'worksheet" Target="worksheets/sheet1.xml"/>{extra}</Relationships>')
_STYLES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>'
           '<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/></cellXfs></styleSheet>')


def _cell(ref: str | None, value) -> str:
    r = f' r="{ref}"' if ref else ""
    if isinstance(value, str):
        return f'<c{r} t="inlineStr"><is><t>{value}</t></is></c>'
    if isinstance(value, tuple):  # (kind, text, style)
        kind, text, style = value
        t = f' t="{kind}"' if kind else ""
        s = f' s="{style}"' if style else ""
        return f"<c{r}{t}{s}><v>{text}</v></c>"
    return f"<c{r}><v>{value}</v></c>"


def sheet_xml(cells: dict[str, object], dimension: str | None = None) -> str:
    """A worksheet holding ``cells`` ({"B7": value}), rows in order."""
    by_row: dict[int, list[tuple[int, str, object]]] = {}
    for ref, value in cells.items():
        letters = ref.rstrip("0123456789")
        col = 0
        for ch in letters:
            col = col * 26 + ord(ch) - 64
        by_row.setdefault(int(ref[len(letters):]), []).append((col, ref, value))
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">']
    if dimension:
        out.append(f'<dimension ref="{dimension}"/>')
    out.append("<sheetData>")
    for row in sorted(by_row):
        out.append(f'<row r="{row}">' + "".join(_cell(ref, v) for _, ref, v in sorted(by_row[row])) + "</row>")
    out.append("</sheetData></worksheet>")
    return "".join(out)


def write_xlsx(path: Path, sheet: str, shared: list[str] | None = None, styles: bool = False) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT.format(extra=(_CT_SHARED if shared is not None else "")
                                                     + (_CT_STYLES if styles else "")))
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _BOOK)
        extra = ""
        if shared is not None:
            extra += ('<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                      'relationships/sharedStrings" Target="sharedStrings.xml"/>')
            z.writestr("xl/sharedStrings.xml",
                       '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                       '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                       + "".join(f"<si><t>{s}</t></si>" for s in shared) + "</sst>")
        if styles:
            extra += ('<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                      'relationships/styles" Target="styles.xml"/>')
            z.writestr("xl/styles.xml", _STYLES)
        z.writestr("xl/_rels/workbook.xml.rels", _BOOK_RELS.format(extra=extra))
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def order_cells(n: int = 3) -> tuple[dict[str, object], dict[str, float]]:
    """A small order table (A:C) and each customer's total."""
    cells: dict[str, object] = {"A1": "Customer", "B1": "Date", "C1": "Amount"}
    truth: dict[str, float] = {}
    for i in range(n):
        r = i + 2
        who = f"cust{i % 7}"
        amount = 10 + (i * 37) % 90
        day = (dt.date(2020, 1, 1) + dt.timedelta(days=i)).isoformat()  # every row a different order
        cells.update({f"A{r}": who, f"B{r}": day, f"C{r}": amount})
        truth[who] = truth.get(who, 0) + amount
    return cells, truth


def totals(path: Path) -> dict[str, float]:
    data = read_orders(path)
    return data.orders.groupby("customer_id", observed=True)["amount"].sum().to_dict()


def run_cli(*args: str) -> subprocess.CompletedProcess:
    """The command as a user runs it, in its own process (a native abort shows as its exit status)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "clv_engine.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=300)


# --- stray cells ------------------------------------------------------------------------

def test_one_cell_in_the_last_cell_of_excel_is_left_out_and_the_orders_are_read(tmp_path):
    cells, truth = order_cells(12)
    cells["XFD1048576"] = "x"
    path = write_xlsx(tmp_path / "corner.xlsx", sheet_xml(cells))
    assert path.stat().st_size < 3000
    data = read_orders(path)
    got = data.orders.groupby("customer_id", observed=True)["amount"].sum().to_dict()
    assert got == truth
    notes = " ".join(data.report.notes)
    assert "XFD1048576" in notes and "left out 1 cell" in notes
    assert data.report.rows_read == 12  # the million blank rows in between are not rows of the table

    proc = run_cli("analyze", str(path), "--out", str(tmp_path / "out"), "-q")
    assert proc.returncode == 0, proc.stderr
    assert "panicked" not in proc.stderr and "Traceback" not in proc.stderr


def test_one_stray_cell_in_xfd1_reads_only_the_cells_in_use(tmp_path):
    cells, truth = order_cells(1500)
    cells["XFD1"] = "stray"
    path = write_xlsx(tmp_path / "wide.xlsx", sheet_xml(cells))
    shape = WorkbookGuard(path).shape("Orders")
    assert (shape.rows, shape.columns, shape.cells) == (1501, 16384, 4504)
    table = read_raw_table(path)
    assert table.grid.shape == (1501, 4)  # not 16,384 columns
    assert list(table.grid.loc[1]) == ["Customer", "Date", "Amount", "stray"]
    assert totals(path) == truth


def test_stray_cell_far_below_a_dense_table_on_a_wide_sheet(tmp_path):
    cells, truth = order_cells(40)
    cells["C900000"] = 5  # a number far below: not an order of anyone
    path = write_xlsx(tmp_path / "below.xlsx", sheet_xml(cells))
    data = read_orders(path)
    assert data.report.rows_read == 40
    assert totals(path) == truth


def test_a_dimension_that_lies_does_not_matter(tmp_path):
    cells, truth = order_cells(20)
    path = write_xlsx(tmp_path / "dim.xlsx", sheet_xml(cells, dimension="A1:XFD1048576"))
    how, shape = WorkbookGuard(path).plan("Orders")
    assert how == "native" and shape.area == 21 * 3
    assert totals(path) == truth


def test_the_cell_by_cell_reader_agrees_with_the_native_reader(tmp_path):
    """Shared strings, inline strings, dates by built-in and custom formats, booleans and errors."""
    shared = ["Customer", "Date", "Amount", "Ann Lee", "Bob &amp; Co", "Paid"]
    cells = {"A1": ("s", 0, 0), "B1": ("s", 1, 0), "C1": ("s", 2, 0), "D1": ("s", 5, 0), "E1": "Note",
             "A2": ("s", 3, 0), "B2": ("", 45300, 1), "C2": ("", 12.5, 0), "D2": ("b", 1, 0), "E2": ("e", "#REF!", 0),
             "A3": ("s", 4, 0), "B3": ("", 45301.5, 2), "C3": ("", 7, 0), "D3": ("b", 0, 0), "E3": "x &amp; y",
             "A4": "Zoë", "B4": ("", 45302, 1), "C4": ("", -3.25, 0), "D4": ("str", "text", 0)}
    dense = write_xlsx(tmp_path / "dense.xlsx", sheet_xml(cells), shared=shared, styles=True)
    guard = WorkbookGuard(dense)
    how, shape = guard.plan("Orders")
    assert how == "native"
    native = read_raw_table(dense).grid
    sparse = read_raw_table(write_xlsx(tmp_path / "sparse.xlsx", sheet_xml({**cells, "XFD1": "far"}),
                                       shared=shared, styles=True)).grid
    assert sparse.shape == (4, 6)
    # calamine gives an error cell as blank; read here it keeps its text (as openpyxl does), and
    # intake reads "#REF!" as no value either way
    assert native.loc[2, 4] == "" and sparse.loc[2, 4] == "#REF!"
    sparse.loc[2, 4] = ""
    assert sparse.iloc[:, :5].values.tolist() == native.values.tolist()
    assert native.loc[2].tolist() == ["Ann Lee", "2024-01-09", "12.5", "TRUE", ""]
    assert native.loc[3].tolist() == ["Bob & Co", "2024-01-10 12:00:00", "7", "FALSE", "x & y"]
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(dense, read_only=True)
    assert [c.value for c in next(book["Orders"].iter_rows(min_row=4, max_row=4))][:4] == \
        ["Zoë", dt.datetime(2024, 1, 11), -3.25, "text"]


def test_cells_without_references_are_placed_in_order(tmp_path):
    """References are optional in the format: such a sheet is read cell by cell, in order."""
    rows = [["Customer", "Date", "Amount"], ["ann", "2024-01-02", 10], ["bob", "2024-02-03", 20],
            ["ann", "2024-03-04", 5]]
    xml = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
           'spreadsheetml/2006/main"><sheetData>'
           + "".join("<row>" + "".join(_cell(None, v) for v in r) + "</row>" for r in rows)
           + "</sheetData></worksheet>")
    path = write_xlsx(tmp_path / "norefs.xlsx", xml)
    assert WorkbookGuard(path).plan("Orders")[0] == "sparse"
    assert totals(path) == {"ann": 15.0, "bob": 20.0}


# --- bombs --------------------------------------------------------------------------------

def _declare_size(path: Path, member: str, size: int) -> None:
    """Rewrite the uncompressed size a zip declares for ``member`` (local and central headers)."""
    raw = bytearray(path.read_bytes())
    name = member.encode()
    for sig, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (i := raw.find(sig, start)) >= 0:
            name_len = int.from_bytes(raw[i + (26 if sig == b"PK\x03\x04" else 28):][:2], "little")
            head = 30 if sig == b"PK\x03\x04" else 46
            if raw[i + head:i + head + name_len] == name:
                raw[i + offset:i + offset + 4] = size.to_bytes(4, "little")
            start = i + 4
    path.write_bytes(bytes(raw))


def test_a_part_that_claims_gigabytes_is_not_opened(tmp_path, capsys):
    cells, _ = order_cells(5)
    path = write_xlsx(tmp_path / "claims.xlsx", sheet_xml(cells))
    _declare_size(path, "xl/worksheets/sheet1.xml", 0xF0000000)
    with pytest.raises(InputError, match=r"claims to unpack to more than 2\.0 GB"):
        read_raw_table(path)
    code = cli.main(["analyze", str(path), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "claims to unpack" in err


def test_a_part_bigger_than_it_claims_stops_as_damaged(tmp_path):
    cells, _ = order_cells(200)
    path = write_xlsx(tmp_path / "lies.xlsx", sheet_xml(cells))
    _declare_size(path, "xl/worksheets/sheet1.xml", 100)
    with pytest.raises(InputError, match="damaged"):
        read_raw_table(path)


def test_zip_bomb_of_cells_stops_with_the_count_it_claims(tmp_path, monkeypatch, capsys):
    """A sheet of a million identical cells packs into ~100 KB; with the cap lowered to
    100,000 cells the count stops there (the real cap, 25 million, works the same way)."""
    monkeypatch.setattr(workbooks, "MAX_CELLS", 100_000)
    body = "".join(f'<row r="{r}">' + "".join(f'<c r="{c}{r}"><v>1</v></c>' for c in "ABCDEFGHIJ") + "</row>"
                   for r in range(1, 100_001))
    xml = ('<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           f'<dimension ref="A1:J100000"/><sheetData>{body}</sheetData></worksheet>')
    path = write_xlsx(tmp_path / "bomb.xlsx", xml)
    assert path.stat().st_size < 4_000_000
    code = cli.main(["analyze", str(path), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert "this workbook claims more than 100,000 cells in sheet 'Orders'" in err
    assert "A1:J100000" in err and err.count("\n") == 1


def test_unpacked_size_cap_is_checked_while_reading(tmp_path, monkeypatch):
    """Declared sizes can lie; the streamed size is capped too (lowered here to 64 KB)."""
    monkeypatch.setattr(workbooks, "MAX_PART_BYTES", 64 << 10)
    cells, _ = order_cells(3)
    shared = ["x" * 1000] * 200  # 200 KB of shared strings
    path = write_xlsx(tmp_path / "strings.xlsx", sheet_xml(cells), shared=shared)
    with pytest.raises(InputError, match="sharedStrings.xml"):
        read_raw_table(path)


def test_sparse_sheet_with_too_many_cells_is_refused_clearly(tmp_path, monkeypatch):
    monkeypatch.setattr(workbooks, "MAX_SPARSE_CELLS", 50)
    cells, _ = order_cells(30)
    cells["XFD1048576"] = 1
    path = write_xlsx(tmp_path / "sparse.xlsx", sheet_xml(cells))
    with pytest.raises(InputError, match=r"this workbook claims 17,179,869,184 cells in sheet 'Orders' "
                                         r"\(its cells span A1:XFD1048576\) but holds only 94"):
        read_raw_table(path)


def test_damaged_zip_is_a_clear_error(tmp_path):
    cells, _ = order_cells(30)
    path = write_xlsx(tmp_path / "cut.xlsx", sheet_xml(cells))
    path.write_bytes(path.read_bytes()[:-200])
    proc = run_cli("analyze", str(path), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "panicked" not in proc.stderr
    assert proc.stderr.startswith("clv: error: cut.xlsx")


def test_workbook_made_by_openpyxl_is_read_natively(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Orders"
    ws.append(["Customer", "Date", "Amount"])
    for i in range(50):
        ws.append([f"c{i % 4}", dt.date(2024, 1 + i % 12, 1 + i % 28), 1.5 * i])
    path = tmp_path / "openpyxl.xlsx"
    book.save(path)
    assert WorkbookGuard(path).plan("Orders")[0] == "native"
    expected: dict[str, float] = {}
    for i in range(50):
        expected[f"c{i % 4}"] = expected.get(f"c{i % 4}", 0) + 1.5 * i
    assert totals(path) == pytest.approx(expected)


# --- very wide text files -------------------------------------------------------------------

def test_csv_with_thousands_of_empty_columns_keeps_the_ones_in_use(write):
    header = ["Customer", "Date", "Amount"] + [f"x{i}" for i in range(3000)]
    rows = [",".join(header)] + [",".join([f"c{i % 3}", f"2024-01-{1 + i:02d}", str(i + 1)] + [""] * 3000)
                                 for i in range(9)]
    data = read_orders(write("wide.csv", "\n".join(rows) + "\n"))
    assert data.report.columns == ["Customer", "Date", "Amount"]
    assert any("Left out 3,000 of the table's 3,003 columns" in n for n in data.report.notes)
    got = data.orders.groupby("customer_id", observed=True)["amount"].sum().to_dict()
    assert got == {"c0": 1 + 4 + 7, "c1": 2 + 5 + 8, "c2": 3 + 6 + 9}


# --- OpenDocument ---------------------------------------------------------------------------

_ODS_HEAD = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
             'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
             'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
             'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
             '<office:body><office:spreadsheet><table:table table:name="Orders">')
_ODS_TAIL = "</table:table></office:spreadsheet></office:body></office:document-content>"


def _ods_cell(value) -> str:
    if isinstance(value, str):
        return f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'
    return f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>'


def write_ods(path: Path, rows: list[list], tail: str = "") -> Path:
    body = "".join("<table:table-row>" + "".join(_ods_cell(v) for v in r) + "</table:table-row>" for r in rows)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", _ODS_HEAD + body + tail + _ODS_TAIL)
        z.writestr("META-INF/manifest.xml",
                   '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
                   'opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type='
                   '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path='
                   '"content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
    return path


ROWS = [["Customer", "Date", "Amount"], ["ann", "2024-01-01", 5], ["bob", "2024-01-02", 7], ["ann", "2024-01-03", 1]]


def test_ods_with_libreoffice_padding_is_read(tmp_path):
    """LibreOffice pads each sheet with a million empty repeated cells: they claim nothing."""
    padding = ('<table:table-row table:number-rows-repeated="1048572"><table:table-cell '
               'table:number-columns-repeated="1024"/></table:table-row>')
    path = write_ods(tmp_path / "padded.ods", ROWS, padding)
    assert totals(path) == {"ann": 6, "bob": 7}


def test_ods_bomb_of_repeated_cells_is_refused_in_one_line(tmp_path, capsys):
    """800 bytes claiming 63 million cells aborted the native reader (exit 134)."""
    bomb = ('<table:table-row table:number-rows-repeated="1048570"><table:table-cell '
            'table:number-columns-repeated="60" office:value-type="float" office:value="1"><text:p>1</text:p>'
            '</table:table-cell></table:table-row>')
    path = write_ods(tmp_path / "bomb.ods", ROWS, bomb)
    assert path.stat().st_size < 2000
    code = cli.main(["analyze", str(path), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "this workbook claims more than 25,000,000 cells in sheet 'Orders'" in err


def test_ods_with_a_stray_cell_far_away_is_refused_clearly(tmp_path):
    stray = ('<table:table-row table:number-rows-repeated="500000"><table:table-cell/></table:table-row>'
             '<table:table-row><table:table-cell table:number-columns-repeated="900"/>'
             + _ods_cell("x") + "</table:table-row>")
    path = write_ods(tmp_path / "stray.ods", ROWS, stray)
    with pytest.raises(InputError, match=r"claims 450,504,505 cells in sheet 'Orders' \(500,005 rows × 901 columns\)"):
        read_raw_table(path)


def test_xls_with_one_cell_in_iv65536_reads_only_the_table(tmp_path):
    """An old-format workbook's reader returns every cell of the rectangle (16.7 million here)."""
    xlwt = pytest.importorskip("xlwt")
    pytest.importorskip("python_calamine")
    book = xlwt.Workbook()
    ws = book.add_sheet("Orders")
    for r, row in enumerate(ROWS):
        for c, value in enumerate(row):
            ws.write(r, c, value)
    ws.write(65535, 255, "x")
    path = tmp_path / "corner.xls"
    book.save(str(path))
    data = read_orders(path)
    assert totals(path) == {"ann": 6, "bob": 7}
    assert data.report.columns == ["Customer", "Date", "Amount"]
    assert any("left out 1 cell far below the table" in n for n in data.report.notes)


def test_a_workbook_the_native_reader_aborts_on_is_caught_in_a_child_process(tmp_path):
    """.xlsb files cannot be checked here, so the native reader tries them in a child process
    first; shown with the workbook that made it abort (exit 134) when read in this process."""
    pytest.importorskip("python_calamine")
    cells, _ = order_cells(3)
    cells["XFD1048576"] = "x"
    path = write_xlsx(tmp_path / "corner.xlsx", sheet_xml(cells))
    with pytest.raises(InputError, match="the spreadsheet reader stopped"):
        workbooks.probe_in_child(path)
    workbooks.probe_in_child(write_xlsx(tmp_path / "fine.xlsx", sheet_xml(order_cells(3)[0])))  # no error


def test_a_damaged_xlsb_is_one_clear_line(tmp_path):
    path = tmp_path / "orders.xlsb"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    proc = run_cli("analyze", str(path), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
