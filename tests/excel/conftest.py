"""Fixtures for the Excel front door tests (helpers live in excel_helpers.py)."""
from __future__ import annotations

import pytest
from excel_helpers import cdnow_orders

from clv_excel import functions


@pytest.fixture(autouse=True)
def empty_cache():
    functions.RESULTS.clear()
    yield
    functions.RESULTS.clear()


@pytest.fixture(scope="session")
def orders():
    return cdnow_orders()
