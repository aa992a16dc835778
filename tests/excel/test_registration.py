"""xlwings' own registration code, run on clv_excel.udfs for both runtimes.

Classic: ``xlwings.udfs.import_udfs`` is what the ribbon's *Import Functions* runs. It
needs pywin32 (Windows only), so a fresh interpreter gets three stand-in modules and a
stand-in workbook that records what xlwings asks of Excel: the VBA module it imports and
the help text it registers (Application.MacroOptions).

Lite: ``xlwings.server.custom_functions_meta`` (the metadata Office.js registers) and
``custom_functions_call`` (how a formula reaches the function), as xlwings Lite runs them.
xlwings' PRO module checks for a licence key when imported; its documented
"noncommercial" key is set for that subprocess only.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

CLASSIC = r'''
import io, json, sys, types
for name in ("pythoncom", "pywintypes", "win32com", "win32com.client"):
    sys.modules[name] = types.ModuleType(name)
sys.modules["pythoncom"].CoInitialize = lambda: None
sys.modules["pywintypes"].com_error = type("com_error", (Exception,), {})
sys.modules["win32com.client"].Dispatch = lambda *a, **k: None
sys.modules["win32com"].client = sys.modules["win32com.client"]
import xlwings as xw
import xlwings.udfs as classic
xw.func, xw.arg, xw.ret, xw.script, xw.sub = classic.xlfunc, classic.xlarg, classic.xlret, classic.xlsub, classic.xlsub
from clv_excel import udfs
classic.udf_modules["clv_excel.udfs"] = {"filename": udfs.__file__, "filetime": None, "module": udfs}

imported, options = [], []
class Components:
    def __call__(self, name):
        return name
    def Remove(self, component):
        pass
    def Import(self, path):
        imported.append(open(path).read())
class App:
    Version = "16.0"
    def MacroOptions(self, macro, **kwargs):
        options.append([macro, kwargs.get("Description"), kwargs.get("Category"),
                        list(kwargs.get("ArgumentDescriptions") or [])])
class Book:
    Name = "CLV Toolkit.xlsm"
    VBProject = types.SimpleNamespace(VBComponents=Components())
    Application = App()
classic.import_udfs("clv_excel.udfs", Book())
print(json.dumps({"vba": imported[0], "options": options}))
'''

LITE = r'''
import asyncio, json, sys
import xlwings as xw
from xlwings import server
from clv_excel import udfs
meta = server.custom_functions_meta(udfs)
def call(name, *args):
    data = {"func_name": name, "args": list(args), "version": xw.__version__, "client": "Office.js",
            "runtime": "1.4", "culture_info_name": "en-US", "date_format": "yyyy-mm-dd"}
    return asyncio.run(server.custom_functions_call(data, udfs))
rows = [["Customer", "Date", "Total"]] + [[f"C{i % 30}", 45000.0 + (i * 7) % 600, 20.0 + i % 9] for i in range(400)]
print(json.dumps({
    "meta": meta,
    "simple": call("clv_simple", [[50]], [[4]], [[3]], [[0.3]], [[20]]),
    "predict": call("clv_predict", rows),
    "error": call("clv_predict", [["Customer", "Total"], ["a", 1.0]]),
    "reason": call("clv_last_error"),
    "scripts": server.custom_scripts_meta(udfs),
}, default=str))
'''


def run(script: str, **env) -> dict:
    environment = {**os.environ, **env, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT,
                         env=environment, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def classic():
    return run(CLASSIC)


@pytest.fixture(scope="module")
def lite():
    return run(LITE, XLWINGS_ON_SERVER="true", XLWINGS_LICENSE_KEY="noncommercial")


def test_import_functions_writes_a_vba_wrapper_for_every_function(classic):
    from clv_excel import udfs

    vba = classic["vba"]
    assert vba.startswith('Attribute VB_Name = "xlwings_udfs"')
    for name in udfs.__all__:
        kind = "Sub" if name in ("analyze_orders", "export_tier_lists") else "Function"
        assert f"{kind} {name}(" in vba, name
    assert ("Function clv_predict(orders, Optional horizon_months, Optional discount_rate, Optional margin, "
            "Optional model, Optional as_of)") in vba
    assert 'XLPy.CallUDF("clv_excel.udfs", "clv_predict", Array(orders, horizon_months' in vba
    assert "Function clv_last_error(Optional function_name)\n    Application.Volatile" in vba


def test_import_functions_registers_help_and_category(classic):
    options = {macro.split("!")[1]: (description, category, args)
               for macro, description, category, args in classic["options"]}
    description, category, args = options["clv_predict"]
    assert category == "CLV Toolkit"
    assert description.startswith("Predicted CLV per customer")
    assert len(args) == 6 and args[0].startswith("Orders with their header row")
    assert all(0 < len(text) <= 255 for _, (d, _, a) in options.items() for text in [d, *a])
    assert not any(text.startswith("Positional argument") for _, (_, _, a) in options.items() for text in a)


def test_lite_registers_every_function_with_help_and_model_drop_down(lite):
    from clv_excel import udfs

    functions = {f["name"]: f for f in lite["meta"]["functions"]}
    assert set(functions) == {n.upper() for n in udfs.__all__ if n.startswith("clv_")}
    predict = functions["CLV_PREDICT"]
    params = {p["name"]: p for p in predict["parameters"]}
    assert list(params) == ["orders", "horizon_months", "discount_rate", "margin", "model", "as_of"]
    assert params["model"]["customEnumId"] == "CLV_PREDICT.MODEL" and params["model"].get("optional")
    enums = {e["id"]: [v["stringValue"] for v in e["values"]] for e in lite["meta"]["enums"]}
    assert enums["CLV_PREDICT.MODEL"] == ["auto", "bgnbd", "mbgnbd", "paretonbd", "simple", "historical"]
    assert enums["CLV_SUMMARY.PERIOD"] == ["day", "week", "month"]
    assert lite["meta"]["allowErrorForDataTypeAny"] is True


def test_lite_calls_return_values_spilled_tables_and_real_error_values(lite):
    assert lite["simple"] == [[pytest.approx(50 * 4 * 3 * 0.3 - 20)]]
    assert lite["predict"][0][:3] == ["Customer", "CLV low", "CLV likely"]
    assert len(lite["predict"]) == 31
    assert lite["error"] == [[{"type": "Error", "errorType": "Value"}]]
    reason = lite["reason"][0][0]
    assert reason.startswith("CLV_PREDICT: #VALUE!") and "date" in reason and len(reason) <= 300
    assert {s["function_name"] for s in lite["scripts"]} == {"analyze_orders", "export_tier_lists"}
