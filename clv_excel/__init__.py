"""Excel front door of CLV Toolkit (xlwings classic and xlwings Lite).

``clv_excel.functions`` holds the pure worksheet functions (ranges in, engine call,
ranges out); ``clv_excel.udfs`` decorates thin wrappers for xlwings. No model maths
lives here: every number comes from ``clv_engine``.
"""
from __future__ import annotations
