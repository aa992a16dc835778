"""What the app remembers between runs (QSettings) and where it keeps its log file."""
from __future__ import annotations

import json
import logging
import os
import traceback
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths

ORGANIZATION = "CLV Toolkit"
APPLICATION = "CLV Desktop"
MAX_RECENT = 8
LOG_NAME = "clv-desktop.log"
DATA_DIR_VARIABLE = "CLV_DESKTOP_DATA_DIR"

logger = logging.getLogger(__name__)


class AppSettings:
    """Recent files, last folder, analysis and export choices and the customer-table
    columns, stored with QSettings."""

    def __init__(self, settings: QSettings | None = None):
        self._settings = settings or QSettings(ORGANIZATION, APPLICATION)

    def recent_files(self) -> list[str]:
        value = self._settings.value("recent_files", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or [])]

    def add_recent_file(self, path: str) -> None:
        path = str(Path(path).resolve())
        files = [path] + [f for f in self.recent_files() if f != path]
        self._settings.setValue("recent_files", files[:MAX_RECENT])
        self.set_last_folder(str(Path(path).parent))

    def last_folder(self) -> str:
        folder = str(self._settings.value("last_folder", "") or "")
        return folder if folder and Path(folder).is_dir() else str(Path.home())

    def set_last_folder(self, folder: str) -> None:
        self._settings.setValue("last_folder", str(folder))

    def analysis_values(self) -> dict:
        text = self._settings.value("analysis_settings", "")
        try:
            values = json.loads(text) if text else {}
        except (TypeError, ValueError):
            values = {}
        return values if isinstance(values, dict) else {}

    def set_analysis_values(self, values: dict) -> None:
        self._settings.setValue("analysis_settings", json.dumps(values))

    def export_values(self) -> dict:
        text = self._settings.value("export_settings", "")
        try:
            values = json.loads(text) if text else {}
        except (TypeError, ValueError):
            values = {}
        return values if isinstance(values, dict) else {}

    def set_export_values(self, values: dict) -> None:
        self._settings.setValue("export_settings", json.dumps(values))

    def customer_columns(self) -> list[str]:
        """The customer-table columns the user chose to see (empty: the defaults)."""
        text = self._settings.value("customer_columns", "")
        try:
            keys = json.loads(text) if text else []
        except (TypeError, ValueError):
            keys = []
        return [str(k) for k in keys] if isinstance(keys, list) else []

    def set_customer_columns(self, keys: list[str]) -> None:
        self._settings.setValue("customer_columns", json.dumps(list(keys)))

    def sync(self) -> None:
        self._settings.sync()


def app_data_dir() -> Path:
    """The user's app-data folder for CLV Desktop (``CLV_DESKTOP_DATA_DIR`` overrides)."""
    override = os.environ.get(DATA_DIR_VARIABLE)
    if override:
        folder = Path(override)
    else:
        location = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.AppDataLocation)
        folder = Path(location) if location else Path.home() / ".clv-desktop"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def log_unexpected_error(error: BaseException, context: str) -> Path:
    """Append the error type and call stack to the log.

    Only file names, line numbers and function names are written: the message and source
    lines can hold customer data (emails, names) and are left out.
    """
    path = app_data_dir() / LOG_NAME
    frames = "".join(f"  {Path(frame.filename).name}:{frame.lineno} in {frame.name}\n"
                     for frame in traceback.extract_tb(error.__traceback__))
    entry = f"--- {context}: {type(error).__module__}.{type(error).__qualname__}\n{frames}\n"
    try:
        with path.open("a", encoding="utf-8") as log_file:
            log_file.write(entry)
    except OSError:
        logger.warning("Could not write the error log to %s", path)
    return path
