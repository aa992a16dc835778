"""CLV Toolkit desktop app (PySide6): open orders, check them, analyse, export.

Start it with ``clv-desktop`` (``clv_desktop.app:main``). Views talk to
:class:`clv_desktop.controller.AppController`, which runs the engine off the UI thread.
"""
