#Requires -Version 7.4
<#
.SYNOPSIS
Runs the Pester suite against a built K3sNet module. build.ps1 Test starts it in a fresh pwsh.

.DESCRIPTION
Imports Pester from the NuGet package that tests/Pester/Pester.Dependencies.csproj restores, runs every *.Tests.ps1
below -Path, writes JUnit XML and a JSON summary (Passed, Failed, Skipped) into -ResultDirectory, and exits 1 when
anything failed, a failed setup block included.

.EXAMPLE
dotnet pwsh ./tests/Pester/Invoke-PesterSuite.ps1 -ModulePath ./out/K3sNet -NuGetPackageRoot ~/.nuget/packages -ResultDirectory ./artifacts/test-results
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [string] $ModulePath,

    [string] $PackagePath,

    [Parameter(Mandatory)]
    [string] $NuGetPackageRoot,

    [Parameter(Mandatory)]
    [string] $ResultDirectory,

    [string[]] $Path = @($PSScriptRoot),

    [string[]] $ExcludeTag = @()
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

# One list of test-time packages: the restore project names them, this script finds them.
$dependencies = [xml](Get-Content -Raw -LiteralPath (Join-Path $PSScriptRoot 'Pester.Dependencies.csproj'))
function Get-PackageFolder([string] $Id) {
    $item = @($dependencies.Project.ItemGroup.PackageDownload | Where-Object { $_ -and $_.Include -eq $Id })
    if ($item.Count -ne 1) {
        throw "Pester.Dependencies.csproj does not name package '$Id'."
    }
    $folder = Join-Path $NuGetPackageRoot $Id.ToLowerInvariant() $item[0].Version.Trim('[', ']')
    if (-not (Test-Path -LiteralPath $folder)) {
        throw "Package '$Id' is not restored at '$folder': run 'dotnet restore tests/Pester/Pester.Dependencies.csproj'."
    }
    return $folder
}

Import-Module (Join-Path (Get-PackageFolder 'Pester') 'tools/Pester.psd1') -Force

# The tests read their inputs from the environment (tests/Pester/TestSupport.psm1), so a single file also runs by hand.
$env:K3SNET_MODULE_PATH = (Resolve-Path -LiteralPath $ModulePath).ProviderPath
$env:K3SNET_PACKAGE_PATH = $PackagePath
$env:K3SNET_CONFLICTING_YAMLDOTNET = Join-Path (Get-PackageFolder 'YamlDotNet') 'lib/netstandard2.1/YamlDotNet.dll'
$env:K3SNET_CONFLICTING_AWSSDKCORE = Join-Path (Get-PackageFolder 'AWSSDK.Core') 'lib/net8.0/AWSSDK.Core.dll'
# Every child pwsh writes plain text: a failing test quotes its child's error, and an ANSI escape in that message
# (0x1B) is a character JUnit XML cannot hold, so the report, and with it the summary, would be lost.
$env:NO_COLOR = '1'

$null = New-Item -ItemType Directory -Force -Path $ResultDirectory
$configuration = New-PesterConfiguration
$configuration.Run.Path = $Path
$configuration.Run.PassThru = $true
$configuration.Filter.ExcludeTag = $ExcludeTag
$configuration.Output.Verbosity = 'Detailed'
$configuration.TestResult.Enabled = $true
$configuration.TestResult.OutputFormat = 'JUnitXml'
$configuration.TestResult.OutputPath = Join-Path $ResultDirectory 'pester.xml'

$result = Invoke-Pester -Configuration $configuration

# A failed BeforeAll or a test file that did not even load runs no test: each counts as a failure, never as a pass.
$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
[ordered]@{
    Passed  = $result.PassedCount
    Failed  = $failed
    Skipped = $result.SkippedCount + $result.NotRunCount
} | ConvertTo-Json | Set-Content -LiteralPath (Join-Path $ResultDirectory 'pester-summary.json') -Encoding utf8

exit ([int]($failed -gt 0))
