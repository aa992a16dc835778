"""Every ``clv`` command shown in README.md and docs/*.md runs as written (exit 0) on sample data.

Commands are the lines starting with ``clv `` inside fenced code blocks. The files they
name are made from the bundled sample shop before the run: an order CSV or workbook with
the sheet and column names the command asks for (``--sheet``, ``--map``), a monthly
ad-spend file for ``--ad-spend`` and an earlier run's customers.csv for ``--compare``.
"""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import pandas as pd
import pytest

from clv_engine import cli
from clv_engine.intake import read_orders
from clv_engine.sample import sample_path

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_LINES = 3000  # the first orders of the sample shop keep each run short


def documented_commands() -> list[tuple[str, str]]:
    found = []
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        inside, pending = False, ""
        for line in doc.read_text(encoding="utf-8").splitlines():
            if line.strip().startswith("```"):
                inside, pending = not inside, ""
                continue
            if not inside:
                continue
            text = (pending + " " + line.strip()).strip() if pending else line.strip().lstrip("$ ").strip()
            if text.endswith("\\"):  # continued on the next line
                pending = text[:-1].strip() if pending or text.startswith("clv ") else ""
                continue
            pending = ""
            if text.startswith("clv "):
                found.append((doc.name, text))
    return found


COMMANDS = documented_commands()


def test_the_docs_show_commands():
    assert any(command.startswith("clv analyze") for _, command in COMMANDS)


def _arguments(command: str) -> list[str]:
    words = shlex.split(command, comments=True)
    assert words[0] == "clv"
    if ">" in words:  # output redirected by the shell: the test reads the output itself
        words = words[:words.index(">")]
    return words[1:]


def _option(args: list[str], name: str) -> list[str]:
    return [args[i + 1] for i, a in enumerate(args[:-1]) if a == name]


def _prepare_inputs(args: list[str], folder: Path) -> None:
    lines = sample_path().read_text(encoding="utf-8").splitlines()[:SAMPLE_LINES]
    orders_csv = folder / "_sample.csv"
    orders_csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if args[0] != "analyze":
        return
    parsed = cli.build_parser().parse_args(args)
    if parsed.summary or parsed.duckdb:  # a plain order table, or the summary of one made by DuckDB
        duckdb = pytest.importorskip("duckdb")
        orders = read_orders(orders_csv).orders
        plain = pd.DataFrame({"customer_id": orders["customer_id"].astype(str), "order_date": orders["date"],
                              "amount": orders["amount"]})
        target = folder / parsed.file
        if parsed.duckdb:
            plain.rename(columns={"customer_id": "Customer", "order_date": "Date", "amount": "Amount"}).to_csv(
                target, index=False)
        else:
            from clv_engine.summary_sql import summary_query

            plain.to_csv(folder / "_plain.csv", index=False)
            form = "(FORMAT parquet)" if target.suffix == ".parquet" else "(HEADER)"
            with duckdb.connect() as con:
                query = summary_query(f"read_csv('{folder / '_plain.csv'}')")
                con.execute(f"COPY ({query}) TO '{target}' {form}")
        return
    table = pd.read_csv(orders_csv, dtype=str, keep_default_na=False)
    mapping = read_orders(orders_csv).report.mapping
    for pair in _option(args, "--map"):  # the column names the command expects
        role, _, column = pair.partition("=")
        if column in table.columns:
            continue
        if role in mapping:
            table = table.rename(columns={mapping[role]: column})
        else:  # a role the sample has no column for (e.g. a product category)
            table[column] = [("Mugs", "Prints", "Candles")[i % 3] for i in range(len(table))]
    source = folder / parsed.file
    source.parent.mkdir(parents=True, exist_ok=True)
    if source.suffix.lower() == ".csv":
        table.to_csv(source, index=False)
    else:  # a workbook, with the sheet the command names
        sheet = (_option(args, "--sheet") or ["Sheet1"])[0]
        table.to_excel(source, sheet_name=sheet, index=False)
    for spend in _option(args, "--ad-spend"):  # a monthly ad-spend file over the sample's months
        months = pd.period_range("2024-01", "2026-12", freq="M").astype(str)
        pd.DataFrame({"month": months, "spend": 250.0}).to_csv(folder / spend, index=False)
    for previous in _option(args, "--compare"):
        earlier = folder / "_earlier"
        assert cli.main(["analyze", str(orders_csv), "--out", str(earlier), "--method", "historical",
                         "--no-report", "-q"]) == 0
        target = folder / previous
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((earlier / "customers.csv").read_bytes())


@pytest.mark.parametrize("doc,command", COMMANDS, ids=[c for _, c in COMMANDS])
def test_documented_command_runs_as_written(doc, command, tmp_path, monkeypatch, capsys):
    args = _arguments(command)
    _prepare_inputs(args, tmp_path)
    monkeypatch.chdir(tmp_path)
    code = cli.main(args)
    captured = capsys.readouterr()
    assert code == 0, f"{doc}: `{command}` exited {code}: {captured.err.strip()}"
    assert captured.err == "" or re.fullmatch(r"(\r?[^\n]*\r)*\s*", captured.err)  # at most a progress bar
