#!/usr/bin/env bash
# Optional CI step (run by .ci/run only when CLV_BUILD_INSTALLER=1): build the desktop bundle
# for this OS into a temporary folder, audit it, and run the built app's smoke mode.
# Exits non-zero if the build, the audit (QtWebEngine or tests inside) or the smoke run fails.
set -euo pipefail

PYTHON="${PYTHON:-python}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/clv-installer-ci.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"

cd "$REPO_ROOT"
echo "==> Building the desktop bundle in $WORK"
timeout 1800 "$PYTHON" installer/build.py --dist "$WORK/dist" --work "$WORK/build"
echo "==> Smoke test of the built app"
timeout 900 "$PYTHON" installer/smoke.py --dist "$WORK/dist"
echo "Installer build and smoke test passed"
