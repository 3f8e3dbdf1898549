<#
.SYNOPSIS
    Shared functions of the echo driver's Windows scripts (build.ps1, install.ps1,
    test.ps1, uninstall.ps1).

.DESCRIPTION
    Names and identifiers of the echo driver package, location of the Visual Studio and
    Windows Driver Kit tools, a runner for native tools that keeps their output and exit
    code, the driver store and device queries (through CIM and cfgmgr32, which do not
    depend on the display language), device problem codes in words, the test-signing
    preflight, and the Ctrl+C run that test.ps1 uses.

    Runs on Windows PowerShell 5.1 and PowerShell 7 on Windows.
#>

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

# ---------------------------------------------------------------------------------------
# Names shared with the INF (echo.inx) and the driver (driver/public.h, driver/driver.h).
# ---------------------------------------------------------------------------------------

$script:EchoHardwareId = 'root\ECHO'
$script:EchoServiceName = 'EchoKmdf'
$script:EchoClassName = 'EchoKmdfSample'
$script:EchoClassGuid = '{8F3B2A64-5C1D-4E7A-9B0C-2D6E4F1A3B57}'
$script:EchoInterfaceGuid = '{CDC35B6E-0BE4-4936-BF5F-5537380A7C1A}'
$script:EchoDriverFile = 'echo.sys'
$script:EchoInfFile = 'echo.inf'
$script:EchoCatalogFile = 'echo.cat'
$script:EchoCertificateFile = 'echo-test.cer'
$script:EchoCertificateSubject = 'CN=Echo KMDF Driver Test Signing'

function Get-EchoConstant {
    <#
    .SYNOPSIS
        Returns the names and identifiers of the echo driver package.
    #>
    [CmdletBinding()]
    param()
    [pscustomobject]@{
        HardwareId         = $script:EchoHardwareId
        ServiceName        = $script:EchoServiceName
        ClassName          = $script:EchoClassName
        ClassGuid          = $script:EchoClassGuid
        InterfaceGuid      = $script:EchoInterfaceGuid
        DriverFile         = $script:EchoDriverFile
        InfFile            = $script:EchoInfFile
        CatalogFile        = $script:EchoCatalogFile
        CertificateFile    = $script:EchoCertificateFile
        CertificateSubject = $script:EchoCertificateSubject
    }
}

function Get-EchoRepositoryRoot {
    <#
    .SYNOPSIS
        Returns the repository's root directory (the parent of scripts\).
    #>
    [CmdletBinding()]
    param()
    (Resolve-Path -LiteralPath (Join-Path $PSScriptRoot '..')).ProviderPath
}

function Get-EchoDefaultPackageRoot {
    <#
    .SYNOPSIS
        Returns the folder where build.ps1 puts the driver packages by default.
    #>
    [CmdletBinding()]
    param()
    Join-Path (Get-EchoRepositoryRoot) 'build\win\packages'
}

function Write-EchoStep {
    <#
    .SYNOPSIS
        Prints one progress line.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)][string] $Message)
    Write-Host "==> $Message"
}

# ---------------------------------------------------------------------------------------
# Native tools
# ---------------------------------------------------------------------------------------

function Invoke-EchoNative {
    <#
    .SYNOPSIS
        Runs a native program and returns its exit code and its output lines.

    .DESCRIPTION
        Standard error is merged into the output as plain text. Windows PowerShell 5.1
        turns each line a native program writes to standard error into an error record,
        which would stop a script that runs with $ErrorActionPreference = 'Stop'; this
        function collects those lines as text instead and leaves the decision to the
        caller (the exit code).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][string] $FilePath,
        [string[]] $ArgumentList = @(),
        [int[]] $SuccessCodes = @(0),
        [switch] $NoThrow
    )
    $ErrorActionPreference = 'Continue'
    Write-Verbose ("{0} {1}" -f $FilePath, ($ArgumentList -join ' '))
    $lines = @(& $FilePath @ArgumentList 2>&1 | ForEach-Object { "$_" })
    $code = $LASTEXITCODE
    $result = [pscustomobject]@{
        FilePath  = $FilePath
        Arguments = $ArgumentList
        ExitCode  = $code
        Output    = $lines
    }
    if (-not $NoThrow -and ($SuccessCodes -notcontains $code)) {
        $text = ($lines | Select-Object -Last 30) -join [Environment]::NewLine
        throw ("{0} failed with exit code {1}:{2}{3}" -f
            (Split-Path -Leaf $FilePath), $code, [Environment]::NewLine, $text)
    }
    $result
}

function Get-EchoVsWherePath {
    <#
    .SYNOPSIS
        Returns the path of vswhere.exe, which the Visual Studio installer puts in a fixed
        place, or $null.
    #>
    [CmdletBinding()]
    param()
    $base = ${env:ProgramFiles(x86)}
    if (-not $base) { $base = $env:ProgramFiles }
    $path = Join-Path $base 'Microsoft Visual Studio\Installer\vswhere.exe'
    if (Test-Path -LiteralPath $path) { return $path }
    $null
}

function Get-EchoMSBuildPath {
    <#
    .SYNOPSIS
        Finds MSBuild: the one on PATH in a Developer prompt, else the newest Visual
        Studio's through vswhere.
    #>
    [CmdletBinding()]
    param()
    if ($env:VSINSTALLDIR) {
        $onPath = Get-Command -Name 'msbuild.exe' -CommandType Application -ErrorAction SilentlyContinue |
            Select-Object -First 1
        if ($onPath) { return $onPath.Source }
    }
    $vswhere = Get-EchoVsWherePath
    if (-not $vswhere) {
        throw ('Visual Studio was not found: vswhere.exe is missing. Install Visual Studio 2022 ' +
            'with the "Desktop development with C++" workload and the Windows Driver Kit, or ' +
            'run this script from a "Developer PowerShell for VS 2022" window.')
    }
    # vswhere's documented way to find MSBuild: -requires the MSBuild component, -find
    # the executable below the installation.
    $found = Invoke-EchoNative -FilePath $vswhere -ArgumentList @(
        '-latest', '-products', '*', '-requires', 'Microsoft.Component.MSBuild',
        '-find', 'MSBuild\**\Bin\MSBuild.exe')
    $path = @($found.Output | Where-Object { $_ -and (Test-Path -LiteralPath $_) }) | Select-Object -First 1
    if (-not $path) {
        throw ('vswhere found no Visual Studio with MSBuild. Install Visual Studio 2022 with the ' +
            '"Desktop development with C++" workload.')
    }
    $path
}

function Get-EchoWindowsKitsRoot {
    <#
    .SYNOPSIS
        Returns the Windows Kits 10 root folder (registry KitsRoot10, else the default
        place), or $null.
    #>
    [CmdletBinding()]
    param()
    # On 64-bit Windows the kits record KitsRoot10 in the registry's 32-bit view
    # (WOW6432Node), which a 64-bit PowerShell does not see under the plain path; the
    # 64-bit view comes first for a kit that writes there.
    $root = $null
    foreach ($key in @('HKLM:\SOFTWARE\Microsoft\Windows Kits\Installed Roots',
            'HKLM:\SOFTWARE\WOW6432Node\Microsoft\Windows Kits\Installed Roots')) {
        if ($root -or -not (Test-Path -LiteralPath $key)) { continue }
        $value = Get-ItemProperty -LiteralPath $key -Name 'KitsRoot10' -ErrorAction SilentlyContinue
        if ($value) { $root = $value.KitsRoot10 }
    }
    if (-not $root) {
        $base = ${env:ProgramFiles(x86)}
        if (-not $base) { $base = $env:ProgramFiles }
        $root = Join-Path $base 'Windows Kits\10'
    }
    if (Test-Path -LiteralPath $root) { return $root }
    $null
}

function Get-EchoHostToolArchitecture {
    <#
    .SYNOPSIS
        Returns the WDK tool folder name that runs natively on this machine: x64 or arm64.
    #>
    [CmdletBinding()]
    param()
    if ((Get-EchoMachineArchitecture) -eq 'ARM64') { return 'arm64' }
    'x64'
}

function Find-EchoKitTool {
    <#
    .SYNOPSIS
        Finds a Windows Driver Kit or SDK tool (signtool, inf2cat, infverif, devgen,
        devcon) on PATH or in the newest kit version folder, or returns $null.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)][string] $Name)
    $exe = if ($Name.EndsWith('.exe')) { $Name } else { "$Name.exe" }
    $onPath = Get-Command -Name $exe -CommandType Application -ErrorAction SilentlyContinue |
        Select-Object -First 1
    if ($onPath) { return $onPath.Source }
    $root = Get-EchoWindowsKitsRoot
    if (-not $root) { return $null }
    $arch = Get-EchoHostToolArchitecture
    $candidates = New-Object System.Collections.Generic.List[string]
    foreach ($sub in @('bin', 'Tools')) {
        $dir = Join-Path $root $sub
        if (-not (Test-Path -LiteralPath $dir)) { continue }
        $versions = @(Get-ChildItem -LiteralPath $dir -Directory -ErrorAction SilentlyContinue |
            Where-Object { $_.Name -match '^\d+\.\d+\.\d+\.\d+$' } |
            Sort-Object { [version]$_.Name } -Descending)
        foreach ($version in $versions) {
            # Inf2Cat is a .NET tool that the WDK puts in the x86 folder only.
            foreach ($toolArch in @($arch, 'x64', 'x86')) {
                $candidates.Add((Join-Path $version.FullName (Join-Path $toolArch $exe)))
            }
        }
        foreach ($toolArch in @($arch, 'x64', 'x86')) {
            $candidates.Add((Join-Path $dir (Join-Path $toolArch $exe)))
        }
    }
    foreach ($candidate in $candidates) {
        if (Test-Path -LiteralPath $candidate) { return $candidate }
    }
    $null
}

function Get-EchoKitTool {
    <#
    .SYNOPSIS
        Like Find-EchoKitTool, but throws with the fix when the tool is missing.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)][string] $Name)
    $path = Find-EchoKitTool -Name $Name
    if (-not $path) {
        throw ("$Name.exe was not found on PATH or in the Windows Kits folder. Install the " +
            'Windows Driver Kit (WDK) that matches your Windows SDK, or run this script from a ' +
            '"Developer PowerShell for VS 2022" window, or copy the WDK tools folder ' +
            '(Windows Kits\10\Tools\<version>\<arch>) to the test machine and add it to PATH.')
    }
    $path
}

function Get-EchoPnpUtilPath {
    <#
    .SYNOPSIS
        Returns the path of pnputil.exe, which every Windows since Vista has in System32.
    #>
    [CmdletBinding()]
    param()
    # A 32-bit PowerShell on 64-bit Windows sees SysWOW64 as System32; Sysnative is the
    # real System32 there.
    $sysnative = Join-Path $env:SystemRoot 'Sysnative\pnputil.exe'
    if ([Environment]::Is64BitOperatingSystem -and -not [Environment]::Is64BitProcess -and
        (Test-Path -LiteralPath $sysnative)) {
        return $sysnative
    }
    Join-Path $env:SystemRoot 'System32\pnputil.exe'
}

# ---------------------------------------------------------------------------------------
# Machine state
# ---------------------------------------------------------------------------------------

function Test-EchoAdministrator {
    <#
    .SYNOPSIS
        True when the current process runs elevated, as a member of Administrators.
    #>
    [CmdletBinding()]
    param()
    $identity = [Security.Principal.WindowsIdentity]::GetCurrent()
    $principal = New-Object Security.Principal.WindowsPrincipal($identity)
    $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)
}

function Assert-EchoAdministrator {
    <#
    .SYNOPSIS
        Throws with the fix when the process does not run elevated.
    #>
    [CmdletBinding()]
    param()
    if (-not (Test-EchoAdministrator)) {
        throw ('This script changes drivers and devices and must run elevated: open PowerShell ' +
            'with "Run as administrator" and run it again.')
    }
}

function Get-EchoMachineArchitecture {
    <#
    .SYNOPSIS
        Returns the architecture of Windows on this machine: x64, ARM64 or x86.
    #>
    [CmdletBinding()]
    param()
    # PROCESSOR_ARCHITEW6432 is set for a process that runs emulated (x86 on x64, or x86
    # and x64 on ARM64 Windows 11); it names the machine's own architecture.
    $native = $env:PROCESSOR_ARCHITEW6432
    if (-not $native) { $native = $env:PROCESSOR_ARCHITECTURE }
    if ($native -eq 'AMD64') {
        # An x64 process on ARM64 Windows 11 sees AMD64 in both variables; the OS
        # architecture from the runtime tells the truth.
        try {
            $os = [System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture
            if ("$os" -eq 'Arm64') { return 'ARM64' }
        } catch {
            Write-Verbose 'RuntimeInformation is not available; keeping PROCESSOR_ARCHITECTURE.'
        }
        return 'x64'
    }
    switch ($native) {
        'ARM64' { return 'ARM64' }
        'x86' { return 'x86' }
        default { return "$native" }
    }
}

function Get-EchoPeArchitecture {
    <#
    .SYNOPSIS
        Returns the architecture a PE file (echo.sys) was built for, from the Machine
        field of its COFF header: x64, ARM64 or x86.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)][string] $Path)
    $bytes = [IO.File]::ReadAllBytes($Path)
    if ($bytes.Length -lt 64 -or $bytes[0] -ne 0x4D -or $bytes[1] -ne 0x5A) {
        throw "$Path is not a PE file (no MZ header)."
    }
    $peOffset = [BitConverter]::ToInt32($bytes, 0x3C)
    if ($peOffset -lt 0 -or $peOffset + 6 -gt $bytes.Length -or
        $bytes[$peOffset] -ne 0x50 -or $bytes[$peOffset + 1] -ne 0x45) {
        throw "$Path is not a PE file (no PE signature)."
    }
    $machine = [BitConverter]::ToUInt16($bytes, $peOffset + 4)
    switch ($machine) {
        0x8664 { return 'x64' }
        0xAA64 { return 'ARM64' }
        0x014C { return 'x86' }
        default { return ('unknown (0x{0:X4})' -f $machine) }
    }
}

function Test-EchoTestSigningActive {
    <#
    .SYNOPSIS
        True when Windows runs with test signing on in this boot.
    #>
    [CmdletBinding()]
    param()
    # SystemStartOptions holds the options the loader started this boot with; it shows
    # TESTSIGNING only once "bcdedit /set testsigning on" has taken effect by a reboot.
    $key = 'HKLM:\SYSTEM\CurrentControlSet\Control'
    $options = (Get-ItemProperty -LiteralPath $key -Name 'SystemStartOptions' -ErrorAction SilentlyContinue)
    if (-not $options) { return $false }
    ($options.SystemStartOptions -split '\s+') -contains 'TESTSIGNING'
}

function Test-EchoSecureBootOn {
    <#
    .SYNOPSIS
        True when UEFI Secure Boot is on; false when it is off or the firmware is not UEFI.
    #>
    [CmdletBinding()]
    param()
    try {
        return [bool](Confirm-SecureBootUEFI -ErrorAction Stop)
    } catch {
        # Confirm-SecureBootUEFI fails on BIOS firmware and where the cmdlet is not
        # supported: there is no Secure Boot to block test signing then.
        Write-Verbose "Confirm-SecureBootUEFI: $($_.Exception.Message)"
        return $false
    }
}

# ---------------------------------------------------------------------------------------
# Test-signing certificate
# ---------------------------------------------------------------------------------------

function Get-EchoTestCertificate {
    <#
    .SYNOPSIS
        Returns the project's code-signing test certificate with its private key from the
        current user's store, or $null.
    #>
    [CmdletBinding()]
    param([string] $Subject = $script:EchoCertificateSubject)
    $now = Get-Date
    @(Get-ChildItem -Path 'Cert:\CurrentUser\My' -CodeSigningCert -ErrorAction SilentlyContinue |
        Where-Object { $_.Subject -eq $Subject -and $_.HasPrivateKey -and
            $_.NotBefore -le $now -and $_.NotAfter -gt $now.AddDays(1) } |
        Sort-Object NotAfter -Descending) | Select-Object -First 1
}

function New-EchoTestCertificate {
    <#
    .SYNOPSIS
        Makes the project's code-signing test certificate in the current user's store.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param([string] $Subject = $script:EchoCertificateSubject)
    if ($PSCmdlet.ShouldProcess('Cert:\CurrentUser\My', "Create code-signing test certificate '$Subject'")) {
        New-SelfSignedCertificate -Type CodeSigningCert -Subject $Subject `
            -CertStoreLocation 'Cert:\CurrentUser\My' -KeyUsage DigitalSignature `
            -KeyAlgorithm RSA -KeyLength 3072 -HashAlgorithm SHA256 `
            -NotAfter (Get-Date).AddYears(5)
    }
}

function Test-EchoCertificateTrusted {
    <#
    .SYNOPSIS
        True when the certificate is in the local machine's Root and TrustedPublisher
        stores, which is what Windows needs to load a test-signed driver package.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)][string] $Thumbprint)
    $inRoot = Test-Path -LiteralPath ("Cert:\LocalMachine\Root\$Thumbprint")
    $inPublisher = Test-Path -LiteralPath ("Cert:\LocalMachine\TrustedPublisher\$Thumbprint")
    $inRoot -and $inPublisher
}

# ---------------------------------------------------------------------------------------
# INF files, the driver store and devices
# ---------------------------------------------------------------------------------------

function Get-EchoInfDriverVer {
    <#
    .SYNOPSIS
        Returns the DriverVer value of an INF file ("mm/dd/yyyy,w.x.y.z"), or $null.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)][string] $Path)
    # Get-Content detects UTF-16 LE by its byte order mark and reads ANSI otherwise,
    # the two encodings an INF may have.
    foreach ($line in (Get-Content -LiteralPath $Path)) {
        if ($line -match '^\s*DriverVer\s*=\s*([^;]+)') { return $Matches[1].Trim() }
    }
    $null
}

function ConvertTo-EchoDriverRank {
    <#
    .SYNOPSIS
        Turns a DriverVer value ("mm/dd/yyyy,w.x.y.z") into what Windows compares when
        it chooses between two drivers of equal rank: the date first, then the version
        ("How Windows Ranks Drivers"). Returns $null when the value is not of that form.
    #>
    [CmdletBinding()]
    param([AllowNull()][AllowEmptyString()][string] $DriverVer)
    if (-not $DriverVer) { return $null }
    $parts = $DriverVer.Split(',')
    $date = [datetime]::MinValue
    if (-not [datetime]::TryParseExact($parts[0].Trim(), 'MM/dd/yyyy', [Globalization.CultureInfo]::InvariantCulture,
            [Globalization.DateTimeStyles]::None, [ref] $date)) {
        return $null
    }
    $version = [version] '0.0.0.0'
    if ($parts.Count -gt 1 -and -not [version]::TryParse($parts[1].Trim(), [ref] $version)) { return $null }
    [pscustomobject]@{ Date = $date; Version = $version; Text = $DriverVer }
}

function Compare-EchoDriverVer {
    <#
    .SYNOPSIS
        Compares two DriverVer values as Windows ranks drivers: by date, then by version.
        Returns a negative number, 0 or a positive number as the first ranks below, equal
        to or above the second.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)][string] $First, [Parameter(Mandatory)][string] $Second)
    $a = ConvertTo-EchoDriverRank -DriverVer $First
    $b = ConvertTo-EchoDriverRank -DriverVer $Second
    if (-not $a -or -not $b) { throw "DriverVer values must be 'mm/dd/yyyy,w.x.y.z': '$First', '$Second'." }
    if ($a.Date -ne $b.Date) { return $a.Date.CompareTo($b.Date) }
    $a.Version.CompareTo($b.Version)
}

function Get-EchoDeviceDriverInf {
    <#
    .SYNOPSIS
        The published INF (oem<N>.inf) of the driver a device runs, from the device
        property DEVPKEY_Device_DriverInfPath, or $null when it has none.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)][string] $InstanceId)
    $property = Get-PnpDeviceProperty -InstanceId $InstanceId -KeyName 'DEVPKEY_Device_DriverInfPath' -ErrorAction SilentlyContinue
    if ($property -and $property.Data) { return "$($property.Data)" }
    $null
}

function Test-EchoInfIsOurs {
    <#
    .SYNOPSIS
        True when an INF installs the echo driver: it names our setup class GUID and our
        service.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)][string] $Path)
    $text = (Get-Content -LiteralPath $Path -ErrorAction SilentlyContinue) -join "`n"
    if (-not $text) { return $false }
    ($text.IndexOf($script:EchoClassGuid, [StringComparison]::OrdinalIgnoreCase) -ge 0) -and
        ($text -match ('AddService\s*=\s*' + [regex]::Escape($script:EchoServiceName) + '\s*,'))
}

function Get-EchoDriverStoreInf {
    <#
    .SYNOPSIS
        Lists the published copies (oem<N>.inf in %SystemRoot%\INF) of the echo driver
        package in the driver store, with their DriverVer and a hash of the file.
    #>
    [CmdletBinding()]
    param()
    $infDir = Join-Path $env:SystemRoot 'INF'
    foreach ($file in @(Get-ChildItem -LiteralPath $infDir -Filter 'oem*.inf' -File -ErrorAction SilentlyContinue)) {
        if (Test-EchoInfIsOurs -Path $file.FullName) {
            [pscustomobject]@{
                PublishedName = $file.Name
                Path          = $file.FullName
                DriverVer     = Get-EchoInfDriverVer -Path $file.FullName
                Hash          = (Get-FileHash -LiteralPath $file.FullName -Algorithm SHA256).Hash
            }
        }
    }
}

function Get-EchoDevice {
    <#
    .SYNOPSIS
        Lists the device nodes of the echo driver (hardware id root\ECHO, or our setup
        class), present or not, with status and problem code.
    #>
    [CmdletBinding()]
    param()
    # Win32_PnPEntity reports ConfigManagerErrorCode, the device's problem code. The
    # hardware id list is an array, which WQL cannot filter, so the match is done here.
    $all = @(Get-CimInstance -ClassName Win32_PnPEntity -ErrorAction Stop)
    foreach ($entity in $all) {
        $ids = @()
        if ($entity.PSObject.Properties['HardwareID'] -and $entity.HardwareID) { $ids = @($entity.HardwareID) }
        $byId = @($ids | Where-Object { $_ -eq $script:EchoHardwareId }).Count -gt 0
        $classGuid = ''
        if ($entity.PSObject.Properties['ClassGuid'] -and $entity.ClassGuid) { $classGuid = "$($entity.ClassGuid)" }
        $byClass = $classGuid -eq $script:EchoClassGuid
        if ($byId -or $byClass) {
            # Present is reported from Windows 8 on; older systems list present devices only.
            $present = $true
            if ($entity.PSObject.Properties['Present'] -and $null -ne $entity.Present) { $present = [bool]$entity.Present }
            [pscustomobject]@{
                InstanceId  = "$($entity.PNPDeviceID)"
                Name        = "$($entity.Name)"
                Status      = "$($entity.Status)"
                ProblemCode = [int]$entity.ConfigManagerErrorCode
                Present     = $present
                Service     = "$($entity.Service)"
            }
        }
    }
}

$script:EchoCfgMgrTypeDefined = $false

function Initialize-EchoCfgMgr {
    [CmdletBinding()]
    param()
    if ($script:EchoCfgMgrTypeDefined) { return }
    if (-not ('EchoScripts.CfgMgr' -as [type])) {
        # CM_Get_Device_Interface_List(_Size) from cfgmgr32: the interface paths of a
        # class whose interface is enabled (CM_GET_DEVICE_INTERFACE_LIST_PRESENT).
        Add-Type -TypeDefinition @'
using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace EchoScripts
{
    public static class CfgMgr
    {
        private const int CR_SUCCESS = 0;
        private const int CR_BUFFER_SMALL = 0x1A;
        private const uint CM_GET_DEVICE_INTERFACE_LIST_PRESENT = 0;

        [DllImport("cfgmgr32.dll", CharSet = CharSet.Unicode)]
        private static extern int CM_Get_Device_Interface_List_SizeW(
            out uint length, ref Guid interfaceClassGuid, string deviceId, uint flags);

        [DllImport("cfgmgr32.dll", CharSet = CharSet.Unicode)]
        private static extern int CM_Get_Device_Interface_ListW(
            ref Guid interfaceClassGuid, string deviceId, char[] buffer, uint bufferLength, uint flags);

        public static string[] GetPresentInterfaces(Guid interfaceClassGuid)
        {
            // The list can grow between the two calls; CR_BUFFER_SMALL means ask again.
            for (int attempt = 0; attempt < 5; attempt++)
            {
                uint length;
                int cr = CM_Get_Device_Interface_List_SizeW(out length, ref interfaceClassGuid, null,
                    CM_GET_DEVICE_INTERFACE_LIST_PRESENT);
                if (cr != CR_SUCCESS)
                {
                    throw new InvalidOperationException("CM_Get_Device_Interface_List_Size failed: CONFIGRET 0x" + cr.ToString("X"));
                }
                char[] buffer = new char[length];
                cr = CM_Get_Device_Interface_ListW(ref interfaceClassGuid, null, buffer, length,
                    CM_GET_DEVICE_INTERFACE_LIST_PRESENT);
                if (cr == CR_BUFFER_SMALL)
                {
                    continue;
                }
                if (cr != CR_SUCCESS)
                {
                    throw new InvalidOperationException("CM_Get_Device_Interface_List failed: CONFIGRET 0x" + cr.ToString("X"));
                }
                // A list of NUL-terminated strings, ended by an empty string.
                List<string> paths = new List<string>();
                int start = 0;
                for (int i = 0; i < buffer.Length; i++)
                {
                    if (buffer[i] == '\0')
                    {
                        if (i == start)
                        {
                            break;
                        }
                        paths.Add(new string(buffer, start, i - start));
                        start = i + 1;
                    }
                }
                return paths.ToArray();
            }
            throw new InvalidOperationException("The interface list kept changing while it was read.");
        }
    }
}
'@
    }
    $script:EchoCfgMgrTypeDefined = $true
}

function Get-EchoInterfacePath {
    <#
    .SYNOPSIS
        Returns the paths of the enabled echo device interfaces
        (GUID_DEVINTERFACE_ECHO), which echoapp opens.
    #>
    [CmdletBinding()]
    param()
    Initialize-EchoCfgMgr
    @([EchoScripts.CfgMgr]::GetPresentInterfaces([guid]$script:EchoInterfaceGuid))
}

# Device Manager's problem codes (CM_PROB_* in cfg.h), as documented in
# "Device Manager error messages" (learn.microsoft.com/windows-hardware/drivers/install/
# device-manager-error-messages), with what usually causes them for this driver.
$script:EchoProblemText = @{
    1  = 'CM_PROB_NOT_CONFIGURED: the device has no driver configured.'
    3  = 'CM_PROB_OUT_OF_MEMORY: the driver ran out of memory.'
    10 = 'CM_PROB_FAILED_START: the device failed to start (EvtDeviceAdd or the start path returned an error).'
    14 = 'CM_PROB_NEED_RESTART: Windows must restart before the device works.'
    18 = 'CM_PROB_REINSTALL: the driver must be reinstalled.'
    19 = 'CM_PROB_REGISTRY: the device''s registry configuration is damaged.'
    21 = 'CM_PROB_WILL_BE_REMOVED: Windows is removing the device.'
    22 = 'CM_PROB_DISABLED: the device is disabled.'
    24 = 'CM_PROB_DEVICE_NOT_THERE: the device is not present.'
    28 = 'CM_PROB_FAILED_INSTALL: no driver is installed for the device (the package was not found or not accepted).'
    31 = 'CM_PROB_FAILED_ADD: the driver failed to add the device (EvtDriverDeviceAdd returned an error).'
    32 = 'CM_PROB_DISABLED_SERVICE: the driver''s service is disabled.'
    37 = 'CM_PROB_FAILED_DRIVER_ENTRY: DriverEntry returned an error.'
    38 = 'CM_PROB_DRIVER_FAILED_PRIOR_UNLOAD: a previous instance of the driver is still loaded; restart Windows.'
    39 = 'CM_PROB_DRIVER_FAILED_LOAD: the driver could not be loaded (missing, damaged, or wrong architecture; or the KMDF version it needs is not on this Windows).'
    40 = 'CM_PROB_DRIVER_SERVICE_KEY_INVALID: the driver''s service key is missing or damaged.'
    43 = 'CM_PROB_FAILED_POST_START: the driver reported a failure after start.'
    48 = 'CM_PROB_DRIVER_BLOCKED: Windows blocked the driver.'
    52 = 'CM_PROB_UNSIGNED_DRIVER: Windows cannot verify the digital signature of the driver (test signing off, or the test certificate not trusted).'
}

# Problem codes that mean the device will not start without a change by the user.
$script:EchoFinalProblemCodes = @(10, 14, 19, 22, 31, 32, 37, 38, 39, 40, 43, 48, 52)

function Get-EchoProblemText {
    <#
    .SYNOPSIS
        Turns a device problem code into words and the likely fix.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)][int] $ProblemCode)
    if ($ProblemCode -eq 0) { return 'no problem: the device is started.' }
    if ($script:EchoProblemText.ContainsKey($ProblemCode)) {
        $text = "code ${ProblemCode}: $($script:EchoProblemText[$ProblemCode])"
    } else {
        $text = "code ${ProblemCode}: see Device Manager error messages for CM_PROB code $ProblemCode."
    }
    if ($ProblemCode -eq 52) {
        $text += (' Turn test signing on (bcdedit /set testsigning on, then restart) and trust ' +
            'the test certificate: run install.ps1 -TrustCertificate.')
    }
    $text + (' Details: ' + (Join-Path $env:SystemRoot 'INF\setupapi.dev.log') +
        ' (search for root\ECHO or echo.inf).')
}

function Wait-EchoDeviceStarted {
    <#
    .SYNOPSIS
        Waits until an echo device is started and its interface is enabled, or the time
        runs out; returns the state it saw last.
    #>
    [CmdletBinding()]
    param([int] $TimeoutSeconds = 60)
    $deadline = (Get-Date).AddSeconds($TimeoutSeconds)
    while ($true) {
        $devices = @(Get-EchoDevice | Where-Object { $_.Present })
        $started = @($devices | Where-Object { $_.ProblemCode -eq 0 -and $_.Status -eq 'OK' })
        $interfaces = @(Get-EchoInterfacePath)
        $state = [pscustomobject]@{
            Devices    = $devices
            Started    = ($started.Count -gt 0)
            Interfaces = $interfaces
            Ready      = ($started.Count -gt 0 -and $interfaces.Count -gt 0)
        }
        if ($state.Ready) { return $state }
        # Right after the device is created it shows "no driver" (28) or "not
        # configured" (1) until PnP has installed the driver; the codes below do not
        # go away by waiting longer.
        $failed = @($devices | Where-Object { $script:EchoFinalProblemCodes -contains $_.ProblemCode })
        if ($failed.Count -gt 0 -or (Get-Date) -ge $deadline) { return $state }
        # PnP starts the device asynchronously after install; poll its state with a
        # bounded deadline.
        Start-Sleep -Milliseconds 500
    }
}

function Format-EchoDeviceState {
    <#
    .SYNOPSIS
        Describes the echo devices and interfaces in words, for error messages.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $State)
    $lines = New-Object System.Collections.Generic.List[string]
    if (@($State.Devices).Count -eq 0) {
        $lines.Add("No device with hardware id $script:EchoHardwareId is present: the driver is not installed " +
            'or the device was not created. Run scripts\install.ps1.')
    }
    foreach ($device in @($State.Devices)) {
        $lines.Add(("Device {0}: status {1}, {2}" -f $device.InstanceId, $device.Status,
            (Get-EchoProblemText -ProblemCode $device.ProblemCode)))
    }
    if (@($State.Interfaces).Count -eq 0) {
        $lines.Add("No enabled interface $script:EchoInterfaceGuid: echoapp will not find the device.")
    } else {
        foreach ($path in @($State.Interfaces)) { $lines.Add("Interface: $path") }
    }
    $lines -join [Environment]::NewLine
}

# ---------------------------------------------------------------------------------------
# Ctrl+C run (test.ps1)
# ---------------------------------------------------------------------------------------

$script:EchoCtrlCSource = @'
using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;

namespace EchoScripts
{
    // Starts a console program in this process's console, waits for its first line of
    // output (the run is under way), sends CTRL+C to the console, and waits for it to end.
    //
    // GenerateConsoleCtrlEvent(CTRL_C_EVENT, 0) signals every process attached to the
    // caller's console (CTRL+C cannot be aimed at one process group). This process must
    // therefore have a console of its own, shared only with the program under test, and
    // ignore CTRL+C itself: SetConsoleCtrlHandler(NULL, TRUE). That attribute is
    // inherited by children created afterwards, so it is set only after the program has
    // started (with CTRL+C processing explicitly restored before, since a parent may
    // have passed the ignore attribute down to us).
    public static class CtrlCRun
    {
        private const uint CTRL_C_EVENT = 0;

        [DllImport("kernel32.dll", SetLastError = true)]
        private static extern bool SetConsoleCtrlHandler(IntPtr handlerRoutine, bool add);

        [DllImport("kernel32.dll", SetLastError = true)]
        private static extern bool GenerateConsoleCtrlEvent(uint ctrlEvent, uint processGroupId);

        public static int Run(string fileName, string arguments, string stdoutPath, string stderrPath,
            int startTimeoutMs, int exitTimeoutMs, out string report)
        {
            StringBuilder log = new StringBuilder();
            if (!SetConsoleCtrlHandler(IntPtr.Zero, false))
            {
                throw new InvalidOperationException("SetConsoleCtrlHandler(NULL, FALSE) failed: " + Marshal.GetLastWin32Error());
            }

            ProcessStartInfo info = new ProcessStartInfo(fileName, arguments);
            info.UseShellExecute = false;
            info.CreateNoWindow = false;
            info.RedirectStandardOutput = true;
            info.RedirectStandardError = true;

            ManualResetEvent firstLine = new ManualResetEvent(false);
            object gate = new object();
            StreamWriter stdout = new StreamWriter(stdoutPath, false, new UTF8Encoding(false));
            StreamWriter stderr = new StreamWriter(stderrPath, false, new UTF8Encoding(false));
            try
            {
                using (Process process = new Process())
                {
                    process.StartInfo = info;
                    ManualResetEvent exited = new ManualResetEvent(false);
                    process.EnableRaisingEvents = true;
                    process.Exited += delegate(object sender, EventArgs e) { exited.Set(); };
                    process.OutputDataReceived += delegate(object sender, DataReceivedEventArgs e)
                    {
                        if (e.Data == null) { return; }
                        lock (gate) { stdout.WriteLine(e.Data); stdout.Flush(); }
                        firstLine.Set();
                    };
                    process.ErrorDataReceived += delegate(object sender, DataReceivedEventArgs e)
                    {
                        if (e.Data == null) { return; }
                        lock (gate) { stderr.WriteLine(e.Data); stderr.Flush(); }
                    };
                    process.Start();
                    process.BeginOutputReadLine();
                    process.BeginErrorReadLine();
                    log.AppendLine("started process " + process.Id);

                    // Event wait: the program's first output line says the run is under way.
                    // The time-out only guards against a program that never prints.
                    int which = WaitHandle.WaitAny(new WaitHandle[] { firstLine, exited }, startTimeoutMs);
                    if (which == 1 && !firstLine.WaitOne(0))
                    {
                        process.WaitForExit();
                        log.AppendLine("the program ended before it printed anything, exit code " + process.ExitCode);
                        report = log.ToString();
                        return process.ExitCode;
                    }
                    if (which == WaitHandle.WaitTimeout)
                    {
                        log.AppendLine("no output within " + startTimeoutMs + " ms; sending CTRL+C anyway");
                    }

                    if (!SetConsoleCtrlHandler(IntPtr.Zero, true))
                    {
                        throw new InvalidOperationException("SetConsoleCtrlHandler(NULL, TRUE) failed: " + Marshal.GetLastWin32Error());
                    }
                    if (!GenerateConsoleCtrlEvent(CTRL_C_EVENT, 0))
                    {
                        throw new InvalidOperationException("GenerateConsoleCtrlEvent failed: " + Marshal.GetLastWin32Error());
                    }
                    log.AppendLine("sent CTRL+C");

                    if (!process.WaitForExit(exitTimeoutMs))
                    {
                        log.AppendLine("the program did not end within " + exitTimeoutMs + " ms after CTRL+C; killing it");
                        process.Kill();
                        process.WaitForExit();
                        report = log.ToString();
                        return -1;
                    }
                    // The parameterless WaitForExit also waits for the redirected streams to end.
                    process.WaitForExit();
                    log.AppendLine("exit code " + process.ExitCode);
                    report = log.ToString();
                    return process.ExitCode;
                }
            }
            finally
            {
                lock (gate)
                {
                    stdout.Dispose();
                    stderr.Dispose();
                }
            }
        }
    }
}
'@

function Invoke-EchoCtrlCRunner {
    <#
    .SYNOPSIS
        Inside a console of its own: runs a program, interrupts it with CTRL+C, and writes
        the result to a JSON file. test.ps1 starts this in a new, hidden console.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][string] $FilePath,
        [string] $Arguments = '',
        [Parameter(Mandatory)][string] $OutputPrefix,
        [int] $StartTimeoutSeconds = 60,
        [int] $ExitTimeoutSeconds = 30
    )
    $resultPath = "$OutputPrefix.result.json"
    try {
        if (-not ('EchoScripts.CtrlCRun' -as [type])) {
            Add-Type -TypeDefinition $script:EchoCtrlCSource
        }
        $report = ''
        $code = [EchoScripts.CtrlCRun]::Run($FilePath, $Arguments, "$OutputPrefix.stdout.txt",
            "$OutputPrefix.stderr.txt", $StartTimeoutSeconds * 1000, $ExitTimeoutSeconds * 1000, [ref]$report)
        [pscustomobject]@{ ExitCode = $code; Report = $report; Error = $null } |
            ConvertTo-Json | Set-Content -LiteralPath $resultPath -Encoding UTF8
    } catch {
        [pscustomobject]@{ ExitCode = -1; Report = ''; Error = "$($_.Exception.Message)" } |
            ConvertTo-Json | Set-Content -LiteralPath $resultPath -Encoding UTF8
    }
}

Export-ModuleMember -Function @(
    'Get-EchoConstant', 'Get-EchoRepositoryRoot', 'Get-EchoDefaultPackageRoot', 'Write-EchoStep',
    'Invoke-EchoNative', 'Get-EchoVsWherePath', 'Get-EchoMSBuildPath', 'Get-EchoWindowsKitsRoot',
    'Find-EchoKitTool', 'Get-EchoKitTool', 'Get-EchoPnpUtilPath',
    'Test-EchoAdministrator', 'Assert-EchoAdministrator', 'Get-EchoMachineArchitecture',
    'Get-EchoPeArchitecture', 'Test-EchoTestSigningActive', 'Test-EchoSecureBootOn',
    'Get-EchoTestCertificate', 'New-EchoTestCertificate', 'Test-EchoCertificateTrusted',
    'Get-EchoInfDriverVer', 'ConvertTo-EchoDriverRank', 'Compare-EchoDriverVer', 'Get-EchoDeviceDriverInf',
    'Test-EchoInfIsOurs', 'Get-EchoDriverStoreInf', 'Get-EchoDevice',
    'Get-EchoInterfacePath', 'Get-EchoProblemText', 'Wait-EchoDeviceStarted',
    'Format-EchoDeviceState', 'Invoke-EchoCtrlCRunner'
)
