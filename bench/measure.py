"""Measuring helpers shared by the bench scripts."""
from __future__ import annotations

import resource
import sys


def peak_rss_mb() -> float:
    """Peak resident memory of this process, in MB.

    On Linux this is VmHWM from /proc/self/status: ``ru_maxrss`` carries the peak of the
    process before ``exec`` over into a child, so a side spawned by a parent that had just
    generated a big order log reported the parent's peak. Elsewhere ``ru_maxrss`` (macOS
    reports bytes, others KiB).
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / 1024 if sys.platform == "darwin" else peak / 1024
