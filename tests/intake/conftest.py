from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data" / "intake"


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def write(tmp_path):
    """write(name, text, encoding="utf-8") -> path of a new file in the test's temp folder."""
    def make(name: str, text: str, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path
    return make
