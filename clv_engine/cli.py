"""The ``clv`` command line: ``clv analyze FILE`` and ``clv demo``.

Exit status: 0 on success, 2 on bad input, a file that cannot be read, an output folder
that cannot be written or a full disk (one-line message on stderr, nothing written), 130
when interrupted, 1 on an unexpected internal error (short message; the details go to a
log file without customer data). Warnings (e.g. from a model fit) are printed as notes
with the results, never as extra lines on stderr; ``-q`` prints nothing but an error.
"""
from __future__ import annotations

import argparse
import logging
import os
import re
import sys
import tempfile
import time
import traceback
from pathlib import Path

from . import __version__
from .errors import Cancelled, ClvError, InputError, command_line_text
from .errors import count_text as _count
from .intake import DESCRIPTIVE_ROLES, ROLES
from .intake.presets import LAYOUTS
from .memory import tune_memory_allocator

DEMO_EXPORTS = ("mailchimp", "klaviyo", "hubspot", "brevo", "activecampaign", "generic")


class _Progress:
    """Progress on stderr as a bar, only when stderr is a terminal.

    Nothing is shown for a run that finishes within a moment.
    """

    def __init__(self, stream=None, quiet: bool = False, delay: float = 0.4):
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.delay = delay
        self.start = time.monotonic()
        self.last_step = None
        self.last_draw = 0.0
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.drawn = False
        self.reached = 0.0

    def __call__(self, step: str, fraction: float) -> None:
        if self.quiet or not self.tty:
            return
        fraction = self.reached = max(fraction, self.reached)  # the bar never goes back
        now = time.monotonic()
        if now - self.start < self.delay:
            return
        if now - self.last_draw < 0.1 and step == self.last_step:
            return
        width = 24
        filled = int(round(fraction * width))
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {fraction:4.0%} {step[:40]:<40}")
        self.stream.flush()
        self.drawn = True
        self.last_step = step
        self.last_draw = now

    def finish(self) -> None:
        if self.drawn:
            self.stream.write("\r" + " " * 72 + "\r")
            self.stream.flush()


def _parse_map(values: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for item in values or []:
        role, sep, column = item.partition("=")
        role = role.strip().lower()
        if not sep or not role:
            raise InputError(f"--map {item!r} is not ROLE=COLUMN", hint="Write it like --map date=\"Order Date\".")
        column = column.strip()
        if column in ('""', "''"):  # --map consent='""': the shell kept the quotes of an empty column
            column = ""
        # an empty column switches the role off (--map consent= : no consent column)
        if role not in ROLES and role not in DESCRIPTIVE_ROLES:
            raise InputError(f"--map: unknown role {role!r}", hint=f"Roles are: {', '.join(ROLES + DESCRIPTIVE_ROLES)}.")
        if role in mapping:
            raise InputError(f"--map gives the role {role!r} twice", hint="Give each role once.")
        mapping[role] = column
    return mapping


def _csv_list(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split(",") if p.strip()]


def _add_analysis_options(parser: argparse.ArgumentParser, default_out: str) -> None:
    g = parser.add_argument_group("CLV")
    g.add_argument("--method", choices=("auto", "predictive", "historical", "simple", "retention"), default="auto",
                   help="auto (default): predictive, or simple when the data is too thin; predictive: a model "
                        "of each customer's buying rhythm, checked on the last part of your history, for the "
                        "next --horizon months; historical: value to date; simple: average order value × "
                        "orders per year × lifespan; retention: yearly margin × r/(1+d-r)")
    g.add_argument("--model", choices=("auto", "bgnbd", "mbgnbd", "paretonbd"), default="auto",
                   help="predictive model (default: chosen on your own data)")
    g.add_argument("--horizon", type=int, default=12, metavar="MONTHS", help="prediction horizon (default 12)")
    g.add_argument("--discount-rate", type=float, default=0.10, metavar="RATE", help="yearly, e.g. 0.1 (default)")
    g.add_argument("--margin", type=float, default=1.0, metavar="FRACTION", help="gross margin, e.g. 0.4 (default 1)")
    g.add_argument("--acquisition-cost", type=float, default=0.0, metavar="AMOUNT",
                   help="cost to win a customer (default: not given)")
    g.add_argument("--channel-cost", action="append", default=[], metavar="CHANNEL=AMOUNT",
                   help="cost to win a customer per sales channel, e.g. instagram=40 (repeatable)")
    g.add_argument("--ad-spend", default=None, metavar="CSV",
                   help="monthly ad spend (columns month, spend and optionally channel): cost per customer won")
    g.add_argument("--lifespan", type=float, default=None, metavar="YEARS",
                   help="expected customer lifespan for the simple formula (default: measured)")
    g.add_argument("--retention", type=float, default=None, metavar="RATE",
                   help="yearly retention for --method retention, e.g. 0.6 (default: measured)")
    g.add_argument("--as-of", default=None, metavar="DATE", help="observation end (default: last order date)")
    t = parser.add_argument_group("tiers")
    t.add_argument("--tiers", default="20,50,30", metavar="SHARES",
                   help="percent of customers per tier, best first (default 20,50,30)")
    t.add_argument("--tier-names", default=None, metavar="NAMES",
                   help="tier names, best first (default High,Medium,Low for three tiers, else Tier 1, Tier 2 …)")
    t.add_argument("--thresholds", default=None, metavar="VALUES",
                   help="tier by minimum value instead of shares, e.g. 1000,200")
    t.add_argument("--value-column", default="clv",
                   help="customers.csv column to rank by, e.g. total_value (default clv)")
    t.add_argument("--playbook", default=None, metavar="FILE",
                   help="your own actions: a CSV with the columns segment, action, tag (one row per action)")
    o = parser.add_argument_group("output")
    o.add_argument("--out", default=default_out, metavar="DIR", help=f"output folder (default {default_out})")
    o.add_argument("--export", default="", metavar="TOOLS",
                   help="email lists to write, of customers who agreed to marketing email: "
                        "mailchimp,klaviyo,hubspot,brevo,activecampaign,generic (default: none; demo: all)")
    o.add_argument("--export-mode", choices=("per-tier", "tagged", "single"), default="per-tier",
                   help="per-tier: one file per tier (default); tagged (or single): one file, tiers as tags")
    o.add_argument("--include-no-consent", action="store_true", help="also export contacts without consent, marked as such: opt-outs in <tool>_opted-out.csv, "
                   "no statement in <tool>_not-subscribed.csv (Klaviyo and generic: a consent column)")
    o.add_argument("--overwrite", action="store_true",
                   help="allow replacing the email lists of an earlier run in --out (result files are always "
                        "replaced; lists this run does not write are removed)")
    o.add_argument("--compare", default=None, metavar="OLD_CSV",
                   help="customers.csv of an earlier run: who moved between tiers (migration.csv)")
    o.add_argument("--no-report", action="store_true", help="skip report.xlsx")
    o.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
    o.add_argument("--debug", action="store_true", help="show internal details of unexpected errors")


class _Parser(argparse.ArgumentParser):
    """Option mistakes end with one line (and exit status 2), like every other bad input."""

    def error(self, message):
        # a subcommand's parser has the prog "clv analyze": its own help is the one to read
        self.exit(2, f"clv: error: {' '.join(str(message).split())}. See '{self.prog} --help'.\n")


# the layouts of order files (customer lists are refused, not forced)
_ORDER_LAYOUTS = [k for k in LAYOUTS if not k.endswith("_customers") and k != "customer_summary"]


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="clv", description="Customer lifetime value from your shop's order export.", allow_abbrev=False)
    parser.add_argument("--version", action="version", version=f"clv {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    analyze = sub.add_parser("analyze", aliases=["analyse"], allow_abbrev=False,
                             help="analyse an order export (CSV, XLSX, XLS, ODS)",
                             description="Analyse an order export and write customers, tiers, lists and a report.")
    analyze.add_argument("file", help="the order export")
    analyze.add_argument("--sheet", default=None,
                         help="sheet of a workbook (default: the sheet of orders, with the sheets that share its "
                              "columns)")
    analyze.add_argument("--map", action="append", default=[], metavar="ROLE=COLUMN",
                         help=f"use COLUMN for ROLE (repeatable); roles: {', '.join(ROLES + DESCRIPTIVE_ROLES)}")
    analyze.add_argument("--layout", default=None,
                         help=f"force an export layout (default: recognised): {', '.join(_ORDER_LAYOUTS)}")
    analyze.add_argument("--date-order", choices=("DMY", "MDY", "YMD"), default=None,
                         help="settle ambiguous dates like 03/04/2025")
    analyze.add_argument("--currency", default=None, help="analyse this currency when the file has several")
    analyze.add_argument("--summary", action="store_true",
                         help="FILE is a customer summary (CSV or Parquet) made by the query of clv summary-sql")
    analyze.add_argument("--duckdb", action="store_true",
                         help="summarise a plain order table (CSV or Parquet, one row per order) with DuckDB: "
                              "for files larger than memory")
    analyze.add_argument("--exclude-non-product", action="store_true",
                         help="leave out lines that are not products (postage, shipping, fees, manual adjustments, "
                              "discount lines); by default they count and are reported")
    analyze.add_argument("--duplicates", choices=("auto", "drop", "keep"), default="auto",
                         help="rows repeating an earlier row exactly: auto (default) counts a copy once when it "
                              "carries an order number or a time of day, drop always counts it once, keep never")
    _add_analysis_options(analyze, "clv-results")
    sql = sub.add_parser("summary-sql", allow_abbrev=False, help="print the customer-summary SQL to run where the orders live",
                         description="Print the SQL that summarises an order table per customer (DuckDB, Spark "
                                     "SQL or BigQuery); save its output as CSV or Parquet and run "
                                     "clv analyze --summary FILE.")
    sql.add_argument("--dialect", choices=("duckdb", "spark", "bigquery"), default="duckdb",
                     help="SQL dialect (default duckdb)")
    sql.add_argument("--table", default="orders",
                     help="table (or in DuckDB a file such as 'orders.parquet'; default orders)")
    sql.add_argument("--customer", default="customer_id", metavar="COLUMN", help="customer column (customer_id)")
    sql.add_argument("--date", default="order_date", metavar="COLUMN", help="order time column (order_date)")
    sql.add_argument("--amount", default="amount", metavar="COLUMN", help="order value column (amount)")
    sql.add_argument("--as-of", default=None, metavar="DATE", help="observation end (default: last order)")
    sql.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    demo = sub.add_parser("demo", allow_abbrev=False, help="run the whole analysis on bundled sample data",
                          description="Run the whole analysis on a bundled sample Shopify export.")
    _add_analysis_options(demo, "clv-demo")
    return parser


def _settings_from_args(args, *, demo: bool):
    from .pipeline import Settings

    exports = _csv_list(args.export) or (list(DEMO_EXPORTS) if demo else [])
    thresholds = None
    if args.thresholds:
        try:
            thresholds = [float(v) for v in _csv_list(args.thresholds)]
        except ValueError:
            raise InputError(f"--thresholds {args.thresholds!r} is not a list of numbers",
                             hint="Write it like --thresholds 1000,200.") from None
    return Settings(
        method=args.method, model=args.model, horizon_months=args.horizon, discount_rate=args.discount_rate,
        margin=args.margin, acquisition_cost=args.acquisition_cost, lifespan_years=args.lifespan,
        retention_rate=args.retention,
        channel_costs=",".join(args.channel_cost) or None, ad_spend=args.ad_spend,
        tier_splits=args.tiers, tier_names=_csv_list(args.tier_names) or None, tier_thresholds=thresholds,
        value_column=args.value_column, sheet=getattr(args, "sheet", None),
        mapping=_parse_map(getattr(args, "map", [])) or None, layout=getattr(args, "layout", None),
        date_order=getattr(args, "date_order", None), currency=getattr(args, "currency", None),
        duplicates=getattr(args, "duplicates", "auto"),
        exclude_non_product=getattr(args, "exclude_non_product", False),
        observation_end=args.as_of, exports=exports, export_mode=args.export_mode,
        include_no_consent=args.include_no_consent, compare=args.compare, playbook=args.playbook,
        report=not args.no_report,
    )


def _print_result(analysis, files, out_dir: Path, stream, warnings_seen=()) -> None:
    from .pipeline import plain_method

    s = analysis.summary
    skipped = sum(s["rows_skipped"].values())
    lines = [
        f"{s['layout_label']}: {_count(s['rows_read'], 'row')} read, {s['rows_used']:,} used, {skipped:,} skipped"
        + (" (" + ", ".join(f"{n:,} {r}" for r, n in sorted(s['rows_skipped'].items(), key=lambda kv: -kv[1])) + ")"
           if skipped else ""),
        *(f"  Note: {note}" for note in s.get("intake_notes", [])),
        f"{_count(s['customers'], 'customer')}, {_count(s['orders'], 'order')} up to {s['observation_end']}.",
        f"Method: {s['method']} — {plain_method(s) or s['clv_basis']}",
        *(f"  Note: {note}" for note in s.get("prediction_notes", [])),
        *(f"  Note: {note}" for note in warnings_seen),
        s["headline"],
        _total_line(s, analysis.customers),
        *(f"  {line}" for line in (s.get("insights") or {}).get("findings", [])[:3]),
        *(f"  {line}" for line in (s.get("insights") or {}).get("not_profiled", [])),
    ]
    for export in s.get("exports", []):
        lines.extend(export["description"])
    lines.append(f"Wrote {_count(len(files), 'file')} to {out_dir}")
    stream.write(visible("\n".join(lines)) + "\n")


# Characters of a file's cells that a terminal would act on instead of showing (escape
# sequences that recolour or rewrite the screen, direction overrides): shown as \x1b, \u202e.
_TERMINAL_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """``text`` with terminal control characters written out (line breaks and tabs kept)."""
    return _TERMINAL_CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256
                                  else f"\\u{ord(m.group()):04x}", text)


def _total_line(summary: dict, customers) -> str:
    """The line "Total expected value over the next 12 months: €40,435; €14 per customer on average."."""
    from .pipeline import value_words
    from .segments.findings import money_text

    column = (summary.get("settings") or {}).get("value_column", "clv")
    total = float(customers[column].sum()) if column in customers.columns else float(summary.get("total_clv") or 0)
    money = money_text(summary.get("currency"))
    each = money(total / len(customers)) if len(customers) else money(0)
    return f"Total {value_words(summary, column)}: {money(total)}; {each} per customer on average."


def _log_internal_error(exc: BaseException) -> Path | None:
    """Keep the details of an unexpected error in a log file (no customer data in it)."""
    try:
        path = Path(tempfile.gettempdir()) / "clv-toolkit-error.log"
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"--- clv {__version__} {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
            # where it happened and the kind of error, not its message (which can quote a cell)
            frames = traceback.extract_tb(exc.__traceback__)[-8:]
            handle.write("".join(traceback.format_list(frames)) + f"{type(exc).__module__}.{type(exc).__name__}\n")
        return path
    except OSError:
        return None


class _Notes(logging.Handler):
    """Warnings of a run (Python warnings and log records at WARNING and above), kept to be
    printed as notes with the results instead of as stray lines on stderr."""

    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.add(record.getMessage())

    def add(self, text) -> None:
        line = " ".join(str(text).split())
        if line and line not in self.lines:
            self.lines.append(line)


def _read(source, settings, progress):
    """The orders of ``source``; any failure to read the file is a problem of the input
    (exit 2 with one line), not a crash."""
    from .pipeline import read_orders_with

    try:
        return read_orders_with(source, settings, progress=lambda step, fraction: progress(step, 0.35 * fraction))
    except (ClvError, KeyboardInterrupt):
        raise
    except MemoryError:
        raise InputError("the file is too large for the memory of this computer.", where=str(source),
                         hint="For a plain order table (customer, date, amount) add --duckdb, which reads files "
                              "larger than memory; or split the export into smaller periods.") from None
    except Exception as exc:  # noqa: BLE001 - a file this program cannot read
        _log_internal_error(exc)
        if "field larger than field limit" in str(exc):
            raise InputError("a cell holds more than 128 KB of text, far more than any order export cell.",
                             where=str(source), hint="Check that this is the order export; remove the oversized "
                                                     "cell (often a pasted note or image) and try again.") from None
        detail = " ".join(str(exc).split())[:120]
        raise InputError(f"the file could not be read ({type(exc).__name__}{': ' + detail if detail else ''}).",
                         where=str(source),
                         hint="Check that it is an order export (CSV, XLSX, XLS or ODS); export it again or save it "
                              "as CSV UTF-8.") from None


def _run(args, *, demo: bool, notes: _Notes) -> int:
    import warnings

    from .pipeline import analyze

    settings = _settings_from_args(args, demo=demo)
    settings.validate()
    progress = _Progress(quiet=args.quiet)
    report = progress
    if demo:
        from .sample import sample_path

        source = sample_path()
    elif getattr(args, "summary", False) or getattr(args, "duckdb", False):
        flag = "--summary" if args.summary else "--duckdb"
        given = [name for name, value in (("--sheet", args.sheet), ("--map", args.map and args.summary),
                                          ("--layout", args.layout), ("--date-order", args.date_order),
                                          ("--currency", args.currency), ("--duckdb", args.summary and args.duckdb))
                 if value]
        if given:
            raise InputError(f"{', '.join(given)} cannot be used with {flag}", hint=f"Leave out {', '.join(given)}.")
        if args.summary:
            from .summary_sql import read_summary

            source = read_summary(args.file)
        else:
            from .summary_duckdb import summarise_with_duckdb

            source = summarise_with_duckdb(args.file, mapping=_parse_map(args.map) or None, as_of=args.as_of,
                                           progress=lambda step, fraction: progress(step, 0.3 * fraction))
            report = lambda step, fraction: progress(step, 0.3 + 0.7 * fraction)  # noqa: E731
    else:
        source = Path(args.file)
    out_dir = Path(args.out)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            data = _read(source, settings, report) if isinstance(source, Path) else source
            analysis = analyze(data, settings, progress=lambda step, fraction: report(step, 0.95 * fraction))
            progress("Writing results", 0.95)
            files = analysis.write(out_dir, overwrite_exports=args.overwrite or demo)
        for warning in caught:
            notes.add(warning.message)
    finally:
        progress.finish()
    if not args.quiet:
        _print_result(analysis, files, out_dir, sys.stdout, notes.lines)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if args.command == "analyse":
        args.command = "analyze"
    if unknown:  # pointed to the help of the command they were given to
        where = f"clv {args.command}" if args.command else "clv"
        parser.exit(2, f"clv: error: unrecognized arguments: {' '.join(unknown)}. See '{where} --help'.\n")
    if args.command is None:
        parser.print_help()
        return 2
    notes = _Notes()
    if args.debug:
        logging.basicConfig(level=logging.DEBUG, format="%(levelname)s: %(message)s")
    else:
        root = logging.getLogger()
        root.addHandler(notes)
        root.setLevel(logging.WARNING)
    tune_memory_allocator()
    try:
        if args.command == "summary-sql":
            from .summary_sql import summary_query

            sys.stdout.write(summary_query(args.table, customer_id=args.customer, date=args.date,
                                           amount=args.amount, as_of=args.as_of, dialect=args.dialect))
            return 0
        return _run(args, demo=args.command == "demo", notes=notes)
    except (Cancelled, KeyboardInterrupt):
        sys.stderr.write("clv: cancelled\n")
        return 130
    except ClvError as exc:
        sys.stderr.write(f"clv: error: {visible(command_line_text(exc))}\n")
        return 2
    except MemoryError:
        sys.stderr.write("clv: error: not enough memory for this file. For a plain order table (customer, date, "
                         "amount) add --duckdb, which reads files larger than memory; or split the export into "
                         "smaller periods.\n")
        return 2
    except Exception as exc:  # noqa: BLE001 - last line of defence: never a traceback
        if args.debug:
            raise
        where = _log_internal_error(exc)
        sys.stderr.write(
            f"clv: internal error ({type(exc).__name__}). This is a bug in CLV Toolkit, not in your file."
            + (f" Details (no customer data) are in {where}." if where else "") + "\n")
        return 1
    finally:
        logging.getLogger().removeHandler(notes)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
