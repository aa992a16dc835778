"""A run owns its output folder: no stale lists, no mixing, nothing half-written; every
failure to write is exit 2 with one line."""
from __future__ import annotations

import csv
import errno
import io
import os
import threading

import pytest

from clv_engine import cli, pipeline
from clv_engine.outputs import OutputFolder

HEADER = "Order,Email,Name,Date,Total,Accepts Marketing\n"
MARCH = HEADER + "".join([
    "1,ann@x.com,Ann,2024-01-05,500,yes\n", "2,ann@x.com,Ann,2024-02-05,500,yes\n",
    "3,bob@x.com,Bob,2024-01-09,20,yes\n", "4,cy@x.com,Cy,2024-02-01,80,yes\n",
    "5,dee@x.com,Dee,2024-02-11,5,yes\n",
])
# a month later: Ann (the only High customer) says no; nobody else changes
APRIL = MARCH + "6,ann@x.com,Ann,2024-03-05,10,no\n"


def run(src, out, *extra):
    return cli.main(["analyze", str(src), "--out", str(out), "--method", "historical", "--no-report", "-q",
                     "--export", "mailchimp", *extra])


def exported(out):
    emails = {}
    for path in sorted((out / "exports").glob("*.csv")):
        rows = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline=""))
        emails[path.name] = {r["Email Address"] for r in rows}
    return emails


def hidden_leftovers(out):
    return [p.name for p in out.rglob(".*") if p.name != ".clv-lock"]


@pytest.fixture
def files(tmp_path):
    march, april = tmp_path / "march.csv", tmp_path / "april.csv"
    march.write_text(MARCH, encoding="utf-8")
    april.write_text(APRIL, encoding="utf-8")
    return march, april


def test_rerun_with_overwrite_removes_lists_not_written_this_time(files, tmp_path, capsys):
    march, april = files
    out = tmp_path / "out"
    assert run(march, out) == 0
    assert "mailchimp_high.csv" in exported(out)
    (out / "exports" / "my-notes.txt").write_text("mine", encoding="utf-8")  # the user's own file
    assert run(april, out, "--overwrite") == 0
    lists = exported(out)
    assert all("ann@x.com" not in emails for emails in lists.values())  # she said no in April
    assert set(lists) <= {"mailchimp_medium.csv", "mailchimp_low.csv"}
    assert (out / "exports" / "my-notes.txt").read_text(encoding="utf-8") == "mine"
    assert hidden_leftovers(out) == []


def test_rerun_without_overwrite_refuses_before_writing_anything(files, tmp_path, capsys):
    march, april = files
    out = tmp_path / "out"
    assert run(march, out) == 0
    before = {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    capsys.readouterr()
    assert run(april, out) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "earlier run" in err and "--overwrite" in err
    assert {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    # a run that exports nothing would also leave last month's lists next to its results
    assert cli.main(["analyze", str(april), "--out", str(out), "--method", "historical", "--no-report", "-q"]) == 2


def test_result_files_of_an_earlier_run_that_this_run_does_not_write_are_removed(files, tmp_path):
    march, _ = files
    out = tmp_path / "out"
    out.mkdir()
    (out / "migration.csv").write_text("old comparison", encoding="utf-8")
    assert run(march, out) == 0
    assert not (out / "migration.csv").exists()


def test_full_disk_is_exit_2_with_one_line_and_nothing_changes(files, tmp_path, capsys, monkeypatch):
    march, april = files
    out = tmp_path / "out"
    assert run(march, out) == 0
    before = {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    real = pipeline._write_text_atomic
    calls = []

    def fill_the_disk(text, path, **kwargs):
        calls.append(path.name)
        if len(calls) == 2:  # the second result file: half of it is written, then the disk is full
            with open(path, "w", encoding="utf-8") as handle:
                handle.write("partial")
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(text, path, **kwargs)

    monkeypatch.setattr(pipeline, "_write_text_atomic", fill_the_disk)
    capsys.readouterr()
    assert run(april, out, "--overwrite") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "disk is full" in err and "Traceback" not in err
    after = {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before  # the March results and lists, untouched; no partial file


def test_full_disk_while_writing_a_list(files, tmp_path, capsys, monkeypatch):
    from clv_engine.exports import email_lists

    march, _ = files
    out = tmp_path / "out"

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(email_lists, "_write_csv_temporary", no_space)
    assert run(march, out) == 2
    assert "clv: error" in capsys.readouterr().err
    assert [p for p in out.rglob("*") if p.name != ".clv-lock"] == []


@pytest.mark.parametrize("failure", [errno.EROFS, errno.EACCES])
def test_read_only_or_forbidden_folder_is_exit_2(files, tmp_path, capsys, monkeypatch, failure):
    march, _ = files

    def refuse(*args, **kwargs):
        raise OSError(failure, os.strerror(failure))

    monkeypatch.setattr("tempfile.mkdtemp", refuse)
    assert run(march, tmp_path / "out") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot be written" in err


def test_output_path_that_is_a_file_is_exit_2(files, tmp_path, capsys):
    march, _ = files
    blocker = tmp_path / "taken"
    blocker.write_text("x", encoding="utf-8")
    assert run(march, blocker) == 2
    assert run(march, blocker / "sub") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 2 and "Traceback" not in err


def test_two_runs_into_one_folder_cannot_mix(tmp_path):
    out = tmp_path / "out"
    entered, release = threading.Event(), threading.Event()
    errors = []

    def first():
        with OutputFolder(out) as stage:
            (stage / "customers.csv").write_text("first", encoding="utf-8")
            entered.set()
            release.wait(10)

    worker = threading.Thread(target=first)
    worker.start()
    entered.wait(10)
    try:
        with OutputFolder(out):
            pass
    except Exception as exc:  # noqa: BLE001
        errors.append(str(exc))
    finally:
        release.set()
        worker.join()
    assert errors and "another run" in errors[0]
    assert (out / "customers.csv").read_text(encoding="utf-8") == "first"
    with OutputFolder(out) as stage:  # free again once the first run is done
        (stage / "customers.csv").write_text("second", encoding="utf-8")
    assert (out / "customers.csv").read_text(encoding="utf-8") == "second"


@pytest.mark.parametrize("blocked", ["customers.csv", "summary.json", "exports"])
def test_a_file_held_open_by_another_program_leaves_the_earlier_results_whole(files, tmp_path, capsys, monkeypatch,
                                                                             blocked):
    """Excel holds customers.csv open (Windows refuses to replace it), or the last move fails:
    every file moved so far goes back, so the folder is the earlier run's, not a mix."""
    import clv_engine.outputs as outputs

    march, april = files
    out = tmp_path / "out"
    assert run(march, out) == 0
    (out / "exports" / "notes.txt").write_text("mine", encoding="utf-8")  # the user's own file
    before = {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    real = os.replace
    failed = []

    def replace(source, target):  # the first move of ``blocked`` into (or out of) the folder fails
        source, target = os.fspath(source), os.fspath(target)
        into_folder = os.path.dirname(target) == str(out)
        if not failed and (into_folder and os.path.basename(target) == blocked or
                           blocked == "customers.csv" and source == str(out / "customers.csv")):
            failed.append(target)
            raise PermissionError(errno.EACCES, "Permission denied")
        return real(source, target)

    monkeypatch.setattr(outputs.os, "replace", replace)
    capsys.readouterr()
    assert run(april, out, "--overwrite", "--margin", "0.5") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    if blocked == "customers.csv":
        assert "customers.csv" in err and "open in another program" in err
    after = {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert hidden_leftovers(out) == []


def test_a_run_that_fails_while_writing_into_a_new_folder_leaves_no_folder_behind(files, tmp_path, monkeypatch):
    def full_disk(text, path, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pipeline, "_write_text_atomic", full_disk)
    out = tmp_path / "new_results"
    assert run(files[0], out) == 2
    assert not out.exists()  # not even the lock file
