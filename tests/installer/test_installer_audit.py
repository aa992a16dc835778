"""installer/build.py reports the bundle's size and refuses bundles holding unwanted parts."""
from __future__ import annotations

from pathlib import Path

import pytest

from installer_modules import load_installer_script

build = load_installer_script("build")


def make_bundle(root: Path, files: dict[str, int]) -> Path:
    bundle = root / "CLV Toolkit"
    for name, size in files.items():
        path = bundle / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * size)
    return bundle


CLEAN_BUNDLE = {
    "CLV Toolkit": 1_000,
    "_internal/PySide6/Qt/lib/libQt6Widgets.so.6": 5_000,
    "_internal/pandas/compat/pyarrow.pyc": 10,
    "_internal/numpy/testing/utils.pyc": 10,
    "_internal/clv_engine/sample/shopify_orders_sample.csv": 2_000,
}


def test_clean_bundle_passes_and_reports_its_size(tmp_path):
    bundle = make_bundle(tmp_path, CLEAN_BUNDLE)
    audit = build.audit_bundle(bundle, bundle / "CLV Toolkit")
    assert audit.ok
    assert audit.findings == {}
    assert audit.size_bytes == sum(CLEAN_BUNDLE.values())
    assert audit.largest[0] == ("_internal/PySide6", 5_000)
    assert "Unwanted contents found: none" in build.format_audit(audit)


@pytest.mark.parametrize(
    ("extra_file", "label"),
    [
        ("_internal/PySide6/Qt/lib/libQt6WebEngineCore.so.6", "QtWebEngine"),
        ("_internal/PySide6/QtWebEngineWidgets.abi3.so", "QtWebEngine"),
        ("_internal/numpy/_core/tests/test_numeric.py", "test suites"),
        ("_internal/pandas/tests/io/data/sample.csv", "test suites"),
    ],
)
def test_bundle_with_webengine_or_tests_fails(tmp_path, extra_file, label):
    bundle = make_bundle(tmp_path, {**CLEAN_BUNDLE, extra_file: 10})
    audit = build.audit_bundle(bundle, bundle / "CLV Toolkit")
    assert not audit.ok
    assert audit.fatal == [label]
    assert f"[FAIL] {label}" in build.format_audit(audit)


@pytest.mark.parametrize(
    ("extra_file", "label"),
    [
        ("_internal/PySide6/Qt/lib/libQt6Quick.so.6", "QtQuick / QML"),
        ("_internal/PySide6/Qt/lib/libQt63DCore.so.6", "Qt3D"),
        ("_internal/_tkinter.cpython-311-x86_64-linux-gnu.so", "tkinter / Tcl/Tk"),
        ("_internal/xlwings/main.pyc", "xlwings"),
        ("_internal/pyarrow/lib.so", "pyarrow"),
    ],
)
def test_other_unused_parts_are_listed_as_warnings(tmp_path, extra_file, label):
    bundle = make_bundle(tmp_path, {**CLEAN_BUNDLE, extra_file: 10})
    audit = build.audit_bundle(bundle, bundle / "CLV Toolkit")
    assert audit.ok
    assert audit.findings == {label: [extra_file]}
    assert f"[warn] {label}" in build.format_audit(audit)


def test_frozen_modules_are_checked_too():
    findings = build.find_unwanted(["pandas/core/frame", "IPython/core/shell", "scipy/stats/tests/test_x"])
    assert findings == {"IPython": ["IPython/core/shell"], "test suites": ["scipy/stats/tests/test_x"]}


def test_unreadable_executable_archive_is_noted_not_hidden(tmp_path):
    bundle = make_bundle(tmp_path, CLEAN_BUNDLE)
    audit = build.audit_bundle(bundle, bundle / "CLV Toolkit")
    assert any("could not list frozen modules" in note for note in audit.notes)


def test_audit_only_exit_code_says_whether_the_bundle_is_acceptable(tmp_path, capsys):
    make_bundle(tmp_path, CLEAN_BUNDLE)
    assert build.main(["--audit-only", "--dist", str(tmp_path)]) == 0
    make_bundle(tmp_path, {"_internal/PySide6/Qt/lib/libQt6WebEngineCore.so.6": 10})
    assert build.main(["--audit-only", "--dist", str(tmp_path)]) == 1
    assert "[FAIL] QtWebEngine" in capsys.readouterr().out


def test_missing_bundle_fails_with_its_path(tmp_path, capsys):
    assert build.main(["--audit-only", "--dist", str(tmp_path)]) == 1
    assert f"no bundle at {tmp_path}" in capsys.readouterr().out
