"""Template workbook, xlwings Lite bundle and the clv-excel command."""
import ast
import zipfile

from clv_excel import cli, udfs
from clv_excel.lite import wheel_name, write_lite_bundle


def test_lite_bundle_main_imports_every_function_and_requirements_name_the_wheel(tmp_path):
    files = write_lite_bundle(tmp_path, wheel_url="https://example.org/wheels/")
    main_py = (tmp_path / "main.py").read_text()
    tree = ast.parse(main_py)
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) for alias in node.names}
    assert imported == set(udfs.__all__)
    lines = [line for line in (tmp_path / "requirements.txt").read_text().splitlines()
             if line and not line.startswith("#")]
    assert lines[-1] == "https://example.org/wheels/" + wheel_name()
    assert lines[:-1] == ["numpy", "scipy", "pandas"]  # from Pyodide, not pinned
    assert "xlwings" not in lines  # Lite's own pinned xlwings line stays
    assert tmp_path / wheel_name() in files


def test_lite_requirements_never_end_with_a_bare_file_name(tmp_path):
    write_lite_bundle(tmp_path, with_wheel=False)
    last = (tmp_path / "requirements.txt").read_text().splitlines()[-1]
    assert last.startswith("https://") and last.endswith(wheel_name())
    readme = (tmp_path / "README.txt").read_text()
    assert "YOUR-WEB-SPACE" in readme and "CORS" in readme


def test_lite_refuses_a_wheel_address_that_is_not_a_web_address(tmp_path, capsys):
    assert cli.main(["lite", str(tmp_path / "b"), "--no-wheel", "--wheel-url", "dist/"]) == 2
    assert "https://" in capsys.readouterr().err


def test_lite_wheel_is_pure_python_and_holds_engine_and_excel_packages(tmp_path):
    write_lite_bundle(tmp_path)
    with zipfile.ZipFile(tmp_path / wheel_name()) as wheel:
        names = wheel.namelist()
        wheel_meta = wheel.read(next(n for n in names if n.endswith(".dist-info/WHEEL"))).decode()
        record = wheel.read(next(n for n in names if n.endswith(".dist-info/RECORD"))).decode()
    assert "Tag: py3-none-any" in wheel_meta
    assert "clv_engine/pipeline.py" in names and "clv_excel/udfs.py" in names
    assert not any(n.endswith((".pyc", ".so", ".pyd")) for n in names)
    assert not any(n.startswith("clv_desktop/") for n in names)
    assert len(record.strip().splitlines()) == len(names)


def test_install_addin_off_windows_explains_and_fails(capsys):
    assert cli.install_addin(platform="linux") == 1
    message = capsys.readouterr().err
    assert "Windows" in message and "clv-excel lite" in message


def test_cli_lite_without_wheel(tmp_path, capsys):
    assert cli.main(["lite", str(tmp_path / "bundle"), "--no-wheel"]) == 0
    assert not (tmp_path / "bundle" / wheel_name()).exists()
    assert (tmp_path / "bundle" / "main.py").exists()


def test_loading_the_add_in_imports_everything_the_first_formula_needs():
    """Excel loads the UDF module once per session; the first CLV_PREDICT then must not
    wait for imports (a fresh interpreter, so nothing is imported already)."""
    import subprocess
    import sys

    script = (
        "import sys, warnings\n"
        "warnings.simplefilter('ignore')\n"
        "from clv_excel import udfs\n"
        "rows = [['Customer', 'Date', 'Total']] + [[f'C{i % 40}', 45000.0 + (i * 7) % 700, 20.0 + i % 9]\n"
        "                                          for i in range(600)]\n"
        "before = set(sys.modules)\n"
        "result = udfs.clv_predict(rows)\n"
        "assert isinstance(result, list) and len(result) == 41, result\n"
        "print(sorted(m for m in set(sys.modules) - before if m.startswith(('clv_', 'scipy', 'pandas'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
