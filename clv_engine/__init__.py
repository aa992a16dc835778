"""CLV Toolkit engine: order intake, customer summary, CLV (formula, historical,
predictive), segments and outputs. Pure Python on numpy, scipy and pandas.

Front ends (``clv`` CLI, ``clv_excel``, ``clv_desktop``) use only the names exported here
and in the documented public sub-modules.
"""
from __future__ import annotations

import logging

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

from .errors import (  # noqa: E402
    Cancelled,
    ClvError,
    ClvWarning,
    ConvergenceError,
    DataQualityWarning,
    InputError,
    ModelWarning,
    NotFittedError,
)
from .memory import tune_memory_allocator  # noqa: E402

__all__ = [
    "__version__",
    "Cancelled",
    "ClvError",
    "ClvWarning",
    "ConvergenceError",
    "DataQualityWarning",
    "InputError",
    "ModelWarning",
    "NotFittedError",
    "tune_memory_allocator",
]
