"""``clv-excel``: make the template workbook, the xlwings Lite bundle, install the add-in.

    clv-excel template OUT.xlsm|OUT.xlsx [--force] [--interpreter PATH]
    clv-excel lite OUTDIR [--wheel-url URL] [--no-wheel]
    clv-excel install-addin
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys

from clv_engine.errors import ClvError

ADDIN_HELP = (
    "The classic xlwings add-in (Excel worksheet functions through Python) only works in "
    "Excel for Windows.\n"
    "On a Mac or in Excel on the web, use xlwings Lite instead:\n"
    "  clv-excel lite clv-lite     # then follow clv-lite/README.txt\n"
    "On Windows, run this command again there, or run: xlwings addin install"
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="clv-excel", description="CLV Toolkit for Excel.")
    commands = parser.add_subparsers(dest="command", required=True)
    template = commands.add_parser("template", help="write the template workbook")
    template.add_argument("out", help="workbook to write: clv.xlsm (classic xlwings, with its VBA project) "
                                      "or clv.xlsx (xlwings Lite)")
    template.add_argument("--force", action="store_true", help="replace an existing file")
    template.add_argument("--interpreter", help="classic: Python to write on the xlwings.conf sheet (default on "
                                                "Windows: this one; --interpreter= leaves it to the add-in)")
    lite = commands.add_parser("lite", help="write an xlwings Lite bundle (main.py, requirements.txt, wheel)")
    lite.add_argument("out_dir", help="folder to write")
    lite.add_argument("--wheel-url", help="web address (folder ending in / or file) where the wheel will be hosted")
    lite.add_argument("--no-wheel", action="store_true", help="do not build the wheel")
    commands.add_parser("install-addin", help="install the xlwings Excel add-in (Windows)")
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "template":
            from .template import write_template

            path = write_template(args.out, interpreter=args.interpreter, overwrite=args.force)
            if path.suffix.lower() == ".xlsm":
                print(f"Wrote {path}. Open it in Excel for Windows, enable macros and click 'Import Functions' "
                      "on the xlwings tab (the 'Read me' sheet has every step).")
            else:
                print(f"Wrote {path}. Add xlwings Lite in Excel and paste the Lite files (clv-excel lite); "
                      "the 'Read me' sheet has every step.")
            return 0
        if args.command == "lite":
            from .lite import write_lite_bundle

            for path in write_lite_bundle(args.out_dir, wheel_url=args.wheel_url, with_wheel=not args.no_wheel):
                print(f"Wrote {path}")
            if not args.wheel_url:
                print("requirements.txt names the wheel at https://YOUR-WEB-SPACE/: upload the wheel and put its "
                      "real address there (or run again with --wheel-url).")
            print("Next: follow README.txt in that folder.")
            return 0
        return install_addin()
    except ClvError as error:
        print(f"clv-excel: {error}", file=sys.stderr)
        return 2


def install_addin(platform: str | None = None) -> int:
    """Run ``xlwings addin install`` on Windows; elsewhere explain and return 1."""
    platform = platform or sys.platform
    if not platform.startswith("win"):
        print(f"clv-excel: cannot install the add-in on this system ({platform}).\n{ADDIN_HELP}", file=sys.stderr)
        return 1
    command = shutil.which("xlwings")
    if command is None:
        print("clv-excel: the 'xlwings' command was not found. Install it with: "
              "pip install clv-toolkit[excel]", file=sys.stderr)
        return 1
    completed = subprocess.run([command, "addin", "install"], check=False)
    if completed.returncode != 0:
        print("clv-excel: 'xlwings addin install' failed (see above). Close Excel and try again.", file=sys.stderr)
        return completed.returncode or 1
    print("Add-in installed. Next: clv-excel template clv.xlsm, open it, enable macros and click "
          "'Import Functions' on the xlwings tab.")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
