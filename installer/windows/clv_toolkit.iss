; Inno Setup script for CLV Toolkit (Inno Setup 6.3 or later).
;
; Build with installer\windows\build.ps1, which first builds the PyInstaller bundle and the
; Excel template, then runs:
;   ISCC /DAppVersion=<clv_engine.__version__> /DBundleDir=<dist\CLV Toolkit>
;        /DTemplateFile=<build\CLV Toolkit.xlsx> [/DLiteDir=<build\xlwings-lite>]
;        /DOutputDir=<dist> installer\windows\clv_toolkit.iss
;
; Per-user install, no administrator rights: the program goes to
; %LOCALAPPDATA%\Programs\CLV Toolkit, the shortcut to the user's Start menu.
;
; The Excel template goes to Documents\CLV Toolkit\ (not %APPDATA%\Microsoft\Templates):
; owners find it there in File Explorer and in Excel's "Open" list, whereas Excel's
; "Personal" templates tab only lists a folder the user has configured (often none), so a
; template hidden in %APPDATA% would never be seen. It is copied only if no file of that
; name exists and is never removed by the uninstaller, because the owner keeps their orders
; and results in it.

#ifndef AppVersion
  #error Pass the version: ISCC /DAppVersion=x.y.z (build.ps1 reads clv_engine.__version__)
#endif
#ifndef NumericVersion
  ; Windows file versions are up to four numbers: build.ps1 passes 0.1.0.2 for 0.1.0.dev2
  #define NumericVersion AppVersion
#endif
#ifndef BundleDir
  #define BundleDir "..\..\dist\CLV Toolkit"
#endif
#ifndef TemplateFile
  #define TemplateFile "..\..\build\excel\CLV Toolkit.xlsx"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif

#define AppName "CLV Toolkit"
#define AppExeName "CLV Toolkit.exe"
#define TemplateName "CLV Toolkit.xlsx"

[Setup]
; AppId identifies the product for upgrades and the uninstaller: never change it.
AppId={{EED54ED5-E954-4278-BB2E-ECFF64F01293}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=CLV Toolkit
VersionInfoVersion={#NumericVersion}
PrivilegesRequired=lowest
DefaultDirName={autopf}\{#AppName}
DisableProgramGroupPage=yes
DisableDirPage=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
Uninstallable=yes
UninstallDisplayName={#AppName}
UninstallDisplayIcon={app}\{#AppExeName}
SetupIconFile=..\icons\clv_toolkit.ico
CloseApplications=yes
OutputDir={#OutputDir}
OutputBaseFilename=CLV-Toolkit-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "{#TemplateFile}"; DestDir: "{userdocs}\{#AppName}"; DestName: "{#TemplateName}"; Flags: onlyifdoesntexist uninsneveruninstall
#ifdef LiteDir
; Files to paste into the xlwings Lite add-in: next to the workbook so owners find them;
; replaced on upgrade and removed on uninstall (nothing of the owner's is in them).
Source: "{#LiteDir}\*"; DestDir: "{userdocs}\{#AppName}\xlwings Lite"; Flags: ignoreversion recursesubdirs createallsubdirs
#endif

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExeName}"
Name: "{autoprograms}\{#AppName} Excel workbook"; Filename: "{userdocs}\{#AppName}\{#TemplateName}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExeName}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExeName}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

