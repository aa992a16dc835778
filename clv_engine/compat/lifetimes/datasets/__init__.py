"""lifetimes' example data sets, as ``lifetimes.datasets`` loads them.

The files are lifetimes 0.11.3's own (byte for byte; lifetimes is MIT-licensed): the CDNOW
sample of Fader & Hardie (``CDNOW_sample.txt``, 2,357 customers' orders in 1997-1998; the
full log is not shipped), its customer summaries with and without spend, lifetimes'
generated ``example_transactions.csv`` and the ``donations.csv`` table of BG/BB's example.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = [
    "load_cdnow_summary",
    "load_transaction_data",
    "load_cdnow_summary_data_with_monetary_value",
    "load_donations",
]

_HERE = Path(__file__).resolve().parent


def load_dataset(filename: str, **kwargs) -> pd.DataFrame:
    """``pandas.read_csv`` of one of the files here (e.g. ``"CDNOW_sample.txt"``); ``kwargs``
    go to ``read_csv``."""
    path = _HERE / filename
    if path.suffix not in (".csv", ".txt") or not path.is_file():
        known = ", ".join(sorted(p.name for p in _HERE.iterdir() if p.suffix in (".csv", ".txt")))
        raise FileNotFoundError(f"no data set named {filename!r}; the data sets are: {known}")
    return pd.read_csv(path, **kwargs)


def load_donations(**kwargs) -> pd.DataFrame:
    """The donations table of BG/BB's example (frequency, recency, periods, weights)."""
    return load_dataset("donations.csv", **kwargs)


def load_cdnow_summary(**kwargs) -> pd.DataFrame:
    """The CDNOW customers' summary (frequency, recency, T in weeks)."""
    return load_dataset("cdnow_customers_summary.csv", **kwargs)


def load_transaction_data(**kwargs) -> pd.DataFrame:
    """lifetimes' generated transactions (date, id), 2014-01-01 to 2014-12-31."""
    return load_dataset("example_transactions.csv", **kwargs)


def load_cdnow_summary_data_with_monetary_value(**kwargs) -> pd.DataFrame:
    """The CDNOW customers' summary with the average spend of repeat orders, indexed by customer."""
    frame = load_dataset("cdnow_customers_summary_with_transactions.csv", **kwargs)
    frame.columns = ["customer_id", "frequency", "recency", "T", "monetary_value"]
    return frame.set_index("customer_id")
