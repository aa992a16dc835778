"""A run owns its output folder: results never go stale, never mix, never stay half-written.

:class:`OutputFolder` is used as ``with OutputFolder(path, overwrite=…) as stage:``:

* it takes a lock (``.clv-lock`` in the folder), so a second run into the same folder stops
  with a clear message instead of mixing its files with the first one's;
* everything is written into ``stage``, a fresh hidden folder inside the output folder;
* on success the files are moved in: the ``exports`` folder is swapped in whole, each result
  file replaces its old version, and result files and email lists of an earlier run that
  this run did not write are removed — so no list of last month (holding customers who
  have since said no) survives next to this month's results. Without ``overwrite`` a
  folder holding email lists of an earlier run is refused before anything is written;
* on any error (a full disk, a read-only folder …) the stage is removed and the folder is
  left as it was; ``OSError`` becomes an :class:`~clv_engine.errors.InputError` naming
  the folder and the fix.

Files the user put into the folder themselves are never touched.
"""
from __future__ import annotations

import errno
import os
import re
import shutil
import tempfile
from pathlib import Path

from .errors import InputError

__all__ = ["EXPORTS_FOLDER", "RESULT_FILES", "OutputFolder", "earlier_lists", "write_problem"]

EXPORTS_FOLDER = "exports"
RESULT_FILES = ("customers.csv", "segments.csv", "rfm_segments.csv", "profiles.csv", "cohorts.csv", "drivers.csv",
                "intake.csv", "migration.csv", "report.xlsx", "summary.json")
_LOCK_NAME = ".clv-lock"
_LIST_NAME = re.compile(r"^(mailchimp|klaviyo|hubspot|brevo|activecampaign|generic)_[a-z0-9-]+\.csv$")


def earlier_lists(folder: Path) -> list[str]:
    """Names of email-tool lists in ``folder`` (``mailchimp_high.csv`` …), sorted."""
    try:
        return sorted(p.name for p in Path(folder).iterdir() if p.is_file() and _LIST_NAME.match(p.name))
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as exc:
        raise write_problem(exc, Path(folder)) from None


def write_problem(exc: OSError, folder: Path) -> InputError:
    """The message for an ``OSError`` while writing results into ``folder``."""
    code = getattr(exc, "errno", None)
    if isinstance(exc, _Blocked) and code not in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return InputError(f"{exc.name} in {folder} could not be replaced: it is open in another program (such as "
                          "Excel) or read-only. Nothing was changed there.",
                          hint=f"Close {exc.name} and run again, or choose another output folder (--out).")
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return InputError(f"the disk is full: the results could not be written into {folder}; nothing was changed "
                          "there.", hint="Free some space or choose a folder on another disk (--out).")
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return InputError(f"the output folder {folder} cannot be written to (permission denied or read-only).",
                          hint="Choose a folder you can write to (--out).")
    if isinstance(exc, (NotADirectoryError, FileExistsError)) or code in (errno.ENOTDIR, errno.EEXIST):
        return InputError(f"the output folder {folder} is not a folder (a file has that name).",
                          hint="Choose another output folder (--out).")
    reason = exc.strerror or type(exc).__name__
    return InputError(f"the results could not be written into {folder} ({reason}); nothing was changed there.",
                      hint="Check the folder, close files of it that are open in another program, or choose "
                           "another folder (--out).")


class _Blocked(OSError):
    """A file of the output folder could not be moved (``name``): open in another program,
    read-only, or the disk is full."""

    def __init__(self, name: str, cause: OSError):
        super().__init__(cause.errno, cause.strerror)
        self.name = name


class _Lock:
    """An exclusive, non-blocking lock on a file; released by the system if the process dies."""

    def __init__(self, path: Path):
        self.path = path
        self.handle = None

    def acquire(self) -> bool:
        handle = open(self.path, "a+b")
        try:
            if os.name == "nt":  # pragma: no cover - Windows
                import msvcrt

                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self.handle = handle
        if os.name == "nt":  # pragma: no cover - Windows: hidden, as its leading dot hides it elsewhere
            try:
                import ctypes

                ctypes.windll.kernel32.SetFileAttributesW(str(self.path), 0x2)  # FILE_ATTRIBUTE_HIDDEN
            except (AttributeError, OSError):
                pass
        return True

    def release(self) -> None:
        if self.handle is None:
            return
        try:
            if os.name == "nt":  # pragma: no cover - Windows
                import msvcrt

                self.handle.seek(0)
                msvcrt.locking(self.handle.fileno(), msvcrt.LK_UNLCK, 1)
            else:
                import fcntl

                fcntl.flock(self.handle.fileno(), fcntl.LOCK_UN)
        finally:
            self.handle.close()
            self.handle = None


class OutputFolder:
    """See the module docstring."""

    def __init__(self, folder, *, overwrite: bool = False):
        self.folder = Path(folder)
        self.overwrite = overwrite
        self.stage: Path | None = None
        self._lock: _Lock | None = None

    def __enter__(self) -> Path:
        folder = self.folder
        self._created = not folder.exists()  # a run that fails leaves no empty folder of its own
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise write_problem(exc, folder) from None
        if not folder.is_dir():
            raise write_problem(NotADirectoryError(errno.ENOTDIR, "not a folder"), folder)
        try:
            lock = _Lock(folder / _LOCK_NAME)
            locked = lock.acquire()
        except OSError as exc:
            raise write_problem(exc, folder) from None
        if not locked:
            raise InputError(f"another run is writing its results into {folder} right now.",
                             hint="Wait for it to finish, or choose another output folder (--out).")
        self._lock = lock
        try:
            old = earlier_lists(folder / EXPORTS_FOLDER)
            if old and not self.overwrite:
                shown = ", ".join(old[:4]) + (f" and {len(old) - 4} more" if len(old) > 4 else "")
                raise InputError(
                    f"the folder {folder} holds email lists of an earlier run ({shown}).",
                    hint="Allow replacing them (--overwrite: lists this run does not write are removed, so none "
                         "goes stale), move them away, or choose another output folder (--out).")
            self.stage = Path(tempfile.mkdtemp(prefix=".clv-run-", dir=folder))
        except BaseException as exc:
            self._release()
            if isinstance(exc, OSError):
                raise write_problem(exc, folder) from None
            raise
        return self.stage

    def __exit__(self, kind, exc, tb) -> bool:
        try:
            if kind is None:
                try:
                    self._commit()
                except OSError as error:
                    raise write_problem(error, self.folder) from None
            elif isinstance(exc, OSError):
                raise write_problem(exc, self.folder) from None
        finally:
            if self.stage is not None:
                shutil.rmtree(self.stage, ignore_errors=True)
            self._release()
            if kind is not None and self._created:
                try:
                    (self.folder / _LOCK_NAME).unlink()
                    self.folder.rmdir()  # only if nothing else is in it
                except OSError:
                    pass
        return False

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def _commit(self) -> None:
        """Move the run's files in, all or nothing: every step is undone, last first, when a
        later one fails (a file another program holds open, a full disk, Ctrl-C), so the
        folder then holds the earlier run's files exactly as they were."""
        folder, stage = self.folder, self.stage
        written = {p.name for p in stage.iterdir() if p.is_file()}
        backup = stage / ".earlier-run"
        backup.mkdir()
        undo: list = []

        def move(source: Path, target: Path) -> None:
            try:
                os.replace(source, target)
            except OSError as exc:
                raise _Blocked(source.name if source.parent != stage else target.name, exc) from exc
            undo.append((target, source))

        try:
            # the earlier run's results out of the way first: a file open in another program
            # fails here, before anything of the folder has changed
            for name in RESULT_FILES:
                if (folder / name).is_file():
                    move(folder / name, backup / name)
            # the email lists: the new exports folder replaces the old one whole; files the
            # user keeps there (not lists) are carried over
            old_exports, new_exports = folder / EXPORTS_FOLDER, stage / EXPORTS_FOLDER
            if old_exports.is_dir() or new_exports.is_dir():
                new_exports.mkdir(exist_ok=True)
                if old_exports.is_dir():
                    move(old_exports, backup / EXPORTS_FOLDER)
                    for item in list((backup / EXPORTS_FOLDER).iterdir()):
                        if not _LIST_NAME.match(item.name) and not (new_exports / item.name).exists():
                            move(item, new_exports / item.name)
                if any(new_exports.iterdir()):
                    move(new_exports, old_exports)
            # this run's results: summary.json last, so a folder with this run's summary holds
            # this run's files
            for name in sorted(written, key=lambda n: n == "summary.json"):
                move(stage / name, folder / name)
        except BaseException:
            for target, source in reversed(undo):
                try:
                    os.replace(target, source)
                except OSError:  # pragma: no cover - best effort; the backup stays in the stage
                    pass
            raise
