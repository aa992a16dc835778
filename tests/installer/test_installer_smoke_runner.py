"""installer/smoke.py judges a built app by its exit code and the PNGs it writes."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from installer_modules import load_installer_script

smoke = load_installer_script("smoke")

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="fake apps are #! scripts")

FAKE_APP = """#!{python}
import os, sys
from pathlib import Path
args = sys.argv[1:]
assert args[0] == "--smoke" and args[2] == "--out", args
assert os.environ["QT_QPA_PLATFORM"] == "offscreen"
out = Path(args[3])
{body}
"""


def fake_app(tmp_path: Path, body: str) -> Path:
    app = tmp_path / "CLV Toolkit"
    app.write_text(FAKE_APP.format(python=sys.executable, body=body), encoding="utf-8")
    app.chmod(0o755)
    return app


def test_app_that_writes_pngs_and_exits_zero_passes(tmp_path):
    app = fake_app(tmp_path, "(out / 'results.png').write_bytes(b'png'); (out / 'check.png').write_bytes(b'png')")
    out = tmp_path / "out"
    out.mkdir()
    result = smoke.run_smoke(app, tmp_path / "sample.csv", out)
    assert result.ok, result.problems
    assert result.pngs == ["check.png", "results.png"]


def test_app_that_fails_is_reported_with_its_exit_code_and_output(tmp_path):
    app = fake_app(tmp_path, "print('could not read the sample', file=sys.stderr); sys.exit(3)")
    out = tmp_path / "out"
    out.mkdir()
    result = smoke.run_smoke(app, tmp_path / "sample.csv", out)
    assert not result.ok
    assert result.exit_code == 3
    assert "app exited with code 3" in result.problems
    assert "could not read the sample" in result.output


def test_app_that_exits_zero_without_pngs_fails(tmp_path):
    app = fake_app(tmp_path, "(out / 'notes.txt').write_text('done')")
    out = tmp_path / "out"
    out.mkdir()
    result = smoke.run_smoke(app, tmp_path / "sample.csv", out)
    assert not result.ok
    assert result.problems == [f"no PNG written under {out}"]


def test_app_that_hangs_is_stopped_and_reported(tmp_path):
    app = fake_app(tmp_path, "import time; time.sleep(30)")
    result = smoke.run_smoke(app, tmp_path / "sample.csv", tmp_path, timeout=1)
    assert not result.ok
    assert result.problems == ["app did not finish within 1 s"]


def test_missing_build_says_to_build_first(tmp_path):
    result = smoke.run_smoke(tmp_path / "CLV Toolkit", tmp_path / "sample.csv", tmp_path)
    assert not result.ok
    assert "run installer/build.py first" in result.problems[0]


linux_layout = pytest.mark.skipif(sys.platform == "darwin", reason="macOS bundles keep data in Contents/Resources")


@linux_layout
def test_smoke_uses_the_sample_collected_into_the_bundle(tmp_path):
    pytest.importorskip("clv_engine.sample")
    relative = smoke.sample_relative_path()
    bundled = tmp_path / "CLV Toolkit" / "_internal" / "clv_engine" / relative
    bundled.parent.mkdir(parents=True)
    bundled.write_text("Name,Email\n", encoding="utf-8")
    assert smoke.bundled_sample(tmp_path) == bundled


@linux_layout
def test_smoke_fails_when_the_bundle_lacks_the_sample(tmp_path, capsys):
    pytest.importorskip("clv_engine.sample")
    (tmp_path / "CLV Toolkit" / "_internal" / "clv_engine").mkdir(parents=True)
    assert smoke.bundled_sample(tmp_path) is None
    assert smoke.main(["--dist", str(tmp_path)]) == 1
    assert "sample file is not inside the bundle" in capsys.readouterr().err


PNG_AND = "(out / 'results.png').write_bytes(b'png'); "


@pytest.mark.parametrize(
    "body",
    [
        PNG_AND + "(out / 'summary.json').write_text('{\"verdict\": \"BG/NBD could not be fitted (ModuleNotFoundError)\"}')",
        PNG_AND + "print(\"No module named 'scipy.optimize._lbfgsb'\", file=sys.stderr)",
    ],
    ids=["in a written file", "in the app output"],
)
def test_app_reporting_a_missing_module_fails_even_with_exit_zero(tmp_path, body):
    out = tmp_path / "out"
    out.mkdir()
    result = smoke.run_smoke(fake_app(tmp_path, body), tmp_path / "sample.csv", out)
    assert result.exit_code == 0
    assert not result.ok
    assert result.problems[0].startswith("a module is missing from the bundle")


def test_missing_module_named_inside_an_excel_report_is_found(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active["A1"] = "Pareto/NBD could not be fitted (ModuleNotFoundError)"
    book.save(tmp_path / "clv-report.xlsx")
    (tmp_path / "customers.csv").write_text("customer_id,clv\nc1,10\n", encoding="utf-8")
    mentions = smoke.missing_module_mentions(tmp_path, "")
    assert len(mentions) == 1 and mentions[0].startswith("clv-report.xlsx:")


def test_keep_folder_must_be_empty_so_old_screenshots_cannot_pass_the_check(tmp_path, capsys):
    keep = tmp_path / "kept"
    keep.mkdir()
    (keep / "01-start.png").write_bytes(b"old")
    sample = tmp_path / "orders.csv"
    sample.write_text("Customer,Total\n", encoding="utf-8")
    assert smoke.main(["--dist", str(tmp_path), "--file", str(sample), "--keep", str(keep)]) == 1
    assert "is not empty" in capsys.readouterr().err
