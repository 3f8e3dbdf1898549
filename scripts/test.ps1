<#
.SYNOPSIS
    Tests the installed echo driver on this (test) machine with echoapp.

.DESCRIPTION
    With the device installed (install.ps1), test.ps1 runs, for the installed variant:

      1. a check that the device is started and its interface enabled;
      2. echoapp, the synchronous test (expects exit status 0);
      3. echoapp -Async <AsyncCount> (default 100; expects 0);
      4. echoapp -Async --forever, interrupted with Ctrl+C once it has started
         (expects 130), then a check that the device is still started and a second
         synchronous run that must pass (the device is left clean).

    The Ctrl+C is real: the run happens in a console of its own, in which a helper sends
    CTRL_C_EVENT with GenerateConsoleCtrlEvent after echoapp's first line of output.
    Every run's output, the device state and a summary go to one folder (-OutputDir).
    The script exits with 0 when everything passed and 1 otherwise.

    Driver Verifier and KMDF Verifier: -EnableVerifier switches both on for echo.sys
    (verifier /standard /driver echo.sys, and VerifierOn under the service's
    Parameters\Wdf key); they take effect after a restart, so the script stops there:
    restart, run test.ps1 again (it reports that the verifiers are active), then run
    test.ps1 -DisableVerifier and restart once more to switch them off.

.PARAMETER EchoApp
    echoapp to run: echoapp.exe (jpackage app image) or echoapp.jar (run with java -jar).
    Default: what build.ps1 made in build\win\packages\echoapp, the .exe when present.

.PARAMETER OutputDir
    Folder for all output. Default: build\win\test-results\<date-time>.

.PARAMETER AsyncCount
    Number of overlapped writes and reads of the -Async run. Default 100.

.PARAMETER TimeoutSeconds
    Longest time one echoapp run may take. Default 300.

.PARAMETER EnableVerifier
    Switch Driver Verifier (standard settings) and KMDF Verifier on for echo.sys, then
    stop: they take effect after a restart.

.PARAMETER DisableVerifier
    Switch Driver Verifier and KMDF Verifier off again, then stop: restart to finish.

.EXAMPLE
    .\scripts\test.ps1
    Runs the tests against the installed driver; output in build\win\test-results\<time>.

.EXAMPLE
    .\scripts\test.ps1 -EchoApp D:\echo\echoapp\echoapp.jar -AsyncCount 1000

.EXAMPLE
    .\scripts\test.ps1 -EnableVerifier
    Switches the verifiers on; restart, run .\scripts\test.ps1, then
    .\scripts\test.ps1 -DisableVerifier and restart.
#>
[CmdletBinding(SupportsShouldProcess, DefaultParameterSetName = 'Test')]
param(
    [Parameter(ParameterSetName = 'Test')]
    [string] $EchoApp,

    [Parameter(ParameterSetName = 'Test')]
    [string] $OutputDir,

    [Parameter(ParameterSetName = 'Test')]
    [ValidateRange(1, 1000000)]
    [int] $AsyncCount = 100,

    [Parameter(ParameterSetName = 'Test')]
    [ValidateRange(10, 86400)]
    [int] $TimeoutSeconds = 300,

    [Parameter(Mandatory, ParameterSetName = 'EnableVerifier')]
    [switch] $EnableVerifier,

    [Parameter(Mandatory, ParameterSetName = 'DisableVerifier')]
    [switch] $DisableVerifier
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

Import-Module (Join-Path $PSScriptRoot 'EchoCommon.psm1') -Force

$names = Get-EchoConstant
$wdfKey = "HKLM:\SYSTEM\CurrentControlSet\Services\$($names.ServiceName)\Parameters\Wdf"
$memoryKey = 'HKLM:\SYSTEM\CurrentControlSet\Control\Session Manager\Memory Management'

# ---------------------------------------------------------------------------------------
# Verifiers
# ---------------------------------------------------------------------------------------

function Get-VerifierState {
    # Driver Verifier keeps the drivers to verify from the next boot on in VerifyDrivers;
    # KMDF Verifier reads VerifierOn under the driver's Parameters\Wdf key when the
    # driver loads (learn.microsoft.com/windows-hardware/drivers/wdf/using-kmdf-verifier).
    $drivers = ''
    $memory = Get-ItemProperty -LiteralPath $memoryKey -Name 'VerifyDrivers' -ErrorAction SilentlyContinue
    if ($memory) { $drivers = "$($memory.VerifyDrivers)" }
    $kmdf = $false
    $wdf = Get-ItemProperty -LiteralPath $wdfKey -Name 'VerifierOn' -ErrorAction SilentlyContinue
    if ($wdf) { $kmdf = ([int]$wdf.VerifierOn -ne 0) }
    [pscustomobject]@{
        DriverVerifier = (($drivers -split '\s+') -contains $names.DriverFile)
        KmdfVerifier   = $kmdf
    }
}

if ($PSCmdlet.ParameterSetName -ne 'Test') {
    Assert-EchoAdministrator
    # verifier.exe: learn.microsoft.com/windows-hardware/drivers/devtest/verifier-command-line
    $verifier = Join-Path $env:SystemRoot 'System32\verifier.exe'
    if ($EnableVerifier) {
        if ($PSCmdlet.ShouldProcess($names.DriverFile, 'verifier /standard /driver')) {
            # /standard also turns on the framework's own checks for KMDF drivers.
            Invoke-EchoNative -FilePath $verifier -ArgumentList @('/standard', '/driver', $names.DriverFile) -SuccessCodes @(0, 2) |
                ForEach-Object { $_.Output } | ForEach-Object { Write-Host "    $_" }
        }
        if ($PSCmdlet.ShouldProcess($wdfKey, 'Set VerifierOn=1, VerifyOn=1')) {
            # New-Item -Force on an existing registry key deletes and recreates it, which
            # would drop the values the INF's .Wdf section wrote there: create the key
            # only when it is absent.
            if (-not (Test-Path -LiteralPath $wdfKey)) {
                New-Item -Path $wdfKey -Force | Out-Null
            }
            New-ItemProperty -LiteralPath $wdfKey -Name 'VerifierOn' -PropertyType DWord -Value 1 -Force | Out-Null
            New-ItemProperty -LiteralPath $wdfKey -Name 'VerifyOn' -PropertyType DWord -Value 1 -Force | Out-Null
        }
        Write-EchoStep ('Driver Verifier and KMDF Verifier are set for echo.sys. Restart Windows, run ' +
            'scripts\test.ps1, then scripts\test.ps1 -DisableVerifier and restart again.')
    } else {
        if ($PSCmdlet.ShouldProcess('Driver Verifier', 'verifier /reset')) {
            # /reset clears every Driver Verifier setting, for all drivers.
            Invoke-EchoNative -FilePath $verifier -ArgumentList @('/reset') -SuccessCodes @(0, 2) |
                ForEach-Object { $_.Output } | ForEach-Object { Write-Host "    $_" }
        }
        if ((Test-Path -LiteralPath $wdfKey) -and $PSCmdlet.ShouldProcess($wdfKey, 'Remove VerifierOn, VerifyOn')) {
            Remove-ItemProperty -LiteralPath $wdfKey -Name 'VerifierOn', 'VerifyOn' -ErrorAction SilentlyContinue
        }
        Write-EchoStep 'Driver Verifier and KMDF Verifier are switched off for the next boot. Restart Windows to finish.'
    }
    exit 0
}

# ---------------------------------------------------------------------------------------
# Test run
# ---------------------------------------------------------------------------------------

$root = Get-EchoRepositoryRoot
if (-not $OutputDir) {
    $OutputDir = Join-Path $root ('build\win\test-results\' + (Get-Date -Format 'yyyyMMdd-HHmmss'))
}
# Relative to PowerShell's current location: .NET's GetFullPath would resolve it against
# the process's working directory, which Set-Location does not change.
$OutputDir = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutputDir)

if (-not $EchoApp) {
    $appRoot = Join-Path (Get-EchoDefaultPackageRoot) 'echoapp'
    $EchoApp = @((Join-Path $appRoot 'image\echoapp\echoapp.exe'), (Join-Path $appRoot 'echoapp.jar')) |
        Where-Object { Test-Path -LiteralPath $_ } | Select-Object -First 1
    if (-not $EchoApp) {
        throw "echoapp was not found in $appRoot. Build it with scripts\build.ps1 or pass -EchoApp."
    }
}
if (-not (Test-Path -LiteralPath $EchoApp -PathType Leaf)) { throw "$EchoApp does not exist." }
$EchoApp = (Resolve-Path -LiteralPath $EchoApp).ProviderPath

# How to start echoapp: the app image's echoapp.exe directly, the jar through java.
if ($EchoApp.EndsWith('.jar', [StringComparison]::OrdinalIgnoreCase)) {
    $java = $null
    if ($env:JAVA_HOME -and (Test-Path -LiteralPath (Join-Path $env:JAVA_HOME 'bin\java.exe'))) {
        $java = Join-Path $env:JAVA_HOME 'bin\java.exe'
    } else {
        $onPath = Get-Command -Name 'java.exe' -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
        if ($onPath) { $java = $onPath.Source }
    }
    if (-not $java) { throw 'java.exe was not found (JAVA_HOME or PATH). Install JDK 17, or pass -EchoApp echoapp.exe.' }
    $launcher = $java
    $launcherPrefix = @('-jar', $EchoApp)
} else {
    $launcher = $EchoApp
    $launcherPrefix = @()
}

function ConvertTo-CommandLine {
    param([string[]] $Arguments)
    # Quoting for CreateProcess command lines: arguments with spaces in double quotes.
    ($Arguments | ForEach-Object { if ($_ -match '[\s"]') { '"' + ($_ -replace '"', '\"') + '"' } else { $_ } }) -join ' '
}

$results = New-Object System.Collections.Generic.List[object]

function Add-Result {
    param([string] $Name, [bool] $Passed, [string] $Detail)
    $results.Add([pscustomobject]@{ Test = $Name; Passed = $Passed; Detail = $Detail })
    $mark = if ($Passed) { 'PASS' } else { 'FAIL' }
    Write-Host ("{0}  {1}  {2}" -f $mark, $Name, $Detail)
}

function Invoke-EchoAppRun {
    param([string] $Name, [string[]] $Arguments, [int] $Expected)
    $prefix = Join-Path $OutputDir $Name
    $commandLine = ConvertTo-CommandLine -Arguments ($launcherPrefix + $Arguments)
    Set-Content -LiteralPath "$prefix.command.txt" -Value "$launcher $commandLine" -Encoding UTF8
    $start = @{
        FilePath               = $launcher
        NoNewWindow            = $true
        PassThru               = $true
        RedirectStandardOutput = "$prefix.stdout.txt"
        RedirectStandardError  = "$prefix.stderr.txt"
    }
    # Start-Process refuses an empty -ArgumentList (echoapp.exe with no arguments).
    if ($commandLine) { $start['ArgumentList'] = $commandLine }
    $process = Start-Process @start
    # Reading Handle keeps the process object able to report ExitCode after it ends.
    $null = $process.Handle
    if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
        $process.Kill()
        $process.WaitForExit()
        Add-Result -Name $Name -Passed $false -Detail "did not end within $TimeoutSeconds s; killed"
        return
    }
    $process.WaitForExit()
    $code = $process.ExitCode
    Add-Result -Name $Name -Passed ($code -eq $Expected) -Detail "exit status $code (expected $Expected)"
}

function Invoke-EchoAppCtrlCRun {
    param([string] $Name, [string[]] $Arguments)
    $prefix = Join-Path $OutputDir $Name
    $commandLine = ConvertTo-CommandLine -Arguments ($launcherPrefix + $Arguments)
    Set-Content -LiteralPath "$prefix.command.txt" -Value "$launcher $commandLine (interrupted with Ctrl+C)" -Encoding UTF8
    # The runner needs a console of its own (CTRL+C reaches every process of a console),
    # so it is a second PowerShell started in a new, hidden console window.
    $module = Join-Path $PSScriptRoot 'EchoCommon.psm1'
    $quote = { param($text) "'" + ($text -replace "'", "''") + "'" }
    $command = ('Import-Module {0}; Invoke-EchoCtrlCRunner -FilePath {1} -Arguments {2} -OutputPrefix {3} ' +
        '-StartTimeoutSeconds 60 -ExitTimeoutSeconds 60') -f (& $quote $module), (& $quote $launcher),
        (& $quote $commandLine), (& $quote $prefix)
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($command))
    $shell = (Get-Process -Id $PID).Path
    $runner = Start-Process -FilePath $shell -ArgumentList @('-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass',
        '-EncodedCommand', $encoded) -WindowStyle Hidden -PassThru
    $null = $runner.Handle
    if (-not $runner.WaitForExit(($TimeoutSeconds + 180) * 1000)) {
        $runner.Kill()
        Add-Result -Name $Name -Passed $false -Detail 'the Ctrl+C runner did not finish; killed'
        return
    }
    $resultPath = "$prefix.result.json"
    if (-not (Test-Path -LiteralPath $resultPath)) {
        Add-Result -Name $Name -Passed $false -Detail "the Ctrl+C runner wrote no result (exit code $($runner.ExitCode))"
        return
    }
    $result = Get-Content -LiteralPath $resultPath -Raw | ConvertFrom-Json
    Set-Content -LiteralPath "$prefix.runner.txt" -Value $result.Report -Encoding UTF8
    if ($result.Error) {
        Add-Result -Name $Name -Passed $false -Detail "runner error: $($result.Error)"
        return
    }
    $code = [int]$result.ExitCode
    Add-Result -Name $Name -Passed ($code -eq 130) -Detail "exit status $code after Ctrl+C (expected 130)"
}

function Test-DeviceReady {
    param([string] $Name)
    $state = Wait-EchoDeviceStarted -TimeoutSeconds 30
    $text = Format-EchoDeviceState -State $state
    Set-Content -LiteralPath (Join-Path $OutputDir "$Name.txt") -Value $text -Encoding UTF8
    Add-Result -Name $Name -Passed $state.Ready -Detail ($text -split [Environment]::NewLine | Select-Object -First 1)
    $state.Ready
}

if (-not $PSCmdlet.ShouldProcess($OutputDir, 'Run echoapp tests and write their output')) {
    Write-Host "Would run $launcher $((ConvertTo-CommandLine -Arguments $launcherPrefix)) with: (none), -Async $AsyncCount, -Async --forever + Ctrl+C"
    return
}

New-Item -ItemType Directory -Path $OutputDir -Force | Out-Null
Write-EchoStep "Output: $OutputDir"

$verifierState = Get-VerifierState
$environment = @(
    "Date: $(Get-Date -Format o)"
    "Computer: $env:COMPUTERNAME"
    "Windows: $([Environment]::OSVersion.VersionString) ($(Get-EchoMachineArchitecture))"
    "PowerShell: $($PSVersionTable.PSVersion)"
    "echoapp: $EchoApp"
    "Driver Verifier on echo.sys (from the last boot's settings): $($verifierState.DriverVerifier)"
    "KMDF Verifier (VerifierOn): $($verifierState.KmdfVerifier)"
    "Driver store: $((@(Get-EchoDriverStoreInf) | ForEach-Object { "$($_.PublishedName) DriverVer $($_.DriverVer)" }) -join '; ')"
)
Set-Content -LiteralPath (Join-Path $OutputDir 'environment.txt') -Value $environment -Encoding UTF8
$environment | ForEach-Object { Write-Host "    $_" }

if (Test-DeviceReady -Name '01-device-ready') {
    Invoke-EchoAppRun -Name '02-sync' -Arguments @() -Expected 0
    Invoke-EchoAppRun -Name '03-async' -Arguments @('-Async', "$AsyncCount") -Expected 0
    Invoke-EchoAppCtrlCRun -Name '04-ctrl-c' -Arguments @('-Async', '--forever')
    if (Test-DeviceReady -Name '05-device-ready-after-ctrl-c') {
        Invoke-EchoAppRun -Name '06-sync-after-ctrl-c' -Arguments @() -Expected 0
    }
}

$failed = @($results | Where-Object { -not $_.Passed })
$summary = @($results | ForEach-Object { "{0}  {1}  {2}" -f $(if ($_.Passed) { 'PASS' } else { 'FAIL' }), $_.Test, $_.Detail })
$summary += ('{0} passed, {1} failed' -f ($results.Count - $failed.Count), $failed.Count)
Set-Content -LiteralPath (Join-Path $OutputDir 'summary.txt') -Value $summary -Encoding UTF8
Write-Host $summary[-1]
Write-EchoStep "Output: $OutputDir"
if ($failed.Count -gt 0) { exit 1 }
exit 0
