"""Errors and warnings of CLV Toolkit.

Every error a user can cause is a :class:`ClvError` whose message says what is wrong,
where (file, sheet, row, column) and what to do. Front ends show ``str(error)`` as is;
they never show a traceback for a ``ClvError``.
"""
from __future__ import annotations

import re

_SENTENCE_END = ".!?:…"
_CLOSERS = "'\"’”)]»"


def ended(text: str) -> str:
    """``text`` ending as a sentence: a full stop is added unless it already ends with
    ``. ! ? :`` or ``…`` (also inside closing quotes or brackets, as in ``(see below.)``)."""
    text = text.rstrip()
    if text and text.rstrip(_CLOSERS)[-1:] not in tuple(_SENTENCE_END):
        return text + "."
    return text


def agree(n, singular: str, plural: str | None = None) -> str:
    """``singular`` when ``n`` is 1, else ``plural`` (default: ``singular`` + "s"), so a
    message agrees with its count: ``agree(1, "row")`` is ``row``, ``agree(2, "is", "are")`` is ``are``."""
    return singular if n == 1 else (plural or singular + "s")


def count_text(n: int, noun: str, plural: str | None = None) -> str:
    """``1 row``, ``2 rows``, ``1,250 rows``."""
    return f"{n:,} {agree(n, noun, plural)}"


# Python-only alternatives in a hint, e.g. "--map date=COLUMN (mapping={'date': 'COLUMN'})" or
# "(--sheet NAME, or sheet='NAME')": on the command line only the option form is meant.
_PYTHON_ONLY = (
    re.compile(r"\s*\((?:mapping|sheet|layout|currency|date_order)=(?:\{[^{}]*\}|[^()]*)\)"),
    re.compile(r",? or (?:mapping|sheet|layout|currency|date_order)=(?:\{[^{}]*\}|'[^']*'|\"[^\"]*\"|\w+)(?=\))"),
)


def command_line_text(error: BaseException) -> str:
    """``str(error)`` as one line for the command line, without the Python-only
    (``mapping=...``, ``sheet='NAME'``) alternatives its hint may give next to the option."""
    text = " ".join(str(error).split())
    for pattern in _PYTHON_ONLY:
        text = pattern.sub("", text)
    return text


class ClvError(Exception):
    """Base class of every error CLV Toolkit raises on purpose."""


class InputError(ClvError, ValueError):
    """The input (file, range, DataFrame, setting) cannot be used as given.

    ``where`` names the place (file, sheet, row, column) when known; ``hint`` says what
    to do. ``str(error)`` is a complete, one-paragraph message for a person: before the
    hint, the message gets a full stop when it has no final punctuation (``. ! ? :``), so
    the problem and the advice never run together; the hint, too, ends as a sentence.
    """

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None):
        self.message = message
        self.where = where
        self.hint = hint
        text = message
        if where:
            text = f"{where}: {text}"
        if hint:
            text = f"{ended(str(text))} {ended(str(hint))}"
        super().__init__(text)


class NotFittedError(ClvError, AttributeError):
    """A model was asked to predict before ``fit`` was called (or params were set)."""


class ConvergenceError(ClvError, RuntimeError, ValueError):
    """A model could not be fitted to the data even with the fallback optimiser. (Also a
    ValueError, as lifetimes' ConvergenceError is: code written for lifetimes catches it.)"""


class Cancelled(ClvError):
    """A long-running step was cancelled by the user."""


class ClvWarning(UserWarning):
    """Base class of warnings CLV Toolkit issues (never printed by the library itself)."""


class DataQualityWarning(ClvWarning):
    """Something in the data was unusual but could be handled (reported, not fatal)."""


class ModelWarning(ClvWarning):
    """A model result needs care (e.g. weak convergence, parameters at a bound)."""
