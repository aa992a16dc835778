"""Export page: email-tool lists of any set of customers (value tiers, or exactly the
customers the table shows), the Excel report and all result files, with what was written."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup, QCheckBox, QComboBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout,
    QLabel, QLineEdit, QMessageBox, QPushButton, QRadioButton, QVBoxLayout, QWidget,
)

from ..controller import EMAIL_MODES
from ..widgets import Page, explanation, heading


class ExportPage(Page):
    """Collects export choices and shows the controller's summaries."""

    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.controller = controller
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Export"))

        lists_box = QGroupBox("Email lists for your newsletter tool")
        form = QFormLayout(lists_box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.tool = QComboBox()
        tool_label = QLabel("&Email tool")
        tool_label.setBuddy(self.tool)
        self.tool.setAccessibleName("Email tool")
        form.addRow(tool_label, self.tool)

        self.scope_group = QButtonGroup(self)
        self.scope_tiers = QRadioButton("Customers in these &value tiers:")
        self.scope_shown = QRadioButton("Customers &shown in the customer table")
        for button in (self.scope_tiers, self.scope_shown):
            self.scope_group.addButton(button)
        self.scope_tiers.setChecked(True)
        self.scope_shown_label = explanation("")
        self.scope_group.buttonToggled.connect(lambda *_: self._update_scope())
        form.addRow(QLabel("Who"), self.scope_tiers)
        self.tier_boxes_widget = QWidget()
        self.tier_boxes_layout = QHBoxLayout(self.tier_boxes_widget)
        self.tier_boxes_layout.setContentsMargins(0, 0, 0, 0)
        self.tier_boxes: dict[str, QCheckBox] = {}
        self.tier_boxes_layout.addStretch(1)
        scope_box = QWidget()
        scope_layout = QVBoxLayout(scope_box)
        scope_layout.setContentsMargins(0, 0, 0, 0)
        scope_layout.addWidget(self.tier_boxes_widget)
        scope_layout.addWidget(self.scope_shown)
        scope_layout.addWidget(self.scope_shown_label)
        form.addRow("", scope_box)

        modes = QWidget()
        modes_layout = QVBoxLayout(modes)
        modes_layout.setContentsMargins(0, 0, 0, 0)
        self.mode_group = QButtonGroup(self)
        self.mode_buttons: dict[str, QRadioButton] = {}
        mnemonic_labels = {"per-tier": "&One file per tier", "single": "One file, tier as a &tag"}
        for mode, label in EMAIL_MODES.items():
            button = QRadioButton(mnemonic_labels.get(mode, label))
            self.mode_group.addButton(button)
            self.mode_buttons[mode] = button
            modes_layout.addWidget(button)
        self.mode_buttons["per-tier"].setChecked(True)
        self.modes_label = QLabel("Files")
        form.addRow(self.modes_label, modes)
        self.modes_widget = modes

        self.include_no_consent = QCheckBox(
            "&Include customers who have not agreed to marketing emails")
        form.addRow(self.include_no_consent)
        form.addRow(explanation("Leave this off unless you have another lawful basis: "
                                "only customers who said yes are exported by default."))
        self.overwrite = QCheckBox("Replace files that already e&xist")
        form.addRow(self.overwrite)

        folder_row = QHBoxLayout()
        self.folder = QLineEdit()
        self.folder.setAccessibleName("Export folder")
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self._choose_folder)
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)
        folder_label = QLabel("Fol&der")
        folder_label.setBuddy(self.folder)
        form.addRow(folder_label, folder_row)
        self.export_button = QPushButton("Export email &lists")
        self.export_button.clicked.connect(self.export_lists)
        form.addRow(self.export_button)
        layout.addWidget(lists_box)

        results_box = QGroupBox("All result files")
        results_layout = QVBoxLayout(results_box)
        results_layout.addWidget(explanation(
            "customers.csv (every customer), segments.csv and rfm_segments.csv (the groups), "
            "profiles.csv, cohorts.csv and drivers.csv (who buys what and when), intake.csv "
            "(rows not used, and why), summary.json and report.xlsx in one folder: the same "
            "files as the command line writes. Next time, pick this customers.csv under "
            "Results › Compare runs."))
        self.save_results_button = QPushButton("Save &all result files…")
        self.save_results_button.clicked.connect(self.choose_results_folder)
        results_row = QHBoxLayout()
        results_row.addWidget(self.save_results_button)
        results_row.addStretch(1)
        results_layout.addLayout(results_row)
        layout.addWidget(results_box)

        report_box = QGroupBox("Excel report")
        report_layout = QVBoxLayout(report_box)
        report_layout.addWidget(explanation("One workbook with the summary, every customer, "
                                            "tiers, segments and recommended actions."))
        self.report_button = QPushButton("Save Excel &report…")
        self.report_button.clicked.connect(self.choose_report_path)
        report_row = QHBoxLayout()
        report_row.addWidget(self.report_button)
        report_row.addStretch(1)
        report_layout.addLayout(report_row)
        layout.addWidget(report_box)

        layout.addWidget(heading("What was written", level=2))
        self.summary = QLabel("Nothing exported yet.")
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Export summary")
        layout.addWidget(self.summary)
        layout.addStretch(1)
        self.finish_buttons()
        controller.analysis_ready.connect(self.refresh)
        controller.export_finished.connect(self._show_summary)
        controller.report_written.connect(self._show_summary)
        controller.results_saved.connect(self._show_summary)
        self._summaries: list[str] = []

    def default_button(self):
        return self.export_button

    def show_scope(self, shown: bool) -> None:
        """Choose tiers or 'the customers shown in the table' (from the Results page)."""
        (self.scope_shown if shown else self.scope_tiers).setChecked(True)
        self._update_scope()

    def _update_scope(self) -> None:
        shown = self.scope_shown.isChecked()
        count = self.controller.shown_customer_count()
        self.scope_shown.setText(f"Customers &shown in the customer table ({count:,})")
        self.scope_shown_label.setText(
            f"{_sentence(self.controller.filter_description())}: one file named after it. "
            "Change the filter or search on Results › Customers.")
        self.tier_boxes_widget.setEnabled(not shown)
        for widget in (self.modes_label, self.modes_widget):
            widget.setEnabled(not shown)

    def refresh(self) -> None:
        saved = self.controller.app_settings.export_values()
        self.tool.clear()
        for tool_id, label in self.controller.email_tools().items():
            self.tool.addItem(label, tool_id)
        self.tool.setCurrentIndex(max(0, self.tool.findData(saved.get("tool"))))
        for box in self.tier_boxes.values():
            self.tier_boxes_layout.removeWidget(box)
            box.deleteLater()
        self.tier_boxes = {}
        chosen = saved.get("tiers")
        for tier in self.controller.tier_names():
            box = QCheckBox(tier)
            box.setChecked(chosen is None or tier in chosen)
            self.tier_boxes[tier] = box
            self.tier_boxes_layout.insertWidget(len(self.tier_boxes) - 1, box)
        # made after the rest of the page: Tab reaches them in their place, below "Customers in these tiers"
        chain = [self.scope_tiers, *self.tier_boxes.values(), self.scope_shown]
        for first, second in zip(chain, chain[1:]):
            QWidget.setTabOrder(first, second)
        self.mode_buttons.get(saved.get("mode"), self.mode_buttons["per-tier"]).setChecked(True)
        self.show_scope(saved.get("scope") == "shown")
        self.include_no_consent.setChecked(bool(saved.get("include_no_consent", False)))
        if not self.folder.text():
            self.folder.setText(str(Path(self.controller.app_settings.last_folder())
                                    / "clv-email-lists"))
        self._summaries = []
        self.summary.setText("Nothing exported yet.")

    def choices(self) -> dict:
        """The export choices as plain values."""
        mode = next(m for m, b in self.mode_buttons.items() if b.isChecked())
        return {
            "tool": self.tool.currentData(),
            "out_dir": self.folder.text().strip(),
            "scope": "shown" if self.scope_shown.isChecked() else "tiers",
            "tiers": [t for t, box in self.tier_boxes.items() if box.isChecked()],
            "mode": mode,
            "include_no_consent": self.include_no_consent.isChecked(),
            "overwrite": self.overwrite.isChecked(),
        }

    def export_lists(self) -> None:
        choices = self.choices()
        if not choices["out_dir"]:
            self.controller.failed.emit("Exporting email lists", "Choose a folder first.")
            return
        if choices["scope"] == "tiers" and not choices["tiers"]:
            self.controller.failed.emit("Exporting email lists", "Tick at least one tier.")
            return
        if choices["scope"] == "shown" and self.controller.shown_customer_count() == 0:
            self.controller.failed.emit("Exporting email lists",
                                        "The customer table shows no customers: change "
                                        "the filter or search on Results › Customers.")
            return
        out_dir = choices.pop("out_dir")
        tool = choices.pop("tool")
        self.controller.export_email_lists(tool, out_dir, **choices)

    def choose_report_path(self) -> None:
        folder = self.controller.app_settings.last_folder()
        path, _ = QFileDialog.getSaveFileName(self, "Save Excel report",
                                              f"{folder}/clv-report.xlsx",
                                              "Excel workbook (*.xlsx)")
        if path:
            if not path.lower().endswith(".xlsx"):
                path += ".xlsx"
            self.controller.write_report(path)

    def choose_results_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder for the result files",
                                                  self.controller.app_settings.last_folder())
        if not folder:
            return
        existing = self.controller.existing_result_files(folder)
        if existing:
            answer = QMessageBox.question(
                self, "Replace result files?",
                f"{folder} already holds {', '.join(existing)}. Replace them with this "
                "run's files?")
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.controller.save_results(folder)

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export folder",
                                                  self.folder.text() or
                                                  self.controller.app_settings.last_folder())
        if folder:
            self.folder.setText(folder)

    def _show_summary(self, summary) -> None:
        self._summaries.append(summary.text)
        self.summary.setText("\n\n".join(self._summaries))


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]
