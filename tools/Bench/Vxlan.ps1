#Requires -Version 7.4
<#
.SYNOPSIS
Measures Test-K3sVxlan on a 50-node lab against its per-probe timeout and against a serial ping loop.

.DESCRIPTION
Builds a network-namespace lab (tests/Lab) of -NodeCount nodes in which the last -Blocked nodes' security groups drop
UDP 8472 (and the -Unreachable nodes before them have their underlay down), then from node 0's namespace, -Runs
times each:
  - Test-K3sVxlan over every peer, in a fresh pwsh (module imported); the time is the pipeline's alone, measured in
    that pwsh, so it includes the cmdlet's first-use JIT but not PowerShell's start-up;
  - a serial `ping -c 1 -W <timeout> <vtep>` loop over the same VTEP addresses (what a person types today).
Prints every run, the medians, and the verdict counts. Needs root; the lab is removed at the end, also on failure.

.EXAMPLE
sudo dotnet pwsh ./tools/Bench/Vxlan.ps1 -ModulePath ./out/K3sNet
#>
[CmdletBinding()]
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../../out/K3sNet'),

    [ValidateRange(3, 240)]
    [int] $NodeCount = 50,

    [ValidateRange(0, 239)]
    [int] $Blocked = 5,

    # Nodes before the blocked ones whose underlay is down (NodeUnreachable).
    [ValidateRange(0, 239)]
    [int] $Unreachable = 0,

    [ValidateRange(1, 50)]
    [int] $Runs = 5,

    [double] $TimeoutSeconds = 1
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot '../PwshProcess.psm1') -Force
Import-Module (Join-Path $PSScriptRoot '../../tests/Lab/K3sNetLab.psm1') -Force

if ($Blocked + $Unreachable -ge $NodeCount) {
    # The faulted nodes are the last ones; node 0, where the test runs from, must stay whole.
    throw "-Blocked ($Blocked) and -Unreachable ($Unreachable) leave no healthy node to test from among ${NodeCount}: give fewer."
}
$ModulePath = (Resolve-Path -LiteralPath $ModulePath).ProviderPath
function Get-Median([double[]] $Values) {
    $sorted = @($Values | Sort-Object)
    $middle = [int][math]::Floor($sorted.Count / 2)
    if ($sorted.Count % 2) { return $sorted[$middle] }
    return ($sorted[$middle - 1] + $sorted[$middle]) / 2
}

$lab = $null
try {
    $built = [Diagnostics.Stopwatch]::StartNew()
    $lab = New-K3sNetLab -NodeCount $NodeCount
    $buildSeconds = $built.Elapsed.TotalSeconds
    # The last -Blocked nodes' security groups drop UDP 8472, as the field failure does.
    foreach ($node in @($lab.Nodes | Select-Object -Last $Blocked)) {
        Set-K3sNetLabFault -Lab $lab -Fault VxlanBlocked -Node $node.Name
    }
    foreach ($node in @($lab.Nodes | Select-Object -Last ($Blocked + $Unreachable) | Select-Object -First $Unreachable)) {
        Set-K3sNetLabFault -Lab $lab -Fault UnderlayDown -Node $node.Name
    }
    $from = $lab.Nodes[0]
    $nodesJson = Join-Path $lab.Path 'k3s-nodes.json'
    Get-K3sNetLabNode -Lab $lab | ConvertTo-Json -Depth 4 | Set-Content -LiteralPath $nodesJson -Encoding utf8
    $vteps = @($lab.Nodes | Where-Object Name -NE $from.Name | ForEach-Object VtepAddress)
    Write-Host ("Lab of {0} nodes built in {1:0.0} s; {2} of them drop UDP 8472, {3} are unreachable; testing {4} peers from {5}, timeout {6} s." -f
        $NodeCount, $buildSeconds, $Blocked, $Unreachable, $vteps.Count, $from.Name, $TimeoutSeconds)

    $pwsh = Get-PwshCommandLine
    $child = @"
`$ErrorActionPreference = 'Stop'
Import-Module (Join-Path '$ModulePath' 'K3sNet.psd1')
`$nodes = Get-Content -Raw -LiteralPath '$nodesJson' | ConvertFrom-Json
`$clock = [Diagnostics.Stopwatch]::StartNew()
`$results = @(`$nodes | Test-K3sVxlan -TimeoutSeconds $TimeoutSeconds -ProgressAction SilentlyContinue)
`$seconds = `$clock.Elapsed.TotalSeconds
'<<BENCH>>' + (@{ Seconds = `$seconds; Count = `$results.Count; Verdicts = @(`$results | Group-Object Verdict | ForEach-Object { "`$(`$_.Name)=`$(`$_.Count)" }) } | ConvertTo-Json -Compress)
"@
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($child))

    $cmdletSeconds = @()
    $verdicts = $null
    for ($run = 1; $run -le $Runs; $run++) {
        $output = & ip netns exec $from.Namespace @pwsh -NoProfile -NonInteractive -OutputFormat Text -EncodedCommand $encoded 2>&1 | ForEach-Object { "$_" }
        $line = $output | Where-Object { $_.StartsWith('<<BENCH>>') } | Select-Object -Last 1
        if (-not $line) { throw "Test-K3sVxlan failed:`n$($output -join "`n")" }
        $measured = $line.Substring(9) | ConvertFrom-Json
        $cmdletSeconds += $measured.Seconds
        $verdicts = "$($measured.Count) results: $($measured.Verdicts -join ', ')"
        Write-Host ("  Test-K3sVxlan run {0}: {1:0.000} s ({2})" -f $run, $measured.Seconds, $verdicts)
    }

    $wait = [int][math]::Ceiling($TimeoutSeconds)
    $loop = "for a in $($vteps -join ' '); do ping -c 1 -W $wait `$a >/dev/null; done"
    $pingSeconds = @()
    for ($run = 1; $run -le [math]::Min($Runs, 3); $run++) {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        & ip netns exec $from.Namespace bash -c $loop
        $pingSeconds += $clock.Elapsed.TotalSeconds
        Write-Host ("  serial ping loop run {0}: {1:0.000} s" -f $run, $clock.Elapsed.TotalSeconds)
    }

    $cmdletMedian = Get-Median $cmdletSeconds
    $pingMedian = Get-Median $pingSeconds
    Write-Host ''
    Write-Host ("Test-K3sVxlan, {0} peers ({1}): median {2:0.000} s of {3} runs = {4:0.00} x the {5} s probe timeout (target <= 2 x)." -f
        $vteps.Count, $verdicts, $cmdletMedian, $cmdletSeconds.Count, ($cmdletMedian / $TimeoutSeconds), $TimeoutSeconds)
    Write-Host ("Serial 'ping -c 1 -W {0}' loop over the same VTEP addresses: median {1:0.000} s of {2} runs ({3:0.0} x slower)." -f
        $wait, $pingMedian, $pingSeconds.Count, ($pingMedian / $cmdletMedian))
    [pscustomobject]@{
        NodeCount            = $NodeCount
        BlockedNodes         = $Blocked
        UnreachableNodes     = $Unreachable
        TimeoutSeconds       = $TimeoutSeconds
        TestK3sVxlanSeconds  = $cmdletSeconds
        TestK3sVxlanMedian   = $cmdletMedian
        SerialPingSeconds    = $pingSeconds
        SerialPingMedian     = $pingMedian
        Verdicts             = $verdicts
    }
}
finally {
    if ($lab) { Remove-K3sNetLab -Lab $lab }
}
