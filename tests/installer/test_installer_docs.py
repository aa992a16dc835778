"""docs/install.md only sends readers to scripts and options that exist."""
from __future__ import annotations

import re

from installer_modules import REPO_ROOT, load_installer_script

DOC = (REPO_ROOT / "docs" / "install.md").read_text(encoding="utf-8")


def test_every_installer_file_named_in_the_install_guide_exists():
    named = set(re.findall(r"installer[/\\][\w/\\.]+\.(?:py|sh|ps1|spec|iss)", DOC))
    assert named, "the guide names no installer files"
    missing = [name for name in named if not (REPO_ROOT / name.replace("\\", "/")).is_file()]
    assert missing == []


def help_text(script, capsys) -> str:
    try:
        script.main(["--help"])
    except SystemExit:
        pass
    return capsys.readouterr().out


def test_build_and_smoke_options_in_the_install_guide_are_real(capsys):
    build_help = help_text(load_installer_script("build"), capsys)
    smoke_help = help_text(load_installer_script("smoke"), capsys)
    for option in ("--dist", "--work", "--clean", "--audit-only"):
        assert option in DOC and option in build_help
    for option in ("--dist", "--keep", "--file"):
        assert option in DOC and option in smoke_help
