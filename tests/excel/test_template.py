"""The template workbook, opened as Excel would see it (openpyxl and the raw package)."""
from __future__ import annotations

import re
import zipfile

import openpyxl
import pytest
from openpyxl.utils import range_boundaries
from excel_helpers import assert_excel_safe, is_error_cell

from clv_excel import functions, template, udfs
from clv_excel.template import CONF_SHEET, write_template

MACRO_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
FORMULA_CALL = re.compile(r"^=([A-Z_]+)\((.*)\)$")


@pytest.fixture(scope="module")
def classic_path(tmp_path_factory):
    return write_template(tmp_path_factory.mktemp("classic") / "clv.xlsm", interpreter="")


@pytest.fixture(scope="module")
def lite_path(tmp_path_factory):
    return write_template(tmp_path_factory.mktemp("lite") / "clv.xlsx")


def formulas_of(book):
    found = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                text = getattr(cell.value, "text", cell.value)
                if isinstance(text, str) and text.startswith("="):
                    found.append((sheet.title, cell.coordinate, text))
    return found


def evaluate(book, formula):
    """Evaluate one template formula the way Excel would call the function: the Table
    reference becomes the table's cells, a defined name its cell's value."""
    name, arguments = FORMULA_CALL.match(formula).groups()
    table_sheet = book["Orders"]
    table = table_sheet.tables["Orders"]
    values = []
    for text in [a for a in arguments.split(",") if a] if arguments else []:
        if text == "Orders[#All]":
            low_col, low_row, high_col, high_row = range_boundaries(table.ref)
            values.append([list(r) for r in table_sheet.iter_rows(
                min_row=low_row, max_row=high_row, min_col=low_col, max_col=high_col, values_only=True)])
        elif text in book.defined_names:
            sheet_name, ref = list(book.defined_names[text].destinations)[0]
            values.append(book[sheet_name][ref.replace("$", "")].value)
        else:
            values.append(float(text))
    return getattr(udfs, name.lower())(*values)


def test_classic_template_is_an_xlsm_with_xlwings_vba_project(classic_path):
    import xlwings

    with zipfile.ZipFile(classic_path) as package:
        names = package.namelist()
        types = package.read("[Content_Types].xml").decode()
        project = package.read("xl/vbaProject.bin")
        rels = package.read("xl/_rels/workbook.xml.rels").decode()
    assert "xl/vbaProject.bin" in names
    assert MACRO_MAIN in types and "application/vnd.ms-office.vbaProject" in types
    assert "vbaProject.bin" in rels
    assert project[:8] == bytes.fromhex("D0CF11E0A1B11AE1")  # an OLE compound file
    with zipfile.ZipFile(xlwings.__path__[0] + "/quickstart.xlsm") as quickstart:
        assert project == quickstart.read("xl/vbaProject.bin")  # xlwings' project: add-in reference
    assert b"xlwings" in project  # the reference to the add-in's VBA project by name
    book = openpyxl.load_workbook(classic_path, keep_vba=True)
    assert book.vba_archive is not None


def test_lite_template_is_a_plain_xlsx_without_vba_or_conf_sheet(lite_path):
    with zipfile.ZipFile(lite_path) as package:
        assert "xl/vbaProject.bin" not in package.namelist()
        assert MACRO_MAIN not in package.read("[Content_Types].xml").decode()
    book = openpyxl.load_workbook(lite_path)
    assert CONF_SHEET not in book.sheetnames


def test_conf_sheet_sets_only_the_udf_module_unless_an_interpreter_is_given(classic_path, tmp_path):
    conf = openpyxl.load_workbook(classic_path)[CONF_SHEET]
    assert [list(r) for r in conf.iter_rows(values_only=True)] == [["UDF Modules", "clv_excel.udfs"]]
    given = write_template(tmp_path / "own.xlsm", interpreter=r"C:\Python\pythonw.exe")
    rows = {r[0]: r[1] for r in openpyxl.load_workbook(given)[CONF_SHEET].iter_rows(values_only=True)}
    assert rows == {"Interpreter_Win": r"C:\Python\pythonw.exe", "UDF Modules": "clv_excel.udfs"}
    assert all(value not in (None, "") for value in rows.values())  # an empty row would override the add-in


@pytest.mark.parametrize("flavour", ["classic_path", "lite_path"])
def test_orders_are_an_excel_table_large_enough_for_the_predictive_model(flavour, request):
    book = openpyxl.load_workbook(request.getfixturevalue(flavour))
    sheet = book["Orders"]
    table = sheet.tables["Orders"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert table.ref == f"A1:E{len(rows)}"
    assert rows[0] == ["Customer", "Email", "Order", "Date", "Total"]
    assert len({r[0] for r in rows[1:]}) >= 100
    assert sheet["D2"].number_format == "yyyy-mm-dd" and sheet["E2"].number_format == "#,##0.00"
    model = dict((r[0], r[1]) for r in functions.clv_model(rows))
    assert model["Method"] == "predictive", model


@pytest.mark.parametrize("flavour", ["classic_path", "lite_path"])
def test_every_order_formula_refers_to_the_table_and_spills(flavour, request):
    path = request.getfixturevalue(flavour)
    book = openpyxl.load_workbook(path)
    found = formulas_of(book)
    names = {FORMULA_CALL.match(f).group(1) for _, _, f in found}
    assert {"CLV_PREDICT", "CLV_SEGMENTS", "CLV_MODEL", "CLV_INTAKE", "CLV_SUMMARY", "CLV_SIMPLE",
            "CLV_RETENTION", "CLV_LAST_ERROR"} <= names
    for _, _, formula in found:
        assert hasattr(udfs, FORMULA_CALL.match(formula).group(1).lower())
        assert "$" not in formula and "!" not in formula  # no fixed-size ranges
        if "orders" in udfs.__dict__[FORMULA_CALL.match(formula).group(1).lower()].__code__.co_varnames[:1]:
            assert "Orders[#All]" in formula
    with zipfile.ZipFile(path) as package:
        assert "xl/metadata.xml" in package.namelist()
        metadata = package.read("xl/metadata.xml").decode()
        assert 'fDynamic="1"' in metadata and "XLDAPR" in metadata
        sheets = {t: package.read(p).decode() for t, p in template._sheet_files(
            {n: package.read(n) for n in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")}).items()}
        assert "sheetMetadata" in package.read("[Content_Types].xml").decode()
    for title, cell, _ in found:
        assert re.search(rf'<c r="{cell}"[^>]*\bcm="1"', sheets[title]), f"{title}!{cell} is not a dynamic array"


def test_named_settings_feed_the_formulas(classic_path):
    book = openpyxl.load_workbook(classic_path)
    for label, name, value, _, _, _ in template.SETTINGS:
        sheet_name, ref = list(book.defined_names[name].destinations)[0]
        assert sheet_name == "CLV settings"
        row = int(ref.split("$")[-1])
        assert book[sheet_name].cell(row=row, column=1).value == label
        assert book[sheet_name].cell(row=row, column=2).value == value
    formulas = {f for _, _, f in formulas_of(book)}
    predict = next(f for f in formulas if f.startswith("=CLV_PREDICT"))
    assert predict == "=CLV_PREDICT(Orders[#All],HorizonMonths,DiscountRate,Margin,ModelChoice,AsOfDate)"
    base = evaluate(book, predict)
    assert_excel_safe(base)
    sheet_name, ref = list(book.defined_names["HorizonMonths"].destinations)[0]
    book[sheet_name][ref.replace("$", "")] = 36
    longer = evaluate(book, predict)
    assert [r[0] for r in longer] == [r[0] for r in base]
    assert sum(r[2] for r in longer[1:]) > sum(r[2] for r in base[1:]) * 1.5  # 36 months worth more than 12


def test_every_formula_of_the_template_calculates(lite_path):
    book = openpyxl.load_workbook(lite_path)
    for title, cell, formula in formulas_of(book):
        result = evaluate(book, formula)
        if formula.startswith("=CLV_LAST_ERROR"):
            continue
        assert not is_error_cell(result), (title, cell, formula, functions.clv_last_error())
        assert_excel_safe(result)


def test_settings_have_drop_downs_and_formats(classic_path):
    book = openpyxl.load_workbook(classic_path)
    sheet = book["CLV settings"]
    lists = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation if v.type == "list"}
    model_cell = list(book.defined_names["ModelChoice"].destinations)[0][1].replace("$", "")
    assert lists[model_cell] == '"auto,bgnbd,mbgnbd,paretonbd,simple,historical"'
    rate_cell = list(book.defined_names["DiscountRate"].destinations)[0][1].replace("$", "")
    assert sheet[rate_cell].number_format == "0%"
    # every email tool the engine writes lists for (ActiveCampaign was missing)
    tool_cell = list(book.defined_names["EmailTool"].destinations)[0][1].replace("$", "")
    assert lists[tool_cell] == '"mailchimp,klaviyo,hubspot,brevo,activecampaign,generic"'


def test_result_columns_are_formatted(classic_path):
    book = openpyxl.load_workbook(classic_path)
    customers = book["Customers"]
    assert customers.column_dimensions["B"].number_format == "#,##0.00"  # CLV low
    assert customers.column_dimensions["E"].number_format == "0%"  # P(alive)
    summary = book["Summary"]
    assert summary.column_dimensions["E"].number_format == "yyyy-mm-dd"  # first order
    assert summary.column_dimensions["C"].number_format == "#,##0.00"  # revenue to date
    dashboard = book["CLV"]
    assert dashboard["D5"].number_format == "#,##0.00"  # Total CLV of the first tier
    assert dashboard["C5"].number_format == "0%"  # share of customers


def test_template_refuses_other_suffixes_and_overwriting(tmp_path):
    from clv_excel import cli

    assert cli.main(["template", str(tmp_path / "clv.xls")]) == 2
    target = tmp_path / "clv.xlsm"
    assert cli.main(["template", str(target)]) == 0
    assert cli.main(["template", str(target)]) == 2
    assert cli.main(["template", str(target), "--force"]) == 0
