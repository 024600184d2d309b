# soclite Windows collector: one PowerShell run per scan, printing ONE JSON document on stdout.
# Every section runs in its own try/catch with a time budget; a failed section becomes an entry in "errors"
# (never a guess). Dates are written with .ToString('o') so the TypeScript side sees one ISO format on
# PowerShell 5.1 and 7 alike; enums are cast to [int] so the output does not depend on the display language.
# Run with: powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -File collect.ps1 [-SkipUpdateSearch]
[CmdletBinding()]
param(
  [switch]$SkipUpdateSearch,
  [int]$UpdateSearchTimeoutSec = 120
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$result = [ordered]@{
  schema       = 1
  psVersion    = $PSVersionTable.PSVersion.ToString()
  languageMode = $ExecutionContext.SessionState.LanguageMode.ToString()
  collectedAt  = (Get-Date).ToUniversalTime().ToString('o')
  errors       = New-Object System.Collections.ArrayList
}

function Add-Section([string]$Name, [scriptblock]$Body) {
  $sw = [Diagnostics.Stopwatch]::StartNew()
  try {
    $result[$Name] = & $Body
  } catch {
    [void]$result.errors.Add([ordered]@{ section = $Name; error = $_.Exception.Message })
  }
  $sw.Stop()
  if (-not $result.Contains('costMs')) { $result['costMs'] = [ordered]@{} }
  $result.costMs[$Name] = [int]$sw.ElapsedMilliseconds
}

function Get-RegValue([string]$Path, [string]$Name) {
  try { return (Get-ItemProperty -LiteralPath $Path -Name $Name -ErrorAction Stop).$Name } catch { return $null }
}

Add-Section 'os' {
  $cv = 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion'
  $os = Get-CimInstance -ClassName Win32_OperatingSystem
  [ordered]@{
    hostname         = $env:COMPUTERNAME
    caption          = $os.Caption
    version          = $os.Version
    build            = [string](Get-RegValue $cv 'CurrentBuild')
    ubr              = Get-RegValue $cv 'UBR'
    displayVersion   = Get-RegValue $cv 'DisplayVersion'
    editionId        = Get-RegValue $cv 'EditionID'
    installationType = Get-RegValue $cv 'InstallationType'
    productType      = [int]$os.ProductType
    lastBootUpTime   = $os.LastBootUpTime.ToUniversalTime().ToString('o')
  }
}

# The raw MachineGuid is hashed by the agent before anything leaves the host.
Add-Section 'machineGuid' { [string](Get-RegValue 'HKLM:\SOFTWARE\Microsoft\Cryptography' 'MachineGuid') }

Add-Section 'network' {
  $ips = @(); $macs = @()
  foreach ($a in @(Get-NetIPAddress -ErrorAction SilentlyContinue)) { if ($a.IPAddress -notmatch '^(127\.|::1$)') { $ips += $a.IPAddress } }
  foreach ($n in @(Get-NetAdapter -ErrorAction SilentlyContinue)) { if ($n.MacAddress) { $macs += $n.MacAddress } }
  $gw = @(Get-NetRoute -DestinationPrefix '0.0.0.0/0' -ErrorAction SilentlyContinue | ForEach-Object { $_.NextHop })
  [ordered]@{ ips = @($ips); macs = @($macs); defaultGateways = @($gw) }
}

# root/SecurityCenter2 exists on client SKUs only; on Server the section fails and Defender/services are used.
Add-Section 'wsc' {
  $ns = 'root/SecurityCenter2'
  [ordered]@{
    antiVirus   = @(Get-CimInstance -Namespace $ns -ClassName AntiVirusProduct | Select-Object displayName, pathToSignedProductExe, @{n='productState';e={[int64]$_.productState}}, timestamp)
    antiSpyware = @(Get-CimInstance -Namespace $ns -ClassName AntiSpywareProduct | Select-Object displayName, pathToSignedProductExe, @{n='productState';e={[int64]$_.productState}}, timestamp)
    firewall    = @(Get-CimInstance -Namespace $ns -ClassName FirewallProduct | Select-Object displayName, pathToSignedProductExe, @{n='productState';e={[int64]$_.productState}}, timestamp)
  }
}

Add-Section 'defender' {
  $s = Get-MpComputerStatus
  [ordered]@{
    AMServiceEnabled             = $s.AMServiceEnabled
    AntivirusEnabled             = $s.AntivirusEnabled
    RealTimeProtectionEnabled    = $s.RealTimeProtectionEnabled
    AMRunningMode                = [string]$s.AMRunningMode
    IsTamperProtected            = $s.IsTamperProtected
    AntivirusSignatureVersion    = $s.AntivirusSignatureVersion
    AntivirusSignatureLastUpdated = if ($s.AntivirusSignatureLastUpdated) { $s.AntivirusSignatureLastUpdated.ToUniversalTime().ToString('o') } else { $null }
    AntivirusSignatureAge        = [int64]$s.AntivirusSignatureAge
    DefenderSignaturesOutOfDate  = $s.DefenderSignaturesOutOfDate
    AMProductVersion             = $s.AMProductVersion
  }
}

# Third-party AV/EDR services (also on Server, where SecurityCenter2 is absent).
Add-Section 'avServices' {
  $names = 'CSFalconService','SentinelAgent','ekrn','AVP','KAVFS','EPSecurityService','SepMasterService','ntrtscan','masvc','mfemms','cyserver','WinDefend','Sense','Sysmon','Sysmon64','BkavService','BkavProService'
  @(Get-Service -Name $names -ErrorAction SilentlyContinue | ForEach-Object {
    [ordered]@{ name = $_.Name; displayName = $_.DisplayName; status = $_.Status.ToString(); startType = $_.StartType.ToString() }
  })
}

Add-Section 'firewall' {
  @(Get-NetFirewallProfile -PolicyStore ActiveStore | ForEach-Object {
    [ordered]@{ Name = $_.Name; Enabled = [int]$_.Enabled; DefaultInboundAction = [int]$_.DefaultInboundAction }
  })
}

Add-Section 'listen' {
  # Both cmdlets raise "No matching objects" when there is nothing to list: that is an empty list, not a failure.
  $tcp = @(Get-NetTCPConnection -State Listen -ErrorAction SilentlyContinue | ForEach-Object { [ordered]@{ LocalAddress = $_.LocalAddress; LocalPort = [int]$_.LocalPort; OwningProcess = [int]$_.OwningProcess } })
  $udp = @(Get-NetUDPEndpoint -ErrorAction SilentlyContinue | ForEach-Object { [ordered]@{ LocalAddress = $_.LocalAddress; LocalPort = [int]$_.LocalPort; OwningProcess = [int]$_.OwningProcess } })
  $pids = @(@($tcp) + @($udp) | ForEach-Object { $_.OwningProcess } | Sort-Object -Unique)
  $procs = @()
  if ($pids.Count -gt 0) { $procs = @(Get-Process -Id $pids -ErrorAction SilentlyContinue | ForEach-Object { [ordered]@{ Id = $_.Id; ProcessName = $_.ProcessName } }) }
  [ordered]@{ tcp = $tcp; udp = $udp; processes = $procs }
}

Add-Section 'bitlocker' {
  @(Get-CimInstance -Namespace 'root/cimv2/Security/MicrosoftVolumeEncryption' -ClassName Win32_EncryptableVolume | ForEach-Object {
    [ordered]@{ MountPoint = $_.DriveLetter; ProtectionStatus = [int]$_.ProtectionStatus; EncryptionMethod = [int]$_.EncryptionMethod }
  })
}

Add-Section 'updates' {
  $out = [ordered]@{}
  $au = New-Object -ComObject Microsoft.Update.AutoUpdate
  $out.lastSearchSuccess = if ($au.Results.LastSearchSuccessDate) { ([datetime]$au.Results.LastSearchSuccessDate).ToUniversalTime().ToString('o') } else { $null }
  $out.lastInstallSuccess = if ($au.Results.LastInstallationSuccessDate) { ([datetime]$au.Results.LastInstallationSuccessDate).ToUniversalTime().ToString('o') } else { $null }
  $out.notificationLevel = [int]$au.Settings.NotificationLevel
  $out.noAutoUpdate = Get-RegValue 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate\AU' 'NoAutoUpdate'
  $out.rebootRequired = Test-Path 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired'
  if (-not $SkipUpdateSearch) {
    # The WUA search can take minutes: run it in a job with a hard timeout.
    $job = Start-Job -ScriptBlock {
      $s = (New-Object -ComObject Microsoft.Update.Session).CreateUpdateSearcher()
      $r = $s.Search("IsInstalled=0 and Type='Software' and IsHidden=0")
      foreach ($u in $r.Updates) {
        $cats = @($u.Categories | ForEach-Object { $_.CategoryID })
        [pscustomobject]@{ title = $u.Title; kbs = @($u.KBArticleIDs); security = ($cats -contains '0fa1201d-4330-4fa8-8ae9-b877473b6441') }
      }
    }
    if (Wait-Job $job -Timeout $UpdateSearchTimeoutSec) {
      $out.pending = @(Receive-Job $job | Select-Object title, kbs, security)
    } else {
      Stop-Job $job
      [void]$result.errors.Add([ordered]@{ section = 'updates.pending'; error = "Windows Update search exceeded $UpdateSearchTimeoutSec s" })
    }
    Remove-Job $job -Force
  }
  $out
}

Add-Section 'reg' {
  $ts = 'HKLM:\SYSTEM\CurrentControlSet\Control\Terminal Server'
  [ordered]@{
    fDenyTSConnections    = Get-RegValue $ts 'fDenyTSConnections'
    rdpUserAuthentication = Get-RegValue "$ts\WinStations\RDP-Tcp" 'UserAuthentication'
    autoAdminLogon        = [string](Get-RegValue 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Winlogon' 'AutoAdminLogon')
    usbstorStart          = Get-RegValue 'HKLM:\SYSTEM\CurrentControlSet\Services\USBSTOR' 'Start'
    inactivityTimeoutSecs = Get-RegValue 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System' 'InactivityTimeoutSecs'
    w32timeType           = [string](Get-RegValue 'HKLM:\SYSTEM\CurrentControlSet\Services\W32Time\Parameters' 'Type')
    w32timeServer         = [string](Get-RegValue 'HKLM:\SYSTEM\CurrentControlSet\Services\W32Time\Parameters' 'NtpServer')
  }
}

Add-Section 'smb1' { [bool](Get-SmbServerConfiguration).EnableSMB1Protocol }

# Well-known SID S-1-5-32-544 = local Administrators, whatever the display language calls the group.
Add-Section 'localAdmins' { @(Get-LocalGroupMember -SID 'S-1-5-32-544' | ForEach-Object { [string]$_.Name }) }

# secedit prints an INI file whose keys do not depend on the display language (net accounts does).
Add-Section 'passwordPolicy' {
  $tmp = Join-Path $env:TEMP ("soclite-secpol-{0}.inf" -f [guid]::NewGuid())
  try {
    & secedit.exe /export /cfg $tmp /areas SECURITYPOLICY /quiet | Out-Null
    $p = [ordered]@{}
    foreach ($line in Get-Content -LiteralPath $tmp) {
      if ($line -match '^(MinimumPasswordLength|MaximumPasswordAge|PasswordComplexity|PasswordHistorySize|LockoutBadCount|LockoutDuration)\s*=\s*(-?\d+)') { $p[$Matches[1]] = [int]$Matches[2] }
    }
    $p
  } finally { Remove-Item -LiteralPath $tmp -ErrorAction SilentlyContinue }
}

$result | ConvertTo-Json -Depth 6 -Compress
