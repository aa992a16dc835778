"""Order files larger than memory: the customer summary computed by DuckDB.

``clv analyze FILE --duckdb`` reads a plain order table (one row per order: customer,
date, amount; CSV or Parquet, one file or a glob) with DuckDB, an embedded SQL engine that
streams the file in parallel and spills to disk instead of holding the rows in memory. The
query is :func:`clv_engine.summary_sql.summary_query`'s; only the per-customer summary
(about 100 bytes a customer) comes into Python, and the analysis continues from it as with
``clv analyze --summary``.

Which column is which is found by intake on the first rows. Files that need intake's
cleaning (platform exports with statuses, refunds or line items; dates like 03/04/2025;
amounts with currency signs or decimal commas) are refused with a message saying so:
they are analysed without ``--duckdb``. Rows of a plain table whose customer is blank or
whose date or amount does not read are left out and counted by reason.
"""
from __future__ import annotations

import threading
import time
from pathlib import Path

import pandas as pd

from .errors import InputError
from .summary_sql import SummaryData, customer_expression, read_summary, summary_query

__all__ = ["summarise_with_duckdb", "SAMPLE_ROWS"]

SAMPLE_ROWS = 2000
_PLAIN_ROLES = {"customer_id", "email", "name", "date", "amount", "consent", "order_id"}


def _connect():
    try:
        import duckdb
    except ImportError:
        raise InputError("--duckdb needs the duckdb package",
                         hint='Install it with: python -m pip install duckdb (or ".[sql]"), or leave out --duckdb.'
                         ) from None
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    return con


def _source_sql(path: str) -> str:
    if "'" in path:
        raise InputError(f"{path}: a file name with a quote cannot be read with --duckdb",
                         hint="Rename the file, or leave out --duckdb.")
    lowered = path.lower()
    if lowered.endswith((".parquet", ".pq")):
        return f"read_parquet('{path}')"
    if lowered.endswith((".csv", ".txt", ".tsv", ".csv.gz")):
        return f"read_csv('{path}', all_varchar = true, header = true)"
    raise InputError(f"{path}: --duckdb reads CSV or Parquet files",
                     hint="Save the orders as CSV or Parquet, or leave out --duckdb.")


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _columns(con, source: str, path: str, mapping: dict | None) -> tuple[str, str, str, bool, dict]:
    """(customer column, date column, amount column, customer is an email, contact
    columns), found by intake on the first rows; refuses files that need intake's
    cleaning."""
    from .intake import read_orders

    try:
        sample = con.execute(f"SELECT * FROM {source} LIMIT {SAMPLE_ROWS}").df()
    except Exception as exc:  # duckdb raises its own error classes
        raise InputError(f"{path}: DuckDB cannot read the file ({str(exc).splitlines()[0][:160]})",
                         hint="Check the file, or leave out --duckdb.") from None
    if sample.empty:
        raise InputError(f"{path}: the file has no rows", hint="Check the file.")
    text = sample.astype(object).where(sample.notna(), "").astype(str)
    data = read_orders(text, mapping=mapping)
    report = data.report
    extra = sorted(set(report.mapping) - _PLAIN_ROLES)
    line_items = "order_id" in report.mapping and data.orders["row"].size < (
        len(text) - sum(report.rows_skipped.values()))
    if report.layout != "generic" or extra or line_items or report.refunds_netted:
        what = report.layout_label if report.layout != "generic" else (
            f"an order list with {', '.join(extra)} columns" if extra else "an order list with line items")
        raise InputError(f"{path} is {what}: --duckdb reads plain order tables (one row per order with "
                         "customer, date and amount)",
                         hint="Analyse it without --duckdb (intake merges line items, leaves out cancelled "
                              "orders and nets refunds).")
    customer = report.mapping.get("customer_id") or report.mapping.get("email")
    if not customer or "date" not in report.mapping or "amount" not in report.mapping:
        raise InputError(f"{path}: no customer id or email, date and amount columns were recognised",
                         hint="Name them with --map customer_id=COLUMN --map date=COLUMN --map amount=COLUMN.")
    date, amount = report.mapping["date"], report.mapping["amount"]
    # values that need intake's parsing (dates like 03/04/2025, "$1,240.00", "12,50")
    check = con.execute(
        f"SELECT COUNT(*) FILTER (WHERE TRY_CAST({_quoted(date)} AS TIMESTAMP) IS NULL "
        f"AND NULLIF(TRIM(CAST({_quoted(date)} AS VARCHAR)), '') IS NOT NULL), "
        f"COUNT(*) FILTER (WHERE TRY_CAST({_quoted(amount)} AS DOUBLE) IS NULL "
        f"AND NULLIF(TRIM(CAST({_quoted(amount)} AS VARCHAR)), '') IS NOT NULL), COUNT(*) "
        f"FROM (SELECT * FROM {source} LIMIT {SAMPLE_ROWS})").fetchone()
    if check[0] > check[2] // 20 or check[1] > check[2] // 20:
        column, example = (date, "dates like 2025-03-04 14:30") if check[0] > check[2] // 20 else (
            amount, "plain numbers like 1240.50")
        raise InputError(f"{path}, column '{column}': --duckdb reads {example}, and this column is written "
                         "otherwise", hint="Analyse the file without --duckdb (intake reads every common format).")
    contacts = {role: report.mapping[role] for role in ("email", "name")
                if role in report.mapping and report.mapping[role] != customer}
    used = {customer, date, amount, *contacts.values(), *(mapping or {}).values()}
    consent = _consent_columns(con, source, text, used, mapping)
    return customer, date, amount, customer != report.mapping.get("customer_id"), contacts, consent


def _consent_columns(con, source: str, text: pd.DataFrame, used: set, mapping: dict | None) -> list:
    """The file's consent columns ``[(header, opt-out column?)]``, found as intake finds them,
    on the first rows and, for headers that name consent, on the column's first filled cells
    anywhere in the file (a consent column added to the checkout later is blank on every
    older order)."""
    from .intake.consent import _header_kind, consent_columns

    fixed = {"consent": mapping["consent"]} if mapping and mapping.get("consent") else None
    if fixed:
        return consent_columns(text, {}, fixed=fixed).columns
    body = {}
    for header in text.columns:
        if header in used:
            continue
        cells = text[header]
        if _header_kind(header) is not None and not (cells.str.strip() != "").any():
            column = _quoted(header)
            cells = con.execute(f"SELECT CAST({column} AS VARCHAR) FROM {source} WHERE "
                                f"NULLIF(TRIM(CAST({column} AS VARCHAR)), '') IS NOT NULL LIMIT {SAMPLE_ROWS}"
                                ).df().iloc[:, 0].astype(str)
        body[header] = cells.reset_index(drop=True)
    if not body:
        return []
    frame = pd.DataFrame(body).fillna("").astype(str)
    return consent_columns(frame, {}).columns


def _consent_query(source: str, customer_value: str, date: str, columns: list) -> str:
    """Each customer's consent statements at their latest moment with one (and those on rows
    without a readable date): what :func:`~clv_engine.intake.consent.latest_consent` needs,
    about one row per customer instead of one per order."""
    cells = ", ".join(f"NULLIF(TRIM(CAST({_quoted(h)} AS VARCHAR)), '') AS v{i}" for i, (h, _) in enumerate(columns))
    said = " OR ".join(f"v{i} IS NOT NULL" for i in range(len(columns)))
    return (f"WITH c AS (SELECT {customer_value} AS customer_id, TRY_CAST({_quoted(date)} AS TIMESTAMP) AS t, "
            f"{cells} FROM {source}), "
            f"s AS (SELECT *, MAX(t) OVER (PARTITION BY customer_id) AS latest FROM c "
            f"WHERE customer_id IS NOT NULL AND ({said})) "
            f"SELECT DISTINCT customer_id, t, {', '.join(f'v{i}' for i in range(len(columns)))} FROM s "
            f"WHERE t = latest OR t IS NULL")


def _customer_consent(frame: pd.DataFrame, columns: list, ids: pd.Index) -> pd.arrays.BooleanArray:
    """Each summary customer's consent from :func:`_consent_query`'s rows, by intake's rules."""
    from .intake.consent import latest_consent, row_statements

    cells = [(frame[f"v{i}"].astype(object).where(frame[f"v{i}"].notna(), "").astype(str), inverted)
             for i, (_, inverted) in enumerate(columns)]
    statements = row_statements(cells, len(frame))
    codes = ids.get_indexer(pd.Index(frame["customer_id"].astype(str).to_numpy(dtype=object)))
    stamps = pd.to_datetime(frame["t"]).to_numpy(dtype="datetime64[ns]")
    value, _ = latest_consent(statements, stamps, codes, len(ids))
    return value


def _run_with_progress(con, sql: str, progress, step: str, start: float, end: float):
    """Run ``sql`` and return its result as a DataFrame, reporting DuckDB's progress."""
    result: dict = {}

    def work():
        try:
            result["frame"] = con.execute(sql).df()
        except BaseException as exc:  # handed to the caller's thread
            result["error"] = exc

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(0.25)
        if progress is not None:
            try:
                done = float(con.query_progress())
            except Exception:  # noqa: BLE001 - progress is best effort
                done = -1.0
            if done >= 0:
                progress(step, start + (end - start) * min(done, 100.0) / 100.0)
    if "error" in result:
        exc = result["error"]
        if isinstance(exc, (KeyboardInterrupt, InputError)):
            raise exc
        raise InputError(f"DuckDB could not summarise the orders ({str(exc).splitlines()[0][:160]})",
                         hint="Check the file, or leave out --duckdb.") from None
    return result["frame"]


def summarise_with_duckdb(path, *, mapping: dict | None = None, as_of=None, progress=None) -> SummaryData:
    """The customer summary of the order file ``path`` (CSV or Parquet, or a glob of
    them), computed by DuckDB; returns a :class:`SummaryData` for
    :func:`clv_engine.pipeline.analyze`. ``progress(step, fraction)`` is called while the
    file is read (fraction 0 to 1)."""
    path = str(path)
    if not any(c in path for c in "*?[") and not Path(path).exists():
        raise InputError(f"{path}: there is no such file", hint="Check the path.")
    con = _connect()
    started = time.monotonic()
    try:
        source = _source_sql(path)
        customer, date, amount, email_key, contacts, consent = _columns(con, source, path, mapping)
        if progress is not None:
            progress("Counting rows (DuckDB)", 0.0)
        customer_value = f"NULLIF(TRIM(CAST({_quoted(customer)} AS VARCHAR)), '')"
        counts = _run_with_progress(con, (
            f"SELECT COUNT(*) AS rows_read, "
            f"COUNT(*) FILTER (WHERE {customer_value} IS NULL) AS no_customer, "
            f"COUNT(*) FILTER (WHERE {customer_value} IS NOT NULL AND TRY_CAST({_quoted(date)} AS TIMESTAMP) IS NULL)"
            f" AS bad_date, "
            f"COUNT(*) FILTER (WHERE {customer_value} IS NOT NULL AND TRY_CAST({_quoted(date)} AS TIMESTAMP) "
            f"IS NOT NULL AND TRY_CAST({_quoted(amount)} AS DOUBLE) IS NULL) AS bad_amount FROM {source}"),
            progress, "Counting rows (DuckDB)", 0.0, 0.3).iloc[0]
        query = summary_query(source, customer_id=customer, date=date, amount=amount, as_of=as_of,
                              lenient=True, email_key=email_key, contacts=contacts)
        frame = _run_with_progress(con, query, progress, "Summarising customers (DuckDB)", 0.3,
                                   0.85 if consent else 1.0)
        said = None
        if consent:
            said = _run_with_progress(con, _consent_query(source, customer_expression(customer, email_key), date,
                                                          consent),
                                      progress, "Reading marketing consent (DuckDB)", 0.85, 1.0)
    finally:
        con.close()
    if frame.empty:
        raise InputError(f"{path}: no row has a customer, a readable date and a readable amount",
                         hint="Check the file's columns, or analyse it without --duckdb.")
    data = read_summary(frame)
    data.source = path
    data.rows_read = int(counts["rows_read"])
    data.rows_skipped = {"no customer": int(counts["no_customer"]), "unreadable date": int(counts["bad_date"]),
                         "unreadable amount": int(counts["bad_amount"])}
    if email_key and "email" not in data.customers.columns:  # the customer key is the email address
        data.customers["email"] = data.customers.index.to_numpy(dtype=object)
    if said is not None:
        data.customers["consent"] = _customer_consent(said, consent, data.customers.index)
    data.layout_label = "Order table summarised by DuckDB"
    consent_text = f", marketing consent {', '.join(repr(h) for h, _ in consent)}" if consent else ""
    data.notes = [f"Columns used: customer '{customer}', date '{date}', amount '{amount}'{consent_text}. The orders "
                  f"were summarised by DuckDB in {time.monotonic() - started:.0f} s; skipped rows are counted by "
                  "reason, not listed."]
    return data
