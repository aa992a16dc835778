"""Build an xlwings Lite bundle: ``main.py``, ``requirements.txt`` and the engine wheel.

xlwings Lite runs Python in the browser (Pyodide): numpy, scipy and pandas come from
Pyodide, everything else must be a pure-Python wheel. ``build_wheel`` zips the installed
``clv_engine`` and ``clv_excel`` packages into ``clv_toolkit-<version>-py3-none-any.whl``
(no network, no build tools needed); host it at a URL Excel can reach and put that URL in
the requirements tab.
"""
from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path

from clv_engine import __version__
from clv_engine.errors import InputError

PACKAGES = ("clv_engine", "clv_excel")
DISTRIBUTION = "clv_toolkit"
REQUIRES = ("numpy", "scipy", "pandas")
SKIPPED_PARTS = {"__pycache__"}
SKIPPED_SUFFIXES = {".pyc", ".pyo"}

MAIN_PY = '''"""CLV Toolkit for xlwings Lite: paste into the main.py tab (requirements in the other tab)."""
from clv_excel.udfs import (  # noqa: F401  (xlwings Lite registers what main.py holds)
    analyze_orders,
    clv_cohorts,
    clv_customers,
    clv_intake,
    clv_last_error,
    clv_model,
    clv_predict,
    clv_profiles,
    clv_retention,
    clv_rfm,
    clv_segments,
    clv_simple,
    clv_summary,
    clv_tier,
    export_tier_lists,
)
'''

README = """CLV Toolkit for xlwings Lite (Excel 365/2021+ on Windows, Mac and the web)

xlwings Lite runs Python inside Excel (Pyodide). It installs packages from PyPI, from
Pyodide's own repository (numpy, scipy, pandas) or from a full https address; it cannot
read a wheel from your disk. So the engine wheel must be on the web first:

1. Upload {wheel} to a web space that allows cross-origin downloads (CORS), e.g.
   GitHub Pages. (GitHub release assets do not send CORS headers.) Anyone with the
   address can download it: it holds the program, never your data.
2. requirements.txt in this folder ends with the wheel's address. If it still says
   https://YOUR-WEB-SPACE/, replace that by the real folder address.
3. In Excel: Home > Add-ins, search "xlwings", add xlwings Lite, open its editor.
4. requirements.txt tab: keep its xlwings line and add the lines of requirements.txt
   below it. The Output window shows the installation; it must end without an error.
5. main.py tab: replace its content with main.py.
6. Open the CLV Toolkit workbook (.xlsx) or type =CLV_SIMPLE(50,4,3,30%,20) in a cell.
   Scripts "Analyze orders" and "Export tier lists" appear in the editor's script list.
   (Lite cannot write files: export email lists with the clv command or the desktop app.)
"""


def wheel_name(version: str = __version__) -> str:
    return f"{DISTRIBUTION}-{version}-py3-none-any.whl"


PLACEHOLDER_HOST = "https://YOUR-WEB-SPACE/"


def requirements_text(wheel_reference: str) -> str:
    """Lines to add to the requirements.txt tab of xlwings Lite.

    Lite's tab already pins the xlwings version that matches the add-in: that line stays
    as it is. numpy, scipy and pandas come from Pyodide (not pinned, as Lite's docs ask);
    the engine is a wheel micropip downloads from a full https address.
    """
    lines = [
        "# CLV Toolkit: add these lines below the ones already in the requirements.txt tab",
        "# (keep the xlwings line there: it matches the add-in).",
        *REQUIRES,
        wheel_reference,
    ]
    return "\n".join(lines) + "\n"


def write_lite_bundle(out_dir, *, wheel_url: str | None = None, with_wheel: bool = True) -> list[Path]:
    """Write ``main.py``, ``requirements.txt``, ``README.txt`` (and the wheel) into ``out_dir``.

    ``wheel_url``: where the wheel will be hosted (a folder URL ending in ``/`` or the full
    file URL); without it the requirements name the wheel file only.
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out} is a file, not a folder.", hint="Give a folder name for the Lite bundle.")
    out.mkdir(parents=True, exist_ok=True)
    name = wheel_name()
    if wheel_url and not wheel_url.lower().startswith(("https://", "http://")):
        raise InputError(f"the wheel address '{wheel_url}' is not a web address.",
                         hint="xlwings Lite downloads the wheel from a full https:// address, "
                              "e.g. https://example.github.io/wheels/")
    reference = PLACEHOLDER_HOST + name
    if wheel_url:
        reference = wheel_url + name if wheel_url.endswith("/") else wheel_url
    written = []
    for file_name, text in (
        ("main.py", MAIN_PY),
        ("requirements.txt", requirements_text(reference)),
        ("README.txt", README.format(wheel=name)),
    ):
        target = out / file_name
        target.write_text(text, encoding="utf-8")
        written.append(target)
    if with_wheel:
        written.append(build_wheel(out))
    return written


def build_wheel(out_dir) -> Path:
    """Zip the installed engine and Excel packages into a pure-Python wheel."""
    import importlib

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    dist_info = f"{DISTRIBUTION}-{__version__}.dist-info"
    files: list[tuple[str, bytes]] = []
    for package in PACKAGES:
        # __path__, not __file__: an editable install may expose a package as a namespace
        root = next(Path(p) for p in importlib.import_module(package).__path__ if Path(p).is_dir())
        for path in sorted(root.rglob("*")):
            if not path.is_file() or SKIPPED_PARTS & set(path.parts) or path.suffix in SKIPPED_SUFFIXES:
                continue
            files.append((f"{package}/{path.relative_to(root).as_posix()}", path.read_bytes()))
    metadata = "\n".join(
        ["Metadata-Version: 2.1", "Name: clv-toolkit", f"Version: {__version__}",
         "Summary: Customer lifetime value for small shops (engine and Excel functions)."]
        + [f"Requires-Dist: {r}" for r in REQUIRES]
    ) + "\n"
    wheel_info = "Wheel-Version: 1.0\nGenerator: clv_excel.lite\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    files.append((f"{dist_info}/METADATA", metadata.encode()))
    files.append((f"{dist_info}/WHEEL", wheel_info.encode()))
    files.append((f"{dist_info}/top_level.txt", ("\n".join(PACKAGES) + "\n").encode()))
    record_lines = [f"{name},sha256={_digest(data)},{len(data)}" for name, data in files]
    record_lines.append(f"{dist_info}/RECORD,,")
    files.append((f"{dist_info}/RECORD", ("\n".join(record_lines) + "\n").encode()))
    target = out / wheel_name()
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(name, data)
    return target


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
