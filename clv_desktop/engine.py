"""The one place the desktop app calls the CLV engine (public API only).

Engine modules are imported on first use so the window opens quickly. Tests pass a fake
with the same methods to :class:`~clv_desktop.controller.AppController`.
"""
from __future__ import annotations

import dataclasses
import inspect
import os
from pathlib import Path

DEFAULT_ROLES = ("customer_id", "email", "name", "order_id", "date", "amount", "currency",
                 "status", "refund", "consent")
# read_orders options the check page offers when the engine accepts them.
READ_OPTIONS = ("sheet", "date_order", "currency", "exclude_non_product", "duplicates")


class Engine:
    """Thin gateway over ``clv_engine``'s documented functions."""

    def roles(self) -> tuple[str, ...]:
        from clv_engine.intake import ROLES
        return tuple(ROLES)

    def read_options(self) -> tuple[str, ...]:
        """The :data:`READ_OPTIONS` this engine's ``read_orders`` takes."""
        from clv_engine.intake import read_orders
        names = inspect.signature(read_orders).parameters
        return tuple(name for name in READ_OPTIONS if name in names)

    def read_orders(self, source, *, mapping=None, progress=None, **options):
        """``read_orders`` with the options it accepts (see :meth:`read_options`); an
        option left at None is not passed."""
        from clv_engine.intake import read_orders
        accepted = set(self.read_options())
        chosen = {k: v for k, v in options.items() if k in accepted and v is not None}
        return read_orders(source, mapping=mapping, progress=progress, **chosen)

    def peek(self, source, *, sheet=None, rows: int = 20) -> dict:
        """What a file holds when it could not be read as orders: its sheets, the column
        headers and the first rows (text cells), for the check page's controls."""
        from clv_engine.intake.columns import find_header_row, headerless_header, unique_headers
        from clv_engine.intake.files import read_raw_table
        import pandas as pd
        raw = read_raw_table(source, sheet)
        grid = raw.grid
        if grid.empty:
            return {"sheets": list(raw.sheets), "sheet": raw.sheet, "columns": [],
                    "preview": pd.DataFrame()}
        header_row = find_header_row(grid)
        headers = unique_headers(list(grid.loc[header_row]))
        no_header = headerless_header(grid, header_row)
        if no_header is not None:  # the first row is data: columns named by content, as intake names them
            header_row, headers, _ = no_header
        body = grid.loc[header_row + 1:].head(rows).copy()
        body.columns = headers
        return {"sheets": list(raw.sheets), "sheet": raw.sheet, "columns": headers,
                "preview": body.reset_index(drop=True)}

    def default_settings(self):
        from clv_engine.pipeline import Settings
        return Settings()

    def make_settings(self, **values):
        """A ``Settings`` with the given fields (unknown names are ignored)."""
        defaults = self.default_settings()
        names = {f.name for f in dataclasses.fields(defaults)}
        return dataclasses.replace(defaults, **{k: v for k, v in values.items() if k in names})

    def analyze(self, source, settings, *, progress=None, cancel=None):
        from clv_engine.pipeline import analyze
        return analyze(source, settings, progress=progress, cancel=cancel)

    def email_tools(self) -> dict[str, str]:
        """Email tool id -> label ("mailchimp" -> "Mailchimp")."""
        from clv_engine.exports import EMAIL_TOOLS, LAYOUTS
        return {tool: getattr(LAYOUTS.get(tool), "label", tool.title()) for tool in EMAIL_TOOLS}

    def export_email_lists(self, customers, tool, out_dir, *, mode, include_no_consent,
                           overwrite):
        from clv_engine.exports import export_email_lists
        return export_email_lists(customers, tool, out_dir, mode=mode,
                                  include_no_consent=include_no_consent, overwrite=overwrite)

    def write_excel_report(self, analysis, path):
        from clv_engine.report import write_excel_report
        return write_excel_report(analysis, path)

    def save_results(self, analysis, out_dir) -> list[Path]:
        """Write what ``clv analyze --out`` writes (customers.csv, segments.csv,
        intake.csv, summary.json, report.xlsx) into ``out_dir``; returns the files."""
        return [Path(p) for p in analysis.write(os.fspath(out_dir))]

    def compare_with_previous(self, previous_customers_csv, new_customers):
        """Read an earlier run's customers.csv and compare tiers (``Comparison``)."""
        from clv_engine.segments import compare_runs, read_previous_customers
        return compare_runs(read_previous_customers(previous_customers_csv), new_customers)

    def sample_path(self):
        from clv_engine.sample import sample_path
        return sample_path()
