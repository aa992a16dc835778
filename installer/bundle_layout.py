"""Where the PyInstaller build puts things, per OS (shared by the spec and the scripts)."""
from __future__ import annotations

import sys
from pathlib import Path

APP_NAME = "CLV Toolkit"
INSTALLER_DIR = Path(__file__).resolve().parent
REPO_ROOT = INSTALLER_DIR.parent
SPEC_FILE = INSTALLER_DIR / "clv_desktop.spec"


def bundle_dir(dist_dir: Path, platform: str = sys.platform) -> Path:
    """The folder a user gets: ``CLV Toolkit/`` or, on macOS, ``CLV Toolkit.app``."""
    if platform == "darwin":
        return Path(dist_dir) / f"{APP_NAME}.app"
    return Path(dist_dir) / APP_NAME


def bundle_executable(dist_dir: Path, platform: str = sys.platform) -> Path:
    """The program inside the bundle that starts the app."""
    if platform == "darwin":
        return bundle_dir(dist_dir, platform) / "Contents" / "MacOS" / APP_NAME
    if platform == "win32":
        return bundle_dir(dist_dir, platform) / f"{APP_NAME}.exe"
    return bundle_dir(dist_dir, platform) / APP_NAME


def bundled_package_dirs(dist_dir: Path, package: str, platform: str = sys.platform) -> list[Path]:
    """Folders where a package's data files may sit inside the bundle."""
    root = bundle_dir(dist_dir, platform)
    if platform == "darwin":
        candidates = [root / "Contents" / "Resources" / package, root / "Contents" / "Frameworks" / package]
    else:
        candidates = [root / "_internal" / package, root / package]
    return [path for path in candidates if path.is_dir()]
