<#
.SYNOPSIS
    Builds, packages and test-signs the echo driver, and builds echoapp.

.DESCRIPTION
    For every chosen variant (AutoSync, DriverSync), platform (x64, ARM64) and
    configuration (Debug, Release), build.ps1:

      1. builds echo.vcxproj with MSBuild (the one on PATH in a Developer prompt, else
         the newest Visual Studio's, found with vswhere);
      2. collects the driver package (echo.sys, echo.inf) in
         <OutputDir>\<Variant>\<Platform>\<Configuration>\;
      3. test-signs it: signs echo.sys with SignTool, makes echo.cat with Inf2Cat and
         signs it, and puts the test certificate (echo-test.cer) next to the package for
         the test machine. The certificate "CN=Echo KMDF Driver Test Signing" is made
         once in the current user's certificate store and reused by later builds.

    Then it builds the echoapp jar with Maven (mvn -pl echoapp/cli -am package, or
    -pl echoapp before echoapp was split into a library and a CLI) into
    <OutputDir>\echoapp\echoapp.jar and, where the JDK has jpackage, an app image with
    echoapp.exe in <OutputDir>\echoapp\image\echoapp\.

    Needs Visual Studio 2022 with the Windows Driver Kit, and for echoapp JDK 17 and
    Maven on PATH. Copy <OutputDir> to the test machine and run install.ps1 there.

.PARAMETER Variant
    Driver variants to build: AutoSync, DriverSync, or both (the default).

.PARAMETER Platform
    Target architectures: x64, ARM64, or both (the default).

.PARAMETER Configuration
    Build configurations: Debug, Release, or both (the default).

.PARAMETER OutputDir
    Where the packages and echoapp go. Default: build\win\packages in the repository.

.PARAMETER DriverVersion
    The four-part version (for example 1.2.0.0) that StampInf writes into the INF's
    DriverVer, for a release. By default each build writes the time of the build
    (StampInf -v *) with its date, so every build ranks above the one before it and
    install.ps1 updates the installed driver in place.

.PARAMETER SkipSigning
    Leave the packages unsigned (no certificate, no catalog signature).

.PARAMETER SkipEchoApp
    Do not build echoapp.

.PARAMETER RunJavaTests
    Run echoapp's unit tests while building the jar (they are skipped by default).

.PARAMETER CertificateSubject
    Subject of the test certificate to make or reuse.

.EXAMPLE
    .\scripts\build.ps1
    Builds both variants for x64 and ARM64, Debug and Release, signs them, and builds
    echoapp.

.EXAMPLE
    .\scripts\build.ps1 -Variant DriverSync -Platform x64 -Configuration Release
    Builds one package: build\win\packages\DriverSync\x64\Release.

.EXAMPLE
    .\scripts\build.ps1 -WhatIf
    Shows what would be built and signed, and whether a certificate would be made.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [ValidateSet('AutoSync', 'DriverSync')]
    [string[]] $Variant = @('AutoSync', 'DriverSync'),

    [ValidateSet('x64', 'ARM64')]
    [string[]] $Platform = @('x64', 'ARM64'),

    [ValidateSet('Debug', 'Release')]
    [string[]] $Configuration = @('Debug', 'Release'),

    [string] $OutputDir,

    [ValidatePattern('^\d{1,5}\.\d{1,5}\.\d{1,5}\.\d{1,5}$')]
    [string] $DriverVersion,

    [switch] $SkipSigning,

    [switch] $SkipEchoApp,

    [switch] $RunJavaTests,

    [string] $CertificateSubject = 'CN=Echo KMDF Driver Test Signing'
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

Import-Module (Join-Path $PSScriptRoot 'EchoCommon.psm1') -Force

$root = Get-EchoRepositoryRoot
if (-not $OutputDir) { $OutputDir = Get-EchoDefaultPackageRoot }
# Relative to PowerShell's current location: .NET's GetFullPath would resolve it against
# the process's working directory, which Set-Location does not change.
$OutputDir = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutputDir)
$project = Join-Path $root 'echo.vcxproj'
$names = Get-EchoConstant

# Inf2Cat's identifiers of the oldest Windows each package supports: Windows 10
# version 1709 (build 16299) on both, the first release that runs a driver from the
# driver store (DIRID 13) and the first with ARM64 drivers; echo.inx's models are
# decorated 10.0...16299 to match (Inf2Cat /os list:
# learn.microsoft.com/windows-hardware/drivers/devtest/inf2cat).
$inf2CatOs = @{ 'x64' = '10_RS3_X64'; 'ARM64' = '10_RS3_ARM64' }

function Invoke-DriverBuild {
    param([string] $MSBuild, [string] $TheVariant, [string] $ThePlatform, [string] $TheConfiguration)
    Write-EchoStep "MSBuild echo.vcxproj: $TheVariant $ThePlatform $TheConfiguration"
    $arguments = @(
        $project, '/nologo', '/m', '/v:minimal', '/t:Build',
        "/p:Configuration=$TheConfiguration", "/p:Platform=$ThePlatform", "/p:EchoVariant=$TheVariant")
    if ($DriverVersion) { $arguments += "/p:EchoDriverVersion=$DriverVersion" }
    $result = Invoke-EchoNative -FilePath $MSBuild -ArgumentList $arguments -NoThrow
    $result.Output | ForEach-Object { Write-Host "    $_" }
    if ($result.ExitCode -ne 0) {
        throw "MSBuild failed for $TheVariant $ThePlatform $TheConfiguration (exit code $($result.ExitCode)); see the messages above."
    }
    Join-Path $root "build\win\$TheVariant\$ThePlatform\$TheConfiguration"
}

function Copy-DriverPackage {
    param([string] $BuildDir, [string] $PackageDir)
    # The WDK puts the stamped INF next to the binary and in the package folder echo\;
    # take whichever it made.
    $sys = Join-Path $BuildDir $names.DriverFile
    $inf = @((Join-Path $BuildDir "echo\$($names.InfFile)"), (Join-Path $BuildDir $names.InfFile)) |
        Where-Object { Test-Path -LiteralPath $_ } | Select-Object -First 1
    if (-not (Test-Path -LiteralPath $sys)) { throw "The build did not produce $sys." }
    if (-not $inf) { throw "The build did not produce a stamped $($names.InfFile) in $BuildDir." }
    if (Test-Path -LiteralPath $PackageDir) { Remove-Item -LiteralPath $PackageDir -Recurse -Force }
    New-Item -ItemType Directory -Path $PackageDir -Force | Out-Null
    Copy-Item -LiteralPath $sys -Destination $PackageDir
    Copy-Item -LiteralPath $inf -Destination $PackageDir
    $pdb = Join-Path $BuildDir 'echo.pdb'
    if (Test-Path -LiteralPath $pdb) { Copy-Item -LiteralPath $pdb -Destination $PackageDir }
}

function Get-SigningCertificate {
    $cert = Get-EchoTestCertificate -Subject $CertificateSubject
    if ($cert) {
        Write-EchoStep "Reusing test certificate $($cert.Thumbprint) ($CertificateSubject)"
        return $cert
    }
    Write-EchoStep "Making test certificate $CertificateSubject in Cert:\CurrentUser\My"
    $cert = New-EchoTestCertificate -Subject $CertificateSubject
    if (-not $cert) { throw 'The test certificate could not be made.' }
    $cert
}

function Invoke-PackageSigning {
    param($Certificate, [string] $PackageDir, [string] $ThePlatform, [string] $SignTool, [string] $CatalogTool)
    $sys = Join-Path $PackageDir $names.DriverFile
    $cat = Join-Path $PackageDir $names.CatalogFile
    # SignTool: /fd sha256 file digest; the certificate is picked by thumbprint from the
    # current user's My store. Test signatures need no time stamp.
    Invoke-EchoNative -FilePath $SignTool -ArgumentList @(
        'sign', '/fd', 'sha256', '/sha1', $Certificate.Thumbprint, '/s', 'My', $sys) | Out-Null
    # Inf2Cat checks the INF and makes the catalog of every file the INF names.
    Invoke-EchoNative -FilePath $CatalogTool -ArgumentList @(
        "/driver:$PackageDir", "/os:$($inf2CatOs[$ThePlatform])", '/uselocaltime') | Out-Null
    if (-not (Test-Path -LiteralPath $cat)) { throw "Inf2Cat did not make $cat." }
    Invoke-EchoNative -FilePath $SignTool -ArgumentList @(
        'sign', '/fd', 'sha256', '/sha1', $Certificate.Thumbprint, '/s', 'My', $cat) | Out-Null
    Export-Certificate -Cert $Certificate -FilePath (Join-Path $PackageDir $names.CertificateFile) -Type CERT | Out-Null
}

function Invoke-EchoAppBuild {
    Write-EchoStep 'Maven: echoapp jar'
    $mvn = Get-Command -Name 'mvn.cmd', 'mvn' -CommandType Application -ErrorAction SilentlyContinue |
        Select-Object -First 1
    if (-not $mvn) {
        throw 'Maven (mvn) is not on PATH. Install Apache Maven and JDK 17, or run with -SkipEchoApp.'
    }
    # The C host (driver/host) is Linux-only: kmdfhost.skip leaves it out of the build.
    # The runnable jar is built by echoapp's CLI module (echoapp\cli) where echoapp is
    # split into a library and a CLI, else by echoapp itself; either way it lands in
    # echoapp\target\echoapp-<version>.jar.
    $module = if (Test-Path -LiteralPath (Join-Path $root 'echoapp\cli\pom.xml')) { 'echoapp/cli' } else { 'echoapp' }
    $arguments = @('-B', '-f', (Join-Path $root 'pom.xml'), '-pl', $module, '-am',
        '-Dkmdfhost.skip=true', 'package')
    if (-not $RunJavaTests) { $arguments += '-DskipTests' }
    $result = Invoke-EchoNative -FilePath $mvn.Source -ArgumentList $arguments -NoThrow
    $result.Output | Select-Object -Last 40 | ForEach-Object { Write-Host "    $_" }
    if ($result.ExitCode -ne 0) { throw "Maven failed (exit code $($result.ExitCode)); see the messages above." }

    $jar = @(Get-ChildItem -LiteralPath (Join-Path $root 'echoapp\target') -Filter 'echoapp-*.jar' -File |
        Where-Object { $_.Name -notmatch '(sources|javadoc|tests)\.jar$' }) | Select-Object -First 1
    if (-not $jar) { throw 'Maven did not produce echoapp\target\echoapp-<version>.jar.' }
    $appDir = Join-Path $OutputDir 'echoapp'
    if (Test-Path -LiteralPath $appDir) { Remove-Item -LiteralPath $appDir -Recurse -Force }
    $inputDir = Join-Path $appDir 'jar'
    New-Item -ItemType Directory -Path $inputDir -Force | Out-Null
    Copy-Item -LiteralPath $jar.FullName -Destination (Join-Path $inputDir 'echoapp.jar')
    Copy-Item -LiteralPath $jar.FullName -Destination (Join-Path $appDir 'echoapp.jar')

    $jpackage = Get-Command -Name 'jpackage.exe' -CommandType Application -ErrorAction SilentlyContinue |
        Select-Object -First 1
    if (-not $jpackage -and $env:JAVA_HOME) {
        $candidate = Join-Path $env:JAVA_HOME 'bin\jpackage.exe'
        if (Test-Path -LiteralPath $candidate) { $jpackage = Get-Item -LiteralPath $candidate }
    }
    if (-not $jpackage) {
        Write-Warning 'jpackage was not found (JDK 14 or later has it): no echoapp.exe; run echoapp with java -jar echoapp.jar.'
        return
    }
    $jpackagePath = if ($jpackage -is [System.Management.Automation.CommandInfo]) { $jpackage.Source } else { $jpackage.FullName }
    Write-EchoStep 'jpackage: echoapp.exe app image'
    # --win-console keeps echoapp a console program, so that its output and Ctrl+C work.
    Invoke-EchoNative -FilePath $jpackagePath -ArgumentList @(
        '--type', 'app-image', '--name', 'echoapp', '--input', $inputDir, '--main-jar', 'echoapp.jar',
        '--win-console', '--dest', (Join-Path $appDir 'image')) | Out-Null
    Write-EchoStep "echoapp.exe: $(Join-Path $appDir 'image\echoapp\echoapp.exe')"
}

# ---------------------------------------------------------------------------------------

$combinations = foreach ($v in $Variant) { foreach ($p in $Platform) { foreach ($c in $Configuration) {
    [pscustomobject]@{ Variant = $v; Platform = $p; Configuration = $c } } } }

if (-not $PSCmdlet.ShouldProcess($OutputDir, ("Build and package {0} driver configuration(s){1}" -f
            @($combinations).Count, $(if ($SkipEchoApp) { '' } else { ' and echoapp' })))) {
    foreach ($combination in $combinations) {
        Write-Host ("Would build {0} {1} {2}" -f $combination.Variant, $combination.Platform, $combination.Configuration)
    }
    if (-not $SkipSigning -and -not (Get-EchoTestCertificate -Subject $CertificateSubject)) {
        # Lets -WhatIf report the certificate that a real run would make.
        New-EchoTestCertificate -Subject $CertificateSubject -WhatIf | Out-Null
    }
    return
}

$msbuild = Get-EchoMSBuildPath
Write-EchoStep "MSBuild: $msbuild"

$signTool = $null
$inf2Cat = $null
$certificate = $null
if (-not $SkipSigning) {
    $signTool = Get-EchoKitTool -Name 'signtool'
    $inf2Cat = Get-EchoKitTool -Name 'inf2cat'
    $certificate = Get-SigningCertificate
}

New-Item -ItemType Directory -Path $OutputDir -Force | Out-Null
foreach ($combination in $combinations) {
    $buildDir = Invoke-DriverBuild -MSBuild $msbuild -TheVariant $combination.Variant `
        -ThePlatform $combination.Platform -TheConfiguration $combination.Configuration
    $packageDir = Join-Path $OutputDir ("{0}\{1}\{2}" -f $combination.Variant, $combination.Platform, $combination.Configuration)
    Copy-DriverPackage -BuildDir $buildDir -PackageDir $packageDir
    if ($certificate) {
        Write-EchoStep "Signing $packageDir"
        Invoke-PackageSigning -Certificate $certificate -PackageDir $packageDir -ThePlatform $combination.Platform `
            -SignTool $signTool -CatalogTool $inf2Cat
    }
}
if ($certificate) {
    Export-Certificate -Cert $certificate -FilePath (Join-Path $OutputDir $names.CertificateFile) -Type CERT | Out-Null
    Write-EchoStep "Test certificate for the test machine: $(Join-Path $OutputDir $names.CertificateFile)"
}

if (-not $SkipEchoApp) { Invoke-EchoAppBuild }

Write-EchoStep "Done. Packages: $OutputDir"
