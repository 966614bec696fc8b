#Requires -Version 7.4
<#
.SYNOPSIS
The main job: shows what K3sNet does, on the built module. build.ps1 Demo runs it in a fresh pwsh.

.DESCRIPTION
The story of a k3s cluster on EC2 whose pods on one agent cannot resolve or reach an AWS endpoint: a 3-node lab in
network namespaces (tests/Lab, real kernel VXLAN; the server k3s-server hosts CoreDNS; k3s-agent-2's security group
lacks UDP 8472), with the Kubernetes API emulator on the server's address (10.0.1.10:6443), whose kubelet runs pods as
processes on the lab's nodes, and the EC2 emulator on the server's loopback, whose every security-group change is
rendered into the subnet's nftables. From the server, as an operator with a kubeconfig would from a laptop
(tools/DemoStory.ps1, run there with ip netns exec), each step prints the command a user would type, then its output:
the pod's failed lookup, Test-K3sVxlan -AllNodes's matrix and reasons, Test-K3sPodNetwork's view from the pods,
Test-K3sSecurityGroup naming the group, Grant-K3sNodeTraffic, and the same commands healthy. Everything it builds is
removed at the end, also when a step fails or on Ctrl+C. The lab needs root on Linux with iproute2 and nftables:
elsewhere the demo shows the port matrix, says what it needs, and exits with 1.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [string] $ModulePath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$Root = Split-Path -Parent $PSScriptRoot
Import-Module (Join-Path $ModulePath 'K3sNet.psd1')
Import-Module (Join-Path $Root 'tests/Lab/K3sNetLab.psm1')
# After the lab's module, which loads its own copy (-Force) through the tests' support module.
Import-Module (Join-Path $PSScriptRoot 'PwshProcess.psm1') -Force

$module = Get-Module K3sNet
Write-Host "K3sNet $($module.Version): why pods on one k3s node cannot reach another, and the rules that fix it." -ForegroundColor Cyan
Write-Host ''
Write-Host '# What a default k3s cluster (flannel VXLAN) needs between its nodes. UDP 8472 is the rule people forget.' -ForegroundColor Green
Write-Host 'PS> Get-K3sPortMatrix' -ForegroundColor Yellow
Write-Host (Get-K3sPortMatrix | Out-String -Width 120).TrimEnd()

$missing = Test-K3sNetLabSupport
if ($missing) {
    Write-Host ''
    Write-Host 'The rest of the demo builds a 3-node k3s lab in network namespaces: run it as root on Linux with iproute2 and' -ForegroundColor Red
    Write-Host "nftables (sudo dotnet pwsh ./build.ps1 Demo). Here $missing." -ForegroundColor Red
    exit 1
}

$lab = $null
try {
    $lab = New-K3sNetLab -NodeCount 3 -NodeName k3s-server, k3s-agent-1, k3s-agent-2 -NoVxlanInto k3s-agent-2
    $cloud = Start-K3sNetLabCloud -Lab $lab
    Write-Host ''
    Write-Host "The lab: k3s-server, k3s-agent-1 and k3s-agent-2 in network namespaces $($lab.Prefix)-*, real kernel VXLAN; the" -ForegroundColor Cyan
    Write-Host 'Kubernetes API on k3s-server (10.0.1.10:6443), whose kubelet runs pods on the lab''s nodes; EC2 on k3s-server''s' -ForegroundColor Cyan
    Write-Host 'loopback, each security group rendered into the subnet''s nftables. k3s-agent-2''s group admits no UDP 8472.' -ForegroundColor Cyan
    Write-Host 'Everything below runs on k3s-server with its kubeconfig, as it would on a laptop; nothing runs on the nodes but' -ForegroundColor Cyan
    Write-Host 'the probe pods Kubernetes starts there.' -ForegroundColor Cyan

    $server = $lab.Nodes | Where-Object IsServer
    $workload = $lab.Pods | Where-Object { $_.Node -eq 'k3s-agent-2' -and $_.Namespace -eq 'default' } | Select-Object -First 1
    $pod = [ordered]@{ Name = $workload.Name; Namespace = $workload.Namespace; NetNamespace = $workload.NetNamespace; InitPid = ($lab.Nodes | Where-Object Name -EQ 'k3s-agent-2').InitPid }
    $pwsh = Get-PwshCommandLine
    & ip netns exec $server.Namespace @pwsh -NoProfile -NonInteractive -File (Join-Path $PSScriptRoot 'DemoStory.ps1') `
        -ModulePath $ModulePath -Kubeconfig $cloud.Kubeconfig -AwsJson ($cloud.AwsParameters | ConvertTo-Json -Compress) `
        -PodJson ($pod | ConvertTo-Json -Compress) | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "The story stopped (exit code $LASTEXITCODE)." }
}
finally {
    if ($lab) {
        Remove-K3sNetLab -Lab $lab
        Write-Host ''
        Write-Host "Lab $($lab.Prefix) and its emulators removed." -ForegroundColor Cyan
    }
}
Write-Host ''
Write-Host 'Next: Get-Help Test-K3sVxlan -Examples, Get-Help Test-K3sPodNetwork -Examples, and Get-Help about_K3sNet.' -ForegroundColor Cyan
