#Requires -Version 7.4
<#
.SYNOPSIS
Measures Test-K3sVxlan on a 50-node lab against its per-probe timeout and against a serial ping loop.

.DESCRIPTION
Builds a network-namespace lab (tests/Lab) of -NodeCount nodes once, then for each number of blocked nodes in
-Blocked (one case each) makes the last that many nodes' security groups drop UDP 8472 (and the -Unreachable nodes
before them have their underlay down), and from node 0's namespace measures:
  - Test-K3sVxlan over every peer, -Runs times, each in a fresh pwsh (module imported); the time is the pipeline's
    alone, measured in that pwsh, so it includes the cmdlet's first-use JIT but not PowerShell's start-up. The same
    pwsh then runs the pipeline a second time: the warm time, without first-use costs;
  - a serial `ping -c 1 -W <timeout> <vtep>` loop over the same VTEP addresses (what a person types today), up to
    three times.
Prints every run, the medians, and the verdict counts; returns one object per case. Needs root: without it, it says
so and measures nothing. The lab is removed at the end, also on failure.

.EXAMPLE
sudo dotnet pwsh ./tools/Bench/Vxlan.ps1 -ModulePath ./out/K3sNet
#>
[CmdletBinding()]
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../../out/K3sNet'),

    [ValidateRange(3, 240)]
    [int] $NodeCount = 50,

    # One case per number: how many nodes (the last ones) drop UDP 8472.
    [ValidateRange(0, 239)]
    [int[]] $Blocked = @(5),

    # Nodes before the blocked ones whose underlay is down (NodeUnreachable).
    [ValidateRange(0, 239)]
    [int] $Unreachable = 0,

    [ValidateRange(1, 50)]
    [int] $Runs = 5,

    [double] $TimeoutSeconds = 1
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot '../../tests/Lab/K3sNetLab.psm1') -Force
# After the lab: the lab's own import of TestSupport.psm1 imports PwshProcess.psm1 again with -Force, which took
# Get-PwshCommandLine away from this script when it was imported first.
Import-Module (Join-Path $PSScriptRoot '../PwshProcess.psm1') -Force

if ($whyNot = Test-K3sNetLabSupport) {
    Write-Warning "Test-K3sVxlan benchmark skipped: $whyNot. Run it as root on Linux with iproute2 and nftables."
    return
}

foreach ($count in $Blocked) {
    if ($count + $Unreachable -ge $NodeCount) {
        # The faulted nodes are the last ones; node 0, where the test runs from, must stay whole.
        throw "-Blocked ($count) and -Unreachable ($Unreachable) leave no healthy node to test from among ${NodeCount}: give fewer."
    }
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
    # The VXLAN checks need no workload pods (CoreDNS and the pod network are built anyway).
    $lab = New-K3sNetLab -NodeCount $NodeCount -PodsPerNode 0
    $buildSeconds = $built.Elapsed.TotalSeconds
    $from = $lab.Nodes[0]
    $nodesJson = Join-Path $lab.Path 'k3s-nodes.json'
    Get-K3sNetLabNode -Lab $lab | ConvertTo-Json -Depth 4 | Set-Content -LiteralPath $nodesJson -Encoding utf8
    $vteps = @($lab.Nodes | Where-Object Name -NE $from.Name | ForEach-Object VtepAddress)
    Write-Host ("Lab of {0} nodes built in {1:0.0} s; testing {2} peers from {3}, timeout {4} s." -f
        $NodeCount, $buildSeconds, $vteps.Count, $from.Name, $TimeoutSeconds)

    # The pipeline twice in one process: the first time is what a user waits for, the second shows what first-use
    # costs (JIT, loading, the ICMP socket) added to it.
    $pwsh = Get-PwshCommandLine
    $child = @"
`$ErrorActionPreference = 'Stop'
Import-Module (Join-Path '$ModulePath' 'K3sNet.psd1')
`$nodes = Get-Content -Raw -LiteralPath '$nodesJson' | ConvertFrom-Json
`$clock = [Diagnostics.Stopwatch]::StartNew()
`$results = @(`$nodes | Test-K3sVxlan -TimeoutSeconds $TimeoutSeconds -ProgressAction SilentlyContinue)
`$seconds = `$clock.Elapsed.TotalSeconds
`$clock.Restart()
`$null = @(`$nodes | Test-K3sVxlan -TimeoutSeconds $TimeoutSeconds -ProgressAction SilentlyContinue)
`$warm = `$clock.Elapsed.TotalSeconds
'<<BENCH>>' + (@{ Seconds = `$seconds; Warm = `$warm; Count = `$results.Count; Verdicts = @(`$results | Group-Object Verdict | ForEach-Object { "`$(`$_.Name)=`$(`$_.Count)" }) } | ConvertTo-Json -Compress)
"@
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($child))
    $wait = [int][math]::Ceiling($TimeoutSeconds)
    $loop = "for a in $($vteps -join ' '); do ping -c 1 -W $wait `$a >/dev/null; done"

    foreach ($count in $Blocked) {
        Clear-K3sNetLabFault -Lab $lab
        # The last nodes' security groups drop UDP 8472, as the field failure does.
        foreach ($node in @($lab.Nodes | Select-Object -Last $count)) {
            Set-K3sNetLabFault -Lab $lab -Fault VxlanBlocked -Node $node.Name
        }
        foreach ($node in @($lab.Nodes | Select-Object -Last ($count + $Unreachable) | Select-Object -First $Unreachable)) {
            Set-K3sNetLabFault -Lab $lab -Fault UnderlayDown -Node $node.Name
        }
        Write-Host ("Case: {0} of {1} peers drop UDP 8472, {2} unreachable." -f $count, $vteps.Count, $Unreachable)

        $cmdletSeconds = @()
        $warmSeconds = @()
        $verdicts = $null
        for ($run = 1; $run -le $Runs; $run++) {
            $output = & ip netns exec $from.Namespace @pwsh -NoProfile -NonInteractive -OutputFormat Text -EncodedCommand $encoded 2>&1 | ForEach-Object { "$_" }
            $line = $output | Where-Object { $_.StartsWith('<<BENCH>>') } | Select-Object -Last 1
            if (-not $line) { throw "Test-K3sVxlan failed:`n$($output -join "`n")" }
            $measured = $line.Substring(9) | ConvertFrom-Json
            $cmdletSeconds += $measured.Seconds
            $warmSeconds += $measured.Warm
            $verdicts = "$($measured.Count) results: $($measured.Verdicts -join ', ')"
            Write-Host ("  Test-K3sVxlan run {0}: {1:0.000} s, warm {2:0.000} s ({3})" -f $run, $measured.Seconds, $measured.Warm, $verdicts)
        }

        $pingSeconds = @()
        for ($run = 1; $run -le [math]::Min($Runs, 3); $run++) {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            & ip netns exec $from.Namespace bash -c $loop
            $pingSeconds += $clock.Elapsed.TotalSeconds
            Write-Host ("  serial ping loop run {0}: {1:0.000} s" -f $run, $clock.Elapsed.TotalSeconds)
        }

        $cmdletMedian = Get-Median $cmdletSeconds
        $pingMedian = Get-Median $pingSeconds
        Write-Host ("  Test-K3sVxlan median {0:0.000} s of {1} runs = {2:0.00} x the {3} s timeout (target <= 2 x); warm {4:0.000} s." -f
            $cmdletMedian, $cmdletSeconds.Count, ($cmdletMedian / $TimeoutSeconds), $TimeoutSeconds, (Get-Median $warmSeconds))
        Write-Host ("  serial 'ping -c 1 -W {0}' loop median {1:0.000} s of {2} runs: {3:0.0} x Test-K3sVxlan (target >= 20 x)." -f
            $wait, $pingMedian, $pingSeconds.Count, ($pingMedian / $cmdletMedian))
        [pscustomobject]@{
            NodeCount           = $NodeCount
            BlockedNodes        = $count
            UnreachableNodes    = $Unreachable
            TimeoutSeconds      = $TimeoutSeconds
            TestK3sVxlanSeconds = $cmdletSeconds
            TestK3sVxlanMedian  = $cmdletMedian
            WarmMedian          = Get-Median $warmSeconds
            SerialPingSeconds   = $pingSeconds
            SerialPingMedian    = $pingMedian
            SerialOverCmdlet    = [math]::Round($pingMedian / $cmdletMedian, 1)
            Verdicts            = $verdicts
        }
    }
}
finally {
    if ($lab) { Remove-K3sNetLab -Lab $lab }
}
