"""A small stand-in for the engine with the documented shapes (docs/architecture.md)."""
from __future__ import annotations

import dataclasses
import threading
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

from clv_engine.errors import Cancelled, InputError

ROLES = ("customer_id", "email", "name", "order_id", "date", "amount", "currency", "status",
         "refund", "consent")


@dataclasses.dataclass
class FakeSettings:
    method: str = "auto"
    horizon_months: float = 12.0
    discount_rate: float = 0.10
    margin: float = 1.0
    acquisition_cost: float = 0.0
    lifespan_years: float | None = None
    tier_splits: tuple = (20.0, 50.0, 30.0)
    tier_names: tuple = ("High", "Medium", "Low")

    def validate(self):
        """Like the engine's: the tier shares must add up to 100%."""
        if abs(sum(self.tier_splits) - 100.0) > 1e-6:
            raise InputError(f"tier splits add up to {sum(self.tier_splits):g}%, not 100%",
                             hint="Give shares that add up to 100.")
        return self


def fake_customers(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    clv = np.round(rng.gamma(1.2, 80.0, n), 2)
    rank = pd.Series(clv).rank(ascending=False, method="first").to_numpy()
    tier = np.where(rank <= 0.2 * n, "High", np.where(rank <= 0.7 * n, "Medium", "Low"))
    segments = np.array(["Champions", "Loyal", "At risk", "Lost"])
    last = pd.Timestamp("2024-01-01") - pd.to_timedelta(rng.integers(0, 700, n), unit="D")
    return pd.DataFrame({
        "customer_id": [f"C{i:07d}" for i in range(n)],
        "email": [f"person{i}@example.com" for i in range(n)],
        "name": [f"Person {i}" for i in range(n)],
        "consent": pd.array(rng.random(n) < 0.7, dtype="boolean"),
        "orders": rng.integers(1, 12, n),
        "total_value": np.round(rng.gamma(1.5, 60.0, n), 2),
        "last_order": last,
        "clv": clv,
        "clv_method": "predictive",
        "p_alive": rng.random(n),
        "churn_risk": rng.random(n),
        "tier": tier,
        "rfm_r": rng.integers(1, 6, n),
        "rfm_f": rng.integers(1, 6, n),
        "rfm_m": rng.integers(1, 6, n),
        "rfm_segment": segments[rng.integers(0, 4, n)],
        "actions": "Say thank you; Offer early access",
    })


def fake_orders(customers: pd.DataFrame) -> pd.DataFrame:
    """Orders matching ``customers`` (``orders`` rows each, the last on ``last_order``)."""
    rows = []
    for cid, n, last, total in customers[["customer_id", "orders", "last_order",
                                          "total_value"]].itertuples(index=False):
        for k in range(int(n)):
            rows.append((cid, f"#{cid}-{k}", last - pd.Timedelta(days=30 * (n - 1 - k)),
                         round(total / n, 2)))
    orders = pd.DataFrame(rows, columns=["customer_id", "order_id", "date", "amount"])
    orders["customer_id"] = orders["customer_id"].astype("category")
    return orders


def fake_insights(customers: pd.DataFrame) -> SimpleNamespace:
    """Profiles, cohorts, drivers, gaps and payback shaped like clv_engine's Insights."""
    rows = []
    for group in ("High", "Medium", "Low"):
        for k, product in enumerate(["Teapot", "Mug", "Bowl", "Spoon"]):
            share = 0.2 + 0.1 * k if group == "High" else 0.3
            rows.append({"group_by": "tier", "segment": group, "segment_customers": 40,
                         "dimension": "product", "value": product, "customers": int(40 * share),
                         "figure": share, "all_figure": 0.3, "lift": share / 0.3,
                         "too_small": False})
        rows.append({"group_by": "tier", "segment": group, "segment_customers": 40, "dimension": "behaviour",
                     "value": "repeat rate", "customers": 40, "figure": 0.5, "all_figure": 0.4, "lift": 1.25,
                     "too_small": False})
    cohorts = pd.DataFrame([{"cohort": f"2023-{m:02d}", "months_since_first": k,
                             "active_share": 1.0 if k == 0 else 0.2 / k}
                            for m in range(1, 7) for k in range(0, 7 - m)])
    drivers = pd.DataFrame({"dimension": "first_product", "value": ["Teapot", "Mug"],
                            "customers": [50, 40], "window_months": 12,
                            "avg_window_value": [210.0, 140.0], "too_small": False})
    gaps = pd.DataFrame({"band": ["same day", "1–7 days", "8–30 days"], "days_from": [0, 1, 8],
                         "second_orders": [5, 20, 30],
                         "share_of_second_orders": [5 / 55, 20 / 55, 30 / 55]})
    payback = pd.DataFrame({"months_since_first": range(6),
                            "cumulative_margin_per_customer": [50, 60, 66, 70, 73, 75]})
    return SimpleNamespace(
        profiles=pd.DataFrame(rows), cohorts=cohorts, drivers=drivers, gaps=gaps,
        payback=payback, repeat={"repeat_rate": 0.52}, acquisition={"average_cac": None},
        findings=["Your High tier buys Bowl 1.3× as often as the average customer.",
                  "Give your cost per customer (--acquisition-cost) for the payback month."],
        not_profiled=["Not profiled: margin from the file (the --margin setting is used "
                      "instead), because the file has no profit or cost column."])


class FakeEngine:
    """Records calls; ``analyze`` can be slowed down to test Cancel."""

    def __init__(self, n_customers: int = 200):
        self.n_customers = n_customers
        self.analyze_started = threading.Event()
        self.slow_analysis = False
        self.calls: list[tuple] = []
        self.sample = None
        self.currency = "GBP"
        self.with_churn_labels = False
        self.with_insights = True
        self.read_options_offered = ("sheet", "date_order", "currency")
        self.report_started = threading.Event()
        self.release_report = threading.Event()
        self.slow_report = False

    def roles(self):
        return ROLES

    def read_options(self):
        return self.read_options_offered

    def peek(self, source, *, sheet=None, rows=20):
        path = Path(source)
        if path.suffix in (".crash", ".gone"):
            raise InputError("the file does not exist.", where=str(path))
        preview = pd.DataFrame({"Order": ["#1", "#2"], "When": ["05/03/2024", "06/03/2024"],
                                "Qty": ["2", "1"], "Price": ["9.50", "20.00"],
                                "Mail": ["a@x.org", "b@x.org"]})
        return {"sheets": ["Notes", "Orders"] if path.suffix == ".xlsx" else [],
                "sheet": sheet or ("Notes" if path.suffix == ".xlsx" else None),
                "columns": list(preview.columns), "preview": preview.head(rows)}

    def read_orders(self, source, *, mapping=None, progress=None, **options):
        self.calls.append(("read_orders", str(source), mapping, options))
        path = Path(source)
        if path.suffix == ".noamount" and not (mapping or {}).get("amount"):
            raise InputError("no order amount column was recognised (Generic order list).",
                             where=f"{path.name}, row 1",
                             hint="The columns are: 'Order', 'When', 'Qty', 'Price', 'Mail'. "
                                  "Name that column 'Total', or tell the program which one "
                                  "it is, e.g. --map amount=COLUMN (mapping={'amount': "
                                  "'COLUMN'}).")
        if path.suffix == ".bad":
            raise InputError("no column looks like an order date", where=f"{path.name}, row 1",
                             hint="Choose the date column in the mapping.")
        if path.suffix == ".crash":
            raise RuntimeError("secret@example.com broke the parser")
        if progress:
            progress("Reading", 0.5)
        skipped = pd.DataFrame({"row": [5, 9], "reason": ["cancelled order", "no amount"],
                                "detail": ["Status 'cancelled'", "Total is empty"]})
        report = SimpleNamespace(
            source=path.name, sheet=None, layout="shopify_orders",
            layout_label="Shopify orders export",
            mapping=mapping or {"email": "Email", "order_id": "Name", "date": "Created at",
                                "amount": "Total"},
            columns=["Name", "Email", "Created at", "Total", "Financial Status"],
            rows_read=12, rows_used=10, skipped=skipped,
            rows_skipped={"cancelled order": 1, "no amount": 1},
            currency=options.get("currency") or self.currency, date_order="DMY",
            notes=["1 refund was netted against its order.",
                   "Every date could be read as day/month or month/day (e.g. 05/03); they "
                   "were read as day/month because nothing in the file settles it. If that "
                   "is wrong, set the date order to MDY (--date-order)."])
        preview = pd.DataFrame({"Name": ["#1001", "#1002"], "Email": ["a@x.org", "b@x.org"],
                                "Created at": ["2024-01-02", "2024-01-05"],
                                "Total": ["10.00", "20.00"], "Financial Status": ["paid"] * 2})
        return SimpleNamespace(orders=pd.DataFrame(), customers=pd.DataFrame(), report=report,
                               preview=preview)

    def default_settings(self):
        return FakeSettings()

    def make_settings(self, **values):
        names = {f.name for f in dataclasses.fields(FakeSettings)}
        return FakeSettings(**{k: v for k, v in values.items() if k in names})

    def analyze(self, source, settings, *, progress=None, cancel=None):
        self.calls.append(("analyze", settings))
        self.analyze_started.set()
        steps = 200 if self.slow_analysis else 3
        for i in range(steps):
            if cancel is not None and cancel.is_set():
                raise Cancelled("cancelled")
            if progress:
                progress("Fitting", i / steps)
            if self.slow_analysis:
                threading.Event().wait(0.02)
        customers = fake_customers(self.n_customers)
        if self.with_churn_labels:
            customers["churn_label"] = np.where(customers["churn_risk"] >= 0.7, "High",
                                                np.where(customers["churn_risk"] >= 0.3,
                                                         "Medium", "Low"))
        segments = customers.groupby("tier").agg(customers=("clv", "size"),
                                                 total_value=("clv", "sum")).reset_index()
        rfm = customers.groupby("rfm_segment").agg(customers=("clv", "size")).reset_index()
        rfm["actions"] = "Say thank you"
        data = SimpleNamespace(orders=fake_orders(customers), report=source.report)
        insights = fake_insights(customers) if self.with_insights else None
        return SimpleNamespace(customers=customers, segments=segments, rfm_profiles=rfm,
                               summary={"headline": "Your top 20% of customers hold 61% of "
                                                    "expected value.",
                                        "top_tier_share_of_clv": 0.61, "method": "predictive",
                                        "currency": source.report.currency,
                                        "observation_end": "2024-01-01",
                                        "clv_basis": "BG/NBD + Gamma-Gamma",
                                        "prediction_notes": ["The range shows only the "
                                                             "randomness of future orders."]},
                               settings=settings, orders=data, insights=insights)

    def email_tools(self):
        return {"mailchimp": "Mailchimp", "generic": "Generic CSV"}

    def export_email_lists(self, customers, tool, out_dir, *, mode, include_no_consent,
                           overwrite):
        self.calls.append(("export", tool, len(customers), mode, include_no_consent))
        path = Path(out_dir) / f"{tool}_all.csv"
        if path.exists() and not overwrite:
            raise InputError(f"The export would replace {path.name}.", where=str(out_dir),
                             hint="Choose another folder or allow overwriting.")
        chosen = customers if include_no_consent else customers[customers["consent"].fillna(False)]
        left = len(customers) - len(chosen)
        if len(chosen):  # like the engine: no contact, no file
            Path(out_dir).mkdir(parents=True, exist_ok=True)
            chosen[["email", "tier"]].to_csv(path, index=False)
        return SimpleNamespace(files=[path] if len(chosen) else [], written=len(chosen),
                               left_out={"no marketing consent": left},
                               describe=lambda: [f"Wrote {len(chosen)} contacts to {path.name}.",
                                                 f"Left out {left} without marketing consent."])

    def write_excel_report(self, analysis, path):
        self.calls.append(("report", str(path)))
        Path(path).write_bytes(b"PK fake workbook")
        if self.slow_report:  # like openpyxl: cannot stop part-way
            self.report_started.set()
            self.release_report.wait(10)

    def save_results(self, analysis, out_dir):
        self.calls.append(("save_results", str(out_dir)))
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        analysis.customers.to_csv(out / "customers.csv", index=False)
        analysis.segments.to_csv(out / "segments.csv", index=False)
        (out / "summary.json").write_text("{}")
        self.write_excel_report(analysis, out / "report.xlsx")
        return [out / "customers.csv", out / "segments.csv", out / "summary.json",
                out / "report.xlsx"]

    def compare_with_previous(self, path, new_customers):
        old = pd.read_csv(path, dtype={"customer_id": str})
        if "tier" not in old.columns:
            raise InputError("The previous run's file has no 'tier' column.",
                             where=f"{Path(path).name}, row 1")
        migration = pd.crosstab(old["tier"], new_customers["tier"].to_numpy()[:len(old)])
        migration.index.name = "old tier"
        movement = pd.Series(["same"] * len(old), index=old["customer_id"], name="movement")
        return SimpleNamespace(migration=migration, movement=movement)

    def sample_path(self):
        return self.sample
