"""The bundled sample shop (a Shopify orders export) for demos, tutorials and tests."""
from __future__ import annotations

from pathlib import Path

__all__ = ["sample_path"]

SAMPLE_FILE = "shopify_orders_sample.csv"


def sample_path() -> Path:
    """Path of the bundled sample Shopify orders CSV (works in a frozen build too)."""
    return Path(__file__).resolve().with_name(SAMPLE_FILE)
