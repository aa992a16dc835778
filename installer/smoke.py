"""Run the BUILT desktop app's smoke mode on the sample shipped inside the bundle.

    python installer/smoke.py [--dist dist]

Runs ``<bundle executable> --smoke <bundled sample> --out <temp dir>`` offscreen, then
checks that it exited 0, wrote PNG charts, and that neither its output nor the files it
wrote mention a missing module (the frozen app falls back quietly when, say, a model cannot
be fitted, and a module PyInstaller left out shows up only as such a message).
Exits 0 when all is well, 1 otherwise.
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bundle_layout import REPO_ROOT, bundle_executable, bundled_package_dirs  # noqa: E402

SMOKE_TIMEOUT_SECONDS = 600
MISSING_MODULE = re.compile(r"ModuleNotFoundError|No module named")
TEXT_SUFFIXES = {".csv", ".txt", ".json", ".log", ".md"}


@dataclass
class SmokeResult:
    ok: bool
    exit_code: int | None
    pngs: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    output: str = ""


def sample_relative_path() -> Path:
    """Where the engine's sample sits inside the clv_engine package (from this checkout)."""
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    import clv_engine
    from clv_engine.sample import sample_path

    return Path(sample_path()).resolve().relative_to(Path(clv_engine.__file__).resolve().parent)


def bundled_sample(dist_dir: Path) -> Path | None:
    """The sample file as collected into the bundle, or None if it was not collected."""
    relative = sample_relative_path()
    for package_dir in bundled_package_dirs(dist_dir, "clv_engine"):
        if (package_dir / relative).is_file():
            return package_dir / relative
    return None


def written_texts(out_dir: Path):
    """(file name, text) for every text file and Excel workbook the app wrote."""
    for path in sorted(out_dir.rglob("*")):
        name = path.relative_to(out_dir).as_posix()
        if path.suffix.lower() in TEXT_SUFFIXES:
            yield name, path.read_text(encoding="utf-8", errors="replace")
        elif path.suffix.lower() in {".xlsx", ".xlsm"}:
            with zipfile.ZipFile(path) as book:
                for member in book.namelist():
                    if member.endswith(".xml"):
                        yield f"{name}:{member}", book.read(member).decode("utf-8", errors="replace")


def missing_module_mentions(out_dir: Path, output: str) -> list[str]:
    """Where the app's output or files mention a module missing from the bundle."""
    places = ["app output"] if MISSING_MODULE.search(output) else []
    return places + [name for name, text in written_texts(out_dir) if MISSING_MODULE.search(text)]


def run_smoke(executable: Path, sample: Path, out_dir: Path, timeout: float = SMOKE_TIMEOUT_SECONDS) -> SmokeResult:
    """Start the built app in smoke mode and check what it left in out_dir."""
    if not executable.is_file():
        return SmokeResult(False, None, problems=[f"no built app at {executable}; run installer/build.py first"])
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    try:
        completed = subprocess.run(
            [str(executable), "--smoke", str(sample), "--out", str(out_dir)],
            env=env, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as exc:
        output = "\n".join(str(part) for part in (exc.stdout, exc.stderr) if part)
        return SmokeResult(False, None, problems=[f"app did not finish within {timeout:.0f} s"], output=output)
    pngs = sorted(path.relative_to(out_dir).as_posix() for path in out_dir.rglob("*.png"))
    problems = []
    if completed.returncode != 0:
        problems.append(f"app exited with code {completed.returncode}")
    if not pngs:
        problems.append(f"no PNG written under {out_dir}")
    output = completed.stdout + completed.stderr
    mentions = missing_module_mentions(out_dir, output)
    if mentions:
        problems.append("a module is missing from the bundle (see " + ", ".join(mentions[:5]) + ")")
    return SmokeResult(not problems, completed.returncode, pngs, problems, output)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=REPO_ROOT / "dist", help="folder holding the built bundle")
    parser.add_argument("--keep", type=Path, help="write the smoke output into this new or empty folder")
    parser.add_argument("--file", type=Path, help="order file to use instead of the sample inside the bundle")
    args = parser.parse_args(argv)

    sample = args.file or bundled_sample(args.dist)
    if sample is None:
        print(f"FAILED: the engine's sample file is not inside the bundle in {args.dist}", file=sys.stderr)
        return 1
    if args.keep and args.keep.exists() and any(args.keep.iterdir()):
        print(f"FAILED: {args.keep} is not empty; give --keep a new or empty folder", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="clv-smoke-") as temp:
        out_dir = args.keep or Path(temp)
        out_dir.mkdir(parents=True, exist_ok=True)
        result = run_smoke(bundle_executable(args.dist), sample, out_dir)
    print(f"Smoke run on {sample.name}: exit code {result.exit_code}, {len(result.pngs)} PNG(s): "
          + ", ".join(result.pngs))
    if not result.ok:
        print(result.output[-4000:], file=sys.stderr)
        for problem in result.problems:
            print(f"FAILED: {problem}", file=sys.stderr)
        return 1
    print("Smoke test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
