"""Fixtures for the model tests: the published datasets copied into tests/data/models."""
from pathlib import Path

import pandas as pd
import pytest

MODEL_DATA = Path(__file__).parent.parent / "data" / "models"


@pytest.fixture(scope="session")
def cdnow() -> pd.DataFrame:
    return pd.read_csv(MODEL_DATA / "cdnow_customers_summary.csv")


@pytest.fixture(scope="session")
def cdnow_spend() -> pd.DataFrame:
    return pd.read_csv(MODEL_DATA / "cdnow_customers_summary_with_transactions.csv")


@pytest.fixture(scope="session")
def donations() -> pd.DataFrame:
    return pd.read_csv(MODEL_DATA / "donations.csv")
