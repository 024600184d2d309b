# Installs the soclite agent on Windows: checks prerequisites, enrolls the machine with a token read from a
# file (never a command-line secret), and registers a start-up task that runs the agent as SYSTEM and restarts
# it when it stops. Run from an elevated PowerShell:
#   powershell -NoProfile -ExecutionPolicy Bypass -File install-agent.ps1 -Server https://collector:8443 -TokenFile C:\temp\token.txt
# Uninstall: install-agent.ps1 -Uninstall
#
# Why a scheduled task and not a service: node.exe does not speak the Service Control Manager protocol, and a
# service wrapper would be an extra binary to download and trust. A SYSTEM task at start-up with restart on
# failure gives the same lifecycle with only what Windows ships.
[CmdletBinding(DefaultParameterSetName = 'Install')]
param(
  [Parameter(ParameterSetName = 'Install', Mandatory = $true)][string]$Server,
  [Parameter(ParameterSetName = 'Install', Mandatory = $true)][string]$TokenFile,
  [Parameter(ParameterSetName = 'Install')][string]$CaFile,
  [Parameter(ParameterSetName = 'Install')][string]$InstallDir = (Join-Path $env:ProgramFiles 'soclite'),
  [Parameter(ParameterSetName = 'Uninstall', Mandatory = $true)][switch]$Uninstall
)
$ErrorActionPreference = 'Stop'
$TaskName = 'soclite-agent'
# The same V8 settings as NODE_OPTIONS in deploy/systemd/soclite-agent.service (a small young generation: the
# agent allocates little between scans, and V8 otherwise keeps ~12 MB reserved). Given as node.exe arguments, not
# a machine-wide NODE_OPTIONS that every other Node program would inherit; the agent passes its own Node flags
# on to its scan children.
$NodeFlags = '--max-semi-space-size=1'
$StateDir = Join-Path $env:ProgramData 'soclite\agent'

function Assert-Admin {
  $id = [Security.Principal.WindowsIdentity]::GetCurrent()
  if (-not (New-Object Security.Principal.WindowsPrincipal($id)).IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
    throw 'Run this script from an elevated PowerShell (Administrator). / Hãy chạy PowerShell với quyền quản trị.'
  }
}

Assert-Admin

if ($Uninstall) {
  if (Get-ScheduledTask -TaskName $TaskName -ErrorAction SilentlyContinue) {
    Stop-ScheduledTask -TaskName $TaskName -ErrorAction SilentlyContinue
    Unregister-ScheduledTask -TaskName $TaskName -Confirm:$false
  }
  Write-Host "soclite agent task removed. State kept in $StateDir (delete it to forget the enrollment)."
  return
}

$node = (Get-Command node.exe -ErrorAction SilentlyContinue).Source
if (-not $node) { throw 'node.exe (Node.js 20 or later) was not found on PATH. / Không tìm thấy node.exe (Node.js >= 20).' }
$major = [int]((& $node --version).TrimStart('v').Split('.')[0])
if ($major -lt 20) { throw "Node.js $major found; soclite needs 20 or later." }

$cli = Join-Path $InstallDir 'bin\soclite.js'
if (-not (Test-Path -LiteralPath $cli)) { throw "soclite is not installed in $InstallDir (expected $cli). Copy the built package there first." }
if (-not (Test-Path -LiteralPath $TokenFile)) { throw "Token file $TokenFile not found." }

# The collector script must be the one shipped with this package; refuse a tampered copy when it is signed.
$collect = Join-Path $InstallDir 'agent\windows\collect.ps1'
if (-not (Test-Path -LiteralPath $collect)) { throw "collect.ps1 missing at $collect" }
$sig = Get-AuthenticodeSignature -LiteralPath $collect
if ($sig.Status -ne 'Valid' -and $sig.Status -ne 'NotSigned') { throw "collect.ps1 signature is $($sig.Status): refusing to install a modified collector." }

# State directory: SYSTEM and Administrators only (it holds the agent's private key).
New-Item -ItemType Directory -Force -Path $StateDir | Out-Null
$acl = New-Object Security.AccessControl.DirectorySecurity
$acl.SetAccessRuleProtection($true, $false)
foreach ($sid in 'S-1-5-18', 'S-1-5-32-544') {
  $acct = (New-Object Security.Principal.SecurityIdentifier($sid))
  $acl.AddAccessRule((New-Object Security.AccessControl.FileSystemAccessRule($acct, 'FullControl', 'ContainerInherit,ObjectInherit', 'None', 'Allow')))
}
Set-Acl -LiteralPath $StateDir -AclObject $acl

$enrollArgs = @($cli, 'agent', 'enroll', '--server', $Server, '--token-file', $TokenFile, '--state-dir', $StateDir)
if ($CaFile) { $enrollArgs += @('--ca-file', $CaFile) }
& $node @enrollArgs
if ($LASTEXITCODE -ne 0) { throw "Enrollment failed (exit $LASTEXITCODE). / Đăng ký tác tử thất bại." }

$action = New-ScheduledTaskAction -Execute $node -Argument ('{0} "{1}" agent run --state-dir "{2}"' -f $NodeFlags, $cli, $StateDir) -WorkingDirectory $InstallDir
$trigger = New-ScheduledTaskTrigger -AtStartup
$principal = New-ScheduledTaskPrincipal -UserId 'S-1-5-18' -LogonType ServiceAccount -RunLevel Highest
$settings = New-ScheduledTaskSettingsSet -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries -StartWhenAvailable `
  -RestartCount 999 -RestartInterval (New-TimeSpan -Minutes 1) -ExecutionTimeLimit ([TimeSpan]::Zero) -Priority 7 -MultipleInstances IgnoreNew
Register-ScheduledTask -TaskName $TaskName -Action $action -Trigger $trigger -Principal $principal -Settings $settings `
  -Description 'soclite endpoint agent: reports AV/EDR, patch, exposure and hardening posture to the collector.' -Force | Out-Null
Start-ScheduledTask -TaskName $TaskName
Write-Host "soclite agent installed and started (task '$TaskName', state in $StateDir)."
