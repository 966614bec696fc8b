#Requires -Version 7.4
<#
.SYNOPSIS
Measures Test-K3sSecurityGroup on a large cluster against the EC2 emulator: Describe calls per action, wall time, memory.

.DESCRIPTION
Starts the EC2 emulator (tests/Emulators/Ec2, built by build.ps1 Build) on a loopback port with -Nodes instances in
-Groups security groups over two subnets, pipes one K3sNode per instance (three servers, the rest agents) into
Test-K3sSecurityGroup -Runs times, and prints the number of verdicts, the EC2 calls of one run per action, the wall
time of each run and its median, and the managed memory the runs allocated and the process's peak working set.

Then the two ways to get the same answer without K3sNet's batching:
  - the naive script: per node, DescribeInstances for it and DescribeSecurityGroups for its groups (2 x -Nodes calls).
    Measured by running Test-K3sSecurityGroup -InstanceId for one instance at a time, -Nodes times: exactly those two
    calls each, through the same AWSSDK.EC2 client and emulator. It is a lower bound for the naive script: it reads
    what the naive script must read, but judges no pair (each call sees one node), and it pays a client per call.
  - AWS Reachability Analyzer: one analysis per path (source, destination, protocol and port), so one per pair
    verdict, at -AnalysisPriceUsd each.

Last, the ways to get only what matters, each end to end in the same process (-Runs times, median), and the objects
each writes: the per-pair verdicts filtered by Where-Object { -not $_.Allowed }, the same with -NotAllowed, one summary
per group and flow (-Summary), and both (-NotAllowed -Summary). The emulator's groups lack UDP 8472, so about half the
verdicts are blocked.

.EXAMPLE
dotnet pwsh ./tools/Bench/SecurityGroup.ps1 -ModulePath ./out/K3sNet
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [string] $ModulePath,

    [int] $Nodes = 1000,

    [int] $Groups = 20,

    [ValidateRange(1, 21)]
    [int] $Runs = 3,

    # Skips the naive per-node measurement (about 3 s for 1,000 nodes).
    [switch] $SkipNaive,

    # AWS Reachability Analyzer's price per analysis (issue 7 gives $0.10).
    [double] $AnalysisPriceUsd = 0.10,

    # Skips the filtered and summarised measurements (Where-Object alone takes about 9 s a run for 1,000 nodes).
    [switch] $SkipFiltered
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot '../../tests/Pester/TestSupport.psm1') -Force
Import-Module (Join-Path $ModulePath 'K3sNet.psd1') -Force

$emulator = Start-Ec2Emulator -State (New-Ec2ClusterState -Nodes $Nodes -Groups $Groups)
try {
    $aws = @{ Region = 'us-east-1'; AccessKey = 'AKIDEXAMPLE'; SecretKey = 'test-secret'; EndpointUrl = $emulator.Url }
    $cluster = 0..($Nodes - 1) | ForEach-Object {
        [K3sNet.K3sNode]@{ Name = "node-$_"; IsServer = $_ -lt 3; ProviderId = 'aws:///us-east-1a/i-{0:x17}' -f $_ }
    }

    $times = @()
    $verdicts = 0
    $allocatedBefore = [GC]::GetTotalAllocatedBytes($true)
    for ($run = 1; $run -le $Runs; $run++) {
        Reset-Ec2EmulatorCallCount $emulator
        $watch = [Diagnostics.Stopwatch]::StartNew()
        # Measure-Object counts without keeping two million objects alive.
        $verdicts = ($cluster | Test-K3sSecurityGroup @aws | Measure-Object).Count
        $watch.Stop()
        $times += $watch.Elapsed.TotalSeconds
        Write-Host ('run {0}: {1:N2} s' -f $run, $watch.Elapsed.TotalSeconds)
    }
    $allocated = ([GC]::GetTotalAllocatedBytes($true) - $allocatedBefore) / $Runs
    $calls = Get-Ec2EmulatorCallCount $emulator
    $sorted = @($times | Sort-Object)
    $peakMB = [math]::Round([Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64 / 1MB)

    $naive = $null
    if (-not $SkipNaive) {
        # One warm-up call first, so the cloud assemblies' load and JIT are not counted against the naive script.
        $null = Test-K3sSecurityGroup @aws -InstanceId ('i-{0:x17}' -f 0)
        Reset-Ec2EmulatorCallCount $emulator
        $watch = [Diagnostics.Stopwatch]::StartNew()
        foreach ($i in 0..($Nodes - 1)) {
            $null = Test-K3sSecurityGroup @aws -InstanceId ('i-{0:x17}' -f $i)
        }
        $watch.Stop()
        $naiveCalls = Get-Ec2EmulatorCallCount $emulator
        $naive = [pscustomobject]@{
            Calls   = [int](@($naiveCalls.Values) | Measure-Object -Sum).Sum
            Detail  = (@($naiveCalls.GetEnumerator() | Sort-Object Name | ForEach-Object { "$($_.Name) $($_.Value)" }) -join ', ')
            Seconds = [math]::Round($watch.Elapsed.TotalSeconds, 2)
        }
        Write-Host ('naive, one instance at a time: {0} calls ({1}) in {2:N2} s' -f $naive.Calls, $naive.Detail, $naive.Seconds)
    }

    # The emulator's groups open nothing to the internet, so every verdict is one path of one pair: what one
    # Reachability Analyzer analysis answers.
    [pscustomobject]@{
        Nodes                  = $Nodes
        Groups                 = $Groups
        Verdicts               = $verdicts
        DescribeInstances      = $calls['DescribeInstances']
        DescribeSecurityGroups = $calls['DescribeSecurityGroups']
        DescribeNetworkAcls    = $calls['DescribeNetworkAcls']
        OtherCalls             = [int](@($calls.GetEnumerator() | Where-Object Name -NotLike 'Describe*' | ForEach-Object Value) | Measure-Object -Sum).Sum
        MedianSeconds          = [math]::Round($sorted[[int][math]::Floor($sorted.Count / 2)], 2)
        RunSeconds             = ($times | ForEach-Object { [math]::Round($_, 2) }) -join ', '
        AllocatedMBPerRun      = [math]::Round($allocated / 1MB)
        PeakWorkingSetMB       = $peakMB
        NaiveCalls             = if ($naive) { $naive.Calls } else { 'skipped' }
        NaiveSeconds           = if ($naive) { $naive.Seconds } else { 'skipped' }
        ReachabilityAnalyses   = $verdicts
        ReachabilityCostUsd    = [math]::Round($verdicts * $AnalysisPriceUsd, 2)
    } | Format-List

    if (-not $SkipFiltered) {
        # Each way to what matters, end to end: the EC2 calls, the analysis, and PowerShell's pipeline up to Measure-Object.
        $ways = [ordered]@{
            'Test-K3sSecurityGroup | Where-Object { -not $_.Allowed }' = { $cluster | Test-K3sSecurityGroup @aws | Where-Object { -not $_.Allowed } | Measure-Object }
            'Test-K3sSecurityGroup -NotAllowed'                       = { $cluster | Test-K3sSecurityGroup @aws -NotAllowed | Measure-Object }
            'Test-K3sSecurityGroup -Summary'                          = { $cluster | Test-K3sSecurityGroup @aws -Summary | Measure-Object }
            'Test-K3sSecurityGroup -NotAllowed -Summary'              = { $cluster | Test-K3sSecurityGroup @aws -NotAllowed -Summary | Measure-Object }
        }
        $rows = foreach ($way in $ways.GetEnumerator()) {
            $wayTimes = @()
            $objects = 0
            for ($run = 1; $run -le $Runs; $run++) {
                $watch = [Diagnostics.Stopwatch]::StartNew()
                $objects = (& $way.Value).Count
                $watch.Stop()
                $wayTimes += $watch.Elapsed.TotalSeconds
            }
            $wayTimes = @($wayTimes | Sort-Object)
            [pscustomobject]@{
                Command       = $way.Key
                Objects       = $objects
                MedianSeconds = [math]::Round($wayTimes[[int][math]::Floor($wayTimes.Count / 2)], 2)
                RunSeconds    = ($wayTimes | ForEach-Object { [math]::Round($_, 2) }) -join ', '
            }
        }
        $rows | Format-Table -AutoSize | Out-String -Width 160
    }
}
finally {
    Stop-Ec2Emulator $emulator
}
