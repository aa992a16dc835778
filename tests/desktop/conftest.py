"""Desktop tests run offscreen with settings and logs in a temporary folder."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch):
    """Point QSettings and the app-data folder (error log) at a temporary folder."""
    from PySide6.QtCore import QSettings
    settings_dir = tmp_path / "qsettings"
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(settings_dir))
    monkeypatch.setenv("CLV_DESKTOP_DATA_DIR", str(tmp_path / "appdata"))
    yield settings_dir


@pytest.fixture
def app_settings(tmp_path):
    from PySide6.QtCore import QSettings

    from clv_desktop.app_settings import AppSettings
    return AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def fake_engine():
    from .fakes import FakeEngine
    return FakeEngine()


@pytest.fixture
def controller(qtbot, fake_engine, app_settings):
    from clv_desktop.controller import AppController
    controller = AppController(engine=fake_engine, app_settings=app_settings)
    yield controller
    controller.shutdown()


@pytest.fixture
def window(qtbot, controller):
    from clv_desktop.main_window import MainWindow
    window = MainWindow(controller)
    qtbot.addWidget(window)
    window.resize(1000, 700)
    window.show()
    return window
