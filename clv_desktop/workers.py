"""Run long engine steps off the UI thread.

A :class:`Job` runs one function in a ``QThread`` and turns the engine's
``progress(step, fraction)`` callback into a Qt signal. ``cancel()`` sets the
``threading.Event`` the engine polls; the progress callback also raises
:class:`clv_engine.errors.Cancelled` once the event is set, so steps that take no
``cancel`` argument (file reading) stop at their next progress report too.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable

from PySide6.QtCore import QThread, Signal

from clv_engine.errors import Cancelled

# The job function receives (progress, cancel_event) and returns the result.
JobFunction = Callable[[Callable[[str, float], None], threading.Event], object]


class Job(QThread):
    """One background task with progress, result and error signals."""

    progressed = Signal(str, float)
    succeeded = Signal(object)
    failed = Signal(object)          # the exception (Cancelled when cancelled)

    MIN_INTERVAL = 0.05              # seconds between progress signals
    # True for work that cannot stop part-way (writing a workbook): Cancel frees the app at
    # once and the function, seeing ``cancel`` set when it ends, removes what it wrote.
    detach_on_cancel = False

    def __init__(self, title: str, function: JobFunction, parent=None):
        super().__init__(parent)
        self.title = title
        self._function = function
        self.cancel_event = threading.Event()
        self._last_emit = 0.0
        self._last_step = None

    def cancel(self) -> None:
        self.cancel_event.set()

    def report_progress(self, step: str, fraction: float) -> None:
        """The engine's progress callback (called on the worker thread)."""
        if self.cancel_event.is_set():
            raise Cancelled("Cancelled.")
        now = time.monotonic()
        if step != self._last_step or now - self._last_emit >= self.MIN_INTERVAL \
                or fraction >= 1.0:
            self._last_step = step
            self._last_emit = now
            self.progressed.emit(str(step), float(min(max(fraction, 0.0), 1.0)))

    def run(self) -> None:
        try:
            result = self._function(self.report_progress, self.cancel_event)
            if self.cancel_event.is_set():
                raise Cancelled("Cancelled.")
        except BaseException as error:  # handed to the UI thread, never lost
            self.failed.emit(error)
        else:
            self.succeeded.emit(result)
