#!/usr/bin/env bash
# Build "CLV Toolkit.app" and a drag-to-Applications DMG on macOS.
#
#   PYTHON=python3 bash installer/macos/build.sh
#
# Needs: macOS 12+, the project installed in $PYTHON's environment
# (pip install -e ".[desktop,installer]"). Optional: CLV_CODESIGN_IDENTITY="Developer ID
# Application: ..." to sign with a real certificate (otherwise PyInstaller signs ad hoc and
# owners must allow the app once in System Settings > Privacy & Security).
# Optional: CLV_WHEEL_URL=https://.../ where the engine wheel for xlwings Lite will be hosted.
# Result: dist/CLV-Toolkit-<version>.dmg holding the app, an Applications link, the Excel
# template workbook and the xlwings Lite files.
set -euo pipefail

if [[ "$(uname -s)" != "Darwin" ]]; then
    echo "This script builds the macOS app and DMG and must run on macOS." >&2
    exit 2
fi

PYTHON="${PYTHON:-python3}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO_ROOT"

VERSION="$("$PYTHON" -c 'import clv_engine; print(clv_engine.__version__)')"
SCRIPTS_DIR="$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_path("scripts"))')"
CLV_EXCEL="$SCRIPTS_DIR/clv-excel"
APP="dist/CLV Toolkit.app"
STAGING="build/dmg"
DMG="dist/CLV-Toolkit-$VERSION.dmg"

echo "==> CLV Toolkit $VERSION: PyInstaller bundle"
"$PYTHON" installer/build.py --clean

if [[ "${SKIP_SMOKE:-0}" != "1" ]]; then
    echo "==> Smoke test of the built app"
    "$PYTHON" installer/smoke.py
fi

echo "==> Checking the app's code signature"
codesign --verify --deep --strict --verbose=1 "$APP"

echo "==> Excel template and xlwings Lite files"
rm -rf "$STAGING"
mkdir -p "$STAGING"
"$CLV_EXCEL" template "$STAGING/CLV Toolkit.xlsx" --interpreter=
"$CLV_EXCEL" lite "$STAGING/xlwings Lite" ${CLV_WHEEL_URL:+--wheel-url="$CLV_WHEEL_URL"}

echo "==> Disk image"
# ditto keeps the bundle's symlinks, extended attributes and signature intact.
ditto "$APP" "$STAGING/CLV Toolkit.app"
ln -s /Applications "$STAGING/Applications"
hdiutil create -volname "CLV Toolkit $VERSION" -srcfolder "$STAGING" -ov -format UDZO "$DMG"
hdiutil verify "$DMG"

echo "DMG: $REPO_ROOT/$DMG ($(du -h "$DMG" | cut -f1))"
