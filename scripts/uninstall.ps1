<#
.SYNOPSIS
    Removes the echo device and every copy of the echo driver package from this machine.

.DESCRIPTION
    uninstall.ps1 removes every device node of the echo driver (hardware id root\ECHO or
    setup class EchoKmdfSample), then deletes every copy of the echo driver package from
    the driver store (each oem<N>.inf in %SystemRoot%\INF that installs the EchoKmdf
    service of our setup class) with "pnputil /delete-driver oem<N>.inf /uninstall
    /force". At the end it checks that no device and no oem<N>.inf of the driver are
    left, and fails naming what is left otherwise.

    A device is removed with "pnputil /remove-device" (Windows 10 version 2004 and
    later), else with devgen /remove (devices devgen made) or devcon remove.

    Running it again when nothing is installed changes nothing and succeeds.

.PARAMETER RemoveCertificate
    Also remove the project's test certificate (CN=Echo KMDF Driver Test Signing) from
    the local machine's Root and TrustedPublisher stores.

.EXAMPLE
    .\scripts\uninstall.ps1
    Removes the device and the driver package.

.EXAMPLE
    .\scripts\uninstall.ps1 -RemoveCertificate -WhatIf
    Shows what it would remove.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [switch] $RemoveCertificate
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

Import-Module (Join-Path $PSScriptRoot 'EchoCommon.psm1') -Force

Assert-EchoAdministrator
$names = Get-EchoConstant
$pnputil = Get-EchoPnpUtilPath

function Remove-EchoDeviceNode {
    param([string] $InstanceId)
    # pnputil /remove-device exists from Windows 10 version 2004 on
    # (learn.microsoft.com/windows-hardware/drivers/devtest/pnputil-command-syntax).
    $build = [Environment]::OSVersion.Version.Build
    if ($build -ge 19041) {
        $removed = Invoke-EchoNative -FilePath $pnputil -ArgumentList @('/remove-device', $InstanceId) -NoThrow
        $removed.Output | ForEach-Object { Write-Host "    $_" }
        if ($removed.ExitCode -eq 0 -or $removed.ExitCode -eq 3010) { return }
    }
    $devgen = Find-EchoKitTool -Name 'devgen'
    if ($devgen) {
        # devgen removes only devices that devgen made.
        $removed = Invoke-EchoNative -FilePath $devgen -ArgumentList @('/remove', $InstanceId) -NoThrow
        $removed.Output | ForEach-Object { Write-Host "    $_" }
        if ($removed.ExitCode -eq 0) { return }
    }
    $devcon = Find-EchoKitTool -Name 'devcon'
    if ($devcon) {
        # devcon's "@" prefix names a device instance id rather than a hardware id.
        $removed = Invoke-EchoNative -FilePath $devcon -ArgumentList @('remove', "@$InstanceId") -NoThrow
        $removed.Output | ForEach-Object { Write-Host "    $_" }
        if ($removed.ExitCode -eq 0 -or $removed.ExitCode -eq 1) { return }
    }
    throw ("The device $InstanceId could not be removed: pnputil /remove-device needs Windows 10 version 2004 " +
        'or later, otherwise devgen.exe or devcon.exe from the WDK tools must be on PATH.')
}

# ---------------------------------------------------------------------------------------

$devices = @(Get-EchoDevice)
if ($devices.Count -eq 0) {
    Write-EchoStep 'No echo device is present.'
}
foreach ($device in $devices) {
    if ($PSCmdlet.ShouldProcess($device.InstanceId, 'Remove device')) {
        Write-EchoStep "Removing device $($device.InstanceId)"
        Remove-EchoDeviceNode -InstanceId $device.InstanceId
    }
}

$packages = @(Get-EchoDriverStoreInf)
if ($packages.Count -eq 0) {
    Write-EchoStep 'No echo driver package is in the driver store.'
}
foreach ($package in $packages) {
    if ($PSCmdlet.ShouldProcess($package.PublishedName, 'pnputil /delete-driver /uninstall /force')) {
        Write-EchoStep ("Deleting {0} (DriverVer {1}) from the driver store" -f $package.PublishedName, $package.DriverVer)
        # /uninstall takes it off any device still using it; /force deletes it even then.
        $deleted = Invoke-EchoNative -FilePath $pnputil -ArgumentList @(
            '/delete-driver', $package.PublishedName, '/uninstall', '/force') -SuccessCodes @(0, 3010)
        $deleted.Output | ForEach-Object { Write-Host "    $_" }
        if ($deleted.ExitCode -eq 3010) { Write-Warning 'pnputil says Windows must restart to finish removing the driver.' }
    }
}

if ($RemoveCertificate) {
    foreach ($store in @('Root', 'TrustedPublisher')) {
        $certificates = @(Get-ChildItem -Path "Cert:\LocalMachine\$store" |
            Where-Object { $_.Subject -eq $names.CertificateSubject })
        foreach ($certificate in $certificates) {
            if ($PSCmdlet.ShouldProcess("Cert:\LocalMachine\$store\$($certificate.Thumbprint)", 'Remove test certificate')) {
                Remove-Item -LiteralPath "Cert:\LocalMachine\$store\$($certificate.Thumbprint)"
            }
        }
    }
}

if ($WhatIfPreference) { return }

# What is left must be nothing.
$leftDevices = @(Get-EchoDevice)
$leftPackages = @(Get-EchoDriverStoreInf)
if ($leftDevices.Count -gt 0 -or $leftPackages.Count -gt 0) {
    $what = @($leftDevices | ForEach-Object { "device $($_.InstanceId)" }) + @($leftPackages | ForEach-Object { $_.PublishedName })
    throw ("Still installed: {0}. A restart may be needed to finish removing them; then run uninstall.ps1 again." -f ($what -join ', '))
}
Write-EchoStep 'The echo driver is uninstalled: no device and no oem*.inf of it are left.'
