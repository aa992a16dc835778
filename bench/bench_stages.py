"""Where the command's time and memory go: `analyze` and `write` on one order file, with a
progress callback that notes CPU time, wall-clock time and resident memory (current and
peak, from /proc on Linux) at every step the engine reports.

    python bench/bench_stages.py orders.csv [--out DIR] [--report]

``--report`` also writes report.xlsx after the other files and times it on its own.

Each line is a step and what it took until the next step began. The steps are the ones
the `clv` command and the desktop app show while they work.
"""
from __future__ import annotations

import argparse
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def memory_mb() -> tuple[int, int]:
    """(resident now, peak) in MB; the peak alone where /proc is missing."""
    try:
        status = Path("/proc/self/status").read_text()
        now = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) // 1024
        peak = int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) // 1024
        return now, peak
    except (OSError, AttributeError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        return peak, peak


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file")
    parser.add_argument("--out", default=None, help="results folder (default: a temporary one)")
    parser.add_argument("--report", action="store_true", help="also write report.xlsx, timed on its own")
    args = parser.parse_args(argv)

    from clv_engine import tune_memory_allocator
    from clv_engine.pipeline import Settings, analyze

    tune_memory_allocator()
    start_wall, start_cpu = time.perf_counter(), time.process_time()
    last = {"step": "starting", "wall": start_wall, "cpu": start_cpu}

    def progress(step: str, fraction: float) -> None:
        if step == last["step"]:
            return
        wall, cpu = time.perf_counter(), time.process_time()
        now, peak = memory_mb()
        print(f"{last['step'][:48]:<48} {cpu - last['cpu']:6.1f} s CPU {wall - last['wall']:6.1f} s wall"
              f"   memory {now:6,d} MB (peak {peak:6,d} MB)", flush=True)
        last.update(step=step, wall=wall, cpu=cpu)

    result = analyze(args.file, Settings(method="predictive", report=False), progress=progress)
    progress("Writing results", 1.0)
    out = args.out or tempfile.mkdtemp(prefix="clv_stages_")
    result.write(out)
    progress("done", 1.0)
    print(f"total: {time.process_time() - start_cpu:.1f} s CPU, {time.perf_counter() - start_wall:.1f} s wall, "
          f"peak {memory_mb()[1]:,d} MB; results in {out}")
    if args.report:
        from clv_engine.report import write_excel_report

        wall, cpu = time.perf_counter(), time.process_time()
        write_excel_report(result, Path(out) / "report.xlsx")
        size = (Path(out) / "report.xlsx").stat().st_size / 1e6
        print(f"report.xlsx on its own: {time.process_time() - cpu:.1f} s CPU, {time.perf_counter() - wall:.1f} s wall "
              f"({size:.1f} MB workbook, {len(result.customers):,d} customers)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
