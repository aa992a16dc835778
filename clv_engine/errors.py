"""Errors and warnings of CLV Toolkit.

Every error a user can cause is a :class:`ClvError` whose message says what is wrong,
where (file, sheet, row, column) and what to do. Front ends show ``str(error)`` as is;
they never show a traceback for a ``ClvError``.
"""
from __future__ import annotations


class ClvError(Exception):
    """Base class of every error CLV Toolkit raises on purpose."""


class InputError(ClvError, ValueError):
    """The input (file, range, DataFrame, setting) cannot be used as given.

    ``where`` names the place (file, sheet, row, column) when known; ``hint`` says what
    to do. ``str(error)`` is a complete, one-paragraph message for a person.
    """

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None):
        self.message = message
        self.where = where
        self.hint = hint
        text = message
        if where:
            text = f"{where}: {text}"
        if hint:
            text = f"{text} {hint}"
        super().__init__(text)


class NotFittedError(ClvError, AttributeError):
    """A model was asked to predict before ``fit`` was called (or params were set)."""


class ConvergenceError(ClvError, RuntimeError):
    """A model could not be fitted to the data even with the fallback optimiser."""


class Cancelled(ClvError):
    """A long-running step was cancelled by the user."""


class ClvWarning(UserWarning):
    """Base class of warnings CLV Toolkit issues (never printed by the library itself)."""


class DataQualityWarning(ClvWarning):
    """Something in the data was unusual but could be handled (reported, not fatal)."""


class ModelWarning(ClvWarning):
    """A model result needs care (e.g. weak convergence, parameters at a bound)."""
