"""Entry shim frozen by PyInstaller: start the CLV Toolkit desktop app."""
import multiprocessing
import sys

from clv_desktop.app import main

if __name__ == "__main__":
    # Needed on Windows if anything ever starts a worker process from the frozen app.
    multiprocessing.freeze_support()
    sys.exit(main())
