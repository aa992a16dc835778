"""The one place the desktop app calls the CLV engine (public API only).

Engine modules are imported on first use so the window opens quickly. Tests pass a fake
with the same methods to :class:`~clv_desktop.controller.AppController`.
"""
from __future__ import annotations

import dataclasses

DEFAULT_ROLES = ("customer_id", "email", "name", "order_id", "date", "amount", "currency",
                 "status", "refund", "consent")


class Engine:
    """Thin gateway over ``clv_engine``'s documented functions."""

    def roles(self) -> tuple[str, ...]:
        from clv_engine.intake import ROLES
        return tuple(ROLES)

    def read_orders(self, source, *, mapping=None, progress=None):
        from clv_engine.intake import read_orders
        return read_orders(source, mapping=mapping, progress=progress)

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

    def compare_with_previous(self, previous_customers_csv, new_customers):
        """Read an earlier run's customers.csv and compare tiers (``Comparison``)."""
        from clv_engine.segments import compare_runs, read_previous_customers
        return compare_runs(read_previous_customers(previous_customers_csv), new_customers)

    def sample_path(self):
        from clv_engine.sample import sample_path
        return sample_path()

