<#
.SYNOPSIS
    Installs the echo driver package on this (test) machine and creates its
    root-enumerated device root\ECHO.

.DESCRIPTION
    install.ps1 first checks that the package can load here, and refuses with the reason
    and the fix when:
      - the script does not run elevated;
      - the package's architecture (read from echo.sys) is not the machine's;
      - test signing is off in this boot (fix: bcdedit /set testsigning on, then restart);
      - UEFI Secure Boot is on, which keeps test signing from taking effect (fix: turn
        Secure Boot off in the firmware setup);
      - the certificate that signed echo.cat is not trusted (in the local machine's Root
        and TrustedPublisher stores): it offers to add echo-test.cer to both, or does so
        at once with -TrustCertificate.

    Then it adds the package to the driver store with pnputil /add-driver /install, and
    creates the device with "devgen /add /bus ROOT /hardwareid root\ECHO" (a ROOT device
    persists across restarts; devgen's default bus, SWD, does not), or with
    "devcon install echo.inf root\ECHO" where devgen is absent. It waits until the device
    is started and its interface GUID_DEVINTERFACE_ECHO is enabled; when the device does
    not start, it reports the device's problem code in words and points at
    %SystemRoot%\INF\setupapi.dev.log.

    A second run with the same package changes nothing: a package already in the driver
    store (same INF) is not added again, and an existing device is kept.

    A newer build updates the installed driver in place: every build stamps the time of
    the build into DriverVer, so the new package ranks above the installed one and
    pnputil /add-driver /install puts it on the existing device. install.ps1 then checks
    that the device runs the new package (DEVPKEY_Device_DriverInfPath) and deletes the
    older packages of this driver from the driver store (pnputil /delete-driver, which
    refuses one a device still uses). A package whose DriverVer does not rank above the
    installed one is refused, since Windows would keep the installed driver.

    devgen.exe and devcon.exe are WDK tools (Windows Kits\10\Tools\<version>\<arch>): put
    that folder on PATH on a test machine without the WDK.

.PARAMETER PackagePath
    Folder with echo.sys, echo.inf, echo.cat (and echo-test.cer). Default: the package
    build.ps1 made for -Variant, -Configuration and this machine's architecture.

.PARAMETER Variant
    Variant of the default package: AutoSync (default) or DriverSync.

.PARAMETER Configuration
    Configuration of the default package: Release (default) or Debug.

.PARAMETER TrustCertificate
    Add the package's test certificate to the local machine's Root and TrustedPublisher
    stores without asking.

.PARAMETER TimeoutSeconds
    How long to wait for the device to start. Default 60.

.EXAMPLE
    .\scripts\install.ps1
    Installs build\win\packages\AutoSync\<arch>\Release.

.EXAMPLE
    .\scripts\install.ps1 -PackagePath D:\echo\DriverSync\x64\Release -TrustCertificate

.EXAMPLE
    .\scripts\build.ps1 -Variant AutoSync -Platform x64 -Configuration Release -SkipEchoApp; .\scripts\install.ps1 -TrustCertificate; .\scripts\test.ps1
    The edit-build-install-test loop: the new build replaces the installed driver on
    the existing device, and the older package leaves the driver store.

.EXAMPLE
    .\scripts\install.ps1 -WhatIf
    Runs the checks and says what it would change, without changing anything.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [string] $PackagePath,

    [ValidateSet('AutoSync', 'DriverSync')]
    [string] $Variant = 'AutoSync',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    [switch] $TrustCertificate,

    [ValidateRange(5, 3600)]
    [int] $TimeoutSeconds = 60
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

Import-Module (Join-Path $PSScriptRoot 'EchoCommon.psm1') -Force

$names = Get-EchoConstant
$machineArch = Get-EchoMachineArchitecture
if (-not $PackagePath) {
    $PackagePath = Join-Path (Get-EchoDefaultPackageRoot) "$Variant\$machineArch\$Configuration"
}
if (-not (Test-Path -LiteralPath $PackagePath -PathType Container)) {
    throw "The package folder $PackagePath does not exist. Build it with scripts\build.ps1 or pass -PackagePath."
}
$PackagePath = (Resolve-Path -LiteralPath $PackagePath).ProviderPath
$inf = Join-Path $PackagePath $names.InfFile
$sys = Join-Path $PackagePath $names.DriverFile
$cat = Join-Path $PackagePath $names.CatalogFile
foreach ($file in @($inf, $sys, $cat)) {
    if (-not (Test-Path -LiteralPath $file)) {
        throw "$file is missing. A package needs echo.inf, echo.sys and the signed echo.cat: build it with scripts\build.ps1."
    }
}

# ---------------------------------------------------------------------------------------
# Preflight
# ---------------------------------------------------------------------------------------

Write-EchoStep "Checking that $PackagePath can load on this machine"
Assert-EchoAdministrator

$packageArch = Get-EchoPeArchitecture -Path $sys
if ($packageArch -ne $machineArch) {
    throw ("The package is built for $packageArch, this Windows is $machineArch. Install the " +
        "$machineArch package (build.ps1 -Platform $machineArch) instead.")
}

# Test signing: learn.microsoft.com/windows-hardware/drivers/install/the-testsigning-boot-configuration-option
if (-not (Test-EchoTestSigningActive)) {
    $message = 'Test signing is off in this boot, so Windows refuses the test-signed driver (code 52).'
    if (Test-EchoSecureBootOn) {
        $message += (' UEFI Secure Boot is on: Windows ignores the test-signing option while it is. ' +
            'Turn Secure Boot off in the firmware setup, then run "bcdedit /set testsigning on" ' +
            'as administrator and restart.')
    } else {
        $message += ' Fix: run "bcdedit /set testsigning on" as administrator and restart Windows, then run install.ps1 again.'
    }
    throw $message
}

$signature = Get-AuthenticodeSignature -LiteralPath $cat
if (-not $signature.SignerCertificate) {
    throw "$cat is not signed. Build the package with scripts\build.ps1 without -SkipSigning."
}
$signer = $signature.SignerCertificate
if (-not (Test-EchoCertificateTrusted -Thumbprint $signer.Thumbprint)) {
    $cer = Join-Path $PackagePath $names.CertificateFile
    $question = ("The package is signed by '{0}' ({1}), which this machine does not trust. Add the " +
        "certificate to the local machine's Root and TrustedPublisher stores?") -f $signer.Subject, $signer.Thumbprint
    $trust = $TrustCertificate -or $WhatIfPreference
    if (-not $trust) {
        $trust = $PSCmdlet.ShouldContinue($question, 'Trust the test certificate')
    }
    if (-not $trust) {
        throw ("The test certificate is not trusted, so Windows would refuse the driver (code 52). Fix: run " +
            "install.ps1 -TrustCertificate, or import $cer into Cert:\LocalMachine\Root and " +
            'Cert:\LocalMachine\TrustedPublisher.')
    }
    foreach ($store in @('Root', 'TrustedPublisher')) {
        if ($PSCmdlet.ShouldProcess("Cert:\LocalMachine\$store", "Add test certificate $($signer.Thumbprint)")) {
            if (Test-Path -LiteralPath $cer) {
                Import-Certificate -FilePath $cer -CertStoreLocation "Cert:\LocalMachine\$store" | Out-Null
            } else {
                # No .cer beside the package: the certificate embedded in the signature will do.
                $x509Store = New-Object Security.Cryptography.X509Certificates.X509Store($store, 'LocalMachine')
                $x509Store.Open('ReadWrite')
                try { $x509Store.Add($signer) } finally { $x509Store.Close() }
            }
        }
    }
}

$devgen = Find-EchoKitTool -Name 'devgen'
$devcon = $null
if (-not $devgen) {
    $devcon = Find-EchoKitTool -Name 'devcon'
    if (-not $devcon) {
        throw ('Neither devgen.exe nor devcon.exe was found. They come with the WDK (Windows Kits\10\Tools\' +
            '<version>\<arch>); copy that folder to this machine and add it to PATH.')
    }
}
$pnputil = Get-EchoPnpUtilPath

# ---------------------------------------------------------------------------------------
# Driver store
# ---------------------------------------------------------------------------------------

$packageHash = (Get-FileHash -LiteralPath $inf -Algorithm SHA256).Hash
$packageVer = Get-EchoInfDriverVer -Path $inf
if (-not (ConvertTo-EchoDriverRank -DriverVer $packageVer)) {
    throw "$inf has no DriverVer of the form mm/dd/yyyy,w.x.y.z ('$packageVer'). Build the package with scripts\build.ps1."
}
$inStore = @(Get-EchoDriverStoreInf)
$same = @($inStore | Where-Object { $_.Hash -eq $packageHash })
$older = @($inStore | Where-Object { $_.Hash -ne $packageHash })

# Windows puts a driver on a device only when it ranks above the one installed, and
# among drivers of equal rank the later DriverVer date wins, then the higher version
# (pnputil /add-driver /install does not force a driver onto a device). Every build
# stamps the time of the build into DriverVer, so a new build ranks above an older
# one; a package that does not is refused here rather than added and ignored.
foreach ($old in $older) {
    if ((ConvertTo-EchoDriverRank -DriverVer $old.DriverVer) -and
            (Compare-EchoDriverVer -First $packageVer -Second $old.DriverVer) -le 0) {
        throw (("This package (DriverVer {0}) does not rank above {1} in the driver store (DriverVer {2}), so Windows " +
            "would keep that driver on the device. Build again (every build gets a later DriverVer), or remove the " +
            "installed driver with scripts\uninstall.ps1 first.") -f $packageVer, $old.PublishedName, $old.DriverVer)
    }
}

$rebootPending = $false
if ($same.Count -gt 0) {
    Write-EchoStep ("This package (DriverVer {0}) is already in the driver store as {1}; not adding it again." -f
        $packageVer, ($same.PublishedName -join ', '))
} elseif ($PSCmdlet.ShouldProcess($inf, 'pnputil /add-driver /install')) {
    if ($older.Count -gt 0) {
        Write-EchoStep ("Updating the installed driver ({0}) to this package (DriverVer {1})" -f
            (($older | ForEach-Object { "$($_.PublishedName), DriverVer $($_.DriverVer)" }) -join '; '), $packageVer)
    } else {
        Write-EchoStep "Adding $inf to the driver store (DriverVer $packageVer)"
    }
    # pnputil /add-driver: learn.microsoft.com/windows-hardware/drivers/devtest/pnputil-command-syntax
    # /install also puts the package on the existing echo device, since it ranks highest.
    # 3010 = ERROR_SUCCESS_REBOOT_REQUIRED; 259 = ERROR_NO_MORE_ITEMS (added, but no
    # device matched yet to install it on).
    $added = Invoke-EchoNative -FilePath $pnputil -ArgumentList @('/add-driver', $inf, '/install') -SuccessCodes @(0, 259, 3010)
    $added.Output | ForEach-Object { Write-Host "    $_" }
    if ($added.ExitCode -eq 3010) {
        $rebootPending = $true
        Write-Warning 'pnputil says Windows must restart to finish the installation.'
    }
}

# ---------------------------------------------------------------------------------------
# Device
# ---------------------------------------------------------------------------------------

$devices = @(Get-EchoDevice)
if ($devices.Count -gt 0) {
    Write-EchoStep ("Device already present: {0}" -f ($devices.InstanceId -join ', '))
} elseif ($devgen) {
    if ($PSCmdlet.ShouldProcess($names.HardwareId, 'devgen /add /bus ROOT')) {
        Write-EchoStep "Creating the root-enumerated device $($names.HardwareId) with devgen"
        # devgen: learn.microsoft.com/windows-hardware/drivers/devtest/devgen-command-syntax
        # (/bus ROOT persists across restarts; the default SWD device does not).
        $made = Invoke-EchoNative -FilePath $devgen -ArgumentList @('/add', '/bus', 'ROOT', '/hardwareid', $names.HardwareId)
        $made.Output | ForEach-Object { Write-Host "    $_" }
    }
} else {
    if ($PSCmdlet.ShouldProcess($names.HardwareId, 'devcon install')) {
        Write-EchoStep "Creating the root-enumerated device $($names.HardwareId) with devcon"
        $made = Invoke-EchoNative -FilePath $devcon -ArgumentList @('install', $inf, $names.HardwareId) -SuccessCodes @(0, 1)
        $made.Output | ForEach-Object { Write-Host "    $_" }
        if ($made.ExitCode -eq 1) { Write-Warning 'devcon says Windows must restart to finish the installation.' }
    }
}

if ($WhatIfPreference) {
    Write-EchoStep 'WhatIf: not waiting for the device.'
    return
}

Write-EchoStep "Waiting up to $TimeoutSeconds s for the device to start and its interface to appear"
$state = Wait-EchoDeviceStarted -TimeoutSeconds $TimeoutSeconds
if (-not $state.Ready) {
    throw ("The echo device did not start.{0}{1}" -f [Environment]::NewLine, (Format-EchoDeviceState -State $state))
}
Write-Host (Format-EchoDeviceState -State $state)

# ---------------------------------------------------------------------------------------
# The device runs this package; older packages leave the driver store
# ---------------------------------------------------------------------------------------

if ($rebootPending) {
    Write-Warning ('Restart Windows to finish the update, then run install.ps1 again: it checks that the device ' +
        'runs this package and removes the older ones from the driver store.')
    return
}
$published = @(Get-EchoDriverStoreInf | Where-Object { $_.Hash -eq $packageHash } | ForEach-Object { $_.PublishedName })
if ($published.Count -eq 0) {
    throw "$inf is not in the driver store after pnputil /add-driver; see %SystemRoot%\INF\setupapi.dev.log."
}
$inUse = @{}
foreach ($device in @(Get-EchoDevice | Where-Object { $_.Present })) {
    $deviceInf = Get-EchoDeviceDriverInf -InstanceId $device.InstanceId
    if ($deviceInf) { $inUse[$deviceInf.ToLowerInvariant()] = $device.InstanceId }
    if (-not $deviceInf -or $published -notcontains $deviceInf) {
        throw (("The device {0} runs {1}, not this package ({2}, DriverVer {3}). See %SystemRoot%\INF\setupapi.dev.log; " +
            "scripts\uninstall.ps1 and a new install start over.") -f $device.InstanceId, $deviceInf, ($published -join ', '), $packageVer)
    }
}
Write-EchoStep ("The device runs this package: {0} (DriverVer {1})" -f ($published -join ', '), $packageVer)

foreach ($old in @(Get-EchoDriverStoreInf | Where-Object { $_.Hash -ne $packageHash })) {
    if ($inUse.ContainsKey($old.PublishedName.ToLowerInvariant())) {
        Write-Warning "$($old.PublishedName) (DriverVer $($old.DriverVer)) is still in use by $($inUse[$old.PublishedName.ToLowerInvariant()]); it stays."
        continue
    }
    if ($PSCmdlet.ShouldProcess($old.PublishedName, 'pnputil /delete-driver (an older build, no longer in use)')) {
        Write-EchoStep "Removing the older package $($old.PublishedName) (DriverVer $($old.DriverVer)) from the driver store"
        # Without /uninstall and /force: pnputil refuses a package that a device still uses.
        $deleted = Invoke-EchoNative -FilePath $pnputil -ArgumentList @('/delete-driver', $old.PublishedName) -NoThrow
        $deleted.Output | ForEach-Object { Write-Host "    $_" }
        if ($deleted.ExitCode -ne 0) {
            Write-Warning "pnputil /delete-driver $($old.PublishedName) failed (exit code $($deleted.ExitCode)); remove it with scripts\uninstall.ps1."
        }
    }
}
Write-EchoStep 'Installed. Run scripts\test.ps1, or echoapp.'
