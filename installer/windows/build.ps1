<#
.SYNOPSIS
  Build the CLV Toolkit Windows installer: PyInstaller bundle, smoke test, Excel template,
  xlwings Lite bundle, then Inno Setup.

.DESCRIPTION
  Run from any folder in a PowerShell prompt on Windows, with the project installed in the
  Python environment given by -Python (pip install -e ".[desktop,installer]") and
  Inno Setup 6.3+ installed (https://jrsoftware.org/isinfo.php).

    powershell -ExecutionPolicy Bypass -File installer\windows\build.ps1

  Result: dist\CLV-Toolkit-<version>-setup.exe
#>
param(
    [string]$Python = "python",
    [string]$Iscc = "",
    # Web address (folder ending in /) where the engine wheel for xlwings Lite will be hosted.
    [string]$WheelUrl = "",
    [switch]$SkipSmoke
)

$ErrorActionPreference = "Stop"
$RepoRoot = Resolve-Path (Join-Path $PSScriptRoot "..\..")
Set-Location $RepoRoot

function Invoke-Step([string]$What, [scriptblock]$Command) {
    Write-Host "==> $What"
    & $Command
    if ($LASTEXITCODE -ne 0) { throw "$What failed (exit code $LASTEXITCODE)" }
}

function Find-Iscc {
    if ($Iscc) { return $Iscc }
    $onPath = Get-Command "ISCC.exe" -ErrorAction SilentlyContinue
    if ($onPath) { return $onPath.Source }
    $candidates = @(
        (Join-Path ${env:ProgramFiles(x86)} "Inno Setup 6\ISCC.exe"),
        (Join-Path $env:ProgramFiles "Inno Setup 6\ISCC.exe"),
        (Join-Path $env:LOCALAPPDATA "Programs\Inno Setup 6\ISCC.exe")
    )
    foreach ($candidate in $candidates) { if (Test-Path $candidate) { return $candidate } }
    throw "Inno Setup compiler (ISCC.exe) not found. Install Inno Setup 6.3+ or pass -Iscc <path>."
}

$Version = (& $Python -c "import clv_engine; print(clv_engine.__version__)").Trim()
if ($LASTEXITCODE -ne 0 -or -not $Version) { throw "Could not read clv_engine.__version__ with $Python" }
$NumericVersion = (($Version -split "[^0-9]+" | Where-Object { $_ -ne "" }) | Select-Object -First 4) -join "."
$ScriptsDir = (& $Python -c "import sysconfig; print(sysconfig.get_path('scripts'))").Trim()
$ClvExcel = Join-Path $ScriptsDir "clv-excel.exe"
if (-not (Test-Path $ClvExcel)) { throw "clv-excel not found in $ScriptsDir; run: $Python -m pip install -e `".[desktop,installer]`"" }

$Dist = Join-Path $RepoRoot "dist"
$BundleDir = Join-Path $Dist "CLV Toolkit"
$ExcelBuild = Join-Path $RepoRoot "build\excel"
$TemplateFile = Join-Path $ExcelBuild "CLV Toolkit.xlsx"
$LiteDir = Join-Path $ExcelBuild "xlwings-lite"
New-Item -ItemType Directory -Force -Path $ExcelBuild | Out-Null

Write-Host "CLV Toolkit $Version"
Invoke-Step "PyInstaller bundle" { & $Python installer\build.py --clean }
if (-not $SkipSmoke) {
    Invoke-Step "Smoke test of the built app" { & $Python installer\smoke.py }
}
# "--interpreter=" leaves the workbook's Python setting empty: the build machine's Python
# path means nothing on an owner's PC (PowerShell 5 drops a separate "" argument).
Invoke-Step "Excel template workbook" { & $ClvExcel template $TemplateFile --force "--interpreter=" }
$LiteArgs = @("lite", $LiteDir)
if ($WheelUrl) { $LiteArgs += "--wheel-url=$WheelUrl" }
Invoke-Step "xlwings Lite bundle" { & $ClvExcel @LiteArgs }

$Compiler = Find-Iscc
Invoke-Step "Inno Setup installer" {
    & $Compiler "/DAppVersion=$Version" "/DNumericVersion=$NumericVersion" "/DBundleDir=$BundleDir" "/DTemplateFile=$TemplateFile" `
        "/DLiteDir=$LiteDir" "/DOutputDir=$Dist" "installer\windows\clv_toolkit.iss"
}

$Setup = Join-Path $Dist "CLV-Toolkit-$Version-setup.exe"
$SizeMb = [math]::Round((Get-Item $Setup).Length / 1MB, 1)
Write-Host "Installer: $Setup ($SizeMb MB)"
