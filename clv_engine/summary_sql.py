"""Customer summaries computed where the orders live, and read back for the analysis.

:func:`summary_query` writes the SQL that turns an order table (one row per order:
customer, timestamp, amount) into one row per customer with exactly the numbers
:func:`clv_engine.summary.customer_summary` computes — orders, total value, first and
last order, ``frequency``, ``recency`` and ``T`` (in days) and ``monetary_value`` — plus
the calibration columns the model check needs (``frequency_cal``, ``recency_cal``,
``T_cal``, ``frequency_holdout`` for the holdout split the engine uses), the observation
end and the calibration end. Dialects: DuckDB, Spark SQL (Databricks) and BigQuery.

:func:`read_summary` reads that query's output (CSV or Parquet, or a DataFrame), checks
it and returns a :class:`SummaryData` that :func:`clv_engine.pipeline.analyze` takes in
place of an order file: the fit, CLV, tiers, segments and files follow as usual.

Only the summary travels: a billion order rows stay in the warehouse, and a million
customers are a few tens of MB.
"""
from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError
from .summary import summary_table, whole_day

__all__ = ["DIALECTS", "SUMMARY_FILE_COLUMNS", "SummaryData", "summary_query", "read_summary"]

DIALECTS = ("duckdb", "spark", "bigquery")

# The query's output columns, in order (email and name may be added by the user).
SUMMARY_FILE_COLUMNS = [
    "customer_id", "orders", "total_value", "first_order", "last_order", "frequency", "recency", "T",
    "monetary_value", "frequency_cal", "recency_cal", "T_cal", "frequency_holdout", "value_holdout",
    "orders_holdout", "observation_end", "calibration_end",
]
_OPTIONAL_COLUMNS = ("email", "name")
_HOLDOUT_COLUMNS = ["frequency_cal", "recency_cal", "T_cal", "frequency_holdout"]

# Per dialect: type names and the few functions that are spelled differently.
_DIALECT = {
    "duckdb": dict(
        text="VARCHAR", stamp="TIMESTAMP", real="DOUBLE", whole="BIGINT", quote='"',
        micros="epoch_us({x})", days="date_diff('day', {a}, {b})", minus_days="CAST({d} - CAST({n} AS INTEGER) AS DATE)",
    ),
    "spark": dict(
        text="STRING", stamp="TIMESTAMP", real="DOUBLE", whole="BIGINT", quote="`",
        micros="unix_micros({x})", days="datediff({b}, {a})", minus_days="date_sub({d}, CAST({n} AS INT))",
    ),
    "bigquery": dict(
        text="STRING", stamp="DATETIME", real="FLOAT64", whole="INT64", quote="`",
        micros="DATETIME_DIFF({x}, DATETIME '1970-01-01 00:00:00', MICROSECOND)",
        days="DATE_DIFF({b}, {a}, DAY)", minus_days="DATE_SUB({d}, INTERVAL CAST({n} AS INT64) DAY)",
    ),
}

_TEMPLATE = """\
-- CLV Toolkit customer summary ({label}).
-- Input: one row per order (already without cancelled or failed orders, refunds netted):
--   {customer} = customer, {date} = order time, {amount} = order value, in {table}.
-- Output: one row per customer; save it as CSV or Parquet and run
--   clv analyze --summary FILE
WITH clv_orders AS (
    SELECT * FROM (
        SELECT {customer_value} AS customer_id,
               {cast}({date} AS {stamp}) AS ordered_at,
               {cast}({amount} AS {real}) AS amount{contact_select}
        FROM {table}
    ) AS typed
    WHERE customer_id IS NOT NULL AND ordered_at IS NOT NULL AND amount IS NOT NULL
),
clv_bounds AS (
    SELECT MIN(ordered_at) AS first_at, {end_at} AS end_at
    FROM clv_orders{end_filter}
),
clv_span AS (  -- the model check holds out the last quarter of the history (at least 4 weeks, whole weeks)
    SELECT end_at, CAST(end_at AS DATE) AS end_day,
           CAST({span_micros} AS {real}) / CAST(86400000000 AS {real}) * CAST(0.25 AS {real}) / CAST(7 AS {real}) AS weeks
    FROM clv_bounds
),
clv_split AS (
    SELECT end_at, end_day,
           {cal_day} AS cal_day
    FROM (SELECT end_at, end_day,
                 GREATEST(28, 7 * CASE WHEN weeks - FLOOR(weeks) > 0.5 THEN FLOOR(weeks) + 1
                                       WHEN weeks - FLOOR(weeks) < 0.5 THEN FLOOR(weeks)
                                       WHEN MOD(CAST(FLOOR(weeks) AS {whole}), 2) = 0 THEN FLOOR(weeks)
                                       ELSE FLOOR(weeks) + 1 END) AS holdout_days
          FROM clv_span) AS h
),
clv_days AS (  -- orders on the same day are one purchase
    SELECT o.customer_id, CAST(o.ordered_at AS DATE) AS order_day, SUM(o.amount) AS day_value,
           COUNT(*) AS day_orders, MIN(o.ordered_at) AS first_at, MAX(o.ordered_at) AS last_at{contact_days}
    FROM clv_orders AS o CROSS JOIN clv_split AS s
    WHERE o.ordered_at <= s.end_at
    GROUP BY o.customer_id, CAST(o.ordered_at AS DATE)
),
clv_marked AS (
    SELECT d.*, MIN(d.order_day) OVER (PARTITION BY d.customer_id) AS first_buy_day
    FROM clv_days AS d
),
clv_customers AS (
    SELECT m.customer_id,
           CAST(SUM(m.day_orders) AS {whole}) AS orders,
           SUM(m.day_value) AS total_value,
           MIN(m.first_at) AS first_order,
           MAX(m.last_at) AS last_order,
           COUNT(*) - 1 AS frequency,
           MIN(m.first_buy_day) AS first_buy_day,
           MAX(m.order_day) AS last_buy_day,
           SUM(CASE WHEN m.order_day > m.first_buy_day THEN m.day_value ELSE 0 END) AS repeat_value,
           SUM(CASE WHEN m.order_day <= s.cal_day THEN 1 ELSE 0 END) AS cal_days,
           MAX(CASE WHEN m.order_day <= s.cal_day THEN m.order_day END) AS last_cal_buy_day,
           SUM(CASE WHEN m.order_day > s.cal_day THEN 1 ELSE 0 END) AS holdout_buy_days,
           SUM(CASE WHEN m.order_day > s.cal_day THEN m.day_value ELSE 0 END) AS holdout_value,
           SUM(CASE WHEN m.order_day > s.cal_day THEN m.day_orders ELSE 0 END) AS holdout_orders{contact_customers}
    FROM clv_marked AS m CROSS JOIN clv_split AS s
    GROUP BY m.customer_id
)
SELECT p.customer_id,
       p.orders,
       p.total_value,
       p.first_order,
       p.last_order,
       CAST(p.frequency AS {real}) AS frequency,
       CAST({recency} AS {real}) AS recency,
       CAST({T} AS {real}) AS {q}T{q},
       CASE WHEN p.frequency > 0 THEN p.repeat_value / p.frequency ELSE 0 END AS monetary_value,
       CASE WHEN p.first_buy_day <= s.cal_day THEN CAST(p.cal_days - 1 AS {real}) END AS frequency_cal,
       CASE WHEN p.first_buy_day <= s.cal_day THEN CAST({recency_cal} AS {real}) END AS recency_cal,
       CASE WHEN p.first_buy_day <= s.cal_day THEN CAST({T_cal} AS {real}) END AS T_cal,
       CASE WHEN p.first_buy_day <= s.cal_day THEN CAST(p.holdout_buy_days AS {real}) END AS frequency_holdout,
       CAST(p.holdout_value AS {real}) AS value_holdout,
       CAST(p.holdout_orders AS {whole}) AS orders_holdout,
       s.end_at AS observation_end,
       s.cal_day AS calibration_end{contact_out}
FROM clv_customers AS p CROSS JOIN clv_split AS s
ORDER BY p.first_order, p.customer_id
"""

_LABELS = {"duckdb": "DuckDB", "spark": "Spark SQL", "bigquery": "BigQuery"}


def _identifier(name: str, quote: str) -> str:
    if not name or "\n" in name or quote in name:
        raise InputError(f"{name!r} cannot be used as a column name in the query",
                         hint="Give the column's name as it appears in the table.")
    return name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) else f"{quote}{name}{quote}"


def summary_query(table: str = "orders", *, customer_id: str = "customer_id", date: str = "order_date",
                  amount: str = "amount", as_of=None, dialect: str = "duckdb", lenient: bool = False,
                  email_key: bool = False, contacts: dict | None = None) -> str:
    """The customer-summary SQL for ``dialect`` (``duckdb``, ``spark`` or ``bigquery``).

    ``table`` is put in the query as given (a table name, ``project.dataset.orders``, or in
    DuckDB a file such as ``'orders.parquet'``); the column names are quoted where needed.
    ``as_of`` (a date or timestamp) ends the observation period; by default it is the last
    order's time. Timestamps are taken as written (no time-zone conversion): in Spark, set
    ``spark.sql.session.timeZone`` to ``UTC`` so that none is applied.
    ``lenient``: rows whose date or amount does not convert, or whose customer is blank,
    are left out instead of failing the query; ``email_key``: the customer column holds
    emails, compared in lower case without spaces (as intake does). ``contacts`` (DuckDB
    only): output column -> input column, e.g. ``{"email": "Email"}``; each customer gets
    the value of their most recent order where it is not blank.
    """
    if dialect not in DIALECTS:
        raise InputError(f"unknown SQL dialect {dialect!r}", hint=f"Use one of: {', '.join(DIALECTS)}.")
    if not table or not table.strip() or ";" in table:
        raise InputError(f"{table!r} is not a table to read the orders from",
                         hint="Give a table name such as shop.orders.")
    f = _DIALECT[dialect]
    q = f["quote"]
    if as_of is None:
        end_at, end_filter = "MAX(ordered_at)", ""
    else:
        try:
            stamp = pd.Timestamp(as_of)
        except (TypeError, ValueError):
            raise InputError(f"the observation end {as_of!r} is not a date", hint="Give it as YYYY-MM-DD.") from None
        stamp = whole_day(stamp.tz_localize(None) if stamp.tzinfo else stamp)
        literal = f"{f['stamp']} '{stamp:%Y-%m-%d %H:%M:%S.%f}'"
        end_at, end_filter = literal, f"\n    WHERE ordered_at <= {literal}"
    days = f["days"]
    cast = {"duckdb": "TRY_CAST", "spark": "try_cast", "bigquery": "SAFE_CAST"}[dialect] if lenient else "CAST"
    customer_value = customer_expression(customer_id, email_key, lenient, dialect)
    contacts = dict(contacts or {})
    if contacts and dialect != "duckdb":
        raise InputError("contact columns are only added to the DuckDB query",
                         hint="Add them to the query's output yourself.")
    for name in contacts:
        if name not in _OPTIONAL_COLUMNS:
            raise InputError(f"{name!r} is not a contact column", hint=f"Use {' or '.join(_OPTIONAL_COLUMNS)}.")
    return _TEMPLATE.format(
        cast=cast, customer_value=customer_value,
        contact_select="".join(f",\n               NULLIF(TRIM(CAST({_identifier(column, q)} AS {f['text']})), '') "
                               f"AS contact_{name}" for name, column in contacts.items()),
        contact_days="".join(f",\n           arg_max(o.contact_{name}, o.ordered_at) AS contact_{name}"
                             for name in contacts),
        contact_customers="".join(f",\n           arg_max(m.contact_{name}, m.last_at) AS {name}" for name in contacts),
        contact_out="".join(f",\n       p.{name}" for name in contacts),
        label=_LABELS[dialect], table=table.strip(), customer=_identifier(customer_id, q),
        date=_identifier(date, q), amount=_identifier(amount, q), text=f["text"], stamp=f["stamp"],
        real=f["real"], whole=f["whole"], q=q if dialect != "duckdb" else '"',
        end_at=end_at, end_filter=end_filter,
        span_micros=f"{f['micros'].format(x='end_at')} - {f['micros'].format(x='first_at')}",
        cal_day=f["minus_days"].format(d="end_day", n="holdout_days"),
        recency=days.format(a="p.first_buy_day", b="p.last_buy_day"),
        T=days.format(a="p.first_buy_day", b="s.end_day"),
        recency_cal=days.format(a="p.first_buy_day", b="p.last_cal_buy_day"),
        T_cal=days.format(a="p.first_buy_day", b="s.cal_day"),
    )


def customer_expression(customer_id: str, email_key: bool = False, lenient: bool = True,
                        dialect: str = "duckdb") -> str:
    """The query's customer key of a row (see :func:`summary_query`'s ``email_key``)."""
    f = _DIALECT[dialect]
    value = f"CAST({_identifier(customer_id, f['quote'])} AS {f['text']})"
    if email_key:
        value = f"REPLACE(LOWER({value}), ' ', '')"
    if lenient or email_key:
        value = f"NULLIF(TRIM({value}), '')"
    return value


@dataclasses.dataclass
class SummaryData:
    """A customer summary read from a file: what :func:`clv_engine.pipeline.analyze` needs
    in place of orders. ``summary`` is a daily :func:`~clv_engine.summary.customer_summary`
    table; ``holdout`` the calibration columns (days) per customer; ``customers`` the
    contact columns (email, name) when the file has them."""

    summary: pd.DataFrame
    holdout: pd.DataFrame
    customers: pd.DataFrame
    source: str
    calibration_end: pd.Timestamp
    # when the summary was computed here from an order file (clv_engine.summary_duckdb)
    rows_read: int | None = None
    rows_skipped: dict = dataclasses.field(default_factory=dict)
    layout_label: str = "Customer summary (SQL)"
    notes: list = dataclasses.field(default_factory=list)

    @property
    def observation_end(self) -> pd.Timestamp:
        return self.summary.attrs["observation_end"]

    def order_data(self):
        """An :class:`~clv_engine.intake.OrderData` standing for the summary: no order
        rows, the contact columns as the customer table, every summary row used."""
        from .intake.report import IntakeReport, OrderData

        n = len(self.summary)
        rows_read = n if self.rows_read is None else int(self.rows_read)
        skipped = {reason: int(count) for reason, count in self.rows_skipped.items() if count}
        report = IntakeReport(source=self.source, layout="customer_summary",
                              layout_label=self.layout_label, columns=list(SUMMARY_FILE_COLUMNS),
                              header_row=1, rows_read=rows_read, rows_used=rows_read - sum(skipped.values()),
                              rows_skipped=skipped,
                              notes=list(self.notes) or [f"The customers' orders were summarised by the summary "
                                                         f"query up to {self.observation_end:%Y-%m-%d %H:%M:%S}."])
        orders = pd.DataFrame({"customer_id": pd.Series(dtype=str), "date": pd.Series(dtype="datetime64[ns]"),
                               "amount": pd.Series(dtype=np.float64)})
        return OrderData(orders=orders, customers=self.customers, report=report,
                         preview=self.summary.head(20).reset_index())


def _read_file(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise InputError(f"{path}: there is no such file", hint="Check the path of the summary file.")
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            try:
                return pd.read_parquet(path)
            except ImportError:
                pass
            try:  # DuckDB reads Parquet too, when it is installed
                import duckdb
            except ImportError:
                raise InputError(f"{path}: reading Parquet needs the pyarrow package",
                                 hint="Install it with: python -m pip install pyarrow (or save the summary as CSV)."
                                 ) from None
            with duckdb.connect() as con:
                return con.execute("SELECT * FROM read_parquet(?)", [str(path)]).df()
        return pd.read_csv(path, dtype={"customer_id": object, "email": object, "name": object},
                           keep_default_na=False, na_values=[""], low_memory=False)
    except InputError:
        raise
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: the summary cannot be read ({type(exc).__name__}: {str(exc)[:120]})",
                         hint="Save the query's output as CSV (with a header row) or Parquet.") from None


def _numbers(frame: pd.DataFrame, column: str, where: str, *, allow_empty: bool = False) -> np.ndarray:
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=np.float64)
    bad = ~np.isfinite(values)
    if allow_empty:
        bad &= frame[column].notna().to_numpy()
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InputError(f"{where}, row {row + 2}, column '{column}': {frame[column].iloc[row]!r} is not a number",
                         hint="Use the output of clv summary-sql as it is.")
    return values


def _stamps(frame: pd.DataFrame, column: str, where: str) -> np.ndarray:
    values = frame[column]
    if values.dtype.kind != "M":
        values = pd.to_datetime(values, errors="coerce", format="mixed")
    elif getattr(values.dtype, "tz", None) is not None:
        values = values.dt.tz_localize(None)
    bad = values.isna().to_numpy()
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InputError(f"{where}, row {row + 2}, column '{column}': {frame[column].iloc[row]!r} is not a date",
                         hint="Use the output of clv summary-sql as it is.")
    return values.to_numpy(dtype="datetime64[ns]").view(np.int64)


def read_summary(source: str | os.PathLike | pd.DataFrame) -> SummaryData:
    """Read and check the output of :func:`summary_query` (CSV or Parquet file, or a
    DataFrame). Raises :class:`InputError` naming the row and column of anything wrong."""
    if isinstance(source, pd.DataFrame):
        frame, where = source.reset_index(drop=True), "summary table"
    else:
        path = Path(source)
        frame, where = _read_file(path), str(path)
    frame.columns = [str(c) for c in frame.columns]
    missing = [c for c in SUMMARY_FILE_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(f"{where}: this is not a customer summary: there is no column {', '.join(map(repr, missing))}",
                         hint="Create it with the query of clv summary-sql, or analyse the order file itself.")
    if len(frame) == 0:
        raise InputError(f"{where}: the summary has no customers", hint="Check the query's input table.")
    ids = frame["customer_id"]
    blank = ids.isna().to_numpy() | (ids.astype(str).str.strip() == "").to_numpy()
    if blank.any():
        raise InputError(f"{where}, row {int(np.flatnonzero(blank)[0]) + 2}, column 'customer_id': no customer id",
                         hint="Leave out orders without a customer before summarising.")
    ids = pd.Index(ids.astype(str).to_numpy(dtype=object), name="customer_id", dtype=str)
    repeated = ids.duplicated()
    if repeated.any():
        row = int(np.flatnonzero(repeated)[0])
        raise InputError(f"{where}, row {row + 2}: customer {ids[row]!r} appears twice",
                         hint="A summary has one row per customer; run the query of clv summary-sql as it is.")
    orders = _numbers(frame, "orders", where)
    frequency = _numbers(frame, "frequency", where)
    recency = _numbers(frame, "recency", where)
    T = _numbers(frame, "T", where)
    total = _numbers(frame, "total_value", where)
    monetary = _numbers(frame, "monetary_value", where)
    first_ns = _stamps(frame, "first_order", where)
    last_ns = _stamps(frame, "last_order", where)
    ends = _stamps(frame, "observation_end", where)
    cal_ends = _stamps(frame, "calibration_end", where)
    for name, values in (("observation_end", ends), ("calibration_end", cal_ends)):
        if (values != values[0]).any():
            row = int(np.flatnonzero(values != values[0])[0])
            raise InputError(f"{where}, row {row + 2}, column '{name}': differs from the first row",
                             hint="The whole summary must come from one run of the query.")
    impossible = ((orders < 1) | (orders != np.round(orders)) | (frequency < 0) | (frequency > orders - 1)
                  | (frequency != np.round(frequency)) | (recency < 0) | (recency > T) | (first_ns > last_ns)
                  | (last_ns > ends[0]))
    if impossible.any():
        row = int(np.flatnonzero(impossible)[0])
        raise InputError(f"{where}, row {row + 2}: the numbers of customer {ids[row]!r} contradict each other "
                         "(orders, frequency, recency, T, first and last order)",
                         hint="Use the output of clv summary-sql as it is.")
    holdout_values = {c: _numbers(frame, c, where, allow_empty=True) for c in _HOLDOUT_COLUMNS}
    end = pd.Timestamp(ends[0])
    table = summary_table(ids, orders.astype(np.int64), total, first_ns, last_ns, end, frequency, recency, T,
                          monetary)
    table.attrs.update(observation_end=end, freq="D", freq_multiplier=1)
    holdout_values.update(value_holdout=_numbers(frame, "value_holdout", where),
                          orders_holdout=_numbers(frame, "orders_holdout", where), value=total, orders=orders)
    holdout = pd.DataFrame(holdout_values, index=ids, copy=False)
    calibration_end = pd.Timestamp(cal_ends[0]).normalize()
    holdout.attrs["calibration_end"] = calibration_end
    contacts = pd.DataFrame(index=ids)
    for column in _OPTIONAL_COLUMNS:
        if column in frame.columns:
            contacts[column] = frame[column].fillna("").astype(str).to_numpy(dtype=object)
    return SummaryData(summary=table, holdout=holdout, customers=contacts, source=where,
                       calibration_end=calibration_end)
