"""The "Analyze orders" and "Export tier lists" scripts on a fake xlwings book."""
from __future__ import annotations

import pytest
from excel_helpers import assert_excel_safe, cdnow_orders

from clv_excel import scripts


class FakeRange:
    def __init__(self, sheet, address):
        self.sheet, self.address = sheet, address
        self.left, self.top = 10.0, 20.0

    @property
    def value(self):
        return self.sheet.cells.get(self.address.split(":")[0])

    @value.setter
    def value(self, value):
        self.sheet.cells[self.address.split(":")[0]] = value


class FakeChart:
    def __init__(self):
        self.source = None
        self.chart_type = None

    def set_source_data(self, rng):
        self.source = rng.address


class FakeCharts(list):
    def add(self, left=0, top=0, width=355, height=211):
        chart = FakeChart()
        self.append(chart)
        return chart


class NoCharts:
    def add(self, *args, **kwargs):
        raise NotImplementedError("charts are not supported")


class FakeSheet:
    def __init__(self, name, values=None, charts=True):
        self.name = name
        self.cells = {}
        self.used = values
        self.charts = FakeCharts() if charts else NoCharts()
        self.pictures = []

    def __getitem__(self, address):
        return FakeRange(self, address)

    @property
    def used_range(self):
        return type("Used", (), {"value": self.used})()

    def clear(self):
        self.cells.clear()


class FakeSheets(list):
    def __init__(self, sheets, charts=True):
        super().__init__(sheets)
        self.charts = charts

    def add(self, name, after=None):
        sheet = FakeSheet(name, charts=self.charts)
        self.append(sheet)
        return sheet


class FakeBook:
    def __init__(self, orders, settings=None, fullname="", charts=True):
        sheets = [FakeSheet("Orders", orders)]
        if settings:
            sheets.append(FakeSheet("CLV settings", settings))
        self.sheets = FakeSheets(sheets, charts)
        self.fullname = fullname


def test_analyze_writes_results_segments_and_a_chart():
    book = FakeBook(cdnow_orders(300))
    assert scripts.analyze_orders_into(book) is True
    results = scripts.find_sheet(book, "CLV results")
    segments = scripts.find_sheet(book, "CLV segments")
    table = assert_excel_safe(results.cells["A1"])
    assert table[0][0] == "customer_id" and len(table) > 50
    profile = assert_excel_safe(segments.cells["A1"])
    tiers = [row[0] for row in profile[1:]]
    assert tiers and tiers == [t for t in ["High", "Medium", "Low"] if t in tiers]
    assert len(segments.charts) == 1 and segments.charts[0].source.endswith(str(len(profile)))


def test_analyze_falls_back_to_a_note_without_charts_or_pictures():
    book = FakeBook(cdnow_orders(300), charts=False)
    scripts.analyze_orders_into(book)
    segments = scripts.find_sheet(book, "CLV segments")
    assert any(isinstance(v, str) and "Chart not available" in v for v in segments.cells.values())


def test_analyze_reads_the_settings_sheet():
    settings = [["Setting", "Value"], ["Horizon (months)", 24.0], ["Margin", 0.3], ["Model", "historical"]]
    book = FakeBook(cdnow_orders(300), settings)
    scripts.analyze_orders_into(book)
    table = scripts.find_sheet(book, "CLV results").cells["A1"]
    method = table[0].index("clv_method")
    assert {row[method] for row in table[1:]} == {"historical"}


def test_analyze_bad_orders_writes_the_message_not_a_traceback():
    book = FakeBook([["Customer", "Total"], ["a", 1.0]])
    assert scripts.analyze_orders_into(book) is False
    message = scripts.find_sheet(book, "CLV results").cells["A1"][0][0]
    assert message.startswith("CLV: ") and "date" in message.lower()


def test_rerun_replaces_the_previous_results():
    book = FakeBook(cdnow_orders(300))
    scripts.analyze_orders_into(book)
    scripts.analyze_orders_into(book)
    assert [s.name for s in book.sheets].count("CLV results") == 1


def test_export_writes_tier_files_next_to_the_workbook(tmp_path):
    rows = cdnow_orders(300)
    rows[0].append("Email")
    for i, row in enumerate(rows[1:]):
        row.append(f"{row[0].lower()}@example.com")
    settings = [["Email tool", "mailchimp"], ["Include customers without consent", "yes"]]
    book = FakeBook(rows, settings, fullname=str(tmp_path / "shop.xlsx"))
    assert scripts.export_tier_lists_from(book) is True
    written = list((tmp_path / "CLV email lists").glob("*"))
    assert written
    listing = assert_excel_safe(scripts.find_sheet(book, "CLV email lists").cells["A1"])
    assert listing[0] == ["File", "Contacts", "Folder"]
    files = {row[0]: row[1] for row in listing[1:] if row[0].endswith(".csv")}
    assert set(files) == {p.name for p in written}
    assert all(isinstance(n, int) and n > 0 for n in files.values())  # never an empty count
    total = next(row for row in listing if row[0] == "Contacts written")
    assert total[1] == sum(files.values()) and total[2] == str(tmp_path / "CLV email lists")


def test_export_report_says_who_was_left_out_and_carries_the_consent_warning(tmp_path):
    rows = cdnow_orders(300)
    rows[0].append("Email")
    for i, row in enumerate(rows[1:]):
        row.append(f"{row[0].lower()}@example.com" if i % 3 else "not an email")
    book = FakeBook(rows, [["Email tool", "mailchimp"]], fullname=str(tmp_path / "shop.xlsx"))
    assert scripts.export_tier_lists_from(book) is True
    listing = scripts.find_sheet(book, "CLV email lists").cells["A1"]
    labels = [row[0] for row in listing]
    assert any(label.startswith("Left out: no valid email") for label in labels)
    notes = [label for label in labels if label.startswith("Note: ")]
    assert any("consent" in note for note in notes), labels


def test_export_from_unsaved_workbook_asks_to_save_first():
    book = FakeBook(cdnow_orders(100))
    assert scripts.export_tier_lists_from(book) is False
    message = scripts.find_sheet(book, "CLV email lists").cells["A1"][0][0]
    assert "Save the workbook" in message


@pytest.mark.parametrize("number,letters", [(1, "A"), (26, "Z"), (27, "AA"), (53, "BA")])
def test_column_letters(number, letters):
    assert scripts.column_letter(number) == letters
