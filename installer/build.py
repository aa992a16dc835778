"""Build the CLV Toolkit desktop bundle on this OS and audit what went into it.

    python installer/build.py            # -> dist/CLV Toolkit/  (macOS: dist/CLV Toolkit.app)
    python installer/build.py --audit-only   # check an existing bundle again

Prints the bundle size, its largest parts and anything unwanted found inside. Exits 1 if
QtWebEngine or a test suite is in the bundle, 2 if PyInstaller fails.
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bundle_layout import REPO_ROOT, SPEC_FILE, bundle_dir, bundle_executable  # noqa: E402


@dataclass(frozen=True)
class UnwantedRule:
    label: str
    pattern: re.Pattern
    fatal: bool


def _rule(label: str, regex: str, fatal: bool = False) -> UnwantedRule:
    return UnwantedRule(label, re.compile(regex, re.IGNORECASE), fatal)


# Matched against bundle paths ("/"-separated) and frozen module names ("." -> "/").
TOP = r"^(_internal/|Contents/(Frameworks|Resources)/)?"  # a top-level package, not pandas/compat/pyarrow
UNWANTED = [
    _rule("QtWebEngine", r"webengine", fatal=True),
    _rule("test suites", r"(^|/)(tests|conftest)(/|\.py|$)", fatal=True),
    _rule("Qt3D", r"qt6?3d"),
    _rule("QtQuick / QML", r"qt6?(quick|qml)|(^|/)qml(/|$)"),
    _rule("Qt Multimedia", r"multimedia"),
    _rule("Qt PDF", r"qt6?pdf"),
    _rule("Qt Designer / Help", r"qt6?(designer|help)"),
    _rule("tkinter / Tcl/Tk", TOP + r"(_?tkinter|(lib)?(tcl|tk)\d)"),
    _rule("IPython", TOP + r"ipython(/|$)"),
    _rule("pytest / hypothesis", TOP + r"(_?pytest|pytestqt|hypothesis)(/|$)"),
    _rule("xlwings", TOP + r"xlwings(/|$)"),
    _rule("lifetimes / autograd", TOP + r"(lifetimes|autograd)(/|$)"),
    _rule("pyarrow", TOP + r"pyarrow(/|$)"),
]


@dataclass
class BundleAudit:
    """What is inside a built bundle and whether any of it should not be there."""

    bundle: Path
    size_bytes: int = 0
    largest: list[tuple[str, int]] = field(default_factory=list)
    findings: dict[str, list[str]] = field(default_factory=dict)
    fatal: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.fatal


def folder_size(path: Path) -> int:
    """Bytes on disk under path; symlinks (the macOS .app has many) count once."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            file_path = Path(root) / name
            if not file_path.is_symlink():
                total += file_path.stat().st_size
    return total


def bundle_paths(bundle: Path) -> list[str]:
    """Every file in the bundle as a "/"-separated path relative to it."""
    return sorted(
        path.relative_to(bundle).as_posix() for path in bundle.rglob("*") if path.is_file() or path.is_symlink()
    )


def frozen_module_names(executable: Path) -> list[str]:
    """Names of everything frozen into the executable's archive (modules as a/b/c)."""
    from PyInstaller.archive.readers import pkg_archive_contents

    return [name.replace(".", "/") for name in pkg_archive_contents(str(executable), recursive=True)]


def find_unwanted(names: list[str], rules: list[UnwantedRule] = UNWANTED) -> dict[str, list[str]]:
    """Rule label -> names that match it."""
    findings: dict[str, list[str]] = {}
    for name in names:
        for rule in rules:
            if rule.pattern.search(name):
                findings.setdefault(rule.label, []).append(name)
    return findings


def largest_parts(bundle: Path, count: int = 10) -> list[tuple[str, int]]:
    """The biggest top-level items of the bundle's library folder, for the size report."""
    library = next(
        (p for p in (bundle / "_internal", bundle / "Contents" / "Frameworks") if p.is_dir()), bundle
    )
    sizes = []
    for item in library.iterdir():
        size = folder_size(item) if item.is_dir() else (0 if item.is_symlink() else item.stat().st_size)
        sizes.append((item.relative_to(bundle).as_posix(), size))
    return sorted(sizes, key=lambda pair: pair[1], reverse=True)[:count]


def audit_bundle(bundle: Path, executable: Path, rules: list[UnwantedRule] = UNWANTED) -> BundleAudit:
    """Measure the bundle and list unwanted contents, both files and frozen modules."""
    audit = BundleAudit(bundle=bundle)
    if not bundle.is_dir():
        audit.fatal.append(f"no bundle at {bundle}")
        return audit
    audit.size_bytes = folder_size(bundle)
    audit.largest = largest_parts(bundle)
    names = bundle_paths(bundle)
    try:
        names += frozen_module_names(executable)
    except Exception as exc:  # noqa: BLE001 - an unreadable archive is reported, not fatal
        audit.notes.append(f"could not list frozen modules in {executable.name}: {exc}")
    audit.findings = find_unwanted(names, rules)
    audit.fatal = [rule.label for rule in rules if rule.fatal and rule.label in audit.findings]
    return audit


def format_audit(audit: BundleAudit) -> str:
    lines = [f"Bundle: {audit.bundle}", f"Size: {audit.size_bytes / 1e6:.1f} MB"]
    if audit.largest:
        lines.append("Largest parts:")
        lines += [f"  {size / 1e6:8.1f} MB  {name}" for name, size in audit.largest]
    if audit.findings:
        lines.append("Unwanted contents found:")
        for label, names in audit.findings.items():
            marker = "FAIL" if label in audit.fatal else "warn"
            examples = ", ".join(names[:4]) + (" ..." if len(names) > 4 else "")
            lines.append(f"  [{marker}] {label}: {len(names)} item(s), e.g. {examples}")
    else:
        lines.append("Unwanted contents found: none")
    lines += [f"Note: {note}" for note in audit.notes]
    lines += [f"FAILED: {reason}" for reason in audit.fatal if reason not in audit.findings]
    return "\n".join(lines)


def run_pyinstaller(dist_dir: Path, work_dir: Path, clean: bool) -> int:
    command = [
        sys.executable, "-m", "PyInstaller", "--noconfirm",
        "--distpath", str(dist_dir), "--workpath", str(work_dir), str(SPEC_FILE),
    ]
    if clean:
        command.insert(3, "--clean")
    return subprocess.call(command, cwd=REPO_ROOT)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=REPO_ROOT / "dist", help="output folder (default: dist/)")
    parser.add_argument("--work", type=Path, default=REPO_ROOT / "build" / "pyinstaller",
                        help="PyInstaller work folder (default: build/pyinstaller/)")
    parser.add_argument("--clean", action="store_true", help="empty PyInstaller's cache first")
    parser.add_argument("--audit-only", action="store_true", help="do not build; audit the existing bundle")
    args = parser.parse_args(argv)

    if not args.audit_only:
        code = run_pyinstaller(args.dist.resolve(), args.work.resolve(), args.clean)
        if code != 0:
            print(f"PyInstaller failed with exit code {code}", file=sys.stderr)
            return 2
    audit = audit_bundle(bundle_dir(args.dist), bundle_executable(args.dist))
    print(format_audit(audit))
    return 0 if audit.ok else 1


if __name__ == "__main__":
    sys.exit(main())
