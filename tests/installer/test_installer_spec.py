"""The one PyInstaller spec: what it leaves out, where its version and entry come from."""
from __future__ import annotations

import ast

import pytest

from installer_modules import INSTALLER_DIR

SPEC = INSTALLER_DIR / "clv_desktop.spec"


def spec_tree() -> ast.Module:
    return ast.parse(SPEC.read_text(encoding="utf-8"), filename=str(SPEC))


def spec_constant(name: str):
    for node in spec_tree().body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name} not assigned in {SPEC.name}")


def spec_function(name: str):
    """Compile one plain function defined in the spec so its behaviour can be tested."""
    for node in spec_tree().body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            namespace: dict = {}
            exec(compile(ast.Module(body=[node], type_ignores=[]), str(SPEC), "exec"), namespace)
            return namespace[name]
    raise AssertionError(f"{name} not defined in {SPEC.name}")


@pytest.mark.parametrize(
    "module",
    [
        "PySide6.QtWebEngineCore", "PySide6.QtWebEngineWidgets", "PySide6.Qt3DCore", "PySide6.QtQuick",
        "PySide6.QtQml", "PySide6.QtMultimedia", "PySide6.QtPdf", "tkinter", "IPython", "pytest",
        "hypothesis", "xlwings", "lifetimes", "autograd", "tests",
    ],
)
def test_bundle_leaves_out_heavy_unused_modules(module):
    assert module in spec_constant("EXCLUDED_MODULES")


def test_bundle_keeps_the_modules_the_app_needs():
    excluded = set(spec_constant("EXCLUDED_MODULES"))
    # numpy.f2py: scipy.optimize's array_api_compat star-imports numpy, which imports f2py;
    # without it every model fit in the frozen app failed with ModuleNotFoundError.
    needed = {"PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets", "matplotlib", "numpy", "scipy",
              "pandas", "openpyxl", "clv_engine", "clv_desktop", "numpy.f2py", "unittest"}
    assert not needed & excluded


def test_bundle_can_draw_in_the_window_and_save_png_charts():
    backends = {name.lower() for name in spec_constant("MATPLOTLIB_BACKENDS")}
    assert {"qtagg", "agg"} <= backends


@pytest.mark.parametrize(
    ("name", "is_test"),
    [
        ("numpy.tests.test_core", True),
        ("pandas/tests/io/data/x.csv", True),
        ("scipy.stats.tests", True),
        ("pkg.conftest", True),
        ("numpy.testing", False),
        ("scipy.stats._hypotests", False),
        ("clv_engine/sample/shopify_orders_sample.csv", False),
    ],
)
def test_bundle_drops_test_suites_but_not_testing_helpers(name, is_test):
    assert spec_function("is_test_entry")(name) is is_test


def test_bundle_version_comes_from_the_engine_only():
    text = SPEC.read_text(encoding="utf-8")
    assert "VERSION = clv_engine.__version__" in text
    assert "__version__ =" not in text


def test_bundle_starts_the_desktop_app_through_the_entry_shim():
    shim = (INSTALLER_DIR / "entry_desktop.py").read_text(encoding="utf-8")
    assert "from clv_desktop.app import main" in shim
    assert '"entry_desktop.py"' in SPEC.read_text(encoding="utf-8")


def test_bundle_collects_the_engine_data_files():
    text = SPEC.read_text(encoding="utf-8")
    assert 'collect_data_files("clv_engine")' in text
