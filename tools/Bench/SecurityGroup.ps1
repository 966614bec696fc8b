#Requires -Version 7.4
<#
.SYNOPSIS
Measures Test-K3sSecurityGroup on a large cluster against the EC2 emulator: Describe calls per action, wall time, memory.

.DESCRIPTION
Starts the EC2 emulator (tests/Emulators/Ec2, built by build.ps1 Build) on a loopback port with -Nodes instances in
-Groups security groups over two subnets, pipes one K3sNode per instance (three servers, the rest agents) into
Test-K3sSecurityGroup -Runs times, and prints the number of verdicts, the EC2 calls of one run per action, the wall
time of each run and its median, and the managed memory the runs allocated and the process's peak working set.

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
    [int] $Runs = 3
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot '../../tests/Pester/TestSupport.psm1') -Force
Import-Module (Join-Path $ModulePath 'K3sNet.psd1') -Force

$emulator = Start-Ec2Emulator -State (New-Ec2ClusterState -Nodes $Nodes -Groups $Groups)
try {
    $aws = @{ Region = 'us-east-1'; AccessKey = 'AKIDEXAMPLE'; SecretKey = 'bench-secret'; EndpointUrl = $emulator.Url }
    $cluster = 0..($Nodes - 1) | ForEach-Object {
        [K3sNet.K3sNode]@{ Name = "node-$_"; IsServer = $_ -lt 3; ProviderId = 'aws:///us-east-1a/i-{0:x17}' -f $_ }
    }

    $times = @()
    $verdicts = 0
    $allocatedBefore = [GC]::GetTotalAllocatedBytes($true)
    for ($run = 1; $run -le $Runs; $run++) {
        Reset-Ec2EmulatorCallCount $emulator
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $verdicts = ($cluster | Test-K3sSecurityGroup @aws | Measure-Object).Count
        $watch.Stop()
        $times += $watch.Elapsed.TotalSeconds
        Write-Host ('run {0}: {1:N2} s' -f $run, $watch.Elapsed.TotalSeconds)
    }
    $allocated = ([GC]::GetTotalAllocatedBytes($true) - $allocatedBefore) / $Runs
    $calls = Get-Ec2EmulatorCallCount $emulator
    $sorted = @($times | Sort-Object)
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
        PeakWorkingSetMB       = [math]::Round([Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64 / 1MB)
    } | Format-List
}
finally {
    Stop-Ec2Emulator $emulator
}
