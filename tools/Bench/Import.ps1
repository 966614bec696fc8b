#Requires -Version 7.4
<#
.SYNOPSIS
Measures how much Import-Module K3sNet adds to a bare pwsh (docs/benchmarks.md). tools/Bench.ps1 runs it.

.DESCRIPTION
Import cost: how much time and working set `Import-Module K3sNet` adds to a bare `pwsh -NoProfile`, as the median
of -Runs fresh processes each way (the first run of each kind is a discarded warm-up, so the disk cache is equal).
Two views: the whole process (start, import, exit) and the import alone, timed inside the process.

.EXAMPLE
dotnet pwsh ./tools/Bench/Import.ps1 -ModulePath ./out/K3sNet
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [string] $ModulePath,

    # 1 only proves the script runs (tools/Bench.ps1 -Quick); a median means something from about 5.
    [ValidateRange(1, 101)]
    [int] $Runs = 15
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot '../PwshProcess.psm1') -Force

$manifest = Join-Path $ModulePath 'K3sNet.psd1'

function Get-Median([double[]] $Values) {
    $sorted = @($Values | Sort-Object)
    $middle = [int][math]::Floor($sorted.Count / 2)
    if ($sorted.Count % 2) { return $sorted[$middle] }
    return ($sorted[$middle - 1] + $sorted[$middle]) / 2
}

function Measure-Process([string] $Command) {
    # Both sides start the same way (Invoke-PwshProcess), so the difference is the import.
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $output = Invoke-PwshProcess -Command $Command
    $watch.Stop()
    if ($LASTEXITCODE -ne 0) { throw "pwsh failed: $output" }
    return [pscustomobject]@{ WallMs = $watch.Elapsed.TotalMilliseconds; Output = $output }
}

# Inside the process: the import alone, and the working set it adds.
$inside = @'
[GC]::Collect(); [GC]::WaitForPendingFinalizers()
$before = [Environment]::WorkingSet
$watch = [Diagnostics.Stopwatch]::StartNew()
IMPORT
$watch.Stop()
[GC]::Collect(); [GC]::WaitForPendingFinalizers()
'{0:F1} {1}' -f $watch.Elapsed.TotalMilliseconds, ([Environment]::WorkingSet - $before)
'@

$bare = [Collections.Generic.List[double]]::new()
$withModule = [Collections.Generic.List[double]]::new()
$importMs = [Collections.Generic.List[double]]::new()
$importBytes = [Collections.Generic.List[double]]::new()
$baselineMs = [Collections.Generic.List[double]]::new()
$baselineBytes = [Collections.Generic.List[double]]::new()

for ($i = 0; $i -le $Runs; $i++) {
    # Interleaved, so drift in the machine's load touches both sides alike.
    $b = Measure-Process ($inside -replace 'IMPORT', '$null = 0')
    $m = Measure-Process ($inside -replace 'IMPORT', "Import-Module '$manifest'")
    if ($i -eq 0) { continue }
    $bare.Add($b.WallMs); $withModule.Add($m.WallMs)
    $bMs, $bBytes = "$($b.Output)".Split(' '); $mMs, $mBytes = "$($m.Output)".Split(' ')
    $baselineMs.Add([double]$bMs); $baselineBytes.Add([double]$bBytes)
    $importMs.Add([double]$mMs); $importBytes.Add([double]$mBytes)
}

$cpu = (Get-Content /proc/cpuinfo -ErrorAction Ignore | Where-Object { $_ -match '^model name' } | Select-Object -First 1) -replace '^model name\s*:\s*', ''
[pscustomobject]@{
    Machine                    = "$([Environment]::ProcessorCount) cores, $cpu, $([Runtime.InteropServices.RuntimeInformation]::OSDescription)"
    PowerShell                 = "$($PSVersionTable.PSVersion) on $([Runtime.InteropServices.RuntimeInformation]::FrameworkDescription)"
    Runs                       = $Runs
    BarePwshMedianMs           = [math]::Round((Get-Median $bare), 1)
    PwshWithImportMedianMs     = [math]::Round((Get-Median $withModule), 1)
    ProcessAddedMedianMs       = [math]::Round((Get-Median $withModule) - (Get-Median $bare), 1)
    ImportModuleAloneMedianMs  = [math]::Round((Get-Median $importMs) - (Get-Median $baselineMs), 1)
    ImportWorkingSetAddedMiB   = [math]::Round(((Get-Median $importBytes) - (Get-Median $baselineBytes)) / 1MB, 1)
} | Format-List | Out-Host
