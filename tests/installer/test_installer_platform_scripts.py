"""Static checks of the Windows and macOS installer scripts (they can only run on those OSes)."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from installer_modules import INSTALLER_DIR, load_installer_script

ISS = INSTALLER_DIR / "windows" / "clv_toolkit.iss"
BUILD_PS1 = INSTALLER_DIR / "windows" / "build.ps1"
MACOS_BUILD = INSTALLER_DIR / "macos" / "build.sh"
CI_STEP = INSTALLER_DIR / "ci_optional.sh"


def iss_sections() -> dict[str, list[str]]:
    """Section name (lower case) -> its non-comment, non-preprocessor lines."""
    sections: dict[str, list[str]] = {}
    current = None
    for raw in ISS.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith((";", "#")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].lower()
            sections.setdefault(current, [])
        elif current:
            sections[current].append(line)
    return sections


def setup_directives() -> dict[str, str]:
    return dict(line.split("=", 1) for line in iss_sections()["setup"])


def entries(section: str) -> list[dict[str, str]]:
    """Parse 'Name: "x"; Flags: a b' lines into dicts."""
    parsed = []
    for line in iss_sections()[section]:
        fields = {}
        for part in re.findall(r'(\w+):\s*("[^"]*"|[^;]+)', line):
            fields[part[0]] = part[1].strip().strip('"')
        parsed.append(fields)
    return parsed


def test_windows_installer_needs_no_admin_rights():
    directives = setup_directives()
    assert directives["PrivilegesRequired"] == "lowest"
    assert "PrivilegesRequiredOverridesAllowed" not in directives
    assert directives["DefaultDirName"].startswith("{autopf}")


def test_windows_installer_has_an_uninstaller_and_a_stable_app_id():
    directives = setup_directives()
    assert directives.get("Uninstallable", "yes") == "yes"
    assert re.fullmatch(r"\{\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}", directives["AppId"])


def test_windows_installer_version_is_passed_in_not_written_down():
    directives = setup_directives()
    assert directives["AppVersion"] == "{#AppVersion}"
    assert "/DAppVersion=$Version" in BUILD_PS1.read_text(encoding="utf-8")
    assert "clv_engine.__version__" in BUILD_PS1.read_text(encoding="utf-8")


def test_windows_start_menu_shortcut_starts_the_built_app():
    layout = load_installer_script("bundle_layout")
    shortcuts = entries("icons")
    app_shortcut = next(e for e in shortcuts if e["Name"] == "{autoprograms}\\{#AppName}")
    assert app_shortcut["Filename"] == "{app}\\{#AppExeName}"
    assert f'#define AppExeName "{layout.APP_NAME}.exe"' in ISS.read_text(encoding="utf-8")


def test_windows_template_goes_to_documents_and_survives_reinstall_and_uninstall():
    template = next(e for e in entries("files") if e["Source"] == "{#TemplateFile}")
    assert template["DestDir"] == "{userdocs}\\{#AppName}"
    assert set(template["Flags"].split()) == {"onlyifdoesntexist", "uninsneveruninstall"}


def test_windows_build_script_builds_bundle_template_then_installer_in_order():
    text = BUILD_PS1.read_text(encoding="utf-8")
    steps = ["installer\\build.py", "installer\\smoke.py", "template $TemplateFile", '"lite", $LiteDir',
             "installer\\windows\\clv_toolkit.iss"]
    positions = [text.index(step) for step in steps]
    assert positions == sorted(positions)


def test_shipped_template_does_not_point_at_the_build_machines_python():
    assert 'template $TemplateFile --force "--interpreter="' in BUILD_PS1.read_text(encoding="utf-8")
    assert 'template "$STAGING/CLV Toolkit.xlsx" --interpreter=\n' in MACOS_BUILD.read_text(encoding="utf-8")


def test_macos_script_builds_the_app_and_a_dmg():
    text = MACOS_BUILD.read_text(encoding="utf-8")
    assert "installer/build.py" in text and "installer/smoke.py" in text
    assert re.search(r"hdiutil create .*-format UDZO", text)
    assert 'name=f"{APP_NAME}.app"' in (INSTALLER_DIR / "clv_desktop.spec").read_text(encoding="utf-8")


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize("script", [MACOS_BUILD, CI_STEP], ids=lambda p: p.name)
def test_shell_scripts_parse(script):
    completed = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_macos_script_refuses_to_run_elsewhere_with_a_clear_message():
    if subprocess.run(["uname", "-s"], capture_output=True, text=True).stdout.strip() == "Darwin":
        pytest.skip("this is macOS")
    completed = subprocess.run(["bash", str(MACOS_BUILD)], capture_output=True, text=True)
    assert completed.returncode == 2
    assert "must run on macOS" in completed.stderr


def test_ci_step_is_executable_and_builds_outside_the_work_tree():
    assert CI_STEP.stat().st_mode & 0o111
    text = CI_STEP.read_text(encoding="utf-8")
    assert 'build.py --dist "$WORK/dist"' in text and 'smoke.py --dist "$WORK/dist"' in text


def test_app_icon_exists_for_windows_and_macos_and_is_used_by_both_installers():
    pil = pytest.importorskip("PIL.Image")
    icons = INSTALLER_DIR / "icons"
    with pil.open(icons / "clv_toolkit.ico") as ico:
        assert (256, 256) in ico.info["sizes"]
    with pil.open(icons / "clv_toolkit.icns") as icns:
        assert icns.format == "ICNS"
    spec = (INSTALLER_DIR / "clv_desktop.spec").read_text(encoding="utf-8")
    assert 'first_existing("clv_toolkit.ico")' in spec and 'first_existing("clv_toolkit.icns")' in spec
    assert setup_directives()["SetupIconFile"] == "..\\icons\\clv_toolkit.ico"
