#Requires -Version 7.4
<#
.SYNOPSIS
Runs the benchmarks docs/benchmarks.md reports, on the built module, and prints their results. build.ps1 Bench runs it.

.DESCRIPTION
Each benchmark runs in its own fresh pwsh (so one's memory or loaded assemblies never colour another's), in this order:
  Import         tools/Bench/Import.ps1: what Import-Module K3sNet adds to a bare pwsh (15 pairs of processes).
  Codec          tools/Bench/Codec: VXLAN encode/decode with BenchmarkDotNet (reports in artifacts/bench/codec).
  SecurityGroup  tools/Bench/SecurityGroup.ps1: Test-K3sSecurityGroup on 1,000 instances in 20 groups (EC2 emulator),
                 the naive per-node calls, and the Reachability Analyzer cost of the same coverage.
  Vxlan          tools/Bench/Vxlan.ps1: Test-K3sVxlan from one node of a 50-node lab against the serial ping loop,
                 with 0, 5, 10 and 25 of the 49 peers blocked. Needs root; without it, it says why it is skipped.
  AllNodes       tools/Bench/AllNodes.ps1: Get-K3sNode | Test-K3sVxlan -AllNodes through Kubernetes on a 50-node lab with 5
                 nodes' UDP 8472 blocked (the lab's cloud: the API emulator and its lab kubelet), end to end from the
                 prompt, against a serial kubectl exec ping loop over the same nodes; API requests counted. Needs root.
-Bench picks some of them. A benchmark that fails is reported and the others still run; the script then fails.

-Quick runs each of them once in a small form, to prove it still runs (CI does, tests/Pester/Bench.Tests.ps1): Import
with one pair of processes, Codec with BenchmarkDotNet's dry job in-process, SecurityGroup on 10 instances in 2
groups once, Vxlan on a 3-node lab with 0 and 1 peers blocked once, AllNodes on a 3-node lab with one node blocked. Its
figures mean nothing; its counts (results, exec sessions, requests) are checked.

.EXAMPLE
dotnet pwsh ./tools/Bench.ps1 -ModulePath ./out/K3sNet -Bench Codec, SecurityGroup

.EXAMPLE
dotnet pwsh ./tools/Bench.ps1 -ModulePath ./out/K3sNet -Quick
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [string] $ModulePath,

    [ValidateSet('Import', 'Codec', 'SecurityGroup', 'Vxlan', 'AllNodes')]
    [string[]] $Bench = @('Import', 'Codec', 'SecurityGroup', 'Vxlan', 'AllNodes'),

    [switch] $Quick
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot 'PwshProcess.psm1') -Force

$root = (Resolve-Path -LiteralPath (Join-Path $PSScriptRoot '..')).ProviderPath
$ModulePath = (Resolve-Path -LiteralPath $ModulePath).ProviderPath
$scripts = Join-Path $PSScriptRoot 'Bench'

function Invoke-BenchScript([string] $Command) {
    Invoke-PwshProcess -Command "`$ErrorActionPreference = 'Stop'; $Command" -WorkingDirectory $root | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "exit code $LASTEXITCODE" }
}

# What each script is given: the measurement docs/benchmarks.md reports, or with -Quick the smallest run of the same
# code (one iteration, few nodes).
$arguments = if ($Quick) {
    @{ Import = '-Runs 1'; Codec = @('--quick'); SecurityGroup = '-Nodes 10 -Groups 2 -Runs 1'; Vxlan = '-NodeCount 3 -Blocked 0, 1 -Runs 1'; AllNodes = '-NodeCount 3 -Blocked 1' }
}
else {
    @{ Import = ''; Codec = @(); SecurityGroup = '-Runs 5'; Vxlan = '-Blocked 0, 5, 10, 25 -Runs 3'; AllNodes = '-NodeCount 50 -Blocked 5' }
}

$steps = [ordered]@{
    Import        = { Invoke-BenchScript "& '$scripts/Import.ps1' -ModulePath '$ModulePath' $($arguments.Import)" }
    Codec         = {
        # Always Release: BenchmarkDotNet refuses to measure unoptimised code. Its reports go under artifacts/.
        $project = Join-Path $scripts 'Codec/K3sNet.Bench.Codec.csproj'
        & dotnet build $project -c Release --nologo -v q | Out-Host
        if ($LASTEXITCODE -ne 0) { throw "dotnet build $project failed with exit code $LASTEXITCODE" }
        Push-Location -LiteralPath $root
        try {
            $codec = @($arguments.Codec)
            & dotnet (Join-Path $scripts 'Codec/bin/Release/net10.0/K3sNet.Bench.Codec.dll') --filter '*' @codec | Out-Host
            if ($LASTEXITCODE -ne 0) { throw "the codec benchmark failed with exit code $LASTEXITCODE" }
        }
        finally {
            Pop-Location
        }
    }
    SecurityGroup = { Invoke-BenchScript "& '$scripts/SecurityGroup.ps1' -ModulePath '$ModulePath' $($arguments.SecurityGroup) | Out-Host" }
    Vxlan         = { Invoke-BenchScript "& '$scripts/Vxlan.ps1' -ModulePath '$ModulePath' $($arguments.Vxlan) | Format-Table BlockedNodes, TestK3sVxlanMedian, WarmMedian, SerialPingMedian, SerialOverCmdlet -AutoSize | Out-String -Width 120 | Out-Host" }
    AllNodes      = { Invoke-BenchScript "& '$scripts/AllNodes.ps1' -ModulePath '$ModulePath' $($arguments.AllNodes) | Format-Table Tool, NodeCount, Results, PromptSeconds, PipelineSeconds, Requests, RequestsPerNode, Leftovers -AutoSize | Out-String -Width 140 | Out-Host" }
}

# Other work on the machine disturbs the timings: every benchmark says what the load was when it started.
function Get-LoadAverage { ((Get-Content /proc/loadavg -ErrorAction Ignore) -split ' ' | Select-Object -First 3) -join ' ' }

$cpu = (Get-Content /proc/cpuinfo -ErrorAction Ignore | Where-Object { $_ -match '^model name' } | Select-Object -First 1) -replace '^model name\s*:\s*', ''
Write-Host ("{0:yyyy-MM-dd HH:mm} UTC; {1} cores, {2}; {3}; PowerShell {4} on {5}; load average {6}" -f
    [DateTime]::UtcNow, [Environment]::ProcessorCount, $cpu, [Runtime.InteropServices.RuntimeInformation]::OSDescription,
    $PSVersionTable.PSVersion, [Runtime.InteropServices.RuntimeInformation]::FrameworkDescription, (Get-LoadAverage))

$failed = @()
foreach ($name in $steps.Keys) {
    if ($name -notin $Bench) { continue }
    Write-Host "--- $name (load average $(Get-LoadAverage))" -ForegroundColor Cyan
    $clock = [Diagnostics.Stopwatch]::StartNew()
    try {
        & $steps[$name]
    }
    catch {
        # One broken benchmark must not hide the others' numbers.
        Write-Warning "$name benchmark failed: $_"
        $failed += $name
    }
    Write-Host ("--- {0} took {1:0} s" -f $name, $clock.Elapsed.TotalSeconds) -ForegroundColor Cyan
}

if ($failed) {
    throw "Benchmarks that failed: $($failed -join ', ')."
}
