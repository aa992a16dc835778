"""tune_memory_allocator is safe anywhere and makes big temporary arrays cheaper on glibc."""
from __future__ import annotations

import platform
import subprocess
import sys

import pytest

from clv_engine import tune_memory_allocator


def test_it_can_be_called_again_and_says_whether_it_applied():
    first = tune_memory_allocator()
    assert tune_memory_allocator() == first
    glibc = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    assert first == glibc  # applied exactly where glibc's mallopt exists


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")
def test_big_freed_blocks_are_reused_instead_of_faulted_in_again():
    # minor page faults over 10 rounds of column work on 2 million rows (several arrays
    # alive at once, freed together), in a fresh process with and without the tuning;
    # each fresh 4 KiB page costs one fault
    code = (
        "import resource, sys, numpy as np\n"
        "from clv_engine import tune_memory_allocator\n"
        "if sys.argv[1] == 'tuned': tune_memory_allocator()\n"
        "def work():\n"
        "    a = np.arange(2_000_000); b = np.diff(a); c = a[1:][b >= 0]; d = np.sort(c); del a, b, c, d\n"
        "work()\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt\n"
        "for _ in range(10):\n"
        "    work()\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)\n"
    )
    faults = {mode: int(subprocess.run([sys.executable, "-c", code, mode], capture_output=True, text=True,
                                       check=True).stdout) for mode in ("plain", "tuned")}
    assert faults["plain"] > 10 * 1000
    assert faults["tuned"] < faults["plain"] / 10


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")
def test_every_front_door_tunes_the_allocator_when_it_loads():
    # the Excel add-in module, like the clv command and the desktop app (an xlwings Server
    # runs the add-in on Linux); checked in a fresh process so no earlier call counts
    pytest.importorskip("xlwings")
    code = "import clv_engine.memory as m, clv_excel.udfs\nprint(m._tuned)\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[-1] == str(platform.libc_ver()[0] == "glibc")
