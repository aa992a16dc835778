"""Entry point of ``clv-desktop``: the window, or ``--smoke FILE --out DIR``."""
from __future__ import annotations

import argparse
import os
import sys

from clv_engine import tune_memory_allocator

from .app_settings import APPLICATION, ORGANIZATION


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="clv-desktop", description="CLV Toolkit desktop app.")
    parser.add_argument("file", nargs="?", help="order file to open at start")
    parser.add_argument("--smoke", metavar="FILE",
                        help="drive the real window offscreen through every step on FILE")
    parser.add_argument("--out", metavar="DIR", help="folder for --smoke screenshots and files")
    parser.add_argument("--size", metavar="WxH", action="append",
                        help="window size for --smoke screenshots, e.g. 1024x700 (repeat for "
                             "several sizes; default 1024x700 and 1440x900)")
    return parser


def make_application(argv: list[str]):
    """Create (or reuse) the QApplication with the app's names set."""
    from PySide6.QtWidgets import QApplication
    app = QApplication.instance() or QApplication(argv)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    return app


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    tune_memory_allocator()  # reuse freed memory between analysis steps (glibc; no-op elsewhere)
    if args.smoke:
        if not args.out:
            print("clv-desktop: --smoke needs --out DIR for the screenshots.", file=sys.stderr)
            return 2
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        make_application([sys.argv[0]])
        from .smoke import parse_sizes, run_smoke
        try:
            sizes = parse_sizes(args.size)
        except ValueError as error:
            print(f"clv-desktop: {error}", file=sys.stderr)
            return 2
        return run_smoke(args.smoke, args.out, sizes)
    app = make_application([sys.argv[0]])
    from .main_window import MainWindow
    window = MainWindow()
    window.resize(window.fontMetrics().averageCharWidth() * 150,
                  window.fontMetrics().height() * 48)
    window.show()
    if args.file:
        window.open_path(args.file)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
