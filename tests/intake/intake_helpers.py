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


def without_calamine(monkeypatch) -> None:
    """Make ``import python_calamine`` fail for the rest of the test, so workbooks are read
    by the pandas/openpyxl route."""
    import builtins

    real_import = builtins.__import__

    def no_calamine(name, *args, **kwargs):
        if name.startswith("python_calamine"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_calamine)
