"""The engine ships as a pure-Python wheel (xlwings Lite / Pyodide can only install those)."""
from __future__ import annotations

import email.parser
import importlib.util
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from installer_modules import REPO_ROOT

# Runtime dependencies allowed without an extra: Pyodide ships numpy/scipy/pandas and
# openpyxl is pure Python. Anything else must go behind an extra.
ALLOWED_RUNTIME_DEPENDENCIES = {"numpy", "scipy", "pandas", "openpyxl"}


def setuptools_can_build_wheels_in_place() -> bool:
    """bdist_wheel needs the `wheel` package unless setuptools is 70.1 or newer."""
    if importlib.util.find_spec("wheel") is not None:
        return True
    import setuptools

    major, minor = (int(part) for part in re.findall(r"\d+", setuptools.__version__)[:2])
    return (major, minor) >= (70, 1)


@pytest.fixture(scope="module")
def engine_wheel(tmp_path_factory) -> Path:
    out_dir = tmp_path_factory.mktemp("wheel")
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out_dir), str(REPO_ROOT)]
    if setuptools_can_build_wheels_in_place():
        command.insert(5, "--no-build-isolation")
    completed = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    wheels = list(out_dir.glob("*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def wheel_metadata(wheel: Path):
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return email.parser.Parser().parsestr(archive.read(name).decode("utf-8"))


def test_engine_wheel_is_pure_python_for_any_platform(engine_wheel):
    assert engine_wheel.name.endswith("-py3-none-any.whl"), engine_wheel.name


def test_engine_wheel_needs_only_numpy_scipy_pandas_and_light_packages(engine_wheel):
    requirements = wheel_metadata(engine_wheel).get_all("Requires-Dist") or []
    runtime = [req for req in requirements if "extra" not in req.partition(";")[2]]
    names = {re.match(r"[A-Za-z0-9._-]+", req).group(0).lower().replace("_", "-") for req in runtime}
    assert {"numpy", "scipy", "pandas"} <= names
    assert names <= ALLOWED_RUNTIME_DEPENDENCIES, f"unexpected runtime dependencies: {names - ALLOWED_RUNTIME_DEPENDENCIES}"


def test_engine_wheel_carries_the_engine_data_files_and_no_tests_or_installer(engine_wheel):
    with zipfile.ZipFile(engine_wheel) as archive:
        names = set(archive.namelist())
    data_files = {
        path.relative_to(REPO_ROOT).as_posix()
        for pattern in ("*.csv", "*.csv.gz", "*.json")
        for path in (REPO_ROOT / "clv_engine").rglob(pattern)
    }
    assert "clv_engine/segments/playbook.csv" in data_files
    assert data_files <= names, f"missing from the wheel: {sorted(data_files - names)}"
    assert not [n for n in names if n.startswith(("tests/", "installer/", "bench/"))]


def test_engine_wheel_version_is_the_engine_version(engine_wheel):
    import clv_engine

    assert wheel_metadata(engine_wheel)["Version"] == clv_engine.__version__
