"""Helpers shared by the intake tests (imported by name, as tests/excel/excel_helpers.py is)."""
from __future__ import annotations

import pytest


def workbook(path, sheets: dict):
    """An .xlsx at ``path`` with one sheet per ``{title: rows}``, in that order; returns ``path``."""
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path
